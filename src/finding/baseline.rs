//! How results relate to an earlier report (`--baseline`), as results and
//! reports carry it; computed by [`crate::triage::baseline`].

use std::path::PathBuf;

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

/// The outcome of comparing an audit with a baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaselineComparison {
    /// The baseline report file, as given.
    pub path: PathBuf,
    /// Baseline failures fixed since, sorted by rule, account, resource.
    pub fixed: Vec<FixedResult>,
    /// `--fail-on-new`: only new failing results decide exit code 1.
    pub fail_on_new: bool,
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
