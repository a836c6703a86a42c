//! CloudWatch Logs groups that trails deliver to (with their metric filters),
//! CloudWatch alarms in those groups' regions, and the SNS topics alarms notify.

use std::ops::ControlFlow;

use crate::snapshot::actions::Action;
use crate::snapshot::{Alarm, LogGroup, MetricFilter, MetricTransformation, SnsSubscription, SnsTopic};

use super::context::Ctx;

/// `arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*]` → (region, name, arn without `:*`).
pub(crate) fn parse_log_group_arn(arn: &str) -> Option<(String, String, String)> {
    let bare = arn.strip_suffix(":*").unwrap_or(arn);
    let parts: Vec<&str> = bare.splitn(7, ':').collect();
    if parts.len() < 7 || parts[2] != "logs" || parts[5] != "log-group" {
        return None;
    }
    Some((parts[3].to_owned(), parts[6].to_owned(), bare.to_owned()))
}

/// DescribeLogGroups (by name prefix, exact match kept) and DescribeMetricFilters
/// for one trail log group; `None` when the group does not exist or was unreadable.
pub(crate) async fn log_group(ctx: &Ctx, arn: &str) -> Option<LogGroup> {
    let (region, name, bare_arn) = parse_log_group_arn(arn)?;
    let client = ctx.logs(&region);
    let mut group = None;
    let listed;
    {
        let _permit = ctx.permit().await;
        let pages = client.describe_log_groups().log_group_name_prefix(&name).into_paginator().send();
        listed = ctx
            .pages(Action::LogsDescribeLogGroups, Some(&region), Some(&bare_arn), pages, |page| {
                let Some(g) = page.log_groups().iter().find(|g| g.log_group_name() == Some(name.as_str())) else {
                    return ControlFlow::Continue(());
                };
                group = Some(LogGroup {
                    name: name.clone(),
                    arn: bare_arn.clone(),
                    region: region.clone(),
                    retention_in_days: g.retention_in_days(),
                    kms_key_id: g.kms_key_id().map(str::to_owned),
                    metric_filters: None,
                    not_found: false,
                });
                ControlFlow::Break(())
            })
            .await;
    }
    // Metric filters are read even if the group listing failed, so that a denied
    // DescribeLogGroups does not hide them.
    let mut group = group.unwrap_or_else(|| LogGroup {
        name: name.clone(),
        arn: bare_arn.clone(),
        region: region.clone(),
        retention_in_days: None,
        kms_key_id: None,
        metric_filters: None,
        // Every page answered and none held the group; after a failed page the
        // recorded failure says why the fields are unknown.
        not_found: listed,
    });
    let _permit = ctx.permit().await;
    let mut filters = Vec::new();
    let pages = client.describe_metric_filters().log_group_name(&name).into_paginator().send();
    let ok = ctx
        .pages(Action::LogsDescribeMetricFilters, Some(&region), Some(&bare_arn), pages, |page| {
            filters.extend(page.metric_filters().iter().map(|f| {
                MetricFilter {
                    name: f.filter_name().unwrap_or_default().to_owned(),
                    pattern: f.filter_pattern().unwrap_or_default().to_owned(),
                    transformations: f
                        .metric_transformations()
                        .iter()
                        .map(|t| MetricTransformation {
                            metric_name: t.metric_name().to_owned(),
                            metric_namespace: t.metric_namespace().to_owned(),
                            metric_value: Some(t.metric_value().to_owned()),
                        })
                        .collect(),
                }
            }))
        })
        .await;
    ctx.tick(&region, "logs");
    if ok {
        filters.sort_by(|a, b| a.name.cmp(&b.name));
        group.metric_filters = Some(filters);
    }
    Some(group)
}

/// DescribeAlarms (metric alarms, paginated) in one region.
pub(crate) async fn alarms(ctx: &Ctx, region: &str) -> Vec<Alarm> {
    let _permit = ctx.permit().await;
    let client = ctx.cloudwatch(region);
    let mut alarms = Vec::new();
    let pages = client.describe_alarms().into_paginator().send();
    // On a failed page the alarms read so far stand (the failure is recorded).
    ctx.pages(Action::CloudWatchDescribeAlarms, Some(region), None, pages, |page| {
        alarms.extend(page.metric_alarms().iter().filter_map(|a| {
            Some(Alarm {
                name: a.alarm_name()?.to_owned(),
                arn: a.alarm_arn()?.to_owned(),
                region: region.to_owned(),
                metric_name: a.metric_name().map(str::to_owned),
                namespace: a.namespace().map(str::to_owned),
                actions_enabled: a.actions_enabled().unwrap_or(false),
                alarm_actions: a.alarm_actions().to_vec(),
                state: a.state_value().map(|s| s.as_str().to_owned()),
            })
        }))
    })
    .await;
    ctx.tick(region, "cloudwatch");
    alarms
}

/// ListSubscriptionsByTopic; endpoints are dropped on purpose (see [`SnsSubscription`]).
pub(crate) async fn sns_topic(ctx: &Ctx, arn: String) -> SnsTopic {
    let region = super::context::arn_region(&arn).unwrap_or("us-east-1").to_owned();
    let _permit = ctx.permit().await;
    let client = ctx.sns(&region);
    let mut subs = Vec::new();
    let pages = client.list_subscriptions_by_topic().topic_arn(&arn).into_paginator().send();
    let ok = ctx
        .pages(Action::SnsListSubscriptionsByTopic, Some(&region), Some(&arn), pages, |page| {
            subs.extend(page.subscriptions().iter().map(|s| SnsSubscription {
                subscription_arn: s.subscription_arn().unwrap_or_default().to_owned(),
                protocol: s.protocol().unwrap_or_default().to_owned(),
            }))
        })
        .await;
    ctx.tick(&region, "sns");
    subs.sort_by(|a, b| (&a.subscription_arn, &a.protocol).cmp(&(&b.subscription_arn, &b.protocol)));
    SnsTopic { arn, region, subscriptions: ok.then_some(subs) }
}
