//! CloudTrail: trails per region (shadow trails included), per-trail details
//! asked once in the trail's home region, and CloudTrail Lake event data stores.

use std::collections::BTreeMap;

use aws_sdk_cloudtrail::types as ct;
use chrono::{DateTime, Utc};

use super::context::Ctx;
use crate::snapshot::actions::Action;
use crate::snapshot::{
    AdvancedEventSelector, DataResource, EventDataStore, EventSelector, EventSelectors, FieldSelector, InsightSelector, Trail, TrailStatus,
};

/// DescribeTrails(includeShadowTrails) in one region: the ARNs for the region
/// inventory and the trail descriptions (a shadow trail describes its home trail).
pub(crate) async fn describe_trails(ctx: &Ctx, region: &str) -> Option<Vec<Trail>> {
    let _permit = ctx.permit().await;
    let client = ctx.cloudtrail(region);
    let result = client.describe_trails().include_shadow_trails(true).send().await;
    ctx.tick(region, "cloudtrail");
    match result {
        Ok(out) => Some(out.trail_list().iter().filter_map(|t| trail(t, region)).collect()),
        Err(err) => {
            ctx.fail(Action::CloudTrailDescribeTrails, Some(region), None, &err);
            None
        }
    }
}

fn trail(t: &ct::Trail, region: &str) -> Option<Trail> {
    let arn = t.trail_arn()?.to_owned();
    Some(Trail {
        name: t.name().unwrap_or_default().to_owned(),
        home_region: t.home_region().unwrap_or(region).to_owned(),
        is_multi_region_trail: t.is_multi_region_trail().unwrap_or(false),
        is_organization_trail: t.is_organization_trail().unwrap_or(false),
        include_global_service_events: t.include_global_service_events().unwrap_or(false),
        log_file_validation_enabled: t.log_file_validation_enabled().unwrap_or(false),
        kms_key_id: t.kms_key_id().map(str::to_owned),
        s3_bucket_name: t.s3_bucket_name().map(str::to_owned),
        s3_key_prefix: t.s3_key_prefix().map(str::to_owned),
        sns_topic_arn: t.sns_topic_arn().map(str::to_owned),
        cloud_watch_logs_log_group_arn: t.cloud_watch_logs_log_group_arn().map(str::to_owned),
        cloud_watch_logs_role_arn: t.cloud_watch_logs_role_arn().map(str::to_owned),
        has_custom_event_selectors: t.has_custom_event_selectors().unwrap_or(false),
        has_insight_selectors: t.has_insight_selectors().unwrap_or(false),
        arn,
        tags: None,
        status: None,
        event_selectors: None,
        insight_selectors: None,
    })
}

/// GetTrailStatus, GetEventSelectors, GetInsightSelectors and ListTags, once
/// per trail and in its home region (where both AWS and emulators answer).
pub(crate) async fn trail_details(ctx: &Ctx, mut trail: Trail) -> Trail {
    let region = trail.home_region.clone();
    let client = ctx.cloudtrail(&region);
    let arn = trail.arn.clone();
    let (status, selectors, insights, tags) = tokio::join!(
        async {
            let _permit = ctx.permit().await;
            client.get_trail_status().name(&arn).send().await
        },
        async {
            let _permit = ctx.permit().await;
            client.get_event_selectors().trail_name(&arn).send().await
        },
        async {
            let _permit = ctx.permit().await;
            client.get_insight_selectors().trail_name(&arn).send().await
        },
        list_tags(ctx, &client, &arn, &region),
    );
    ctx.tick(&region, "cloudtrail trail");
    let here = Some(region.as_str());
    match status {
        Ok(s) => {
            trail.status = Some(TrailStatus {
                is_logging: s.is_logging().unwrap_or(false),
                latest_delivery_time: time(s.latest_delivery_time()),
                latest_delivery_error: s.latest_delivery_error().map(str::to_owned),
                latest_notification_error: s.latest_notification_error().map(str::to_owned),
                latest_cloud_watch_logs_delivery_time: time(s.latest_cloud_watch_logs_delivery_time()),
                latest_cloud_watch_logs_delivery_error: s.latest_cloud_watch_logs_delivery_error().map(str::to_owned),
                latest_digest_delivery_time: time(s.latest_digest_delivery_time()),
                latest_digest_delivery_error: s.latest_digest_delivery_error().map(str::to_owned),
                start_logging_time: time(s.start_logging_time()),
                stop_logging_time: time(s.stop_logging_time()),
            })
        }
        Err(err) => ctx.fail(Action::CloudTrailGetTrailStatus, here, Some(&arn), &err),
    }
    match selectors {
        Ok(s) => {
            trail.event_selectors = Some(EventSelectors {
                event_selectors: s.event_selectors().iter().map(basic_selector).collect(),
                advanced_event_selectors: s.advanced_event_selectors().iter().map(advanced_selector).collect(),
            })
        }
        Err(err) => ctx.fail(Action::CloudTrailGetEventSelectors, here, Some(&arn), &err),
    }
    match insights {
        Ok(s) => trail.insight_selectors = Some(insight_selectors(s.insight_selectors())),
        // AWS's way of saying "insights are off" on a trail that never had them.
        Err(err) if err.as_service_error().is_some_and(|e| e.is_insight_not_enabled_exception()) => {
            trail.insight_selectors = Some(Vec::new())
        }
        Err(err) => ctx.fail(Action::CloudTrailGetInsightSelectors, here, Some(&arn), &err),
    }
    trail.tags = tags;
    trail
}

async fn list_tags(ctx: &Ctx, client: &aws_sdk_cloudtrail::Client, arn: &str, region: &str) -> Option<BTreeMap<String, String>> {
    let _permit = ctx.permit().await;
    let mut tags = BTreeMap::new();
    let pages = client.list_tags().resource_id_list(arn).into_paginator().send();
    let complete = ctx
        .pages(Action::CloudTrailListTags, Some(region), Some(arn), pages, |page| {
            for list in page.resource_tag_list() {
                for tag in list.tags_list() {
                    tags.insert(tag.key().to_owned(), tag.value().unwrap_or_default().to_owned());
                }
            }
        })
        .await;
    complete.then_some(tags)
}

fn basic_selector(s: &ct::EventSelector) -> EventSelector {
    EventSelector {
        read_write_type: s.read_write_type().map(|r| r.as_str().to_owned()).unwrap_or_else(|| "All".to_owned()),
        include_management_events: s.include_management_events().unwrap_or(true),
        data_resources: s
            .data_resources()
            .iter()
            .map(|d| DataResource { resource_type: d.r#type().unwrap_or_default().to_owned(), values: d.values().to_vec() })
            .collect(),
        exclude_management_event_sources: s.exclude_management_event_sources().to_vec(),
    }
}

fn advanced_selector(s: &ct::AdvancedEventSelector) -> AdvancedEventSelector {
    AdvancedEventSelector {
        name: s.name().map(str::to_owned),
        field_selectors: s
            .field_selectors()
            .iter()
            .map(|f| FieldSelector {
                field: f.field().to_owned(),
                equals: f.equals().to_vec(),
                starts_with: f.starts_with().to_vec(),
                ends_with: f.ends_with().to_vec(),
                not_equals: f.not_equals().to_vec(),
                not_starts_with: f.not_starts_with().to_vec(),
                not_ends_with: f.not_ends_with().to_vec(),
            })
            .collect(),
    }
}

/// ListEventDataStores (CloudTrail Lake), paginated; `None` when it failed.
pub(crate) async fn event_data_stores(ctx: &Ctx, region: &str) -> Option<Vec<EventDataStore>> {
    let _permit = ctx.permit().await;
    let client = ctx.cloudtrail(region);
    let mut stores = Vec::new();
    let pages = client.list_event_data_stores().into_paginator().send();
    let complete = ctx
        .pages(Action::CloudTrailListEventDataStores, Some(region), None, pages, |page| {
            stores.extend(page.event_data_stores().iter().filter_map(|s| {
                Some(EventDataStore {
                    arn: s.event_data_store_arn()?.to_owned(),
                    name: s.name().unwrap_or_default().to_owned(),
                    // ListEventDataStores no longer returns these: filled in by
                    // [`event_data_store_details`], once per store.
                    status: None,
                    kms_key_id: None,
                    multi_region_enabled: None,
                    organization_enabled: None,
                    retention_period: None,
                    insight_selectors: None,
                })
            }))
        })
        .await;
    ctx.tick(region, "cloudtrail lake");
    if !complete {
        return None;
    }
    stores.sort_by(|a, b| a.arn.cmp(&b.arn));
    Some(stores)
}

/// GetEventDataStore: the store's KMS key (CloudTrail.10), status, scope and
/// retention, which ListEventDataStores does not return; GetInsightSelectors:
/// the insight types it analyses (CT-014). Asked once per store
/// ARN, in the store's region; on failure the listed store stays as it was
/// (unknown fields) and the failure is recorded against the store.
pub(crate) async fn event_data_store_details(ctx: &Ctx, mut store: EventDataStore) -> EventDataStore {
    let region = super::context::arn_region(&store.arn).map(str::to_owned).unwrap_or_else(|| ctx.home_region());
    let client = ctx.cloudtrail(&region);
    // One after the other: stores are few, and the order keeps replay tests simple.
    let result = {
        let _permit = ctx.permit().await;
        client.get_event_data_store().event_data_store(&store.arn).send().await
    };
    let insights = {
        let _permit = ctx.permit().await;
        client.get_insight_selectors().event_data_store(&store.arn).send().await
    };
    ctx.tick(&region, "cloudtrail lake");
    match result {
        Ok(out) => {
            store.status = out.status().map(|s| s.as_str().to_owned());
            store.kms_key_id = out.kms_key_id().map(str::to_owned);
            store.multi_region_enabled = out.multi_region_enabled();
            store.organization_enabled = out.organization_enabled();
            store.retention_period = out.retention_period().and_then(|d| u32::try_from(d).ok());
        }
        Err(err) => ctx.fail(Action::CloudTrailGetEventDataStore, Some(&region), Some(&store.arn), &err),
    }
    match insights {
        Ok(out) => store.insight_selectors = Some(insight_selectors(out.insight_selectors())),
        Err(err) if err.as_service_error().is_some_and(|e| e.is_insight_not_enabled_exception()) => {
            store.insight_selectors = Some(Vec::new())
        }
        Err(err) => ctx.fail(Action::CloudTrailGetInsightSelectors, Some(&region), Some(&store.arn), &err),
    }
    store
}

fn insight_selectors(selectors: &[ct::InsightSelector]) -> Vec<InsightSelector> {
    selectors.iter().filter_map(|i| i.insight_type().map(|t| InsightSelector { insight_type: t.as_str().to_owned() })).collect()
}

pub(crate) fn time(t: Option<&aws_smithy_types::DateTime>) -> Option<DateTime<Utc>> {
    let t = t?;
    DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}
