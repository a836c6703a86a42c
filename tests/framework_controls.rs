//! The per-control table of every framework on every bundled fixture, pinned with
//! insta (`tests/snapshots/framework_controls__<framework>.snap`): each control's
//! status comes from its own rules only, so a mapping change shows here as a
//! changed verdict. Review changes with `cargo insta review` (or `INSTA_UPDATE=always`
//! and read the diff).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use trailaudit::config::Config;
use trailaudit::evaluate::{AuditOptions, audit};
use trailaudit::finding::{Audit, ControlStatus};
use trailaudit::pack::{Pack, PackSource};
use trailaudit::report::{Format, RenderOptions, render};

const FIXTURES: &[&str] = &["advanced_selectors", "compliant", "no_trail", "noncompliant", "organization", "partial_collection"];

fn run(name: &str) -> Audit {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config_path = root.join(format!("fixtures/{name}/trailaudit.yaml"));
    let config = if config_path.exists() { Config::load(&config_path).unwrap() } else { Config::default() };
    let rel = PathBuf::from(format!("fixtures/{name}/snapshot.json"));
    let (snapshot, text) = trailaudit::snapshot::load_file(&root.join(&rel)).unwrap();
    let pack = Pack::load(&PackSource { builtin: true, dirs: vec![] }).unwrap();
    let options = AuditOptions {
        fail_on: trailaudit::finding::Severity::Low,
        only_rules: None,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
        snapshot_path: Some(rel),
        progress: false,
    };
    audit(&snapshot, Some(&text), &pack, &config, &options).0
}

fn label(s: ControlStatus) -> &'static str {
    match s {
        ControlStatus::Pass => "pass",
        ControlStatus::Fail => "fail",
        ControlStatus::Error => "error",
        ControlStatus::Waived => "waived",
        ControlStatus::NotCovered => "not covered",
        ControlStatus::NoSubjects => "no subjects",
        ControlStatus::Manual => "manual",
    }
}

#[test]
fn per_control_table_of_every_framework_on_every_fixture() {
    let audits: Vec<(&str, Audit)> = FIXTURES.iter().map(|name| (*name, run(name))).collect();
    for framework in trailaudit::pack::frameworks::builtin() {
        let mut out = String::new();
        let _ = writeln!(out, "{} ({} controls)", framework.key, framework.controls.len());
        for (name, a) in &audits {
            let summary = trailaudit::triage::frameworks::summarize(a, &framework);
            let _ = writeln!(out, "\n## {name}");
            for c in &summary.controls {
                let counts = format!("{}p {}f {}e {}w", c.passed, c.failed, c.errors, c.waived);
                let manual = if c.manual.is_some() { " [manual in the benchmark]" } else { "" };
                let detail = c.note.clone().unwrap_or_else(|| c.rules.join(", "));
                let _ = writeln!(out, "{:<14} {:<12} {counts:<12} {detail}{manual}", c.id, label(c.status));
            }
        }
        insta::assert_snapshot!(framework.key.clone(), out);
    }
}

/// Issue 12's "done when": with CIS v7.0.0 every control has a verdict (pass,
/// fail, error), is not covered with a reason, or is manual. The account-level
/// controls never read "no subjects": an account without a trail or a bucket
/// gets a verdict. Only a per-resource control on an account without such a
/// resource (no trail, no customer managed key) has nothing to judge, and says so.
#[test]
fn cis_v7_controls_have_a_verdict_a_reason_or_say_what_is_missing() {
    let framework = trailaudit::pack::frameworks::find("cis-aws-v7.0").unwrap();
    let account_level = ["4.1", "4.3", "4.8", "4.9", "5.1", "5.5", "5.10", "5.15"];
    for name in FIXTURES {
        let summary = trailaudit::triage::frameworks::summarize(&run(name), &framework);
        assert_eq!(summary.controls.len(), 26, "4.1-4.10 and 5.1-5.16");
        for c in &summary.controls {
            match c.status {
                ControlStatus::Pass | ControlStatus::Fail | ControlStatus::Error => assert!(!c.rules.is_empty(), "{name} {}", c.id),
                ControlStatus::NotCovered => {
                    assert!(["4.7", "4.10", "5.16"].contains(&c.id.as_str()), "{name} {} is not covered", c.id);
                    assert!(c.note.as_deref().is_some_and(|n| n.contains("outside CloudTrail")), "{name} {}: {:?}", c.id, c.note);
                }
                ControlStatus::NoSubjects => {
                    assert!(!account_level.contains(&c.id.as_str()), "{name} {}: an account-level control has a verdict", c.id);
                    assert!(c.note.as_deref().is_some_and(|n| n.starts_with("nothing to judge: no ")), "{name} {}: {:?}", c.id, c.note);
                }
                ControlStatus::Manual | ControlStatus::Waived => panic!("{name} {}: {:?}", c.id, c.status),
            }
        }
        let manual: Vec<&str> = summary.controls.iter().filter(|c| c.manual.is_some()).map(|c| c.id.as_str()).collect();
        assert_eq!(manual.len(), 17, "{name}: 4.1, 4.4, 5.1-5.15 are manual in v7.0.0: {manual:?}");
    }
    // The headline of issue 12: no trail at all is a failure of the S3 object-level
    // logging controls, not "no subjects".
    let summary = trailaudit::triage::frameworks::summarize(&run("no_trail"), &framework);
    let status = |id: &str| summary.controls.iter().find(|c| c.id == id).unwrap().status;
    assert_eq!((status("4.8"), status("4.9")), (ControlStatus::Fail, ControlStatus::Fail));
}

/// How the text and Markdown reports show a per-control table with manual and
/// not-covered controls: the verdict stays, "manual" is a remark; a not covered
/// control gives its reason; a control with no rule and a `manual:` text reads
/// "manual" with that text.
#[test]
fn text_and_markdown_show_manual_and_not_covered_controls() {
    let mut a = run("noncompliant");
    let mut framework = trailaudit::pack::frameworks::find("cis-aws-v7.0").unwrap();
    // A user framework's control that no rule serves, assessed by hand.
    framework.controls.push(trailaudit::pack::frameworks::Control {
        id: "9.9".into(),
        title: "Review the logging owners <quarterly>".into(),
        not_covered: None,
        manual: Some("ask the owner of each trail | once a quarter".into()),
    });
    a.framework = Some(trailaudit::triage::frameworks::summarize(&a, &framework));
    let text = render(&a, Format::Text, &RenderOptions::default());
    let line = |needle: &str| text.lines().find(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle}: {text}")).to_owned();
    assert!(
        line("Ensure CloudTrail is enabled in all regions")
            .contains("FAIL   Ensure CloudTrail is enabled in all regions  rules CT-001; manual in the benchmark")
    );
    assert!(line("Ensure VPC flow logging").contains("NOT COVERED Ensure VPC flow logging is enabled in all VPCs  needs ec2:DescribeVpcs"));
    assert!(
        line("Review the logging owners")
            .contains("MANUAL Review the logging owners <quarterly>  ask the owner of each trail | once a quarter")
    );
    assert!(
        line("Ensure rotation for customer-created").contains("NO SUBJECTS")
            && line("Ensure rotation").contains("nothing to judge: no kms-key in this snapshot (rules KMS-001)")
    );
    let md = render(&a, Format::Markdown, &RenderOptions::default());
    let row = |id: &str| md.lines().find(|l| l.starts_with(&format!("| {id} |"))).unwrap_or_else(|| panic!("{id}: {md}")).to_owned();
    assert_eq!(row("4.1"), "| 4.1 | Ensure CloudTrail is enabled in all regions | ❌ fail | CT-001 (manual in the benchmark) |");
    assert!(row("4.10").contains("| ➖ not covered | needs the access-log settings of CloudFront distributions"), "{}", row("4.10"));
    assert!(row("9.9").contains("| ✋ manual | ask the owner of each trail \\| once a quarter |"), "{}", row("9.9"));
    assert!(row("9.9").contains("| Review the logging owners &lt;quarterly&gt; |"), "{}", row("9.9"));
}

/// The benchmark's assessment column (../shared/reference/controls.md): which
/// controls each CIS version assesses manually, as the framework files mark them.
#[test]
fn manual_controls_follow_each_benchmark_version() {
    let range = |section: u32, from: u32, to: u32| (from..=to).map(move |n| format!("{section}.{n}"));
    let expected: [(&str, Vec<String>); 5] = [
        ("cis-aws-v3.0", vec![]),
        ("cis-aws-v4.0", range(4, 2, 15).collect()),
        ("cis-aws-v5.0", ["3.1".to_owned(), "3.4".to_owned()].into_iter().chain(range(4, 1, 15)).collect()),
        ("cis-aws-v6.0", ["4.1".to_owned(), "4.4".to_owned()].into_iter().chain(range(5, 1, 15)).collect()),
        ("cis-aws-v7.0", ["4.1".to_owned(), "4.4".to_owned()].into_iter().chain(range(5, 1, 15)).collect()),
    ];
    for (key, manual) in expected {
        let framework = trailaudit::pack::frameworks::find(key).unwrap();
        let got: Vec<String> = framework.controls.iter().filter(|c| c.manual.is_some()).map(|c| c.id.clone()).collect();
        assert_eq!(got, manual, "{key}");
    }
    // v7.0.0 4.10 is manual in the benchmark too, but outside CloudTrail: not covered, with the reason.
    let v7 = trailaudit::pack::frameworks::find("cis-aws-v7.0").unwrap();
    let web = v7.controls.iter().find(|c| c.id == "4.10").unwrap();
    assert!(web.manual.is_none() && web.not_covered.as_deref().is_some_and(|r| r.contains("CloudFront")), "{web:?}");
}
