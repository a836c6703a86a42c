//! Golden reports of the bundled fixtures, pinned with insta, and the headline
//! verdicts fixtures/README.md promises.
//!
//! **Regenerate every golden in one command** (after merging rules, or an intended
//! change of a rule's results or of a report format), then read the diff:
//!
//! ```sh
//! INSTA_UPDATE=always cargo test --test audit_fixtures golden && git status tests/snapshots && git diff tests/snapshots
//! ```
//!
//! (that run also deletes the golden of a rule that no longer exists; `cargo insta
//! review` works too). The goldens are laid out so that adding a rule touches only
//! its own:
//! - `tests/snapshots/rules/<RULE-ID>.snap`: the rule's results in every fixture, as
//!   the JSON report gives them (one file per rule: a new rule adds one file, a
//!   changed rule changes its own);
//! - `tests/snapshots/audit_fixtures__<fixture>.<format>.snap`: every report format
//!   of every fixture over a fixed selection of rules ([`FORMAT_RULES`]) chosen to
//!   show each feature of the formats (grouped causes, failed calls, detections,
//!   collection errors), so that a new rule does not change them;
//! - `audit_fixtures__noncompliant_baseline_waivers.*`: the run with
//!   `fixtures/noncompliant/{baseline.json,waivers.yaml}` over the rules those two files
//!   name, so that a new rule (failing, hence "new" against the baseline) changes neither
//!   the goldens nor the baseline counts.
//!
//! The rule lists the verdict tests iterate over (event detections, CIS monitoring
//! rules, every rule of the compliant fixture) are read from the pack, not written here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use trailaudit::config::Config;
use trailaudit::evaluate::{AuditOptions, audit};
use trailaudit::finding::{Audit, BaselineState, Severity, Status, SubjectKind, WarningKind};
use trailaudit::pack::{Pack, PackSource};
use trailaudit::report::{Format, RenderOptions, render};

const FIXTURES: &[&str] = &["advanced_selectors", "compliant", "no_trail", "noncompliant", "organization", "partial_collection"];

/// The rules the whole-report goldens of every fixture cover: collection errors,
/// trails, data events on sensitive buckets, KMS, bucket exposure and logging,
/// trail status, two AWS Config rules and two monitoring rules (their shared
/// causes group), two detections (their shared "not collected" cause), key rotation.
const FORMAT_RULES: &[&str] = &[
    "CFG-001", "CFG-002", "COL-001", "CT-001", "CT-002", "CT-004", "CT-005", "CT-006", "CT-007", "CT-008", "EVT-001", "EVT-007", "KMS-001",
    "MON-001", "MON-003",
];

/// The built-in pack, loaded once for all tests of this file.
fn pack() -> &'static Pack {
    static PACK: OnceLock<Pack> = OnceLock::new();
    PACK.get_or_init(|| Pack::load(&PackSource { builtin: true, dirs: vec![] }).unwrap_or_else(|e| panic!("{e}")))
}

/// Ids of the built-in rules whose files lie under `policies/<dir>/`.
fn rules_in(dir: &str) -> Vec<String> {
    let prefix = format!("policies/{dir}/");
    let ids: Vec<String> = pack().rules.iter().filter(|r| r.source_path.starts_with(&prefix)).map(|r| r.id().to_owned()).collect();
    assert!(!ids.is_empty(), "no rules under {prefix}");
    ids
}

fn fixture_config(name: &str) -> Config {
    let config_path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("fixtures/{name}/trailaudit.yaml"));
    if config_path.exists() { Config::load(&config_path).unwrap() } else { Config::default() }
}

fn run(name: &str) -> Audit {
    run_with(name, &fixture_config(name))
}

fn run_with(name: &str, config: &Config) -> Audit {
    run_rules(name, config, None)
}

fn run_rules(name: &str, config: &Config, only_rules: Option<Vec<String>>) -> Audit {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rel = PathBuf::from(format!("fixtures/{name}/snapshot.json"));
    let (snapshot, text) = trailaudit::snapshot::load_file(&root.join(&rel)).unwrap();
    let options = AuditOptions {
        fail_on: Severity::Low,
        only_rules,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
        snapshot_path: Some(rel),
        progress: false,
    };
    audit(&snapshot, Some(&text), pack(), config, &options).0
}

/// The tool version changes with every release; the reports must not.
fn redact(text: &str) -> String {
    text.replace(env!("CARGO_PKG_VERSION"), "[VERSION]")
}

#[test]
fn golden_reports() {
    let selection: Vec<String> = FORMAT_RULES.iter().map(|id| (*id).to_owned()).collect();
    for id in &selection {
        assert!(pack().rule(id).is_some(), "FORMAT_RULES names {id}, which the pack does not have");
    }
    for name in FIXTURES {
        let audit = run_rules(name, &fixture_config(name), Some(selection.clone()));
        for (format, ext) in [(Format::Json, "json"), (Format::Sarif, "sarif"), (Format::Markdown, "md"), (Format::Text, "txt")] {
            let text = redact(&render(&audit, format, &RenderOptions::default()));
            insta::assert_snapshot!(format!("{name}.{ext}"), text);
        }
    }
}

/// One golden per rule: its results in every fixture, as the JSON report has them.
#[test]
fn golden_results_per_rule() {
    let mut by_rule: BTreeMap<String, String> = pack().rules.iter().map(|r| (r.id().to_owned(), String::new())).collect();
    for name in FIXTURES {
        let report: serde_json::Value =
            serde_json::from_str(&redact(&render(&run(name), Format::Json, &RenderOptions::default()))).unwrap();
        let mut grouped: BTreeMap<&str, Vec<&serde_json::Value>> = BTreeMap::new();
        for result in report["results"].as_array().unwrap() {
            grouped.entry(result["rule_id"].as_str().unwrap()).or_default().push(result);
        }
        for (id, text) in &mut by_rule {
            let results = grouped.remove(id.as_str()).unwrap_or_default();
            text.push_str(&format!("== fixtures/{name}: {} result(s)\n", results.len()));
            text.push_str(&serde_json::to_string_pretty(&results).unwrap());
            text.push('\n');
        }
        assert!(grouped.is_empty(), "results of rules the pack does not list: {:?}", grouped.keys());
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/rules");
    let stale: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter(|p| {
            let stem = p.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".snap"));
            stem.is_some_and(|id| !by_rule.contains_key(id))
        })
        .collect();
    if std::env::var("INSTA_UPDATE").is_ok_and(|v| v == "always") {
        for path in &stale {
            std::fs::remove_file(path).unwrap();
        }
    } else {
        assert!(
            stale.is_empty(),
            "goldens of rules the pack no longer has (delete them, or regenerate as the top of this file says): {stale:?}"
        );
    }
    for (id, text) in by_rule {
        insta::with_settings!({snapshot_path => "snapshots/rules", prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!(id, text);
        });
    }
}

/// The CIS 4.1–4.15 monitoring rules (4.10 twice: v3.0/v4.0 and v5.0).
fn monitoring() -> Vec<String> {
    rules_in("monitoring")
}

/// The event-history detections.
fn event_rules() -> Vec<String> {
    rules_in("events")
}

/// The rules `fixtures/noncompliant/baseline.json` and `waivers.yaml` name: the
/// baseline run is limited to them, so a new rule is not "new" against the baseline.
fn baseline_rules() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/noncompliant");
    let baseline: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(root.join("baseline.json")).unwrap()).unwrap();
    let waivers: serde_json::Value = serde_yaml_ng::from_str(&std::fs::read_to_string(root.join("waivers.yaml")).unwrap()).unwrap();
    let mut ids: Vec<String> = baseline["results"]
        .as_array()
        .unwrap()
        .iter()
        .chain(waivers["waivers"].as_array().unwrap())
        .map(|r| r.get("rule_id").or_else(|| r.get("rule")).and_then(serde_json::Value::as_str).unwrap().to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// The noncompliant fixture with `waivers.yaml` (applied, expired, stale) and
/// compared with `baseline.json` (new, unchanged, fixed), over the rules those name.
fn noncompliant_with_baseline_and_waivers() -> Audit {
    let config = Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/noncompliant/waivers.yaml")).unwrap();
    let mut audit = run_rules("noncompliant", &config, Some(baseline_rules()));
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/noncompliant/baseline.json");
    let mut baseline = trailaudit::triage::Baseline::load(&path).unwrap();
    baseline.path = PathBuf::from("fixtures/noncompliant/baseline.json");
    baseline.compare(&mut audit, true).unwrap();
    audit
}

#[test]
fn golden_reports_with_baseline_and_waivers() {
    let audit = noncompliant_with_baseline_and_waivers();
    for (format, ext) in
        [(Format::Json, "json"), (Format::Sarif, "sarif"), (Format::Markdown, "md"), (Format::Text, "txt"), (Format::Junit, "junit.xml")]
    {
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
    assert_eq!(a.summary().baseline.map(|b| (b.new, b.unchanged, b.fixed, b.out_of_window)), Some((1, 49, 1, 1)));
    assert_eq!(a.outcome().code(), 1, "the new CT-005 failure (medium) fails the run");
    let mut high = a.clone();
    high.fail_on = Severity::High.into();
    assert_eq!(high.outcome().code(), 0, "with --fail-on high only unchanged failures are at or above it");
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
    assert!(
        a.results.iter().all(|r| r.status == Status::Pass),
        "{:#?}",
        a.results.iter().filter(|r| r.status != Status::Pass).collect::<Vec<_>>()
    );
    // Every rule judges something in the compliant fixture, and passes it.
    // The compliant fixture configures no sensitive DynamoDB table or Lambda
    // function: those rules have nothing to judge there (advanced_selectors
    // has tables; the Rego tests and replay tests cover both kinds).
    let configured_elsewhere = [SubjectKind::DynamodbTable, SubjectKind::LambdaFunction];
    for rule in pack().rules.iter().filter(|r| !configured_elsewhere.contains(&r.meta.custom.subject)) {
        assert!(only(&a, rule.id(), Status::Pass), "{} has no passing subject", rule.id());
    }
    // Benign history (MFA sign-in, reads, a service's AssumeRole): one pass per detection.
    for rule in &event_rules() {
        assert_eq!(statuses(&a, rule), vec![("AWS::::Account:111111111111".to_owned(), Status::Pass)], "{rule}");
    }
    for rule in &monitoring() {
        assert!(only(&a, rule, Status::Pass), "{rule}: {:?}", statuses(&a, rule));
    }
    // The v5.0 4.10 rule passes because the fixture's filter includes ModifySecurityGroupRules.
    let v5 = a.results.iter().find(|r| r.rule_id == "MON-011").unwrap();
    assert!(v5.message.contains("metric filter cis-4.10-SecurityGroupChanges"), "{}", v5.message);
    assert_eq!(a.outcome().code(), 0);
}

/// The failing results of `rule`, sorted by resource then message.
fn failures<'a>(audit: &'a Audit, rule: &str) -> Vec<&'a trailaudit::finding::RuleResult> {
    let mut f: Vec<_> = audit.results.iter().filter(|r| r.rule_id == rule && r.status == Status::Fail).collect();
    f.sort_by(|a, b| (&a.resource, &a.message).cmp(&(&b.resource, &b.message)));
    f
}

#[test]
fn noncompliant_event_history_names_each_suspicious_event() {
    let a = run("noncompliant");
    let who = "arn:aws:iam::222222222222:user/deploy-temp";
    let stop = failures(&a, "EVT-001");
    assert_eq!(stop.len(), 1);
    assert_eq!(stop[0].resource, "arn:aws:cloudtrail:us-east-1:222222222222:trail/app-trail");
    for needle in [who, "stopped logging", "2026-11-02T17:41:09Z", "203.0.113.77", "Chrome/130", "us-east-1"] {
        assert!(stop[0].message.contains(needle), "{needle} missing from {}", stop[0].message);
    }
    assert_eq!(stop[0].evidence["event_id"], "0480a93d-2e9b-094b-89e0-8e01976089ac");
    let update = failures(&a, "EVT-003");
    assert_eq!(update.len(), 1);
    assert_eq!(
        update[0].resource, "arn:aws:cloudtrail:us-east-1:222222222222:trail/app-trail",
        "trail named by name resolves in the event's region"
    );
    assert!(update[0].evidence["changes"][0].as_str().unwrap().contains("enableLogFileValidation: false"));
    assert_eq!(
        failures(&a, "EVT-004")[0].resource,
        "arn:aws:cloudtrail:us-east-1:222222222222:eventdatastore/6f1c2a9e-3b4d-4e8f-a1c2-9d8e7f6a5b4c"
    );
    assert_eq!(failures(&a, "EVT-006").iter().map(|r| r.resource.as_str()).collect::<Vec<_>>(), ["arn:aws:s3:::legacy-app-trail-logs"]);
    let root: Vec<_> = failures(&a, "EVT-007").iter().map(|r| r.evidence["action"].as_str().unwrap().to_owned()).collect();
    assert_eq!(root, ["iam:CreateAccessKey", "signin:ConsoleLogin"]);
    // deploy-temp and root signed in without MFA; j.doe's failed sign-in is not a sign-in.
    let no_mfa: Vec<_> = failures(&a, "EVT-008").iter().map(|r| r.resource.as_str()).collect();
    assert_eq!(no_mfa, ["arn:aws:iam::222222222222:root", who]);
    // Nothing deleted a trail; the trail has no KMS key to disable.
    assert!(only(&a, "EVT-002", Status::Pass));
    assert!(only(&a, "EVT-005", Status::Pass));
}

#[test]
fn no_trail_shows_who_deleted_the_trail() {
    let a = run("no_trail");
    let deleted = failures(&a, "EVT-002");
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0].resource, "arn:aws:cloudtrail:us-east-1:333333333333:trail/default");
    assert!(deleted[0].message.contains("arn:aws:iam::333333333333:user/ops-admin deleted trail"), "{}", deleted[0].message);
    for rule in event_rules().iter().filter(|r| *r != "EVT-002") {
        assert!(only(&a, rule, Status::Pass), "{rule}: {:?}", statuses(&a, rule));
    }
}

#[test]
fn advanced_selectors_denied_key_deletion_is_an_attempt() {
    let a = run("advanced_selectors");
    let key = failures(&a, "EVT-005");
    assert_eq!(key.len(), 1);
    assert_eq!(key[0].resource, "arn:aws:kms:eu-west-1:666666666666:key/a10bd34d-c6f3-dd17-165a-8db61b4a3f9a");
    assert!(
        key[0].message.contains("attempted to schedule the deletion") && key[0].message.contains("AccessDeniedException"),
        "{}",
        key[0].message
    );
    assert_eq!(key[0].evidence["attempt_only"], true);
    assert_eq!(key[0].evidence["trail_arns"], serde_json::json!(["arn:aws:cloudtrail:eu-west-1:666666666666:trail/data-events-trail"]));
    // Terraform's PutEventSelectors keeps a full management selector: not a reduction.
    assert!(only(&a, "EVT-003", Status::Pass));
}

#[test]
fn monitoring_fails_without_a_qualifying_trail() {
    for name in ["noncompliant", "no_trail"] {
        let a = run(name);
        for rule in &monitoring() {
            assert!(only(&a, rule, Status::Fail), "{name} {rule}: {:?}", statuses(&a, rule));
        }
        let r = a.results.iter().find(|r| r.rule_id == "MON-003").unwrap();
        assert!(r.message.contains("no logging multi-region trail"), "{}", r.message);
    }
}

#[test]
fn organization_member_monitoring_is_judged_in_the_management_account() {
    let a = run("organization");
    for rule in &monitoring() {
        assert!(only(&a, rule, Status::Pass), "{rule}: {:?}", statuses(&a, rule));
        assert_eq!(statuses(&a, rule).len(), 2, "{rule}: one result per account");
    }
    let member = a.results.iter().find(|r| r.rule_id == "MON-001" && r.account == "555555555555").unwrap();
    assert!(member.message.contains("judged in management account 444444444444"), "{}", member.message);
}

#[test]
fn advanced_selector_trail_feeds_the_monitoring_chain() {
    let a = run("advanced_selectors");
    for rule in &monitoring() {
        assert!(only(&a, rule, Status::Pass), "{rule}: {:?}", statuses(&a, rule));
    }
}

#[test]
fn noncompliant_fails_each_issue_two_rule() {
    let a = run("noncompliant");
    for rule in ["CT-001", "CT-002", "CT-004", "CT-005", "CT-006", "CT-007", "CT-008"] {
        assert!(only(&a, rule, Status::Fail), "{rule}: {:?}", statuses(&a, rule));
    }
    // Posture: the Lake store on CloudTrail's own key, and no AWS Config anywhere (every version's rule).
    for rule in ["CT-011", "CFG-001", "CFG-002", "CFG-003"] {
        assert!(only(&a, rule, Status::Fail), "{rule}: {:?}", statuses(&a, rule));
    }
    assert_eq!(statuses(&a, "CFG-002").len(), 3, "one result per region");
    // The stopped trail: CT-008 says since when; delivery age is not judged on it, nor digests (no validation).
    let stopped = a.results.iter().find(|r| r.rule_id == "CT-008").unwrap();
    assert!(stopped.message.contains("since 2026-11-02T17:41:09Z (17.6 days before collection)"), "{}", stopped.message);
    assert!(statuses(&a, "CT-012").is_empty() && statuses(&a, "CT-013").is_empty());
    let public = a.results.iter().find(|r| r.rule_id == "CT-006").unwrap();
    assert!(public.message.contains("Principal *") && public.message.contains("AllUsers"), "{}", public.message);
    assert!(a.results.iter().all(|r| r.status != Status::Error));
    assert_eq!(a.outcome().code(), 1);
}

#[test]
fn no_trail_fails_the_account_and_the_sensitive_bucket() {
    let a = run("no_trail");
    assert!(only(&a, "CT-001", Status::Fail));
    assert!(only(&a, "CT-002", Status::Fail));
    assert!(statuses(&a, "CT-005").is_empty(), "no trail, no trail-level subject");
    // A Config recorder in us-east-1 only: the other two regions fail for every version of CIS 3.3 and Config.1.
    for rule in ["CFG-001", "CFG-002", "CFG-003"] {
        let mut got = statuses(&a, rule);
        got.sort();
        assert_eq!(
            got,
            [
                ("AWS::::Account:333333333333/ap-southeast-2".to_owned(), Status::Fail),
                ("AWS::::Account:333333333333/eu-west-1".to_owned(), Status::Fail),
                ("AWS::::Account:333333333333/us-east-1".to_owned(), Status::Pass),
            ],
            "{rule}"
        );
    }
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
    // DescribeMetricFilters was denied on the trail's log group: no CIS monitoring verdict.
    for rule in &monitoring() {
        assert!(only(&a, rule, Status::Error), "{rule}: {:?}", statuses(&a, rule));
    }
    assert!(a.results.iter().all(|r| r.status != Status::Fail));
    // Delivery age and digests: the trail whose GetTrailStatus was denied is an error naming the call.
    for rule in ["CT-012", "CT-013"] {
        let denied = a.results.iter().find(|r| r.rule_id == rule && r.resource.ends_with("trail/eu-app-trail")).unwrap();
        assert_eq!(denied.status, Status::Error, "{rule}");
        assert!(denied.message.contains("cloudtrail:GetTrailStatus") && denied.message.contains("AccessDenied"), "{}", denied.message);
        assert!(a.results.iter().any(|r| r.rule_id == rule && r.resource.ends_with("trail/main-trail") && r.status == Status::Pass));
    }
    // LookupEvents was denied everywhere: no event detection may pass.
    for rule in &event_rules() {
        assert!(only(&a, rule, Status::Error), "{rule}: {:?}", statuses(&a, rule));
    }
    assert_eq!(a.outcome().code(), 3);
}

#[test]
fn configuration_drives_required_tags_and_delivery_tolerances() {
    let strict = Config::parse(
        "required_trail_tags: [owner, data-classification]\ndelivery:\n  s3_max_age_hours: 0.05\n  digest_max_age_hours: 0.25\n",
        Path::new("strict.yaml"),
    )
    .unwrap();
    let a = run_with("compliant", &strict);
    let tags = a.results.iter().find(|r| r.rule_id == "CT-010").unwrap();
    assert_eq!(tags.status, Status::Fail);
    assert_eq!(tags.evidence["missing_keys"], serde_json::json!(["data-classification"]));
    // Latest S3 delivery 08:52:13 and digest 08:31:07, collected at 09:00:00.
    assert!(only(&a, "CT-012", Status::Fail), "{:?}", statuses(&a, "CT-012"));
    assert!(only(&a, "CT-013", Status::Fail), "{:?}", statuses(&a, "CT-013"));
    let digest = a.results.iter().find(|r| r.rule_id == "CT-013").unwrap();
    assert!(digest.message.contains("0.5 h before collection (tolerance 0.25 h)"), "{}", digest.message);
}

#[test]
fn organization_event_detections_pass_in_both_accounts() {
    let a = run("organization");
    for rule in &event_rules() {
        let mut accounts: Vec<_> = a.results.iter().filter(|r| r.rule_id == *rule).map(|r| (r.account.as_str(), r.status)).collect();
        accounts.sort();
        let accounts: Vec<_> = accounts.into_iter().map(|(acc, st)| (acc, st == Status::Pass)).collect();
        assert_eq!(accounts, [("444444444444", true), ("555555555555", true)], "{rule}");
    }
}

/// noncompliant, with LookupEvents recorded as failed (throttled after a first
/// page) in one region.
fn noncompliant_with_lookup_failure_in(region: &str) -> Audit {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("fixtures/noncompliant/snapshot.json");
    let mut json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    json["errors"].as_array_mut().unwrap().push(serde_json::json!({
        "service": "cloudtrail", "operation": "LookupEvents", "account_id": "222222222222", "region": region,
        "resource": null, "error_code": "ThrottlingException", "message": "Rate exceeded", "kind": "failed"
    }));
    let text = json.to_string();
    let snapshot = trailaudit::snapshot::parse_str(&text, &path).unwrap();
    let options = AuditOptions {
        fail_on: Severity::Low,
        only_rules: None,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
        snapshot_path: None,
        progress: false,
    };
    audit(&snapshot, Some(&text), pack(), &Config::default(), &options).0
}

#[test]
fn detected_events_stay_failures_when_lookup_failed_in_their_region() {
    let a = noncompliant_with_lookup_failure_in("us-east-1");
    // The StopLogging happened; the failed lookup can only hide more events.
    let mut stop: Vec<_> = a.results.iter().filter(|r| r.rule_id == "EVT-001").map(|r| (r.resource.as_str(), r.status)).collect();
    stop.sort();
    assert_eq!(
        stop,
        [
            ("AWS::::Account:222222222222/us-east-1", Status::Error),
            ("arn:aws:cloudtrail:us-east-1:222222222222:trail/app-trail", Status::Fail)
        ],
        "the failure stays and the gap gets an error of its own"
    );
    // Where nothing matched, the account-wide absence cannot be claimed.
    assert_eq!(statuses(&a, "EVT-002"), vec![("AWS::::Account:222222222222".to_owned(), Status::Error)]);
}

#[test]
fn a_lookup_failure_elsewhere_leaves_detections_alone_but_voids_absences() {
    let a = noncompliant_with_lookup_failure_in("eu-west-1");
    let stop: Vec<_> = statuses(&a, "EVT-001");
    assert!(stop.contains(&("arn:aws:cloudtrail:us-east-1:222222222222:trail/app-trail".to_owned(), Status::Fail)), "{stop:?}");
    assert!(stop.contains(&("AWS::::Account:222222222222/eu-west-1".to_owned(), Status::Error)), "{stop:?}");
    assert_eq!(statuses(&a, "EVT-005"), vec![("AWS::::Account:222222222222".to_owned(), Status::Error)]);
}

/// Issue 12 item 5 on the fixtures: the new rules' headline verdicts.
#[test]
fn new_rules_headline_verdicts() {
    let a = run("advanced_selectors");
    let table = |name: &str| format!("arn:aws:dynamodb:eu-west-1:666666666666:table/{name}");
    assert_eq!(statuses(&a, "CT-018"), [(table("acme-ledger"), Status::Pass), (table("acme-sessions"), Status::Fail)]);
    // Payments by name, logged by its own selector; rotate-keys by tag, not
    // logged; thumbnails is not sensitive (no result).
    let function = |name: &str| format!("arn:aws:lambda:eu-west-1:666666666666:function:{name}");
    assert_eq!(statuses(&a, "CT-019"), [(function("acme-payments"), Status::Pass), (function("acme-rotate-keys"), Status::Fail)]);
    let c = run("compliant");
    for rule in ["CT-014", "CT-015", "CT-016", "CT-017"] {
        assert!(only(&c, rule, Status::Pass), "{rule}: {:?}", statuses(&c, rule));
    }
    assert!(statuses(&c, "CT-018").is_empty() && statuses(&c, "CT-019").is_empty(), "nothing configured, nothing judged");
    let n = run("noncompliant");
    for rule in ["CT-014", "CT-015", "CT-016"] {
        assert!(only(&n, rule, Status::Fail), "{rule}: {:?}", statuses(&n, rule));
    }
    let o = run("organization");
    assert_eq!(statuses(&o, "CT-014").len(), 2, "one account verdict each");
    assert!(only(&o, "CT-014", Status::Pass) && only(&o, "CT-015", Status::Pass), "{:?}", statuses(&o, "CT-015"));
}
