//! Splits a recorded snapshot into the shards an organization-wide collection
//! (`collect --organization --shard K/N`) would have written, for the tests of
//! `trailaudit merge` and of the sharded examples.
#![allow(dead_code)]

use serde_json::{Value, json};

/// `snapshot` as one discovery of its accounts' organization saw it: the
/// organization scope selects every account, and no share is left out.
pub fn with_scope(snapshot: &Value) -> Value {
    let mut whole = snapshot.clone();
    let org = &snapshot["accounts"][0]["organization"];
    let selected: Vec<&Value> = snapshot["accounts"].as_array().unwrap().iter().map(|a| &a["account_id"]).collect();
    whole["organization"] = json!({
        "id": org["id"],
        "management_account_id": org["management_account_id"],
        "discovered_from": org["management_account_id"],
        "selected_accounts": selected,
    });
    whole
}

/// Shares 1..=count of [`with_scope`]`(snapshot)`: the i-th account (in id
/// order) in share `i % count + 1`, each failed call with its account.
pub fn shards(snapshot: &Value, count: usize) -> Vec<Value> {
    let whole = with_scope(snapshot);
    let accounts = whole["accounts"].as_array().unwrap();
    (0..count)
        .map(|k| {
            let mut shard = whole.clone();
            let mine: Vec<&Value> = accounts.iter().enumerate().filter(|(i, _)| i % count == k).map(|(_, a)| a).collect();
            let ids: Vec<&Value> = mine.iter().map(|a| &a["account_id"]).collect();
            let errors: Vec<&Value> =
                whole["errors"].as_array().into_iter().flatten().filter(|e| ids.contains(&&e["account_id"])).collect();
            shard["accounts"] = json!(mine);
            shard["errors"] = json!(errors);
            shard["organization"]["shards"] = json!({"count": count, "indices": [k + 1]});
            shard
        })
        .collect()
}

/// The organization fixture (a management account with the organization
/// trail, and a member judged through it), with a failed call of the member
/// so that errors travel with their shard.
pub fn organization_fixture() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/organization/snapshot.json");
    let mut snapshot: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let member = snapshot["accounts"][1]["account_id"].clone();
    snapshot["errors"] = json!([{
        "service": "cloudtrail",
        "operation": "GetEventSelectors",
        "account_id": member,
        "region": "us-east-1",
        "resource": null,
        "error_code": "AccessDenied",
        "message": "not authorized to perform cloudtrail:GetEventSelectors",
        "kind": "failed",
    }]);
    snapshot
}

/// Writes `value` as pretty JSON to `dir/name`; the path as a string.
pub fn write(dir: &std::path::Path, name: &str, value: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(value).unwrap()).unwrap();
    path.display().to_string()
}
