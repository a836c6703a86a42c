//! One [`RuleResult`] per rule and subject, and the fingerprint that keeps its
//! identity across runs.

use serde::Serialize;
use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use super::baseline::BaselineState;
use super::vocabulary::{Severity, Status};
use super::waiver::AppliedWaiver;

/// The verdict of one rule on one subject.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
        fingerprint(&self.rule_id, &self.account, &self.resource, event_id(&self.evidence))
    }
}

/// SHA-256 (hex) of `rule_id|account|resource`, plus `|event_id` for an event
/// detection (two root sign-ins are two alerts, not one that code scanning
/// would merge). Never the line, the message or the status: an alert must keep
/// its identity when the snapshot is re-collected and lines move, and the same
/// resource in another account is another alert. SARIF `partialFingerprints`,
/// the JSON report's `fingerprint` and `--baseline` matching all use this one
/// function.
pub fn fingerprint(rule_id: &str, account: &str, resource: &str, event_id: Option<&str>) -> String {
    let mut key = format!("{rule_id}|{account}|{resource}");
    if let Some(id) = event_id {
        key.push('|');
        key.push_str(id);
    }
    let digest = Sha256::digest(key.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The event a result is about: `evidence.event_id`, or the rule's own evidence
/// when a failed call turned the result into an error.
pub(crate) fn event_id(evidence: &serde_json::Value) -> Option<&str> {
    evidence.get("event_id").or_else(|| evidence.get("rule_evidence").and_then(|e| e.get("event_id"))).and_then(serde_json::Value::as_str)
}
