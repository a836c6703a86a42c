//! Facts Rego cannot compute itself, precomputed per account and passed as
//! `input.derived`.
//!
//! Rego has no recursion, so it cannot parse CloudWatch Logs filter patterns.
//! Rules name the patterns they need in `data.trailaudit.lib.monitoring.required_patterns`
//! (key → the canonical CIS pattern); for every metric filter of the account,
//! trailaudit says which canonical events the filter would miss. Results are
//! memoised by pattern text: the same filter is common across accounts.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use serde::Serialize;

use crate::filter_pattern::{Pattern, misses};
use crate::snapshot::Account;

/// Where rules declare the canonical patterns they judge filters against.
pub const REQUIRED_PATTERNS_RULE: &str = "data.trailaudit.lib.monitoring.required_patterns";

/// What trailaudit concluded about one metric filter's pattern.
#[derive(Debug, Clone, Serialize)]
pub struct FilterFacts {
    /// Set when the pattern could not be parsed (the filter then covers nothing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parse_error: Option<String>,
    /// The pattern mixes `&&` and `||` without parentheses.
    pub ambiguous: bool,
    /// Required-pattern key → the canonical events this filter would not match
    /// (empty = the filter catches everything the required pattern catches).
    pub misses: BTreeMap<String, Vec<String>>,
}

/// The canonical patterns, parsed once per audit.
pub struct Requirements {
    required: Vec<(String, Pattern)>,
    memo: Mutex<HashMap<String, FilterFacts>>,
}

impl Requirements {
    /// Reads the required patterns from the loaded pack. A pack without the
    /// monitoring library has none; a canonical pattern that does not parse is
    /// a bug in the pack, reported as such.
    pub fn from_engine(engine: &regorus::Engine) -> Result<Requirements, String> {
        let mut engine = engine.clone();
        let value = match engine.eval_rule(REQUIRED_PATTERNS_RULE.to_owned()) {
            Ok(v) => v,
            Err(_) => regorus::Value::Undefined, // the library is not in this pack
        };
        let mut required = Vec::new();
        if let regorus::Value::Object(map) = value {
            for (key, pattern) in map.iter() {
                let (Ok(key), Ok(pattern)) = (key.as_string(), pattern.as_string()) else {
                    return Err(format!("{REQUIRED_PATTERNS_RULE} must map strings to pattern strings"));
                };
                let parsed = Pattern::parse(pattern).map_err(|e| format!("{REQUIRED_PATTERNS_RULE}[{key:?}] does not parse: {e}"))?;
                required.push((key.to_string(), parsed));
            }
        }
        Ok(Requirements { required, memo: Mutex::new(HashMap::new()) })
    }

    fn facts(&self, pattern: &str) -> FilterFacts {
        if let Some(hit) = self.memo.lock().expect("memo lock").get(pattern) {
            return hit.clone();
        }
        let facts = match Pattern::parse(pattern) {
            Ok(parsed) => FilterFacts {
                parse_error: None,
                ambiguous: parsed.is_ambiguous(),
                misses: self
                    .required
                    .iter()
                    .map(|(key, required)| (key.clone(), misses(&parsed, required).iter().map(ToString::to_string).collect()))
                    .collect(),
            },
            Err(e) => FilterFacts {
                parse_error: Some(e.to_string()),
                ambiguous: false,
                misses: self.required.iter().map(|(key, _)| (key.clone(), vec!["pattern does not parse".to_owned()])).collect(),
            },
        };
        self.memo.lock().expect("memo lock").insert(pattern.to_owned(), facts.clone());
        facts
    }

    /// `input.derived` for one account: log group ARN → filter name → facts.
    pub fn for_account(&self, account: &Account) -> serde_json::Value {
        let mut groups: BTreeMap<&str, BTreeMap<&str, FilterFacts>> = BTreeMap::new();
        if !self.required.is_empty() {
            for (arn, group) in &account.log_groups {
                for filter in group.metric_filters.iter().flatten() {
                    groups.entry(arn).or_default().insert(&filter.name, self.facts(&filter.pattern));
                }
            }
        }
        serde_json::json!({ "metric_filters": groups })
    }
}
