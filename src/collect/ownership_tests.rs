//! Owner-aware collection, against a test HTTP client that answers by
//! operation: what moto cannot show (it has no shadow copies of an
//! organization trail in member accounts). A member-only run that sees its
//! organization's trail must not call the per-trail, bucket, log-group or key
//! APIs of resources it does not own, and must record one
//! `outside_collection` error naming the owner.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use aws_config::{BehaviorVersion, Region};
use aws_sdk_sts::config::{Credentials, SharedCredentialsProvider};
use aws_smithy_http_client::test_util::infallible_client_fn;
use tokio::sync::Semaphore;

use super::account::{Ownership, collect_account};
use super::context::{Ctx, Shared};
use super::stats::Recorder;
use super::{BucketScope, CollectOptions};
use crate::snapshot::actions::Action;
use crate::snapshot::{ErrorKind, TRAIL_DETAIL_ACTIONS};

const MEMBER: &str = "111111111111";
const MANAGEMENT: &str = "222222222222";
const ORG_TRAIL: &str = "arn:aws:cloudtrail:us-east-1:222222222222:trail/org";

/// DescribeTrails in the member: the organization trail, as AWS shows it there.
fn describe_trails() -> String {
    serde_json::json!({"trailList": [{
        "Name": "org", "TrailARN": ORG_TRAIL, "HomeRegion": "us-east-1", "IsMultiRegionTrail": true,
        "IsOrganizationTrail": true, "IncludeGlobalServiceEvents": true, "LogFileValidationEnabled": true,
        "S3BucketName": "org-logs", "KmsKeyId": "arn:aws:kms:us-east-1:333333333333:key/k1",
        "CloudWatchLogsLogGroupArn": "arn:aws:logs:us-east-1:222222222222:log-group:org:*",
        "CloudWatchLogsRoleArn": "arn:aws:iam::222222222222:role/ct"
    }]})
    .to_string()
}

/// The member account's context, every call answered by `client` (one attempt).
async fn member_ctx(client: aws_sdk_sts::config::SharedHttpClient) -> Ctx {
    account_ctx(client, MEMBER).await
}

/// `account`'s context, every call answered by `client` (one attempt).
async fn account_ctx(client: aws_sdk_sts::config::SharedHttpClient, account: &str) -> Ctx {
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .http_client(client)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::for_tests()))
        .region(Region::new("us-east-1"))
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(1))
        .load()
        .await;
    let shared = Arc::new(Shared {
        recorder: Recorder::default(),
        limit: Semaphore::new(4),
        per_account: 4,
        progress: super::progress::Progress::hidden(),
        endpoint_override: false,
    });
    Ctx::new(sdk, account.into(), "aws".into(), shared)
}

/// Runs one member account's collection; returns what it asked for and the account.
async fn member_run(ownership: Ownership) -> (Vec<String>, crate::snapshot::Account, Vec<crate::snapshot::CollectionError>) {
    run_as(MEMBER, ownership).await
}

/// One account's collection, with DescribeTrails showing the organization trail.
async fn run_as(account: &str, ownership: Ownership) -> (Vec<String>, crate::snapshot::Account, Vec<crate::snapshot::CollectionError>) {
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = asked.clone();
    let client = infallible_client_fn(move |req| {
        let target = req.headers().get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let what = if target.is_empty() { format!("{} {}", req.method(), req.uri().path()) } else { target.clone() };
        log.lock().unwrap().push(what);
        let (status, body) = if target.ends_with(".DescribeTrails") {
            (200, describe_trails())
        } else if target.contains("StarlingDoveService") {
            (200, r#"{"ConfigurationRecorders":[],"ConfigurationRecordersStatus":[]}"#.to_owned())
        } else if !target.is_empty() {
            (200, "{}".to_owned())
        } else {
            (404, "<Error><Code>NoSuchPublicAccessBlockConfiguration</Code><Message>none</Message></Error>".to_owned())
        };
        http::Response::builder()
            .status(status)
            .header("Content-Type", if target.is_empty() { "application/xml" } else { "application/x-amz-json-1.1" })
            .body(body)
            .unwrap()
    });
    let ctx = account_ctx(client, account).await;
    let options =
        CollectOptions { event_history_days: 0, sensitive_bucket_scope: BucketScope::TrailBucketsOnly, ..CollectOptions::default() };
    let account = collect_account(&ctx, &["us-east-1".to_owned()], &options, &ownership).await;
    let asked = asked.lock().unwrap().clone();
    (asked, account, ctx.take_errors())
}

fn asked_for(asked: &[String], operation: &str) -> bool {
    asked.iter().any(|a| a.ends_with(&format!(".{operation}")))
}

#[tokio::test]
async fn member_only_run_records_the_organization_trail_once_as_outside_the_collection() {
    let (asked, account, errors) = member_run(Ownership { collected: BTreeSet::from([MEMBER.to_owned()]), ..Ownership::default() }).await;
    for op in ["GetTrailStatus", "GetEventSelectors", "GetInsightSelectors", "ListTags", "DescribeLogGroups", "DescribeKey"] {
        assert!(!asked_for(&asked, op), "{op} asked for a resource the member does not own: {asked:?}");
    }
    assert!(!asked.iter().any(|a| a.contains("/org-logs")), "the organization bucket was read from the member: {asked:?}");
    // The trail is kept as DescribeTrails showed it, without status.
    let trail = &account.trails[ORG_TRAIL];
    assert!(trail.status.is_none() && trail.is_organization_trail);
    let outside: Vec<_> = errors.iter().filter(|e| e.kind == ErrorKind::OutsideCollection).collect();
    assert_eq!(outside.len(), 1, "{errors:?}");
    let e = outside[0];
    assert_eq!((e.account_id.as_str(), e.resource.as_deref(), e.region.as_deref()), (MEMBER, Some(ORG_TRAIL), None));
    assert!(e.message.contains("belongs to account 222222222222") && e.message.contains("add account 222222222222"), "{}", e.message);
    for action in TRAIL_DETAIL_ACTIONS {
        assert!(e.covers(action), "{action}");
    }
    assert!(!e.covers(Action::CloudTrailDescribeTrails));
}

#[tokio::test]
async fn member_of_a_collected_organization_leaves_the_trail_to_its_owner_without_error() {
    let collected = BTreeSet::from([MEMBER.to_owned(), MANAGEMENT.to_owned()]);
    let (asked, _, errors) = member_run(Ownership { organization: true, collected, ..Ownership::default() }).await;
    assert!(!asked_for(&asked, "GetTrailStatus"), "{asked:?}");
    assert!(errors.iter().all(|e| e.kind != ErrorKind::OutsideCollection), "{errors:?}");
}

/// The member-only snapshot, judged by the built-in pack: every verdict that
/// rests on the organization trail is an error naming the owner account to
/// add, never a pass or a fail, and there is one such error per rule at most.
#[tokio::test]
async fn member_only_run_is_judged_as_bounded_explained_errors() {
    use crate::evaluate::{AuditOptions, audit};
    use crate::finding::Status;
    use crate::pack::{Pack, PackSource};
    use crate::snapshot::{Metadata, SCHEMA_VERSION, Snapshot};

    let (_, account, errors) = member_run(Ownership { collected: BTreeSet::from([MEMBER.to_owned()]), ..Ownership::default() }).await;
    let snapshot =
        Snapshot { schema_version: SCHEMA_VERSION, metadata: Metadata::example(), organization: None, accounts: vec![account], errors };
    let pack = Pack::load(&PackSource { builtin: true, dirs: Vec::new() }).expect("the built-in pack loads");
    let options = AuditOptions::for_tests(chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
    let (audit, _, _) = audit(&snapshot, None, &pack, &crate::config::Config::default(), &options);
    let about_trail: Vec<_> = audit.results.iter().filter(|r| r.message.contains("belongs to account 222222222222")).collect();
    // The multi-region logging rule (CT-008) and CloudWatch Logs delivery (CT-003) rest on the trail's status.
    for id in ["CT-008", "CT-003", "COL-001"] {
        let hits: Vec<_> = about_trail.iter().filter(|r| r.rule_id == id).collect();
        assert_eq!(hits.len(), 1, "{id}: {:#?}", audit.results.iter().filter(|r| r.rule_id == id).collect::<Vec<_>>());
        assert_eq!(hits[0].status, Status::Error, "{id}");
    }
    assert!(about_trail.iter().all(|r| r.status == Status::Error));
    let mut per_rule = std::collections::BTreeMap::new();
    for r in &about_trail {
        *per_rule.entry(&r.rule_id).or_insert(0) += 1;
    }
    assert!(per_rule.values().all(|&n| n == 1), "{per_rule:?}");
    // Nothing about the organization trail passes.
    let trail_passes: Vec<_> = audit.results.iter().filter(|r| r.status == Status::Pass && r.resource == ORG_TRAIL).collect();
    assert!(trail_passes.is_empty(), "{trail_passes:#?}");
}

/// A collection of named accounts learns each account's organization from the
/// account itself, so a member is judged through its management account.
#[tokio::test]
async fn membership_is_read_from_the_account_and_absent_outside_an_organization() {
    async fn ctx_answering(status: u16, body: &'static str) -> Ctx {
        let client = infallible_client_fn(move |_req| {
            http::Response::builder().status(status).header("Content-Type", "application/x-amz-json-1.1").body(body).unwrap()
        });
        member_ctx(client).await
    }
    let member = ctx_answering(200, r#"{"Organization":{"Id":"o-a1b2c3d4e5","MasterAccountId":"222222222222","FeatureSet":"ALL"}}"#).await;
    let org = super::organization::membership(&member).await.expect("an organization");
    assert_eq!((org.id.as_str(), org.management_account_id.as_str()), ("o-a1b2c3d4e5", MANAGEMENT));
    assert!(member.take_errors().is_empty());

    let alone = ctx_answering(400, r#"{"__type":"AWSOrganizationsNotInUseException","Message":"not in an organization"}"#).await;
    assert!(super::organization::membership(&alone).await.is_none());
    assert!(alone.take_errors().is_empty(), "not being in an organization is not a failure");

    let denied = ctx_answering(400, r#"{"__type":"AccessDeniedException","Message":"no"}"#).await;
    assert!(super::organization::membership(&denied).await.is_none());
    let errors = denied.take_errors();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].action(), Some(Action::OrganizationsDescribeOrganization));
}

const KEY: &str = "arn:aws:kms:us-east-1:333333333333:key/k1";

/// An organization trail encrypted with a security account's key: the key is
/// read by that account when it is collected, not across accounts by the
/// trail's owner.
#[tokio::test]
async fn a_trail_key_is_read_by_the_account_that_owns_it() {
    let collected = BTreeSet::from([MEMBER.to_owned(), MANAGEMENT.to_owned(), "333333333333".to_owned()]);
    let org = |keys: BTreeSet<String>| Ownership {
        organization: true,
        collected: collected.clone(),
        organization_keys: keys,
        ..Ownership::default()
    };
    let (asked, _, _) = run_as(MANAGEMENT, org(BTreeSet::from([KEY.to_owned()]))).await;
    assert!(asked_for(&asked, "GetTrailStatus"), "the owner reads its trail: {asked:?}");
    assert!(!asked_for(&asked, "DescribeKey"), "the security account reads its key: {asked:?}");

    let (asked, _, _) = run_as("333333333333", org(BTreeSet::from([KEY.to_owned()]))).await;
    assert!(asked_for(&asked, "DescribeKey"), "{asked:?}");

    // Outside an organization run the trail's account reads its key, across accounts.
    let named = Ownership { collected, ..Ownership::default() };
    let (asked, _, _) = run_as(MANAGEMENT, named).await;
    assert!(asked_for(&asked, "DescribeKey"), "{asked:?}");
}
