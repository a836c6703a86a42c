//! The canonical CloudWatch Logs filter patterns the pack declares
//! (`data.trailaudit.lib.metric_filters.required_patterns`), parsed and checked
//! once when the pack loads: a canonical pattern that does not parse, or that
//! mixes `&&` and `||` without parentheses, is an error in the pack. What each
//! account's filters miss of them is computed by [`crate::evaluate::derived`].

use crate::filter_pattern::Pattern;

/// Where the pack declares the canonical patterns filters are judged against.
pub const REQUIRED_PATTERNS_RULE: &str = "data.trailaudit.lib.metric_filters.required_patterns";

/// A canonical pattern the pack declares wrongly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementError {
    /// The offending key, when one is to blame.
    pub key: Option<String>,
    pub message: String,
}

impl std::fmt::Display for RequirementError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The canonical patterns by key, sorted by key.
#[derive(Debug, Default)]
pub struct RequiredPatterns {
    pub(crate) required: Vec<(String, Pattern)>,
}

/// The package [`REQUIRED_PATTERNS_RULE`] is in.
const REQUIRED_PATTERNS_PACKAGE: &str = "trailaudit.lib.metric_filters";

impl RequiredPatterns {
    /// Reads the required patterns of a pack whose non-test `files` are loaded
    /// in `engine`. Evaluating a rule prepares the engine it runs on (regorus
    /// analyses every module), and the audit prepares its own configured copy
    /// of the pack again (adding the configuration's data undoes a
    /// preparation): so when the package's own files cannot read anything
    /// outside it (no `data` reference, no import but `rego.v1` and
    /// `future.keywords`), they are evaluated alone, on an engine of their own,
    /// which gives the same value. Otherwise, the whole pack's engine is.
    pub fn from_pack(files: &[super::PolicyFile], engine: &regorus::Engine) -> Result<RequiredPatterns, RequirementError> {
        let own: Vec<&super::PolicyFile> = files
            .iter()
            .filter(|f| !f.is_test() && f.declared_package().is_some_and(|(package, _)| package == REQUIRED_PATTERNS_PACKAGE))
            .collect();
        if own.is_empty() {
            return Ok(RequiredPatterns::default()); // the library is not in this pack
        }
        if !own.iter().all(|f| self_contained(&f.source)) {
            return Self::from_engine(engine);
        }
        let mut alone = super::new_engine();
        for file in &own {
            if alone.add_policy(file.display_path.clone(), file.source.clone()).is_err() {
                return Self::from_engine(engine);
            }
        }
        Self::from_engine(&alone)
    }

    /// Reads the required patterns from the loaded pack. A pack without the
    /// library has none (and `input.derived.metric_filters` stays empty); a
    /// canonical pattern that does not parse, or that is ambiguous, is an
    /// error in the pack.
    pub fn from_engine(engine: &regorus::Engine) -> Result<RequiredPatterns, RequirementError> {
        let whole = |message: String| RequirementError { key: None, message };
        let mut engine = engine.clone();
        let Ok(value) = engine.eval_rule(REQUIRED_PATTERNS_RULE.to_owned()) else {
            return Ok(RequiredPatterns::default()); // the library is not in this pack
        };
        let map = match value {
            regorus::Value::Undefined => return Ok(RequiredPatterns::default()),
            regorus::Value::Object(map) => map,
            _ => return Err(whole(format!("{REQUIRED_PATTERNS_RULE} must be an object of key → pattern string"))),
        };
        let mut required = Vec::new();
        for (key, pattern) in map.iter() {
            let (Ok(key), Ok(text)) = (key.as_string(), pattern.as_string()) else {
                return Err(whole(format!("{REQUIRED_PATTERNS_RULE} must map strings to pattern strings")));
            };
            let blame = |message: String| RequirementError { key: Some(key.to_string()), message };
            let parsed = Pattern::parse(text).map_err(|e| blame(format!("required pattern {key:?} does not parse: {e}")))?;
            if parsed.is_ambiguous() {
                return Err(blame(format!("required pattern {key:?} mixes && and || without parentheses; parenthesise it")));
            }
            required.push((key.to_string(), parsed));
        }
        Ok(RequiredPatterns { required })
    }

    /// The keys of the required patterns, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.required.iter().map(|(k, _)| k.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.required.is_empty()
    }

    /// Each key with its parsed pattern, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Pattern)> {
        self.required.iter().map(|(k, p)| (k.as_str(), p))
    }
}

/// Whether Rego `source` reads nothing outside its own package: no word
/// `data` anywhere (comments and strings included, which only errs towards the
/// whole pack) and no import other than the language's own.
fn self_contained(source: &str) -> bool {
    let word = |line: &str, w: &str| {
        line.match_indices(w).any(|(i, _)| {
            let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
            !line[..i].ends_with(ident) && !line[i + w.len()..].starts_with(ident)
        })
    };
    source.lines().all(|line| {
        let trimmed = line.trim_start();
        let language_import = ["import rego.v1", "import future.keywords"].iter().any(|i| trimmed.starts_with(i));
        !word(line, "data") && (!word(trimmed, "import") || language_import)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter_pattern::misses;
    use crate::pack::{Pack, PackSource};

    fn builtin() -> Pack {
        Pack::load(&PackSource { builtin: true, dirs: Vec::new() }).expect("built-in pack loads")
    }

    #[test]
    fn the_pack_declares_the_sixteen_contract_keys() {
        let pack = builtin();
        let keys: Vec<&str> = pack.required_patterns.keys().collect();
        assert_eq!(keys.len(), 16, "{keys:?}");
        assert!(keys.contains(&"security_group_changes_v5") && keys.contains(&"organizations_changes"));
    }

    #[test]
    fn every_required_pattern_covers_itself() {
        let pack = builtin();
        for (key, pattern) in &pack.required_patterns.required {
            assert!(misses(pattern, pattern).is_empty(), "{key}");
        }
    }

    fn file(rel: &str, source: &str) -> crate::pack::PolicyFile {
        crate::pack::PolicyFile { display_path: format!("p/{rel}"), rel: rel.into(), source: source.into(), builtin: false }
    }

    fn loaded(files: &[crate::pack::PolicyFile]) -> regorus::Engine {
        let mut engine = crate::pack::new_engine();
        for f in files.iter().filter(|f| !f.is_test()) {
            engine.add_policy(f.display_path.clone(), f.source.clone()).expect("policy loads");
        }
        engine
    }

    #[test]
    fn the_package_alone_gives_what_the_whole_pack_gives() {
        let pack = builtin();
        let alone = RequiredPatterns::from_pack(&pack.files, &pack.engine).expect("built-in patterns");
        let whole = RequiredPatterns::from_engine(&pack.engine).expect("built-in patterns");
        let texts = |r: &RequiredPatterns| r.iter().map(|(k, p)| format!("{k}={p:?}")).collect::<Vec<_>>();
        assert_eq!(texts(&alone), texts(&whole));
        assert_eq!(alone.keys().count(), 16);
    }

    #[test]
    fn a_package_that_reads_data_elsewhere_is_evaluated_with_the_whole_pack() {
        let files = [
            file("lib/metric_filters.rego", "package trailaudit.lib.metric_filters\nrequired_patterns := data.trailaudit.lib.other.p\n"),
            file("lib/other.rego", "package trailaudit.lib.other\np := {\"k\": \"{ $.a = 1 }\"}\n"),
        ];
        let engine = loaded(&files);
        let keys: Vec<String> = RequiredPatterns::from_pack(&files, &engine).expect("patterns").keys().map(str::to_owned).collect();
        assert_eq!(keys, ["k"]);
        let imported = [
            file(
                "lib/metric_filters.rego",
                "package trailaudit.lib.metric_filters\nimport data.trailaudit.lib.other\nrequired_patterns := other.p\n",
            ),
            files[1].clone(),
        ];
        let engine = loaded(&imported);
        assert_eq!(RequiredPatterns::from_pack(&imported, &engine).expect("patterns").keys().count(), 1);
    }

    #[test]
    fn self_contained_sees_data_and_imports_as_words_only() {
        assert!(self_contained("package p\nimport rego.v1\nmetadata := 1\ndata_x := 2\n"));
        assert!(!self_contained("package p\nx := data.q\n"));
        assert!(!self_contained("package p\nx := data[\"q\"]\n"));
        assert!(!self_contained("package p\nimport input.a\n"));
    }

    #[test]
    fn a_pack_without_the_library_has_no_required_patterns() {
        let files = [file("rules/x.rego", "package trailaudit.rules.x\nresults := set()\n")];
        assert!(RequiredPatterns::from_pack(&files, &loaded(&files)).expect("no patterns").is_empty());
    }

    #[test]
    fn a_bad_canonical_pattern_is_a_pack_error() {
        let mut engine = crate::pack::new_engine();
        engine
            .add_policy("m.rego".into(), "package trailaudit.lib.metric_filters\nrequired_patterns := {\"k\": \"{ $.a = \"}\n".into())
            .expect("policy loads");
        let err = RequiredPatterns::from_engine(&engine).expect_err("bad pattern");
        assert_eq!(err.key.as_deref(), Some("k"));
        assert!(err.message.contains("\"k\" does not parse: at character 9"), "{err}");
        let mut engine = crate::pack::new_engine();
        engine
            .add_policy(
                "m.rego".into(),
                "package trailaudit.lib.metric_filters\nrequired_patterns := {\"k\": \"{ $.a = 1 || $.b = 2 && $.c = 3 }\"}\n".into(),
            )
            .expect("policy loads");
        assert!(RequiredPatterns::from_engine(&engine).expect_err("ambiguous").message.contains("parenthesise"));
    }
}
