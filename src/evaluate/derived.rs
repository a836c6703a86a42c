//! Facts Rego cannot compute itself, precomputed per account and passed as
//! `input.derived`.
//!
//! Rego has no recursion, so it cannot parse CloudWatch Logs filter patterns.
//! The pack names the patterns it needs in
//! `data.trailaudit.lib.metric_filters.required_patterns` (key → the canonical
//! CIS pattern); for every metric filter an account can use, trailaudit says
//! which of those events the filter would miss. Results are memoised by
//! pattern text: the same filters recur across accounts.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};

use serde::Serialize;
use serde_json::Value as Json;

use crate::filter_pattern::{Pattern, misses};
use crate::pack::RequiredPatterns;
use crate::snapshot::{Account, LogGroup};

/// At most this many missed-event descriptions per key: all of them up to
/// this many, else the first `MAX_LISTED - 1` (so that a rule adding one line
/// "… and N more" shows at most `MAX_LISTED` lines). A filter for another
/// control misses dozens of events of each key, and rules need the first few,
/// not all of them; `total` says how many there are.
const MAX_LISTED: usize = 12;

/// The events one filter misses of one required pattern: the first few
/// descriptions and how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Misses {
    /// The first descriptions, in the order of the required pattern's events.
    pub listed: Vec<String>,
    /// Every missed event, listed or not (0 = the filter catches everything
    /// the required pattern catches).
    pub total: usize,
}

/// What trailaudit concluded about one metric filter's pattern.
#[derive(Debug, Clone, Serialize)]
pub struct FilterFacts {
    /// Set when the pattern could not be parsed (the filter then covers nothing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parse_error: Option<String>,
    /// The pattern mixes `&&` and `||` without parentheses.
    pub ambiguous: bool,
    /// Required-pattern key → the events this filter would not match
    /// (`total` 0 = the filter catches everything the required pattern catches).
    pub misses: BTreeMap<String, Misses>,
}

/// The facts of one audit: the pack's canonical patterns, and what was
/// concluded so far about each pattern text (the same filters recur across
/// accounts, so each text is judged once).
#[derive(Debug)]
pub struct Derived<'p> {
    patterns: &'p RequiredPatterns,
    memo: Mutex<HashMap<String, regorus::Value>>,
}

impl<'p> Derived<'p> {
    pub fn new(patterns: &'p RequiredPatterns) -> Derived<'p> {
        Derived { patterns, memo: Mutex::new(HashMap::new()) }
    }

    /// What trailaudit concludes about one pattern text.
    pub fn facts(&self, pattern: &str) -> FilterFacts {
        match Pattern::parse(pattern) {
            Ok(parsed) => FilterFacts {
                parse_error: None,
                ambiguous: parsed.is_ambiguous(),
                misses: self.patterns.iter().map(|(key, required)| (key.to_owned(), listed(&parsed, required))).collect(),
            },
            Err(e) => FilterFacts {
                parse_error: Some(e.to_string()),
                ambiguous: false,
                misses: self
                    .patterns
                    .iter()
                    .map(|(key, _)| {
                        (key.to_owned(), Misses { listed: vec!["<any event: the pattern does not parse>".to_owned()], total: 1 })
                    })
                    .collect(),
            },
        }
    }

    /// The facts of one pattern as a Rego value, computed once per pattern
    /// text (regorus values are reference-counted, so handing the same one to
    /// every account costs a pointer copy, not a conversion).
    fn facts_value(&self, pattern: &str) -> regorus::Value {
        if let Some(hit) = self.memo.lock().unwrap_or_else(PoisonError::into_inner).get(pattern) {
            return hit.clone();
        }
        let value = regorus::Value::from(serde_json::to_value(self.facts(pattern)).unwrap_or(Json::Null));
        self.memo.lock().unwrap_or_else(PoisonError::into_inner).insert(pattern.to_owned(), value.clone());
        value
    }

    /// `input.derived` for one account: log group ARN → filter name → facts,
    /// for the account's own log groups and those of its management account
    /// (where an organization trail delivers).
    pub fn for_account(&self, account: &Account, management: Option<&BTreeMap<String, LogGroup>>) -> regorus::Value {
        let mut groups = regorus::Value::new_object();
        if let (false, Ok(map)) = (self.patterns.is_empty(), groups.as_object_mut()) {
            for log_groups in std::iter::once(&account.log_groups).chain(management) {
                for (arn, group) in log_groups {
                    let mut filters = regorus::Value::new_object();
                    if let Ok(by_name) = filters.as_object_mut() {
                        for f in group.metric_filters.iter().flatten() {
                            by_name.insert(regorus::Value::from(f.name.as_str()), self.facts_value(&f.pattern));
                        }
                    }
                    map.insert(regorus::Value::from(arn.as_str()), filters);
                }
            }
        }
        let mut derived = regorus::Value::new_object();
        if let Ok(map) = derived.as_object_mut() {
            map.insert(regorus::Value::from("metric_filters"), groups);
        }
        derived
    }
}

/// The misses of `candidate` against `required`, readable, at most [`MAX_LISTED`] listed.
fn listed(candidate: &Pattern, required: &Pattern) -> Misses {
    let all = misses(candidate, required);
    let total = all.len();
    let listed = all.iter().take(if total > MAX_LISTED { MAX_LISTED - 1 } else { total }).map(ToString::to_string).collect();
    Misses { listed, total }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::{Pack, PackSource};
    use crate::snapshot::Snapshot;

    fn builtin() -> Pack {
        Pack::load(&PackSource { builtin: true, dirs: Vec::new() }).expect("built-in pack loads")
    }

    /// The compliant fixture's 15 filters (4.10 written the v5 way) cover all 16 keys.
    #[test]
    fn the_compliant_fixture_covers_every_key() {
        let pack = builtin();
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/compliant/snapshot.json")).expect("fixture");
        let snapshot: Snapshot = serde_json::from_str(&text).expect("fixture parses");
        let account = &snapshot.accounts[0];
        let derived = serde_json::to_value(Derived::new(&pack.required_patterns).for_account(account, None)).expect("serialises");
        let groups = derived["metric_filters"].as_object().expect("object");
        let filters: Vec<&Json> = groups.values().flat_map(|g| g.as_object().expect("filters").values()).collect();
        assert_eq!(filters.len(), 15);
        for key in pack.required_patterns.keys() {
            assert!(
                filters.iter().any(|f| f["misses"][key] == serde_json::json!({"listed": [], "total": 0})),
                "no filter of the compliant fixture covers {key}"
            );
        }
        // Each named filter covers its own control's key.
        let by_name = |n: &str| filters_named(groups, n);
        assert_eq!(by_name("cis-4.4-IAMPolicyChanges")["misses"]["iam_policy_changes"], serde_json::json!({"listed": [], "total": 0}));
        assert_eq!(by_name("cis-4.1-UnauthorizedAPICalls")["ambiguous"], Json::Bool(true));
        assert_eq!(by_name("cis-4.4-IAMPolicyChanges")["ambiguous"], Json::Bool(false));
        // A filter for another control lists what it misses, capped.
        // A filter for another control lists what it misses, capped, and counts all of it.
        let iam_by_vpc = &by_name("cis-4.14-VPCChanges")["misses"]["iam_policy_changes"];
        assert_eq!(iam_by_vpc["total"], 16);
        let listed = iam_by_vpc["listed"].as_array().expect("list");
        assert_eq!(listed.len(), MAX_LISTED - 1);
        assert_eq!(listed[0], "eventName=DeleteGroupPolicy");
        assert!(listed.iter().all(|d| d.as_str().is_some_and(|d| !d.contains("more"))), "{listed:?}");
    }

    /// CIS 4.13 gives two texts: the remediation pattern (names only) and the
    /// audit pattern (`eventSource = ec2 && CreateRoute || ...`, unparenthesised).
    /// A filter copied from either covers the requirement; dropping a name does not.
    #[test]
    fn both_cis_route_table_texts_cover_the_requirement() {
        let pack = builtin();
        let names = "($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable)";
        let remediation = format!("{{ {names} }}");
        let audit = format!("{{($.eventSource = ec2.amazonaws.com) && {names} }}");
        for text in [&remediation, &audit] {
            let facts = Derived::new(&pack.required_patterns).facts(text);
            assert_eq!(facts.misses["route_table_changes"], Misses { listed: Vec::new(), total: 0 }, "{text}");
        }
        let short = remediation.replace(" || ($.eventName = DisassociateRouteTable)", "");
        let facts = Derived::new(&pack.required_patterns).facts(&short);
        assert_eq!(
            facts.misses["route_table_changes"],
            Misses { listed: vec!["eventSource=ec2.amazonaws.com, eventName=DisassociateRouteTable".to_owned()], total: 1 }
        );
    }

    fn filters_named<'a>(groups: &'a serde_json::Map<String, Json>, name: &str) -> &'a Json {
        groups.values().find_map(|g| g.get(name)).unwrap_or_else(|| panic!("no filter {name}"))
    }

    #[test]
    fn a_pattern_that_does_not_parse_covers_nothing_and_says_why() {
        let pack = builtin();
        let facts = Derived::new(&pack.required_patterns).facts("{ $.eventName = CreateTrail || }");
        assert_eq!(facts.parse_error.as_deref(), Some("at character 32: expected a selector such as `$.eventName`, or `(`, found `}`"));
        assert!(facts.misses.values().all(|m| m.total == 1 && m.listed.len() == 1));
    }
}
