//! Which packages read the event history, so that a rule reading it without
//! declaring `custom.events` is a pack error (the declaration is what the loader
//! checks against the collector's LookupEvents queries, see [`super::metadata`]).
//!
//! A package reads the history when its code names `event_history` (as in
//! `input.account.event_history`) or refers (`data.…`, imports included) to a
//! package that does, transitively: a rule that goes through
//! `data.trailaudit.lib.events`, or through a user library of its own that does,
//! is found. Comments and string literals are not code.

use std::collections::{BTreeMap, BTreeSet};

use super::PolicyFile;

/// The packages (without `data.`) among the non-test `files` that read the event history.
pub(super) fn readers(files: &[PolicyFile]) -> BTreeSet<String> {
    let mut refs: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut found = BTreeSet::new();
    for file in files.iter().filter(|f| !f.is_test()) {
        let Some((package, _)) = file.declared_package() else { continue };
        let code = code_tokens(&file.source);
        if code.iter().any(|t| t == "event_history") {
            found.insert(package.clone());
        }
        let used = code.iter().filter_map(|t| t.strip_prefix("data.")).map(str::to_owned).collect();
        refs.insert(package, used);
    }
    loop {
        let more: Vec<String> = refs
            .iter()
            .filter(|(pkg, used)| !found.contains(*pkg) && used.iter().any(|r| found.iter().any(|reader| related(r, reader))))
            .map(|(pkg, _)| pkg.clone())
            .collect();
        if more.is_empty() {
            return found;
        }
        found.extend(more);
    }
}

/// Does the reference `r` (`trailaudit.lib.events.named`) reach into `package`
/// (`trailaudit.lib.events`), or name a package above it (`trailaudit.lib`)?
fn related(r: &str, package: &str) -> bool {
    let within = |long: &str, short: &str| long == short || (long.starts_with(short) && long.as_bytes().get(short.len()) == Some(&b'.'));
    within(r, package) || within(package, r)
}

/// The tokens of Rego source without comments and strings: each dotted chain
/// (`data.trailaudit.lib.events.named`) and each of its parts (`event_history`
/// in `input.account.event_history`).
fn code_tokens(source: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    for line in source.lines() {
        // Strings collapse to `""` and comments go: neither holds a reference.
        let code = super::lint::collapse_strings(line, true);
        for chain in code.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.')) {
            let chain = chain.trim_matches('.');
            if chain.is_empty() {
                continue;
            }
            tokens.push(chain.to_owned());
            if chain.contains('.') {
                tokens.extend(chain.split('.').filter(|p| !p.is_empty()).map(str::to_owned));
            }
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(rel: &str, source: &str) -> PolicyFile {
        PolicyFile { display_path: format!("custom/{rel}"), rel: rel.into(), source: source.into(), builtin: false }
    }

    #[test]
    fn direct_and_transitive_readers_are_found_and_comments_and_strings_are_not_code() {
        let files = [
            file("lib/hist.rego", "package acme.lib.hist\n\nall := input.account.event_history.events\n"),
            file("lib/wrap.rego", "package acme.lib.wrap\n\nimport data.acme.lib.hist\n\nn := count(hist.all)\n"),
            file("rules/a.rego", "package acme.rules.a\n\nx := data.acme.lib.wrap.n\n"),
            file("rules/b.rego", "package acme.rules.b\n\n# reads no event_history\ny := \"event_history\"\nz := `event_history`\n"),
            file("rules/c.rego", "package acme.rules.c\n\ntrail_beyond_event_history := 1\n"),
            file("rules/d.rego", "package acme.rules.d\n\nimport data.acme.lib\n\nw := lib.hist.all\n"),
            file("rules/a_test.rego", "package acme.rules.a_test\n\nt := input.account.event_history\n"),
        ];
        let found: Vec<String> = readers(&files).into_iter().collect();
        assert_eq!(found, ["acme.lib.hist", "acme.lib.wrap", "acme.rules.a", "acme.rules.d"]);
    }
}
