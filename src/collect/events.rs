//! Recent security-relevant event history via LookupEvents.
//!
//! LookupEvents filters on one attribute per call, so each region gets one
//! query per entry of [`QUERIES`]: `EventSource = cloudtrail.amazonaws.com`
//! (every change to trails and event data stores: StopLogging, DeleteTrail,
//! UpdateTrail, PutEventSelectors, PutAdvancedEventSelectors,
//! DeleteEventDataStore, StopEventDataStoreIngestion, ...), `EventName` for the
//! KMS and S3 changes that blind or expose the logs (DisableKey,
//! ScheduleKeyDeletion, PutBucketPolicy, DeleteBucketPolicy, PutBucketAcl) and
//! console sign-ins (ConsoleLogin), and `Username = root` (root activity: the
//! event history names the root user `root`). Results are merged by event id.
//! AWS allows 2 LookupEvents requests per second per account and region, so
//! calls within a region are spaced 500 ms apart; regions run in parallel. The
//! per-account cap is shared by all regions; reaching it sets `truncated`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
use chrono::{DateTime, Utc};
use serde_json::Value as Json;

use super::context::Ctx;
use crate::snapshot::actions::Action;
use crate::snapshot::{Event, UserIdentity};

/// The documented LookupEvents limit is 2 requests per second per account and region.
pub(crate) const LOOKUP_INTERVAL: Duration = Duration::from_millis(500);

/// Shared across the regions of one account.
pub(crate) struct Budget {
    remaining: AtomicU32,
    pub truncated: AtomicBool,
}

impl Budget {
    pub(crate) fn new(max_events: u32) -> Budget {
        Budget { remaining: AtomicU32::new(max_events), truncated: AtomicBool::new(false) }
    }

    /// Takes one event from the budget; false (and truncated) once it is spent.
    fn take(&self) -> bool {
        let took = self.remaining.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
        if !took {
            self.truncated.store(true, Ordering::SeqCst);
        }
        took
    }
}

/// What one LookupEvents query filters on (LookupEvents takes one attribute per request).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupKey {
    /// Every event from this service (`cloudtrail.amazonaws.com`).
    EventSource,
    /// Every event of this name, from any source.
    EventName,
    /// Every event by this user name (`root`: the event history's name for the root user).
    Username,
}

impl LookupKey {
    /// The attribute key as the API and `--lookup-attributes` spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            LookupKey::EventSource => "EventSource",
            LookupKey::EventName => "EventName",
            LookupKey::Username => "Username",
        }
    }

    fn sdk(self) -> LookupAttributeKey {
        match self {
            LookupKey::EventSource => LookupAttributeKey::EventSource,
            LookupKey::EventName => LookupAttributeKey::EventName,
            LookupKey::Username => LookupAttributeKey::Username,
        }
    }
}

/// The lookups made in every region, in this order (one attribute per request).
/// The one list of what the event history can hold: the pack loader checks each
/// rule's `custom.events` against it ([`covers_event`], [`covers_user`]), so a
/// detection of an event no query asks for is a pack error, not a silent pass.
pub const QUERIES: &[(LookupKey, &str)] = &[
    (LookupKey::EventSource, "cloudtrail.amazonaws.com"),
    (LookupKey::EventName, "ConsoleLogin"),
    (LookupKey::Username, "root"),
    (LookupKey::EventName, "DisableKey"),
    (LookupKey::EventName, "ScheduleKeyDeletion"),
    (LookupKey::EventName, "PutBucketPolicy"),
    (LookupKey::EventName, "DeleteBucketPolicy"),
    (LookupKey::EventName, "PutBucketAcl"),
];

/// Does some query of [`QUERIES`] return the events named `name` from `source`?
pub fn covers_event(source: &str, name: &str) -> bool {
    QUERIES.iter().any(|(key, value)| match key {
        LookupKey::EventSource => *value == source,
        LookupKey::EventName => *value == name,
        LookupKey::Username => false,
    })
}

/// Does some query of [`QUERIES`] return every event by the user named `user`?
pub fn covers_user(user: &str) -> bool {
    QUERIES.iter().any(|(key, value)| *key == LookupKey::Username && *value == user)
}

/// All security-relevant events of one region in `[start, end)`, keyed by event id.
pub(crate) async fn region_events(
    ctx: &Ctx,
    region: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    budget: &Budget,
) -> BTreeMap<String, Event> {
    let client = ctx.cloudtrail(region);
    let mut pacing = tokio::time::interval(LOOKUP_INTERVAL);
    pacing.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut events = BTreeMap::new();
    'queries: for (key, value) in QUERIES {
        let attribute = LookupAttribute::builder().attribute_key(key.sdk()).attribute_value(*value).build().expect("key and value are set");
        let mut token: Option<String> = None;
        loop {
            pacing.tick().await;
            let result = {
                let _permit = ctx.permit().await;
                client
                    .lookup_events()
                    .lookup_attributes(attribute.clone())
                    .start_time(aws_smithy_types::DateTime::from_secs(start.timestamp()))
                    .end_time(aws_smithy_types::DateTime::from_secs(end.timestamp()))
                    .max_results(50)
                    .set_next_token(token.take())
                    .send()
                    .await
            };
            let page = match result {
                Ok(page) => page,
                Err(err) => {
                    ctx.fail(Action::CloudTrailLookupEvents, Some(region), None, &err);
                    break 'queries;
                }
            };
            for raw in page.events() {
                let Some(id) = raw.event_id() else { continue };
                if events.contains_key(id) {
                    continue;
                }
                if !budget.take() {
                    break 'queries;
                }
                events.insert(id.to_owned(), event(raw, region));
            }
            match page.next_token() {
                Some(next) if !next.is_empty() => token = Some(next.to_owned()),
                _ => break,
            }
        }
    }
    ctx.tick(region, "cloudtrail events");
    events
}

/// Reduces a LookupEvents record to the snapshot's [`Event`], reading the
/// embedded CloudTrailEvent JSON and dropping secret-looking parameters.
fn event(raw: &aws_sdk_cloudtrail::types::Event, region: &str) -> Event {
    let detail: Json = raw.cloud_trail_event().and_then(|s| serde_json::from_str(s).ok()).unwrap_or(Json::Null);
    let text = |key: &str| detail.get(key).and_then(Json::as_str).map(str::to_owned);
    let identity = detail.get("userIdentity").map(|u| UserIdentity {
        identity_type: u.get("type").and_then(Json::as_str).unwrap_or("Unknown").to_owned(),
        arn: u.get("arn").and_then(Json::as_str).map(str::to_owned),
        account_id: u.get("accountId").and_then(Json::as_str).map(str::to_owned),
        invoked_by: u.get("invokedBy").and_then(Json::as_str).map(str::to_owned),
    });
    let read_only = raw.read_only().map(|r| r.eq_ignore_ascii_case("true")).or_else(|| detail.get("readOnly").and_then(Json::as_bool));
    let event_time = super::cloudtrail::time(raw.event_time())
        .or_else(|| text("eventTime").and_then(|t| DateTime::parse_from_rfc3339(&t).ok()).map(|t| t.with_timezone(&Utc)))
        .unwrap_or(DateTime::UNIX_EPOCH);
    let cleaned = |key: &str| detail.get(key).filter(|v| !v.is_null()).map(redact);
    Event {
        event_id: raw.event_id().unwrap_or_default().to_owned(),
        event_time,
        event_name: raw.event_name().map(str::to_owned).or_else(|| text("eventName")).unwrap_or_default(),
        event_source: raw.event_source().map(str::to_owned).or_else(|| text("eventSource")).unwrap_or_default(),
        event_type: text("eventType"),
        region: text("awsRegion").unwrap_or_else(|| region.to_owned()),
        user_identity: identity,
        source_ip_address: text("sourceIPAddress"),
        user_agent: text("userAgent"),
        error_code: text("errorCode"),
        error_message: text("errorMessage"),
        read_only,
        request_parameters: cleaned("requestParameters"),
        additional_event_data: cleaned("additionalEventData"),
        response_elements: cleaned("responseElements"),
    }
}

/// Key fragments that mark a value as secret (matched case-insensitively).
const SECRET_MARKERS: &[&str] = &["password", "secret", "token", "credential", "privatekey", "passphrase", "sessionkey"];

/// A copy of `value` without object members whose name looks secret.
pub(crate) fn redact(value: &Json) -> Json {
    match value {
        Json::Object(map) => Json::Object(
            map.iter()
                .filter(|(k, _)| {
                    let k = k.to_ascii_lowercase();
                    !SECRET_MARKERS.iter().any(|m| k.contains(m))
                })
                .map(|(k, v)| (k.clone(), redact(v)))
                .collect(),
        ),
        Json::Array(items) => Json::Array(items.iter().map(redact).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn redact_drops_secret_members_at_any_depth() {
        let v = json!({"userName": "a", "password": "p", "x": [{"SecretAccessKey": "s", "ok": 1}], "credentials": {"a": 1}});
        assert_eq!(super::redact(&v), json!({"userName": "a", "x": [{"ok": 1}]}));
    }

    #[test]
    fn coverage_follows_the_queries() {
        // By source: every CloudTrail event; by name: from any source; by user.
        assert!(super::covers_event("cloudtrail.amazonaws.com", "StopLogging"));
        assert!(super::covers_event("signin.amazonaws.com", "ConsoleLogin"));
        assert!(super::covers_event("kms.amazonaws.com", "DisableKey"));
        assert!(!super::covers_event("kms.amazonaws.com", "CreateKey"));
        assert!(!super::covers_event("iam.amazonaws.com", "CreateAccessKey"));
        assert!(super::covers_user("root"));
        assert!(!super::covers_user("admin"));
    }

    #[test]
    fn budget_sets_truncated_when_spent() {
        let b = super::Budget::new(1);
        assert!(b.take());
        assert!(!b.take());
        assert!(b.truncated.load(std::sync::atomic::Ordering::SeqCst));
    }
}
