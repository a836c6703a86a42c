//! Issue 12's "Why", one scenario per bullet, on moto: each framework control is
//! judged on its own subject and wording. The set-up is collected once per
//! scenario, then audited offline per framework (`--framework KEY`), and the
//! per-control table of the JSON report is read.

mod support;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use aws_sdk_cloudtrail::types::{DataResource, EventSelector, ReadWriteType};
use support::moto::Moto;
use support::seed::Seeder;

/// Collects moto's us-east-1 into a snapshot in `dir`.
fn collect(moto: &Moto, dir: &Path) -> PathBuf {
    let snapshot = dir.join("snapshot.json");
    let out = Command::cargo_bin("trailaudit")
        .unwrap()
        .env("NO_COLOR", "1")
        .args(["collect", "--endpoint-url", &moto.url, "--regions", "us-east-1", "--event-history-days", "1", "--output"])
        .arg(&snapshot)
        .output()
        .unwrap();
    assert!(snapshot.exists(), "collect wrote no snapshot: {}", String::from_utf8_lossy(&out.stderr));
    snapshot
}

/// The per-control statuses of `framework` for the snapshot: control id -> status.
fn controls(snapshot: &Path, config: Option<&Path>, framework: &str) -> serde_json::Map<String, serde_json::Value> {
    let mut cmd = Command::cargo_bin("trailaudit").unwrap();
    cmd.args(["audit", "--format", "json", "--fail-on", "none", "--framework", framework, "--snapshot"]).arg(snapshot);
    if let Some(c) = config {
        cmd.arg("--config").arg(c);
    }
    let out = cmd.output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{framework}: no JSON report ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    report["framework"]["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap().to_owned(), c["status"].clone()))
        .collect()
}

/// The results of one rule for the snapshot: (status, message).
fn results(snapshot: &Path, config: Option<&Path>, rule: &str) -> Vec<(String, String)> {
    let mut cmd = Command::cargo_bin("trailaudit").unwrap();
    cmd.args(["audit", "--format", "json", "--fail-on", "none", "--rules", rule, "--snapshot"]).arg(snapshot);
    if let Some(c) = config {
        cmd.arg("--config").arg(c);
    }
    let report: serde_json::Value = serde_json::from_slice(&cmd.output().unwrap().stdout).unwrap();
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["status"].as_str().unwrap().to_owned(), r["message"].as_str().unwrap().to_owned()))
        .collect()
}

fn status<'a>(table: &'a serde_json::Map<String, serde_json::Value>, id: &str) -> &'a str {
    table.get(id).and_then(|s| s.as_str()).unwrap_or_else(|| panic!("no control {id} in {table:?}"))
}

/// Replaces the trail's selectors: all management events (read and write), and S3
/// data events of `values` for `rw` in a second selector.
async fn data_events(seeder: &Seeder, trail_arn: &str, values: &[&str], rw: ReadWriteType) {
    let values: Vec<String> = values.iter().map(|v| (*v).to_owned()).collect();
    seeder
        .cloudtrail("us-east-1")
        .put_event_selectors()
        .trail_name(trail_arn)
        .event_selectors(EventSelector::builder().read_write_type(ReadWriteType::All).include_management_events(true).build())
        .event_selectors(
            EventSelector::builder()
                .read_write_type(rw)
                .include_management_events(false)
                .data_resources(DataResource::builder().r#type("AWS::S3::Object").set_values(Some(values)).build())
                .build(),
        )
        .send()
        .await
        .expect("event selectors");
}

/// Bullet 1: a sensitive bucket whose data events are logged for reads only (by a
/// read-only selector over all buckets) passes the read control and fails the
/// write control, in every CIS version and in Security Hub; CT-002, which asks
/// for both on every sensitive bucket, fails and says writes are missing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_data_events_pass_the_read_control_and_fail_the_write_control() {
    let moto = Moto::start();
    let seeder = Seeder::new(&moto.url).await;
    let trail = seeder.compliant("us-east-1", "main").await;
    seeder.bucket("payroll-pii").await;
    data_events(&seeder, &trail, &["arn:aws:s3"], ReadWriteType::ReadOnly).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("trailaudit.yaml");
    std::fs::write(&config, "sensitive_buckets:\n  names: ['*-pii']\n").unwrap();
    let snapshot = collect(&moto, dir.path());

    for (framework, write, read) in [
        ("cis-aws-v3.0", "3.8", "3.9"),
        ("cis-aws-v4.0", "3.8", "3.9"),
        ("cis-aws-v5.0", "3.8", "3.9"),
        ("cis-aws-v6.0", "4.8", "4.9"),
        ("cis-aws-v7.0", "4.8", "4.9"),
        ("aws-securityhub", "S3.22", "S3.23"),
    ] {
        let table = controls(&snapshot, Some(&config), framework);
        assert_eq!((status(&table, write), status(&table, read)), ("fail", "pass"), "{framework} {write}/{read}");
    }
    // Issue 12's "done when": the text table of `--framework cis-aws-v7.0` gives every
    // one of its 26 controls a verdict, a not-covered reason or "manual".
    let out = Command::cargo_bin("trailaudit")
        .unwrap()
        .env("NO_COLOR", "1")
        .args(["audit", "--fail-on", "none", "--framework", "cis-aws-v7.0", "--snapshot"])
        .arg(&snapshot)
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("CIS Amazon Web Services Foundations Benchmark v7.0.0"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .collect();
    assert_eq!(rows.len(), 26, "{text}");
    for row in &rows {
        let verdict = ["PASS ", "FAIL ", "ERROR ", "NOT COVERED ", "MANUAL "].iter().any(|l| row[17..].starts_with(l));
        assert!(verdict, "no verdict, reason or manual: {row}");
    }
    let row = |id: &str| rows.iter().find(|r| r[2..].starts_with(&format!("{id} "))).unwrap();
    assert!(row("4.1").contains(" PASS ") && row("4.8").contains(" FAIL ") && row("4.9").contains(" PASS "), "{text}");
    assert!(row("4.10").contains("NOT COVERED") && row("4.10").contains("outside CloudTrail's configuration"), "{text}");
    assert!(row("5.1").ends_with("rules MON-001; manual in the benchmark"), "{text}");

    let ct002 = results(&snapshot, Some(&config), "CT-002");
    assert_eq!(ct002.len(), 1, "{ct002:?}");
    assert_eq!(ct002[0].0, "fail");
    assert!(
        ct002[0].1.starts_with("sensitive bucket payroll-pii: write data events are not logged by any logging trail (only read are logged"),
        "{ct002:?}"
    );
}

/// Bullet 2: a stopped trail without CloudWatch Logs fails Security Hub
/// CloudTrail.5 (CT-003 judges logging trails only, so it has no subject), and
/// with no other trail CloudTrail.3 fails too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_trail_without_cloudwatch_logs_fails_cloudtrail_5() {
    let moto = Moto::start();
    let seeder = Seeder::new(&moto.url).await;
    seeder.non_compliant("us-east-1", "legacy").await;
    let dir = tempfile::tempdir().unwrap();
    let snapshot = collect(&moto, dir.path());

    let table = controls(&snapshot, None, "aws-securityhub");
    assert_eq!(status(&table, "CloudTrail.5"), "fail");
    assert_eq!(status(&table, "CloudTrail.3"), "fail");
    assert_eq!(
        results(&snapshot, None, "CT-022"),
        [("fail".to_owned(), "trail legacy (stopped) has no CloudWatch Logs log group configured".to_owned())]
    );
    assert_eq!(results(&snapshot, None, "CT-003"), [], "CT-003 judges logging trails only");
}

/// Bullet 3: no bucket is tagged or named sensitive, but a logging multi-region
/// trail records reads and writes of all buckets: the account-level S3
/// object-level logging controls pass (they used to read "no subjects").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_bucket_data_events_pass_the_object_level_controls_without_a_sensitive_bucket() {
    let moto = Moto::start();
    let seeder = Seeder::new(&moto.url).await;
    let trail = seeder.compliant("us-east-1", "main").await;
    seeder.bucket("public-assets").await;
    data_events(&seeder, &trail, &["arn:aws:s3:::"], ReadWriteType::All).await;
    let dir = tempfile::tempdir().unwrap();
    let snapshot = collect(&moto, dir.path());

    for (framework, write, read) in [
        ("cis-aws-v3.0", "3.8", "3.9"),
        ("cis-aws-v5.0", "3.8", "3.9"),
        ("cis-aws-v7.0", "4.8", "4.9"),
        ("aws-securityhub", "S3.22", "S3.23"),
    ] {
        let table = controls(&snapshot, None, framework);
        assert_eq!((status(&table, write), status(&table, read)), ("pass", "pass"), "{framework} {write}/{read}");
    }
    assert_eq!(
        results(&snapshot, None, "CT-020"),
        [("pass".to_owned(), format!("S3 object-level write events of all current and future buckets are logged by {trail}"))]
    );
    assert_eq!(results(&snapshot, None, "CT-002"), [], "no sensitive bucket: CT-002 has no subject, and serves no control");
}

/// Bullet 3, second half: an account with no trail fails CloudTrail.3 ("at
/// least one trail enabled") and the S3 object-level controls, instead of
/// reading "no subjects".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_without_a_trail_fails_cloudtrail_3_instead_of_no_subjects() {
    let moto = Moto::start();
    let seeder = Seeder::new(&moto.url).await;
    seeder.bucket("reports").await;
    let dir = tempfile::tempdir().unwrap();
    let snapshot = collect(&moto, dir.path());

    let table = controls(&snapshot, None, "aws-securityhub");
    assert_eq!(
        [status(&table, "CloudTrail.1"), status(&table, "CloudTrail.3"), status(&table, "S3.22"), status(&table, "S3.23")],
        ["fail"; 4]
    );
    assert_eq!(results(&snapshot, None, "CT-023"), [("fail".to_owned(), "no trail records this account".to_owned())]);
    let v7 = controls(&snapshot, None, "cis-aws-v7.0");
    assert_eq!([status(&v7, "4.1"), status(&v7, "4.8"), status(&v7, "4.9")], ["fail"; 3]);
}
