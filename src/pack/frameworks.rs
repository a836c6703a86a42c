//! Compliance framework definitions: which controls exist.
//!
//! Rules say which controls they serve (METADATA `custom.frameworks`); the
//! definitions in `policies/frameworks/*.yaml` list every control of the
//! sections trailaudit covers, including the ones it cannot judge, so a
//! report can say "not covered" instead of staying silent. The per-control
//! verdict of `--framework` is [`crate::triage::frameworks`]'s.

use serde::{Deserialize, Serialize};

use super::BUILTIN_FRAMEWORKS;

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
    /// The benchmark assesses this control manually (CIS "Manual"): what a
    /// person still has to check. A control with rules keeps their verdict and
    /// is marked manual; one without rules is reported as `manual`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manual: Option<String>,
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

#[cfg(test)]
mod tests {
    #[test]
    fn builtin_frameworks_parse_and_have_unique_control_ids() {
        let frameworks = super::builtin();
        let keys: Vec<&str> = frameworks.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(
            keys,
            ["aws-securityhub", "cis-aws-v3.0", "cis-aws-v4.0", "cis-aws-v5.0", "cis-aws-v6.0", "cis-aws-v7.0", "mitre-attack"]
        );
        for f in &frameworks {
            let mut ids: Vec<&str> = f.controls.iter().map(|c| c.id.as_str()).collect();
            let n = ids.len();
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), n, "{} has duplicate control ids", f.key);
            for c in &f.controls {
                assert!(
                    c.not_covered.is_none() || c.manual.is_none(),
                    "{} {}: a control is either not covered or manual, not both",
                    f.key,
                    c.id
                );
            }
        }
    }
}
