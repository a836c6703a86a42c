//! How results relate to an earlier report (`--baseline`), as results and
//! reports carry it; computed by [`crate::triage::baseline`].

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::vocabulary::Severity;

/// How a non-pass result relates to the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BaselineState {
    /// Not in the baseline as a finding of the same kind.
    New,
    /// The baseline holds the same finding (same fingerprint, same kind).
    Unchanged,
}

impl BaselineState {
    pub fn as_str(self) -> &'static str {
        match self {
            BaselineState::New => "new",
            BaselineState::Unchanged => "unchanged",
        }
    }
}

/// A result that failed in the baseline and now passes or is gone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixedResult {
    pub rule_id: String,
    pub severity: Severity,
    pub account: String,
    pub region: Option<String>,
    pub resource: String,
    /// The message the baseline gave for the failure.
    pub message: String,
    pub fingerprint: String,
}

/// A baseline failure of an event detection whose event is older than the new
/// snapshot's event-history window: the new audit could not see it, so it is
/// neither fixed nor gone. It stays open until someone deals with the event;
/// time alone never closes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutOfWindowResult {
    #[serde(flatten)]
    pub finding: FixedResult,
    /// When the event happened (the baseline's `evidence.event_time`); `null`
    /// when the baseline did not say, which proves no more.
    pub event_time: Option<DateTime<Utc>>,
}

/// The outcome of comparing an audit with a baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaselineComparison {
    /// The baseline report file, as given.
    pub path: PathBuf,
    /// Baseline failures fixed since, sorted by rule, account, resource.
    pub fixed: Vec<FixedResult>,
    /// Baseline event findings older than this audit's event-history window
    /// (`window_start`), sorted like `fixed`.
    pub out_of_window: Vec<OutOfWindowResult>,
    /// The start of the new snapshot's event-history window: collection time
    /// minus `event_history_days`.
    pub window_start: DateTime<Utc>,
    /// `--fail-on-new`: only new failing results decide exit code 1.
    pub fail_on_new: bool,
}

/// Failing (`fail`) results new or unchanged since the baseline, baseline
/// failures that are fixed now, and baseline event findings out of the window. `error` and `waived` results carry their own
/// `baseline` mark but are not counted: `new` answers "did this change add a failure?".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineCounts {
    pub new: usize,
    pub unchanged: usize,
    pub fixed: usize,
    /// Baseline event findings older than the new event-history window: still open.
    #[serde(default)]
    pub out_of_window: usize,
}

/// Which kind of finding a status is: a failure (accepted or not) or an error.
/// An error that turns into a failure is news: nobody could see that failure before.
pub(crate) fn finding_kind(status: super::vocabulary::Status) -> Option<bool> {
    use super::vocabulary::Status;
    match status {
        Status::Pass => None,
        Status::Fail | Status::Waived => Some(true),
        Status::Error => Some(false),
    }
}

/// The baseline's findings as (fingerprint, kind): what marks a result `new`
/// or `unchanged`. Held by an audit whose results are spilled, which marks
/// them as they are read back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BaselineMarks {
    pub(crate) known: std::collections::HashSet<(String, bool)>,
}

impl BaselineMarks {
    pub fn new(known: impl IntoIterator<Item = (String, bool)>) -> BaselineMarks {
        BaselineMarks { known: known.into_iter().collect() }
    }

    /// Marks a non-pass result `new` or `unchanged`; a pass carries no mark.
    pub fn mark(&self, r: &mut super::result::RuleResult) {
        if let Some(k) = finding_kind(r.status) {
            let unchanged = self.known.contains(&(r.fingerprint(), k));
            r.baseline = Some(if unchanged { BaselineState::Unchanged } else { BaselineState::New });
        }
    }
}
