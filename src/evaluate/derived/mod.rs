//! Facts Rego cannot compute itself, precomputed per account and passed as
//! `input.derived`.
//!
//! Rego has no recursion, so it cannot parse CloudWatch Logs filter patterns.
//! The pack names the patterns it needs in
//! `data.trailaudit.lib.metric_filters.required_patterns` (key → the canonical
//! CIS pattern); for every metric filter an account can use, trailaudit says
//! which of those events the filter would miss. Results are memoised by
//! pattern text: the same filters recur across accounts.
//!
//! [`monitoring`] joins those facts with the account's metrics, alarms and
//! topics: the links of the CIS monitoring chain (`input.derived.monitoring`).

pub mod monitoring;

pub mod coverage;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;
use serde_json::Value as Json;

use crate::filter_pattern::{PAIR_WORK, Pattern, misses_with_work};
use crate::pack::RequiredPatterns;
use crate::snapshot::Account;

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
    /// Pattern text → its facts, as a Rego value and as read by [`monitoring`].
    memo: Mutex<HashMap<String, (regorus::Value, Arc<FilterFacts>)>>,
    /// Coverage work done so far in this audit, and the most allowed ([`audit_budget`]).
    work: AtomicU64,
    budget: u64,
    /// Comparisons skipped because the budget was spent.
    skipped: AtomicU64,
}

/// Comparisons at their most expensive that one audit may do:
/// [`DEFAULT_AUDIT_PAIRS`] × [`PAIR_WORK`] units of work in all.
pub const DEFAULT_AUDIT_PAIRS: u64 = 200;

/// The coverage work one audit may do, across all accounts and filters: the
/// comparison of one filter with one canonical pattern is bounded (a pattern
/// too complex to compare is "undecided"), and this bounds their sum, so an
/// organization of thousands of accounts with large hand-written patterns
/// cannot keep an audit busy for hours. `TRAILAUDIT_FILTER_BUDGET_PAIRS`
/// (a positive number, fractions allowed) changes [`DEFAULT_AUDIT_PAIRS`]. Once it is spent,
/// the comparisons left are not made: the filters are "not analysed" for
/// those patterns, which the monitoring rules judge as `error`, never as covered.
pub fn audit_budget() -> Result<u64, String> {
    match std::env::var("TRAILAUDIT_FILTER_BUDGET_PAIRS") {
        Err(_) => Ok(DEFAULT_AUDIT_PAIRS.saturating_mul(PAIR_WORK)),
        Ok(text) => match text.trim().parse::<f64>() {
            // `as` saturates: a huge value is the largest budget.
            Ok(pairs) if pairs > 0.0 && pairs.is_finite() => Ok(((pairs * PAIR_WORK as f64) as u64).max(1)),
            _ => Err(format!("TRAILAUDIT_FILTER_BUDGET_PAIRS={text:?} is not a positive number")),
        },
    }
}

impl<'p> Derived<'p> {
    pub fn new(patterns: &'p RequiredPatterns) -> Derived<'p> {
        Derived::with_budget(patterns, DEFAULT_AUDIT_PAIRS.saturating_mul(PAIR_WORK))
    }

    /// With `budget` units of coverage work for the whole audit (see [`audit_budget`]).
    pub fn with_budget(patterns: &'p RequiredPatterns, budget: u64) -> Derived<'p> {
        Derived { patterns, memo: Mutex::new(HashMap::new()), work: AtomicU64::new(0), budget, skipped: AtomicU64::new(0) }
    }

    /// How many filter/pattern comparisons were not made because the audit's
    /// budget was spent (0 normally).
    pub fn skipped(&self) -> u64 {
        self.skipped.load(Ordering::Relaxed)
    }

    /// The misses of `candidate` against `required`, listed; `None` (not
    /// analysed) once the audit's coverage budget is spent.
    fn listed_within_budget(&self, candidate: &Pattern, required: &Pattern) -> Option<Misses> {
        if self.work.load(Ordering::Relaxed) >= self.budget {
            self.skipped.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        let (all, work) = misses_with_work(candidate, required);
        self.work.fetch_add(work, Ordering::Relaxed);
        Some(listed(all))
    }

    /// What trailaudit concludes about one pattern text.
    pub fn facts(&self, pattern: &str) -> FilterFacts {
        match Pattern::parse(pattern) {
            Ok(parsed) => FilterFacts {
                parse_error: None,
                ambiguous: parsed.is_ambiguous(),
                // A key left out is "not analysed" (the audit's budget was spent).
                misses: self
                    .patterns
                    .iter()
                    .filter_map(|(key, required)| Some((key.to_owned(), self.listed_within_budget(&parsed, required)?)))
                    .collect(),
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

    /// The facts of one pattern, as a Rego value and as a struct, computed
    /// once per pattern text (regorus values are reference-counted, so
    /// handing the same one to every account costs a pointer copy, not a
    /// conversion).
    fn memoised(&self, pattern: &str) -> (regorus::Value, Arc<FilterFacts>) {
        if let Some(hit) = self.memo.lock().unwrap_or_else(PoisonError::into_inner).get(pattern) {
            return hit.clone();
        }
        let facts = self.facts(pattern);
        let value = regorus::Value::from(serde_json::to_value(&facts).unwrap_or(Json::Null));
        let entry = (value, Arc::new(facts));
        self.memo.lock().unwrap_or_else(PoisonError::into_inner).insert(pattern.to_owned(), entry.clone());
        entry
    }

    /// `input.derived` for one account:
    /// - `metric_filters`: log group ARN → filter name → facts, for the
    ///   account's own log groups and those of its management account (where
    ///   an organization trail delivers);
    /// - `monitoring`: the links of the CIS monitoring chain through those
    ///   log groups ([`monitoring::chains`]).
    pub fn for_account(&self, account: &Account, management: Option<monitoring::Holder<'_>>) -> regorus::Value {
        let own = monitoring::Holder {
            account_id: &account.account_id,
            log_groups: &account.log_groups,
            alarms: &account.alarms,
            sns_topics: &account.sns_topics,
        };
        let holders: Vec<monitoring::Holder<'_>> = std::iter::once(own).chain(management).collect();
        let mut groups = regorus::Value::new_object();
        if let (false, Ok(map)) = (self.patterns.is_empty(), groups.as_object_mut()) {
            for holder in &holders {
                for (arn, group) in holder.log_groups {
                    let mut filters = regorus::Value::new_object();
                    if let Ok(by_name) = filters.as_object_mut() {
                        for f in group.metric_filters.iter().flatten() {
                            by_name.insert(regorus::Value::from(f.name.as_str()), self.memoised(&f.pattern).0);
                        }
                    }
                    map.insert(regorus::Value::from(arn.as_str()), filters);
                }
            }
        }
        let keys: Vec<&str> = self.patterns.keys().collect();
        // As in `metric_filters`: no facts for any filter when the pack names no pattern.
        let facts = |_: &str, f: &crate::snapshot::MetricFilter| (!keys.is_empty()).then(|| self.memoised(&f.pattern).1);
        let chains = monitoring::chains(&holders, &keys, &facts);
        let mut derived = regorus::Value::new_object();
        if let Ok(map) = derived.as_object_mut() {
            map.insert(regorus::Value::from("metric_filters"), groups);
            map.insert(regorus::Value::from("monitoring"), chains);
        }
        derived
    }
}

/// Misses, readable, at most [`MAX_LISTED`] listed.
fn listed(all: Vec<crate::filter_pattern::Miss>) -> Misses {
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

    /// The audit-wide budget: once spent, comparisons are not made (the key
    /// is left out: "not analysed"), and they are counted.
    #[test]
    fn comparisons_stop_when_the_audits_coverage_budget_is_spent() {
        let pack = builtin();
        let keys = pack.required_patterns.keys().count();
        let text = "{ ($.eventName = ConsoleLogin) && ($.errorMessage = \"Failed authentication\") }";
        let whole = Derived::new(&pack.required_patterns);
        assert_eq!(whole.facts(text).misses.len(), keys);
        assert_eq!(whole.skipped(), 0);
        let work = whole.work.load(Ordering::Relaxed);
        assert!(work > 0 && work < PAIR_WORK, "{work}");
        // One unit: the first comparison is made, none after it.
        let tight = Derived::with_budget(&pack.required_patterns, 1);
        let facts = tight.facts(text);
        assert_eq!(facts.misses.len(), 1, "{:?}", facts.misses);
        assert_eq!(tight.skipped(), keys as u64 - 1);
        assert!(tight.facts("{ $.eventName = CreateTrail }").misses.is_empty());
        assert_eq!(tight.skipped(), 2 * keys as u64 - 1);
    }

    #[test]
    fn a_pattern_that_does_not_parse_covers_nothing_and_says_why() {
        let pack = builtin();
        let facts = Derived::new(&pack.required_patterns).facts("{ $.eventName = CreateTrail || }");
        assert_eq!(facts.parse_error.as_deref(), Some("at character 32: expected a selector such as `$.eventName`, or `(`, found `}`"));
        assert!(facts.misses.values().all(|m| m.total == 1 && m.listed.len() == 1));
    }
}
