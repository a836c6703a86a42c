//! The JSON report: stable and documented (docs/report-format.md). Fields are
//! only ever added; `report_version` changes if one is removed or changes meaning.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::policy::frameworks::FrameworkSummary;
use crate::policy::{Audit, BaselineCounts, BaselineState, FixedResult, Severity, Status, Warning};

pub const REPORT_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JsonReport {
    pub report_version: u32,
    pub tool: Tool,
    pub snapshot: SnapshotInfo,
    pub fail_on: Severity,
    pub summary: Summary,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub framework: Option<serde_json::Value>,
    /// Expired and stale waivers (always present, often empty).
    #[serde(default)]
    pub warnings: Vec<Warning>,
    pub results: Vec<ResultEntry>,
    /// With `--baseline`: baseline failures that pass now or are gone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<Vec<FixedResult>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SnapshotInfo {
    /// The audited snapshot file, as given.
    pub path: Option<String>,
    pub collected_at: String,
    pub partition: String,
    pub regions: Vec<String>,
    pub accounts: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    pub total: usize,
    /// `pass`, `fail`, `error`, `waived` → count (all four always present).
    pub by_status: BTreeMap<String, usize>,
    /// Failing results per severity (all five always present).
    pub failed_by_severity: BTreeMap<String, usize>,
    /// The process exit code this audit leads to (0, 1 or 3).
    pub exit_code: u8,
    /// With `--baseline`: failing results `new` / `unchanged`, and `fixed` baseline failures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineCounts>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResultEntry {
    pub rule_id: String,
    pub title: String,
    pub status: Status,
    pub severity: Severity,
    pub account: String,
    pub region: Option<String>,
    pub resource: String,
    pub message: String,
    pub evidence: Json,
    /// Framework key → control ids this rule serves.
    pub frameworks: BTreeMap<String, Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<Waiver>,
    /// SHA-256 of `rule_id|account|resource`: the result's identity across runs
    /// (`--baseline` matches on it; SARIF `partialFingerprints` carries the same value).
    #[serde(default)]
    pub fingerprint: String,
    /// With `--baseline`, on non-pass results: `new` or `unchanged`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineState>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Waiver {
    pub reason: String,
    #[serde(default)]
    pub owner: String,
    pub expires: Option<String>,
    pub original_status: Status,
}

impl JsonReport {
    pub fn from_audit(audit: &Audit) -> JsonReport {
        let summary = audit.summary();
        let results = audit
            .results
            .iter()
            .map(|r| {
                let rule = audit.rule(&r.rule_id);
                ResultEntry {
                    rule_id: r.rule_id.clone(),
                    title: rule.map(|x| x.meta.title.clone()).unwrap_or_default(),
                    status: r.status,
                    severity: r.severity,
                    account: r.account.clone(),
                    region: r.region.clone(),
                    resource: r.resource.clone(),
                    message: r.message.clone(),
                    evidence: r.evidence.clone(),
                    frameworks: rule.map(|x| x.meta.custom.frameworks.clone()).unwrap_or_default(),
                    waiver: r.waiver.as_ref().map(|w| Waiver {
                        reason: w.reason.clone(),
                        owner: w.owner.clone(),
                        expires: w.expires.clone(),
                        original_status: w.original_status,
                    }),
                    fingerprint: r.fingerprint(),
                    baseline: r.baseline,
                }
            })
            .collect();
        JsonReport {
            report_version: REPORT_VERSION,
            tool: Tool { name: "trailaudit".into(), version: env!("CARGO_PKG_VERSION").into() },
            snapshot: SnapshotInfo {
                path: audit.snapshot_path.as_ref().map(|p| p.display().to_string()),
                collected_at: audit.metadata.collected_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                partition: audit.metadata.partition.clone(),
                regions: audit.metadata.regions.clone(),
                accounts: audit.account_ids.clone(),
            },
            fail_on: audit.fail_on,
            summary: Summary {
                total: summary.total,
                by_status: summary.by_status.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
                failed_by_severity: summary.failed_by_severity.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
                exit_code: audit.outcome() as u8,
                baseline: summary.baseline,
            },
            framework: audit.framework.as_ref().map(framework_json),
            warnings: audit.warnings.clone(),
            results,
            fixed: audit.baseline.as_ref().map(|b| b.fixed.clone()),
        }
    }
}

fn framework_json(f: &FrameworkSummary) -> serde_json::Value {
    serde_json::to_value(f).expect("framework summary serializes")
}

pub fn render(audit: &Audit) -> String {
    let mut out = serde_json::to_string_pretty(&JsonReport::from_audit(audit)).expect("report serializes");
    out.push('\n');
    out
}
