//! The collector against a real moto server (scripts/moto.sh installs it).
//! moto behaviours relied on are named where they matter (see
//! shared/reference/moto.md): no LookupEvents / ListEventDataStores (HTTP 500),
//! no account:ListRegions, GetInsightSelectors answering without insights.

mod support;

use std::time::Duration;

use support::moto::Moto;
use support::seed::{ACCOUNT, SECOND_ACCOUNT, Seeder};
use trailaudit::collect::{BucketScope, CollectOptions, collect};
use trailaudit::snapshot::Snapshot;

fn options(moto: &Moto, regions: &[&str]) -> CollectOptions {
    CollectOptions {
        endpoint_url: Some(moto.url.clone()),
        regions: Some(regions.iter().map(|r| r.to_string()).collect()),
        event_history_days: 0,
        call_timeout: Duration::from_secs(20),
        ..CollectOptions::default()
    }
}

fn actions(snapshot: &Snapshot) -> Vec<String> {
    snapshot.errors.iter().map(|e| format!("{}@{}", e.action_name(), e.region.as_deref().unwrap_or("-"))).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compliant_multi_region_trail_is_collected_whole() {
    let moto = Moto::start();
    let seeder = Seeder::new(&moto.url).await;
    let trail_arn = seeder.compliant("us-east-1", "main").await;

    let (snap, stats) = collect(&options(&moto, &["us-east-1", "eu-west-1"])).await.expect("collect");
    assert_eq!(snap.metadata.partition, "aws");
    assert_eq!(snap.metadata.regions, ["eu-west-1", "us-east-1"]);
    assert_eq!(snap.accounts.len(), 1);
    let account = &snap.accounts[0];
    assert_eq!(account.account_id, ACCOUNT);
    // The multi-region trail shows up in both regions (as a shadow in eu-west-1).
    for region in ["us-east-1", "eu-west-1"] {
        assert_eq!(account.regions[region].trail_arns, std::slice::from_ref(&trail_arn), "{region}");
    }
    let trail = &account.trails[&trail_arn];
    assert!(trail.is_multi_region_trail && trail.log_file_validation_enabled);
    assert_eq!(trail.home_region, "us-east-1");
    assert!(trail.status.as_ref().unwrap().is_logging);
    let selectors = trail.event_selectors.as_ref().unwrap();
    assert_eq!(selectors.event_selectors.len(), 1);
    assert_eq!(selectors.event_selectors[0].read_write_type, "All");
    assert_eq!(trail.tags.as_ref().unwrap()["owner"], "security");
    assert_eq!(trail.insight_selectors.as_deref(), Some(&[][..]));

    let bucket = &account.buckets["main-trail-logs"];
    assert!(bucket.policy.is_some());
    assert_eq!(bucket.policy_is_public, Some(false));
    assert!(bucket.public_access_block.as_ref().unwrap().block_public_policy);
    // moto 5.2.5 answers GetBucketVersioning with a `GetBucketVersioningResponse`
    // root element instead of AWS's `VersioningConfiguration`, which the SDK
    // rejects: the collector must record that as a failed call, not guess.
    assert!(bucket.versioning.is_none());
    assert_eq!(bucket.logging.as_ref().unwrap().target_bucket, "main-access-logs");
    assert!(bucket.acl.is_some());
    // Listed (non-trail) buckets carry region and tags only.
    let other = &account.buckets["main-access-logs"];
    assert_eq!(other.region.as_deref(), Some("us-east-1"));
    assert!(other.acl.is_none());

    let group_arn = format!("arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/cloudtrail/main");
    let group = &account.log_groups[&group_arn];
    assert_eq!(group.retention_in_days, Some(365));
    let filters = group.metric_filters.as_ref().unwrap();
    assert_eq!(filters.len(), 1);
    assert_eq!(filters[0].transformations[0].metric_name, "UnauthorizedAPICalls");

    assert_eq!(account.alarms.len(), 1);
    let alarm = account.alarms.values().next().unwrap();
    assert_eq!(alarm.metric_name.as_deref(), Some("UnauthorizedAPICalls"));
    let topic = &account.sns_topics[&alarm.alarm_actions[0]];
    let subs = topic.subscriptions.as_ref().unwrap();
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0].protocol, "email");
    // The endpoint (an e-mail address) is never stored.
    assert!(!serde_json::to_string(&snap).unwrap().contains("security@example.com"));

    assert_eq!(account.kms_keys.len(), 1);
    let key = account.kms_keys.values().next().unwrap();
    assert_eq!(key.rotation_enabled, Some(true));
    assert_eq!(key.aliases, ["alias/main-trail"]);

    let recorders = &account.regions["us-east-1"].config_recorders;
    assert_eq!(recorders.len(), 1);
    assert_eq!(recorders[0].recording, Some(true));
    assert!(account.regions["eu-west-1"].config_recorders.is_empty());

    // moto lacks ListEventDataStores: recorded honestly as failed, per region.
    let errs = actions(&snap);
    assert_eq!(
        errs,
        ["cloudtrail:ListEventDataStores@eu-west-1", "cloudtrail:ListEventDataStores@us-east-1", "s3:GetBucketVersioning@-"],
        "{:#?}",
        snap.errors
    );
    assert!(stats.calls["cloudtrail"] >= 6, "{stats}");
    // Each trail-detail call is made once, in the home region only.
    assert!(stats.total_calls() < 60, "{stats}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_compliant_single_region_trail_and_second_account() {
    let moto = Moto::start();
    let seeder = Seeder::new(&moto.url).await;
    let arn = seeder.non_compliant("us-west-2", "legacy").await;
    let role = format!("arn:aws:iam::{SECOND_ACCOUNT}:role/audit");
    // The second account has no trail at all.
    let second = seeder.assume(&role).await;
    assert_eq!(second.account().await, SECOND_ACCOUNT);
    second.bucket("second-account-data").await;

    let mut opts = options(&moto, &["us-east-1", "us-west-2"]);
    opts.role_arns = vec![role];
    opts.sensitive_bucket_scope = BucketScope::AllBuckets;
    let (snap, _) = collect(&opts).await.expect("collect");
    let ids: Vec<_> = snap.accounts.iter().map(|a| a.account_id.as_str()).collect();
    assert_eq!(ids, [SECOND_ACCOUNT, ACCOUNT]);

    let main = &snap.accounts[1];
    // A single-region trail is listed only in its home region.
    assert_eq!(main.regions["us-west-2"].trail_arns, std::slice::from_ref(&arn));
    assert!(main.regions["us-east-1"].trail_arns.is_empty());
    let trail = &main.trails[&arn];
    assert!(!trail.is_multi_region_trail);
    let status = trail.status.as_ref().unwrap();
    assert!(!status.is_logging);
    assert!(status.stop_logging_time.is_some());
    let bucket = &main.buckets["legacy-public-logs"];
    assert_eq!(bucket.policy_is_public, Some(true));
    assert_eq!(bucket.policy.as_ref().unwrap()["Statement"][0]["Principal"], "*");
    assert!(bucket.public_access_block.is_none());

    let second = &snap.accounts[0];
    assert!(second.trails.is_empty());
    assert!(second.regions.values().all(|r| r.trail_arns.is_empty()));
    assert_eq!(second.buckets.keys().collect::<Vec<_>>(), ["second-account-data"]);
    assert!(!main.buckets.contains_key("second-account-data"));
}
