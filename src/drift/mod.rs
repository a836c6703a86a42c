//! Drift: what changed between two snapshots of the same accounts, judged by
//! whether it weakens the audit trail.
//!
//! This is its own pipeline stage, beside policy evaluation: the Rego pack
//! judges one snapshot against a standard, drift judges a snapshot against the
//! previous one. A trail that stops logging fails the pack too, but only drift
//! says *that it changed since yesterday*, which is what a nightly job pages on.
//! Nothing here reuses the Rego helpers: selectors are compared structurally
//! (see [`selectors`]) so the report can say exactly which coverage went away.
//!
//! Three lists come out: `drift` (changes that weaken logging or monitoring),
//! `improvements` (the reverse, informational) and `unverifiable` (a
//! comparison the snapshots cannot settle, because a call failed or a region
//! or account was not collected). As everywhere in trailaudit, missing data is
//! never read as "unchanged".

mod context;
mod monitoring;
mod render;
mod selectors;
mod trails;

use std::path::Path;

use serde::Serialize;

pub(crate) use context::{At, Pair, Side, Sink};
pub use render::{markdown, text};

use crate::finding::{Outcome, Severity};
use crate::snapshot::Snapshot;

/// Version of the JSON drift report; bumped only if a field is removed or changes meaning.
pub const DIFF_REPORT_VERSION: u32 = 1;

/// Which aspect of the configuration a change is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Aspect {
    /// An account present in one snapshot only.
    Account,
    /// A region collected in one snapshot only.
    Region,
    /// A trail present in one snapshot only.
    Trail,
    /// GetTrailStatus `is_logging`.
    Logging,
    MultiRegion,
    LogFileValidation,
    /// The trail's KMS key (SSE-KMS versus SSE-S3).
    Encryption,
    /// The trail's CloudWatch Logs log group.
    CloudWatchLogs,
    /// Management events captured by the trail's selectors.
    ManagementEvents,
    /// S3 object-level data events captured by the trail's selectors.
    S3DataEvents,
    /// A CloudWatch alarm present in one snapshot only.
    Alarm,
    /// An alarm's `actions_enabled`.
    AlarmActions,
    /// A CloudWatch Logs group present in one snapshot only.
    LogGroup,
    /// A metric filter present in one snapshot only, or its pattern.
    MetricFilter,
    /// An AWS Config recorder present in one snapshot only, or its recording status.
    ConfigRecorder,
}

impl Aspect {
    /// How messages name the aspect.
    pub fn label(self) -> &'static str {
        match self {
            Aspect::Account => "account",
            Aspect::Region => "region",
            Aspect::Trail => "trail",
            Aspect::Logging => "trail logging",
            Aspect::MultiRegion => "trail scope",
            Aspect::LogFileValidation => "log file validation",
            Aspect::Encryption => "KMS encryption",
            Aspect::CloudWatchLogs => "CloudWatch Logs delivery",
            Aspect::ManagementEvents => "event selectors",
            Aspect::S3DataEvents => "S3 data events",
            Aspect::Alarm => "alarm",
            Aspect::AlarmActions => "alarm actions",
            Aspect::LogGroup => "log group",
            Aspect::MetricFilter => "metric filters",
            Aspect::ConfigRecorder => "AWS Config recorder",
        }
    }
}

/// One change between the two snapshots. `before`/`after` are short values
/// (`logging`, `not logging`, a pattern, a selector description); `message`
/// is the sentence a person reads. Strings may carry AWS data: reporters escape them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub aspect: Aspect,
    pub severity: Severity,
    pub account: String,
    /// `null` for account-level changes.
    pub region: Option<String>,
    pub resource: String,
    pub before: String,
    pub after: String,
    pub message: String,
}

/// Which snapshot file a report compares, and when each was collected.
#[derive(Debug, Clone, Serialize)]
pub struct SnapshotRef {
    pub path: Option<String>,
    pub collected_at: String,
}

impl SnapshotRef {
    pub fn new(snapshot: &Snapshot, path: Option<&Path>) -> SnapshotRef {
        SnapshotRef {
            path: path.map(|p| p.display().to_string()),
            collected_at: snapshot.metadata.collected_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }
    }
}

/// The outcome of [`compare`]; serialized as the JSON drift report.
#[derive(Debug, Clone, Serialize)]
pub struct DriftReport {
    pub diff_report_version: u32,
    pub old: SnapshotRef,
    pub new: SnapshotRef,
    pub summary: DriftSummary,
    /// Changes that weaken logging or monitoring, most severe first.
    pub drift: Vec<Change>,
    /// Changes that strengthen it (informational).
    pub improvements: Vec<Change>,
    /// Comparisons the snapshots cannot settle (a failed call, a region not collected).
    pub unverifiable: Vec<Change>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DriftSummary {
    pub drift: usize,
    pub improvements: usize,
    pub unverifiable: usize,
    /// The process exit code this report leads to: 0, 1 (drift) or 3 (only unverifiable).
    pub exit_code: Outcome,
}

impl DriftReport {
    /// 1 when anything drifted; else 3 when something could not be compared
    /// (the same meaning as an audit's error results); else 0.
    pub fn exit_code(&self) -> Outcome {
        if !self.drift.is_empty() {
            Outcome::Failed
        } else if !self.unverifiable.is_empty() {
            Outcome::Incomplete
        } else {
            Outcome::Clean
        }
    }

    pub fn to_json(&self) -> String {
        let mut out = serde_json::to_string_pretty(self).expect("a drift report always serializes");
        out.push('\n');
        out
    }
}

/// Compares `old` with `new`, account by account (matched by id). Paths are
/// only recorded in the report.
pub fn compare(old: &Snapshot, old_path: Option<&Path>, new: &Snapshot, new_path: Option<&Path>) -> DriftReport {
    let mut sink = Sink::default();
    for old_account in &old.accounts {
        let Some(new_account) = new.accounts.iter().find(|a| a.account_id == old_account.account_id) else {
            sink.unverifiable.push(Change {
                aspect: Aspect::Account,
                severity: Severity::Info,
                account: old_account.account_id.clone(),
                region: None,
                resource: old_account.account_id.clone(),
                before: "collected".into(),
                after: "not collected".into(),
                message: "the account is not in the new snapshot: nothing about it can be compared".into(),
            });
            continue;
        };
        let old_side = Side { snapshot: old, account: old_account, label: "old" };
        let new_side = Side { snapshot: new, account: new_account, label: "new" };
        for region in &old.metadata.regions {
            if !new.metadata.regions.contains(region) {
                sink.unverifiable.push(Change {
                    aspect: Aspect::Region,
                    severity: Severity::Info,
                    account: old_account.account_id.clone(),
                    region: Some(region.clone()),
                    resource: region.clone(),
                    before: "collected".into(),
                    after: "not collected".into(),
                    message: format!("region {region} is not in the new snapshot: its resources cannot be compared"),
                });
            }
        }
        let pair = Pair { old: old_side, new: new_side };
        trails::compare(&pair, &mut sink);
        monitoring::compare(&pair, &mut sink);
    }
    for new_account in &new.accounts {
        if !old.accounts.iter().any(|a| a.account_id == new_account.account_id) {
            sink.improvements.push(Change {
                aspect: Aspect::Account,
                severity: Severity::Info,
                account: new_account.account_id.clone(),
                region: None,
                resource: new_account.account_id.clone(),
                before: "not collected".into(),
                after: "collected".into(),
                message: "the account is new in this snapshot (no earlier state to compare with)".into(),
            });
        }
    }
    sink.finish(SnapshotRef::new(old, old_path), SnapshotRef::new(new, new_path))
}

/// Loads both files (errors name the file, line and field) and compares them.
pub fn compare_files(old: &Path, new: &Path) -> Result<DriftReport, crate::snapshot::SnapshotError> {
    let (old_snapshot, _) = crate::snapshot::load_file(old)?;
    let (new_snapshot, _) = crate::snapshot::load_file(new)?;
    Ok(compare(&old_snapshot, Some(old), &new_snapshot, Some(new)))
}

#[cfg(test)]
pub(crate) mod tests;
