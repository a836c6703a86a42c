//! The CIS monitoring chain as facts: `input.derived.monitoring`.
//!
//! CIS 4.1–4.15 (and Security Hub CloudWatch.1–14) judge a chain per log
//! group: a metric filter catching the key's events → the metric it publishes
//! → an alarm on that metric (same namespace, same region) with actions
//! enabled → an SNS topic with a confirmed subscription. Joining filters,
//! metrics, alarms and topics for 16 keys in Rego cost about 2.4 ms of CPU
//! per account (bench/README.md), most of an account's evaluation; the joins
//! are plain set operations, so they are done here once per account, and
//! `policies/lib/monitoring.rego` only reads them, decides and explains.
//!
//! Only links that exist are given, never a verdict: whether an empty
//! `chains` fails, or is an error because subscriptions were not collected,
//! and what the message says, stays in Rego. The shape is that of the old
//! Rego `steps` (sets, so `count`, `sort` and `in` read them as before), and
//! `policies/lib/monitoring_testdata.rego` keeps a Rego reference of the same
//! joins for the Rego tests; the tests below check both agree on every case.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use regorus::Value;

use super::FilterFacts;
use crate::evaluate::input::arn_account;
use crate::snapshot::{Alarm, LogGroup, MetricFilter, SnsTopic};

/// One account whose log groups, alarms and topics a chain may run through:
/// the judged account itself, and its organization's management account
/// (where an organization trail delivers).
#[derive(Debug, Clone, Copy)]
pub struct Holder<'a> {
    pub account_id: &'a str,
    pub log_groups: &'a BTreeMap<String, LogGroup>,
    pub alarms: &'a BTreeMap<String, Alarm>,
    pub sns_topics: &'a BTreeMap<String, SnsTopic>,
}

/// `input.derived.monitoring`: log group ARN → required-pattern key → the
/// links of the chain that exist (see docs/writing-rules.md, "The monitoring
/// chain"). Only log groups whose ARN names their holder's account and whose
/// metric filters were read are given: the others have no chain to follow.
///
/// `facts` gives a filter's pattern facts (those of
/// `input.derived.metric_filters`); `None` = not analysed for any key.
pub fn chains(holders: &[Holder<'_>], keys: &[&str], facts: &dyn Fn(&str, &MetricFilter) -> Option<Arc<FilterFacts>>) -> Value {
    // A topic of any holder counts: an alarm may notify a topic of the other account.
    let confirmed: BTreeSet<&str> = holders
        .iter()
        .flat_map(|h| h.sns_topics)
        .filter(|(_, t)| t.subscriptions.iter().flatten().any(|s| s.subscription_arn.starts_with("arn:")))
        .map(|(arn, _)| arn.as_str())
        .collect();
    let mut groups = BTreeMap::new();
    for holder in holders {
        for (arn, group) in holder.log_groups {
            if arn_account(arn) != Some(holder.account_id) {
                continue;
            }
            let Some(filters) = &group.metric_filters else { continue };
            groups.insert(Value::from(arn.as_str()), group_chains(holder, arn, group, filters, keys, &confirmed, facts));
        }
    }
    Value::from(groups)
}

/// The filters of one group by name (a later filter of the same name
/// replaces an earlier one, as in an object keyed by name).
struct Filter<'a> {
    facts: Option<Arc<FilterFacts>>,
    /// (namespace, metric name) of its transformations.
    metrics: BTreeSet<(&'a str, &'a str)>,
}

fn group_chains(
    holder: &Holder<'_>,
    arn: &str,
    group: &LogGroup,
    filters: &[MetricFilter],
    keys: &[&str],
    confirmed: &BTreeSet<&str>,
    facts: &dyn Fn(&str, &MetricFilter) -> Option<Arc<FilterFacts>>,
) -> Value {
    let by_name: BTreeMap<&str, Filter<'_>> = filters
        .iter()
        .map(|f| {
            let metrics = f.transformations.iter().map(|t| (t.metric_namespace.as_str(), t.metric_name.as_str())).collect();
            (f.name.as_str(), Filter { facts: facts(arn, f), metrics })
        })
        .collect();
    // Metrics are regional: only the alarms of the log group's region watch its filters.
    let alarms: Vec<(&str, &Alarm)> =
        holder.alarms.iter().filter(|(_, a)| a.region == group.region).map(|(k, a)| (k.as_str(), a)).collect();
    let mut by_key = BTreeMap::new();
    for key in keys {
        let misses = |f: &Filter<'_>| f.facts.as_ref().and_then(|facts| facts.misses.get(*key)).map(|m| m.total);
        let covering: BTreeSet<&str> = by_name.iter().filter(|(_, f)| misses(f) == Some(0)).map(|(n, _)| *n).collect();
        let unanalysed: BTreeSet<&str> = by_name.iter().filter(|(_, f)| misses(f).is_none()).map(|(n, _)| *n).collect();
        let metrics: BTreeSet<(&str, &str, &str)> =
            covering.iter().flat_map(|n| by_name[n].metrics.iter().map(move |(ns, m)| (*n, *ns, *m))).collect();
        let watching: BTreeSet<(&str, &str)> = metrics
            .iter()
            .flat_map(|(n, ns, m)| {
                alarms
                    .iter()
                    .filter(move |(_, a)| a.namespace.as_deref() == Some(*ns) && a.metric_name.as_deref() == Some(*m))
                    .map(move |(alarm, _)| (*n, *alarm))
            })
            .collect();
        let enabled: BTreeSet<(&str, &str)> = watching.iter().copied().filter(|(_, alarm)| holder.alarms[*alarm].actions_enabled).collect();
        let chains: BTreeSet<(bool, &str, &str, &str)> = enabled
            .iter()
            .flat_map(|(n, alarm)| {
                let ambiguous = by_name[n].facts.as_ref().is_some_and(|f| f.ambiguous);
                holder.alarms[*alarm]
                    .alarm_actions
                    .iter()
                    .filter(|action| confirmed.contains(action.as_str()))
                    .map(move |action| (ambiguous, *n, *alarm, action.as_str()))
            })
            .collect();
        let steps = BTreeMap::from([
            (Value::from("covering"), set(covering.iter().map(|n| Value::from(*n)))),
            (Value::from("unanalysed"), set(unanalysed.iter().map(|n| Value::from(*n)))),
            (Value::from("metrics"), set(metrics.iter().map(|(n, ns, m)| strings(&[n, ns, m].map(|s| *s))))),
            (Value::from("watching"), set(watching.iter().map(|(n, a)| strings(&[n, a].map(|s| *s))))),
            (Value::from("enabled"), set(enabled.iter().map(|(n, a)| strings(&[n, a].map(|s| *s))))),
            (
                Value::from("chains"),
                set(chains
                    .iter()
                    .map(|(amb, n, a, t)| Value::from(vec![Value::from(*amb), Value::from(*n), Value::from(*a), Value::from(*t)]))),
            ),
        ]);
        by_key.insert(Value::from(*key), Value::from(steps));
    }
    Value::from(by_key)
}

fn set(items: impl Iterator<Item = Value>) -> Value {
    Value::from(items.collect::<BTreeSet<Value>>())
}

fn strings(items: &[&str]) -> Value {
    Value::from(items.iter().map(|s| Value::from(*s)).collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::derived::Misses;
    use crate::pack::{Pack, PackSource};
    use serde::Deserialize;

    fn builtin() -> Pack {
        Pack::load(&PackSource { builtin: true, dirs: Vec::new() }).expect("built-in pack loads")
    }

    /// The parts of an account a chain reads, as the Rego test data writes them.
    #[derive(Deserialize)]
    struct Parts {
        account_id: String,
        #[serde(default)]
        log_groups: BTreeMap<String, LogGroup>,
        #[serde(default)]
        alarms: BTreeMap<String, Alarm>,
        #[serde(default)]
        sns_topics: BTreeMap<String, SnsTopic>,
    }

    impl Parts {
        fn holder(&self) -> Holder<'_> {
            Holder { account_id: &self.account_id, log_groups: &self.log_groups, alarms: &self.alarms, sns_topics: &self.sns_topics }
        }
    }

    /// Filter facts as the Rego test data writes them (fields left out = their default).
    #[derive(Deserialize)]
    struct TestFacts {
        #[serde(default)]
        parse_error: Option<String>,
        #[serde(default)]
        ambiguous: bool,
        #[serde(default)]
        misses: BTreeMap<String, TestMisses>,
    }

    #[derive(Deserialize)]
    struct TestMisses {
        listed: Vec<String>,
        total: usize,
    }

    /// What this module derives from a Rego test input (its `account`,
    /// `context.management_account` and `derived.metric_filters`).
    fn derive(input: &serde_json::Value, keys: &[&str]) -> Value {
        let account: Parts = serde_json::from_value(input["account"].clone()).expect("test account");
        let management: Option<Parts> = match &input["context"]["management_account"] {
            serde_json::Value::Null => None,
            m => Some(serde_json::from_value(m.clone()).expect("test management account")),
        };
        let mut holders = vec![account.holder()];
        holders.extend(management.iter().filter(|m| m.account_id != account.account_id).map(Parts::holder));
        let given = &input["derived"]["metric_filters"];
        let facts = |group: &str, f: &MetricFilter| {
            let t: TestFacts = serde_json::from_value(given.get(group)?.get(&f.name)?.clone()).expect("test facts");
            Some(Arc::new(FilterFacts {
                parse_error: t.parse_error,
                ambiguous: t.ambiguous,
                misses: t.misses.into_iter().map(|(k, m)| (k, Misses { listed: m.listed, total: m.total })).collect(),
            }))
        };
        chains(&holders, keys, &facts)
    }

    /// Every input of the Rego monitoring tests (each case of
    /// `monitoring_testdata.cases`, for every key) carries the facts the Rego
    /// reference (`monitoring_testdata.with_facts`) gives; they must be
    /// exactly what this module computes from the same input, so the Rego
    /// tests and the Rust facts cannot drift apart.
    #[test]
    fn the_rego_test_datas_facts_are_what_rust_derives() {
        let pack = builtin();
        let keys: Vec<&str> = pack.required_patterns.keys().collect();
        assert_eq!(keys.len(), 16);
        let mut engine = pack.engine.clone();
        let td = "data.trailaudit.lib.monitoring_testdata";
        let cases = engine.eval_rule(format!("{td}.cases")).expect("cases");
        let cases = serde_json::to_value(&cases).expect("json");
        let mut checked = 0;
        for case in cases.as_object().expect("cases by status").values().flat_map(|c| c.as_array().expect("list")) {
            let case = case.as_str().expect("case name");
            for key in &keys {
                let query = format!("{td}.case_input({case:?}, {key:?})");
                let results = engine.eval_query(query, false).unwrap_or_else(|e| panic!("{case} {key}: {e}"));
                let input = &results.result.first().unwrap_or_else(|| panic!("{case} {key}: no input")).expressions[0].value;
                let input_json = serde_json::to_value(input).expect("json");
                let given = &input_json["derived"]["monitoring"];
                let derived = json_of(&derive(&input_json, &keys));
                assert_eq!(
                    &derived,
                    given,
                    "case {case}, key {key}: Rust derives\n{}\nthe Rego test data gives\n{}",
                    serde_json::to_string(&derived).unwrap_or_default(),
                    serde_json::to_string(given).unwrap_or_default()
                );
                checked += 1;
            }
        }
        assert_eq!(checked, 18 * 16);
    }

    fn json_of(v: &Value) -> serde_json::Value {
        serde_json::to_value(v).expect("json")
    }

    /// The compliant fixture: every key has one complete chain, through the
    /// filter named for its control, to the confirmed topic.
    #[test]
    fn every_key_of_the_compliant_fixture_has_a_complete_chain() {
        let pack = builtin();
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/compliant/snapshot.json")).expect("fixture");
        let snapshot: crate::snapshot::Snapshot = serde_json::from_str(&text).expect("fixture parses");
        let account = &snapshot.accounts[0];
        let derived = super::super::Derived::new(&pack.required_patterns);
        let value = json_of(&derived.for_account(account, None));
        let groups = value["monitoring"].as_object().expect("groups");
        assert_eq!(groups.len(), 1, "{groups:?}");
        let steps = groups.values().next().expect("one group");
        for key in pack.required_patterns.keys() {
            let chains = steps[key]["chains"].as_array().expect("chains");
            assert!(!chains.is_empty(), "{key}: {}", steps[key]);
            for link in ["covering", "metrics", "watching", "enabled"] {
                assert!(!steps[key][link].as_array().expect("set").is_empty(), "{key} {link}");
            }
        }
        let iam = &steps["iam_policy_changes"];
        assert_eq!(iam["covering"], serde_json::json!(["cis-4.4-IAMPolicyChanges"]));
        assert_eq!(iam["metrics"], serde_json::json!([["cis-4.4-IAMPolicyChanges", "CISBenchmark", "IAMPolicyChanges"]]));
        assert_eq!(iam["unanalysed"], serde_json::json!([]));
        let chain = &iam["chains"][0];
        assert_eq!(chain[0], false);
        assert_eq!(chain[1], "cis-4.4-IAMPolicyChanges");
        assert!(chain[3].as_str().is_some_and(|t| t.starts_with("arn:aws:sns:")), "{chain}");
        // The 4.1 filter is unparenthesised (&& and ||): its chain says so.
        assert_eq!(steps["unauthorized_api_calls"]["chains"][0][0], true);
    }

    fn group(arn: &str, region: &str, filters: Vec<MetricFilter>) -> LogGroup {
        LogGroup {
            name: "g".into(),
            arn: arn.into(),
            region: region.into(),
            retention_in_days: None,
            kms_key_id: None,
            metric_filters: Some(filters),
            not_found: false,
        }
    }

    fn filter(name: &str, namespace: &str, metric: &str) -> MetricFilter {
        MetricFilter {
            name: name.into(),
            pattern: name.into(),
            transformations: vec![crate::snapshot::MetricTransformation {
                metric_name: metric.into(),
                metric_namespace: namespace.into(),
                metric_value: None,
            }],
        }
    }

    fn alarm(arn: &str, region: &str, namespace: &str, metric: &str, enabled: bool, actions: &[&str]) -> Alarm {
        Alarm {
            name: arn.rsplit(':').next().unwrap_or(arn).into(),
            arn: arn.into(),
            region: region.into(),
            metric_name: Some(metric.into()),
            namespace: Some(namespace.into()),
            actions_enabled: enabled,
            alarm_actions: actions.iter().map(|a| (*a).to_owned()).collect(),
            state: None,
        }
    }

    fn topic(arn: &str, subscriptions: Option<&[&str]>) -> SnsTopic {
        SnsTopic {
            arn: arn.into(),
            region: "us-east-1".into(),
            subscriptions: subscriptions.map(|s| {
                s.iter().map(|a| crate::snapshot::SnsSubscription { subscription_arn: (*a).into(), protocol: "email".into() }).collect()
            }),
        }
    }

    /// Facts by pattern text (the tests use the filter name as its pattern):
    /// a filter named `cover*` covers key `k`, `miss*` misses one event,
    /// anything else was not analysed.
    fn test_facts(_: &str, f: &MetricFilter) -> Option<Arc<FilterFacts>> {
        let total = if f.pattern.starts_with("cover") {
            0
        } else if f.pattern.starts_with("miss") {
            1
        } else {
            return None;
        };
        let misses = BTreeMap::from([("k".to_owned(), Misses { listed: vec!["e".into(); total], total })]);
        Some(Arc::new(FilterFacts { parse_error: None, ambiguous: f.pattern.ends_with("-ambiguous"), misses }))
    }

    const G: &str = "arn:aws:logs:us-east-1:111111111111:log-group:ct";
    const T: &str = "arn:aws:sns:us-east-1:111111111111:alerts";
    const P: &str = "arn:aws:sns:us-east-1:111111111111:pending";

    /// Each link is joined on what the CIS audit names: the metric's name
    /// AND namespace, the log group's region, actions enabled, a topic with
    /// a real subscription ARN.
    #[test]
    fn links_join_on_metric_namespace_region_and_confirmed_topics() {
        let groups = BTreeMap::from([(
            G.to_owned(),
            group(G, "us-east-1", vec![filter("cover", "CIS", "M"), filter("miss", "CIS", "M"), filter("other", "CIS", "M")]),
        )]);
        let a = |n: &str| format!("arn:aws:cloudwatch:us-east-1:111111111111:alarm:{n}");
        let alarms = BTreeMap::from([
            (a("ok"), alarm(&a("ok"), "us-east-1", "CIS", "M", true, &[T, P])),
            (a("disabled"), alarm(&a("disabled"), "us-east-1", "CIS", "M", false, &[T])),
            (a("pending"), alarm(&a("pending"), "us-east-1", "CIS", "M", true, &[P])),
            (a("namespace"), alarm(&a("namespace"), "us-east-1", "Other", "M", true, &[T])),
            (a("region"), alarm(&a("region"), "eu-west-1", "CIS", "M", true, &[T])),
        ]);
        let topics = BTreeMap::from([
            (T.to_owned(), topic(T, Some(&["arn:aws:sns:x", "PendingConfirmation"]))),
            (P.to_owned(), topic(P, Some(&["PendingConfirmation"]))),
        ]);
        let holder = Holder { account_id: "111111111111", log_groups: &groups, alarms: &alarms, sns_topics: &topics };
        let steps = json_of(&chains(&[holder], &["k"], &test_facts))[G]["k"].clone();
        assert_eq!(steps["covering"], serde_json::json!(["cover"]));
        assert_eq!(steps["unanalysed"], serde_json::json!(["other"]));
        assert_eq!(steps["metrics"], serde_json::json!([["cover", "CIS", "M"]]));
        assert_eq!(steps["watching"], serde_json::json!([["cover", a("disabled")], ["cover", a("ok")], ["cover", a("pending")]]));
        assert_eq!(steps["enabled"], serde_json::json!([["cover", a("ok")], ["cover", a("pending")]]));
        assert_eq!(steps["chains"], serde_json::json!([[false, "cover", a("ok"), T]]));
    }

    /// A member's chain runs through its management account's log group; a
    /// log group whose ARN names another account, or whose filters were not
    /// read, has no chain here.
    #[test]
    fn chains_of_the_management_account_and_groups_without_one() {
        let m = "arn:aws:logs:us-east-1:444444444444:log-group:org";
        let mt = "arn:aws:sns:us-east-1:444444444444:alerts";
        let ma = "arn:aws:cloudwatch:us-east-1:444444444444:alarm:org";
        let mut unread = group("arn:aws:logs:us-east-1:111111111111:log-group:unread", "us-east-1", Vec::new());
        unread.metric_filters = None;
        let own = BTreeMap::from([
            (unread.arn.clone(), unread),
            // Recorded in the member, but the ARN names the management account.
            (m.to_owned(), group(m, "us-east-1", vec![filter("cover-member-copy", "CIS", "M")])),
        ]);
        let none_alarms = BTreeMap::new();
        let none_topics = BTreeMap::new();
        let mgmt_groups = BTreeMap::from([(m.to_owned(), group(m, "us-east-1", vec![filter("cover-ambiguous", "CIS", "M")]))]);
        let mgmt_alarms = BTreeMap::from([(ma.to_owned(), alarm(ma, "us-east-1", "CIS", "M", true, &[mt]))]);
        let mgmt_topics = BTreeMap::from([(mt.to_owned(), topic(mt, Some(&["arn:aws:sns:confirmed"])))]);
        let holders = [
            Holder { account_id: "111111111111", log_groups: &own, alarms: &none_alarms, sns_topics: &none_topics },
            Holder { account_id: "444444444444", log_groups: &mgmt_groups, alarms: &mgmt_alarms, sns_topics: &mgmt_topics },
        ];
        let value = json_of(&chains(&holders, &["k"], &test_facts));
        assert_eq!(value.as_object().expect("groups").keys().collect::<Vec<_>>(), vec![m]);
        assert_eq!(value[m]["k"]["chains"], serde_json::json!([[true, "cover-ambiguous", ma, mt]]));
        // No keys asked, no facts per key.
        assert_eq!(json_of(&chains(&holders, &[], &test_facts))[m], serde_json::json!({}));
    }
}
