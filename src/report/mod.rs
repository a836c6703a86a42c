//! Reporters: one module per format behind [`write`] (and [`render`], the same
//! into a string). Each takes the whole [`Audit`] and reads its results one at
//! a time, in report order, through [`Audit::for_each_result`], whether they are
//! held in memory or spilled to disk; where the bytes go is the caller's business.

mod asff;
pub mod earlier;
mod escape;
mod json;
mod junit;
mod markdown;
mod ocsf;
mod platform;
mod sarif;
mod text;
mod triage_order;

pub use escape::{markdown as escape_markdown, message as escape_message, terminal as escape_terminal};
pub use json::{JsonReport, REPORT_VERSION};

use crate::finding::Audit;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Markdown,
    Junit,
    Ocsf,
    Asff,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// ANSI colour in the text report; the caller decides (a TTY, no NO_COLOR).
    pub color: bool,
    /// Largest Markdown report, in bytes (`--markdown-max-bytes`): rows of
    /// findings and fixed results beyond it are counted instead of listed.
    pub markdown_max_bytes: Option<usize>,
    /// List every passing result in the text and Markdown reports (`--show-passes`);
    /// without it they are counted.
    pub show_passes: bool,
}

/// The whole report as text (tests, `--baseline`'s own report, small outputs).
pub fn render(audit: &Audit, format: Format, options: &RenderOptions) -> String {
    let mut out = Vec::new();
    write(audit, format, options, &mut out).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("reports are UTF-8")
}

/// Writes the report to `out`. JSON, SARIF, OCSF and ASFF are serialized straight into
/// it: for a large organization they run to a hundred megabytes, which need
/// not be held in memory on top of the audit.
pub fn write(audit: &Audit, format: Format, options: &RenderOptions, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    match format {
        Format::Json => json::write(audit, out),
        Format::Sarif => sarif::write(audit, out),
        // Text and Markdown order findings across rules (triage order): they
        // read a spilled audit's findings back into memory (its passes only
        // with --show-passes; they are counted otherwise). JUnit builds its
        // document in memory with `quick-junit`, every result a test case.
        Format::Text => out.write_all(text::render(&*audit.listed(options.show_passes)?, options.color, options.show_passes).as_bytes()),
        Format::Markdown => out
            .write_all(markdown::render(&*audit.listed(options.show_passes)?, options.markdown_max_bytes, options.show_passes).as_bytes()),
        Format::Junit => out.write_all(junit::render(&*audit.held()?).as_bytes()),
        Format::Ocsf => ocsf::write(audit, out),
        Format::Asff => asff::write(audit, out),
    }
}

/// Results worth listing one by one: everything but passes.
#[cfg(test)]
fn is_finding(status: crate::finding::Status) -> bool {
    status != crate::finding::Status::Pass
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::finding::{Audit, Rule, RuleResult, Severity, Status};

    fn rule(id: &str, severity: Severity) -> Rule {
        let yaml = format!(
            "title: Title of {id}\ndescription: Why {id} matters.\ncustom:\n  id: {id}\n  severity: {severity}\n  subject: trail\n  requires: [cloudtrail:DescribeTrails]\n  frameworks: {{cis-aws-v5.0: ['3.2']}}\n  remediation: {{console: Fix it., cli: aws fix}}\n"
        );
        Rule::for_tests(&yaml, &format!("trailaudit.test.{}", id.to_lowercase().replace('-', "_")), "policies/test.rego")
    }

    fn result(rule_id: &str, status: Status, severity: Severity, resource: &str, message: &str) -> RuleResult {
        RuleResult {
            rule_id: rule_id.into(),
            status,
            severity,
            account: "111111111111".into(),
            region: Some("us-east-1".into()),
            resource: resource.into(),
            message: message.into(),
            evidence: serde_json::json!({}),
            waiver: None,
            snapshot_line: Some(7),
            baseline: None,
        }
    }

    pub(crate) fn mixed() -> Audit {
        let hostile = "arn:aws:cloudtrail:us-east-1:111111111111:trail/a|b`<script>alert(1)</script>\u{1b}[31m\nx";
        Audit {
            metadata: crate::snapshot::Metadata::example(),
            snapshot_path: Some("fixtures/x/snapshot.json".into()),
            rules: vec![rule("CT-101", Severity::High), rule("CT-102", Severity::Low)],
            spill: None,
            results: vec![
                result("CT-101", Status::Fail, Severity::High, hostile, "trail *bold* | pipe\u{1b}[2J"),
                result("CT-101", Status::Pass, Severity::High, "arn:ok", "fine"),
                result("CT-102", Status::Error, Severity::Low, "arn:e", "cannot be judged: x failed"),
                RuleResult {
                    waiver: Some(crate::finding::AppliedWaiver {
                        reason: "migrating".into(),
                        owner: "team-platform".into(),
                        expires: Some("2027-01-31".into()),
                        original_status: Status::Fail,
                    }),
                    ..result("CT-102", Status::Waived, Severity::Low, "arn:w", "waived one")
                },
            ],
            fail_on: Severity::Low.into(),
            account_ids: vec!["111111111111".into()],
            framework: None,
            warnings: Vec::new(),
            baseline: None,
            missing_permissions: Vec::new(),
        }
    }

    /// An organisation's worth of failures in a capped Markdown report: whole
    /// rows only, under the cap, and a note whose counts add up.
    #[test]
    fn markdown_under_a_cap_lists_what_fits_and_counts_the_rest() {
        let mut audit = mixed();
        for i in 0..2_000 {
            let rule_id = if i % 2 == 0 { "CT-101" } else { "CT-102" };
            audit.results.push(result(
                rule_id,
                Status::Fail,
                Severity::High,
                &format!("arn:aws:s3:::bucket-{i:05}"),
                "not encrypted with a customer managed key",
            ));
        }
        let findings = audit.results.iter().filter(|r| is_finding(r.status)).count();
        let full = render(&audit, Format::Markdown, &RenderOptions::default());
        assert!(full.len() > 100_000, "{}", full.len());
        assert!(!full.contains("Not listed"), "no cap, no note");

        audit.results.push(result("CT-103", Status::Fail, Severity::Critical, "arn:aws:s3:::logs", "publicly accessible"));
        audit.rules.push(rule("CT-103", Severity::Critical));
        let findings = findings + 1;
        let full = render(&audit, Format::Markdown, &RenderOptions::default());
        let max = 20_000;
        let capped = render(&audit, Format::Markdown, &RenderOptions { markdown_max_bytes: Some(max), ..RenderOptions::default() });
        assert!(capped.len() <= max, "{} bytes", capped.len());
        assert!(capped.starts_with(&full[..full.find("## Findings").unwrap()]), "the summary tables stay whole");
        let listed = capped.lines().filter(|l| l.starts_with("| ❌") || l.starts_with("| ⚠️") || l.starts_with("| 💤")).count();
        let note = capped.lines().find(|l| l.contains("Not listed")).expect("a note says what was left out");
        let omitted: usize = note.split("Not listed: ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
        assert!(listed > 0 && omitted > 0);
        assert_eq!(listed + omitted, findings, "{note}");
        assert!(note.contains(&format!("of {findings} findings")) && note.contains("20000 bytes"), "{note}");
        assert!(capped.lines().all(|l| !l.starts_with('|') || l.ends_with('|')), "no row is cut");
        let (critical, high) = (capped.find("### CT-103").unwrap(), capped.find("### CT-101").unwrap());
        assert!(critical < high, "the most severe rule comes first when the report is cut");
        assert!(!capped.contains("### CT-102"), "the least severe rule is what is left out");

        let roomy =
            render(&audit, Format::Markdown, &RenderOptions { markdown_max_bytes: Some(full.len() + 1_000), ..RenderOptions::default() });
        assert_eq!(roomy, full, "a cap the report fits under changes nothing");
    }

    /// `mixed()` compared with a baseline in which the hostile failure and the
    /// error were known and a hostile-named bucket failed (fixed now), plus a
    /// stale waiver with hostile text.
    fn with_baseline_and_warnings() -> Audit {
        let mut audit = mixed();
        let hostile_fixed = "arn:aws:s3:::b|`x`<img src=x onerror=alert(1)>\nline";
        let baseline = serde_json::json!({
            "report_version": 1,
            "results": [
                {"rule_id": "CT-101", "status": "fail", "severity": "high", "account": "111111111111", "region": "us-east-1",
                 "resource": audit.results[0].resource, "message": "old"},
                {"rule_id": "CT-102", "status": "error", "severity": "low", "account": "111111111111", "region": "us-east-1",
                 "resource": "arn:e", "message": "old"},
                {"rule_id": "CT-101", "status": "fail", "severity": "high", "account": "111111111111", "region": null,
                 "resource": hostile_fixed, "message": "was | *public* <b>"}
            ]
        });
        let baseline = crate::triage::Baseline::parse(&baseline.to_string(), std::path::Path::new("base.json")).unwrap();
        baseline.compare(&mut audit, true).unwrap();
        audit.warnings.push(crate::finding::Warning {
            kind: crate::finding::WarningKind::WaiverStale,
            message: "waiver for CT-101 on `a|b<script>` (owner `x`) is stale".into(),
            waiver: crate::finding::WaiverRef {
                rule: "CT-101".into(),
                resource: "a|b<script>".into(),
                account: None,
                owner: "`x`".into(),
                expires: "2027-01-01".into(),
            },
        });
        audit
    }

    #[test]
    fn baseline_and_warning_sections_escape_hostile_strings() {
        let audit = with_baseline_and_warnings();
        let md = render(&audit, Format::Markdown, &RenderOptions::default());
        assert!(md.contains("## Fixed since the baseline"), "{md}");
        assert!(md.contains("## Warnings"), "{md}");
        assert!(md.contains("**0 new** failing, 1 unchanged, 1 fixed (only new failures fail the run)"), "{md}");
        assert!(!md.contains("<img") && !md.contains("<script>") && !md.contains("<b>"), "{md}");
        let fixed_row = md.lines().find(|l| l.contains("arn:aws:s3:::b")).unwrap();
        assert_eq!(fixed_row.matches(" | ").count() + 2, 6, "hostile pipes add no column: {fixed_row}");
        assert!(fixed_row.contains("\\`x\\`") && fixed_row.contains("&lt;img"), "{fixed_row}");
        let warning = md.lines().find(|l| l.starts_with("- ⚠️")).unwrap();
        assert!(warning.contains("a\\|b&lt;script&gt;") && warning.contains("\\`x\\`"), "{warning}");
        assert!(md.contains("❌ fail (unchanged)") && md.contains("⚠️ error (unchanged)"), "{md}");

        let text = render(&audit, Format::Text, &RenderOptions { color: false, ..RenderOptions::default() });
        assert!(text.contains("Fixed since the baseline") && text.contains("Warnings"), "{text}");
        assert!(text.contains("Baseline: 0 new failing, 1 unchanged, 1 fixed"), "{text}");
        assert!(!text.lines().any(|l| l.contains("onerror") && !l.contains("\\u{a}line")), "newline escaped: {text}");

        let json: serde_json::Value = serde_json::from_str(&render(&audit, Format::Json, &RenderOptions::default())).unwrap();
        assert_eq!(json["summary"]["baseline"], serde_json::json!({"new": 0, "unchanged": 1, "fixed": 1, "out_of_window": 0}));
        assert_eq!(json["fixed"][0]["resource"], hostile_resource_of(&audit));
        assert_eq!(json["warnings"][0]["kind"], "waiver-stale");
        assert_eq!(json["results"][0]["baseline"], "unchanged");
        assert_eq!(json["results"][1].get("baseline"), None, "a pass has no baseline state");
        assert_eq!(json["results"][3]["baseline"], "new", "the waived result was not in the baseline");
        assert_eq!(json["summary"]["exit_code"], 3, "the only failure is unchanged (--fail-on-new); the error still counts");
    }

    fn hostile_resource_of(audit: &Audit) -> String {
        audit.baseline.as_ref().unwrap().fixed[0].resource.clone()
    }

    #[test]
    fn hostile_strings_cannot_break_markdown_or_the_terminal() {
        let audit = mixed();
        let md = render(&audit, Format::Markdown, &RenderOptions::default());
        assert!(!md.contains("<script>") && md.contains("&lt;script&gt;"), "{md}");
        assert!(!md.contains('\u{1b}'));
        let row = md.lines().find(|l| l.contains("trail/a")).unwrap();
        assert_eq!(row.matches(" | ").count() + 2, 6, "the hostile pipe must not add a column: {row}");
        let text = render(&audit, Format::Text, &RenderOptions { color: false, ..RenderOptions::default() });
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.contains("1 passed, 1 failed, 1 error, 1 waived"), "{text}");
        let colored = render(&audit, Format::Text, &RenderOptions { color: true, ..RenderOptions::default() });
        assert!(colored.contains("\u{1b}["), "colour when asked");
    }

    #[test]
    fn sarif_has_one_result_per_fail_error_and_waived_with_stable_fingerprints() {
        let audit = mixed();
        let sarif: serde_json::Value = serde_json::from_str(&render(&audit, Format::Sarif, &RenderOptions::default())).unwrap();
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 3, "pass is not an alert");
        let levels: Vec<&str> = results.iter().map(|r| r["level"].as_str().unwrap()).collect();
        assert_eq!(levels, ["error", "error", "note"], "high fail → error, low error → error, low waived → note");
        assert!(results[2]["suppressions"][0]["justification"].as_str().is_some());
        assert_eq!(results[0]["locations"][0]["physicalLocation"]["region"]["startLine"], 7);
        let rules = sarif["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules[0]["properties"]["security-severity"], "8.0");
        assert!(rules[0]["properties"]["tags"].as_array().unwrap().contains(&serde_json::json!("cis-aws-v5.0/3.2")));
        let again: serde_json::Value = serde_json::from_str(&render(&audit, Format::Sarif, &RenderOptions::default())).unwrap();
        let fp = |v: &serde_json::Value, i: usize| v["runs"][0]["results"][i]["partialFingerprints"]["trailaudit/v1"].clone();
        assert_eq!(fp(&sarif, 0), fp(&again, 0));
        assert_ne!(fp(&sarif, 0), fp(&sarif, 1));
    }

    #[test]
    fn json_report_has_the_documented_fields() {
        let json: serde_json::Value = serde_json::from_str(&render(&mixed(), Format::Json, &RenderOptions::default())).unwrap();
        assert_eq!(json["report_version"], 1);
        assert_eq!(json["summary"]["by_status"]["waived"], 1);
        assert_eq!(json["summary"]["exit_code"], 1);
        let first = &json["results"][0];
        for key in ["rule_id", "title", "status", "severity", "account", "region", "resource", "message", "evidence", "frameworks"] {
            assert!(first.get(key).is_some(), "missing {key}");
        }
        assert_eq!(first["frameworks"]["cis-aws-v5.0"][0], "3.2");
    }
}
