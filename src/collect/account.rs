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
//!
//! Owner-aware: only trails this account owns get the per-trail calls, and
//! only its own trails' log groups, alarms and keys are read. A trail owned by
//! another account (an organization trail seen as a shadow) is read in its
//! owner's collection; when the owner is not part of the collection at all, one
//! `outside_collection` error records it, instead of one AccessDenied per call.
//! In an organization run a trail bucket's posture is read, and stored, by the
//! account whose ListBuckets lists it, and a trail's KMS key by the account
//! in its ARN (see [`Ownership`]); log groups are the trail's own account's
//! (CloudTrail delivers only to a log group of the trail's account).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::Ordering;

use chrono::{Duration as Days, Utc};

use super::context::{Ctx, arn_account, arn_region};
use super::events::{Budget, region_events};
use super::join::join_all;
use super::{BucketScope, CollectOptions, cloudtrail, config_service, data_resources, kms, monitoring, s3};
use crate::snapshot::actions::Action;
use crate::snapshot::{Account, CollectionError, ErrorKind, EventHistory, RegionInventory, Trail};

/// What one account's collection knows about the others, so that each
/// resource is read once, by the account that owns it.
#[derive(Debug, Default)]
pub(crate) struct Ownership {
    /// An organization run: a trail bucket is read only by the account that
    /// lists it (ListBuckets); the trail's own account does not read it across
    /// accounts. Outside organization runs a trail bucket no account lists is
    /// read by the trail's account, as a single-account audit always has.
    pub organization: bool,
    /// Every account the collection reads, all shards included: a trail owned
    /// by one of them is judged from that account's record.
    pub collected: BTreeSet<String>,
    /// Buckets the organization trails deliver to (from the management
    /// account's DescribeTrails), which their owner, often a log-archive
    /// account, reads with its own credentials.
    pub organization_buckets: BTreeSet<String>,
    /// KMS key ARNs the organization trails encrypt with: the account in the
    /// ARN (often a security account) reads the key, when it is collected.
    pub organization_keys: BTreeSet<String>,
}

impl Ownership {
    /// A KMS key of one of `account`'s trails that another collected account
    /// owns, and so reads (an organization run only: elsewhere the trail's
    /// account reads its key across accounts, as a single-account audit does).
    fn key_read_elsewhere(&self, account: &str, key: &str) -> bool {
        self.organization && arn_account(key).is_some_and(|owner| owner != account && self.collected.contains(owner))
    }
}

/// The error kind's code for a trail whose owner is not collected.
pub(crate) const OUTSIDE_COLLECTION: &str = "OutsideCollection";

/// The record of a trail seen here but owned by an account this collection
/// does not read: its status, selectors and tags are not in the snapshot.
pub(crate) fn outside_collection(seen_in: &str, name: &str, arn: &str, owner: &str, why: &str) -> CollectionError {
    CollectionError {
        service: Action::CloudTrailGetTrailStatus.service().to_owned(),
        operation: Action::CloudTrailGetTrailStatus.operation().to_owned(),
        account_id: seen_in.to_owned(),
        region: None,
        resource: Some(arn.to_owned()),
        error_code: OUTSIDE_COLLECTION.to_owned(),
        message: format!(
            "trail {name} belongs to account {owner}, {why}: its status, event selectors, insight selectors and tags are read there; \
             add account {owner} to the collection (or run with --organization from the management account)"
        ),
        kind: ErrorKind::OutsideCollection,
    }
}

pub(crate) async fn collect_account(ctx: &Ctx, regions: &[String], options: &CollectOptions, ownership: &Ownership) -> Account {
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
    let (mut account, event_history) = tokio::join!(inventory(ctx, regions, options, ownership), events);
    account.event_history = event_history;
    account
}

async fn inventory(ctx: &Ctx, regions: &[String], options: &CollectOptions, ownership: &Ownership) -> Account {
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
            // An organization run needs the list to know which trail buckets this account owns.
            BucketScope::TrailBucketsOnly if ownership.organization => s3::list_buckets(ctx).await,
            BucketScope::TrailBucketsOnly => None,
        }
    };
    let data_resources = async {
        let (tables, functions) = (options.dynamodb_tables, options.lambda_functions);
        let listed = |on: bool| regions.iter().filter(move |_| on);
        let (t, f) = tokio::join!(
            join_all(listed(tables != data_resources::Listing::Off).map(|r| data_resources::dynamodb_tables(ctx, r, tables))),
            join_all(listed(functions != data_resources::Listing::Off).map(|r| data_resources::lambda_functions(ctx, r, functions))),
        );
        (data_resources::by_arn(tables, t), data_resources::by_arn(functions, f))
    };
    let (per_region, listed, account_pab, (dynamodb_tables, lambda_functions)) =
        tokio::join!(per_region, listed, s3::account_public_access_block(ctx), data_resources);

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
    // Per-trail calls only for the trails this account owns.
    let (own, others): (Vec<Trail>, Vec<Trail>) = trails.into_values().partition(|t| arn_account(&t.arn) == Some(ctx.account_id.as_str()));
    for t in &others {
        let owner = arn_account(&t.arn).unwrap_or("(unknown)");
        if !ownership.collected.contains(owner) {
            ctx.push(outside_collection(&ctx.account_id, &t.name, &t.arn, owner, "which this collection does not include"));
        }
    }
    let (own, stores) = tokio::join!(
        join_all(own.into_iter().map(|t| cloudtrail::trail_details(ctx, t))),
        join_all(stores.into_values().map(|s| cloudtrail::event_data_store_details(ctx, s))),
    );
    let own: BTreeMap<_, _> = own.into_iter().map(|t| (t.arn.clone(), t)).collect();
    let stores: BTreeMap<_, _> = stores.into_iter().map(|s| (s.arn.clone(), s)).collect();
    for region in inventory.values_mut() {
        for store in &mut region.event_data_stores {
            if let Some(detailed) = stores.get(&store.arn) {
                *store = detailed.clone();
            }
        }
    }

    // Buckets: trail buckets get the full posture, listed ones region and tags.
    let buckets = join_all(
        wanted_buckets(&own, &others, listed, options, ownership)
            .into_iter()
            .map(|(name, (region, full))| s3::bucket(ctx, name, region, full)),
    );

    let log_group_arns: BTreeSet<String> = own.values().filter_map(|t| t.cloud_watch_logs_log_group_arn.clone()).collect();
    let alarm_regions: BTreeSet<String> =
        log_group_arns.iter().filter_map(|a| monitoring::parse_log_group_arn(a)).map(|(region, _, _)| region).collect();

    let groups_and_keys = async {
        let groups: Vec<_> = join_all(log_group_arns.iter().map(|a| monitoring::log_group(ctx, a))).await.into_iter().flatten().collect();
        let mut keys: BTreeMap<String, String> = BTreeMap::new();
        for t in own.values() {
            if let Some(k) = t.kms_key_id.as_ref().filter(|k| !ownership.key_read_elsewhere(&ctx.account_id, k)) {
                keys.entry(k.clone()).or_insert_with(|| t.home_region.clone());
            }
        }
        if ownership.organization {
            for k in ownership.organization_keys.iter().filter(|k| arn_account(k) == Some(ctx.account_id.as_str())) {
                let region = arn_region(k).map_or_else(|| ctx.home_region(), str::to_owned);
                keys.entry(k.clone()).or_insert(region);
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

    let mut trails = own;
    trails.extend(others.into_iter().map(|t| (t.arn.clone(), t)));
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
        dynamodb_tables,
        lambda_functions,
    }
}

/// Buckets to read, by name: (region when listed, full posture?).
///
/// Full posture for a trail bucket this account owns: one its ListBuckets
/// lists, among its own trails' buckets and, in an organization run, the
/// organization trails' buckets. A bucket of its own trails that it does not
/// list belongs to another account: an organization run leaves it to that
/// account; otherwise it is read from here, across accounts, as before. When
/// ListBuckets was not called or failed, the own trails' buckets are read.
/// Every other listed bucket gets region and tags only, when listing all
/// buckets was asked for.
fn wanted_buckets(
    own: &BTreeMap<String, Trail>,
    others: &[Trail],
    listed: Option<Vec<(String, Option<String>)>>,
    options: &CollectOptions,
    ownership: &Ownership,
) -> BTreeMap<String, (Option<String>, bool)> {
    let own_trail_buckets: BTreeSet<&String> = own.values().filter_map(|t| t.s3_bucket_name.as_ref()).collect();
    let mut candidates: BTreeSet<&String> = own_trail_buckets.clone();
    if ownership.organization {
        candidates.extend(ownership.organization_buckets.iter());
        candidates.extend(others.iter().filter(|t| t.is_organization_trail).filter_map(|t| t.s3_bucket_name.as_ref()));
    }
    let mut wanted: BTreeMap<String, (Option<String>, bool)> = BTreeMap::new();
    match listed {
        None => {
            for name in own_trail_buckets {
                wanted.insert(name.clone(), (None, true));
            }
        }
        Some(listed) => {
            let names: BTreeSet<&str> = listed.iter().map(|(n, _)| n.as_str()).collect();
            for name in &own_trail_buckets {
                if !names.contains(name.as_str()) && !ownership.organization {
                    wanted.insert((*name).clone(), (None, true));
                }
            }
            for (name, region) in listed.iter() {
                let full = candidates.contains(name);
                if full || options.sensitive_bucket_scope == BucketScope::AllBuckets {
                    wanted.insert(name.clone(), (region.clone(), full));
                }
            }
        }
    }
    wanted
}
