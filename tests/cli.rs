//! The binary as a user meets it: exit codes, and error messages for bad input
//! that say which file, line or field is wrong.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

#[path = "support/cli.rs"]
mod cli_support;
use cli_support::{fixture, trailaudit, write};

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

/// The rules the noncompliant baseline has results of, as a `--rules` value: a
/// rule added since (failing, so "new") leaves the baseline tests alone.
fn baseline_rules() -> String {
    let baseline: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(NONCOMPLIANT_BASELINE).unwrap()).unwrap();
    let mut ids: Vec<&str> = baseline["results"].as_array().unwrap().iter().map(|r| r["rule_id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.join(",")
}

#[test]
fn fail_on_new_fails_only_on_new_failures() {
    // The baseline lacks the medium CT-005 failure: it is the only new one.
    let rules = baseline_rules();
    let args = [
        "audit",
        "--snapshot",
        "fixtures/noncompliant/snapshot.json",
        "--rules",
        &rules,
        "--baseline",
        NONCOMPLIANT_BASELINE,
        "--fail-on-new",
    ];
    // Every failing result of the baseline is still failing but one (fixed): a
    // rule added to the baseline changes the count, not this test.
    let baseline: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(NONCOMPLIANT_BASELINE).unwrap()).unwrap();
    let was_failing = baseline["results"].as_array().unwrap().iter().filter(|r| r["status"] == "fail").count();
    // One baseline event finding is older than the snapshot's window: out of it, neither fixed nor unchanged.
    let expected = format!("Baseline: 1 new failing, {} unchanged, 1 fixed, 1 out of the window", was_failing - 2);
    trailaudit().args(args).assert().code(1).stdout(predicate::str::contains(expected));
    // At --fail-on high the new failure (medium) is below the bar; the high and critical ones are old.
    trailaudit().args(args).args(["--fail-on", "high"]).assert().code(0);
    // Without --fail-on-new every failure at or above the bar counts.
    trailaudit().args(&args[..7]).args(["--fail-on", "high"]).assert().code(1);
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
    let earlier: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&same).unwrap()).unwrap();
    let failing = earlier["results"].as_array().unwrap().iter().filter(|r| r["status"] != "pass").count();
    assert!(failing > 40, "the noncompliant fixture fails a lot: {failing}");
    assert_eq!(report["summary"]["baseline"], serde_json::json!({"new": 0, "unchanged": failing, "fixed": 0, "out_of_window": 0}));
    assert_eq!(report["fixed"], serde_json::json!([]));
}

/// Issue 12 item 6: the baseline's root CreateAccessKey of 2026-07-14 is older
/// than the snapshot's 90-day event history (from 2026-08-22T09:00:00Z): it is
/// out of the window in every report, not fixed, not new, and a report written
/// with the baseline carries it, so the next run's baseline still holds it.
#[test]
fn event_findings_out_of_the_window_stay_open_across_baselines() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let md = dir.path().join("summary.md");
    let base = ["audit", "--snapshot", "fixtures/noncompliant/snapshot.json", "--fail-on-new", "--fail-on", "high"];
    let text = trailaudit()
        .args(base)
        .args(["--baseline", NONCOMPLIANT_BASELINE, "--json"])
        .arg(&report)
        .arg("--markdown")
        .arg(&md)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("Out of the event-history window (events before 2026-08-22T09:00:00Z; still open)"), "{text}");
    assert!(text.contains("OUT OF WINDOW  EVT-007 222222222222 us-east-1 arn:aws:iam::222222222222:root"), "{text}");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(json["summary"]["baseline"]["out_of_window"], 1);
    assert_eq!(json["out_of_window"][0]["rule_id"], "EVT-007");
    assert_eq!(json["out_of_window"][0]["event_time"], "2026-07-14T21:03:40Z");
    assert!(json["fixed"].as_array().unwrap().iter().all(|f| f["rule_id"] != "EVT-007"), "never fixed by time: {}", json["fixed"]);
    let md = std::fs::read_to_string(&md).unwrap();
    assert!(md.contains("## Out of the event-history window") && md.contains("1 out of the event-history window (still open)"), "{md}");

    // This report as the next baseline: the finding is carried, still out of the window.
    let out = trailaudit().args(base).args(["--format", "json", "--baseline"]).arg(&report).assert().code(0).get_output().stdout.clone();
    let next: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(next["summary"]["baseline"], serde_json::json!({"new": 0, "unchanged": 51, "fixed": 0, "out_of_window": 1}));
    assert_eq!(next["out_of_window"][0]["fingerprint"], json["out_of_window"][0]["fingerprint"]);
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

/// The JSON report of the noncompliant fixture: the counts other formats of
/// the same audit must show, so that adding a rule changes no assertion here.
struct Counts {
    results: usize,
    failed: u64,
    passes: usize,
    pass_rules: usize,
    by_severity: serde_json::Value,
}

fn noncompliant_counts() -> Counts {
    let out = trailaudit()
        .args(["audit", "--snapshot", &fixture("noncompliant"), "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let results = report["results"].as_array().unwrap();
    let passes: Vec<&serde_json::Value> = results.iter().filter(|r| r["status"] == "pass").collect();
    let pass_rules: std::collections::BTreeSet<&str> = passes.iter().map(|r| r["rule_id"].as_str().unwrap()).collect();
    Counts {
        results: results.len(),
        failed: report["summary"]["by_status"]["fail"].as_u64().unwrap(),
        passes: passes.len(),
        pass_rules: pass_rules.len(),
        by_severity: report["summary"]["failed_by_severity"].clone(),
    }
}

#[test]
fn junit_file_and_format() {
    let dir = tempfile::tempdir().unwrap();
    let xml = dir.path().join("r.xml");
    trailaudit().args(["audit", "--snapshot", &fixture("noncompliant"), "--junit"]).arg(&xml).assert().code(1);
    let text = std::fs::read_to_string(&xml).unwrap();
    let tests = format!("<testsuites name=\"trailaudit\" tests=\"{}\"", noncompliant_counts().results);
    assert!(text.starts_with("<?xml") && text.contains(&tests), "{text}");
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

/// README's "Writing a custom rule", exactly as written: every ```rego block is
/// saved under the `my-policies/...` path the sentence before it names, a
/// snapshot is where the commands expect it, and every command of the ```sh
/// block runs in that directory.
#[test]
fn readme_custom_rule_example_works_as_written() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme.find("### Writing a custom rule").expect("README has the section");
    let section = &readme[start..];
    let section = &section[..section[4..].find("\n## ").map_or(section.len(), |i| i + 4)];
    let dir = tempfile::tempdir().unwrap();
    let (mut path, mut block, mut commands, mut files) = (None::<String>, None::<(String, String)>, Vec::new(), Vec::new());
    for line in section.lines() {
        if let Some((kind, text)) = &mut block {
            if line == "```" {
                match kind.as_str() {
                    "rego" => {
                        let rel = path.take().expect("a sentence names the file before each rego block");
                        write(dir.path(), &rel, text);
                        files.push(rel);
                    }
                    "sh" => commands.extend(text.lines().map(|l| l.split(" #").next().unwrap().trim().to_owned())),
                    other => panic!("unexpected block {other}"),
                }
                block = None;
            } else {
                text.push_str(line);
                text.push('\n');
            }
        } else if let Some(kind) = line.strip_prefix("```") {
            block = Some((kind.to_owned(), String::new()));
        } else if let Some(at) = line.rfind("`my-policies/") {
            let rest = &line[at + 1..];
            path = Some(rest[..rest.find('`').unwrap()].to_owned());
        }
    }
    assert_eq!(files, ["my-policies/acme/trail_owner_tag.rego", "my-policies/acme/trail_owner_tag_test.rego"]);
    assert_eq!(commands.len(), 2, "{commands:?}");
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture("noncompliant")), dir.path().join("snap.json")).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("trailaudit");
    let run = |command: &str| {
        let words: Vec<&str> = command.split_whitespace().collect();
        assert_eq!(words[0], "trailaudit", "{command}");
        std::process::Command::new(&bin).args(&words[1..]).current_dir(dir.path()).env("NO_COLOR", "1").output().unwrap()
    };
    let test = run(&commands[0]);
    let stdout = String::from_utf8_lossy(&test.stdout);
    assert_eq!(test.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&test.stderr));
    assert!(stdout.contains("2 passed") || stdout.contains("PASS: 2/2"), "{stdout}");
    let audit = run(&commands[1]);
    let stdout = String::from_utf8_lossy(&audit.stdout);
    assert_eq!(audit.status.code(), Some(1), "the noncompliant fixture fails: {stdout}{}", String::from_utf8_lossy(&audit.stderr));
    assert!(stdout.contains("ACME-001"), "the custom rule is in the report: {stdout}");
    assert!(stdout.contains("has no owner tag") || stdout.contains("has an owner"), "{stdout}");
}

/// A live run in an empty environment: no profile files, no instance metadata
/// (never reached: AWS_EC2_METADATA_DISABLED), every call to a closed port on 127.0.0.1.
fn bare_live() -> Command {
    let mut cmd = Command::cargo_bin("trailaudit").unwrap();
    let home = std::env::temp_dir().join("trailaudit-empty-home");
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("AWS_CONFIG_FILE", home.join("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("no-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("NO_COLOR", "1")
        .current_dir(std::env::temp_dir());
    cmd
}

/// A port on 127.0.0.1 that nothing listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn stderr_of(cmd: &mut Command, code: i32) -> String {
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    assert!(!stderr.contains("{ ") && !stderr.contains("Some(") && !stderr.contains("Error {"), "no Rust Debug dump: {stderr}");
    stderr
}

#[test]
fn missing_credentials_say_how_to_sign_in() {
    let url = format!("http://127.0.0.1:{}", closed_port());
    let stderr = stderr_of(bare_live().args(["audit", "--regions", "us-east-1", "--endpoint-url", &url]), 2);
    assert!(stderr.contains("trailaudit: error: no usable AWS credentials"), "{stderr}");
    assert!(stderr.contains("aws sso login") && stderr.contains("--profile"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
}

#[test]
fn missing_region_says_how_to_name_one() {
    let stderr = stderr_of(
        bare_live().env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE").env("AWS_SECRET_ACCESS_KEY", "x").args(["collect", "-o", "s.json"]),
        2,
    );
    assert!(stderr.contains("no AWS region configured"), "{stderr}");
    assert!(stderr.contains("--regions") && stderr.contains("AWS_REGION"), "{stderr}");
}

#[test]
fn unreachable_endpoint_says_what_to_check() {
    let url = format!("http://127.0.0.1:{}", closed_port());
    let stderr = stderr_of(
        bare_live().env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE").env("AWS_SECRET_ACCESS_KEY", "not-a-secret-but-never-printed").args([
            "audit",
            "--regions",
            "us-east-1",
            "--endpoint-url",
            &url,
            "--call-timeout",
            "5",
        ]),
        2,
    );
    assert!(stderr.contains("cannot reach AWS STS in region us-east-1"), "{stderr}");
    assert!(stderr.contains("--endpoint-url") && stderr.contains("HTTPS_PROXY"), "{stderr}");
    assert!(!stderr.contains("not-a-secret-but-never-printed"), "{stderr}");
}

#[test]
fn a_missing_file_prints_its_cause_once() {
    let stderr = stderr_of(trailaudit().args(["audit", "--snapshot", "does/not/exist.json"]), 2);
    assert_eq!(stderr.matches("No such file or directory").count(), 1, "{stderr}");
    let stderr = stderr_of(trailaudit().args(["audit", "--snapshot", &fixture("compliant"), "--config", "no/such.yaml"]), 2);
    assert_eq!(stderr.matches("No such file or directory").count(), 1, "{stderr}");
}

#[test]
fn writing_into_a_missing_directory_names_it_and_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("reports/out.json");
    let stderr = stderr_of(trailaudit().args(["audit", "--snapshot", &fixture("compliant"), "--json", &target.display().to_string()]), 2);
    assert!(stderr.contains(&format!("cannot write {}", target.display())), "{stderr}");
    assert!(stderr.contains(&format!("directory {} does not exist", dir.path().join("reports").display())), "{stderr}");
    assert!(!stderr.contains(".trailaudit-") && !stderr.contains("at path"), "{stderr}");
}

#[test]
fn quiet_keeps_stderr_empty_but_errors() {
    let waivers = "fixtures/noncompliant/waivers.yaml";
    let loud = trailaudit().args(["audit", "--snapshot", &fixture("noncompliant"), "--config", waivers]).output().unwrap();
    assert!(String::from_utf8_lossy(&loud.stderr).contains("warning"), "the waivers run warns");
    let quiet = trailaudit().args(["audit", "--quiet", "--snapshot", &fixture("noncompliant"), "--config", waivers]).output().unwrap();
    assert_eq!(quiet.status.code(), loud.status.code());
    assert_eq!(String::from_utf8_lossy(&quiet.stderr), "", "no warnings with --quiet");
    assert_eq!(quiet.stdout, loud.stdout, "the report is the same");
    trailaudit().args(["audit", "-q", "--snapshot", "does/not/exist.json"]).assert().code(2).stderr(predicate::str::contains("error:"));
}

#[test]
fn no_color_is_accepted_everywhere() {
    let out = trailaudit().env_remove("NO_COLOR").args(["--no-color", "audit", "--snapshot", &fixture("compliant")]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
    trailaudit().args(["rules", "--no-color"]).assert().code(0);
}

#[test]
fn shell_completions_and_man_page() {
    for (shell, marker) in [("bash", "_trailaudit()"), ("zsh", "#compdef trailaudit"), ("fish", "complete -c trailaudit")] {
        let out = trailaudit().args(["completions", shell]).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        assert!(text.contains(marker), "{shell}: {}", &text[..text.len().min(300)]);
        assert!(text.contains("snapshot") && text.contains("ocsf"), "{shell} completes options and values");
    }
    let bash = trailaudit().args(["completions", "bash"]).output().unwrap().stdout;
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("trailaudit.bash");
    std::fs::write(&script, bash).unwrap();
    let syntax = std::process::Command::new("bash").arg("-n").arg(&script).output().unwrap();
    assert!(syntax.status.success(), "bash -n: {}", String::from_utf8_lossy(&syntax.stderr));
    trailaudit().args(["completions", "tcsh"]).assert().code(2);
    let out = trailaudit().arg("man").output().unwrap();
    let page = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    assert!(page.starts_with(".ie") || page.starts_with(".TH"), "{}", &page[..page.len().min(200)]);
    assert!(page.contains(".TH trailaudit 1"), "{}", &page[..page.len().min(300)]);
    assert!(page.contains("TRAILAUDIT AUDIT") && page.contains("\\-\\-snapshot"), "every subcommand with its options");
    assert!(page.contains(".SH \"EXIT STATUS\""), "exit codes are in the page");
}

#[test]
fn an_sso_profile_without_a_session_names_its_login_command() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(
        dir.path(),
        "config",
        "[profile audit]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\n\
         sso_account_id = 111111111111\nsso_role_name = Audit\nregion = us-east-1\n",
    );
    let url = format!("http://127.0.0.1:{}", closed_port());
    let stderr = stderr_of(
        bare_live().env("HOME", dir.path()).env("AWS_CONFIG_FILE", &config).args(["audit", "--profile", "audit", "--endpoint-url", &url]),
        2,
    );
    assert!(stderr.contains("no usable AWS credentials"), "{stderr}");
    assert!(stderr.contains("`aws sso login --profile audit`"), "{stderr}");
}

#[test]
fn a_missing_output_directory_fails_before_collecting() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("snapshots");
    let target = missing.join("s.json").display().to_string();
    // No credentials either: the directory is what is reported, before any AWS call.
    let stderr = stderr_of(bare_live().args(["collect", "--regions", "us-east-1", "-o", &target]), 2);
    assert!(stderr.contains(&format!("cannot write {target}: directory {} does not exist", missing.display())), "{stderr}");
    let stderr = stderr_of(bare_live().args(["audit", "--regions", "us-east-1", "--sarif", &target]), 2);
    assert!(stderr.contains("does not exist") && !stderr.contains("credentials"), "{stderr}");
}

/// On a terminal (a pseudo-terminal from util-linux `script`, which Debian ships
/// in an essential package) the text report and clap's usage errors are coloured,
/// and `--no-color` turns both off.
#[test]
fn no_color_turns_colour_off_on_a_terminal() {
    let bin = assert_cmd::cargo::cargo_bin("trailaudit");
    let on_a_tty = |args: &str| {
        let line = format!("{} {args}", bin.display());
        let out = std::process::Command::new("script")
            .args(["-qec", &line, "/dev/null"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_remove("NO_COLOR")
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let report = format!("audit --snapshot {}", fixture("noncompliant"));
    assert!(on_a_tty(&report).contains("\u{1b}["), "a terminal gets colour");
    assert!(!on_a_tty(&format!("{report} --no-color")).contains("\u{1b}["), "--no-color");
    assert!(on_a_tty("audit --bogus").contains("\u{1b}["), "clap colours its errors on a terminal");
    let usage = on_a_tty("audit --bogus --no-color");
    assert!(usage.contains("unexpected argument") && !usage.contains("\u{1b}["), "{usage}");
}

/// The first screen of the terminal report (issue 13): the severity summary,
/// what decided the exit code and the one critical finding within 40 lines.
#[test]
fn noncompliant_report_shows_the_critical_finding_and_the_summary_on_the_first_screen() {
    let out = trailaudit().args(["audit", "--snapshot", &fixture("noncompliant")]).assert().code(1).get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    let screen: Vec<&str> = text.lines().take(40).collect();
    let at = |needle: &str| screen.iter().position(|l| l.contains(needle));
    let counts = noncompliant_counts();
    let n = |severity: &str| counts.by_severity[severity].as_u64().unwrap();
    let failing =
        format!("Failing:  {} critical, {} high, {} medium, {} low, {} info", n("critical"), n("high"), n("medium"), n("low"), n("info"));
    assert!(n("critical") == 1 && at(&failing).is_some(), "{text}");
    assert!(at(&format!("exit 1: {} failures at or above low", counts.failed)).is_some(), "{text}");
    let critical = at("CRITICAL CT-006 Trail bucket is not publicly accessible").expect("the critical finding on the first screen");
    assert!(screen[critical + 1].contains("arn:aws:s3:::legacy-app-trail-logs"), "{text}");
    assert!(screen[critical..].iter().any(|l| l.starts_with("  CLI:   aws s3api")), "its CLI steps too: {text}");
    // The 16 monitoring failures are one finding, with the rules it breaks.
    let grouped: Vec<&str> = text.lines().filter(|l| l.contains("no trail delivers to CloudWatch Logs")).collect();
    assert_eq!(grouped.len(), 1, "{text}");
    assert!(grouped[0].contains("(one cause, 16 failing rules)"), "{text}");
    assert!(text.contains("  rules:    MON-001, MON-002,") && text.contains("MON-016\n"), "{text}");
    assert!(!text.contains("\nMEDIUM   MON-001 "), "MON-001 is not listed on its own: {text}");
    assert!(
        text.contains(&format!("Passed: {} results of {} rules; --show-passes lists them", counts.passes, counts.pass_rules)),
        "{text}"
    );
    assert!(text.contains("No subjects: CT-003, CT-012, CT-013, CT-017, CT-018, CT-019, KMS-001"), "{text}");
    assert!(!text.contains("PASS   "), "passes are counted, not listed: {text}");

    let shown =
        trailaudit().args(["audit", "--snapshot", &fixture("noncompliant"), "--show-passes"]).assert().code(1).get_output().stdout.clone();
    let shown = String::from_utf8(shown).unwrap();
    assert_eq!(shown.lines().filter(|l| l.starts_with("  PASS   ")).count(), counts.passes, "{shown}");
}

#[test]
fn markdown_report_opens_with_the_exit_reason_and_lists_findings_before_the_rules_table() {
    let out = trailaudit()
        .args(["audit", "--snapshot", &fixture("noncompliant"), "--format", "markdown"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let md = String::from_utf8(out).unwrap();
    let counts = noncompliant_counts();
    assert!(md.contains(&format!("**exit 1: {} failures at or above low**", counts.failed)), "{md}");
    let (findings, rules) = (md.find("## Findings").unwrap(), md.find("## Rules").unwrap());
    assert!(findings < rules, "findings before the rules table");
    let first = md[findings..].lines().find(|l| l.starts_with("### ")).unwrap();
    assert_eq!(first, "### CT-006 Trail bucket is not publicly accessible (critical)");
    assert!(md.contains("### no trail delivers to CloudWatch Logs (medium; one cause of 16 failing rules)"), "{md}");
    assert!(
        md.contains("aws logs put-metric-filter --log-group-name <trail-log-group> --filter-name cis-4.1-UnauthorizedAPICalls"),
        "the CLI steps the MON fix refers to: {md}"
    );
    assert!(md.contains("| KMS-001 | medium | Customer managed symmetric KMS key rotates its key material | ➖ no subjects |"), "{md}");
    assert!(!md.contains("## Passes"), "passes are counted in the rules table only");
    let shown = trailaudit()
        .args(["audit", "--snapshot", &fixture("noncompliant"), "--format", "markdown", "--show-passes"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let shown = String::from_utf8(shown).unwrap();
    let passes = &shown[shown.find("## Passes").expect("listed with --show-passes")..shown.find("## Rules").unwrap()];
    // The rows after the header and its separator.
    assert_eq!(passes.lines().filter(|l| l.starts_with("| ")).skip(1).count(), counts.passes, "{passes}");
}

#[test]
fn fail_on_none_reports_without_failing_but_errors_still_exit_3() {
    trailaudit()
        .args(["audit", "--snapshot", &fixture("noncompliant"), "--fail-on", "none"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("exit 0: --fail-on none: 51 failures reported, none fails the run; no errors"))
        .stdout(predicate::str::contains("CRITICAL CT-006"));
    let out = trailaudit()
        .args(["audit", "--snapshot", &fixture("partial_collection"), "--fail-on", "none", "--format", "json"])
        .assert()
        .code(3)
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!((json["fail_on"].as_str(), json["summary"]["exit_code"].as_u64()), (Some("none"), Some(3)));
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "trailaudit.yaml", "fail_on: none\n");
    trailaudit().args(["audit", "--snapshot", &fixture("noncompliant"), "--config", &config]).assert().code(0);
}

/// Rule ids of a JSON report's results, deduplicated.
fn rule_ids(args: &[&str], code: i32) -> Vec<String> {
    let out = trailaudit()
        .args(["audit", "--snapshot", &fixture("noncompliant"), "--format", "json"])
        .args(args)
        .assert()
        .code(code)
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let mut ids: Vec<String> = json["results"].as_array().unwrap().iter().map(|r| r["rule_id"].as_str().unwrap().to_owned()).collect();
    ids.dedup();
    ids
}

#[test]
fn rules_skip_rules_and_min_severity_select_rules_together_with_framework() {
    assert_eq!(rule_ids(&["--rules", "CT-006"], 1), ["CT-006"]);
    assert_eq!(
        rule_ids(&["--rules", "CT-005,CT-006", "--rules", "ct-007"], 1),
        ["CT-005", "CT-006", "CT-007"],
        "comma-separated and repeated"
    );
    let mon = rule_ids(&["--rules", "MON-*", "--skip-rules", "MON-01*"], 1);
    assert_eq!(mon, ["MON-001", "MON-002", "MON-003", "MON-004", "MON-005", "MON-006", "MON-007", "MON-008", "MON-009"]);
    assert_eq!(rule_ids(&["--min-severity", "critical"], 1), ["CT-006"]);
    // Security Hub rules of high severity or more, without CT-001: CT-006 (critical) and CT-023
    // fail; CT-002 and CT-009 are high but serve no Security Hub control.
    let sh_high = rule_ids(&["--framework", "aws-securityhub", "--min-severity", "high", "--skip-rules", "CT-001"], 1);
    assert!(sh_high.contains(&"CT-006".to_owned()) && sh_high.contains(&"CT-023".to_owned()), "{sh_high:?}");
    assert!(!sh_high.contains(&"CT-001".to_owned()) && !sh_high.contains(&"CT-002".to_owned()), "{sh_high:?}");
    assert!(!sh_high.contains(&"MON-001".to_owned()), "medium rules left out: {sh_high:?}");
    // A control the selection left out is not "not covered" by the pack.
    let out = trailaudit()
        .args(["audit", "--snapshot", &fixture("noncompliant"), "--framework", "cis-aws-v5.0", "--rules", "CT-005"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let control = text.lines().find(|l| l.contains("Ensure unauthorized API calls are monitored")).unwrap();
    assert!(control.contains("not selected in this run (rules MON-001)"), "{control}");
    let control = text.lines().find(|l| l.contains("Ensure VPC flow logging is enabled")).unwrap();
    assert!(control.contains("needs ec2:DescribeVpcs"), "a control no rule serves keeps its reason: {control}");
    // Passing rules only: nothing fails.
    assert_eq!(rule_ids(&["--rules", "EVT-002,EVT-005"], 0), ["EVT-002", "EVT-005"]);
}

#[test]
fn a_selection_matching_no_rule_is_bad_usage_naming_the_pattern() {
    trailaudit()
        .args(["audit", "--snapshot", &fixture("noncompliant"), "--rules", "CT-006,NOPE-*"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--rules `NOPE-*` matches no rule of the pack"));
    trailaudit()
        .args(["audit", "--snapshot", &fixture("noncompliant"), "--skip-rules", "CT-999"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--skip-rules `CT-999` matches no rule"));
    trailaudit()
        .args(["audit", "--snapshot", &fixture("noncompliant"), "--rules", "MON-*", "--min-severity", "high"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the selection matches no rule: --rules MON-* --min-severity high"));
    trailaudit().args(["audit", "--snapshot", &fixture("noncompliant"), "--min-severity", "urgent"]).assert().code(2);
}

#[test]
fn waivers_accept_rule_globs_and_a_glob_matching_nothing_is_stale() {
    let dir = tempfile::tempdir().unwrap();
    let waiver = |rule: &str| {
        format!("  - rule: \"{rule}\"\n    reason: CloudWatch rollout (SEC-1)\n    owner: team-sec\n    expires: 2099-12-31\n")
    };
    let config = write(dir.path(), "trailaudit.yaml", &format!("waivers:\n{}{}", waiver("MON-*"), waiver("KMS-*")));
    let out = trailaudit()
        .args(["audit", "--snapshot", &fixture("noncompliant"), "--config", &config, "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let results = json["results"].as_array().unwrap();
    let mon: Vec<&serde_json::Value> = results.iter().filter(|r| r["rule_id"].as_str().unwrap().starts_with("MON-")).collect();
    assert_eq!(mon.len(), 16);
    assert!(mon.iter().all(|r| r["status"] == "waived"), "{mon:?}");
    let warnings = json["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!((warnings[0]["kind"].as_str(), warnings[0]["waiver"]["rule"].as_str()), (Some("waiver-stale"), Some("KMS-*")));
}

#[test]
fn frameworks_lists_controls_with_their_rules() {
    let out = trailaudit().args(["frameworks"]).assert().code(0).get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    for key in ["aws-securityhub", "cis-aws-v3.0", "cis-aws-v4.0", "cis-aws-v5.0", "cis-aws-v6.0", "cis-aws-v7.0", "mitre-attack"] {
        assert!(text.lines().any(|l| l.starts_with(key)), "{key}: {text}");
    }
    let line = text.lines().find(|l| l.contains("Ensure unauthorized API calls are monitored")).unwrap();
    assert!(line.contains("[MON-001]"), "{line}");
    assert!(text.contains("not covered: needs ec2:DescribeVpcs"), "{text}");
    let one = trailaudit().args(["frameworks", "cis-aws-v5.0", "--format", "json"]).assert().code(0).get_output().stdout.clone();
    let json: serde_json::Value = serde_json::from_slice(&one).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 1);
    let control = json[0]["controls"].as_array().unwrap().iter().find(|c| c["id"] == "3.2").unwrap();
    assert_eq!(control["rules"], serde_json::json!(["CT-005"]));
    trailaudit().args(["frameworks", "cis-aws-v9"]).assert().code(2).stderr(predicate::str::contains("unknown framework `cis-aws-v9`"));
}

#[test]
fn rules_id_prints_one_rule_in_full() {
    let out = trailaudit().args(["rules", "ct-006"]).assert().code(0).get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("CT-006 Trail bucket is not publicly accessible\nseverity:    critical\n"), "{text}");
    for needle in [
        "Frameworks:",
        "aws-securityhub:",
        "Requires",
        "  s3:GetBucketPolicy",
        "Remediation (console):",
        "Remediation (CLI):",
        "  aws s3api",
    ] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
    trailaudit().args(["rules", "CT-999"]).assert().code(2).stderr(predicate::str::contains("no rule `CT-999` in the pack"));
}

#[test]
fn pack_tests_print_failures_and_a_summary_and_every_test_with_verbose() {
    let quiet = trailaudit().args(["test"]).assert().code(0).get_output().stdout.clone();
    let quiet = String::from_utf8(quiet).unwrap();
    assert_eq!(quiet.lines().count(), 1, "only the summary when everything passes: {quiet}");
    assert!(quiet.contains(" passed, 0 failed (") && quiet.contains("-v lists every test"), "{quiet}");
    let verbose = trailaudit().args(["test", "-v"]).assert().code(0).get_output().stdout.clone();
    let verbose = String::from_utf8(verbose).unwrap();
    let passed: usize = quiet.split(' ').next().unwrap().parse().unwrap();
    assert_eq!(verbose.lines().filter(|l| l.starts_with("PASS ")).count(), passed, "{verbose}");
}

/// Issue 13 item 6: a partial collection names its missing permissions in one line.
#[test]
fn denied_calls_are_named_as_missing_permissions_in_one_line() {
    let expected =
        "missing permissions: cloudtrail:GetTrailStatus, cloudtrail:LookupEvents, logs:DescribeMetricFilters, s3:GetBucketPolicy";
    let out = trailaudit()
        .args(["audit", "--snapshot", &fixture("partial_collection"), "--fail-on", "critical"])
        .assert()
        .code(3)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.lines().filter(|l| l.contains("missing permissions:")).collect::<Vec<_>>(), [expected], "{text}");
    assert!(text.lines().take(12).any(|l| l == expected), "in the summary: {text}");
    assert!(text.contains("\nexit 3: 42 error results (data not collected or a rule broke); no failure at or above critical\n"), "{text}");
    assert!(
        text.contains("  Fix:   not judged: where the message names a denied call, grant the missing permissions above and collect again"),
        "{text}"
    );
    let md = trailaudit()
        .args(["audit", "--snapshot", &fixture("partial_collection"), "--format", "markdown"])
        .assert()
        .get_output()
        .stdout
        .clone();
    let md = String::from_utf8(md).unwrap();
    assert_eq!(md.lines().filter(|l| l.contains("missing permissions:")).count(), 1, "{md}");
    assert!(
        md.contains(
            "missing permissions: cloudtrail:GetTrailStatus, cloudtrail:LookupEvents, logs:DescribeMetricFilters, s3:GetBucketPolicy"
        ),
        "{md}"
    );
    let clean = trailaudit().args(["audit", "--snapshot", &fixture("noncompliant")]).assert().code(1).get_output().stdout.clone();
    assert!(!String::from_utf8(clean).unwrap().contains("missing permissions"));
}
