//! Bounds on YAML that trailaudit reads from files it does not control (the
//! configuration, a pack's rule METADATA, possibly from a pull request),
//! checked before serde_yaml_ng parses it. Shared by [`crate::config`] and
//! [`crate::pack`], below both.

/// The deepest nesting of YAML collections accepted (trailaudit.yaml needs 4).
pub const MAX_YAML_DEPTH: usize = 32;

/// Bounds YAML before serde_yaml_ng sees it, which has no budget of its own
/// worth the name: an alias (`*name`) is expanded wherever it is used, so a
/// few lines of nested aliases become gigabytes (a 1.5 MB file took 12.9 GB and
/// 41 s), and deep nesting parses in quadratic time (200 KB: 19 s). trailaudit's
/// YAML (the configuration, rule METADATA) never needs either, so aliases and
/// anchors are refused and nesting is bounded by [`MAX_YAML_DEPTH`]. Quoted
/// strings, comments and block scalars (`|`, `>`) are skipped, so a `*` or
/// `&` inside text is fine. `Err` is (line, column, message), 1-based.
pub(crate) fn check(text: &str) -> Result<(), (usize, usize, String)> {
    let mut indents: Vec<usize> = Vec::new();
    let mut flow = 0usize;
    // Inside a block scalar: the indentation of the line that opened it.
    let mut block_scalar: Option<usize> = None;
    let mut quote: Option<char> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let indent = line.len() - line.trim_start_matches(' ').len();
        if let Some(parent) = block_scalar {
            if line.trim().is_empty() || indent > parent {
                continue;
            }
            block_scalar = None;
        }
        let body = &line[indent..];
        if quote.is_none() && flow == 0 && !body.is_empty() && !body.starts_with('#') {
            while indents.last().is_some_and(|&last| last >= indent) && indents.last() != Some(&indent) {
                indents.pop();
            }
            if indents.last() != Some(&indent) {
                indents.push(indent);
            }
        }
        let chars: Vec<(usize, char)> = body.char_indices().collect();
        let next_is_blank = |k: usize| chars.get(k + 1).is_none_or(|&(_, d)| d == ' ' || d == '\t');
        let mut dashes = 0usize;
        // Where a node may start: the line's start, after `- `, `? `, `: `, and in
        // a flow collection after `[`, `{`, `,`. Only there do `*`, `&` and quotes
        // mean something; inside a plain scalar (`logs & metrics`) they are text.
        let mut expect_node = quote.is_none();
        let mut last_significant = None;
        let mut prev = ' ';
        let mut k = 0;
        while k < chars.len() {
            let c = chars[k].1;
            let column = indent + k + 1;
            match quote {
                Some('\'') => {
                    if c == '\'' {
                        if chars.get(k + 1).is_some_and(|&(_, d)| d == '\'') {
                            k += 1;
                        } else {
                            quote = None;
                        }
                    }
                }
                Some(_) => {
                    if c == '\\' {
                        k += 1;
                    } else if c == '"' {
                        quote = None;
                    }
                }
                None => {
                    if c == '#' && (prev == ' ' || prev == '\t') {
                        break;
                    }
                    let blank = c == ' ' || c == '\t';
                    if expect_node && !blank {
                        match c {
                            '*' => {
                                return Err((n, column, "YAML aliases (`*name`) are not accepted: an alias is copied wherever it is used, so a small file can expand without bound; write the value out, or quote a text that starts with `*`".into()));
                            }
                            '&' => {
                                return Err((n, column, "YAML anchors (`&name`) are not accepted (aliases are not); write the value out, or quote a text that starts with `&`".into()));
                            }
                            '\'' | '"' => {
                                quote = Some(c);
                                expect_node = false;
                            }
                            '[' | '{' => flow += 1,
                            ']' | '}' if flow > 0 => {
                                flow -= 1;
                                expect_node = false;
                            }
                            ',' if flow > 0 => {}
                            '-' | '?' if next_is_blank(k) && flow == 0 => dashes += 1,
                            _ => expect_node = false,
                        }
                    } else if !blank {
                        match c {
                            ':' if next_is_blank(k)
                                || (flow > 0 && chars.get(k + 1).is_some_and(|&(_, d)| matches!(d, ',' | ']' | '}'))) =>
                            {
                                expect_node = true;
                            }
                            ',' if flow > 0 => expect_node = true,
                            ']' | '}' if flow > 0 => flow -= 1,
                            '[' | '{' if flow > 0 => {
                                flow += 1;
                                expect_node = true;
                            }
                            _ => {}
                        }
                    }
                    let depth = indents.len() + dashes + flow;
                    if depth > MAX_YAML_DEPTH {
                        return Err((
                            n,
                            column,
                            format!("YAML nested deeper than {MAX_YAML_DEPTH} levels; trailaudit's files need a handful"),
                        ));
                    }
                    if !blank {
                        last_significant = Some(k);
                    }
                }
            }
            prev = c;
            k += 1;
        }
        // `key: |`, `- >-`, `key: |2`: the indented lines that follow are text.
        if quote.is_none() && flow == 0 {
            let end = last_significant.map_or(0, |k| chars[k].0 + chars[k].1.len_utf8());
            let head = body[..end].trim_end();
            let indicator = head.trim_end_matches(|c: char| c.is_ascii_digit() || c == '-' || c == '+');
            if (indicator.ends_with('|') || indicator.ends_with('>'))
                && (indicator.len() == 1 || indicator[..indicator.len() - 1].ends_with([' ', ':']))
            {
                block_scalar = Some(indent);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_bounds_skip_text_and_catch_aliases() {
        assert!(check("reason: logs & metrics, see * below # *not* an alias\nnames: ['*', \"&x\", prod-*]\n").is_ok());
        assert!(check("text: |\n  *literal* &text\n  - not a list\nnext: 1\n").is_ok());
        assert_eq!(check("a: *x\n").unwrap_err().0, 1);
        assert_eq!(check("a: [1, *x]\n").unwrap_err().1, 8);
        assert_eq!(check("a: 1\nb: &x 2\n").unwrap_err().0, 2);
        assert!(check(&"- ".repeat(40)).unwrap_err().2.contains("deeper than 32"));
        assert!(check(&("a: ".to_owned() + &"{b: ".repeat(40))).unwrap_err().2.contains("deeper than 32"));
    }
}
