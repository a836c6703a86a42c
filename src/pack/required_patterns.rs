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

impl RequiredPatterns {
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
