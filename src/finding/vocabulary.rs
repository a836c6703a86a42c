//! The vocabulary shared by every stage: severities, statuses, subject kinds,
//! and the resource ids of account- and region-level subjects.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How bad a failing result is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The `security-severity` score GitHub code scanning maps back to this
    /// level (critical > 9.0, high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9).
    pub fn security_severity(self) -> &'static str {
        match self {
            Severity::Critical => "9.5",
            Severity::High => "8.0",
            Severity::Medium => "5.5",
            Severity::Low => "3.0",
            Severity::Info => "0.0",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown severity `{s}` (expected critical, high, medium, low or info)"))
    }
}

/// `--fail-on` (and `fail_on` in the config): the lowest severity of a
/// failing result that fails the run (exit 1), or `none`: report, never fail
/// on findings (errors still exit 3). Written as the severity or `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    At(Severity),
    Never,
}

impl FailOn {
    /// Does a failing result of `severity` fail the run?
    pub fn fails(self, severity: Severity) -> bool {
        match self {
            FailOn::At(threshold) => severity >= threshold,
            FailOn::Never => false,
        }
    }

    /// The threshold, `None` for `none`.
    pub fn severity(self) -> Option<Severity> {
        match self {
            FailOn::At(s) => Some(s),
            FailOn::Never => None,
        }
    }
}

impl From<Severity> for FailOn {
    fn from(s: Severity) -> Self {
        FailOn::At(s)
    }
}

impl fmt::Display for FailOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailOn::At(s) => f.write_str(s.as_str()),
            FailOn::Never => f.write_str("none"),
        }
    }
}

impl FromStr for FailOn {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("none") {
            return Ok(FailOn::Never);
        }
        s.parse::<Severity>()
            .map(FailOn::At)
            .map_err(|_| format!("unknown fail-on `{s}` (expected critical, high, medium, low, info or none)"))
    }
}

impl Serialize for FailOn {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for FailOn {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The verdict on one subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The subject was examined and meets the rule.
    Pass,
    /// The subject was examined and does not meet the rule.
    Fail,
    /// The subject could not be judged: data it needs failed to collect, or the rule failed at run time.
    Error,
    /// A failing result that a configured, unexpired waiver accepts (never an error: see `triage::waivers`).
    Waived,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Fail, Status::Error, Status::Waived, Status::Pass];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Error => "error",
            Status::Waived => "waived",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of thing a rule judges; fixes what `resource` names in its results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SubjectKind {
    /// One result per account (`resource` = `AWS::::Account:<id>`).
    Account,
    /// One result per account and region (`resource` = `AWS::::Account:<id>/<region>`).
    Region,
    Trail,
    Bucket,
    LogGroup,
    KmsKey,
    EventDataStore,
    DynamodbTable,
    LambdaFunction,
    /// One result per suspicious event in the event history (`resource` = the event's target or actor).
    Event,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Account => "account",
            SubjectKind::Region => "region",
            SubjectKind::Trail => "trail",
            SubjectKind::Bucket => "bucket",
            SubjectKind::LogGroup => "log-group",
            SubjectKind::KmsKey => "kms-key",
            SubjectKind::EventDataStore => "event-data-store",
            SubjectKind::DynamodbTable => "dynamodb-table",
            SubjectKind::LambdaFunction => "lambda-function",
            SubjectKind::Event => "event",
        }
    }
}

impl fmt::Display for SubjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The resource id results use for an account-level subject.
pub fn account_resource(account_id: &str) -> String {
    format!("AWS::::Account:{account_id}")
}

/// The resource id results use for a region-level subject.
pub fn region_resource(account_id: &str, region: &str) -> String {
    format!("AWS::::Account:{account_id}/{region}")
}
