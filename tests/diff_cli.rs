//! `trailaudit diff` as a user meets it: the compliant fixture against a copy
//! edited the way an incident would leave it, in every format, with exit codes.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::{Value, json};

const COMPLIANT: &str = "fixtures/compliant/snapshot.json";
const TRAIL: &str = "arn:aws:cloudtrail:us-east-1:111111111111:trail/management-events";
const GROUP: &str = "arn:aws:logs:us-east-1:111111111111:log-group:aws-cloudtrail-logs-111111111111";

fn trailaudit() -> Command {
    let mut cmd = Command::cargo_bin("trailaudit").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).env("NO_COLOR", "1");
    cmd
}

fn compliant() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(COMPLIANT);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The compliant account the morning after: logging stopped, the payroll
/// bucket dropped from data events, the root-usage alarm and the 4.4 metric
/// filter deleted, the us-east-1 Config recorder stopped.
fn after_incident() -> Value {
    let mut v = compliant();
    let account = &mut v["accounts"][0];
    let trail = &mut account["trails"][TRAIL];
    assert_eq!(trail["status"]["is_logging"], true, "fixture shape changed");
    trail["status"]["is_logging"] = json!(false);
    trail["status"]["stop_logging_time"] = json!("2026-11-20T08:59:00Z");
    trail["event_selectors"]["EventSelectors"][0]["DataResources"][0]["Values"] = json!(["arn:aws:s3:::acme-customer-data/"]);
    let alarm = "arn:aws:cloudwatch:us-east-1:111111111111:alarm:cis-4.3-RootAccountUsage";
    assert!(account["alarms"].as_object_mut().unwrap().remove(alarm).is_some(), "fixture shape changed");
    let filters = account["log_groups"][GROUP]["metric_filters"].as_array_mut().unwrap();
    let before = filters.len();
    filters.retain(|f| f["name"] != "cis-4.4-IAMPolicyChanges");
    assert_eq!(filters.len() + 1, before, "fixture shape changed");
    account["regions"]["us-east-1"]["config_recorders"][0]["recording"] = json!(false);
    v
}

fn write(dir: &tempfile::TempDir, name: &str, v: &Value) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, serde_json::to_string_pretty(v).unwrap()).unwrap();
    path.display().to_string()
}

#[test]
fn unchanged_snapshot_has_no_drift() {
    trailaudit()
        .args(["diff", COMPLIANT, COMPLIANT])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("0 drift, 0 improvement(s), 0 not comparable"));
}

#[test]
fn incident_is_reported_as_drift_in_json_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let new = write(&dir, "new.json", &after_incident());
    let out = trailaudit().args(["diff", COMPLIANT, &new, "--format", "json"]).assert().code(1).get_output().stdout.clone();
    let report: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(report["diff_report_version"], 1);
    assert_eq!(report["summary"], json!({"drift": 5, "improvements": 0, "unverifiable": 0, "exit_code": 1}));
    let got: Vec<(String, String)> = report["drift"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["severity"].as_str().unwrap().to_owned(), c["aspect"].as_str().unwrap().to_owned()))
        .collect();
    let expected = [
        ("high", "logging"),
        ("medium", "s3_data_events"),
        ("medium", "alarm"),
        ("medium", "metric_filter"),
        ("medium", "config_recorder"),
    ];
    assert_eq!(got, expected.map(|(a, b)| (a.to_owned(), b.to_owned())));
    let s3 = &report["drift"][1];
    // The compliant fixture logs every bucket (`arn:aws:s3`); the incident narrows it to one.
    assert!(
        s3["message"].as_str().unwrap().contains("no longer captured: S3 object reads in every bucket; S3 object writes in every bucket"),
        "{s3}"
    );
    assert_eq!(report["drift"][0]["resource"], TRAIL);
    // Reversed, the same changes are improvements and nothing drifts.
    let back = trailaudit().args(["diff", &new, COMPLIANT, "--format", "json"]).assert().code(0).get_output().stdout.clone();
    let back: Value = serde_json::from_slice(&back).unwrap();
    assert_eq!(back["summary"]["improvements"], 5);
}

#[test]
fn markdown_and_text_reports_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let new = write(&dir, "new.json", &after_incident());
    let md = dir.path().join("drift.md");
    trailaudit().args(["diff", COMPLIANT, &new, "--format", "markdown", "--output"]).arg(&md).assert().code(1).stdout("");
    let md = std::fs::read_to_string(md).unwrap();
    assert!(md.starts_with("# trailaudit diff: ❌ drift"), "{md}");
    assert!(md.contains("| high | 111111111111 | us-east-1 |"), "{md}");
    // AWS strings (here a metric filter pattern) are escaped: braces, parentheses, pipes.
    assert!(md.contains(r"| \{\($.eventName=DeleteGroupPolicy\)\|\|"), "{md}");
    trailaudit()
        .args(["diff", COMPLIANT, &new])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("trail logging: logging → not logging"))
        .stdout(predicate::str::contains("5 drift, 0 improvement(s), 0 not comparable"));
}

#[test]
fn unreadable_status_in_new_snapshot_is_exit_3_not_0() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = compliant();
    v["accounts"][0]["trails"][TRAIL]["status"] = Value::Null;
    v["errors"] = json!([{
        "service": "cloudtrail", "operation": "GetTrailStatus", "account_id": "111111111111", "region": "us-east-1",
        "resource": TRAIL, "error_code": "AccessDeniedException", "message": "denied"
    }]);
    let new = write(&dir, "new.json", &v);
    trailaudit()
        .args(["diff", COMPLIANT, &new])
        .assert()
        .code(3)
        .stdout(predicate::str::contains("cannot compare trail logging: cloudtrail:GetTrailStatus failed in the new snapshot"));
}

#[test]
fn bad_input_exits_2_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(COMPLIANT)).unwrap();
    let broken = text.replacen("\"is_logging\": true", "\"is_logging\": 1", 1);
    assert_ne!(text, broken, "fixture shape changed");
    let line = broken.lines().position(|l| l.contains("\"is_logging\": 1")).unwrap() + 1;
    let path = dir.path().join("broken.json");
    std::fs::write(&path, broken).unwrap();
    let path = path.display().to_string();
    trailaudit()
        .args(["diff", COMPLIANT, &path])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("{path}:{line}:")))
        .stderr(predicate::str::contains("is_logging"));
    trailaudit().args(["diff", COMPLIANT]).assert().code(2).stderr(predicate::str::contains("NEW"));
}
