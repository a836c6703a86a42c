//! Compliance frameworks: which controls exist, which rules serve them, and a
//! per-control verdict for `--framework`.
//!
//! Rules say which controls they serve (METADATA `custom.frameworks`); the
//! definitions in `policies/frameworks/*.yaml` list every control of the
//! sections trailaudit covers, including the ones it cannot judge, so a
//! report can say "not covered" instead of staying silent.

use serde::{Deserialize, Serialize};

use super::result::Audit;
use super::types::Status;

use super::pack::BUILTIN_FRAMEWORKS;

/// A framework definition file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    /// The key rules use in `custom.frameworks` and users pass to `--framework`.
    pub key: String,
    pub title: String,
    #[serde(default)]
    pub url: Option<String>,
    pub controls: Vec<Control>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    pub id: String,
    pub title: String,
    /// Why trailaudit does not judge this control, when it does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_covered: Option<String>,
}

/// The built-in framework definitions, sorted by key.
pub fn builtin() -> Vec<Framework> {
    let mut frameworks: Vec<Framework> = BUILTIN_FRAMEWORKS
        .iter()
        .map(|(name, text)| serde_yaml_ng::from_str(text).unwrap_or_else(|e| panic!("policies/frameworks/{name} is invalid: {e}")))
        .collect();
    frameworks.sort_by(|a, b| a.key.cmp(&b.key));
    frameworks
}

pub fn find(key: &str) -> Option<Framework> {
    builtin().into_iter().find(|f| f.key == key)
}

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
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameworkSummary {
    pub key: String,
    pub title: String,
    pub controls: Vec<ControlSummary>,
}

/// Per-control verdicts of `audit` for `framework`. A control fails if any
/// result fails, is `error` if none fails but one could not be judged.
pub fn summarize(audit: &Audit, framework: &Framework) -> FrameworkSummary {
    let controls = framework
        .controls
        .iter()
        .map(|control| {
            let rules: Vec<String> = audit
                .rules
                .iter()
                .filter(|r| r.meta.custom.frameworks.get(&framework.key).is_some_and(|ids| ids.contains(&control.id)))
                .map(|r| r.id().to_owned())
                .collect();
            let count = |s: Status| audit.results.iter().filter(|r| r.status == s && rules.contains(&r.rule_id)).count();
            let (passed, failed, errors, waived) = (count(Status::Pass), count(Status::Fail), count(Status::Error), count(Status::Waived));
            let status = if rules.is_empty() {
                ControlStatus::NotCovered
            } else if failed > 0 {
                ControlStatus::Fail
            } else if errors > 0 {
                ControlStatus::Error
            } else if waived > 0 {
                ControlStatus::Waived
            } else if passed > 0 {
                ControlStatus::Pass
            } else {
                ControlStatus::NoSubjects
            };
            let note = match status {
                ControlStatus::NotCovered => {
                    Some(control.not_covered.clone().unwrap_or_else(|| "no rule of the pack serves this control".into()))
                }
                _ => None,
            };
            ControlSummary { id: control.id.clone(), title: control.title.clone(), status, rules, passed, failed, errors, waived, note }
        })
        .collect();
    FrameworkSummary { key: framework.key.clone(), title: framework.title.clone(), controls }
}

#[cfg(test)]
mod tests {
    #[test]
    fn builtin_frameworks_parse_and_have_unique_control_ids() {
        let frameworks = super::builtin();
        let keys: Vec<&str> = frameworks.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["aws-securityhub", "cis-aws-v3.0", "cis-aws-v4.0", "cis-aws-v5.0", "mitre-attack"]);
        for f in &frameworks {
            let mut ids: Vec<&str> = f.controls.iter().map(|c| c.id.as_str()).collect();
            let n = ids.len();
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), n, "{} has duplicate control ids", f.key);
        }
    }
}
