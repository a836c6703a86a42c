//! AWS Security Finding Format (ASFF, `SchemaVersion` 2018-10-08) for
//! `securityhub:BatchImportFindings`: a JSON array of findings, the value of
//! the API's `Findings` parameter (`aws securityhub batch-import-findings
//! --findings file://...`; the API takes at most 100 per call, see
//! docs/report-format.md for a loop), one finding per result, passes included.
//!
//! - `Id` is the result's fingerprint, so a re-import updates the finding
//!   instead of adding one; `GeneratorId` is the rule id.
//! - `ProductArn` is the account's default product,
//!   `arn:{partition}:securityhub:{region}:{account}:product/{account}/default`,
//!   in the result's region, or the snapshot's first region for an account-level
//!   or global result: a finding is imported in the region of its `ProductArn`.
//! - `Compliance.Status`: pass → PASSED, fail and waived → FAILED, error →
//!   NOT_AVAILABLE (the data it needs could not be collected). `Workflow.Status`:
//!   NEW, RESOLVED for a pass, SUPPRESSED for a waived result (whose waiver is the
//!   `Note`).
//! - `FindingProviderFields` repeats `Severity` and `Types`: Security Hub takes
//!   a provider's later changes to them from there. `Workflow` and `Note` count
//!   only when a finding is created (afterwards they are the analyst's).
//! - `Title` (256), `Description` (1024), `Remediation.Recommendation.Text`
//!   (512) and `Note.Text` (512) are cut to ASFF's limits, on a character
//!   boundary, ending with `…`.
//!
//! `scripts/check-asff.py` validates the output against botocore's service
//! model of `BatchImportFindings` in `scripts/test.sh`.

use std::io::Write;

use serde_json::{Map, Value as Json, json};

use super::platform;
use crate::finding::{Audit, Rule, RuleResult, Severity, Status};

pub const SCHEMA_VERSION: &str = "2018-10-08";

/// ASFF's length limits (characters) on the fields trailaudit fills with text.
pub const TITLE_MAX: usize = 256;
pub const DESCRIPTION_MAX: usize = 1024;
pub const RECOMMENDATION_MAX: usize = 512;
pub const NOTE_MAX: usize = 512;
/// `ProductFields` values.
pub const FIELD_VALUE_MAX: usize = 2048;
/// `Compliance.RelatedRequirements` entries.
pub const REQUIREMENTS_MAX: usize = 32;

/// `text` whole if it fits in `max` characters, else cut to `max - 1` and `…`.
pub(super) fn cut(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

fn label(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "INFORMATIONAL",
        Severity::Low => "LOW",
        Severity::Medium => "MEDIUM",
        Severity::High => "HIGH",
        Severity::Critical => "CRITICAL",
    }
}

/// The region a result is imported in: its own, else the snapshot's first,
/// else the partition's main region (a snapshot always lists its regions).
fn region<'a>(audit: &'a Audit, r: &'a RuleResult) -> &'a str {
    r.region.as_deref().or(audit.metadata.regions.first().map(String::as_str)).unwrap_or(match audit.metadata.partition.as_str() {
        "aws-cn" => "cn-north-1",
        "aws-us-gov" => "us-gov-west-1",
        _ => "us-east-1",
    })
}

/// One ASFF finding.
pub(super) fn finding(audit: &Audit, r: &RuleResult, rule: Option<&Rule>) -> Json {
    let at = platform::observed_at(audit).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let partition = audit.metadata.partition.as_str();
    let region = region(audit, r);
    let kind = platform::subject(rule);
    let title = rule.map_or(r.rule_id.as_str(), |x| x.meta.title.as_str());
    let message = match r.status {
        Status::Error => format!("Could not be judged: {}", r.message.trim_start_matches("cannot be judged: ")),
        _ => r.message.clone(),
    };
    let description = match rule {
        Some(rule) => format!("{}\n\n{}", message.trim(), rule.meta.description.trim()),
        None => message,
    };
    let (compliance, workflow) = match r.status {
        Status::Pass => ("PASSED", "RESOLVED"),
        Status::Fail => ("FAILED", "NEW"),
        Status::Waived => ("FAILED", "SUPPRESSED"),
        Status::Error => ("NOT_AVAILABLE", "NEW"),
    };

    let mut resource = json!({"Type": platform::resource_type(kind), "Id": r.resource, "Partition": partition});
    if let Some(region) = &r.region {
        resource["Region"] = json!(region);
    }
    let mut compliance = json!({"Status": compliance});
    let requirements = platform::requirements(rule);
    if !requirements.is_empty() {
        compliance["RelatedRequirements"] = json!(requirements.into_iter().take(REQUIREMENTS_MAX).collect::<Vec<_>>());
    }
    let mut product_fields = Map::new();
    product_fields.insert("ProviderName".into(), json!("trailaudit"));
    product_fields.insert("ProviderVersion".into(), json!(env!("CARGO_PKG_VERSION")));
    product_fields.insert("trailaudit/RuleId".into(), json!(r.rule_id));
    product_fields.insert("trailaudit/Status".into(), json!(r.status));
    if let Some(state) = r.baseline {
        product_fields.insert("trailaudit/Baseline".into(), json!(state));
    }
    for value in product_fields.values_mut() {
        if let Json::String(s) = value {
            *s = cut(s, FIELD_VALUE_MAX);
        }
    }

    let mut out = json!({
        "SchemaVersion": SCHEMA_VERSION,
        "Id": r.fingerprint(),
        "ProductArn": format!("arn:{partition}:securityhub:{region}:{account}:product/{account}/default", account = r.account),
        "ProductName": "trailaudit",
        "CompanyName": "trailaudit",
        "Region": region,
        "GeneratorId": r.rule_id,
        "AwsAccountId": r.account,
        "Types": platform::finding_types(rule),
        "CreatedAt": at,
        "UpdatedAt": at,
        "Severity": {"Label": label(r.severity), "Original": r.severity.as_str()},
        // What a finding provider updates severity and types through once the finding exists.
        "FindingProviderFields": {
            "Severity": {"Label": label(r.severity), "Original": r.severity.as_str()},
            "Types": platform::finding_types(rule),
        },
        "Title": cut(title, TITLE_MAX),
        "Description": cut(&description, DESCRIPTION_MAX),
        "Resources": [resource],
        "Compliance": compliance,
        "Workflow": {"Status": workflow},
        "RecordState": "ACTIVE",
        "ProductFields": product_fields,
    });
    if let Some(rule) = rule {
        let fix = &rule.meta.custom.remediation;
        let text = match fix.cli.trim() {
            "" => fix.console.trim().to_owned(),
            cli => format!("{} AWS CLI: {cli}", fix.console.trim()),
        };
        out["Remediation"] =
            json!({"Recommendation": {"Text": cut(&text, RECOMMENDATION_MAX), "Url": platform::rule_url(Some(rule), &r.rule_id)}});
    }
    if let Some(w) = &r.waiver {
        let until = w.expires.as_deref().map_or(String::new(), |d| format!(", until {d}"));
        out["Note"] = json!({
            "Text": cut(&format!("Waived by trailaudit: {} (owner {}{until})", w.reason.trim(), w.owner.trim()), NOTE_MAX),
            "UpdatedBy": cut(&w.owner, FIELD_VALUE_MAX),
            "UpdatedAt": at,
        });
    }
    out
}

/// Writes the findings as one JSON array, a finding at a time.
pub fn write(audit: &Audit, out: &mut dyn Write) -> std::io::Result<()> {
    platform::write_array(audit, out, &|r, rule| finding(audit, r, rule))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::mixed;
    use crate::report::{Format, RenderOptions, render};

    fn findings(audit: &Audit) -> Vec<Json> {
        serde_json::from_str(&render(audit, Format::Asff, &RenderOptions::default())).unwrap()
    }

    #[test]
    fn cut_keeps_short_text_and_cuts_long_text_on_a_character() {
        assert_eq!(cut("  short ", 10), "short");
        let long = "é".repeat(300);
        let c = cut(&long, TITLE_MAX);
        assert_eq!(c.chars().count(), TITLE_MAX);
        assert!(c.ends_with('…'));
        assert_eq!(cut(&"x".repeat(256), 256).chars().count(), 256, "exactly the limit is kept whole");
    }

    #[test]
    fn findings_carry_the_documented_fields() {
        let audit = mixed();
        let f = findings(&audit);
        assert_eq!(f.len(), audit.results.len());
        assert_eq!(f[0]["SchemaVersion"], "2018-10-08");
        assert_eq!(f[0]["Id"], audit.results[0].fingerprint());
        assert_eq!(f[0]["GeneratorId"], "CT-101");
        assert_eq!(f[0]["ProductArn"], "arn:aws:securityhub:us-east-1:111111111111:product/111111111111/default");
        assert_eq!(f[0]["Severity"]["Label"], "HIGH");
        assert_eq!(f[0]["FindingProviderFields"]["Severity"], f[0]["Severity"]);
        assert_eq!(f[0]["FindingProviderFields"]["Types"], f[0]["Types"]);
        assert_eq!(f[0]["Compliance"]["RelatedRequirements"][0], "cis-aws-v5.0/3.2");
        let statuses: Vec<&str> = f.iter().map(|x| x["Compliance"]["Status"].as_str().unwrap()).collect();
        assert_eq!(statuses, ["FAILED", "PASSED", "NOT_AVAILABLE", "FAILED"]);
        let workflow: Vec<&str> = f.iter().map(|x| x["Workflow"]["Status"].as_str().unwrap()).collect();
        assert_eq!(workflow, ["NEW", "RESOLVED", "NEW", "SUPPRESSED"]);
        assert!(f[3]["Note"]["Text"].as_str().unwrap().contains("migrating"));
        assert_eq!(f[0]["Remediation"]["Recommendation"]["Text"], "Fix it. AWS CLI: aws fix");
        assert!(f[2]["Description"].as_str().unwrap().starts_with("Could not be judged: x failed"));
    }

    #[test]
    fn a_global_result_is_imported_in_the_first_region() {
        let mut audit = mixed();
        audit.metadata.regions = vec!["eu-west-1".into(), "us-east-1".into()];
        audit.results[0].region = None;
        let f = findings(&audit);
        assert_eq!(f[0]["Region"], "eu-west-1");
        assert!(f[0]["ProductArn"].as_str().unwrap().starts_with("arn:aws:securityhub:eu-west-1:"));
        assert_eq!(f[0]["Resources"][0].get("Region"), None);
    }

    #[test]
    fn long_texts_are_cut_to_the_asff_limits() {
        let mut audit = mixed();
        audit.rules[0].meta.title = "T".repeat(1000);
        audit.rules[0].meta.description = "D ".repeat(2000);
        audit.rules[0].meta.custom.remediation.console = "C".repeat(1000);
        audit.results[0].message = "M".repeat(5000);
        let f = findings(&audit);
        let len = |v: &Json| v.as_str().unwrap().chars().count();
        assert_eq!(len(&f[0]["Title"]), TITLE_MAX);
        assert_eq!(len(&f[0]["Description"]), DESCRIPTION_MAX);
        assert_eq!(len(&f[0]["Remediation"]["Recommendation"]["Text"]), RECOMMENDATION_MAX);
    }
}
