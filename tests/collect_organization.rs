//! `--organization` against a real moto server (issue 10): discovery of an AWS
//! Organization from its management account, owner-aware collection of every
//! member through the member role, and sharded collection merged back.
//!
//! The organization (tests/support/organization.rs): moto's default account
//! 123456789012 as management, OUs `Security`, `Workloads`, `Workloads/Prod`,
//! a log-archive account holding the trail bucket, a security account
//! registered as delegated administrator (for GuardDuty: moto refuses
//! CloudTrail), 20 plain members, one closed account; a multi-region
//! organization trail in the management account. Most tests drive the binary
//! (`audit|collect --organization`, `merge`); the filter test drives the
//! library (`CollectOptions::organization`) with event history off.
//!
//! moto gaps relied on (shared/reference/moto.md), and what they cost here:
//! - `LookupEvents` and `ListEventDataStores` answer HTTP 500. The CLI cannot
//!   switch event history off (`--event-history-days` and
//!   `collect.event_history_days` both take 1 to 90, src/cli.rs and
//!   src/config.rs), and ListEventDataStores is called anyway, so every run
//!   here records those failures: no run can exit 0 (EVT-*, CT-011 and COL-001
//!   are `error` everywhere). Assertions name the rules they judge, and
//!   [`MOTO_GAPS`] lists the failed calls expected from moto alone.
//! - `account:ListRegions` is missing: every run pins `--regions`.
//! - A member's DescribeTrails shows no shadow copy of the organization trail
//!   (AWS shows one in every member): members are judged only through the
//!   management account's record of it, and a member-only run cannot see it
//!   (`member_only_run_names_the_management_account`).
//! - AssumeRole succeeds into any role, existing or not: a member without the
//!   audit role is built with tests/support/deny_proxy.rs.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;
use support::deny_proxy::DenyProxy;
use support::moto::Moto;
use support::organization::{self, BUCKET, MANAGEMENT, MEMBER_ROLE, SeededOrganization};
use support::seed::Seeder;
use trailaudit::collect::{CollectOptions, OrganizationOptions, collect};

/// Plain member accounts besides management, log-archive and security.
const MEMBERS: usize = 20;
const REGIONS: &str = "us-east-1,eu-west-1";
const BUCKET_ARN: &str = "arn:aws:s3:::org-trail-logs";
/// Calls moto 5.2.5 fails whatever the set-up: not implemented (HTTP 500), or,
/// for GetBucketVersioning, answered with a root element the SDK rejects
/// (tests/collect_moto.rs).
const MOTO_GAPS: &[&str] = &["cloudtrail:LookupEvents", "cloudtrail:ListEventDataStores", "s3:GetBucketVersioning"];

/// `trailaudit <subcommand>` aimed at `endpoint`, two regions, one day of history.
fn trailaudit(endpoint: &str, subcommand: &str) -> Command {
    let mut cmd = Command::cargo_bin("trailaudit").unwrap();
    cmd.env("NO_COLOR", "1").env_remove("AWS_ENDPOINT_URL").timeout(Duration::from_secs(120)).arg(subcommand).args([
        "--endpoint-url",
        endpoint,
        "--regions",
        REGIONS,
        "--event-history-days",
        "1",
    ]);
    cmd
}

/// The discovery flags every organization run here uses.
fn organization_flags(cmd: &mut Command) -> &mut Command {
    cmd.args(["--organization", "--member-role", MEMBER_ROLE, "--external-id", "trailaudit-test"])
}

/// One audit: exit code, JSON report, the snapshot it judged, stderr.
struct Run {
    code: i32,
    report: Value,
    snapshot: Value,
    stderr: String,
}

impl Run {
    fn results(&self) -> &Vec<Value> {
        self.report["results"].as_array().expect("results")
    }

    fn rule(&self, rule: &str) -> Vec<&Value> {
        self.results().iter().filter(|r| r["rule_id"] == rule).collect()
    }

    /// Account id → status of the rule's account-level results.
    fn by_account(&self, rule: &str) -> BTreeMap<String, String> {
        self.rule(rule).iter().map(|r| (r["account"].as_str().unwrap().to_owned(), r["status"].as_str().unwrap().to_owned())).collect()
    }

    /// `rule status count` lines, for failure messages.
    fn summary(&self) -> String {
        let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
        for r in self.results() {
            *counts.entry((r["rule_id"].as_str().unwrap().to_owned(), r["status"].as_str().unwrap().to_owned())).or_default() += 1;
        }
        counts.iter().map(|((rule, status), n)| format!("{rule} {status} {n}")).collect::<Vec<_>>().join("\n")
    }

    fn account(&self, id: &str) -> &Value {
        self.snapshot["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["account_id"] == id)
            .unwrap_or_else(|| panic!("account {id} not in the snapshot"))
    }

    fn account_ids(&self) -> Vec<String> {
        self.snapshot["accounts"].as_array().unwrap().iter().map(|a| a["account_id"].as_str().unwrap().to_owned()).collect()
    }

    /// Failed calls of the snapshot that moto's gaps do not explain.
    fn unexpected_errors(&self) -> Vec<&Value> {
        self.snapshot["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| !MOTO_GAPS.contains(&format!("{}:{}", e["service"].as_str().unwrap(), e["operation"].as_str().unwrap()).as_str()))
            .collect()
    }
}

/// Runs `audit` (`organization`: with the discovery flags) through `endpoint` with `extra`
/// arguments and `env`, keeping report and snapshot under `dir/label-*`.
fn audit(endpoint: &str, dir: &Path, label: &str, organization: bool, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let report = dir.join(format!("{label}-report.json"));
    let snapshot = dir.join(format!("{label}-snapshot.json"));
    let mut cmd = trailaudit(endpoint, "audit");
    if organization {
        organization_flags(&mut cmd);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let started = std::time::Instant::now();
    let out = cmd.args(extra).args(["--format", "json", "--output"]).arg(&report).arg("--save-snapshot").arg(&snapshot).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = out.status.code().unwrap_or(-1);
    eprintln!("[{label}] audit exit {code} in {:.1} s", started.elapsed().as_secs_f64());
    assert!(code != 2 && code != -1, "[{label}] audit failed (exit {code}): {stderr}");
    let read = |p: &Path| -> Value {
        let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("[{label}] {}: {e}; stderr: {stderr}", p.display()));
        serde_json::from_str(&text).unwrap()
    };
    Run { code, report: read(&report), snapshot: read(&snapshot), stderr }
}

fn audit_organization(endpoint: &str, dir: &Path, label: &str, extra: &[&str]) -> Run {
    audit(endpoint, dir, label, true, extra, &[])
}

/// Moto, seeded with the compliant organization.
async fn seeded() -> (Moto, Seeder, SeededOrganization) {
    let moto = Moto::start();
    let management = Seeder::new(&moto.url).await;
    let started = std::time::Instant::now();
    let org = organization::seed(&management, MEMBERS).await;
    eprintln!("seeded {} accounts in {:.1} s", org.accounts.len(), started.elapsed().as_secs_f64());
    (moto, management, org)
}

/// OU ids of an account's `organization.ou_path`, the root (`r-...`) left out
/// whether or not the collector records it.
fn ou_ids(account: &Value) -> Vec<String> {
    account["organization"]["ou_path"]
        .as_array()
        .map(|path| path.iter().map(|ou| ou["id"].as_str().unwrap().to_owned()).filter(|id| !id.starts_with("r-")).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compliant_organization_passes_every_member_through_the_organization_trail() {
    let (moto, management, org) = seeded().await;
    organization::assert_listed(&management, &org).await;
    let dir = tempfile::tempdir().unwrap();
    let run = audit_organization(&moto.url, dir.path(), "compliant", &[]);
    let all = org.active_ids();
    assert_eq!(all.len(), MEMBERS + 3);

    // Discovery: every active account, nothing else, collected once.
    assert_eq!(run.account_ids(), all, "{}", run.stderr);
    assert_eq!(run.report["snapshot"]["accounts"], serde_json::json!(all));
    let scope = &run.snapshot["organization"];
    assert_eq!(scope["id"], org.id.as_str(), "{scope:#}");
    assert_eq!(scope["management_account_id"], MANAGEMENT);
    assert_eq!(scope["discovered_from"], MANAGEMENT);
    assert_eq!(scope["selected_accounts"], serde_json::json!(all));
    assert!(scope.get("shards").is_none_or(Value::is_null), "an unsharded run holds every share: {scope:#}");
    let skipped = scope["skipped_accounts"].as_array().expect("skipped_accounts");
    assert_eq!(skipped.len(), 1, "{skipped:#?}");
    assert_eq!(skipped[0]["account_id"], org.suspended.as_str());
    assert_eq!(skipped[0]["status"], "SUSPENDED");
    let admins = scope["delegated_administrators"].as_array().expect("delegated administrators");
    assert_eq!(admins.len(), 1, "{admins:#?}");
    assert_eq!(admins[0]["account_id"], org.delegated_admin.as_str());
    assert_eq!(admins[0]["service_principals"], serde_json::json!([organization::DELEGATED_SERVICE]));

    // Each account's place in the organization.
    for (id, expected) in &org.accounts {
        let account = run.account(id);
        let o = &account["organization"];
        assert_eq!(o["id"], org.id.as_str(), "{id}: {o:#}");
        assert_eq!(o["management_account_id"], MANAGEMENT, "{id}");
        assert_eq!(o["account_name"], expected.name.as_str(), "{id}");
        assert_eq!(o["account_status"], "ACTIVE", "{id}");
        assert_eq!(ou_ids(account), expected.ou_path, "{id} ({}): {o:#}", expected.name);
    }

    // Every account is recorded by the organization trail: CT-001 passes for each.
    let ct001 = run.by_account("CT-001");
    let expected: BTreeMap<String, String> = all.iter().map(|id| (id.clone(), "pass".to_owned())).collect();
    assert_eq!(ct001, expected, "{:#?}", run.rule("CT-001"));

    // Owner-aware: the trail's status and selectors are the management account's;
    // the bucket's posture is the log-archive account's, judged once, there.
    let trail = &run.account(MANAGEMENT)["trails"][&org.trail_arn];
    assert_eq!(trail["is_organization_trail"], true, "{trail:#}");
    assert_eq!(trail["status"]["is_logging"], true, "{trail:#}");
    assert!(trail["event_selectors"].is_object(), "{trail:#}");
    for id in all.iter().filter(|id| *id != MANAGEMENT) {
        let copy = &run.account(id)["trails"][&org.trail_arn];
        assert!(copy.is_null() || copy["status"].is_null(), "{id} holds the organization trail's status: {copy:#}");
    }
    let holders: Vec<&String> = all.iter().filter(|id| !run.account(id)["buckets"][BUCKET].is_null()).collect();
    assert_eq!(holders, [&org.log_archive], "the bucket is stored under the account that owns it");
    assert_eq!(run.account(&org.log_archive)["buckets"][BUCKET]["public_access_block"]["block_public_policy"], true);
    let ct006: Vec<&Value> = run.rule("CT-006").into_iter().filter(|r| r["resource"] == BUCKET_ARN).collect();
    assert_eq!(ct006.len(), 1, "{ct006:#?}");
    assert_eq!(ct006[0]["account"], org.log_archive.as_str());
    assert_eq!(ct006[0]["status"], "pass", "{:#}", ct006[0]);

    // Monitoring is judged through the organization trail's log group in the management account.
    let mon001: BTreeMap<String, String> = all.iter().map(|id| (id.clone(), "pass".to_owned())).collect();
    assert_eq!(run.by_account("MON-001"), mon001, "{:#?}", run.rule("MON-001"));

    // Nothing is outside the collection, and nothing failed but moto's gaps.
    assert_eq!(run.unexpected_errors(), Vec::<&Value>::new());
    let errors: BTreeSet<&str> = run.results().iter().filter(|r| r["status"] == "error").map(|r| r["rule_id"].as_str().unwrap()).collect();
    // CT-014 (Insights) also reads the event data stores; CT-015 (bucket immutability)
    // reads GetBucketVersioning, which moto answers with a root element the SDK rejects.
    let expected_errors: BTreeSet<&str> = ["COL-001", "CT-011", "CT-014", "CT-015"].into_iter().chain(EVT_RULES.iter().copied()).collect();
    assert_eq!(errors, expected_errors, "only what rests on LookupEvents / ListEventDataStores / GetBucketVersioning\n{}", run.summary());
    // The seed leaves out AWS Config recorders, 15 of the 16 metric filters
    // (as Seeder::compliant does) and S3 data events (the organization trail logs
    // management events only: CT-020/CT-021, all-bucket writes/reads): those rules,
    // and only those, fail, for every account.
    let failing: BTreeSet<&str> = run.results().iter().filter(|r| r["status"] == "fail").map(|r| r["rule_id"].as_str().unwrap()).collect();
    let expected_failing: BTreeSet<String> = ["CFG-001", "CFG-002", "CFG-003", "CT-020", "CT-021"]
        .into_iter()
        .map(str::to_owned)
        .chain((2..=16).map(|n| format!("MON-{n:03}")))
        .collect();
    assert_eq!(failing, expected_failing.iter().map(String::as_str).collect(), "{}", run.summary());
    assert_eq!(run.code, 1, "{}", run.stderr);
}

/// The event-history rules: `error` in every run here (moto lacks LookupEvents).
const EVT_RULES: &[&str] = &["EVT-001", "EVT-002", "EVT-003", "EVT-004", "EVT-005", "EVT-006", "EVT-007", "EVT-008"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopped_organization_trail_fails_every_account() {
    let (moto, management, org) = seeded().await;
    organization::stop_logging(&management, &org.trail_arn).await;
    let dir = tempfile::tempdir().unwrap();
    let run = audit_organization(&moto.url, dir.path(), "stopped", &[]);
    let expected: BTreeMap<String, String> = org.active_ids().into_iter().map(|id| (id, "fail".to_owned())).collect();
    assert_eq!(run.by_account("CT-001"), expected, "{:#?}", run.rule("CT-001"));
    // The trail itself fails CT-008 once, in its owner's account.
    let ct008: Vec<&Value> = run.rule("CT-008").into_iter().filter(|r| r["resource"] == org.trail_arn.as_str()).collect();
    assert_eq!(ct008.len(), 1, "{ct008:#?}");
    assert_eq!((ct008[0]["account"].as_str(), ct008[0]["status"].as_str()), (Some(MANAGEMENT), Some("fail")));
    assert_eq!(run.code, 1, "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_log_archive_bucket_fails_once_in_the_log_archive_account() {
    let (moto, management, org) = seeded().await;
    let archive = management.assume(&organization::member_role_arn(&org.log_archive)).await;
    organization::make_bucket_public(&archive).await;
    let dir = tempfile::tempdir().unwrap();
    let run = audit_organization(&moto.url, dir.path(), "public", &[]);
    let ct006 = run.rule("CT-006");
    let on_bucket: Vec<&&Value> = ct006.iter().filter(|r| r["resource"] == BUCKET_ARN).collect();
    assert_eq!(on_bucket.len(), 1, "{ct006:#?}");
    assert_eq!(on_bucket[0]["account"], org.log_archive.as_str());
    assert_eq!(on_bucket[0]["status"], "fail", "{:#}", on_bucket[0]);
    let fails: Vec<&&Value> = ct006.iter().filter(|r| r["status"] == "fail").collect();
    assert_eq!(fails.len(), 1, "exactly one CT-006 failure: {fails:#?}");
    // The members are still recorded (CT-001 passes everywhere).
    assert!(run.by_account("CT-001").values().all(|s| s == "pass"), "{:#?}", run.rule("CT-001"));
    assert_eq!(run.code, 1, "{}", run.stderr);
}

/// The identity of a result and its verdict, without message, evidence or times.
fn verdicts(run: &Run, skip_account: Option<&str>) -> BTreeSet<(String, String, String, String, String)> {
    run.results()
        .iter()
        .filter(|r| skip_account.is_none_or(|a| r["account"] != a))
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap_or("-").to_owned();
            (s("rule_id"), s("account"), s("region"), s("resource"), s("status"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn member_without_the_audit_role_is_all_errors_and_the_rest_is_judged() {
    let (moto, _management, org) = seeded().await;
    let denied = org.plain_members()[0].clone();
    let proxy = DenyProxy::start(moto.port, &organization::member_role_arn(&denied));
    let dir = tempfile::tempdir().unwrap();
    // `--fail-on critical`: the seed's CFG-*/MON-* failures (see the compliant
    // test) are medium or high, so errors alone decide the exit code.
    let baseline = audit_organization(&moto.url, dir.path(), "baseline", &["--fail-on", "critical"]);
    let run = audit_organization(&proxy.url, dir.path(), "denied", &["--fail-on", "critical"]);
    assert!(proxy.denied() >= 1, "the collector never assumed {denied}'s role through the proxy ({} forwarded)", proxy.forwarded());

    // The account stays selected, and every result about it is an error.
    assert_eq!(run.snapshot["organization"]["selected_accounts"], serde_json::json!(org.active_ids()));
    let mine: Vec<&Value> = run.results().iter().filter(|r| r["account"] == denied.as_str()).collect();
    assert!(!mine.is_empty(), "no result for {denied}");
    let not_error: Vec<&&Value> = mine.iter().filter(|r| r["status"] != "error").collect();
    assert!(not_error.is_empty(), "{not_error:#?}");
    assert!(mine.iter().any(|r| r["rule_id"] == "CT-001"), "CT-001 is judged (as error) for {denied}: {mine:#?}");
    let refusals: Vec<&Value> = run.unexpected_errors().into_iter().filter(|e| e["account_id"] == denied.as_str()).collect();
    assert!(
        refusals.iter().any(|e| format!("{}{}", e["error_code"], e["message"]).contains("AccessDenied")),
        "the refusal is recorded against {denied}: {:#?}",
        run.snapshot["errors"]
    );
    assert_eq!(run.unexpected_errors().len(), refusals.len(), "only {denied} failed beyond moto's gaps: {:#?}", run.unexpected_errors());

    // Everyone else is judged as without the refusal, verdict for verdict.
    assert_eq!(verdicts(&run, Some(&denied)), verdicts(&baseline, Some(&denied)));
    assert_eq!(run.code, 3, "{}", run.stderr);
}

// A member-only run (a member's own credentials, no management account) is
// not tested here: moto shows no shadow copy of the organization trail in a
// member (DescribeTrails there is empty), so a member looks trail-less. The
// path is tested on AWS-shaped responses in src/collect/ownership_tests.rs:
// one `outside_collection` record naming the owner, no per-trail calls, and
// every verdict resting on the trail one explained `error` per rule.

/// Replaces every RFC 3339 time inside strings with `[TIME]`: two collections
/// of the same state differ in their collection times, event-history windows
/// and moto's delivery times, and nothing else.
fn without_times(v: &mut Value) {
    match v {
        Value::String(s) => *s = replace_times(s),
        Value::Array(a) => a.iter_mut().for_each(without_times),
        Value::Object(o) => o.values_mut().for_each(without_times),
        _ => {}
    }
}

fn replace_times(s: &str) -> String {
    const SHAPE: &[u8] = b"dddd-dd-ddTdd:dd:dd";
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        let matches = b.len() - i >= SHAPE.len()
            && SHAPE.iter().zip(&b[i..]).all(|(shape, c)| if *shape == b'd' { c.is_ascii_digit() } else { shape == c });
        if !matches {
            let c = s[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        i += SHAPE.len();
        if i < b.len() && b[i] == b'.' {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        }
        if i < b.len() && b[i] == b'Z' {
            i += 1;
        } else if s[i..].starts_with("+00:00") {
            i += 6;
        }
        out.push_str("[TIME]");
    }
    out
}

/// A report's results as comparable between two collections of the same state.
fn comparable_results(run: &Run) -> Vec<Value> {
    let mut results = run.results().clone();
    results.iter_mut().for_each(without_times);
    results.sort_by_key(|r| r.to_string());
    results
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_shards_merged_audit_like_one_unsharded_run() {
    let (moto, _management, org) = seeded().await;
    let dir = tempfile::tempdir().unwrap();
    let whole = audit_organization(&moto.url, dir.path(), "unsharded", &[]);

    let mut parts = Vec::new();
    let mut held: Vec<String> = Vec::new();
    for k in 1..=3 {
        let path = dir.path().join(format!("shard-{k}.json"));
        let started = std::time::Instant::now();
        let out = organization_flags(&mut trailaudit(&moto.url, "collect"))
            .args(["--shard", &format!("{k}/3"), "--output"])
            .arg(&path)
            .output()
            .unwrap();
        eprintln!("[shard {k}] collect exit {:?} in {:.1} s", out.status.code(), started.elapsed().as_secs_f64());
        assert!(path.exists(), "shard {k}: {}", String::from_utf8_lossy(&out.stderr));
        let shard: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let scope = &shard["organization"];
        assert_eq!(scope["shards"], serde_json::json!({"count": 3, "indices": [k]}), "shard {k}: {scope:#}");
        assert_eq!(scope["selected_accounts"], serde_json::json!(org.active_ids()), "every shard knows the whole selection");
        let ids: Vec<String> = shard["accounts"].as_array().unwrap().iter().map(|a| a["account_id"].as_str().unwrap().to_owned()).collect();
        held.extend(ids);
        parts.push(path);
    }
    held.sort();
    assert_eq!(held, org.active_ids(), "the shards hold every selected account exactly once");

    let merged = dir.path().join("merged.json");
    let out = Command::cargo_bin("trailaudit")
        .unwrap()
        .arg("merge")
        .args(&parts)
        .arg("--output")
        .arg(&merged)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "merge: {}", String::from_utf8_lossy(&out.stderr));
    let report = dir.path().join("merged-report.json");
    let out = Command::cargo_bin("trailaudit")
        .unwrap()
        .env("NO_COLOR", "1")
        .args(["audit", "--format", "json", "--snapshot"])
        .arg(&merged)
        .arg("--output")
        .arg(&report)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let merged_run = Run {
        code: out.status.code().unwrap_or(-1),
        report: serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap(),
        snapshot: serde_json::from_str(&std::fs::read_to_string(&merged).unwrap()).unwrap(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert_eq!(merged_run.code, whole.code, "{}", merged_run.stderr);
    assert!(whole.results().len() > 10 * org.accounts.len(), "a real audit: {} results", whole.results().len());
    let (got, expected) = (comparable_results(&merged_run), comparable_results(&whole));
    let missing: Vec<&Value> = expected.iter().filter(|r| !got.contains(r)).collect();
    let extra: Vec<&Value> = got.iter().filter(|r| !expected.contains(r)).collect();
    assert!(missing.is_empty() && extra.is_empty(), "only unsharded: {missing:#?}\nonly merged: {extra:#?}");
    assert_eq!(got, expected);
    assert_eq!(merged_run.report["summary"], whole.report["summary"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn excluded_log_archive_leaves_its_bucket_unjudged() {
    let (moto, _management, org) = seeded().await;
    let dir = tempfile::tempdir().unwrap();
    let run = audit_organization(&moto.url, dir.path(), "excluded", &["--exclude-accounts", &org.log_archive]);
    let scope = &run.snapshot["organization"];
    let expected: Vec<String> = org.active_ids().into_iter().filter(|id| *id != org.log_archive).collect();
    assert_eq!(scope["selected_accounts"], serde_json::json!(expected), "{scope:#}");
    assert_eq!(run.account_ids(), expected);
    let skipped = scope["skipped_accounts"].as_array().unwrap();
    let excluded: Vec<&Value> = skipped.iter().filter(|s| s["account_id"] == org.log_archive.as_str()).collect();
    assert_eq!(excluded.len(), 1, "{skipped:#?}");
    assert_eq!(excluded[0]["status"], "ACTIVE");
    assert!(excluded[0]["reason"].as_str().unwrap().contains("exclude"), "{:#}", excluded[0]);

    // The bucket is nobody's in the collection: the management account does not
    // read it across accounts (moto would let it), no account stores it, and every
    // result on it is an error asking for its owner, never a pass or a fail.
    // (Its owner cannot be known without it, so this is no `outside_collection`
    // collection error, which names the owner: that kind is for trails, whose ARN
    // names it; a member sees the organization trail only as a shadow, which moto lacks.)
    assert!(run.snapshot["accounts"].as_array().unwrap().iter().all(|a| a["buckets"][BUCKET].is_null()));
    assert_eq!(run.unexpected_errors(), Vec::<&Value>::new());
    let ct006: Vec<&Value> = run.rule("CT-006").into_iter().filter(|r| r["resource"] == BUCKET_ARN).collect();
    assert_eq!(ct006.len(), 1, "the bucket's CT-006 is reported once, not dropped: {ct006:#?}");
    assert_eq!((ct006[0]["account"].as_str(), ct006[0]["status"].as_str()), (Some(MANAGEMENT), Some("error")), "{:#}", ct006[0]);
    let message = ct006[0]["message"].as_str().unwrap();
    assert!(message.contains("not in the collection") && message.contains("log-archive"), "says what to add: {message}");
    let on_bucket: Vec<&Value> = run.results().iter().filter(|r| r["resource"] == BUCKET_ARN).collect();
    assert!(on_bucket.iter().all(|r| r["status"] == "error"), "{on_bucket:#?}");
    // The members are recorded by the organization trail all the same.
    assert!(run.by_account("CT-001").values().all(|s| s == "pass"), "{:#?}", run.rule("CT-001"));
}

/// The library with event history off (`event_history_days: 0`, which the CLI
/// does not offer), two regions, discovery through `organization`.
fn library_options(endpoint: &str, organization: OrganizationOptions) -> CollectOptions {
    CollectOptions {
        endpoint_url: Some(endpoint.to_owned()),
        regions: Some(REGIONS.split(',').map(str::to_owned).collect()),
        event_history_days: 0,
        call_timeout: Duration::from_secs(20),
        organization: Some(organization),
        ..CollectOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ou_and_account_filters_choose_the_accounts_and_say_why() {
    let (moto, _management, org) = seeded().await;
    let member_role = MEMBER_ROLE.to_owned();

    // --ou Workloads: the accounts under it at any depth (Workloads/Prod too), and the calling account.
    let workloads = org.ous["Workloads"].clone();
    let options = OrganizationOptions { member_role: member_role.clone(), ous: vec![workloads.clone()], ..OrganizationOptions::default() };
    let (snap, _) = collect(&library_options(&moto.url, options)).await.expect("collect --ou");
    let mut expected: Vec<String> = org.accounts.values().filter(|a| a.ou_path.contains(&workloads)).map(|a| a.id.clone()).collect();
    assert!(expected.len() >= MEMBERS / 2, "{expected:?}");
    expected.push(MANAGEMENT.to_owned());
    expected.sort();
    let scope = snap.organization.as_ref().expect("organization scope");
    assert_eq!(scope.selected_accounts, expected);
    assert_eq!(snap.accounts.iter().map(|a| a.account_id.clone()).collect::<Vec<_>>(), expected);
    let reasons: BTreeMap<&str, &str> = scope.skipped_accounts.iter().map(|s| (s.account_id.as_str(), s.reason.as_str())).collect();
    for id in org.active_ids().iter().filter(|id| !expected.contains(id)) {
        assert!(reasons.get(id.as_str()).is_some_and(|r| r.contains("--ou")), "{id}: {reasons:#?}");
    }
    assert_eq!(reasons.get(org.suspended.as_str()), Some(&"suspended"), "{reasons:#?}");
    assert_eq!(reasons.len(), org.accounts.len() + 1 - expected.len(), "{reasons:#?}");
    // Event history off: moto's missing ListEventDataStores is the only failed call
    // (GetBucketVersioning is the log-archive bucket's, and log-archive is not selected).
    let failed: BTreeSet<String> = snap.errors.iter().map(|e| e.action_name()).collect();
    assert_eq!(failed, BTreeSet::from(["cloudtrail:ListEventDataStores".to_owned()]), "{:#?}", snap.errors);

    // --accounts: one id and one glob; the calling account is always in.
    let members = org.plain_members();
    let glob = format!("{}*", &members[1][..10]);
    let options = OrganizationOptions { member_role, accounts: vec![members[0].clone(), glob.clone()], ..OrganizationOptions::default() };
    let (snap, _) = collect(&library_options(&moto.url, options)).await.expect("collect --accounts");
    let mut expected: Vec<String> =
        org.active_ids().into_iter().filter(|id| *id == members[0] || id.starts_with(&glob[..10]) || id == MANAGEMENT).collect();
    expected.sort();
    assert!(expected.len() >= 3, "{expected:?}");
    let scope = snap.organization.as_ref().expect("organization scope");
    assert_eq!(scope.selected_accounts, expected, "--accounts {},{glob}", members[0]);
    assert_eq!(snap.accounts.iter().map(|a| a.account_id.clone()).collect::<Vec<_>>(), expected);
    assert!(
        scope.skipped_accounts.iter().filter(|s| s.status == "ACTIVE").all(|s| s.reason.contains("--accounts")),
        "{:#?}",
        scope.skipped_accounts
    );
}
