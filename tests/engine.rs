//! The policy engine's contract, on small self-contained packs: pass/fail per
//! subject, failed calls turning into `error`, broken rules isolated,
//! waivers, and pack validation errors that name file and line.

use std::path::Path;

use trailaudit::config::Config;
use trailaudit::evaluate::{AuditOptions, audit};
use trailaudit::finding::{Severity, Status};
use trailaudit::pack::{Pack, PackSource};
use trailaudit::snapshot::{self, Snapshot};

const SNAPSHOT: &str = r#"{
  "schema_version": 1,
  "metadata": {
    "tool": {"name": "trailaudit", "version": "0.1.0"},
    "collected_at": "2026-11-20T09:00:00Z",
    "partition": "aws",
    "regions": ["us-east-1", "eu-west-1"],
    "settings": {"event_history_days": 7, "event_history_max_events": 1000}
  },
  "accounts": [
    {
      "account_id": "111111111111",
      "regions": {
        "us-east-1": {"trail_arns": ["arn:aws:cloudtrail:us-east-1:111111111111:trail/good", "arn:aws:cloudtrail:us-east-1:111111111111:trail/bad"]},
        "eu-west-1": {"trail_arns": ["arn:aws:cloudtrail:us-east-1:111111111111:trail/good"]}
      },
      "trails": {
        "arn:aws:cloudtrail:us-east-1:111111111111:trail/bad": {
          "name": "bad", "arn": "arn:aws:cloudtrail:us-east-1:111111111111:trail/bad", "home_region": "us-east-1",
          "is_multi_region_trail": false, "is_organization_trail": false, "include_global_service_events": true,
          "log_file_validation_enabled": false
        },
        "arn:aws:cloudtrail:us-east-1:111111111111:trail/good": {
          "name": "good", "arn": "arn:aws:cloudtrail:us-east-1:111111111111:trail/good", "home_region": "us-east-1",
          "is_multi_region_trail": true, "is_organization_trail": false, "include_global_service_events": true,
          "log_file_validation_enabled": true
        }
      }
    },
    {
      "account_id": "222222222222",
      "regions": {"us-east-1": {"trail_arns": []}, "eu-west-1": {"trail_arns": []}}
    }
  ],
  "errors": [
    {"service": "cloudtrail", "operation": "DescribeTrails", "account_id": "222222222222", "region": "eu-west-1",
     "error_code": "AccessDenied", "message": "not authorized"}
  ]
}"#;

const RULE: &str = r#"# METADATA
# title: Trail validates log files
# description: Digest files prove logs were not altered.
# custom:
#   id: T-001
#   severity: medium
#   subject: trail
#   requires: [cloudtrail:DescribeTrails]
#   frameworks:
#     aws-securityhub: [CloudTrail.4]
#   remediation:
#     console: Enable it.
#     cli: aws cloudtrail update-trail --name <trail> --enable-log-file-validation
package trailaudit.checks.validation

results contains r if {
	some arn, t in input.account.trails
	r := {"status": status(t), "resource": arn, "region": t.home_region, "message": sprintf("trail %s", [t.name]), "evidence": {"v": t.log_file_validation_enabled}}
}

status(t) := "pass" if t.log_file_validation_enabled
status(t) := "fail" if not t.log_file_validation_enabled
"#;

const RULE_TEST: &str = r#"package trailaudit.checks.validation_test

import data.trailaudit.checks.validation

test_fail_without_validation if {
	got := validation.results with input as {"account": {"trails": {"a": {"name": "n", "home_region": "r", "log_file_validation_enabled": false}}}}
	count(got) == 1
	some r in got
	r.status == "fail"
}

test_deliberately_wrong if {
	print("got: something else")
	1 == 2
}
"#;

/// A rule whose evaluation fails at run time for every input.
const BROKEN: &str = r#"# METADATA
# title: Broken
# description: Divides by a string.
# custom:
#   id: T-002
#   severity: low
#   subject: account
#   requires: [cloudtrail:DescribeTrails]
#   remediation:
#     console: n/a
#     cli: n/a
package trailaudit.checks.broken

results contains r if {
	x := input.account.account_id
	r := {"status": "pass", "resource": x, "region": null, "message": "m", "evidence": {"n": to_number("12") / "x"}}
}
"#;

const UNDEFINED: &str = r#"# METADATA
# title: Wrong shape
# description: Reports a status that does not exist.
# custom:
#   id: T-003
#   severity: high
#   subject: account
#   requires: [sts:GetCallerIdentity]
#   remediation:
#     console: n/a
#     cli: n/a
package trailaudit.checks.shape

results contains {"status": "ok", "resource": "x", "region": null, "message": "m"} if true
"#;

fn write_pack(dir: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn test_pack(files: &[(&str, &str)]) -> (tempfile::TempDir, Result<Pack, trailaudit::pack::PackError>) {
    let dir = tempfile::tempdir().unwrap();
    write_pack(dir.path(), files);
    let pack = Pack::load(&PackSource { builtin: false, dirs: vec![dir.path().to_owned()] });
    (dir, pack)
}

fn snapshot() -> Snapshot {
    snapshot::parse_str(SNAPSHOT, Path::new("inline.json")).unwrap()
}

fn options(fail_on: Severity) -> AuditOptions {
    AuditOptions {
        fail_on,
        only_rules: None,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
        snapshot_path: None,
        progress: false,
    }
}

fn full_pack() -> Vec<(&'static str, &'static str)> {
    vec![
        ("checks/validation.rego", RULE),
        ("checks/validation_test.rego", RULE_TEST),
        ("checks/broken.rego", BROKEN),
        ("checks/broken_test.rego", "package trailaudit.checks.broken_test\n\ntest_nothing if true\n"),
        ("checks/shape.rego", UNDEFINED),
        ("checks/shape_test.rego", "package trailaudit.checks.shape_test\n\ntest_nothing if true\n"),
    ]
}

#[test]
fn every_subject_gets_pass_or_fail_and_failed_calls_become_errors() {
    let (_dir, pack) = test_pack(&full_pack());
    let pack = pack.unwrap();
    let snap = snapshot();
    let (result, _, _) = audit(&snap, Some(SNAPSHOT), &pack, &Config::default(), &options(Severity::Low));
    let t001: Vec<_> = result.results.iter().filter(|r| r.rule_id == "T-001").collect();
    let statuses: Vec<(&str, &str, Status)> = t001.iter().map(|r| (r.account.as_str(), r.resource.as_str(), r.status)).collect();
    assert_eq!(
        statuses,
        vec![
            ("111111111111", "arn:aws:cloudtrail:us-east-1:111111111111:trail/bad", Status::Fail),
            ("111111111111", "arn:aws:cloudtrail:us-east-1:111111111111:trail/good", Status::Pass),
            ("222222222222", "AWS::::Account:222222222222/eu-west-1", Status::Error),
        ]
    );
    let error = t001[2];
    assert_eq!(error.region.as_deref(), Some("eu-west-1"));
    assert!(error.message.contains("cloudtrail:DescribeTrails in eu-west-1 failed (AccessDenied"), "{}", error.message);
    // Lines point into the snapshot text.
    assert_eq!(t001[0].snapshot_line, Some(SNAPSHOT.lines().position(|l| l.contains("trail/bad\": {")).unwrap() + 1));
}

#[test]
fn a_broken_rule_is_error_for_that_rule_only() {
    let (_dir, pack) = test_pack(&full_pack());
    let pack = pack.unwrap();
    let (result, _, _) = audit(&snapshot(), None, &pack, &Config::default(), &options(Severity::Low));
    let broken: Vec<_> = result.results.iter().filter(|r| r.rule_id == "T-002").collect();
    assert_eq!(broken.len(), 2, "one per account");
    assert!(broken.iter().all(|r| r.status == Status::Error && r.message.contains("rule failed at run time")), "{broken:#?}");
    let shape: Vec<_> = result.results.iter().filter(|r| r.rule_id == "T-003").collect();
    assert!(shape.iter().all(|r| r.status == Status::Error && r.message.contains("wrong shape")), "{shape:#?}");
    // T-001 still ran.
    assert!(result.results.iter().any(|r| r.rule_id == "T-001" && r.status == Status::Pass));
    // Failing medium result -> exit 1; with fail_on high the errors decide -> 3.
    assert_eq!(result.outcome().code(), 1);
    let (result, _, _) = audit(&snapshot(), None, &pack, &Config::default(), &options(Severity::High));
    assert_eq!(result.outcome().code(), 3);
}

#[test]
fn waivers_apply_until_they_expire() {
    let (_dir, pack) = test_pack(&full_pack()[..2]);
    let pack = pack.unwrap();
    let yaml = "waivers:\n  - rule: T-001\n    resource: 'arn:aws:cloudtrail:*:trail/bad'\n    reason: migrating\n    owner: team-a\n    expires: 2026-12-31\n";
    let config = Config::parse(yaml, Path::new("t.yaml")).unwrap();
    let (result, _, notices) = audit(&snapshot(), None, &pack, &config, &options(Severity::Low));
    let bad = result.results.iter().find(|r| r.resource.ends_with("trail/bad")).unwrap();
    assert_eq!(bad.status, Status::Waived);
    assert_eq!(bad.waiver.as_ref().unwrap().owner, "team-a");
    assert!(notices.is_empty() && result.warnings.is_empty(), "{notices:?}");
    let mut late = options(Severity::Low);
    late.today = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
    let (result, _, notices) = audit(&snapshot(), None, &pack, &config, &late);
    let bad = result.results.iter().find(|r| r.resource.ends_with("trail/bad")).unwrap();
    assert_eq!(bad.status, Status::Fail);
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(result.warnings.len(), 1);
    assert_eq!(result.warnings[0].kind, trailaudit::finding::WarningKind::WaiverExpired);
}

/// An API action no collector call records, in `requires`, would make the rule
/// blind to its own failed calls: the pack does not load, and says where and which rule.
#[test]
fn an_unknown_action_in_requires_is_a_pack_error_naming_file_line_and_rule() {
    let typo = RULE.replacen("requires: [cloudtrail:DescribeTrails]", "requires: [cloudtrail:DescribeTrail]", 1);
    assert_ne!(typo, RULE, "the rule lists cloudtrail:DescribeTrails");
    let (dir, pack) = test_pack(&[("checks/validation.rego", &typo), ("checks/validation_test.rego", RULE_TEST)]);
    let e = pack.unwrap_err().to_string();
    let path = dir.path().join("checks/validation.rego").display().to_string();
    let line = typo.lines().position(|l| l.contains("cloudtrail:DescribeTrail]")).unwrap() + 1;
    assert!(
        e.contains(&format!(
            "{path}:{line}: invalid METADATA of rule `T-001`: custom.requires: unknown API action `cloudtrail:DescribeTrail` (known: "
        )),
        "{e}"
    );
}

#[test]
fn pack_problems_name_file_and_line() {
    let wrong_package = RULE.replace("package trailaudit.checks.validation", "package trailaudit.checks.other");
    let (dir, pack) = test_pack(&[("checks/validation.rego", &wrong_package), ("checks/validation_test.rego", RULE_TEST)]);
    let e = pack.unwrap_err().to_string();
    let path = dir.path().join("checks/validation.rego").display().to_string();
    assert!(e.contains(&format!("{path}:14: package `trailaudit.checks.other` does not match")), "{e}");

    let (_dir, pack) = test_pack(&[("checks/validation.rego", RULE)]);
    assert!(pack.unwrap_err().to_string().contains("rule has no tests"));

    let dup = RULE.replace("package trailaudit.checks.validation", "package trailaudit.checks.again");
    let (_dir, pack) = test_pack(&[
        ("checks/validation.rego", RULE),
        ("checks/validation_test.rego", RULE_TEST),
        ("checks/again.rego", &dup),
        ("checks/again_test.rego", "package trailaudit.checks.again_test\n\ntest_x if true\n"),
    ]);
    let e = pack.unwrap_err().to_string();
    assert!(e.contains("duplicate rule id `T-001`") && e.contains(":5"), "{e}");

    let (_dir, pack) = test_pack(&[
        ("checks/validation.rego", &RULE.replace("some arn, t in", "some arn, t inn")),
        ("checks/validation_test.rego", RULE_TEST),
    ]);
    let e = pack.unwrap_err().to_string();
    assert!(e.contains("invalid Rego") && e.contains("validation.rego:"), "{e}");
}

#[test]
fn rego_test_runner_reports_each_test_and_what_it_printed() {
    let (_dir, pack) = test_pack(&full_pack()[..2]);
    let pack = pack.unwrap();
    let outcomes = trailaudit::pack::rego_tests::run(&pack, |_| true).unwrap();
    let by_name: Vec<(&str, trailaudit::pack::rego_tests::TestStatus)> =
        outcomes.iter().map(|o| (o.name.rsplit('.').next().unwrap(), o.status)).collect();
    use trailaudit::pack::rego_tests::TestStatus::*;
    assert_eq!(by_name, vec![("test_fail_without_validation", Pass), ("test_deliberately_wrong", Fail)]);
    assert!(outcomes[1].output.iter().any(|l| l.contains("got: something else")), "{:?}", outcomes[1].output);
}

/// Two required patterns: a short IAM list and CIS 4.3 root usage.
const METRIC_FILTERS_LIB: &str = r#"package trailaudit.lib.metric_filters

required_patterns := {
	"iam": `{ ($.eventName = "DeleteGroupPolicy") || ($.eventName = "PutRolePolicy") }`,
	"root": `{ ($.userIdentity.type = "Root") && ($.userIdentity.invokedBy NOT EXISTS) && ($.eventType != "AwsServiceEvent") }`,
}
"#;

/// Reports every filter the account can use, with what Rust derived for it.
const FILTER_RULE: &str = r#"# METADATA
# title: Filter covers IAM changes
# description: Reports input.derived for each filter.
# custom:
#   id: T-010
#   severity: low
#   subject: log-group
#   requires: [logs:DescribeMetricFilters]
#   remediation:
#     console: n/a
#     cli: n/a
package trailaudit.checks.filters

results contains r if {
	some group, filters in input.derived.metric_filters
	some name, facts in filters
	r := {
		"status": status(facts),
		"resource": sprintf("%s/%s", [group, name]),
		"region": null,
		"message": name,
		"evidence": {"facts": facts, "management": object.get(input.context, ["management_account", "account_id"], null)},
	}
}

status(facts) := "pass" if facts.misses.iam.total == 0
status(facts) := "fail" if facts.misses.iam.total > 0
"#;

const ORG_SNAPSHOT: &str = r#"{
  "schema_version": 1,
  "metadata": {
    "tool": {"name": "trailaudit", "version": "0.1.0"},
    "collected_at": "2026-11-20T09:00:00Z",
    "partition": "aws",
    "regions": ["us-east-1"],
    "settings": {"event_history_days": 7, "event_history_max_events": 1000}
  },
  "accounts": [
    {
      "account_id": "444444444444",
      "organization": {"id": "o-abc", "management_account_id": "444444444444"},
      "log_groups": {
        "arn:aws:logs:us-east-1:444444444444:log-group:org": {
          "name": "org", "arn": "arn:aws:logs:us-east-1:444444444444:log-group:org", "region": "us-east-1",
          "metric_filters": [
            {"name": "iam-rewritten", "pattern": "{$.eventName=PutRolePolicy||$.eventName=\"DeleteGroupPolicy\"||$.eventName=TagRole}"},
            {"name": "iam-short", "pattern": "{ ($.eventName = PutRolePolicy) }"},
            {"name": "broken", "pattern": "{ $.eventName = PutRolePolicy || }"}
          ]
        }
      }
    },
    {
      "account_id": "555555555555",
      "organization": {"id": "o-abc", "management_account_id": "444444444444"}
    }
  ],
  "errors": []
}"#;

#[test]
fn metric_filters_are_judged_in_rust_and_rules_see_the_management_account() {
    let (_dir, pack) = test_pack(&[
        ("lib/metric_filters.rego", METRIC_FILTERS_LIB),
        ("checks/filters.rego", FILTER_RULE),
        ("checks/filters_test.rego", "package trailaudit.checks.filters_test\n\ntest_nothing if true\n"),
    ]);
    let pack = pack.unwrap();
    let snap = snapshot::parse_str(ORG_SNAPSHOT, Path::new("org.json")).unwrap();
    let (audit, _, _) = audit(&snap, None, &pack, &Config::default(), &options(Severity::Low));
    let group = "arn:aws:logs:us-east-1:444444444444:log-group:org";
    for account in ["444444444444", "555555555555"] {
        let of = |name: &str| {
            audit
                .results
                .iter()
                .find(|r| r.account == account && r.resource == format!("{group}/{name}"))
                .unwrap_or_else(|| panic!("{account} has no result for {name}: {:#?}", audit.results))
        };
        let rewritten = of("iam-rewritten");
        assert_eq!(rewritten.status, Status::Pass);
        // Required fields first, then what makes this filter miss the event.
        assert_eq!(
            rewritten.evidence["facts"]["misses"]["root"],
            serde_json::json!({
                "listed": ["userIdentity.type=Root, userIdentity.invokedBy=<absent>, eventType=<other>, eventName=<other>"],
                "total": 1
            })
        );
        let short = of("iam-short");
        assert_eq!(short.status, Status::Fail);
        assert_eq!(short.evidence["facts"]["misses"]["iam"], serde_json::json!({"listed": ["eventName=DeleteGroupPolicy"], "total": 1}));
        assert_eq!(short.evidence["facts"]["ambiguous"], false);
        let broken = of("broken");
        assert_eq!(broken.status, Status::Fail);
        assert_eq!(
            broken.evidence["facts"]["parse_error"],
            "at character 34: expected a selector such as `$.eventName`, or `(`, found `}`"
        );
        let management = if account == "555555555555" { serde_json::json!("444444444444") } else { serde_json::Value::Null };
        assert_eq!(broken.evidence["management"], management, "{account}");
    }
}

#[test]
fn a_required_pattern_that_does_not_parse_is_a_pack_error() {
    let bad = METRIC_FILTERS_LIB.replace(r#"($.eventName = "PutRolePolicy")"#, r#"($.eventName = "PutRolePolicy"))"#);
    let (dir, pack) = test_pack(&[("lib/metric_filters.rego", &bad)]);
    let e = pack.unwrap_err().to_string();
    let path = dir.path().join("lib/metric_filters.rego").display().to_string();
    assert!(
        e.contains(&format!("{path}:4: required pattern \"iam\" does not parse: at character 73: expected `&&`, `||` or `}}`, found `)`")),
        "{e}"
    );
}

/// A custom detection of `iam:CreateAccessKey` through the built-in events
/// library, `events` being the METADATA lines after `requires`.
fn access_key_rule(events: &str) -> String {
    format!(
        r#"# METADATA
# title: No access key was created
# description: Detects CreateAccessKey.
# custom:
#   id: ACME-001
#   severity: high
#   subject: event
#   requires: [cloudtrail:LookupEvents]
{events}#   remediation:
#     console: n/a
#     cli: n/a
package trailaudit.acme.access_key_created

import data.trailaudit.lib.events
import data.trailaudit.lib.result

created := events.named("iam.amazonaws.com", {{"CreateAccessKey"}})

results contains result.fail(events.subject(events.actor_resource(e), e), events.message(e, "created an access key"), {{}}) if {{
	some e in created
}}

results contains events.none_found("CreateAccessKey call") if count(created) == 0
"#
    )
}

const ACCESS_KEY_TEST: &str = "package trailaudit.acme.access_key_created_test\n\ntest_pass_nothing if true\n";

fn with_builtin(files: &[(&str, &str)]) -> (tempfile::TempDir, Result<Pack, trailaudit::pack::PackError>) {
    let dir = tempfile::tempdir().unwrap();
    write_pack(dir.path(), files);
    let pack = Pack::load(&PackSource { builtin: true, dirs: vec![dir.path().to_owned()] });
    (dir, pack)
}

/// The event-query seam: the collector never asks LookupEvents for
/// CreateAccessKey, so this detection could only ever say "none found" (a pass
/// over a complete history). Undeclared, the rule is an error because it reads
/// the event history; declared, because no query returns the event.
#[test]
fn a_detection_of_an_event_the_collector_never_queries_is_a_pack_error() {
    let (dir, pack) =
        with_builtin(&[("acme/access_key_created.rego", &access_key_rule("")), ("acme/access_key_created_test.rego", ACCESS_KEY_TEST)]);
    let err = pack.expect_err("an undeclared event detection must not load").to_string();
    let path = dir.path().join("acme/access_key_created.rego");
    assert!(err.contains(&format!("{}:8: rule ACME-001 reads the event history", path.display())), "{err}");
    assert!(err.contains("declares no `custom.events`"), "{err}");

    let declared = access_key_rule("#   events:\n#     - source: iam.amazonaws.com\n#       names: [CreateAccessKey]\n");
    let (dir, pack) = with_builtin(&[("acme/access_key_created.rego", &declared), ("acme/access_key_created_test.rego", ACCESS_KEY_TEST)]);
    let err = pack.expect_err("a detection of an unqueried event must not load").to_string();
    let path = dir.path().join("acme/access_key_created.rego");
    assert!(
        err.contains(&format!(
            "{}:9: rule ACME-001 detects event `CreateAccessKey` from `iam.amazonaws.com`, which the collector's LookupEvents queries never ask for",
            path.display()
        )),
        "{err}"
    );

    // The same rule on an event a query returns (EventName=DisableKey) loads.
    let queried = access_key_rule("#   events:\n#     - source: iam.amazonaws.com\n#       names: [DisableKey]\n")
        .replace("{\"CreateAccessKey\"}", "{\"DisableKey\"}");
    let (_dir, pack) = with_builtin(&[("acme/access_key_created.rego", &queried), ("acme/access_key_created_test.rego", ACCESS_KEY_TEST)]);
    let pack = pack.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pack.rule("ACME-001").map(|r| r.meta.custom.events[0].names.clone()), Some(vec!["DisableKey".to_owned()]));
}

const TWICE: &str = r#"# METADATA
# title: Says two things about one trail
# description: Reports the good trail twice, once per status.
# custom:
#   id: T-009
#   severity: low
#   subject: trail
#   requires: [cloudtrail:DescribeTrails]
#   remediation:
#     console: n/a
#     cli: n/a
package trailaudit.checks.twice

results contains {"status": "pass", "resource": t.arn, "region": t.home_region, "message": "fine", "evidence": {}} if {
	some t in input.account.trails
}

results contains {"status": "fail", "resource": t.arn, "region": t.home_region, "message": "not fine", "evidence": {}} if {
	some t in input.account.trails
	t.name == "good"
}
"#;

#[test]
fn two_results_for_one_subject_make_the_rule_an_error() {
    let (_dir, pack) = test_pack(&[
        ("checks/twice.rego", TWICE),
        ("checks/twice_test.rego", "package trailaudit.checks.twice_test\n\ntest_nothing if true\n"),
        ("checks/validation.rego", RULE),
        ("checks/validation_test.rego", RULE_TEST),
    ]);
    let pack = pack.unwrap_or_else(|e| panic!("{e}"));
    let (result, _, _) = audit(&snapshot(), None, &pack, &Config::default(), &options(Severity::Low));
    let twice: Vec<_> = result.results.iter().filter(|r| r.rule_id == "T-009" && r.account == "111111111111").collect();
    assert_eq!(twice.len(), 1, "{twice:#?}");
    assert_eq!(twice[0].status, Status::Error);
    assert_eq!(twice[0].resource, "AWS::::Account:111111111111");
    assert_eq!(
        twice[0].message,
        "rule returned two results for one subject, arn:aws:cloudtrail:us-east-1:111111111111:trail/good: \"fine\" (pass) \
         and \"not fine\" (fail); a rule reports exactly one result per subject (per event for a detection), see docs/writing-rules.md"
    );
    // Only the broken rule is affected: T-001 still judges both trails.
    let t001 = result.results.iter().filter(|r| r.rule_id == "T-001" && r.account == "111111111111").count();
    assert_eq!(t001, 2);
}
