//! The recorded fixtures under `fixtures/` are valid snapshot v1 documents,
//! shaped the way the collector records AWS answers, and the loader rejects
//! broken variants of them with an error that says where.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use trailaudit::config::Config;
use trailaudit::snapshot::{self, Snapshot, SnapshotError};

/// The scenarios issue 2 asks for; more may be added, none may go missing.
const REQUIRED: &[&str] = &["advanced_selectors", "compliant", "no_trail", "noncompliant", "organization", "partial_collection"];

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Every `fixtures/<scenario>/snapshot.json`, sorted by scenario.
fn fixture_files() -> Vec<(String, PathBuf)> {
    let mut found: Vec<(String, PathBuf)> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures/ exists")
        .map(|entry| entry.expect("readable fixtures/ entry").path())
        .filter(|dir| dir.join("snapshot.json").is_file())
        .map(|dir| (dir.file_name().unwrap().to_string_lossy().into_owned(), dir.join("snapshot.json")))
        .collect();
    found.sort();
    found
}

fn load(path: &Path) -> Snapshot {
    match snapshot::load_file(path) {
        Ok((snapshot, _)) => snapshot,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn every_required_scenario_is_present() {
    let names: Vec<String> = fixture_files().into_iter().map(|(name, _)| name).collect();
    for required in REQUIRED {
        assert!(names.iter().any(|n| n == required), "fixtures/{required}/snapshot.json is missing (found {names:?})");
    }
}

#[test]
fn every_fixture_parses_and_round_trips() {
    for (name, path) in fixture_files() {
        let parsed = load(&path);
        let text = serde_json::to_string_pretty(&parsed).expect("serializes");
        let again = snapshot::parse_str(&text, &path).unwrap_or_else(|e| panic!("{name}: re-parse failed: {e}"));
        assert_eq!(parsed, again, "{name}: snapshot changed after serialize → parse");
    }
}

#[test]
fn fixture_configs_parse() {
    for (name, path) in fixture_files() {
        let config = path.with_file_name("trailaudit.yaml");
        if config.is_file() {
            Config::load(&config).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}

/// What DescribeTrails(includeShadowTrails) returns: a multi-region trail in
/// every region, a single-region trail only in its home region, and each
/// listed ARN described once in `trails`.
#[test]
fn fixtures_list_trails_as_describe_trails_does() {
    for (name, path) in fixture_files() {
        let snap = load(&path);
        for account in &snap.accounts {
            let id = &account.account_id;
            assert_eq!(
                account.regions.keys().collect::<Vec<_>>(),
                snap.metadata.regions.iter().collect::<Vec<_>>(),
                "{name}/{id}: every covered region has an inventory"
            );
            for (region, inventory) in &account.regions {
                for arn in &inventory.trail_arns {
                    let trail = account.trails.get(arn).unwrap_or_else(|| panic!("{name}/{id}/{region}: {arn} not described"));
                    assert!(
                        trail.is_multi_region_trail || &trail.home_region == region,
                        "{name}/{id}: single-region trail {arn} listed outside its home region {region}"
                    );
                }
            }
            for (arn, trail) in &account.trails {
                assert_eq!(arn, &trail.arn, "{name}/{id}: trails are keyed by ARN");
                assert!(arn.starts_with(&format!("arn:aws:cloudtrail:{}:", trail.home_region)), "{name}: {arn} vs home region");
                for (region, inventory) in &account.regions {
                    let listed = inventory.trail_arns.contains(arn);
                    let expected = trail.is_multi_region_trail || &trail.home_region == region;
                    assert_eq!(listed, expected, "{name}/{id}: {arn} listed in {region}?");
                }
            }
        }
    }
}

/// Log groups are keyed by ARN without `:*`, while trails name them with it;
/// every failed call names a known action and an account of the snapshot;
/// no recorded time lies after `collected_at`.
#[test]
fn fixtures_are_internally_consistent() {
    for (name, path) in fixture_files() {
        let snap = load(&path);
        let collected_at = snap.metadata.collected_at;
        for account in &snap.accounts {
            let id = &account.account_id;
            for (arn, group) in &account.log_groups {
                assert!(!arn.ends_with(":*") && arn == &group.arn, "{name}/{id}: log group key {arn}");
            }
            for trail in account.trails.values() {
                if let Some(group) = &trail.cloud_watch_logs_log_group_arn {
                    let key = group.strip_suffix(":*").unwrap_or_else(|| panic!("{name}: {group} lacks `:*`"));
                    if trail.arn.contains(&format!(":{id}:")) {
                        assert!(account.log_groups.contains_key(key), "{name}/{id}: log group {key} not collected");
                    }
                }
                if let Some(status) = &trail.status {
                    let times = [
                        status.latest_delivery_time,
                        status.latest_cloud_watch_logs_delivery_time,
                        status.latest_digest_delivery_time,
                        status.start_logging_time,
                        status.stop_logging_time,
                    ];
                    assert!(times.iter().flatten().all(|t| *t <= collected_at), "{name}: {} has a future time", trail.arn);
                }
            }
            if let Some(history) = &account.event_history {
                assert!(history.end_time <= collected_at && history.start_time < history.end_time, "{name}/{id}: window");
                for event in &history.events {
                    let in_window = history.start_time <= event.event_time && event.event_time <= history.end_time;
                    assert!(in_window, "{name}/{id}: event {} outside the window", event.event_id);
                }
            }
        }
        for error in &snap.errors {
            assert!(error.action().is_some(), "{name}: unknown action {}", error.action_name());
            assert!(snap.accounts.iter().any(|a| a.account_id == error.account_id), "{name}: error for unknown account");
        }
    }
}

// ---- malformed variants -------------------------------------------------

fn compliant() -> (PathBuf, Value) {
    let path = fixtures_dir().join("compliant/snapshot.json");
    let text = std::fs::read_to_string(&path).expect("compliant fixture");
    (path, serde_json::from_str(&text).expect("compliant fixture is JSON"))
}

const TRAIL: &str = "arn:aws:cloudtrail:us-east-1:111111111111:trail/management-events";

/// 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("`{needle}` not in text")) + 1
}

fn rejected(text: &str) -> (SnapshotError, String) {
    match snapshot::parse_str(text, Path::new("bad/snapshot.json")) {
        Ok(_) => panic!("malformed snapshot accepted"),
        Err(e) => {
            let message = e.to_string();
            (e, message)
        }
    }
}

#[test]
fn wrong_type_in_a_nested_field_names_path_and_line() {
    let (_, mut doc) = compliant();
    doc["accounts"][0]["trails"][TRAIL]["status"]["is_logging"] = json!("yes");
    let text = serde_json::to_string_pretty(&doc).unwrap();
    let (err, message) = rejected(&text);
    let line = line_of(&text, r#""is_logging": "yes""#);
    let path = format!("$.accounts[0].trails[\"{TRAIL}\"].status.is_logging");
    assert!(matches!(err, SnapshotError::Invalid { .. }), "{message}");
    assert!(message.contains(&path), "path `{path}` missing from: {message}");
    assert!(message.starts_with(&format!("bad/snapshot.json:{line}:")), "line {line} missing from: {message}");
    assert!(message.contains("invalid type: string \"yes\", expected a boolean"), "{message}");
}

#[test]
fn unknown_field_names_path_and_line() {
    let (_, mut doc) = compliant();
    doc["accounts"][0]["buckets"]["acme-customer-data"]["colour"] = json!("blue");
    let text = serde_json::to_string_pretty(&doc).unwrap();
    let (_, message) = rejected(&text);
    let line = line_of(&text, r#""colour": "blue""#);
    assert!(message.contains("$.accounts[0].buckets[\"acme-customer-data\"]"), "path missing from: {message}");
    assert!(message.contains("unknown field `colour`"), "{message}");
    assert!(message.starts_with(&format!("bad/snapshot.json:{line}:")), "line {line} missing from: {message}");
}

#[test]
fn wrong_type_in_an_event_selector_names_the_aws_field() {
    let (_, mut doc) = compliant();
    doc["accounts"][0]["trails"][TRAIL]["event_selectors"]["EventSelectors"][0]["DataResources"][0]["Values"] =
        json!("arn:aws:s3:::acme-customer-data/");
    let text = serde_json::to_string_pretty(&doc).unwrap();
    let (_, message) = rejected(&text);
    let path = format!("$.accounts[0].trails[\"{TRAIL}\"].event_selectors.EventSelectors[0].DataResources[0].Values");
    let line = line_of(&text, r#""Values": "arn:aws:s3:::acme-customer-data/""#);
    assert!(message.contains(&path), "path `{path}` missing from: {message}");
    assert!(message.starts_with(&format!("bad/snapshot.json:{line}:")), "line {line} missing from: {message}");
}

#[test]
fn unknown_schema_version_is_named() {
    let (_, mut doc) = compliant();
    doc["schema_version"] = json!(2);
    let (err, message) = rejected(&serde_json::to_string_pretty(&doc).unwrap());
    assert!(matches!(err, SnapshotError::UnknownVersion { .. }), "{message}");
    assert!(message.contains("bad/snapshot.json"), "{message}");
    assert!(message.contains("unsupported schema_version 2"), "{message}");
}

#[test]
fn unknown_schema_version_wins_over_later_field_errors() {
    // A future version would differ in shape too: the version is the error to report.
    let (_, mut doc) = compliant();
    doc["schema_version"] = json!(3);
    doc["accounts"][0]["trails"][TRAIL]["status"] = json!("logging");
    let (err, message) = rejected(&serde_json::to_string_pretty(&doc).unwrap());
    assert!(matches!(err, SnapshotError::UnknownVersion { .. }), "{message}");
    assert!(message.contains("schema_version 3"), "{message}");
}

#[test]
fn truncated_json_names_the_last_line() {
    let (path, _) = compliant();
    let text = std::fs::read_to_string(path).unwrap();
    let cut = text.find(r#""is_logging""#).expect("status in the fixture");
    let truncated = &text[..cut];
    let (err, message) = rejected(truncated);
    let last_line = truncated.lines().count();
    assert!(matches!(err, SnapshotError::Invalid { .. }), "{message}");
    assert!(message.contains("EOF while parsing"), "{message}");
    assert!(message.starts_with(&format!("bad/snapshot.json:{last_line}:")), "line {last_line} missing from: {message}");
    assert!(message.contains(&format!("$.accounts[0].trails[\"{TRAIL}\"].status")), "path missing from: {message}");
}

#[test]
fn trailing_garbage_is_rejected() {
    let (path, _) = compliant();
    let mut text = std::fs::read_to_string(path).unwrap();
    text.push_str("{}\n");
    let (_, message) = rejected(&text);
    assert!(message.contains("trailing characters"), "{message}");
}
