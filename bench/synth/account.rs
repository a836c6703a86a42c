//! One synthetic account: three trails (the organization trail, a multi-region
//! trail with advanced selectors, a single-region trail), its buckets, the
//! monitoring chain, Config recorders in all 17 regions, and event history.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use trailaudit::snapshot::{
    Account, AdvancedEventSelector, DataResource, Event, EventHistory, EventSelector, EventSelectors, FieldSelector, Organization,
    RegionInventory, Trail, TrailStatus, UserIdentity,
};

use crate::parts::{self, PAB_ON};
use crate::{REGIONS, Rng};

pub const ORG_ID: &str = "o-synth0bench";
const ORG_HOME: &str = "us-east-1";

pub fn build(id: &str, management: &str, collected_at: DateTime<Utc>, rng: &mut Rng) -> Account {
    let is_management = id == management;
    let home = *rng.pick(&["us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2"]);
    let app_region = *rng.pick(&REGIONS);
    let trail_bucket = format!("synth-{id}-trail-logs");
    let key = parts::kms_key(id, home, rng);
    let (group, alarms, topic) = parts::monitoring(id, home, rng);

    let org = org_trail(management, collected_at);
    let data = data_events_trail(id, home, &trail_bucket, &key.arn, &group.arn, collected_at, rng);
    let app = app_trail(id, app_region, &trail_bucket, collected_at, rng);

    let mut buckets = BTreeMap::new();
    let mut trail_policy_bucket = parts::bucket(&trail_bucket, id, home, &[("purpose", "cloudtrail-logs")], rng);
    trail_policy_bucket.policy =
        Some(parts::trail_bucket_policy(&trail_bucket, &[format!("AWSLogs/{id}")], &[data.arn.clone(), app.arn.clone()]));
    buckets.insert(trail_bucket.clone(), trail_policy_bucket);
    for (suffix, class) in
        [("customer-data", "confidential"), ("payroll", "restricted"), ("pii-scratch", "sensitive"), ("web-assets", "public")]
    {
        let name = format!("synth-{id}-{suffix}");
        let region = *rng.pick(&REGIONS);
        buckets.insert(name.clone(), parts::bucket(&name, id, region, &[("data-classification", class)], rng));
    }
    let mut kms_keys = BTreeMap::from([(key.arn.clone(), key)]);
    let mut log_groups = BTreeMap::from([(group.arn.clone(), group)]);
    let mut alarm_map: BTreeMap<_, _> = alarms.into_iter().map(|a| (a.arn.clone(), a)).collect();
    let mut sns_topics = BTreeMap::from([(topic.arn.clone(), topic)]);
    if is_management {
        let org_bucket = format!("synth-org-cloudtrail-{id}");
        let mut b = parts::bucket(&org_bucket, id, ORG_HOME, &[("purpose", "organization-cloudtrail")], rng);
        b.policy = Some(parts::trail_bucket_policy(
            &org_bucket,
            &[format!("AWSLogs/{id}"), format!("AWSLogs/{ORG_ID}")],
            std::slice::from_ref(&org.arn),
        ));
        buckets.insert(org_bucket, b);
        let org_key = parts::kms_key(id, ORG_HOME, rng);
        let (org_group, org_alarms, org_topic) = parts::monitoring(id, ORG_HOME, rng);
        kms_keys.insert(org_key.arn.clone(), org_key);
        log_groups.insert(org_group.arn.clone(), org_group);
        alarm_map.extend(org_alarms.into_iter().map(|a| (a.arn.clone(), a)));
        sns_topics.insert(org_topic.arn.clone(), org_topic);
    }

    let regions = REGIONS
        .iter()
        .map(|region| {
            let mut trail_arns = vec![org.arn.clone(), data.arn.clone()];
            if *region == app_region {
                trail_arns.push(app.arn.clone());
            }
            trail_arns.sort();
            let recorder = parts::config_recorder(id, *region == "us-east-1", rng);
            (region.to_string(), RegionInventory { trail_arns, config_recorders: vec![recorder], event_data_stores: Vec::new() })
        })
        .collect();
    let trails = [org, data, app].into_iter().map(|t| (t.arn.clone(), t)).collect();

    Account {
        account_id: id.into(),
        organization: Some(Organization {
            id: ORG_ID.into(),
            management_account_id: management.into(),
            account_name: None,
            account_status: None,
            ou_path: Vec::new(),
            delegated_administrators: Vec::new(),
        }),
        regions,
        trails,
        buckets,
        public_access_block: rng.chance(90).then_some(PAB_ON),
        log_groups,
        alarms: alarm_map,
        sns_topics,
        kms_keys,
        event_history: Some(history(id, collected_at, rng)),
        dynamodb_tables: None,
        lambda_functions: None,
    }
}

fn status(collected_at: DateTime<Utc>, cloudwatch: bool, rng: &mut Rng) -> TrailStatus {
    let logging = rng.chance(95);
    let ago = |rng: &mut Rng, max_minutes: u64| Some(collected_at - Duration::seconds(60 + rng.below(max_minutes * 60) as i64));
    TrailStatus {
        is_logging: logging,
        latest_delivery_time: ago(rng, if logging { 30 } else { 20_000 }),
        latest_delivery_error: rng.chance(3).then(|| "AccessDenied".to_owned()),
        latest_notification_error: None,
        latest_cloud_watch_logs_delivery_time: if cloudwatch { ago(rng, 15) } else { None },
        latest_cloud_watch_logs_delivery_error: None,
        latest_digest_delivery_time: ago(rng, 60),
        latest_digest_delivery_error: None,
        start_logging_time: Some(collected_at - Duration::days(200 + rng.below(600) as i64)),
        stop_logging_time: if logging { None } else { ago(rng, 20_000) },
    }
}

#[allow(clippy::too_many_arguments)]
fn trail(
    name: &str,
    account: &str,
    home: &str,
    multi: bool,
    org: bool,
    bucket: &str,
    selectors: EventSelectors,
    status: TrailStatus,
) -> Trail {
    Trail {
        name: name.into(),
        arn: format!("arn:aws:cloudtrail:{home}:{account}:trail/{name}"),
        home_region: home.into(),
        is_multi_region_trail: multi,
        is_organization_trail: org,
        include_global_service_events: multi,
        log_file_validation_enabled: true,
        kms_key_id: None,
        s3_bucket_name: Some(bucket.into()),
        s3_key_prefix: None,
        sns_topic_arn: None,
        cloud_watch_logs_log_group_arn: None,
        cloud_watch_logs_role_arn: None,
        has_custom_event_selectors: true,
        has_insight_selectors: false,
        tags: Some(parts::tags(&[("owner", "cloud-platform")])),
        status: Some(status),
        event_selectors: Some(selectors),
        insight_selectors: Some(Vec::new()),
    }
}

/// The management account's organization trail: management events, plus S3
/// object writes in every bucket of every member (`arn:aws:s3`). Members see
/// it as their management account configured it; its status is the same
/// pseudo-random draw for every account, seeded by the management id.
fn org_trail(management: &str, collected_at: DateTime<Utc>) -> Trail {
    let mut own = Rng::new(management.parse::<u64>().unwrap_or(0));
    let selectors = EventSelectors {
        event_selectors: vec![
            EventSelector {
                read_write_type: "All".into(),
                include_management_events: true,
                data_resources: Vec::new(),
                exclude_management_event_sources: Vec::new(),
            },
            EventSelector {
                read_write_type: "WriteOnly".into(),
                include_management_events: false,
                data_resources: vec![DataResource { resource_type: "AWS::S3::Object".into(), values: vec!["arn:aws:s3".into()] }],
                exclude_management_event_sources: Vec::new(),
            },
        ],
        advanced_event_selectors: Vec::new(),
    };
    let bucket = format!("synth-org-cloudtrail-{management}");
    let mut t = trail("org-trail", management, ORG_HOME, true, true, &bucket, selectors, status(collected_at, true, &mut own));
    t.kms_key_id = Some(format!("arn:aws:kms:{ORG_HOME}:{management}:key/{}", own.uuid()));
    t.cloud_watch_logs_log_group_arn = Some(format!("arn:aws:logs:{ORG_HOME}:{management}:log-group:aws-cloudtrail-logs-{management}:*"));
    t.cloud_watch_logs_role_arn = Some(format!("arn:aws:iam::{management}:role/CloudTrailToCloudWatchLogs"));
    t
}

fn field(name: &str, build: impl FnOnce(&mut FieldSelector)) -> FieldSelector {
    let mut f = FieldSelector {
        field: name.into(),
        equals: Vec::new(),
        starts_with: Vec::new(),
        ends_with: Vec::new(),
        not_equals: Vec::new(),
        not_starts_with: Vec::new(),
        not_ends_with: Vec::new(),
    };
    build(&mut f);
    f
}

fn s3_objects() -> Vec<FieldSelector> {
    vec![field("eventCategory", |f| f.equals = vec!["Data".into()]), field("resources.type", |f| f.equals = vec!["AWS::S3::Object".into()])]
}

/// Multi-region trail with advanced selectors: management events, reads and
/// writes on the customer-data and payroll buckets, reads on everything except
/// the scratch bucket, and writes without multipart housekeeping.
fn data_events_trail(id: &str, home: &str, bucket: &str, key: &str, group: &str, at: DateTime<Utc>, rng: &mut Rng) -> Trail {
    let arn = |suffix: &str| format!("arn:aws:s3:::synth-{id}-{suffix}/");
    let mut management = vec![field("eventCategory", |f| f.equals = vec!["Management".into()])];
    if rng.chance(10) {
        management.push(field("readOnly", |f| f.equals = vec!["false".into()]));
    }
    let mut sensitive = s3_objects();
    sensitive.push(field("resources.ARN", |f| f.starts_with = vec![arn("customer-data"), arn("payroll")]));
    let mut reads = s3_objects();
    reads.push(field("readOnly", |f| f.equals = vec!["true".into()]));
    reads.push(field("resources.ARN", |f| f.not_starts_with = vec![arn("pii-scratch"), arn("trail-logs")]));
    let mut writes = s3_objects();
    writes.push(field("readOnly", |f| f.equals = vec!["false".into()]));
    writes.push(field("eventName", |f| f.not_equals = vec!["AbortMultipartUpload".into(), "UploadPart".into()]));
    let selectors = EventSelectors {
        event_selectors: Vec::new(),
        advanced_event_selectors: vec![
            AdvancedEventSelector { name: Some("Management events".into()), field_selectors: management },
            AdvancedEventSelector { name: Some("Sensitive buckets".into()), field_selectors: sensitive },
            AdvancedEventSelector { name: Some("Reads except scratch".into()), field_selectors: reads },
            AdvancedEventSelector { name: Some("Writes".into()), field_selectors: writes },
        ],
    };
    let mut t = trail("data-events", id, home, true, false, bucket, selectors, status(at, true, rng));
    t.kms_key_id = rng.chance(85).then(|| key.to_owned());
    t.log_file_validation_enabled = rng.chance(90);
    t.cloud_watch_logs_log_group_arn = Some(format!("{group}:*"));
    t.cloud_watch_logs_role_arn = Some(format!("arn:aws:iam::{id}:role/CloudTrailToCloudWatchLogs"));
    t
}

/// A team's single-region trail with AWS's default selector.
fn app_trail(id: &str, region: &str, bucket: &str, at: DateTime<Utc>, rng: &mut Rng) -> Trail {
    let selectors = EventSelectors {
        event_selectors: vec![EventSelector {
            read_write_type: "All".into(),
            include_management_events: true,
            data_resources: Vec::new(),
            exclude_management_event_sources: Vec::new(),
        }],
        advanced_event_selectors: Vec::new(),
    };
    let mut t = trail(&format!("app-{region}"), id, region, false, false, bucket, selectors, status(at, false, rng));
    t.has_custom_event_selectors = false;
    t.log_file_validation_enabled = rng.chance(50);
    t.s3_key_prefix = Some(format!("app/{region}"));
    t
}

const EVENTS: [(&str, &str, bool); 10] = [
    ("ConsoleLogin", "signin.amazonaws.com", false),
    ("AssumeRole", "sts.amazonaws.com", true),
    ("DescribeInstances", "ec2.amazonaws.com", true),
    ("RunInstances", "ec2.amazonaws.com", false),
    ("PutBucketPolicy", "s3.amazonaws.com", false),
    ("CreateAccessKey", "iam.amazonaws.com", false),
    ("AuthorizeSecurityGroupIngress", "ec2.amazonaws.com", false),
    ("GetBucketLocation", "s3.amazonaws.com", true),
    ("StopLogging", "cloudtrail.amazonaws.com", false),
    ("UpdateTrail", "cloudtrail.amazonaws.com", false),
];

/// 24 to 48 events over the 90-day window, a few of them security-relevant.
fn history(id: &str, collected_at: DateTime<Utc>, rng: &mut Rng) -> EventHistory {
    let start = collected_at - Duration::days(90);
    let count = 24 + rng.below(25);
    let mut events: Vec<Event> = (0..count)
        .map(|_| {
            let (name, source, read_only) = *rng.pick(&EVENTS);
            let root = rng.chance(2);
            let (identity_type, arn) = if root {
                ("Root", format!("arn:aws:iam::{id}:root"))
            } else {
                ("AssumedRole", format!("arn:aws:sts::{id}:assumed-role/Admin/user{}", rng.below(40)))
            };
            let mfa = if rng.chance(90) { "Yes" } else { "No" };
            Event {
                event_id: rng.uuid(),
                event_time: start + Duration::seconds(rng.below(90 * 86_400) as i64),
                event_name: name.into(),
                event_source: source.into(),
                event_type: Some(if name == "ConsoleLogin" { "AwsConsoleSignIn" } else { "AwsApiCall" }.into()),
                region: rng.pick(&REGIONS).to_string(),
                user_identity: Some(UserIdentity {
                    identity_type: identity_type.into(),
                    arn: Some(arn),
                    account_id: Some(id.into()),
                    invoked_by: None,
                }),
                source_ip_address: Some(format!("198.51.100.{}", rng.below(254) + 1)),
                user_agent: Some("aws-cli/2.17.4 md/Botocore#1.34.131 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.8".into()),
                error_code: None,
                error_message: None,
                read_only: Some(read_only),
                request_parameters: None,
                additional_event_data: (name == "ConsoleLogin").then(|| json!({"MFAUsed": mfa, "MobileVersion": "No"})),
                response_elements: (name == "ConsoleLogin").then(|| json!({"ConsoleLogin": "Success"})),
            }
        })
        .collect();
    events.sort_by_key(|e| e.event_time);
    EventHistory { start_time: start, end_time: collected_at, truncated: false, events }
}
