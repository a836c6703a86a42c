//! One test per kind of drift, on a small in-memory snapshot edited in place.

use serde_json::{Value, json};

use super::{Aspect, DriftReport, compare};
use crate::finding::Severity;
use crate::snapshot::Snapshot;

const TRAIL: &str = "arn:aws:cloudtrail:us-east-1:111111111111:trail/main";
const GROUP: &str = "arn:aws:logs:us-east-1:111111111111:log-group:trail-logs";
const ALARM: &str = "arn:aws:cloudwatch:us-east-1:111111111111:alarm:root-usage";

/// One account, one multi-region logging trail with KMS, validation, CloudWatch
/// Logs, management events and S3 data events on two buckets; a log group with
/// two metric filters, an alarm, a Config recorder.
fn base() -> Value {
    json!({
        "schema_version": 1,
        "metadata": {
            "tool": {"name": "trailaudit", "version": "0"},
            "collected_at": "2026-11-20T09:00:00Z",
            "partition": "aws",
            "regions": ["us-east-1", "eu-west-1"],
            "settings": {"event_history_days": 7, "event_history_max_events": 100}
        },
        "accounts": [{
            "account_id": "111111111111",
            "regions": {
                "us-east-1": {"trail_arns": [TRAIL], "config_recorders": [
                    {"name": "default", "all_supported": true, "include_global_resource_types": true, "recording": true}
                ]},
                "eu-west-1": {"trail_arns": [TRAIL]}
            },
            "trails": {TRAIL: {
                "name": "main", "arn": TRAIL, "home_region": "us-east-1",
                "is_multi_region_trail": true, "is_organization_trail": false,
                "include_global_service_events": true, "log_file_validation_enabled": true,
                "kms_key_id": "arn:aws:kms:us-east-1:111111111111:key/k1",
                "cloud_watch_logs_log_group_arn": format!("{GROUP}:*"),
                "status": {"is_logging": true},
                "event_selectors": {"EventSelectors": [{
                    "ReadWriteType": "All", "IncludeManagementEvents": true,
                    "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::pii/", "arn:aws:s3:::payroll/"]}]
                }]}
            }},
            "log_groups": {GROUP: {
                "name": "trail-logs", "arn": GROUP, "region": "us-east-1",
                "metric_filters": [
                    {"name": "root-usage", "pattern": "{ $.userIdentity.type = \"Root\" }"},
                    {"name": "no-mfa", "pattern": "{ $.eventName = \"ConsoleLogin\" }"}
                ]
            }},
            "alarms": {ALARM: {"name": "root-usage", "arn": ALARM, "region": "us-east-1", "actions_enabled": true}}
        }],
        "errors": []
    })
}

fn snap(v: &Value) -> Snapshot {
    serde_json::from_value(v.clone()).expect("test snapshot parses")
}

fn diff(old: &Value, new: &Value) -> DriftReport {
    compare(&snap(old), None, &snap(new), None)
}

fn trail(v: &mut Value) -> &mut Value {
    &mut v["accounts"][0]["trails"][TRAIL]
}

fn fail(v: &mut Value, service: &str, operation: &str, region: &str, resource: Option<&str>) {
    v["errors"].as_array_mut().unwrap().push(json!({
        "service": service, "operation": operation, "account_id": "111111111111",
        "region": region, "resource": resource, "error_code": "AccessDenied", "message": "denied"
    }));
}

/// The single drift item, asserting there is exactly one.
fn only_drift(report: &DriftReport) -> &super::Change {
    assert_eq!(report.drift.len(), 1, "{:#?}", report.drift);
    &report.drift[0]
}

#[test]
fn identical_snapshots_have_no_drift_and_exit_0() {
    let report = diff(&base(), &base());
    assert!(report.drift.is_empty() && report.improvements.is_empty() && report.unverifiable.is_empty(), "{report:#?}");
    assert_eq!(report.exit_code().code(), 0);
}

#[test]
fn trail_deleted_is_critical_when_it_was_the_logging_multi_region_trail() {
    let mut new = base();
    new["accounts"][0]["trails"] = json!({});
    let report = diff(&base(), &new);
    let c = only_drift(&report);
    assert_eq!((c.aspect, c.severity, c.resource.as_str()), (Aspect::Trail, Severity::Critical, TRAIL));
    assert_eq!(report.exit_code().code(), 1);
    // The reverse is an improvement, not drift.
    let back = diff(&new, &base());
    assert!(back.drift.is_empty());
    assert_eq!(back.improvements[0].aspect, Aspect::Trail);
    assert_eq!(back.exit_code().code(), 0);
}

#[test]
fn trail_missing_because_describe_trails_failed_is_unverifiable_not_drift() {
    let mut new = base();
    new["accounts"][0]["trails"] = json!({});
    fail(&mut new, "cloudtrail", "DescribeTrails", "us-east-1", None);
    let report = diff(&base(), &new);
    assert!(report.drift.is_empty(), "{:#?}", report.drift);
    assert_eq!(report.unverifiable.len(), 1);
    assert!(report.unverifiable[0].message.contains("cloudtrail:DescribeTrails failed in the new snapshot"), "{:#?}", report.unverifiable);
    assert_eq!(report.exit_code().code(), 3);
}

#[test]
fn logging_stopped_is_high_drift() {
    let mut new = base();
    trail(&mut new)["status"]["is_logging"] = json!(false);
    let report = diff(&base(), &new);
    let c = only_drift(&report);
    assert_eq!((c.aspect, c.severity), (Aspect::Logging, Severity::High));
    assert_eq!((c.before.as_str(), c.after.as_str()), ("logging", "not logging"));
}

#[test]
fn status_unreadable_in_new_snapshot_is_unverifiable() {
    let mut new = base();
    trail(&mut new)["status"] = Value::Null;
    fail(&mut new, "cloudtrail", "GetTrailStatus", "us-east-1", Some(TRAIL));
    let report = diff(&base(), &new);
    assert!(report.drift.is_empty());
    assert_eq!(report.unverifiable[0].aspect, Aspect::Logging);
}

#[test]
fn multi_region_validation_encryption_and_cloudwatch_logs_lost() {
    let mut new = base();
    let t = trail(&mut new);
    t["is_multi_region_trail"] = json!(false);
    t["log_file_validation_enabled"] = json!(false);
    t["kms_key_id"] = Value::Null;
    t["cloud_watch_logs_log_group_arn"] = Value::Null;
    let report = diff(&base(), &new);
    let got: Vec<(Aspect, Severity)> = report.drift.iter().map(|c| (c.aspect, c.severity)).collect();
    assert_eq!(
        got,
        [
            (Aspect::MultiRegion, Severity::High),
            (Aspect::LogFileValidation, Severity::Medium),
            (Aspect::Encryption, Severity::Medium),
            (Aspect::CloudWatchLogs, Severity::Medium),
        ]
    );
    let kms = &report.drift[2];
    assert_eq!((kms.before.as_str(), kms.after.as_str()), ("arn:aws:kms:us-east-1:111111111111:key/k1", "SSE-S3 only"));
}

#[test]
fn kms_key_swapped_is_low_drift() {
    let mut new = base();
    trail(&mut new)["kms_key_id"] = json!("arn:aws:kms:us-east-1:111111111111:key/k2");
    let c = only_drift(&diff(&base(), &new)).clone();
    assert_eq!((c.aspect, c.severity), (Aspect::Encryption, Severity::Low));
}

#[test]
fn management_writes_dropped_is_narrowing() {
    let mut new = base();
    trail(&mut new)["event_selectors"]["EventSelectors"][0]["ReadWriteType"] = json!("ReadOnly");
    let report = diff(&base(), &new);
    let got: Vec<Aspect> = report.drift.iter().map(|c| c.aspect).collect();
    assert_eq!(got, [Aspect::ManagementEvents, Aspect::S3DataEvents], "writes of both kinds are gone");
    assert!(report.drift[0].message.contains("no longer captured: management writes"), "{}", report.drift[0].message);
    assert_eq!(report.drift[0].severity, Severity::High);
}

#[test]
fn excluding_an_event_source_narrows_management_events() {
    let mut new = base();
    trail(&mut new)["event_selectors"]["EventSelectors"][0]["ExcludeManagementEventSources"] = json!(["kms.amazonaws.com"]);
    let report = diff(&base(), &new);
    let c = only_drift(&report);
    assert_eq!(c.aspect, Aspect::ManagementEvents);
    assert!(c.after.contains("except where eventSource NotEquals kms.amazonaws.com"), "{}", c.after);
}

#[test]
fn s3_data_event_bucket_dropped_is_narrowing_and_names_the_bucket() {
    let mut new = base();
    trail(&mut new)["event_selectors"]["EventSelectors"][0]["DataResources"][0]["Values"] = json!(["arn:aws:s3:::pii/"]);
    let report = diff(&base(), &new);
    let c = only_drift(&report);
    assert_eq!((c.aspect, c.severity), (Aspect::S3DataEvents, Severity::Medium));
    assert!(c.message.contains("S3 object reads under arn:aws:s3:::payroll/"), "{}", c.message);
    assert!(!c.message.contains("pii"), "pii stays covered: {}", c.message);
}

#[test]
fn basic_to_equivalent_or_wider_advanced_selectors_is_not_drift() {
    let mut new = base();
    trail(&mut new)["event_selectors"] = json!({"AdvancedEventSelectors": [
        {"Name": "mgmt", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]},
        {"Name": "s3", "FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Data"]},
            {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}
        ]}
    ]});
    let report = diff(&base(), &new);
    assert!(report.drift.is_empty(), "every bucket covers both prefixes: {:#?}", report.drift);
    assert_eq!(report.improvements.len(), 1);
    assert!(report.improvements[0].message.contains("S3 object reads in every bucket"));
}

#[test]
fn advanced_exclusion_added_or_read_only_filter_narrows() {
    let all_s3 = |extra: Vec<Value>| {
        let mut fields =
            vec![json!({"Field": "eventCategory", "Equals": ["Data"]}), json!({"Field": "resources.type", "Equals": ["AWS::S3::Object"]})];
        fields.extend(extra);
        json!({"AdvancedEventSelectors": [
            {"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]},
            {"FieldSelectors": fields}
        ]})
    };
    let mut old = base();
    trail(&mut old)["event_selectors"] = all_s3(vec![json!({"Field": "resources.ARN", "NotStartsWith": ["arn:aws:s3:::scratch/"]})]);
    let mut excluded = base();
    trail(&mut excluded)["event_selectors"] =
        all_s3(vec![json!({"Field": "resources.ARN", "NotStartsWith": ["arn:aws:s3:::scratch/", "arn:aws:s3:::hr/"]})]);
    let report = diff(&old, &excluded);
    let c = only_drift(&report);
    assert!(c.message.contains("resources.ARN NotStartsWith arn:aws:s3:::scratch/"), "{}", c.message);
    // Dropping the extra exclusion again is a widening.
    let back = diff(&excluded, &old);
    assert!(back.drift.is_empty() && back.improvements.len() == 1, "{back:#?}");

    let mut reads_only = base();
    trail(&mut reads_only)["event_selectors"] = all_s3(vec![
        json!({"Field": "resources.ARN", "NotStartsWith": ["arn:aws:s3:::scratch/"]}),
        json!({"Field": "readOnly", "Equals": ["true"]}),
    ]);
    let c = only_drift(&diff(&old, &reads_only)).clone();
    assert!(c.message.contains("no longer captured: S3 object writes in every bucket"), "{}", c.message);
}

#[test]
fn alarm_deleted_or_silenced_is_drift_unless_describe_alarms_failed() {
    let mut deleted = base();
    deleted["accounts"][0]["alarms"] = json!({});
    let c = only_drift(&diff(&base(), &deleted)).clone();
    assert_eq!((c.aspect, c.resource.as_str()), (Aspect::Alarm, ALARM));

    let mut silenced = base();
    silenced["accounts"][0]["alarms"][ALARM]["actions_enabled"] = json!(false);
    assert_eq!(only_drift(&diff(&base(), &silenced)).aspect, Aspect::AlarmActions);

    fail(&mut deleted, "cloudwatch", "DescribeAlarms", "us-east-1", None);
    let report = diff(&base(), &deleted);
    assert!(report.drift.is_empty() && report.unverifiable.len() == 1, "{report:#?}");
}

#[test]
fn metric_filter_deleted_or_pattern_changed() {
    let mut new = base();
    let filters = &mut new["accounts"][0]["log_groups"][GROUP]["metric_filters"];
    filters[0]["pattern"] = json!("{ $.userIdentity.type = \"Nobody\" }");
    filters.as_array_mut().unwrap().remove(1);
    let report = diff(&base(), &new);
    assert_eq!(report.drift.len(), 2, "{:#?}", report.drift);
    let deleted = report.drift.iter().find(|c| c.resource.ends_with("/no-mfa")).unwrap();
    assert_eq!((deleted.aspect, deleted.after.as_str()), (Aspect::MetricFilter, "absent"));
    let changed = report.drift.iter().find(|c| c.resource.ends_with("/root-usage")).unwrap();
    assert_eq!(changed.before, "{ $.userIdentity.type = \"Root\" }");
    assert_eq!(changed.after, "{ $.userIdentity.type = \"Nobody\" }");
}

#[test]
fn log_group_deleted_and_unreadable_filters() {
    let mut gone = base();
    gone["accounts"][0]["log_groups"] = json!({});
    let c = only_drift(&diff(&base(), &gone)).clone();
    assert_eq!(c.aspect, Aspect::LogGroup);
    assert!(c.message.contains("2 metric filter(s)"), "{}", c.message);

    let mut unreadable = base();
    unreadable["accounts"][0]["log_groups"][GROUP]["metric_filters"] = Value::Null;
    fail(&mut unreadable, "logs", "DescribeMetricFilters", "us-east-1", Some(GROUP));
    let report = diff(&base(), &unreadable);
    assert!(report.drift.is_empty());
    assert_eq!(report.unverifiable[0].aspect, Aspect::MetricFilter);
}

#[test]
fn config_recorder_stopped_or_deleted() {
    let mut stopped = base();
    stopped["accounts"][0]["regions"]["us-east-1"]["config_recorders"][0]["recording"] = json!(false);
    let c = only_drift(&diff(&base(), &stopped)).clone();
    assert_eq!((c.aspect, c.before.as_str(), c.after.as_str()), (Aspect::ConfigRecorder, "recording", "stopped"));

    let mut deleted = base();
    deleted["accounts"][0]["regions"]["us-east-1"]["config_recorders"] = json!([]);
    assert_eq!(only_drift(&diff(&base(), &deleted)).aspect, Aspect::ConfigRecorder);
}

#[test]
fn region_or_account_not_collected_is_unverifiable() {
    let mut fewer_regions = base();
    fewer_regions["metadata"]["regions"] = json!(["us-east-1"]);
    let report = diff(&base(), &fewer_regions);
    assert!(report.drift.is_empty());
    assert_eq!(report.unverifiable.len(), 1);
    assert_eq!(report.unverifiable[0].aspect, Aspect::Region);

    let mut no_accounts = base();
    no_accounts["accounts"] = json!([]);
    let report = diff(&base(), &no_accounts);
    assert_eq!((report.drift.len(), report.unverifiable.len(), report.exit_code().code()), (0, 1, 3));
}

#[test]
fn reports_escape_hostile_names() {
    let hostile = "root|usage`<img src=x>\u{1b}[31m";
    let mut old = base();
    old["accounts"][0]["alarms"][ALARM]["name"] = json!(hostile);
    let mut new = old.clone();
    new["accounts"][0]["alarms"][ALARM]["actions_enabled"] = json!(false);
    let report = diff(&old, &new);
    let md = super::markdown(&report);
    assert!(!md.contains("<img") && md.contains("&lt;img"), "{md}");
    let row = md.lines().find(|l| l.contains("root")).unwrap();
    assert_eq!(row.matches(" | ").count(), 6, "the pipe must not add a column: {row}");
    let text = super::text(&report);
    assert!(!text.contains('\u{1b}'), "{text}");
    let json: Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["summary"]["drift"], 1);
    assert_eq!(json["drift"][0]["aspect"], "alarm_actions");
    assert_eq!(json["summary"]["exit_code"], 1);
}

#[test]
fn a_catch_all_whose_exclusions_miss_a_prefix_still_covers_it() {
    let selectors = |buckets: Value| {
        json!({"AdvancedEventSelectors": [
            {"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]},
            {"FieldSelectors": [
                {"Field": "eventCategory", "Equals": ["Data"]},
                {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                {"Field": "resources.ARN", "NotStartsWith": buckets}
            ]}
        ]})
    };
    // Old: the two buckets of base(), listed. New: every bucket but scratch/.
    let mut new = base();
    trail(&mut new)["event_selectors"] = selectors(json!(["arn:aws:s3:::scratch/"]));
    let report = diff(&base(), &new);
    assert!(report.drift.is_empty(), "pii/ and payroll/ are still captured: {:#?}", report.drift);
    // Excluding payroll/ itself (or a part of it) is narrowing.
    trail(&mut new)["event_selectors"] = selectors(json!(["arn:aws:s3:::scratch/", "arn:aws:s3:::payroll/2026/"]));
    let c = only_drift(&diff(&base(), &new)).clone();
    assert!(c.message.contains("under arn:aws:s3:::payroll/") && !c.message.contains("pii"), "{}", c.message);
}
