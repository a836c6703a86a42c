//! Reading an earlier JSON report back, for `--baseline`. The report format
//! belongs to this module alone, so reading it lives here too; what the
//! comparison makes of it is [`crate::triage::baseline`]'s.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::REPORT_VERSION;
use crate::finding::{Severity, Status, fingerprint};

/// An earlier JSON report: only the fields comparing needs.
#[derive(Debug, Clone)]
pub struct EarlierReport {
    pub path: PathBuf,
    pub results: Vec<EarlierResult>,
}

/// What a baseline must hold: `report_version` and `results[]` with the fields
/// below. Unknown fields are fine: reports only ever gain fields.
#[derive(Debug, Deserialize)]
struct ReportShape {
    report_version: u32,
    results: Vec<EarlierResult>,
    /// Event findings an earlier comparison found out of its window: still
    /// open, so they are carried into every later comparison.
    #[serde(default)]
    out_of_window: Vec<CarriedResult>,
}

/// An `out_of_window[]` entry of an earlier report: a failure that was not
/// judged again because its event was older than the window.
#[derive(Debug, Deserialize)]
struct CarriedResult {
    rule_id: String,
    severity: Severity,
    account: String,
    #[serde(default)]
    region: Option<String>,
    resource: String,
    #[serde(default)]
    message: String,
    fingerprint: String,
    #[serde(default)]
    event_time: Option<String>,
}

impl From<CarriedResult> for EarlierResult {
    fn from(c: CarriedResult) -> EarlierResult {
        EarlierResult {
            rule_id: c.rule_id,
            status: Status::Fail,
            severity: c.severity,
            account: c.account,
            region: c.region,
            resource: c.resource,
            message: c.message,
            fingerprint: Some(c.fingerprint),
            evidence: serde_json::json!({ "event_time": c.event_time }),
        }
    }
}

/// One result of an earlier report, as far as comparing needs it.
#[derive(Debug, Clone, Deserialize)]
pub struct EarlierResult {
    pub rule_id: String,
    pub status: Status,
    pub severity: Severity,
    pub account: String,
    #[serde(default)]
    pub region: Option<String>,
    pub resource: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub fingerprint: Option<String>,
    /// Read for an event detection's `event_id`, when `fingerprint` is absent,
    /// and its `event_time` (out of the event-history window or not).
    #[serde(default)]
    pub evidence: serde_json::Value,
}

impl EarlierResult {
    /// The result's fingerprint as written, or computed as trailaudit does for
    /// reports written before that field existed.
    pub fn fingerprint(&self) -> String {
        self.fingerprint.clone().unwrap_or_else(|| {
            fingerprint(&self.rule_id, &self.account, &self.resource, crate::finding::distinction(&self.evidence).as_deref())
        })
    }
}

/// Why a baseline could not be used. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    // `cause`, not `source`: the message already says it (printed once).
    #[error("cannot read baseline {path}: {cause}")]
    Io { path: PathBuf, cause: std::io::Error },
    #[error("{path}:{line}:{column}: not a trailaudit JSON report (`{field}`): {message}")]
    Invalid { path: PathBuf, field: String, line: usize, column: usize, message: String },
    #[error("{path}: baseline has report_version {found}; this trailaudit reads report_version {REPORT_VERSION}")]
    Version { path: PathBuf, found: u32 },
}

impl EarlierReport {
    pub fn load(path: &Path) -> Result<EarlierReport, BaselineError> {
        use std::io::Read;
        let io = |cause| BaselineError::Io { path: path.to_owned(), cause };
        // A report is bounded like a snapshot (it is at most a few times smaller).
        let limit = crate::snapshot::max_snapshot_bytes();
        let mut text = String::new();
        std::fs::File::open(path).map_err(io)?.take(limit.saturating_add(1)).read_to_string(&mut text).map_err(io)?;
        if text.len() as u64 > limit {
            return Err(io(std::io::Error::other(format!(
                "larger than the limit of {limit} bytes (--max-snapshot-mib, TRAILAUDIT_MAX_SNAPSHOT_MIB)"
            ))));
        }
        EarlierReport::parse(text.strip_prefix('\u{feff}').unwrap_or(&text), path)
    }

    /// Parses a JSON report; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<EarlierReport, BaselineError> {
        let mut de = serde_json::Deserializer::from_str(text);
        let shape: ReportShape = serde_path_to_error::deserialize(&mut de).map_err(|err| {
            let field = match err.path().to_string() {
                p if p == "." => "$".to_owned(),
                p => format!("$.{p}"),
            };
            let inner = err.inner();
            let message = inner.to_string();
            let message = message.rfind(" at line ").map_or(message.clone(), |i| message[..i].to_owned());
            BaselineError::Invalid { path: path.to_owned(), field, line: inner.line(), column: inner.column(), message }
        })?;
        if shape.report_version != REPORT_VERSION {
            return Err(BaselineError::Version { path: path.to_owned(), found: shape.report_version });
        }
        let mut results = shape.results;
        results.extend(shape.out_of_window.into_iter().map(EarlierResult::from));
        Ok(EarlierReport { path: path.to_owned(), results })
    }
}
