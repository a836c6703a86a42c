use std::path::PathBuf;

use serde_json::json;

use super::{MergeError, MergeOptions, merge_files};
use crate::snapshot::{
    Account, CollectionError, ErrorKind, Metadata, Organization, OrganizationScope, SCHEMA_VERSION, Shards, Snapshot, parse_str, write_file,
};

const ORG: &str = "o-a1b2c3d4e5";
const MANAGEMENT: &str = "111111111111";

fn account(id: &str) -> Account {
    let mut account: Account = serde_json::from_value(json!({ "account_id": id })).unwrap();
    account.organization = Some(Organization {
        id: ORG.into(),
        management_account_id: MANAGEMENT.into(),
        account_name: Some(format!("account {id}")),
        account_status: Some("ACTIVE".into()),
        ou_path: Vec::new(),
        delegated_administrators: Vec::new(),
    });
    account
}

fn error(account_id: &str, operation: &str) -> CollectionError {
    CollectionError {
        service: "cloudtrail".into(),
        operation: operation.into(),
        account_id: account_id.into(),
        region: Some("us-east-1".into()),
        resource: None,
        error_code: "AccessDenied".into(),
        message: "not allowed".into(),
        kind: ErrorKind::Failed,
    }
}

fn snapshot(ids: &[&str]) -> Snapshot {
    Snapshot {
        schema_version: SCHEMA_VERSION,
        metadata: Metadata::example(),
        organization: None,
        accounts: ids.iter().map(|id| account(id)).collect(),
        errors: Vec::new(),
    }
}

/// The scope of a discovery that selected `selected`, holding share `index` of `count`.
fn scope(selected: &[&str], shard: Option<(u32, u32)>) -> OrganizationScope {
    OrganizationScope {
        id: ORG.into(),
        management_account_id: MANAGEMENT.into(),
        discovered_from: MANAGEMENT.into(),
        delegated_administrators: Vec::new(),
        selected_accounts: selected.iter().map(|s| s.to_string()).collect(),
        skipped_accounts: Vec::new(),
        shards: shard.map(|(index, count)| Shards { count, indices: vec![index] }),
    }
}

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Dir {
        Dir(tempfile::tempdir().unwrap())
    }

    fn put(&self, name: &str, snapshot: &Snapshot) -> PathBuf {
        let path = self.0.path().join(name);
        write_file(snapshot, &path).unwrap();
        path
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }
}

/// Merges `parts` into `out.json` of the same directory; the merged snapshot as read back.
fn merged(dir: &Dir, parts: &[PathBuf]) -> (Snapshot, Vec<String>) {
    let merge = merge_files(parts, &MergeOptions::default()).unwrap();
    let out = dir.path("out.json");
    merge.write_file(&out).unwrap();
    let snapshot = parse_str(&std::fs::read_to_string(&out).unwrap(), &out).unwrap();
    (snapshot, merge.warnings().to_vec())
}

fn merge_error(parts: &[PathBuf]) -> String {
    match merge_files(parts, &MergeOptions::default()) {
        Ok(_) => panic!("the merge of {parts:?} should fail"),
        Err(e) => e.to_string(),
    }
}

fn ids(snapshot: &Snapshot) -> Vec<&str> {
    snapshot.accounts.iter().map(|a| a.account_id.as_str()).collect()
}

#[test]
fn one_part_is_written_back_byte_for_byte() {
    let dir = Dir::new();
    let mut part = snapshot(&["222222222222", "111111111111"]);
    part.accounts.sort_by(|a, b| a.account_id.cmp(&b.account_id));
    part.organization = Some(scope(&["111111111111", "222222222222"], None));
    part.errors = vec![error("222222222222", "GetTrailStatus")];
    let input = dir.put("in.json", &part);
    let merge = merge_files(std::slice::from_ref(&input), &MergeOptions::default()).unwrap();
    let out = dir.path("out.json");
    merge.write_file(&out).unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), std::fs::read_to_string(&input).unwrap());
    assert!(merge.warnings().is_empty(), "{:?}", merge.warnings());
}

#[test]
fn accounts_errors_and_regions_are_unioned_and_sorted() {
    let dir = Dir::new();
    let mut a = snapshot(&["100000000001", "100000000003"]);
    a.errors = vec![error("100000000003", "GetTrailStatus"), error("100000000001", "GetEventSelectors")];
    let mut b = snapshot(&["100000000002", "100000000004"]);
    b.metadata.regions = vec!["us-east-1".into(), "eu-west-1".into()];
    b.errors = vec![error("100000000002", "GetTrailStatus"), error("100000000001", "GetEventSelectors")];
    let parts = [dir.put("a.json", &a), dir.put("b.json", &b)];
    let (out, warnings) = merged(&dir, &parts);
    assert_eq!(ids(&out), ["100000000001", "100000000002", "100000000003", "100000000004"]);
    let mut errors =
        vec![error("100000000001", "GetEventSelectors"), error("100000000002", "GetTrailStatus"), error("100000000003", "GetTrailStatus")];
    errors.sort();
    assert_eq!(out.errors, errors, "every error once, sorted");
    assert_eq!(out.metadata.regions, ["eu-west-1", "us-east-1"]);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("covers regions [us-east-1]") && warnings[0].contains("b.json covers [us-east-1, eu-west-1]"),
        "{}",
        warnings[0]
    );
    assert_eq!(out.accounts[0], account("100000000001"), "accounts are carried over whole");
}

#[test]
fn an_identical_duplicate_is_kept_once_and_a_different_one_refused() {
    let dir = Dir::new();
    let a = dir.put("a.json", &snapshot(&["100000000001", "100000000002"]));
    let b = dir.put("b.json", &snapshot(&["100000000002", "100000000003"]));
    let (out, _) = merged(&dir, &[a.clone(), b, a.clone()]);
    assert_eq!(ids(&out), ["100000000001", "100000000002", "100000000003"]);

    let mut changed = snapshot(&["100000000002"]);
    changed.accounts[0].public_access_block = Some(Default::default());
    let c = dir.put("c.json", &changed);
    let message = merge_error(&[a.clone(), c.clone()]);
    assert!(message.starts_with("account 100000000002 is in "), "{message}");
    assert!(message.contains(&a.display().to_string()) && message.contains(&c.display().to_string()), "{message}");
}

#[test]
fn a_part_of_another_schema_version_is_named_with_the_first() {
    let dir = Dir::new();
    let a = dir.put("a.json", &snapshot(&["100000000001"]));
    let b = dir.path("b.json");
    std::fs::write(&b, r#"{"schema_version": 2, "metadata": {}, "accounts": []}"#).unwrap();
    let message = merge_error(&[a.clone(), b.clone()]);
    assert!(message.contains(&format!("{} has schema_version 1, {} has schema_version 2", a.display(), b.display())), "{message}");
}

#[test]
fn different_organizations_are_refused_naming_both_sources() {
    let dir = Dir::new();
    let a = dir.put("a.json", &snapshot(&["100000000001"]));
    let mut other = snapshot(&["100000000002"]);
    other.accounts[0].organization.as_mut().unwrap().id = "o-zzzzzzzzzz".into();
    let b = dir.put("b.json", &other);
    let message = merge_error(&[a.clone(), b.clone()]);
    assert!(message.starts_with("cannot merge snapshots of different organizations:"), "{message}");
    assert!(message.contains(&format!("{} (account 100000000001) has {ORG} (management account {MANAGEMENT})", a.display())), "{message}");
    assert!(message.contains(&format!("{} (account 100000000002) has o-zzzzzzzzzz", b.display())), "{message}");

    // The same through the organization scope of a part without accounts.
    let mut scoped = snapshot(&[]);
    scoped.organization = Some(OrganizationScope { management_account_id: "999999999999".into(), ..scope(&["100000000001"], None) });
    let c = dir.put("c.json", &scoped);
    let message = merge_error(&[a, c.clone()]);
    assert!(message.contains(&format!("{} (organization) has {ORG} (management account 999999999999)", c.display())), "{message}");
}

#[test]
fn shard_indices_are_unioned_and_dropped_once_all_are_there() {
    let dir = Dir::new();
    let selected = ["100000000001", "100000000002", "100000000003"];
    let shard = |i: u32| {
        let mut s = snapshot(&[selected[i as usize - 1]]);
        s.organization = Some(scope(&selected, Some((i, 3))));
        dir.put(&format!("shard-{i}.json"), &s)
    };
    let (one, two, three) = (shard(1), shard(2), shard(3));
    let (partial, warnings) = merged(&dir, &[three.clone(), one.clone()]);
    assert_eq!(partial.organization.as_ref().unwrap().shards, Some(Shards { count: 3, indices: vec![1, 3] }));
    assert!(warnings.iter().any(|w| w.contains("shard(s) 1, 3 of 3; shard(s) 2 are missing")), "{warnings:?}");

    let (all, warnings) = merged(&dir, &[three, one, two]);
    assert_eq!(all.organization, Some(scope(&selected, None)), "every share: no `shards` left, as an unsharded run");
    assert_eq!(ids(&all), selected);
    assert!(warnings.is_empty(), "{warnings:?}");

    let mut other_count = snapshot(&[]);
    other_count.organization = Some(scope(&selected, Some((1, 4))));
    let four = dir.put("of-four.json", &other_count);
    let message = merge_error(&[shard(1), four]);
    assert!(message.contains("different shard counts") && message.contains("has 3,") && message.ends_with("has 4"), "{message}");
}

#[test]
fn scopes_must_share_their_selection_and_union_their_skipped_accounts() {
    let dir = Dir::new();
    let skipped = |id: &str| crate::snapshot::SkippedAccount {
        account_id: id.into(),
        name: None,
        status: "SUSPENDED".into(),
        reason: "suspended".into(),
    };
    let mut a = snapshot(&["100000000001"]);
    a.organization = Some(OrganizationScope {
        skipped_accounts: vec![skipped("100000000009")],
        ..scope(&["100000000001", "100000000002"], Some((1, 2)))
    });
    let mut b = snapshot(&["100000000002"]);
    b.organization = Some(OrganizationScope {
        skipped_accounts: vec![skipped("100000000008"), skipped("100000000009")],
        ..scope(&["100000000001", "100000000002"], Some((2, 2)))
    });
    let (out, _) = merged(&dir, &[dir.put("a.json", &a), dir.put("b.json", &b)]);
    let skipped_ids: Vec<&str> = out.organization.as_ref().unwrap().skipped_accounts.iter().map(|s| s.account_id.as_str()).collect();
    assert_eq!(skipped_ids, ["100000000008", "100000000009"]);

    let mut c = snapshot(&["100000000002"]);
    c.organization = Some(scope(&["100000000002", "100000000003"], Some((2, 2))));
    let message = merge_error(&[dir.put("a.json", &a), dir.put("c.json", &c)]);
    assert!(message.contains("different account selections"), "{message}");
    assert!(
        message.contains("2 accounts (only there: 100000000001)") && message.ends_with("2 accounts (only there: 100000000003)"),
        "{message}"
    );
}

#[test]
fn a_part_without_scope_joins_only_with_selected_accounts() {
    let dir = Dir::new();
    let mut scoped = snapshot(&["100000000001"]);
    scoped.organization = Some(scope(&["100000000001", "100000000002"], None));
    let scoped = dir.put("org.json", &scoped);
    let inside = dir.put("inside.json", &snapshot(&["100000000002"]));
    let (out, _) = merged(&dir, &[inside.clone(), scoped.clone()]);
    assert_eq!(ids(&out), ["100000000001", "100000000002"]);
    assert!(out.organization.is_some());

    let mut unreachable = snapshot(&[]);
    unreachable.errors = vec![error("100000000005", "GetCallerIdentity")];
    let outside = dir.put("outside.json", &unreachable);
    let message = merge_error(&[scoped.clone(), outside.clone()]);
    assert!(message.starts_with(&format!("{} has no organization scope and holds account 100000000005", outside.display())), "{message}");
    assert!(message.contains(&format!("organization {ORG} in {} did not select", scoped.display())), "{message}");
}

#[test]
fn collected_at_is_the_earliest_and_parts_too_far_apart_are_refused() {
    let dir = Dir::new();
    let at = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    let part = |name: &str, id: &str, time: &str| {
        let mut s = snapshot(&[id]);
        s.metadata.collected_at = at(time);
        dir.put(name, &s)
    };
    let late = part("late.json", "100000000001", "2026-11-20T09:40:00Z");
    let early = part("early.json", "100000000002", "2026-11-20T09:00:00Z");
    let (out, _) = merged(&dir, &[late.clone(), early.clone()]);
    assert_eq!(out.metadata.collected_at, at("2026-11-20T09:00:00Z"));

    let later = part("later.json", "100000000003", "2026-11-20T10:01:00Z");
    let message = merge_error(&[late.clone(), early.clone(), later.clone()]);
    assert!(
        message.starts_with(&format!("{} was collected at 2026-11-20 09:00:00 UTC and {} at", early.display(), later.display())),
        "{message}"
    );
    assert!(message.contains("61 minutes later (at most 60"), "{message}");
    assert!(merge_files(&[early, later], &MergeOptions { max_skew_minutes: 90 }).is_ok(), "a wider bound lets them merge");
}

#[test]
fn partition_and_settings_must_match_and_a_tool_version_only_warns() {
    let dir = Dir::new();
    let a = dir.put("a.json", &snapshot(&["100000000001"]));
    let mut b = snapshot(&["100000000002"]);
    b.metadata.settings.event_history_days = 30;
    let message = merge_error(&[a.clone(), dir.put("b.json", &b)]);
    assert!(
        message.contains("different collection settings") && message.contains(r#"{"event_history_days":30,"event_history_max_events":10}"#),
        "{message}"
    );

    let mut c = snapshot(&["100000000003"]);
    c.metadata.partition = "aws-cn".into();
    let message = merge_error(&[a.clone(), dir.put("c.json", &c)]);
    assert!(message.contains("different partitions (metadata.partition)") && message.ends_with("has aws-cn"), "{message}");

    let mut d = snapshot(&["100000000004"]);
    d.metadata.tool.version = "9.9.9".into();
    let (out, warnings) = merged(&dir, &[a, dir.put("d.json", &d)]);
    assert_eq!(out.metadata.tool.version, "0", "the first part's");
    assert!(warnings.len() == 1 && warnings[0].contains("by trailaudit 9.9.9"), "{warnings:?}");
}

#[test]
fn the_output_may_replace_an_input() {
    let dir = Dir::new();
    let a = dir.put("a.json", &snapshot(&["100000000001"]));
    let b = dir.put("b.json", &snapshot(&["100000000002"]));
    let merge = merge_files(&[a.clone(), b], &MergeOptions::default()).unwrap();
    merge.write_file(&a).unwrap();
    let out = parse_str(&std::fs::read_to_string(&a).unwrap(), &a).unwrap();
    assert_eq!(ids(&out), ["100000000001", "100000000002"]);
}

#[test]
fn malformed_input_gets_the_loader_error() {
    let dir = Dir::new();
    let a = dir.put("a.json", &snapshot(&["100000000001"]));
    let bad = dir.path("bad.json");
    std::fs::write(&bad, "{\n  \"schema_version\": 1,\n  \"metadata\": 7\n}\n").unwrap();
    let message = merge_error(&[a, bad.clone()]);
    assert!(message.starts_with(&format!("{}:3:", bad.display())) && message.contains("`$.metadata`"), "{message}");
    assert!(matches!(merge_files(&[dir.path("missing.json")], &MergeOptions::default()), Err(MergeError::Load(_))));
    assert!(matches!(merge_files(&[], &MergeOptions::default()), Err(MergeError::NoInput)));
}

#[test]
fn a_part_read_from_a_pipe_is_kept_in_memory() {
    #[cfg(unix)]
    {
        let dir = Dir::new();
        let text = serde_json::to_string(&snapshot(&["100000000002", "100000000001"])).unwrap();
        let fifo = dir.path("pipe.json");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        let writer = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::write(fifo, text).unwrap())
        };
        let (out, _) = merged(&dir, &[fifo]);
        writer.join().unwrap();
        assert_eq!(ids(&out), ["100000000001", "100000000002"], "sorted like the collector's");
    }
}
