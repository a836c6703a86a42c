//! `trailaudit.yaml`: what the rules should treat as sensitive, required and
//! tolerable, plus waivers. Parsed strictly: an unknown key is an error that
//! names its line, because a typo in a compliance setting must not be ignored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::finding::FailOn;

/// The configuration file, as written by the user.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Regions that must be covered by a logging trail; default: every region in the snapshot.
    #[serde(default)]
    pub required_regions: Option<Vec<String>>,
    #[serde(default)]
    pub sensitive_buckets: SensitiveBuckets,
    #[serde(default)]
    pub delivery: Delivery,
    /// Tag keys every trail must carry (Security Hub CloudTrail.9).
    #[serde(default)]
    pub required_trail_tags: Vec<String>,
    /// Severity threshold for exit code 1, or `none`; `--fail-on` overrides it.
    #[serde(default)]
    pub fail_on: Option<FailOn>,
    #[serde(default)]
    pub waivers: Vec<Waiver>,
    /// Settings for live collection.
    #[serde(default)]
    pub collect: CollectConfig,
}

/// How sensitive buckets are recognised: by name glob and/or by tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensitiveBuckets {
    /// Globs on the bucket name (`*` matches anything).
    #[serde(default)]
    pub names: Vec<String>,
    /// Tag key → accepted values (an empty list accepts any value).
    #[serde(default = "default_sensitive_tags")]
    pub tags: BTreeMap<String, Vec<String>>,
}

impl Default for SensitiveBuckets {
    fn default() -> Self {
        SensitiveBuckets { names: Vec::new(), tags: default_sensitive_tags() }
    }
}

fn default_sensitive_tags() -> BTreeMap<String, Vec<String>> {
    BTreeMap::from([("data-classification".to_owned(), vec!["sensitive".to_owned(), "confidential".to_owned(), "restricted".to_owned()])])
}

/// Delivery-age tolerances. CloudTrail is not real time: these say how stale is too stale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    #[serde(default = "hours_24")]
    pub s3_max_age_hours: f64,
    #[serde(default = "hours_6")]
    pub cloudwatch_logs_max_age_hours: f64,
    #[serde(default = "hours_24")]
    pub digest_max_age_hours: f64,
}

impl Default for Delivery {
    fn default() -> Self {
        Delivery { s3_max_age_hours: 24.0, cloudwatch_logs_max_age_hours: 6.0, digest_max_age_hours: 24.0 }
    }
}

fn hours_24() -> f64 {
    24.0
}
fn hours_6() -> f64 {
    6.0
}

/// Accepts a failing result for a while, with a reason on record.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    /// Rule id, e.g. `CT-007`, or a glob on rule ids (`MON-*`).
    pub rule: String,
    /// Glob on the result's resource (`*` = every resource of the rule).
    #[serde(default = "any")]
    pub resource: String,
    /// Only this account, when set.
    #[serde(default)]
    pub account: Option<String>,
    pub reason: String,
    /// Who answers for the accepted risk (a person or team); required, non-empty.
    pub owner: String,
    /// Last day (inclusive, UTC) the waiver applies; required so waivers do not rot.
    pub expires: NaiveDate,
}

fn any() -> String {
    "*".to_owned()
}

/// Live-collection settings the CLI flags override.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectConfig {
    /// Regions to collect; default: the account's enabled regions.
    #[serde(default)]
    pub regions: Option<Vec<String>>,
    /// Extra accounts, reached with sts:AssumeRole.
    #[serde(default)]
    pub role_arns: Vec<String>,
    #[serde(default)]
    pub event_history_days: Option<u32>,
    #[serde(default)]
    pub max_events: Option<u32>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}:{line}:{column}: {message}")]
    Invalid { path: PathBuf, line: usize, column: usize, message: String },
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io { path: path.to_owned(), source })?;
        Config::parse(&text, path)
    }

    /// Parses YAML text; `path` is only used in error messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let invalid = |line: usize, column: usize, message: String| ConfigError::Invalid { path: path.to_owned(), line, column, message };
        if text.trim().is_empty() {
            return Ok(Config::default());
        }
        let config: Config = serde_yaml_ng::from_str(text).map_err(|e| {
            // The YAML parser also breaks lines at U+0085 and U+2028/9, which editors may not:
            // keep the line inside the file.
            let lines = text.lines().count().max(1);
            let (line, column) = e.location().map_or((1, 1), |l| (l.line().clamp(1, lines), l.column()));
            let message = e.to_string();
            let message = message.find(" at line ").map_or(message.clone(), |i| message[..i].to_owned());
            invalid(line, column, message)
        })?;
        let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).map_or(1, |i| i + 1);
        for glob in config.sensitive_buckets.names.iter().chain(config.waivers.iter().map(|w| &w.resource)) {
            if let Err(e) = globset::Glob::new(glob) {
                return Err(invalid(line_of(glob), 1, format!("invalid glob `{glob}`: {e}")));
            }
        }
        let d = &config.delivery;
        for (key, value) in [
            ("s3_max_age_hours", d.s3_max_age_hours),
            ("cloudwatch_logs_max_age_hours", d.cloudwatch_logs_max_age_hours),
            ("digest_max_age_hours", d.digest_max_age_hours),
        ] {
            if !(value.is_finite() && value > 0.0) {
                return Err(invalid(line_of(key), 1, format!("`delivery.{key}` must be a positive number of hours")));
            }
        }
        for w in &config.waivers {
            if let Err(e) = crate::pack::select::rule_matcher(&w.rule) {
                return Err(invalid(line_of(&w.rule), 1, e));
            }
            if w.reason.trim().is_empty() {
                return Err(invalid(line_of(&w.rule), 1, format!("waiver for `{}` needs a non-empty `reason`", w.rule)));
            }
            if w.owner.trim().is_empty() {
                return Err(invalid(line_of(&w.rule), 1, format!("waiver for `{}` needs a non-empty `owner`", w.rule)));
            }
        }
        if let Some(days) = config.collect.event_history_days
            && !(1..=90).contains(&days)
        {
            return Err(invalid(
                line_of("event_history_days"),
                1,
                "`collect.event_history_days` must be 1 to 90 (LookupEvents keeps 90 days)".into(),
            ));
        }
        Ok(config)
    }

    /// The document rules read as `data.trailaudit.config`, defaults resolved.
    pub fn rego_data(&self, snapshot_regions: &[String]) -> serde_json::Value {
        serde_json::json!({
            "required_regions": self.required_regions.clone().unwrap_or_else(|| snapshot_regions.to_vec()),
            "sensitive_buckets": self.sensitive_buckets,
            "delivery": self.delivery,
            "required_trail_tags": self.required_trail_tags,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("trailaudit.yaml"))
    }

    #[test]
    fn empty_file_gives_defaults() {
        let c = parse("").unwrap();
        assert_eq!(c.sensitive_buckets.tags["data-classification"], ["sensitive", "confidential", "restricted"]);
        assert_eq!(c.delivery.cloudwatch_logs_max_age_hours, 6.0);
    }

    #[test]
    fn a_line_break_only_yaml_sees_keeps_the_error_inside_the_file() {
        let e = Config::parse("waivers:\u{85}\u{85}\u{85}\u{85}\n  - [\n", Path::new("t.yaml")).expect_err("unterminated");
        let ConfigError::Invalid { line, .. } = e else { panic!("{e:?}") };
        assert!(line <= 2, "line {line}");
    }

    #[test]
    fn unknown_key_names_the_line() {
        let e = parse("required_regions: [us-east-1]\ndelivery:\n  s3_max_age_hour: 12\n").unwrap_err().to_string();
        assert!(e.starts_with("trailaudit.yaml:3:"), "{e}");
        assert!(e.contains("s3_max_age_hour"), "{e}");
    }

    #[test]
    fn names_only_keeps_default_tags() {
        let c = parse("sensitive_buckets:\n  names: ['*-pii']\n").unwrap();
        assert_eq!(c.sensitive_buckets.names, ["*-pii"]);
        assert!(c.sensitive_buckets.tags.contains_key("data-classification"));
    }

    #[test]
    fn waiver_needs_expiry_reason_and_owner() {
        let e = parse("waivers:\n  - rule: CT-001\n    reason: x\n    owner: sec\n").unwrap_err().to_string();
        assert!(e.contains("expires"), "{e}");
        let e = parse("waivers:\n  - rule: CT-001\n    reason: ' '\n    owner: sec\n    expires: 2027-01-01\n").unwrap_err().to_string();
        assert!(e.contains("reason"), "{e}");
        let e = parse("waivers:\n  - rule: CT-001\n    reason: x\n    expires: 2027-01-01\n").unwrap_err().to_string();
        assert!(e.starts_with("trailaudit.yaml:2:") && e.contains("owner"), "{e}");
        let e = parse("waivers:\n  - rule: CT-001\n    reason: x\n    owner: ''\n    expires: 2027-01-01\n").unwrap_err().to_string();
        assert!(e.contains("non-empty `owner`"), "{e}");
        let ok = parse("waivers:\n  - rule: CT-001\n    reason: x\n    owner: team-sec\n    expires: 2027-01-01\n").unwrap();
        assert_eq!(ok.waivers[0].owner, "team-sec");
    }

    #[test]
    fn waiver_rule_may_be_a_glob_but_not_a_broken_one() {
        let ok = parse("waivers:\n  - rule: 'MON-*'\n    reason: x\n    owner: sec\n    expires: 2027-01-01\n").unwrap();
        assert_eq!(ok.waivers[0].rule, "MON-*");
        let e = parse("waivers:\n  - rule: 'MON-['\n    reason: x\n    owner: sec\n    expires: 2027-01-01\n").unwrap_err().to_string();
        assert!(e.starts_with("trailaudit.yaml:2:") && e.contains("invalid rule pattern `MON-[`"), "{e}");
    }

    #[test]
    fn fail_on_none_is_a_threshold_too() {
        assert_eq!(parse("fail_on: none\n").unwrap().fail_on, Some(FailOn::Never));
        assert_eq!(parse("fail_on: high\n").unwrap().fail_on, Some(FailOn::At(crate::finding::Severity::High)));
    }

    #[test]
    fn bad_severity_and_negative_hours_are_rejected() {
        assert!(parse("fail_on: urgent\n").unwrap_err().to_string().contains("trailaudit.yaml:1:"));
        let e = parse("delivery:\n  digest_max_age_hours: -1\n").unwrap_err().to_string();
        assert!(e.starts_with("trailaudit.yaml:2:"), "{e}");
    }
}
