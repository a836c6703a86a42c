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
    /// DynamoDB tables whose item-level (data) events must be logged; none by default.
    #[serde(default)]
    pub sensitive_dynamodb_tables: SensitiveResources,
    /// Lambda functions whose invocations (data events) must be logged; none by default.
    #[serde(default)]
    pub sensitive_lambda_functions: SensitiveResources,
    #[serde(default)]
    pub delivery: Delivery,
    /// How long trail logs must be kept.
    #[serde(default)]
    pub retention: Retention,
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

/// Sensitive DynamoDB tables or Lambda functions: by glob on the name or the
/// ARN, and/or by tag, as for buckets. Empty by default (no such resource is
/// listed or judged until the configuration names some).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensitiveResources {
    /// Globs matched against the resource's name and its ARN (`*` matches anything).
    #[serde(default)]
    pub names: Vec<String>,
    /// Tag key → accepted values (an empty list accepts any value).
    #[serde(default)]
    pub tags: BTreeMap<String, Vec<String>>,
}

impl SensitiveResources {
    /// Does the configuration name any? Then the collector lists them.
    pub fn any(&self) -> bool {
        !self.names.is_empty() || !self.tags.is_empty()
    }

    /// How the collector must list these resources: with their tags only when
    /// a tag selects them (a tag listing is one more call per resource).
    pub fn listing(&self) -> crate::collect::Listing {
        use crate::collect::Listing;
        if !self.tags.is_empty() {
            Listing::WithTags
        } else if !self.names.is_empty() {
            Listing::Names
        } else {
            Listing::Off
        }
    }
}

/// Minimum retention of trail logs, in days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    /// No lifecycle rule of a trail bucket may expire trail logs sooner
    /// (PCI DSS 10.5.1 asks for one year).
    #[serde(default = "days_365")]
    pub s3_min_days: u32,
    /// A trail's CloudWatch Logs group keeps events at least this long
    /// (Security Hub CloudWatch.16: 365); "never expire" passes.
    #[serde(default = "days_365")]
    pub cloudwatch_logs_min_days: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Retention { s3_min_days: 365, cloudwatch_logs_min_days: 365 }
    }
}

fn days_365() -> u32 {
    365
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
    // `cause`, not `source`: the message already says it (printed once).
    #[error("cannot read config {path}: {cause}")]
    Io { path: PathBuf, cause: std::io::Error },
    #[error("{path}:{line}:{column}: {message}")]
    Invalid { path: PathBuf, line: usize, column: usize, message: String },
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        use std::io::Read;
        let io = |cause| ConfigError::Io { path: path.to_owned(), cause };
        let mut bytes = Vec::new();
        std::fs::File::open(path).map_err(io)?.take(MAX_CONFIG_BYTES as u64 + 1).read_to_end(&mut bytes).map_err(io)?;
        if bytes.len() > MAX_CONFIG_BYTES {
            return Err(ConfigError::Invalid {
                path: path.to_owned(),
                line: 1,
                column: 1,
                message: format!("the configuration is larger than {MAX_CONFIG_BYTES} bytes; is this the right file?"),
            });
        }
        let text = String::from_utf8(bytes).map_err(|e| {
            let offset = e.utf8_error().valid_up_to();
            let before = &e.as_bytes()[..offset];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let column =
                String::from_utf8_lossy(&before[before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)..]).chars().count() + 1;
            ConfigError::Invalid {
                path: path.to_owned(),
                line,
                column,
                message: format!("not UTF-8 text: invalid byte 0x{:02x} at byte offset {offset}", e.as_bytes()[offset]),
            }
        })?;
        Config::parse(&text, path)
    }

    /// Parses YAML text; `path` is only used in error messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let invalid = |line: usize, column: usize, message: String| ConfigError::Invalid { path: path.to_owned(), line, column, message };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.trim().is_empty() {
            return Ok(Config::default());
        }
        crate::yaml_bounds::check(text).map_err(|(line, column, message)| invalid(line, column, message))?;
        if let Some((line, column)) = empty_list_item(text) {
            return Err(invalid(line, column, "empty list item: a `-` with no value (a list cut short?)".into()));
        }
        let config: Config = serde_yaml_ng::from_str(text).map_err(|e| {
            // The YAML parser also breaks lines at U+0085 and U+2028/9, which editors may not:
            // keep the line inside the file.
            let lines = text.lines().count().max(1);
            let (line, column) = e.location().map_or((1, 1), |l| (l.line().clamp(1, lines), l.column()));
            let message = e.to_string();
            let message = message.find(" at line ").map_or(message.clone(), |i| message[..i].to_owned());
            invalid(line, column, yaml_message(&message))
        })?;
        let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).map_or(1, |i| i + 1);
        for glob in config
            .sensitive_buckets
            .names
            .iter()
            .chain(&config.sensitive_dynamodb_tables.names)
            .chain(&config.sensitive_lambda_functions.names)
            .chain(config.waivers.iter().map(|w| &w.resource))
        {
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
        for (key, value) in
            [("s3_min_days", config.retention.s3_min_days), ("cloudwatch_logs_min_days", config.retention.cloudwatch_logs_min_days)]
        {
            if value == 0 {
                return Err(invalid(line_of(key), 1, format!("`retention.{key}` must be a positive number of days")));
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
            "sensitive_dynamodb_tables": self.sensitive_dynamodb_tables,
            "sensitive_lambda_functions": self.sensitive_lambda_functions,
            "delivery": self.delivery,
            "retention": self.retention,
            "required_trail_tags": self.required_trail_tags,
        })
    }
}

/// The largest configuration file read (1 MiB): a trailaudit.yaml with a
/// thousand waivers is about 200 KB.
pub const MAX_CONFIG_BYTES: usize = 1 << 20;

/// A block list entry with nothing in it (`-` alone, nothing more indented
/// below): YAML reads it as null, which serde turns into an empty string or
/// default, so a list cut short would pass for a value. (line, column), 1-based.
fn empty_list_item(text: &str) -> Option<(usize, usize)> {
    let significant = |l: &str| {
        let t = l.trim_start();
        !t.is_empty() && !t.starts_with('#')
    };
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let indent = line.len() - line.trim_start().len();
        let body = line.trim();
        let body = body.find(" #").map_or(body, |k| body[..k].trim_end());
        if body != "-" {
            continue;
        }
        let next = lines[i + 1..].iter().find(|l| significant(l));
        if next.is_none_or(|l| l.len() - l.trim_start().len() <= indent) {
            return Some((i + 1, indent + 1));
        }
    }
    None
}

/// libyaml's words for a few common mistakes, said the way a person would.
fn yaml_message(message: &str) -> String {
    if message.contains("did not find expected ',' or ']'") {
        return format!("{message} (a `[` list that is not closed?)");
    }
    if message.contains("did not find expected ',' or '}'") {
        return format!("{message} (a `{{` mapping that is not closed?)");
    }
    if message.contains("did not find expected node content") || message.contains("expected a YAML tag") {
        return format!("{message} (a list or value cut short: an unfinished `[`, `{{`, `-` or `key:`?)");
    }
    message.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("trailaudit.yaml"))
    }

    #[test]
    fn a_list_cut_short_is_an_error() {
        let e = parse("required_regions:\n  - us-east-1\n  -\n").unwrap_err().to_string();
        assert!(e.starts_with("trailaudit.yaml:3:3: empty list item"), "{e}");
        let e = parse("required_regions:\n  - us-east-1\n  - # more later\nfail_on: high\n").unwrap_err().to_string();
        assert!(e.starts_with("trailaudit.yaml:3:3:"), "{e}");
        // An entry whose value starts on the next line is not empty.
        parse("waivers:\n  -\n    rule: CT-001\n    reason: x\n    owner: sec\n    expires: 2099-01-01\n").unwrap();
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
    fn retention_defaults_to_a_year_and_must_be_positive() {
        let c = parse("").unwrap();
        assert_eq!(c.retention, Retention { s3_min_days: 365, cloudwatch_logs_min_days: 365 });
        let c = parse("retention:\n  s3_min_days: 400\n").unwrap();
        assert_eq!((c.retention.s3_min_days, c.retention.cloudwatch_logs_min_days), (400, 365));
        let e = parse("retention:\n  cloudwatch_logs_min_days: 0\n").unwrap_err().to_string();
        assert!(e.starts_with("trailaudit.yaml:2:") && e.contains("retention.cloudwatch_logs_min_days"), "{e}");
        let e = parse("retention:\n  s3_min_day: 30\n").unwrap_err().to_string();
        assert!(e.starts_with("trailaudit.yaml:2:") && e.contains("s3_min_day"), "{e}");
        let e = parse("retention:\n  s3_min_days: -5\n").unwrap_err().to_string();
        assert!(e.starts_with("trailaudit.yaml:2:"), "{e}");
    }

    #[test]
    fn sensitive_tables_and_functions_by_name_arn_or_tag() {
        let c = parse("").unwrap();
        assert!(!c.sensitive_dynamodb_tables.any() && !c.sensitive_lambda_functions.any(), "none by default");
        let c = parse(
            "sensitive_dynamodb_tables:\n  names: ['payments-*', 'arn:aws:dynamodb:*:*:table/ledger']\nsensitive_lambda_functions:\n  tags:\n    data-classification: []\n",
        )
        .unwrap();
        assert_eq!(c.sensitive_dynamodb_tables.names, ["payments-*", "arn:aws:dynamodb:*:*:table/ledger"]);
        assert!(c.sensitive_dynamodb_tables.tags.is_empty(), "no default tags: listing tags costs a call per resource");
        assert!(c.sensitive_lambda_functions.any());
        let data = c.rego_data(&[]);
        assert_eq!(data["sensitive_lambda_functions"]["tags"]["data-classification"], serde_json::json!([]));
        assert_eq!(data["retention"]["s3_min_days"], 365);
        let e = parse("sensitive_lambda_functions:\n  names: ['fn-[']\n").unwrap_err().to_string();
        assert!(e.starts_with("trailaudit.yaml:2:") && e.contains("invalid glob"), "{e}");
        let e = parse("sensitive_dynamodb_tables:\n  arns: ['x']\n").unwrap_err().to_string();
        assert!(e.starts_with("trailaudit.yaml:2:") && e.contains("arns"), "{e}");
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
