//! The per-control verdicts of `--framework`, as reports show them (computed by
//! [`crate::triage::frameworks`]).

use serde::Serialize;

/// The verdict on one control, from the results of the rules that serve it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ControlStatus {
    Pass,
    Fail,
    Error,
    /// Only waived failures.
    Waived,
    /// No built-in or user rule serves this control.
    NotCovered,
    /// Rules serve it but had no subject in this snapshot (e.g. no sensitive bucket).
    NoSubjects,
    /// No rule serves it and the benchmark assesses it manually: a person checks it.
    Manual,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControlSummary {
    pub id: String,
    pub title: String,
    pub status: ControlStatus,
    pub rules: Vec<String>,
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    pub waived: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The benchmark assesses the control manually: what a person still checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manual: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameworkSummary {
    pub key: String,
    pub title: String,
    pub controls: Vec<ControlSummary>,
}
