//! Recorded-traffic tests for the calls moto does not implement
//! (LookupEvents, ListEventDataStores) and for error recording, using the
//! SDK's StaticReplayClient. Responses follow the CloudTrail and CloudWatch
//! Logs API references (JSON 1.1 protocol).

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_sts::config::http::{HttpRequest, HttpResponse};
use aws_sdk_sts::config::{Credentials, SharedCredentialsProvider};
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_types::body::SdkBody;
use chrono::{TimeZone, Utc};
use tokio::sync::Semaphore;

use super::context::{Ctx, Shared};
use super::events::{Budget, LOOKUP_INTERVAL, region_events};
use super::stats::Recorder;
use crate::snapshot::ErrorKind;
use crate::snapshot::actions::Action;

fn response(status: u16, body: &str) -> HttpResponse {
    let mut r = HttpResponse::new(status.try_into().unwrap(), SdkBody::from(body.to_owned()));
    r.headers_mut().insert("Content-Type", "application/x-amz-json-1.1");
    r
}

fn event(status: u16, body: &str) -> ReplayEvent {
    ReplayEvent::new(HttpRequest::new(SdkBody::empty()), response(status, body))
}

async fn ctx(events: Vec<ReplayEvent>) -> (Ctx, StaticReplayClient, Recorder) {
    let replay = StaticReplayClient::new(events);
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .http_client(replay.clone())
        .credentials_provider(SharedCredentialsProvider::new(Credentials::for_tests()))
        .region(Region::new("us-east-1"))
        .retry_config(RetryConfig::standard().with_initial_backoff(Duration::from_millis(5)))
        .load()
        .await;
    let recorder = Recorder::default();
    let shared = Arc::new(Shared {
        recorder: recorder.clone(),
        limit: Semaphore::new(4),
        per_account: 4,
        progress: super::progress::Progress::hidden(),
        endpoint_override: false,
    });
    (Ctx::new(sdk, "123456789012".into(), "aws".into(), shared), replay, recorder)
}

/// A LookupEvents `Events` entry with its CloudTrailEvent JSON string.
fn ct_event(id: &str, name: &str, source: &str, detail: serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "EventId": id, "EventName": name, "EventSource": source, "ReadOnly": "false",
        "EventTime": 1_700_000_000.0, "Username": "alice",
        "CloudTrailEvent": detail.to_string(),
    })
}

fn page(events: &[serde_json::Value], next: Option<&str>) -> String {
    let mut body = serde_json::json!({ "Events": events });
    if let Some(n) = next {
        body["NextToken"] = n.into();
    }
    body.to_string()
}

fn bodies(replay: &StaticReplayClient) -> Vec<serde_json::Value> {
    replay.actual_requests().map(|r| serde_json::from_slice(r.body().bytes().unwrap()).unwrap()).collect()
}

#[tokio::test]
async fn lookup_events_paginates_retries_throttling_dedupes_and_redacts() {
    let stop = ct_event(
        "e1",
        "StopLogging",
        "cloudtrail.amazonaws.com",
        serde_json::json!({
            "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/alice", "accountId": "123456789012"},
            "awsRegion": "us-east-1", "sourceIPAddress": "192.0.2.1", "eventType": "AwsApiCall",
            "requestParameters": {"name": "main"},
        }),
    );
    let delete = ct_event("e2", "DeleteTrail", "cloudtrail.amazonaws.com", serde_json::json!({"requestParameters": {"name": "old"}}));
    let login = ct_event(
        "e3",
        "ConsoleLogin",
        "signin.amazonaws.com",
        serde_json::json!({
            "userIdentity": {"type": "Root", "arn": "arn:aws:iam::123456789012:root"},
            "eventType": "AwsConsoleSignIn",
            "additionalEventData": {"MFAUsed": "No"},
            "requestParameters": {"password": "hunter2", "user": "root"},
            "responseElements": {"ConsoleLogin": "Success", "credentials": {"sessionToken": "secret"}},
        }),
    );
    // AWS acting for the root user: CIS 4.3 leaves these out by eventType.
    let service = ct_event(
        "e4",
        "GetAccountSummary",
        "iam.amazonaws.com",
        serde_json::json!({
            "userIdentity": {"type": "Root", "arn": "arn:aws:iam::123456789012:root", "invokedBy": "support.amazonaws.com"},
            "eventType": "AwsServiceEvent",
        }),
    );
    let disable = ct_event("e5", "DisableKey", "kms.amazonaws.com", serde_json::json!({"eventType": "AwsApiCall"}));
    let policy = ct_event("e6", "PutBucketPolicy", "s3.amazonaws.com", serde_json::json!({"eventType": "AwsApiCall"}));
    let throttled = r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#;
    let (ctx, replay, recorder) = ctx(vec![
        event(200, &page(&[stop], Some("page-2"))),
        event(400, throttled),
        event(200, &page(&[delete], None)),
        event(200, &page(std::slice::from_ref(&login), None)),
        // Root activity: the root ConsoleLogin again (deduplicated by event id).
        event(200, &page(&[login, service], None)),
        event(200, &page(&[disable], None)),
        event(200, &page(&[], None)),
        event(200, &page(&[policy], None)),
        event(200, &page(&[], None)),
        event(200, &page(&[], None)),
    ])
    .await;
    let budget = Budget::new(100);
    let start = Utc.with_ymd_and_hms(2023, 11, 1, 0, 0, 0).unwrap();
    let end = Utc.with_ymd_and_hms(2023, 11, 15, 0, 0, 0).unwrap();
    let started = Instant::now();
    let events = region_events(&ctx, "us-east-1", start, end, &budget).await;
    // Nine logical calls, paced 500 ms apart (the retry is not an extra tick).
    assert!(started.elapsed() >= LOOKUP_INTERVAL * 8, "{:?}", started.elapsed());
    assert!(ctx.take_errors().is_empty());
    assert_eq!(events.keys().collect::<Vec<_>>(), ["e1", "e2", "e3", "e4", "e5", "e6"]);
    assert!(!budget.truncated.load(std::sync::atomic::Ordering::SeqCst));

    let e1 = &events["e1"];
    assert_eq!(e1.event_source, "cloudtrail.amazonaws.com");
    assert_eq!(e1.event_type.as_deref(), Some("AwsApiCall"));
    assert_eq!(e1.user_identity.as_ref().unwrap().identity_type, "IAMUser");
    assert_eq!(e1.source_ip_address.as_deref(), Some("192.0.2.1"));
    assert_eq!(e1.read_only, Some(false));
    assert_eq!(e1.event_time, Utc.timestamp_opt(1_700_000_000, 0).unwrap());
    assert_eq!(events["e2"].event_type, None, "absent in the record, absent in the snapshot");
    let e3 = &events["e3"];
    assert_eq!(e3.event_type.as_deref(), Some("AwsConsoleSignIn"));
    assert_eq!(e3.request_parameters, Some(serde_json::json!({"user": "root"})));
    assert_eq!(e3.response_elements, Some(serde_json::json!({"ConsoleLogin": "Success"})));
    assert_eq!(e3.additional_event_data, Some(serde_json::json!({"MFAUsed": "No"})));
    let e4 = &events["e4"];
    assert_eq!(e4.event_type.as_deref(), Some("AwsServiceEvent"));
    assert_eq!(e4.user_identity.as_ref().unwrap().invoked_by.as_deref(), Some("support.amazonaws.com"));
    assert_eq!((events["e5"].event_source.as_str(), events["e6"].event_name.as_str()), ("kms.amazonaws.com", "PutBucketPolicy"));

    let sent = bodies(&replay);
    assert_eq!(sent.len(), 10);
    assert_eq!(sent[2]["NextToken"], "page-2");
    assert_eq!(sent[2], sent[1], "the throttled call is retried as is");
    // One attribute per request, every query in order (the retry aside).
    let attrs: Vec<_> = sent.iter().enumerate().filter(|(i, _)| *i != 1 && *i != 2).map(|(_, b)| b["LookupAttributes"].clone()).collect();
    let expected: Vec<_> =
        super::events::QUERIES.iter().map(|(k, v)| serde_json::json!([{"AttributeKey": k.as_str(), "AttributeValue": v}])).collect();
    assert_eq!(attrs, expected);
    for name in ["DisableKey", "ScheduleKeyDeletion", "PutBucketPolicy", "DeleteBucketPolicy", "PutBucketAcl", "ConsoleLogin"] {
        assert!(expected.iter().any(|q| q[0]["AttributeKey"] == "EventName" && q[0]["AttributeValue"] == name), "{name}");
    }
    assert!(sent.iter().all(|b| b["StartTime"] == start.timestamp() && b["EndTime"] == end.timestamp()));
    let stats = recorder.finish(Duration::ZERO);
    assert_eq!(stats.calls["cloudtrail"], 9);
    assert_eq!(stats.retries["cloudtrail"], 1);
}

#[tokio::test]
async fn lookup_events_failure_is_recorded_once_per_region_and_stops_the_region() {
    let denied = r#"{"__type":"AccessDeniedException","message":"not authorized to perform cloudtrail:LookupEvents"}"#;
    let (ctx, replay, _) = ctx(vec![event(400, denied)]).await;
    let now = Utc::now();
    let got = region_events(&ctx, "eu-west-1", now - chrono::Duration::days(1), now, &Budget::new(10)).await;
    assert!(got.is_empty());
    let errors = ctx.take_errors();
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].action(), errors[0].region.as_deref()), (Some(Action::CloudTrailLookupEvents), Some("eu-west-1")));
    assert_eq!(errors[0].kind, ErrorKind::Failed);
    assert_eq!(replay.actual_requests().count(), 1, "no further lookups after a denial");
}

#[tokio::test]
async fn lookup_events_cap_sets_truncated() {
    let events: Vec<_> =
        (0..3).map(|i| ct_event(&format!("e{i}"), "StopLogging", "cloudtrail.amazonaws.com", serde_json::json!({}))).collect();
    let (ctx, _replay, _) = ctx(vec![event(200, &page(&events, Some("more")))]).await;
    let budget = Budget::new(2);
    let now = Utc::now();
    let got = region_events(&ctx, "eu-west-1", now - chrono::Duration::days(1), now, &budget).await;
    assert_eq!(got.len(), 2);
    assert!(budget.truncated.load(std::sync::atomic::Ordering::SeqCst));
    assert_eq!(got["e0"].region, "eu-west-1", "region falls back to the queried one");
}

#[tokio::test]
async fn list_event_data_stores_paginates() {
    let p1 = r#"{"EventDataStores":[{"EventDataStoreArn":"arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/b","Name":"b"}],"NextToken":"n"}"#;
    let p2 = r#"{"EventDataStores":[{"EventDataStoreArn":"arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/a","Name":"a"}]}"#;
    let (ctx, replay, _) = ctx(vec![event(200, p1), event(200, p2)]).await;
    let stores = super::cloudtrail::event_data_stores(&ctx, "us-east-1").await.unwrap();
    assert_eq!(stores.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["a", "b"]);
    assert_eq!(bodies(&replay)[1]["NextToken"], "n");
}

/// GetEventDataStore as the API reference documents its response; the second
/// store's call is denied: its KMS key stays unknown and the failure names it.
#[tokio::test]
async fn get_event_data_store_fills_kms_key_and_records_failures() {
    let arn_a = "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/a";
    let arn_b = "arn:aws:cloudtrail:eu-west-1:123456789012:eventdatastore/b";
    let got = format!(
        r#"{{"EventDataStoreArn":"{arn_a}","Name":"a","Status":"ENABLED","MultiRegionEnabled":true,"OrganizationEnabled":false,"RetentionPeriod":2557,"TerminationProtectionEnabled":true,"KmsKeyId":"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab","CreatedTimestamp":1700000000.0,"UpdatedTimestamp":1700000000.0,"AdvancedEventSelectors":[]}}"#
    );
    let denied = r#"{"__type":"AccessDeniedException","message":"not authorized to perform cloudtrail:GetEventDataStore"}"#;
    let insights = format!(
        r#"{{"EventDataStoreArn":"{arn_a}","InsightSelectors":[{{"InsightType":"ApiCallRateInsight"}},{{"InsightType":"ApiErrorRateInsight"}}],"InsightsDestination":"arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/insights"}}"#
    );
    let not_enabled = r#"{"__type":"InsightNotEnabledException","message":"no insights"}"#;
    let (ctx, replay, _) = ctx(vec![event(200, &got), event(200, &insights), event(400, denied), event(400, not_enabled)]).await;
    let listed = |arn: &str, name: &str| crate::snapshot::EventDataStore {
        arn: arn.to_owned(),
        name: name.to_owned(),
        status: None,
        kms_key_id: None,
        multi_region_enabled: None,
        organization_enabled: None,
        retention_period: None,
        insight_selectors: None,
    };
    let a = super::cloudtrail::event_data_store_details(&ctx, listed(arn_a, "a")).await;
    assert_eq!(a.kms_key_id.as_deref(), Some("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"));
    assert_eq!(a.status.as_deref(), Some("ENABLED"));
    assert_eq!((a.multi_region_enabled, a.organization_enabled, a.retention_period), (Some(true), Some(false), Some(2557)));
    let types = |s: &crate::snapshot::EventDataStore| {
        s.insight_selectors.as_ref().map(|v| v.iter().map(|i| i.insight_type.clone()).collect::<Vec<_>>())
    };
    assert_eq!(types(&a), Some(vec!["ApiCallRateInsight".to_owned(), "ApiErrorRateInsight".to_owned()]));
    let b = super::cloudtrail::event_data_store_details(&ctx, listed(arn_b, "b")).await;
    assert_eq!(
        b,
        crate::snapshot::EventDataStore { insight_selectors: Some(Vec::new()), ..listed(arn_b, "b") },
        "a failed call leaves the fields unknown; InsightNotEnabledException means no insights"
    );
    assert_eq!(bodies(&replay)[0], serde_json::json!({"EventDataStore": arn_a}));
    assert_eq!(bodies(&replay)[1], serde_json::json!({"EventDataStore": arn_a}));
    let errors = ctx.take_errors();
    assert_eq!(errors.len(), 1);
    let e = &errors[0];
    assert_eq!(e.action(), Some(Action::CloudTrailGetEventDataStore));
    assert_eq!((e.region.as_deref(), e.resource.as_deref()), (Some("eu-west-1"), Some(arn_b)));
    assert_eq!(e.error_code, "AccessDeniedException");
}

#[tokio::test]
async fn access_denied_is_recorded_with_service_operation_region_and_resource() {
    let groups =
        r#"{"logGroups":[{"logGroupName":"/ct","arn":"arn:aws:logs:eu-west-1:123456789012:log-group:/ct:*","retentionInDays":90}]}"#;
    let denied = r#"{"__type":"AccessDeniedException","message":"User is not authorized to perform: logs:DescribeMetricFilters"}"#;
    let (ctx, _replay, _) = ctx(vec![event(200, groups), event(400, denied)]).await;
    let group = super::monitoring::log_group(&ctx, "arn:aws:logs:eu-west-1:123456789012:log-group:/ct:*").await.unwrap();
    assert_eq!(group.retention_in_days, Some(90));
    assert!(group.metric_filters.is_none(), "unknown, not empty");
    let errors = ctx.take_errors();
    assert_eq!(errors.len(), 1);
    let e = &errors[0];
    assert_eq!((e.service.as_str(), e.operation.as_str()), ("logs", "DescribeMetricFilters"));
    assert_eq!(e.region.as_deref(), Some("eu-west-1"));
    assert_eq!(e.resource.as_deref(), Some("arn:aws:logs:eu-west-1:123456789012:log-group:/ct"));
    assert_eq!(e.error_code, "AccessDeniedException");
    assert_eq!(e.kind, ErrorKind::Failed);
    assert_eq!(e.action(), Some(Action::LogsDescribeMetricFilters));
}

#[tokio::test]
async fn unsupported_operation_is_recorded_as_unsupported() {
    let body = r#"{"__type":"UnsupportedOperationException","message":"not available in this region"}"#;
    let (ctx, _replay, _) = ctx(vec![event(400, body)]).await;
    assert!(super::cloudtrail::event_data_stores(&ctx, "ap-east-2").await.is_none());
    let errors = ctx.take_errors();
    assert_eq!(errors[0].kind, ErrorKind::Unsupported);
    assert_eq!(errors[0].error_code, "UnsupportedOperationException");
}

/// Throttling through every attempt is recorded as `throttled`, not as a
/// plain failure or a timeout, and the account's next calls are spaced out.
#[tokio::test]
async fn a_call_throttled_through_every_attempt_is_recorded_as_throttled_and_paces_the_account() {
    let throttled = r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#;
    let (ctx, replay, recorder) = ctx(vec![event(400, throttled), event(400, throttled), event(400, throttled)]).await;
    assert!(super::cloudtrail::describe_trails(&ctx, "us-east-1").await.is_none());
    let errors = ctx.take_errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].kind, ErrorKind::Throttled);
    assert!(errors[0].kind.is_gap());
    assert_eq!(errors[0].error_code, "ThrottlingException");
    assert_eq!(errors[0].message, "throttled through every retry: Rate exceeded");
    assert_eq!(replay.actual_requests().count(), 3, "the standard mode's three attempts");
    assert_eq!(recorder.finish(Duration::ZERO).throttled["cloudtrail"], 3);
    // Paced: two calls started together are MIN_SPACING apart.
    let started = Instant::now();
    drop(ctx.permit().await);
    drop(ctx.permit().await);
    assert!(started.elapsed() >= super::pacing::MIN_SPACING, "{:?}", started.elapsed());
}

/// A failure that is not throttling keeps `failed`, and does not pace.
#[tokio::test]
async fn a_server_error_is_failed_and_does_not_pace() {
    let failure = r#"{"__type":"InternalFailure","message":"boom"}"#;
    let (ctx, _, recorder) = ctx(vec![event(500, failure), event(500, failure), event(500, failure)]).await;
    assert!(super::cloudtrail::describe_trails(&ctx, "us-east-1").await.is_none());
    let errors = ctx.take_errors();
    assert_eq!((errors[0].kind, errors[0].error_code.as_str(), errors[0].message.as_str()), (ErrorKind::Failed, "InternalFailure", "boom"));
    assert!(recorder.finish(Duration::ZERO).throttled.is_empty());
    let started = Instant::now();
    for _ in 0..10 {
        drop(ctx.permit().await);
    }
    assert!(started.elapsed() < super::pacing::MIN_SPACING, "{:?}", started.elapsed());
}

/// ListFunctions (paginated with NextMarker) then ListTags per function, as the
/// Lambda API reference documents them; the second function's ListTags is
/// denied: its tags stay unknown (`None`, not empty) and the failure names it.
#[tokio::test]
async fn lambda_functions_are_listed_with_tags_and_a_denied_tag_call_is_recorded() {
    let f = |name: &str| {
        format!(
            r#"{{"FunctionName":"{name}","FunctionArn":"arn:aws:lambda:eu-west-1:123456789012:function:{name}","Runtime":"python3.12"}}"#
        )
    };
    let p1 = format!(r#"{{"Functions":[{}],"NextMarker":"m"}}"#, f("rotate-keys"));
    let p2 = format!(r#"{{"Functions":[{}]}}"#, f("hello"));
    let tags = r#"{"Tags":{"data-classification":"restricted"}}"#;
    let denied = r#"{"Type":"User","message":"not authorized to perform lambda:ListTags"}"#;
    let mut denied_response = response(403, denied);
    denied_response.headers_mut().insert("x-amzn-errortype", "AccessDeniedException");
    let events =
        vec![event(200, &p1), event(200, &p2), event(200, tags), ReplayEvent::new(HttpRequest::new(SdkBody::empty()), denied_response)];
    let (ctx, _replay, _) = ctx(events).await;
    let listed = super::data_resources::lambda_functions(&ctx, "eu-west-1", super::data_resources::Listing::WithTags).await.unwrap();
    let got: Vec<(&str, &str, Option<usize>)> =
        listed.iter().map(|r| (r.name.as_str(), r.region.as_str(), r.tags.as_ref().map(|t| t.len()))).collect();
    assert_eq!(got, [("rotate-keys", "eu-west-1", Some(1)), ("hello", "eu-west-1", None)]);
    assert_eq!(listed[0].tags.as_ref().unwrap()["data-classification"], "restricted");
    let errors = ctx.take_errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].action_name(), "lambda:ListTags");
    assert_eq!(errors[0].action(), Some(crate::snapshot::actions::Action::LambdaListTags));
    assert_eq!(errors[0].resource.as_deref(), Some("arn:aws:lambda:eu-west-1:123456789012:function:hello"));
}

/// ListTables without tags (the configuration names tables by name only): one
/// call, ARNs built from the partition, region and account.
#[tokio::test]
async fn dynamodb_tables_by_name_only_make_one_call() {
    let (ctx, replay, _) = ctx(vec![event(200, r#"{"TableNames":["ledger","payments-eu"]}"#)]).await;
    let listed = super::data_resources::dynamodb_tables(&ctx, "us-east-1", super::data_resources::Listing::Names).await.unwrap();
    let arns: Vec<&str> = listed.iter().map(|r| r.arn.as_str()).collect();
    assert_eq!(arns, ["arn:aws:dynamodb:us-east-1:123456789012:table/ledger", "arn:aws:dynamodb:us-east-1:123456789012:table/payments-eu"]);
    assert!(listed.iter().all(|r| r.tags.is_none()));
    assert_eq!(replay.actual_requests().count(), 1);
    let by_arn = super::data_resources::by_arn(super::data_resources::Listing::Names, vec![Some(listed), None]).unwrap();
    assert_eq!(by_arn.len(), 2);
    assert!(super::data_resources::by_arn(super::data_resources::Listing::Off, vec![]).is_none(), "not listed is not an empty list");
}
