//! `trailaudit merge` as a user meets it: shards of an organization merged
//! back audit exactly like the snapshot they were split from, and parts that
//! cannot be joined are refused with exit 2 and a message naming the files.

mod split;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::{Value, json};
use trailaudit::snapshot::Snapshot;

fn trailaudit() -> Command {
    let mut cmd = Command::cargo_bin("trailaudit").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).env_remove("AWS_ENDPOINT_URL").env("NO_COLOR", "1");
    cmd
}

/// The JSON report of auditing `snapshot`, and the exit code.
fn audit(snapshot: &str) -> (Value, i32) {
    let out = trailaudit().args(["audit", "--snapshot", snapshot, "--format", "json"]).output().unwrap();
    let code = out.status.code().unwrap();
    assert!(code != 2, "audit of {snapshot}: {}", String::from_utf8_lossy(&out.stderr));
    (serde_json::from_slice(&out.stdout).unwrap(), code)
}

fn read(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A snapshot file as trailaudit reads it (defaults filled in), to compare contents whatever the layout.
fn snapshot(path: &str) -> Snapshot {
    trailaudit::snapshot::load_file(std::path::Path::new(path)).unwrap().0
}

#[test]
fn merged_shards_audit_result_for_result_like_the_snapshot_they_were_split_from() {
    let dir = tempfile::tempdir().unwrap();
    let original = split::with_scope(&split::organization_fixture());
    let whole = split::write(dir.path(), "whole.json", &original);
    let shards: Vec<String> = split::shards(&original, 3)
        .iter()
        .enumerate()
        .map(|(i, s)| split::write(dir.path(), &format!("shard-{}.json", i + 1), s))
        .collect();
    let merged = dir.path().join("merged.json").display().to_string();
    trailaudit().args(["merge", &shards[2], &shards[0], &shards[1], "--output", &merged]).assert().code(0).stderr(
        predicate::str::contains("merged 3 snapshot(s)")
            .and(predicate::str::contains("2 account(s)"))
            .and(predicate::str::contains("warning").not()),
    );
    assert_eq!(snapshot(&merged), snapshot(&whole), "the merge is the snapshot the shards were split from");

    let (expected, expected_code) = audit(&whole);
    let (got, got_code) = audit(&merged);
    assert_eq!(got_code, expected_code);
    let results = |report: &Value| report["results"].as_array().unwrap().clone();
    assert!(results(&expected).len() > 40, "a real audit: {}", results(&expected).len());
    assert!(results(&expected).iter().any(|r| r["status"] == "error"), "the member's failed call travelled with its shard");
    assert_eq!(results(&got), results(&expected));
    assert_eq!(got["summary"], expected["summary"]);
}

#[test]
fn one_snapshot_merges_into_itself() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json").display().to_string();
    trailaudit().args(["merge", "fixtures/partial_collection/snapshot.json", "-o", &out]).assert().code(0);
    assert_eq!(snapshot(&out), snapshot("fixtures/partial_collection/snapshot.json"));
}

#[test]
fn a_missing_shard_is_a_warning_and_stays_in_the_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let shards = split::shards(&split::organization_fixture(), 3);
    let one = split::write(dir.path(), "shard-1.json", &shards[0]);
    let out = dir.path().join("out.json").display().to_string();
    trailaudit()
        .args(["merge", &one, "--output", &out])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("warning: the merged snapshot holds shard(s) 1 of 3; shard(s) 2, 3 are missing"));
    assert_eq!(read(&out)["organization"]["shards"], json!({"count": 3, "indices": [1]}));
}

#[test]
fn an_identical_duplicate_is_accepted_and_a_different_one_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = "fixtures/organization/snapshot.json";
    let out = dir.path().join("out.json").display().to_string();
    trailaudit().args(["merge", fixture, fixture, "--output", &out]).assert().code(0);
    assert_eq!(snapshot(&out), snapshot(fixture));

    let mut changed = split::organization_fixture();
    changed["accounts"][0]["public_access_block"] = Value::Null;
    changed["accounts"][0]["log_groups"] = json!({});
    let changed = split::write(dir.path(), "changed.json", &changed);
    trailaudit()
        .args(["merge", fixture, &changed, "--output", &out])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("account 444444444444 is in {fixture} and in {changed}, and differs between them")));
}

#[test]
fn different_organizations_and_schema_versions_are_refused_naming_both_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json").display().to_string();
    let mut other = read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/compliant/snapshot.json"));
    other["metadata"] = read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/organization/snapshot.json"))["metadata"].clone();
    other["accounts"][0]["organization"] = json!({"id": "o-zzzzzzzzzz", "management_account_id": "111111111111"});
    let other = split::write(dir.path(), "other-org.json", &other);
    trailaudit().args(["merge", "fixtures/organization/snapshot.json", &other, "--output", &out]).assert().code(2).stderr(
        predicate::str::contains("cannot merge snapshots of different organizations: fixtures/organization/snapshot.json (account 444444444444) has o-a1b2c3d4e5 (management account 444444444444)")
            .and(predicate::str::contains(format!("{other} (account 111111111111) has o-zzzzzzzzzz (management account 111111111111)"))),
    );

    let future = split::write(dir.path(), "v2.json", &json!({"schema_version": 2, "metadata": {}, "accounts": []}));
    trailaudit().args(["merge", "fixtures/organization/snapshot.json", &future, "--output", &out]).assert().code(2).stderr(
        predicate::str::contains(format!(
            "different schema versions: fixtures/organization/snapshot.json has schema_version 1, {future} has schema_version 2"
        )),
    );
    assert!(!std::path::Path::new(&out).exists(), "nothing is written when the merge is refused");
}

#[test]
fn malformed_input_is_named_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\n  \"schema_version\": 1,\n  \"metadata\": {\"tool\": 3}\n}\n").unwrap();
    let out = dir.path().join("out.json").display().to_string();
    trailaudit()
        .args(["merge", "fixtures/compliant/snapshot.json", bad.to_str().unwrap(), "--output", &out])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("{}:3:", bad.display())).and(predicate::str::contains("`$.metadata.tool`")));
    trailaudit().args(["merge", "--output", &out]).assert().code(2).stderr(predicate::str::contains("<SNAPSHOT>"));
}
