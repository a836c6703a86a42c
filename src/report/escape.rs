//! Escaping for strings that come from AWS (names, tags, event fields): they
//! are untrusted and must not be able to drive a terminal or inject Markdown/HTML.

/// Makes a string safe to print on a terminal: control characters (including
/// ESC, so no ANSI sequences) become visible `\u{..}` escapes; newlines too.
pub fn terminal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() || is_bidi_control(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// Bidirectional overrides can make text read differently than it is (CVE-2021-42574).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// Makes a string safe as inline Markdown text (also inside a table cell):
/// Markdown punctuation is backslash-escaped, HTML-significant characters become
/// entities, and line breaks become spaces, so the string renders literally.
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let flat: String = s.chars().map(|c| if c == '\n' || c == '\r' { ' ' } else { c }).collect();
    for c in terminal(&flat).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '|' => out.push_str("\\|"),
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_neutralises_escape_sequences_and_newlines() {
        assert_eq!(terminal("a\u{1b}[31mred\nb"), "a\\u{1b}[31mred\\u{a}b");
        assert_eq!(terminal("plain-name_1"), "plain-name_1");
        assert_eq!(terminal("x\u{202E}y"), "x\\u{202e}y");
    }

    #[test]
    fn markdown_renders_hostile_strings_literally() {
        assert_eq!(markdown("a|b"), "a\\|b");
        assert_eq!(markdown("<script>alert(1)</script>"), "&lt;script&gt;alert\\(1\\)&lt;/script&gt;");
        assert_eq!(markdown("`code` *b* _i_ [l](u)"), "\\`code\\` \\*b\\* \\_i\\_ \\[l\\]\\(u\\)");
        assert_eq!(markdown("line\nbreak"), "line break");
        assert_eq!(markdown("bell\u{7}"), r"bell\\u\{7\}");
    }
}
