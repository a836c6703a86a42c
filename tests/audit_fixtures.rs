//! Golden reports of every bundled fixture (JSON, SARIF, Markdown) pinned with
//! insta, and the headline verdicts fixtures/README.md promises.
//!
//! Review changes with `cargo insta review` (or `INSTA_UPDATE=always` and read the diff).

use std::path::{Path, PathBuf};

use trailaudit::config::Config;
use trailaudit::policy::{Audit, AuditOptions, BaselineState, Pack, PackSource, Severity, Status, WarningKind, audit};
use trailaudit::report::{Format, RenderOptions, render};

const FIXTURES: &[&str] = &["advanced_selectors", "compliant", "no_trail", "noncompliant", "organization", "partial_collection"];

fn run(name: &str) -> Audit {
    run_with(name, "trailaudit.yaml")
}

/// Audits `fixtures/<name>` with `fixtures/<name>/<config>` when that file exists.
fn run_with(name: &str, config: &str) -> Audit {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rel = PathBuf::from(format!("fixtures/{name}/snapshot.json"));
    let (snapshot, text) = trailaudit::snapshot::load_file(&root.join(&rel)).unwrap();
    let config_path = root.join(format!("fixtures/{name}/{config}"));
    let config = if config_path.exists() { Config::load(&config_path).unwrap() } else { Config::default() };
    let pack = Pack::load(&PackSource { builtin: true, dirs: vec![] }).unwrap();
    let options = AuditOptions {
        fail_on: Severity::Low,
        only_rules: None,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
        snapshot_path: Some(rel),
    };
    audit(&snapshot, Some(&text), &pack, &config, &options).0
}

/// The tool version changes with every release; the reports must not.
fn redact(text: &str) -> String {
    text.replace(env!("CARGO_PKG_VERSION"), "[VERSION]")
}

#[test]
fn golden_reports() {
    for name in FIXTURES {
        let audit = run(name);
        for (format, ext) in [(Format::Json, "json"), (Format::Sarif, "sarif"), (Format::Markdown, "md")] {
            let text = redact(&render(&audit, format, &RenderOptions::default()));
            insta::assert_snapshot!(format!("{name}.{ext}"), text);
        }
    }
}

/// The noncompliant fixture with `waivers.yaml` (applied, expired, stale) and
/// compared with `baseline.json` (new, unchanged, fixed), in every format.
fn noncompliant_with_baseline_and_waivers() -> Audit {
    let mut audit = run_with("noncompliant", "waivers.yaml");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/noncompliant/baseline.json");
    let mut baseline = trailaudit::policy::Baseline::load(&path).unwrap();
    baseline.path = PathBuf::from("fixtures/noncompliant/baseline.json");
    baseline.compare(&mut audit, true);
    audit
}

#[test]
fn golden_reports_with_baseline_and_waivers() {
    let audit = noncompliant_with_baseline_and_waivers();
    for (format, ext) in [(Format::Json, "json"), (Format::Sarif, "sarif"), (Format::Markdown, "md"), (Format::Junit, "junit.xml")] {
        let text = redact(&render(&audit, format, &RenderOptions::default()));
        insta::assert_snapshot!(format!("noncompliant_baseline_waivers.{ext}"), text);
    }
}

#[test]
fn baseline_and_waivers_verdicts() {
    let a = noncompliant_with_baseline_and_waivers();
    let state = |rule: &str| a.results.iter().find(|r| r.rule_id == rule).map(|r| (r.status, r.baseline)).unwrap();
    // CT-005 on app-trail is missing from the baseline: the one new failure.
    assert_eq!(state("CT-005"), (Status::Fail, Some(BaselineState::New)));
    assert_eq!(state("CT-006"), (Status::Fail, Some(BaselineState::Unchanged)));
    // Waived by the live waiver, failing (unwaived) in the baseline: still the same finding.
    assert_eq!(state("CT-007"), (Status::Waived, Some(BaselineState::Unchanged)));
    assert_eq!(a.results.iter().find(|r| r.rule_id == "CT-007").unwrap().waiver.as_ref().unwrap().owner, "platform-team");
    // The expired CT-004 waiver does not apply.
    assert_eq!(state("CT-004"), (Status::Fail, Some(BaselineState::Unchanged)));
    let fixed: Vec<&str> = a.baseline.as_ref().unwrap().fixed.iter().map(|f| f.resource.as_str()).collect();
    assert_eq!(fixed, ["arn:aws:cloudtrail:us-east-1:222222222222:trail/old-trail"]);
    let kinds: Vec<(WarningKind, &str)> = a.warnings.iter().map(|w| (w.kind, w.waiver.rule.as_str())).collect();
    assert_eq!(kinds, [(WarningKind::WaiverExpired, "CT-004"), (WarningKind::WaiverStale, "CT-006")]);
    assert_eq!(a.summary().baseline.map(|b| (b.new, b.unchanged, b.fixed)), Some((1, 8, 1)));
    assert_eq!(a.outcome() as u8, 1, "the new CT-005 failure (medium) fails the run");
    let mut high = a.clone();
    high.fail_on = Severity::High;
    assert_eq!(high.outcome() as u8, 0, "with --fail-on high only unchanged failures are at or above it");
}

fn statuses(audit: &Audit, rule: &str) -> Vec<(String, Status)> {
    audit.results.iter().filter(|r| r.rule_id == rule).map(|r| (r.resource.clone(), r.status)).collect()
}

fn only(audit: &Audit, rule: &str, status: Status) -> bool {
    let s = statuses(audit, rule);
    !s.is_empty() && s.iter().all(|(_, st)| *st == status)
}

#[test]
fn compliant_passes_everything() {
    let a = run("compliant");
    assert!(a.results.iter().all(|r| r.status == Status::Pass), "{:#?}", a.results.iter().filter(|r| r.status != Status::Pass).collect::<Vec<_>>());
    for rule in ["CT-001", "CT-002", "CT-003", "CT-004", "CT-005", "CT-006", "CT-007", "CT-008"] {
        assert!(only(&a, rule, Status::Pass), "{rule} has no passing subject");
    }
    assert_eq!(a.outcome() as u8, 0);
}

#[test]
fn noncompliant_fails_each_issue_two_rule() {
    let a = run("noncompliant");
    for rule in ["CT-001", "CT-002", "CT-004", "CT-005", "CT-006", "CT-007", "CT-008"] {
        assert!(only(&a, rule, Status::Fail), "{rule}: {:?}", statuses(&a, rule));
    }
    let public = a.results.iter().find(|r| r.rule_id == "CT-006").unwrap();
    assert!(public.message.contains("Principal *") && public.message.contains("AllUsers"), "{}", public.message);
    assert!(a.results.iter().all(|r| r.status != Status::Error));
    assert_eq!(a.outcome() as u8, 1);
}

#[test]
fn no_trail_fails_the_account_and_the_sensitive_bucket() {
    let a = run("no_trail");
    assert!(only(&a, "CT-001", Status::Fail));
    assert!(only(&a, "CT-002", Status::Fail));
    assert!(statuses(&a, "CT-005").is_empty(), "no trail, no trail-level subject");
}

#[test]
fn organization_member_is_covered_by_the_management_trail() {
    let a = run("organization");
    let member = a.results.iter().find(|r| r.rule_id == "CT-001" && r.account == "555555555555").unwrap();
    assert_eq!(member.status, Status::Pass);
    assert!(member.message.contains("organization trail") && member.message.contains("444444444444"), "{}", member.message);
    assert!(only(&a, "CT-002", Status::Pass));
    // The organization trail is judged once, in its owner's account.
    assert!(a.results.iter().filter(|r| r.rule_id == "CT-005").all(|r| r.account == "444444444444"));
}

#[test]
fn advanced_selectors_are_judged_by_what_they_select() {
    let a = run("advanced_selectors");
    let verdict = |bucket: &str| {
        a.results
            .iter()
            .find(|r| r.rule_id == "CT-002" && r.resource == format!("arn:aws:s3:::{bucket}"))
            .map(|r| (r.status, r.evidence["missing"].clone()))
    };
    assert_eq!(verdict("acme-pii-customers").unwrap().0, Status::Pass);
    assert_eq!(verdict("acme-payroll").unwrap().0, Status::Pass);
    assert_eq!(verdict("acme-pii-scratch").unwrap(), (Status::Fail, serde_json::json!(["read", "write"])));
    assert_eq!(verdict("acme-audit-archive").unwrap(), (Status::Fail, serde_json::json!(["write"])));
    // Writes only, and `eventName NotEquals AbortMultipartUpload` drops one write event too.
    assert_eq!(verdict("acme-hr-documents").unwrap(), (Status::Fail, serde_json::json!(["read", "write"])));
    assert!(verdict("acme-public-website").is_none(), "not sensitive, not judged");
}

#[test]
fn partial_collection_is_error_never_pass() {
    let a = run("partial_collection");
    let errors: Vec<_> = a.results.iter().filter(|r| r.status == Status::Error).collect();
    assert!(errors.iter().any(|r| r.rule_id == "CT-008" && r.resource.ends_with("trail/eu-app-trail")));
    assert!(errors.iter().any(|r| r.rule_id == "CT-006"));
    assert!(!a.results.iter().any(|r| r.rule_id == "CT-006" && r.status == Status::Pass));
    assert!(a.results.iter().all(|r| r.status != Status::Fail));
    assert_eq!(a.outcome() as u8, 3);
}
