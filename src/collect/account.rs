//! The plan for one account. Independent work runs concurrently (all of it
//! under the shared semaphore); dependent work waits only for what it needs:
//!
//! 1. per region: DescribeTrails, ListEventDataStores, Config recorders; in
//!    parallel ListBuckets, account Block Public Access and (throughout) the
//!    paced LookupEvents queries;
//! 2. per distinct trail ARN: the four trail calls in its home region; per
//!    distinct event data store ARN: GetEventDataStore in its region;
//! 3. per distinct bucket / log group / alarm region: bucket posture, log group
//!    and metric filters, alarms; then SNS topics and KMS keys they name.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::Ordering;

use chrono::{Duration as Days, Utc};

use super::context::Ctx;
use super::events::{Budget, region_events};
use super::join::join_all;
use super::{BucketScope, CollectOptions, cloudtrail, config_service, kms, monitoring, s3};
use crate::snapshot::{Account, EventHistory, RegionInventory};

pub(crate) async fn collect_account(ctx: &Ctx, regions: &[String], options: &CollectOptions) -> Account {
    let events = async {
        if options.event_history_days == 0 {
            return None;
        }
        let end = Utc::now();
        let start = end - Days::days(i64::from(options.event_history_days));
        let budget = Budget::new(options.max_events);
        let per_region = join_all(regions.iter().map(|r| region_events(ctx, r, start, end, &budget))).await;
        let mut events: Vec<_> = per_region.into_iter().flat_map(BTreeMap::into_values).collect();
        events.sort_by(|a, b| (a.event_time, &a.event_id).cmp(&(b.event_time, &b.event_id)));
        events.dedup_by(|a, b| a.event_id == b.event_id);
        Some(EventHistory { start_time: start, end_time: end, truncated: budget.truncated.load(Ordering::SeqCst), events })
    };
    let (mut account, event_history) = tokio::join!(inventory(ctx, regions, options), events);
    account.event_history = event_history;
    account
}

async fn inventory(ctx: &Ctx, regions: &[String], options: &CollectOptions) -> Account {
    let per_region = join_all(regions.iter().map(|region| async move {
        let (trails, stores, recorders) = tokio::join!(
            cloudtrail::describe_trails(ctx, region),
            cloudtrail::event_data_stores(ctx, region),
            config_service::recorders(ctx, region),
        );
        (region.clone(), trails, stores, recorders)
    }));
    let listed = async {
        match options.sensitive_bucket_scope {
            BucketScope::AllBuckets => s3::list_buckets(ctx).await,
            BucketScope::TrailBucketsOnly => None,
        }
    };
    let (per_region, listed, account_pab) = tokio::join!(per_region, listed, s3::account_public_access_block(ctx));

    let mut inventory = BTreeMap::new();
    let mut trails = BTreeMap::new();
    for (region, described, stores, recorders) in per_region {
        let described = described.unwrap_or_default();
        let mut arns: Vec<String> = described.iter().map(|t| t.arn.clone()).collect();
        arns.sort();
        arns.dedup();
        for trail in described {
            trails.entry(trail.arn.clone()).or_insert(trail);
        }
        inventory.insert(
            region,
            RegionInventory {
                trail_arns: arns,
                config_recorders: recorders.unwrap_or_default(),
                event_data_stores: stores.unwrap_or_default(),
            },
        );
    }
    // Event data stores: details once per distinct ARN, whichever regions list it.
    let mut stores = BTreeMap::new();
    for listed in inventory.values().flat_map(|r: &RegionInventory| r.event_data_stores.iter()) {
        stores.entry(listed.arn.clone()).or_insert_with(|| listed.clone());
    }
    let (trails, stores) = tokio::join!(
        join_all(trails.into_values().map(|t| cloudtrail::trail_details(ctx, t))),
        join_all(stores.into_values().map(|s| cloudtrail::event_data_store_details(ctx, s))),
    );
    let trails: BTreeMap<_, _> = trails.into_iter().map(|t| (t.arn.clone(), t)).collect();
    let stores: BTreeMap<_, _> = stores.into_iter().map(|s| (s.arn.clone(), s)).collect();
    for region in inventory.values_mut() {
        for store in &mut region.event_data_stores {
            if let Some(detailed) = stores.get(&store.arn) {
                *store = detailed.clone();
            }
        }
    }

    // Buckets: trail buckets get the full posture, listed ones region and tags.
    let trail_buckets: BTreeSet<String> = trails.values().filter_map(|t| t.s3_bucket_name.clone()).collect();
    let mut wanted: BTreeMap<String, (Option<String>, bool)> = trail_buckets.iter().map(|b| (b.clone(), (None, true))).collect();
    for (name, region) in listed.unwrap_or_default() {
        let entry = wanted.entry(name).or_insert((None, false));
        entry.0 = region;
    }
    let buckets = join_all(wanted.into_iter().map(|(name, (region, full))| s3::bucket(ctx, name, region, full)));

    let log_group_arns: BTreeSet<String> = trails.values().filter_map(|t| t.cloud_watch_logs_log_group_arn.clone()).collect();
    let alarm_regions: BTreeSet<String> =
        log_group_arns.iter().filter_map(|a| monitoring::parse_log_group_arn(a)).map(|(region, _, _)| region).collect();

    let groups_and_keys = async {
        let groups: Vec<_> = join_all(log_group_arns.iter().map(|a| monitoring::log_group(ctx, a))).await.into_iter().flatten().collect();
        let mut keys: BTreeMap<String, String> = BTreeMap::new();
        for t in trails.values() {
            if let Some(k) = &t.kms_key_id {
                keys.entry(k.clone()).or_insert_with(|| t.home_region.clone());
            }
        }
        for g in &groups {
            if let Some(k) = &g.kms_key_id {
                keys.entry(k.clone()).or_insert_with(|| g.region.clone());
            }
        }
        let keys = join_all(keys.iter().map(|(k, region)| kms::key(ctx, k, region))).await;
        (groups, keys)
    };
    let alarms_and_topics = async {
        let alarms: Vec<_> = join_all(alarm_regions.iter().map(|r| monitoring::alarms(ctx, r))).await.into_iter().flatten().collect();
        let topics: BTreeSet<String> =
            alarms.iter().flat_map(|a| a.alarm_actions.iter()).filter(|a| a.split(':').nth(2) == Some("sns")).cloned().collect();
        let topics = join_all(topics.into_iter().map(|t| monitoring::sns_topic(ctx, t))).await;
        (alarms, topics)
    };
    let (buckets, (groups, keys), (alarms, topics)) = tokio::join!(buckets, groups_and_keys, alarms_and_topics);

    Account {
        account_id: ctx.account_id.clone(),
        organization: None,
        regions: inventory,
        trails,
        buckets: buckets.into_iter().map(|b| (b.name.clone(), b)).collect(),
        public_access_block: account_pab,
        log_groups: groups.into_iter().map(|g| (g.arn.clone(), g)).collect(),
        alarms: alarms.into_iter().map(|a| (a.arn.clone(), a)).collect(),
        sns_topics: topics.into_iter().map(|t| (t.arn.clone(), t)).collect(),
        kms_keys: keys.into_iter().flatten().map(|k| (k.arn.clone(), k)).collect(),
        event_history: None,
    }
}
