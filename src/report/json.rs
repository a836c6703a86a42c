//! The JSON report: stable and documented (docs/report-format.md). Fields are
//! only ever added; `report_version` changes if one is removed or changes meaning.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;
use serde_json::Value as Json;

use crate::finding::FrameworkSummary;
use crate::finding::{
    Audit, BaselineCounts, BaselineState, FixedResult, OutOfWindowResult, Outcome, RuleResult, Severity, Status, StatusCounts, Warning,
};

pub const REPORT_VERSION: u32 = 1;

/// The report as written: it borrows from the [`Audit`] and its results are
/// serialized one by one into the output, so a report of 100,000 results
/// costs neither a copy of every result nor the whole text in memory.
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    pub report_version: u32,
    pub tool: Tool,
    pub snapshot: SnapshotInfo<'a>,
    pub fail_on: crate::finding::FailOn,
    pub summary: Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub framework: Option<Json>,
    /// Expired and stale waivers (always present, often empty).
    pub warnings: &'a [Warning],
    pub results: Results<'a>,
    /// With `--baseline`: baseline failures that pass now or are gone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed: Option<&'a [FixedResult]>,
    /// With `--baseline`: baseline event findings whose event is older than this
    /// snapshot's event-history window: not seen, so not fixed; still open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_of_window: Option<&'a [OutOfWindowResult]>,
}

#[derive(Debug, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Serialize)]
pub struct SnapshotInfo<'a> {
    /// The audited snapshot file, as given.
    pub path: Option<String>,
    pub collected_at: String,
    pub partition: &'a str,
    pub regions: &'a [String],
    pub accounts: &'a [String],
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub total: usize,
    /// `pass`, `fail`, `error`, `waived` → count (all four always present).
    pub by_status: StatusCounts,
    /// Failing results per severity (all five always present).
    pub failed_by_severity: BTreeMap<&'static str, usize>,
    /// The process exit code this audit leads to (0, 1 or 3).
    pub exit_code: Outcome,
    /// With `--baseline`: failing results `new` / `unchanged`, `fixed` baseline
    /// failures, and baseline event findings `out_of_window`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineCounts>,
}

/// `results[]`, each entry made as it is written.
#[derive(Debug)]
pub struct Results<'a>(&'a Audit);

impl Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let audit = self.0;
        let mut seq = serializer.serialize_seq(Some(audit.len()))?;
        let mut failed = None;
        let read = audit.for_each_result(&mut |r| {
            seq.serialize_element(&ResultEntry::new(audit, r)).map_err(|e| {
                failed = Some(e);
                std::io::Error::other("the JSON report could not be written")
            })
        });
        match (failed, read) {
            (Some(e), _) => Err(e),
            (None, Err(e)) => Err(S::Error::custom(format!("cannot read back the audit's results: {e}"))),
            (None, Ok(())) => seq.end(),
        }
    }
}

/// A rule whose metadata the audit does not carry has no frameworks.
static NO_FRAMEWORKS: BTreeMap<String, Vec<String>> = BTreeMap::new();

#[derive(Debug, Serialize)]
pub struct ResultEntry<'a> {
    pub rule_id: &'a str,
    pub title: &'a str,
    pub status: Status,
    pub severity: Severity,
    pub account: &'a str,
    pub region: Option<&'a str>,
    pub resource: &'a str,
    pub message: &'a str,
    pub evidence: &'a Json,
    /// Framework key → control ids this rule serves.
    pub frameworks: &'a BTreeMap<String, Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<Waiver<'a>>,
    /// SHA-256 of `rule_id|account|resource`: the result's identity across runs
    /// (`--baseline` matches on it; SARIF `partialFingerprints` carries the same value).
    pub fingerprint: String,
    /// With `--baseline`, on non-pass results: `new` or `unchanged`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineState>,
}

#[derive(Debug, Serialize)]
pub struct Waiver<'a> {
    pub reason: &'a str,
    pub owner: &'a str,
    pub expires: Option<&'a str>,
    pub original_status: Status,
}

impl<'a> ResultEntry<'a> {
    fn new(audit: &'a Audit, r: &'a RuleResult) -> ResultEntry<'a> {
        let rule = audit.rule(&r.rule_id);
        ResultEntry {
            rule_id: &r.rule_id,
            title: rule.map_or("", |x| x.meta.title.as_str()),
            status: r.status,
            severity: r.severity,
            account: &r.account,
            region: r.region.as_deref(),
            resource: &r.resource,
            message: &r.message,
            evidence: &r.evidence,
            frameworks: rule.map_or(&NO_FRAMEWORKS, |x| &x.meta.custom.frameworks),
            waiver: r.waiver.as_ref().map(|w| Waiver {
                reason: &w.reason,
                owner: &w.owner,
                expires: w.expires.as_deref(),
                original_status: w.original_status,
            }),
            fingerprint: r.fingerprint(),
            baseline: r.baseline,
        }
    }
}

impl<'a> JsonReport<'a> {
    pub fn from_audit(audit: &'a Audit) -> JsonReport<'a> {
        let summary = audit.summary();
        JsonReport {
            report_version: REPORT_VERSION,
            tool: Tool { name: "trailaudit", version: env!("CARGO_PKG_VERSION") },
            snapshot: SnapshotInfo {
                path: audit.snapshot_path.as_ref().map(|p| p.display().to_string()),
                collected_at: audit.metadata.collected_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                partition: &audit.metadata.partition,
                regions: &audit.metadata.regions,
                accounts: &audit.account_ids,
            },
            fail_on: audit.fail_on,
            summary: Summary {
                total: summary.total,
                by_status: summary.by_status,
                failed_by_severity: summary.failed_by_severity,
                exit_code: audit.outcome(),
                baseline: summary.baseline,
            },
            framework: audit.framework.as_ref().map(framework_json),
            warnings: &audit.warnings,
            results: Results(audit),
            fixed: audit.baseline.as_ref().map(|b| b.fixed.as_slice()),
            out_of_window: audit.baseline.as_ref().map(|b| b.out_of_window.as_slice()),
        }
    }
}

fn framework_json(f: &FrameworkSummary) -> serde_json::Value {
    serde_json::to_value(f).expect("framework summary serializes")
}

/// Writes the report to `out` as it is serialized.
pub fn write(audit: &Audit, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &JsonReport::from_audit(audit))?;
    out.write_all(b"\n")
}
