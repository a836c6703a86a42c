//! A small Rego lint for the pack (`opa fmt` and Regal cannot be installed
//! here): line length, `_private` helper names in libraries, unused imports.
//! `tests/rego_lint.rs` runs it over the built-in pack (and `scripts/rego-lint.sh`
//! runs that test); each problem names file and line.

use std::collections::BTreeSet;

use super::{PackProblem, PolicyFile};

/// The longest line allowed, tabs counted as 4 columns and every string
/// literal as `""` (metric filter patterns and expected messages are long by
/// nature), the METADATA block not counted. The built-in pack's longest is 166.
pub const MAX_LINE: usize = 170;

/// Lint problems of `files`, sorted. Library files in `exempt_private` (relative
/// paths) skip the `_private` check.
pub fn lint(files: &[PolicyFile], exempt_private: &[&str]) -> Vec<PackProblem> {
    let mut problems = Vec::new();
    for file in files {
        line_lengths(file, &mut problems);
        unused_imports(file, &mut problems);
        if file.is_lib() && !file.is_test() && !exempt_private.contains(&file.rel.as_str()) {
            private_helpers(file, files, &mut problems);
        }
    }
    problems.sort();
    problems
}

/// A line of Rego with each string literal collapsed to `""` or ``` `` ```; the
/// comment is kept unless `drop_comment`.
pub(super) fn collapse_strings(line: &str, drop_comment: bool) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '#' => {
                if !drop_comment {
                    out.push('#');
                    out.extend(chars.by_ref());
                }
                break;
            }
            '"' => {
                out.push_str("\"\"");
                while let Some(s) = chars.next() {
                    match s {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '`' => {
                out.push_str("``");
                for s in chars.by_ref() {
                    if s == '`' {
                        break;
                    }
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// 0-based indexes of the lines of the `# METADATA` block.
fn metadata_lines(lines: &[&str]) -> BTreeSet<usize> {
    let Some(start) = lines.iter().position(|l| l.trim() == "# METADATA") else { return BTreeSet::new() };
    (start..lines.len()).take_while(|i| lines[*i].trim_start().starts_with('#')).collect()
}

fn problem(file: &PolicyFile, line: usize, message: String) -> PackProblem {
    PackProblem { path: file.display_path.clone(), line, message }
}

fn line_lengths(file: &PolicyFile, problems: &mut Vec<PackProblem>) {
    let lines: Vec<&str> = file.source.lines().collect();
    let metadata = metadata_lines(&lines);
    for (i, line) in lines.iter().enumerate() {
        if metadata.contains(&i) {
            continue;
        }
        let width: usize = collapse_strings(line, false).chars().map(|c| if c == '\t' { 4 } else { 1 }).sum();
        if width > MAX_LINE {
            problems.push(problem(
                file,
                i + 1,
                format!("line is {width} columns long, more than {MAX_LINE} (tabs count 4, string literals as \"\"): break it"),
            ));
        }
    }
}

/// `(line, alias, path)` of each `import` of a file.
fn imports(source: &str) -> Vec<(usize, String, String)> {
    source
        .lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let rest = collapse_strings(line, true);
            let rest = rest.trim().strip_prefix("import ")?.trim().to_owned();
            let (path, alias) = match rest.split_once(" as ") {
                Some((path, alias)) => (path.trim().to_owned(), alias.trim().to_owned()),
                None => (rest.clone(), rest.rsplit('.').next().unwrap_or_default().to_owned()),
            };
            Some((i + 1, alias, path))
        })
        .collect()
}

/// Does `code` use the identifier `name` as a whole word that is not a field
/// (`x.name`)?
fn uses_word(code: &str, name: &str) -> bool {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    code.match_indices(name).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + name.len()..].chars().next();
        before.is_none_or(|c| !is_ident(c) && c != '.') && after.is_none_or(|c| !is_ident(c))
    })
}

fn unused_imports(file: &PolicyFile, problems: &mut Vec<PackProblem>) {
    let imported = imports(&file.source);
    if imported.is_empty() {
        return;
    }
    let code: Vec<String> = file.source.lines().map(|l| collapse_strings(l, true)).collect();
    for (line, alias, path) in imported {
        if path == "rego.v1" || path.starts_with("future.") {
            continue;
        }
        let used = code.iter().enumerate().any(|(i, l)| i + 1 != line && uses_word(l, &alias));
        if !used {
            problems.push(problem(file, line, format!("import `{path}` (as `{alias}`) is not used: remove it")));
        }
    }
}

/// `(line, name)` of the rules and functions a file defines (at column 0).
fn definitions(source: &str) -> Vec<(usize, String)> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (i, line) in source.lines().enumerate() {
        let line = line.strip_prefix("default ").unwrap_or(line);
        let name: String = line.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_') {
            continue;
        }
        if matches!(name.as_str(), "package" | "import" | "default") {
            continue;
        }
        let rest = line[name.len()..].trim_start();
        let defines = ["(", ":=", "=", "[", "if", "contains", "{"].iter().any(|p| rest.starts_with(p)) || rest.is_empty();
        if defines && seen.insert(name.clone()) {
            out.push((i + 1, name));
        }
    }
    out
}

/// Does `other` refer to `name` of package `package` (by full path or through an import)?
fn refers_to(other: &PolicyFile, package: &str, name: &str) -> bool {
    let code: String = other.source.lines().map(|l| collapse_strings(l, true) + "\n").collect();
    if uses_word(&code, &format!("data.{package}.{name}")) {
        return true;
    }
    imports(&other.source)
        .into_iter()
        .filter(|(_, _, path)| path == &format!("data.{package}"))
        .any(|(_, alias, _)| uses_word(&code, &format!("{alias}.{name}")))
}

fn private_helpers(file: &PolicyFile, files: &[PolicyFile], problems: &mut Vec<PackProblem>) {
    let Some((package, _)) = file.declared_package() else { return };
    for (line, name) in definitions(&file.source) {
        if name.starts_with('_') {
            continue;
        }
        let used_elsewhere = files.iter().any(|other| other.display_path != file.display_path && refers_to(other, &package, &name));
        if !used_elsewhere {
            problems.push(problem(
                file,
                line,
                format!("`{name}` is used only in this library: name it `_{name}` (helpers private to a library start with `_`)"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(rel: &str, source: &str) -> PolicyFile {
        PolicyFile { display_path: format!("policies/{rel}"), rel: rel.into(), source: source.into(), builtin: true }
    }

    fn messages(files: &[PolicyFile]) -> Vec<String> {
        lint(files, &[]).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_long_line_is_named_with_its_width_and_strings_and_metadata_do_not_count() {
        let long_code = format!("x := [{}]", vec!["a"; 60].join(", "));
        let long_string = format!("y := \"{}\"", "z".repeat(300));
        let src = format!("# METADATA\n# title: {}\npackage trailaudit.r\n\n{long_string}\n\n{long_code}\n", "t".repeat(300));
        let got = messages(&[file("r.rego", &src)]);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].starts_with("policies/r.rego:7: line is 185 columns long, more than 170"), "{got:?}");
        // A tab counts 4.
        let tabbed = format!("package trailaudit.r\n\nf if {{\n\t\t{}\n}}\n", "w".repeat(163));
        assert_eq!(messages(&[file("r.rego", &tabbed)]).len(), 1);
        assert!(messages(&[file("r.rego", &tabbed.replace("\t\t", "\t"))]).is_empty());
    }

    #[test]
    fn an_unused_import_is_named_and_used_ones_and_fields_are_told_apart() {
        let src = "package trailaudit.r\n\nimport data.trailaudit.lib.result\nimport data.trailaudit.lib.events as ev\nimport data.trailaudit.lib.trails\nimport rego.v1\n\n# trails.x in a comment\nx := ev.history\ny := input.trails.a\nz := \"trails.s\"\nresults := result.account\n";
        let got = messages(&[file("r.rego", src)]);
        assert_eq!(got, ["policies/r.rego:5: import `data.trailaudit.lib.trails` (as `trails`) is not used: remove it"]);
    }

    #[test]
    fn a_library_helper_used_only_in_its_file_must_be_private() {
        let lib = "package trailaudit.lib.acme\n\npublic(x) := _helper(x)\n\n_helper(x) := x\n\nalone := 1\n\nviaimport := 2\n\ndefault flag := false\n";
        let user = "package trailaudit.r\n\nimport data.trailaudit.lib.acme as a\n\nx := data.trailaudit.lib.acme.public(1)\ny := a.viaimport\nz := a.flag\n";
        let got = messages(&[file("lib/acme.rego", lib), file("r.rego", user)]);
        assert_eq!(
            got,
            [
                "policies/lib/acme.rego:7: `alone` is used only in this library: name it `_alone` (helpers private to a library start with `_`)"
            ]
        );
        // Rules are not libraries; an exempt library is skipped.
        assert!(lint(&[file("lib/acme.rego", lib), file("r.rego", user)], &["lib/acme.rego"]).is_empty());
    }
}
