//! The binary as a user meets it: exit codes, and error messages for bad input
//! that say which file, line or field is wrong.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn trailaudit() -> Command {
    let mut cmd = Command::cargo_bin("trailaudit").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).env_remove("AWS_ENDPOINT_URL").env("NO_COLOR", "1");
    cmd
}

fn fixture(name: &str) -> String {
    format!("fixtures/{name}/snapshot.json")
}

fn write(dir: &Path, rel: &str, text: &str) -> String {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn compliant_fixture_exits_0() {
    trailaudit().args(["audit", "--snapshot", &fixture("compliant")]).assert().code(0).stdout(predicate::str::contains("0 failed"));
}

#[test]
fn noncompliant_fixture_exits_1() {
    trailaudit().args(["audit", "--snapshot", &fixture("noncompliant")]).assert().code(1);
}

#[test]
fn fail_on_threshold_ignores_lower_severities() {
    // The no-trail account fails high-severity rules only through CT-001;
    // with --fail-on critical nothing fails at that level and nothing errs.
    trailaudit().args(["audit", "--snapshot", &fixture("no_trail"), "--fail-on", "critical"]).assert().code(0);
    trailaudit().args(["audit", "--snapshot", &fixture("no_trail"), "--fail-on", "high"]).assert().code(1);
}

#[test]
fn partial_collection_is_error_not_pass() {
    // Failing calls turn results into errors; with failures filtered out by
    // --fail-on critical, the errors alone decide: exit 3.
    trailaudit()
        .args(["audit", "--snapshot", &fixture("partial_collection"), "--fail-on", "critical", "--format", "json"])
        .assert()
        .code(3)
        .stdout(predicate::str::contains("\"status\": \"error\""));
}

#[test]
fn missing_snapshot_is_bad_input() {
    trailaudit()
        .args(["audit", "--snapshot", "does/not/exist.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read snapshot does/not/exist.json"));
}

#[test]
fn malformed_snapshot_names_path_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("compliant")).unwrap();
    let broken = text.replacen("\"is_multi_region_trail\": true", "\"is_multi_region_trail\": \"yes\"", 1);
    assert_ne!(text, broken, "fixture shape changed");
    let line = broken.lines().position(|l| l.contains("\"is_multi_region_trail\": \"yes\"")).unwrap() + 1;
    let path = write(dir.path(), "bad.json", &broken);
    trailaudit()
        .args(["audit", "--snapshot", &path])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("{path}:{line}:")))
        .stderr(predicate::str::contains(".is_multi_region_trail"))
        .stderr(predicate::str::contains("invalid type: string \"yes\", expected a boolean"));
}

#[test]
fn unknown_schema_version_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("compliant")).unwrap().replacen("\"schema_version\": 1", "\"schema_version\": 2", 1);
    let path = write(dir.path(), "v2.json", &text);
    trailaudit().args(["audit", "--snapshot", &path]).assert().code(2).stderr(predicate::str::contains("unsupported schema_version 2"));
}

#[test]
fn unknown_config_key_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "trailaudit.yaml", "fail_on: high\nsensitive_bucket:\n  names: [x]\n");
    trailaudit()
        .args(["audit", "--snapshot", &fixture("compliant"), "--config", &path])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("{path}:2:")))
        .stderr(predicate::str::contains("unknown field `sensitive_bucket`"));
}

#[test]
fn invalid_user_rego_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let rule = "# METADATA\n# title: T\n# description: D\n# custom:\n#   id: U-001\n#   severity: low\n#   subject: account\n#   requires: [cloudtrail:DescribeTrails]\n#   remediation:\n#     console: c\n#     cli: c\npackage trailaudit.mine.rule\n\nresults contains x if {\n\tx := \n}\n";
    let path = write(dir.path(), "mine/rule.rego", rule);
    write(dir.path(), "mine/rule_test.rego", "package trailaudit.mine.rule_test\n\ntest_pass_x if true\n");
    trailaudit()
        .args(["audit", "--snapshot", &fixture("compliant"), "--policy-dir", &dir.path().display().to_string()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("{path}:1")))
        .stderr(predicate::str::contains("invalid Rego"));
}

#[test]
fn several_reports_in_one_run_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("r.sarif");
    let json = dir.path().join("r.json");
    let md = dir.path().join("r.md");
    trailaudit()
        .args(["audit", "--snapshot", &fixture("noncompliant"), "--format", "text"])
        .args(["--sarif", sarif.to_str().unwrap(), "--json", json.to_str().unwrap(), "--markdown", md.to_str().unwrap()])
        .assert()
        .code(1);
    let sarif: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(sarif).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    assert!(json["results"].as_array().unwrap().iter().any(|r| r["status"] == "fail"));
    assert!(std::fs::read_to_string(md).unwrap().starts_with('#'));
}

#[test]
fn rules_catalogue_and_pack_tests_run() {
    trailaudit().args(["rules"]).assert().code(0).stdout(predicate::str::contains("CT-001"));
    trailaudit().args(["rules", "--format", "json"]).assert().code(0).stdout(predicate::str::contains("\"remediation\""));
    trailaudit().args(["test"]).assert().code(0).stdout(predicate::str::contains(" passed, 0 failed"));
}

#[test]
fn user_test_failures_exit_1_and_show_output() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "lib/x.rego", "package trailaudit.lib.x\n\nanswer := 41\n");
    write(
        dir.path(),
        "lib/x_test.rego",
        "package trailaudit.lib.x_test\n\nimport data.trailaudit.lib.x\n\ntest_answer if {\n\tprint(\"answer was\", x.answer)\n\tx.answer == 42\n}\n",
    );
    trailaudit()
        .args(["test", &dir.path().display().to_string()])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FAIL"))
        .stdout(predicate::str::contains("answer was 41"))
        .stdout(predicate::str::contains("0 passed, 1 failed"));
}

#[test]
fn bad_usage_exits_2() {
    trailaudit().args(["audit", "--format", "yaml"]).assert().code(2);
    trailaudit().args(["audit", "--fail-on", "urgent", "--snapshot", &fixture("compliant")]).assert().code(2);
}

const NONCOMPLIANT_BASELINE: &str = "fixtures/noncompliant/baseline.json";

#[test]
fn fail_on_new_fails_only_on_new_failures() {
    // The baseline lacks the medium CT-005 failure: it is the only new one.
    let args = ["audit", "--snapshot", "fixtures/noncompliant/snapshot.json", "--baseline", NONCOMPLIANT_BASELINE, "--fail-on-new"];
    trailaudit().args(args).assert().code(1).stdout(predicate::str::contains("Baseline: 1 new failing, 43 unchanged, 1 fixed"));
    // At --fail-on high the new failure (medium) is below the bar; the high and critical ones are old.
    trailaudit().args(args).args(["--fail-on", "high"]).assert().code(0);
    // Without --fail-on-new every failure at or above the bar counts.
    trailaudit().args(&args[..5]).args(["--fail-on", "high"]).assert().code(1);
    // A baseline equal to the current run: nothing new, exit 0.
    let dir = tempfile::tempdir().unwrap();
    let same = dir.path().join("same.json");
    trailaudit().args(["audit", "--snapshot", "fixtures/noncompliant/snapshot.json", "--json"]).arg(&same).assert().code(1);
    let out = trailaudit()
        .args(["audit", "--snapshot", "fixtures/noncompliant/snapshot.json", "--format", "json", "--fail-on-new", "--baseline"])
        .arg(&same)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(report["summary"]["baseline"], serde_json::json!({"new": 0, "unchanged": 44, "fixed": 0}));
    assert_eq!(report["fixed"], serde_json::json!([]));
}

#[test]
fn fail_on_new_still_exits_3_on_errors() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.json");
    trailaudit().args(["audit", "--snapshot", &fixture("partial_collection"), "--json"]).arg(&base).assert().code(3);
    trailaudit().args(["audit", "--snapshot", &fixture("partial_collection"), "--fail-on-new", "--baseline"]).arg(&base).assert().code(3);
}

#[test]
fn fail_on_new_needs_a_baseline() {
    trailaudit()
        .args(["audit", "--snapshot", &fixture("compliant"), "--fail-on-new"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--baseline"));
}

#[test]
fn bad_baseline_is_bad_input_naming_file_and_field() {
    trailaudit()
        .args(["audit", "--snapshot", &fixture("compliant"), "--baseline", &fixture("compliant")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("fixtures/compliant/snapshot.json:"))
        .stderr(predicate::str::contains("not a trailaudit JSON report"))
        .stderr(predicate::str::contains("report_version"));
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "b.json", "{\"report_version\": 1, \"results\": [{\"rule_id\": 5}]}");
    trailaudit()
        .args(["audit", "--snapshot", &fixture("compliant"), "--baseline", &path])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("{path}:1:")))
        .stderr(predicate::str::contains("$.results[0].rule_id"));
    trailaudit()
        .args(["audit", "--snapshot", &fixture("compliant"), "--baseline", "does/not/exist.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read baseline does/not/exist.json"));
}

#[test]
fn waivers_warn_on_stderr_and_in_the_json_report() {
    let out = trailaudit()
        .args([
            "audit",
            "--snapshot",
            "fixtures/noncompliant/snapshot.json",
            "--config",
            "fixtures/noncompliant/waivers.yaml",
            "--format",
            "json",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("warning: waiver for CT-004 on `*` (owner security-team) expired on 2026-01-31"))
        .stderr(predicate::str::contains("is stale"))
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let kinds: Vec<&str> = report["warnings"].as_array().unwrap().iter().map(|w| w["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["waiver-expired", "waiver-stale"]);
    let waived = report["results"].as_array().unwrap().iter().find(|r| r["status"] == "waived").unwrap();
    assert_eq!(waived["waiver"]["owner"], "platform-team");
}

#[test]
fn junit_file_and_format() {
    let dir = tempfile::tempdir().unwrap();
    let xml = dir.path().join("r.xml");
    trailaudit().args(["audit", "--snapshot", &fixture("noncompliant"), "--junit"]).arg(&xml).assert().code(1);
    let text = std::fs::read_to_string(&xml).unwrap();
    assert!(text.starts_with("<?xml") && text.contains("<testsuites name=\"trailaudit\" tests=\"48\""), "{text}");
    trailaudit()
        .args(["audit", "--snapshot", &fixture("compliant"), "--format", "junit"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("failures=\"0\" errors=\"0\""));
}

/// `trailaudit permissions` prints a valid IAM policy document: the collector's
/// reads, and for an organization audit account discovery and the member role.
#[test]
fn permissions_prints_the_collectors_iam_policy() {
    let out = trailaudit().args(["permissions", "--member-role", "TrailAuditMember", "--partition", "aws-us-gov"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let policy: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(policy["Version"], "2012-10-17");
    let statements = policy["Statement"].as_array().unwrap();
    assert_eq!(statements.len(), 3);
    let read: Vec<&str> = statements[0]["Action"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    for action in ["cloudtrail:GetTrailStatus", "s3:GetBucketPolicy", "logs:DescribeMetricFilters", "kms:GetKeyRotationStatus"] {
        assert!(read.contains(&action), "{action}");
    }
    assert!(read.iter().all(|a| !a.starts_with("organizations:List")), "discovery is the audit account's alone");
    assert_eq!(statements[2]["Resource"], "arn:aws-us-gov:iam::*:role/TrailAuditMember");
    let single: serde_json::Value = serde_json::from_slice(&trailaudit().arg("permissions").output().unwrap().stdout).unwrap();
    assert_eq!(single["Statement"].as_array().unwrap().len(), 1);
}

/// Issue 15, defect 16: the live options' values are refused when the command
/// line is parsed, with the reason and no Debug dump, before any AWS call.
/// The environment keeps every SDK client away from the network (fake keys,
/// no instance metadata, no user config) should a value slip through.
#[test]
fn live_option_values_are_checked_before_any_work() {
    let shard = ["--organization", "--member-role", "Audit", "--shard"];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--call-timeout", "0"], "invalid value '0' for '--call-timeout <SECONDS>': 0 is not in 1..=3600"),
        (vec!["--concurrency", "0"], "invalid value '0' for '--concurrency <CONCURRENCY>': 0 is not in 1..=256"),
        (
            vec!["--endpoint-url", "not a url"],
            "`not a url` is not a URL (relative URL without a base); expected e.g. http://127.0.0.1:5000",
        ),
        (vec!["--endpoint-url", "ftp://127.0.0.1:9"], "the scheme must be http or https, not `ftp`"),
        (vec!["--endpoint-url", "http://"], "is not a URL (empty host)"),
        (vec!["--endpoint-url", "http://127.0.0.1:9/?x=1"], "an endpoint URL has no query or fragment"),
        (vec!["--endpoint-url", "http://audit:hunter2@127.0.0.1:9"], "the endpoint URL must not carry credentials"),
        (vec!["--endpoint-url", "http://audit:hunter2@"], "invalid value for '--endpoint-url <URL>': the URL is not a URL (empty host)"),
        ([&shard[..], &["0/3"]].concat(), "`0/3`: K must be between 1 and N"),
        ([&shard[..], &["4/3"]].concat(), "`4/3`: K must be between 1 and N"),
        ([&shard[..], &["two"]].concat(), "`two` is not K/N (e.g. 2/3)"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("snap.json");
    for (args, message) in &cases {
        for subcommand in ["collect", "audit"] {
            let mut cmd = trailaudit();
            cmd.env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
                .env("AWS_SECRET_ACCESS_KEY", "not-a-secret")
                .env("AWS_REGION", "us-east-1")
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .env("AWS_CONFIG_FILE", "/dev/null")
                .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
                .arg(subcommand)
                .args(["--regions", "us-east-1"])
                .args(args);
            if subcommand == "collect" {
                cmd.arg("--output").arg(&output);
            }
            let out = cmd.output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{subcommand} {args:?}: {stderr}");
            assert!(stderr.contains(message), "{subcommand} {args:?}: expected `{message}` in:\n{stderr}");
            assert!(!stderr.contains("hunter2"), "the password is echoed: {stderr}");
            assert!(!stderr.contains(" { ") && !stderr.contains("Error("), "a Debug dump: {stderr}");
            assert!(!output.exists());
        }
    }
}

/// `AWS_ENDPOINT_URL` gets the same check as `--endpoint-url`, before any call.
#[test]
fn a_bad_aws_endpoint_url_is_refused_before_any_call() {
    let dir = tempfile::tempdir().unwrap();
    let out = trailaudit()
        .env("AWS_ENDPOINT_URL", "not a url")
        .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "not-a-secret")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .args(["collect", "--regions", "us-east-1", "--output"])
        .arg(dir.path().join("snap.json"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("AWS_ENDPOINT_URL: `not a url` is not a URL"), "{stderr}");
}
