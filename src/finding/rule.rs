//! What a rule is, as reports and results see it: its metadata (the
//! `# METADATA` block of its file, parsed by [`crate::pack`]) and where it came from.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::vocabulary::{Severity, SubjectKind};
use crate::snapshot::actions::Action;

/// A rule as loaded: its metadata and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    pub meta: RuleMeta,
    /// Rego package, e.g. `trailaudit.cloudtrail.log_file_validation`.
    pub package: String,
    /// Source path for people: `policies/cloudtrail/x.rego` for the built-in pack,
    /// the path as given for user directories.
    pub source_path: String,
    /// 1-based line of the `# METADATA` block.
    pub metadata_line: usize,
    pub builtin: bool,
}

impl Rule {
    pub fn id(&self) -> &str {
        &self.meta.custom.id
    }
    pub fn severity(&self) -> Severity {
        self.meta.custom.severity
    }

    /// A built-in rule from METADATA YAML, for unit tests of the stages that
    /// take rules (selection, baselines, reports).
    #[cfg(test)]
    pub(crate) fn for_tests(metadata_yaml: &str, package: &str, source_path: &str) -> Rule {
        Rule {
            meta: serde_yaml_ng::from_str(metadata_yaml).expect("test METADATA parses"),
            package: package.into(),
            source_path: source_path.into(),
            metadata_line: 1,
            builtin: true,
        }
    }
}

/// Everything a report needs to know about a rule, from its METADATA block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    pub title: String,
    pub description: String,
    /// OPA's annotation scope; rules are package-scoped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related_resources: Vec<RelatedResource>,
    pub custom: RuleCustom,
}

/// OPA allows a bare URL or `{ref, description}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RelatedResource {
    Url(String),
    Ref {
        #[serde(rename = "ref")]
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
    },
}

impl RelatedResource {
    pub fn url(&self) -> &str {
        match self {
            RelatedResource::Url(u) | RelatedResource::Ref { url: u, .. } => u,
        }
    }
}

/// trailaudit's own keys under `custom:`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleCustom {
    /// Stable id (`CT-001`); never reused, even when a rule is retired.
    pub id: String,
    pub severity: Severity,
    /// What each result judges.
    pub subject: SubjectKind,
    /// API calls (`service:Operation`) whose failure makes this rule's results `error`.
    pub requires: Vec<Action>,
    /// The events an event-history detection reads (`policies/events/`): checked at load
    /// time against the collector's LookupEvents queries, so a detection of an event the
    /// collector never asks for is a pack error rather than a silent "none found".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<EventNeed>,
    /// Framework key (`aws-securityhub`, `cis-aws-v3.0`, `cis-aws-v5.0`, ...) to control ids.
    #[serde(default)]
    pub frameworks: BTreeMap<String, Vec<String>>,
    pub remediation: Remediation,
    /// A retired rule keeps its id taken and is not evaluated.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deprecated: bool,
}

/// Events one detection reads: `{source, names}` (these names from this service) or
/// `{user}` (every event by this user name, e.g. `root`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventNeed {
    /// The event source, e.g. `cloudtrail.amazonaws.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Event names from `source`, e.g. `[StopLogging, StartLogging]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    /// A user name as LookupEvents matches it (`root`): every event of that user, any name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

/// How to fix a failing subject, for people (console) and scripts (CLI).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Remediation {
    /// Console steps, Markdown.
    pub console: String,
    /// An AWS CLI command (or a few), with `<placeholders>`.
    pub cli: String,
}
