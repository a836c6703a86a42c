//! Escaping for strings that come from AWS (names, tags, event fields), from
//! snapshots and from configuration files: they are untrusted and must not be
//! able to drive a terminal, inject Markdown/HTML, or break an XML document.
//! Everything the reports and stderr print that such a string can reach goes
//! through one of these functions. A character that is not allowed is not
//! dropped but shown as a visible `\u{..}` escape, so the text stays traceable.

/// Makes a string safe to print on a terminal: control characters (including
/// ESC, so no ANSI sequences) become visible `\u{..}` escapes; newlines too.
pub fn terminal(s: &str) -> String {
    escape_unless(s, |_| false)
}

/// Makes a message safe for stderr: as [`terminal`], but line breaks and tabs
/// stay (error messages quote multi-line snippets of policy files). Every
/// message printed on stderr goes through this (`main.rs`, warnings of
/// `audit` and `merge`): a snapshot key or a waiver's text can hold ESC.
pub fn message(s: &str) -> String {
    escape_unless(s, |c| c == '\n' || c == '\t')
}

/// Makes a string safe for XML 1.0 text and attribute values (the JUnit
/// report): the characters XML forbids (C0 controls but tab, newline and
/// carriage return; U+FFFE and U+FFFF), the C1 controls and noncharacters it
/// discourages, and bidirectional overrides become `\u{..}` escapes. The XML
/// writer then only has `<`, `&` and quotes left to escape.
pub fn xml(s: &str) -> String {
    escape_unless(s, |c| matches!(c, '\n' | '\t' | '\r'))
}

/// Escapes every control, bidirectional-control and noncharacter code point
/// that `keep` does not allow.
fn escape_unless(s: &str, keep: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if (c.is_control() || is_bidi_control(c) || is_noncharacter(c)) && !keep(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// U+FDD0..U+FDEF and the last two code points of every plane (U+FFFE,
/// U+FFFF, U+1FFFE, ...): never meant for interchange; XML 1.0 forbids two.
fn is_noncharacter(c: char) -> bool {
    let n = c as u32;
    (0xFDD0..=0xFDEF).contains(&n) || n & 0xFFFE == 0xFFFE
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
        assert_eq!(terminal("\u{fffe}\u{ffff}\u{9b}"), "\\u{fffe}\\u{ffff}\\u{9b}");
    }

    #[test]
    fn messages_keep_their_lines_but_not_escape_sequences() {
        assert_eq!(message("unknown field `\u{1b}[31mx`\n  --> a.rego:1:2\tok"), "unknown field `\\u{1b}[31mx`\n  --> a.rego:1:2\tok");
        assert_eq!(message("\r\u{7}\u{202e}"), "\\u{d}\\u{7}\\u{202e}");
    }

    #[test]
    fn xml_escapes_what_xml_forbids_and_keeps_whitespace() {
        assert_eq!(xml("a\u{fffe}b\u{ffff}c\u{0}d\u{1b}[0m"), "a\\u{fffe}b\\u{ffff}c\\u{0}d\\u{1b}[0m");
        assert_eq!(xml("line\n\tcol\r"), "line\n\tcol\r");
        assert_eq!(xml("\u{1fffe}\u{fdd0}\u{85}<&"), "\\u{1fffe}\\u{fdd0}\\u{85}<&");
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
