//! The comparison machinery shared by the drift checks: each side of the
//! comparison (an account in one snapshot), where a change happened, and the
//! sink that collects changes into the three lists.

use super::{Aspect, Change, DIFF_REPORT_VERSION, DriftReport, DriftSummary, SnapshotRef};
use crate::finding::{Outcome, Severity};
use crate::snapshot::actions::Action;
use crate::snapshot::{Account, ErrorKind, Snapshot};

/// One account as seen in one of the two snapshots.
#[derive(Clone, Copy)]
pub(crate) struct Side<'a> {
    pub snapshot: &'a Snapshot,
    pub account: &'a Account,
    /// `old` or `new`, for messages.
    pub label: &'static str,
}

impl Side<'_> {
    /// Why this side cannot say anything about `action` on `resource` in
    /// `region`: the region was not collected, or the call failed (or does
    /// not exist there). `None` when the data is trustworthy.
    pub fn unknown(&self, action: Action, region: Option<&str>, resource: Option<&str>) -> Option<String> {
        if let Some(r) = region
            && !self.snapshot.metadata.regions.iter().any(|x| x == r)
        {
            return Some(format!("region {r} was not collected in the {} snapshot", self.label));
        }
        self.snapshot
            .errors
            .iter()
            .find(|e| {
                e.account_id == self.account.account_id
                    && e.action() == Some(action)
                    && (e.region.is_none() || region.is_none() || e.region.as_deref() == region)
                    && (e.resource.is_none() || resource.is_none() || e.resource.as_deref() == resource)
            })
            .map(|e| {
                let what = match e.kind {
                    ErrorKind::Failed => "failed",
                    ErrorKind::Throttled => "was throttled",
                    ErrorKind::Unsupported => "is unsupported",
                    ErrorKind::OutsideCollection => "was not made (the resource is owned outside the collection)",
                };
                format!("{action} {what} in the {} snapshot ({})", self.label, e.error_code)
            })
    }
}

/// The same account in both snapshots.
pub(crate) struct Pair<'a> {
    pub old: Side<'a>,
    pub new: Side<'a>,
}

impl Pair<'_> {
    pub fn account(&self) -> &str {
        &self.new.account.account_id
    }

    /// Whichever side cannot vouch for the data, old first.
    pub fn unknown(&self, action: Action, region: Option<&str>, resource: Option<&str>) -> Option<String> {
        self.old.unknown(action, region, resource).or_else(|| self.new.unknown(action, region, resource))
    }
}

/// Where a change happened; the comparison functions fill in the rest.
pub(crate) struct At<'a> {
    pub aspect: Aspect,
    pub account: &'a str,
    pub region: Option<&'a str>,
    pub resource: &'a str,
}

impl At<'_> {
    pub fn change(&self, severity: Severity, before: impl Into<String>, after: impl Into<String>, message: String) -> Change {
        Change {
            aspect: self.aspect,
            severity,
            account: self.account.to_owned(),
            region: self.region.map(str::to_owned),
            resource: self.resource.to_owned(),
            before: before.into(),
            after: after.into(),
            message,
        }
    }
}

/// Collects changes while the comparisons run.
#[derive(Default)]
pub(crate) struct Sink {
    pub drift: Vec<Change>,
    pub improvements: Vec<Change>,
    pub unverifiable: Vec<Change>,
}

impl Sink {
    /// A setting that protects the trail when true (logging, validation, ...):
    /// true → false is drift at `severity`, false → true an improvement.
    pub fn flag(&mut self, at: &At<'_>, severity: Severity, before: bool, after: bool, words: (&str, &str), what: &str) {
        let (on, off) = words;
        let word = |b: bool| if b { on } else { off };
        match (before, after) {
            (true, false) => self.drift.push(at.change(severity, word(before), word(after), format!("{what}: {on} → {off}"))),
            (false, true) => self.improvements.push(at.change(Severity::Info, word(before), word(after), format!("{what}: {off} → {on}"))),
            _ => {}
        }
    }

    /// Records that `at` could not be compared, and why.
    pub fn cannot(&mut self, at: &At<'_>, reason: String) {
        self.unverifiable.push(at.change(Severity::Info, "unknown", "unknown", format!("cannot compare {}: {reason}", at.aspect.label())));
    }

    pub(super) fn finish(mut self, old: SnapshotRef, new: SnapshotRef) -> DriftReport {
        let key = |c: &Change| (std::cmp::Reverse(c.severity), c.account.clone(), c.region.clone(), c.resource.clone(), c.aspect);
        self.drift.sort_by_key(key);
        self.improvements.sort_by_key(key);
        self.unverifiable.sort_by_key(key);
        let mut report = DriftReport {
            diff_report_version: DIFF_REPORT_VERSION,
            old,
            new,
            summary: DriftSummary { drift: 0, improvements: 0, unverifiable: 0, exit_code: Outcome::Clean },
            drift: self.drift,
            improvements: self.improvements,
            unverifiable: self.unverifiable,
        };
        report.summary = DriftSummary {
            drift: report.drift.len(),
            improvements: report.improvements.len(),
            unverifiable: report.unverifiable.len(),
            exit_code: report.exit_code(),
        };
        report
    }
}
