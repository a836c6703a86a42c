//! What a rule returns, checked against the result contract
//! (docs/writing-rules.md) and turned into results; failed API calls then turn
//! the results resting on them into errors ([`super::scope`]).

use serde::Deserialize;
use serde_json::Value as Json;

use super::input::SnapshotContext;
use super::scope;
use crate::finding::{Rule, RuleResult, Status, account_resource};
use crate::snapshot::Account;

/// What a rule's `results` set must contain, one object per subject.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegoResult {
    status: RegoStatus,
    resource: String,
    #[serde(default)]
    region: Option<String>,
    message: String,
    #[serde(default)]
    evidence: Option<Json>,
    #[serde(default)]
    depends_on: Vec<String>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum RegoStatus {
    Pass,
    Fail,
    /// The rule itself cannot judge the subject from what the snapshot holds
    /// (e.g. a truncated event history proves no absence).
    Error,
}

/// Turns each rule's `results` (or the reason it has none) into results, and
/// lets failed API calls turn the ones they affect into errors.
pub(super) fn judge(
    rules: &[&Rule],
    context: &SnapshotContext,
    account: &Account,
    values: Vec<Result<regorus::Value, String>>,
) -> Vec<RuleResult> {
    let errors: Vec<&crate::snapshot::CollectionError> = context.errors_of(&account.account_id).iter().collect();
    let mut out = Vec::new();
    for (value, rule) in values.into_iter().zip(rules) {
        let (mut results, depends_on) = match value.and_then(|v| parse_results(v, rule, &account.account_id)) {
            Ok(pair) => pair,
            Err(message) => (vec![rule_failure(rule, &account.account_id, message)], Vec::new()),
        };
        scope::apply(rule, &account.account_id, &errors, &mut results, &depends_on);
        out.extend(results);
    }
    out
}

type Evaluated = (Vec<RuleResult>, Vec<Vec<String>>);

/// Checks a rule's `results` against the contract and turns it into results.
fn parse_results(value: regorus::Value, rule: &Rule, account_id: &str) -> Result<Evaluated, String> {
    let items: Vec<regorus::Value> = match value {
        regorus::Value::Undefined => return Err("`results` is undefined (a rule must always report its subjects)".into()),
        regorus::Value::Set(set) => set.iter().cloned().collect(),
        regorus::Value::Array(items) => items.iter().cloned().collect(),
        other => return Err(format!("`results` must be a set of objects, got {}", kind_of(&other))),
    };
    let mut results = Vec::with_capacity(items.len());
    let mut depends_on = Vec::with_capacity(items.len());
    for item in items {
        let json = serde_json::to_value(&item).map_err(|e| format!("result cannot be read: {e}"))?;
        let parsed: RegoResult = serde_json::from_value(json.clone())
            .map_err(|e| format!("result {json} has the wrong shape: {e} (see docs/writing-rules.md)"))?;
        results.push(RuleResult {
            rule_id: rule.id().to_owned(),
            status: match parsed.status {
                RegoStatus::Pass => Status::Pass,
                RegoStatus::Fail => Status::Fail,
                RegoStatus::Error => Status::Error,
            },
            severity: rule.severity(),
            account: account_id.to_owned(),
            region: parsed.region,
            resource: parsed.resource,
            message: parsed.message,
            evidence: parsed.evidence.unwrap_or_else(|| Json::Object(Default::default())),
            waiver: None,
            snapshot_line: None,
            baseline: None,
        });
        depends_on.push(parsed.depends_on);
    }
    one_result_per_subject(&results)?;
    Ok((results, depends_on))
}

/// The contract's "one result per subject": two results with one identity (the
/// fingerprint: rule, account, resource, and the event id of a detection or the
/// failed call of a collection error) would be merged by code scanning and by
/// `--baseline`, and one of the two verdicts lost. Such a rule is broken; its
/// results in this account become one `error` naming the subject.
fn one_result_per_subject(results: &[RuleResult]) -> Result<(), String> {
    let mut seen = std::collections::BTreeMap::new();
    for (i, result) in results.iter().enumerate() {
        if let Some(first) = seen.insert(result.fingerprint(), i) {
            let first = &results[first];
            let which = crate::finding::result_distinction(&result.evidence).map_or_else(String::new, |d| format!(" ({d})"));
            return Err(format!(
                "rule returned two results for one subject, {}{which}: \"{}\" ({}) and \"{}\" ({}); a rule reports exactly \
                 one result per subject (per event for a detection), see docs/writing-rules.md",
                result.resource, first.message, first.status, result.message, result.status
            ));
        }
    }
    Ok(())
}

fn rule_failure(rule: &Rule, account_id: &str, message: String) -> RuleResult {
    RuleResult {
        rule_id: rule.id().to_owned(),
        status: Status::Error,
        severity: rule.severity(),
        account: account_id.to_owned(),
        region: None,
        resource: account_resource(account_id),
        message,
        evidence: serde_json::json!({ "policy": rule.source_path }),
        waiver: None,
        snapshot_line: None,
        baseline: None,
    }
}

pub(super) fn first_line(text: &str) -> String {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

fn kind_of(value: &regorus::Value) -> &'static str {
    match value {
        regorus::Value::Null => "null",
        regorus::Value::Bool(_) => "a boolean",
        regorus::Value::Number(_) => "a number",
        regorus::Value::String(_) => "a string",
        regorus::Value::Object(_) => "an object",
        _ => "another kind of value",
    }
}
