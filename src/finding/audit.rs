//! What an audit produces: every [`RuleResult`] gathered in an [`Audit`], with
//! the rules that were evaluated and what triage added (waivers, baseline,
//! per-control summary), and its [`Outcome`].

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;

use super::baseline::{BaselineComparison, BaselineCounts, BaselineState};
use super::framework::FrameworkSummary;
use super::outcome::Outcome;
use super::result::RuleResult;
use super::rule::Rule;
use super::vocabulary::{FailOn, Severity, Status};
use super::waiver::Warning;
use crate::snapshot::Metadata;

/// How many results have each status. Serialized with the keys in
/// alphabetical order (`error`, `fail`, `pass`, `waived`), as the JSON report
/// has always written `by_status`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    pub error: usize,
    pub fail: usize,
    pub pass: usize,
    pub waived: usize,
}

impl StatusCounts {
    pub fn of<'a>(results: impl IntoIterator<Item = &'a RuleResult>) -> StatusCounts {
        let mut counts = StatusCounts::default();
        for r in results {
            *counts.slot(r.status) += 1;
        }
        counts
    }

    pub fn get(&self, status: Status) -> usize {
        match status {
            Status::Pass => self.pass,
            Status::Fail => self.fail,
            Status::Error => self.error,
            Status::Waived => self.waived,
        }
    }

    fn slot(&mut self, status: Status) -> &mut usize {
        match status {
            Status::Pass => &mut self.pass,
            Status::Fail => &mut self.fail,
            Status::Error => &mut self.error,
            Status::Waived => &mut self.waived,
        }
    }
}

/// Counts of results by status, and of failing results by severity.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    pub total: usize,
    pub by_status: StatusCounts,
    /// Failing (`fail`) results per severity.
    pub failed_by_severity: BTreeMap<&'static str, usize>,
    /// Present when the audit was compared with a baseline.
    pub baseline: Option<BaselineCounts>,
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
    /// Failing results below this severity do not fail the run (`none`: no failing result does).
    pub fail_on: FailOn,
    /// Ids of the accounts in the snapshot, sorted.
    pub account_ids: Vec<String>,
    /// Per-control verdicts when the run was restricted to one framework.
    pub framework: Option<FrameworkSummary>,
    /// Waivers that expired or match nothing; shown in every report and on stderr.
    pub warnings: Vec<Warning>,
    /// The comparison with `--baseline`, when one was given.
    pub baseline: Option<BaselineComparison>,
    /// IAM actions the collection was denied (AccessDenied-type errors in the
    /// snapshot), deduplicated and sorted; see [`crate::snapshot::actions::Action::iam_action`].
    pub missing_permissions: Vec<String>,
}

impl Audit {
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id() == id)
    }

    pub fn summary(&self) -> Summary {
        let mut summary = Summary { total: self.results.len(), by_status: StatusCounts::of(&self.results), ..Summary::default() };
        for sev in Severity::ALL {
            summary.failed_by_severity.insert(sev.as_str(), 0);
        }
        for r in &self.results {
            if r.status == Status::Fail {
                *summary.failed_by_severity.entry(r.severity.as_str()).or_default() += 1;
            }
        }
        summary.baseline = self.baseline.as_ref().map(|b| {
            let failing =
                |state: BaselineState| self.results.iter().filter(|r| r.status == Status::Fail && r.baseline == Some(state)).count();
            BaselineCounts {
                new: failing(BaselineState::New),
                unchanged: failing(BaselineState::Unchanged),
                fixed: b.fixed.len(),
                out_of_window: b.out_of_window.len(),
            }
        });
        summary
    }

    /// Failing results at or above `fail_on` win over errors: exit 1 says "fix
    /// something", exit 3 says "could not tell". With `--fail-on-new` only
    /// failing results that are new since the baseline count; errors still do.
    pub fn outcome(&self) -> Outcome {
        let only_new = self.baseline.as_ref().is_some_and(|b| b.fail_on_new);
        let counts = |r: &RuleResult| !only_new || r.baseline != Some(BaselineState::Unchanged);
        if self.results.iter().any(|r| r.status == Status::Fail && self.fail_on.fails(r.severity) && counts(r)) {
            Outcome::Failed
        } else if self.results.iter().any(|r| r.status == Status::Error) {
            Outcome::Incomplete
        } else {
            Outcome::Clean
        }
    }
}

#[cfg(test)]
mod tests {
    use super::StatusCounts;
    use crate::finding::{RuleResult, Severity, Status};

    fn result(status: Status) -> RuleResult {
        RuleResult {
            rule_id: "CT-001".into(),
            status,
            severity: Severity::High,
            account: "111111111111".into(),
            region: None,
            resource: "r".into(),
            message: String::new(),
            evidence: serde_json::Value::Null,
            waiver: None,
            snapshot_line: None,
            baseline: None,
        }
    }

    /// The JSON report's `by_status`: every status, zeros included, keys in the order reports have always had.
    #[test]
    fn status_counts_count_every_status_and_serialize_as_the_report_map() {
        let results: Vec<RuleResult> = [Status::Fail, Status::Fail, Status::Pass, Status::Waived].map(result).into();
        let counts = StatusCounts::of(&results);
        assert_eq!(Status::ALL.map(|s| counts.get(s)), [2, 0, 1, 1]);
        assert_eq!(serde_json::to_string(&counts).unwrap(), r#"{"error":0,"fail":2,"pass":1,"waived":1}"#);
    }
}
