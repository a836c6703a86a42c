//! Live audit against moto gives the same report as collect-then-audit.
//! moto answers LookupEvents with HTTP 500 (shared/reference/moto.md), so both
//! runs record that failure and exit 3 the same way.

mod support;

use assert_cmd::Command;
use support::moto::Moto;
use support::seed::Seeder;

/// `trailaudit <subcommand>` aimed at moto, two regions, one day of history.
fn trailaudit(moto: &Moto, subcommand: &str) -> Command {
    let mut cmd = Command::cargo_bin("trailaudit").unwrap();
    cmd.env("NO_COLOR", "1").arg(subcommand).args([
        "--endpoint-url",
        &moto.url,
        "--regions",
        "us-east-1,eu-west-1",
        "--event-history-days",
        "1",
    ]);
    cmd
}

/// The report without what differs between two collections of the same state:
/// the snapshot path, the collection time, delivery times (moto, like AWS,
/// reports the time of the latest delivery, which moves between collections),
/// and the event-history window, which ends when each collection ran (read
/// from the snapshot the report was made from, and replaced wherever a message
/// or evidence quotes it).
fn comparable(json: &str, snapshot: &std::path::Path) -> serde_json::Value {
    let snap: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(snapshot).unwrap()).unwrap();
    let mut window: Vec<(String, &str)> = Vec::new();
    for account in snap["accounts"].as_array().unwrap() {
        for (key, label) in [("start_time", "[WINDOW_START]"), ("end_time", "[WINDOW_END]")] {
            if let Some(t) = account["event_history"][key].as_str() {
                window.push((t.to_owned(), label));
            }
        }
    }
    let mut text = json.to_owned();
    for (time, label) in &window {
        text = text.replace(time.as_str(), label);
    }
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let snapshot = v["snapshot"].as_object_mut().unwrap();
    snapshot.remove("path");
    snapshot.remove("collected_at");
    for result in v["results"].as_array_mut().unwrap() {
        if let Some(evidence) = result["evidence"].as_object_mut() {
            for key in ["latest_delivery_time", "latest_digest_delivery_time"] {
                if evidence.get(key).is_some_and(|t| !t.is_null()) {
                    evidence.insert(key.to_owned(), serde_json::json!("[TIME]"));
                }
            }
        }
    }
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_audit_equals_collect_then_audit() {
    let moto = Moto::start();
    let seeder = Seeder::new(&moto.url).await;
    seeder.compliant("us-east-1", "main").await;
    seeder.non_compliant("eu-west-1", "legacy").await;
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap.json");
    let offline_report = dir.path().join("offline.json");
    let live_report = dir.path().join("live.json");

    let collected = trailaudit(&moto, "collect").arg("--output").arg(&snap).output().unwrap();
    assert!(snap.exists(), "collect wrote no snapshot: {}", String::from_utf8_lossy(&collected.stderr));
    let offline = Command::cargo_bin("trailaudit")
        .unwrap()
        .args(["audit", "--format", "json", "--snapshot"])
        .arg(&snap)
        .arg("--output")
        .arg(&offline_report)
        .output()
        .unwrap();
    let live = trailaudit(&moto, "audit")
        .args(["--format", "json", "--output"])
        .arg(&live_report)
        .arg("--save-snapshot")
        .arg(dir.path().join("live-snapshot.json"))
        .output()
        .unwrap();
    assert_eq!(offline.status.code(), live.status.code(), "live stderr: {}", String::from_utf8_lossy(&live.stderr));
    let offline_json = comparable(&std::fs::read_to_string(&offline_report).unwrap(), &snap);
    let live_json = comparable(&std::fs::read_to_string(&live_report).unwrap(), &dir.path().join("live-snapshot.json"));
    assert_eq!(offline_json, live_json);
    // The noncompliant trail fails, and the LookupEvents failure is recorded, not dropped.
    let results = live_json["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["rule_id"] == "CT-008" && r["status"] == "fail"), "{live_json:#}");
    let snapshot: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&snap).unwrap()).unwrap();
    assert!(snapshot["errors"].as_array().unwrap().iter().any(|e| e["operation"] == "LookupEvents"));
}

/// A live audit takes the same selection as an offline one: only the chosen
/// rules are judged; a selection matching nothing stops before any call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_audit_judges_only_the_selected_rules() {
    let moto = Moto::start();
    let seeder = Seeder::new(&moto.url).await;
    seeder.non_compliant("us-east-1", "legacy").await;
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("live.json");
    let live = trailaudit(&moto, "audit")
        .args(["--format", "json", "--rules", "CT-00*,COL-001", "--skip-rules", "CT-001", "--min-severity", "high", "--output"])
        .arg(&report)
        .arg("--save-snapshot")
        .arg(dir.path().join("live-snapshot.json"))
        .output()
        .unwrap();
    assert_eq!(live.status.code(), Some(1), "stderr: {}", String::from_utf8_lossy(&live.stderr));
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let mut ids: Vec<&str> = json["results"].as_array().unwrap().iter().map(|r| r["rule_id"].as_str().unwrap()).collect();
    ids.dedup();
    assert!(ids.contains(&"CT-008"), "{ids:?}");
    assert!(ids.iter().all(|id| ["CT-002", "CT-006", "CT-008", "CT-009"].contains(id)), "high or critical CT-00* but CT-001 only: {ids:?}");

    let snapshot = dir.path().join("never.json");
    let bad = trailaudit(&moto, "audit").args(["--rules", "NOPE-*", "--save-snapshot"]).arg(&snapshot).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--rules `NOPE-*` matches no rule"), "{}", String::from_utf8_lossy(&bad.stderr));
    assert!(!snapshot.exists(), "nothing was collected");
}

/// Issue 15, defect 10, for `collect`: a `--role-arn` of the calling account's
/// own role collects that account twice; the snapshot written keeps it once
/// (with a warning), so it can be audited (the loader refuses an account twice).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_collected_twice_is_written_once() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("snapshot.json");
    let own_role = format!("arn:aws:iam::{}:role/audit", support::seed::ACCOUNT);
    let out = trailaudit(&moto, "collect").args(["--role-arn", &own_role, "--output"]).arg(&snapshot).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("warning: account {} was collected more than once", support::seed::ACCOUNT)), "{stderr}");
    assert!(stderr.contains("(1 account(s),"), "{stderr}");
    let snap: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&snapshot).unwrap()).unwrap();
    assert_eq!(snap["accounts"].as_array().unwrap().len(), 1);
    let audit = Command::cargo_bin("trailaudit").unwrap().args(["audit", "--snapshot"]).arg(&snapshot).output().unwrap();
    assert_ne!(audit.status.code(), Some(2), "{}", String::from_utf8_lossy(&audit.stderr));
}
