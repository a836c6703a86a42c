//! One [`RuleResult`] per rule and subject, and the fingerprint that keeps its
//! identity across runs.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use super::baseline::BaselineState;
use super::vocabulary::{Severity, Status};
use super::waiver::AppliedWaiver;

/// The verdict of one rule on one subject.
/// Deserialized only from the audit's own results spill ([`super::spill`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleResult {
    pub rule_id: String,
    pub status: Status,
    pub severity: Severity,
    pub account: String,
    /// `None` for account-level subjects and global resources.
    pub region: Option<String>,
    /// ARN, or `AWS::::Account:<id>` / `AWS::::Account:<id>/<region>` for account and region subjects.
    pub resource: String,
    pub message: String,
    /// Facts the verdict rests on, as the rule reported them.
    pub evidence: Json,
    pub waiver: Option<AppliedWaiver>,
    /// 1-based line in the audited snapshot file where the resource appears, if found.
    pub snapshot_line: Option<usize>,
    /// Compared with `--baseline`: set on every non-pass result when a baseline was given.
    pub baseline: Option<BaselineState>,
}

impl RuleResult {
    /// Stable identity of a result across runs: see [`fingerprint`].
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.rule_id, &self.account, &self.resource, distinction(&self.evidence).as_deref())
    }
}

/// SHA-256 (hex) of `rule_id|account|resource`, plus `|<distinction>` when one
/// subject can carry several results ([`distinction`]): the event id of an
/// event detection (two root sign-ins are two alerts, not one that code
/// scanning would merge), the failed call of a collection error (two failed
/// calls in one region are two errors). Never the line, the message or the status: an alert must keep
/// its identity when the snapshot is re-collected and lines move, and the same
/// resource in another account is another alert. SARIF `partialFingerprints`,
/// the JSON report's `fingerprint` and `--baseline` matching all use this one
/// function.
pub fn fingerprint(rule_id: &str, account: &str, resource: &str, distinction: Option<&str>) -> String {
    let mut key = format!("{rule_id}|{account}|{resource}");
    if let Some(d) = distinction {
        key.push('|');
        key.push_str(d);
    }
    let digest = Sha256::digest(key.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The event a result is about: `evidence.event_id`, or the rule's own evidence
/// when a failed call turned the result into an error.
pub(crate) fn event_id(evidence: &serde_json::Value) -> Option<&str> {
    evidence.get("event_id").or_else(|| evidence.get("rule_evidence").and_then(|e| e.get("event_id"))).and_then(serde_json::Value::as_str)
}

/// What tells apart results of one rule on one subject: the event id of an
/// event detection (unchanged from earlier versions: `|<event id>`), or
/// `call=<service>:<Operation>` of the failed call an `error` result reports
/// (`evidence.failed_call`, as COL-001 and the errors added for unmatched
/// failures carry it). Results with neither (every pass and fail of a
/// non-event rule) keep the fingerprint of earlier versions.
pub(crate) fn distinction(evidence: &serde_json::Value) -> Option<String> {
    if let Some(id) = event_id(evidence) {
        return Some(id.to_owned());
    }
    let call = evidence.get("failed_call").or_else(|| evidence.get("outside_collection"))?;
    Some(format!("call={}:{}", call.get("service")?.as_str()?, call.get("operation")?.as_str()?))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{distinction, fingerprint};

    /// Defect 11 (issue 15): two COL-001 errors in one region shared a fingerprint.
    #[test]
    fn two_failed_calls_on_one_subject_have_different_fingerprints() {
        let call = |op: &str| json!({"failed_call": {"service": "cloudtrail", "operation": op, "account_id": "1", "region": "eu-west-1"}});
        let a = fingerprint("COL-001", "1", "AWS::::Account:1/eu-west-1", distinction(&call("GetTrailStatus")).as_deref());
        let b = fingerprint("COL-001", "1", "AWS::::Account:1/eu-west-1", distinction(&call("GetEventSelectors")).as_deref());
        assert_ne!(a, b);
        // A pass or fail without a failed call keeps the fingerprint of earlier versions.
        assert_eq!(distinction(&json!({"trail": "x"})), None);
        assert_eq!(distinction(&json!({"event_id": "e-1"})).as_deref(), Some("e-1"));
        // ... and the same value as before: baselines written by earlier versions still match.
        assert_eq!(fingerprint("CT-001", "1", "arn:t", None), "b4cc783858570061abd893ff31bb146f8a94716ed5b2b275c456db5120609676");
    }
}
