//! What an audit produces: one [`RuleResult`] per rule and subject, gathered in an [`Audit`].

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use super::baseline::{BaselineComparison, BaselineState};
use super::metadata::RuleMeta;
use super::types::{Severity, Status};
use super::waivers::Warning;
use crate::snapshot::Metadata;

/// A rule as loaded: its metadata and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    pub meta: RuleMeta,
    /// Rego package, e.g. `trailaudit.cloudtrail.log_file_validation`.
    pub package: String,
    /// Source path for people: `policies/cloudtrail/x.rego` for the built-in pack,
    /// the path as given for user directories.
    pub source_path: String,
    /// 1-based line of the `# METADATA` block.
    pub metadata_line: usize,
    pub builtin: bool,
}

impl Rule {
    pub fn id(&self) -> &str {
        &self.meta.custom.id
    }
    pub fn severity(&self) -> Severity {
        self.meta.custom.severity
    }
}

/// A waiver that turned a result into `waived`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppliedWaiver {
    pub reason: String,
    /// Who answers for the accepted risk (required in `trailaudit.yaml`).
    pub owner: String,
    /// `YYYY-MM-DD`, inclusive; `None` = does not expire.
    pub expires: Option<String>,
    /// The status the result had before the waiver.
    pub original_status: Status,
}

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

/// Counts of results by status, and of failing results by severity.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    pub total: usize,
    pub by_status: BTreeMap<&'static str, usize>,
    /// Failing (`fail`) results per severity.
    pub failed_by_severity: BTreeMap<&'static str, usize>,
    /// Present when the audit was compared with a baseline.
    pub baseline: Option<BaselineCounts>,
}

/// Failing (`fail`) results new or unchanged since the baseline, and baseline
/// failures that are fixed now. `error` and `waived` results carry their own
/// `baseline` mark but are not counted: `new` answers "did this change add a failure?".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineCounts {
    pub new: usize,
    pub unchanged: usize,
    pub fixed: usize,
}

/// The outcome of auditing one snapshot with one policy pack.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Audit {
    pub metadata: Metadata,
    /// The snapshot file that was audited (SARIF points into it).
    pub snapshot_path: Option<PathBuf>,
    /// Rules that were evaluated, sorted by id.
    pub rules: Vec<Rule>,
    /// Sorted by rule id, account, region, resource.
    pub results: Vec<RuleResult>,
    /// Failing results below this severity do not fail the run.
    pub fail_on: Severity,
    /// Ids of the accounts in the snapshot, sorted.
    pub account_ids: Vec<String>,
    /// Per-control verdicts when the run was restricted to one framework.
    pub framework: Option<super::frameworks::FrameworkSummary>,
    /// Waivers that expired or match nothing; shown in every report and on stderr.
    pub warnings: Vec<Warning>,
    /// The comparison with `--baseline`, when one was given.
    pub baseline: Option<BaselineComparison>,
}

/// Documented process exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 0: nothing failing at or above `--fail-on`, no errors.
    Clean = 0,
    /// 1: at least one failing result at or above `--fail-on`.
    Failed = 1,
    /// 2: bad usage or bad input (not produced by an audit).
    BadInput = 2,
    /// 3: error results (incomplete collection or a broken rule), nothing failing.
    Incomplete = 3,
}

impl Audit {
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id() == id)
    }

    pub fn summary(&self) -> Summary {
        let mut summary = Summary { total: self.results.len(), ..Summary::default() };
        for status in Status::ALL {
            summary.by_status.insert(status.as_str(), 0);
        }
        for sev in Severity::ALL {
            summary.failed_by_severity.insert(sev.as_str(), 0);
        }
        for r in &self.results {
            *summary.by_status.entry(r.status.as_str()).or_default() += 1;
            if r.status == Status::Fail {
                *summary.failed_by_severity.entry(r.severity.as_str()).or_default() += 1;
            }
        }
        summary.baseline = self.baseline.as_ref().map(|b| {
            let failing =
                |state: BaselineState| self.results.iter().filter(|r| r.status == Status::Fail && r.baseline == Some(state)).count();
            BaselineCounts { new: failing(BaselineState::New), unchanged: failing(BaselineState::Unchanged), fixed: b.fixed.len() }
        });
        summary
    }

    /// Failing results at or above `fail_on` win over errors: exit 1 says "fix
    /// something", exit 3 says "could not tell". With `--fail-on-new` only
    /// failing results that are new since the baseline count; errors still do.
    pub fn outcome(&self) -> Outcome {
        let only_new = self.baseline.as_ref().is_some_and(|b| b.fail_on_new);
        let counts = |r: &RuleResult| !only_new || r.baseline != Some(BaselineState::Unchanged);
        if self.results.iter().any(|r| r.status == Status::Fail && r.severity >= self.fail_on && counts(r)) {
            Outcome::Failed
        } else if self.results.iter().any(|r| r.status == Status::Error) {
            Outcome::Incomplete
        } else {
            Outcome::Clean
        }
    }
}
