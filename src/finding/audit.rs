//! What an audit produces: every [`RuleResult`] gathered in an [`Audit`] (in
//! memory, or spilled to disk as a snapshot file's accounts are judged:
//! [`super::spill`]), with the rules that were evaluated and what triage added
//! (waivers, baseline, per-control summary), and its [`Outcome`].

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;

use super::baseline::{BaselineComparison, BaselineCounts, BaselineState};
use super::framework::FrameworkSummary;
use super::outcome::Outcome;
use super::result::RuleResult;
use super::rule::Rule;
use super::spill::{Spill, Tally};
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
            counts.add(r.status);
        }
        counts
    }

    pub fn add(&mut self, status: Status) {
        *self.slot(status) += 1;
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
    /// Sorted by rule id, account, region, resource, status
    /// ([`super::report_order`]), when they are held in memory; empty when
    /// they are spilled (`spill`). Read them through [`Audit::for_each_result`].
    pub results: Vec<RuleResult>,
    /// The results on disk, for an audit of a snapshot file.
    #[serde(skip)]
    pub spill: Option<Spill>,
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

    /// Every result, in report order, from memory or from the spill.
    pub fn for_each_result(&self, f: &mut dyn FnMut(&RuleResult) -> std::io::Result<()>) -> std::io::Result<()> {
        match &self.spill {
            Some(spill) => spill.for_each(f),
            None => self.results.iter().try_for_each(f),
        }
    }

    /// How many results the audit has.
    pub fn len(&self) -> usize {
        self.spill.as_ref().map_or(self.results.len(), Spill::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The results' counts: kept by the spill, or counted from memory.
    pub fn tally(&self) -> std::borrow::Cow<'_, Tally> {
        match &self.spill {
            Some(spill) => std::borrow::Cow::Borrowed(spill.tally()),
            None => std::borrow::Cow::Owned(Tally::of(&self.results)),
        }
    }

    /// The audit with its results in memory: itself, or a copy with the
    /// spilled results read back (the reports that order results across
    /// rules, Markdown, text and JUnit, and tests comparing audits).
    pub fn held(&self) -> std::io::Result<std::borrow::Cow<'_, Audit>> {
        if self.spill.is_none() {
            return Ok(std::borrow::Cow::Borrowed(self));
        }
        let mut results = Vec::with_capacity(self.len());
        self.for_each_result(&mut |r| {
            results.push(r.clone());
            Ok(())
        })?;
        Ok(std::borrow::Cow::Owned(Audit { results, spill: None, ..self.clone() }))
    }

    /// The audit as the reports that list results one by one read it (text,
    /// Markdown): itself when its results are in memory; for a spilled audit,
    /// a copy holding in `results` the non-pass results (and the passes when
    /// `passes`), read back from the spill, whose counts ([`Audit::tally`])
    /// still cover every result. Passes are most results of a large audit
    /// and those reports only count them unless `--show-passes`.
    pub fn listed(&self, passes: bool) -> std::io::Result<std::borrow::Cow<'_, Audit>> {
        if self.spill.is_none() {
            return Ok(std::borrow::Cow::Borrowed(self));
        }
        let mut results = Vec::new();
        self.for_each_result(&mut |r| {
            if passes || r.status != Status::Pass {
                results.push(r.clone());
            }
            Ok(())
        })?;
        Ok(std::borrow::Cow::Owned(Audit { results, ..self.clone() }))
    }

    pub fn summary(&self) -> Summary {
        let tally = self.tally();
        let mut summary = Summary { total: tally.total, by_status: tally.by_status, ..Summary::default() };
        for sev in Severity::ALL {
            summary.failed_by_severity.insert(sev.as_str(), tally.failed(sev));
        }
        summary.baseline = self.baseline.as_ref().map(|b| BaselineCounts {
            new: tally.failed_in(BaselineState::New),
            unchanged: tally.failed_in(BaselineState::Unchanged),
            fixed: b.fixed.len(),
            out_of_window: b.out_of_window.len(),
        });
        summary
    }

    /// Failing results at or above `fail_on` win over errors: exit 1 says "fix
    /// something", exit 3 says "could not tell". With `--fail-on-new` only
    /// failing results that are new since the baseline count; errors still do.
    pub fn outcome(&self) -> Outcome {
        let only_new = self.baseline.as_ref().is_some_and(|b| b.fail_on_new);
        let tally = self.tally();
        if tally.deciding_fail(self.fail_on, only_new) {
            Outcome::Failed
        } else if tally.by_status.error > 0 {
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
