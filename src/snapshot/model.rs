//! Snapshot v1: the contract between the collector and the policies.
//!
//! One JSON document holds any number of accounts and regions. The collector
//! writes it, the policy engine reads it, and recorded snapshots are the
//! fixtures audits run on offline. Field names are snake_case, except where a
//! value is kept *verbatim* from an AWS API (event selectors, bucket policies),
//! so it can be compared with `aws ... get-event-selectors` output as is.
//!
//! ## Unknown versus absent
//! A value that is `null` or missing means "collected, and AWS said there is
//! none" **unless** `errors` holds a failed call for that account, region and
//! resource. The errors list is the only source of truth for what could not be
//! collected; the policy engine turns every result that depends on a failed
//! call into `error`, so an unreadable resource can never pass.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::actions::Action;

/// The only `schema_version` this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// A whole snapshot: metadata, the accounts collected, and every failed call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Always `1` for this version of the contract.
    #[schemars(extend("const" = 1))]
    pub schema_version: u32,
    pub metadata: Metadata,
    /// The AWS Organization a discovery walked (`--organization`): which
    /// accounts it selected, which it skipped and why, and which share of them
    /// this snapshot holds. Absent for a collection of named accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<OrganizationScope>,
    /// Accounts in the order they were collected (sorted by id when written).
    pub accounts: Vec<Account>,
    /// Every API call that failed or was unsupported, as data.
    #[serde(default)]
    pub errors: Vec<CollectionError>,
}

/// Who collected what, when, and with which settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    pub tool: ToolInfo,
    /// When collection started (RFC 3339, UTC). Delivery ages are measured against it.
    pub collected_at: DateTime<Utc>,
    /// AWS partition: `aws`, `aws-cn`, `aws-us-gov`, ...
    pub partition: String,
    /// Regions covered by this snapshot, for every account.
    pub regions: Vec<String>,
    pub settings: CollectionSettings,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

#[cfg(test)]
impl Metadata {
    /// A fixed metadata block for unit tests of reporters and baselines.
    pub(crate) fn example() -> Metadata {
        Metadata {
            tool: ToolInfo { name: "trailaudit".into(), version: "0".into() },
            collected_at: "2026-11-20T09:00:00Z".parse().expect("a valid RFC 3339 time"),
            partition: "aws".into(),
            regions: vec!["us-east-1".into()],
            settings: CollectionSettings { event_history_days: 7, event_history_max_events: 10 },
        }
    }
}

/// Collection settings that change what the snapshot can prove.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectionSettings {
    /// How many days of event history (LookupEvents) were read.
    pub event_history_days: u32,
    /// Cap on events kept per account; `event_history.truncated` says if it was hit.
    pub event_history_max_events: u32,
}

/// One AWS account as seen from its own credentials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Account {
    pub account_id: String,
    /// AWS Organizations membership, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<Organization>,
    /// Per-region inventory: which trails each region's DescribeTrails returned
    /// (shadow trails included), AWS Config recorders, CloudTrail Lake stores.
    #[serde(default)]
    pub regions: BTreeMap<String, RegionInventory>,
    /// Every trail seen in any region, keyed by trail ARN, with status and selectors.
    #[serde(default)]
    pub trails: BTreeMap<String, Trail>,
    /// Buckets that trails write to and buckets in scope for data-event rules, keyed by name.
    #[serde(default)]
    pub buckets: BTreeMap<String, Bucket>,
    /// Account-level S3 Block Public Access (s3control GetPublicAccessBlock); `null` = not configured.
    #[serde(default)]
    pub public_access_block: Option<PublicAccessBlock>,
    /// CloudWatch Logs groups, keyed by log group ARN without the trailing `:*`.
    #[serde(default)]
    pub log_groups: BTreeMap<String, LogGroup>,
    /// CloudWatch alarms, keyed by alarm ARN.
    #[serde(default)]
    pub alarms: BTreeMap<String, Alarm>,
    /// SNS topics that alarms notify, keyed by topic ARN.
    #[serde(default)]
    pub sns_topics: BTreeMap<String, SnsTopic>,
    /// KMS keys that trails (and log groups) use, keyed by key ARN.
    #[serde(default)]
    pub kms_keys: BTreeMap<String, KmsKey>,
    /// Recent management-event history (LookupEvents), when collected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_history: Option<EventHistory>,
    /// DynamoDB tables of every collected region (ListTables), keyed by ARN;
    /// listed only when the configuration names sensitive tables, absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dynamodb_tables: Option<BTreeMap<String, DataEventResource>>,
    /// Lambda functions of every collected region (ListFunctions), keyed by
    /// ARN; listed only when the configuration names sensitive functions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lambda_functions: Option<BTreeMap<String, DataEventResource>>,
}

/// A DynamoDB table or Lambda function, as far as the data-event rules need it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataEventResource {
    pub name: String,
    pub arn: String,
    pub region: String,
    /// ListTagsOfResource / ListTags, read when the configuration selects these
    /// resources by tag; `null` when not read (see `errors`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeMap<String, String>>,
}

/// An account's place in its AWS Organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// `o-...`
    pub id: String,
    pub management_account_id: String,
    /// The account's name in the organization (ListAccounts), when read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`, ... as Organizations reports it, when read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_status: Option<String>,
    /// Organizational units from the root down to the account's parent
    /// (empty = directly under the root, or not read).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ou_path: Vec<OrganizationalUnit>,
    /// Delegated administrators of the organization (ListDelegatedAdministrators), when readable.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delegated_administrators: Vec<DelegatedAdministrator>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationalUnit {
    /// `ou-...` (or `r-...` for the root)
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// An account registered as delegated administrator for AWS services.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DelegatedAdministrator {
    pub account_id: String,
    /// Service principals it administers (ListDelegatedServicesForAccount), e.g. `cloudtrail.amazonaws.com`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service_principals: Vec<String>,
}

/// What an organization-wide discovery selected, and which share this snapshot holds.
///
/// Every account in `selected_accounts` must appear in the snapshot, in
/// `accounts` or as the account of a failed call in `errors`; one that does
/// neither was never collected (a shard missing from a merge), and the audit
/// reports it as `error`, never as a pass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationScope {
    pub id: String,
    pub management_account_id: String,
    /// The account the discovery ran from (the management account or a delegated administrator).
    pub discovered_from: String,
    /// Delegated administrators, when readable.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delegated_administrators: Vec<DelegatedAdministrator>,
    /// Active accounts chosen by the discovery (after `--ou`, `--accounts`,
    /// `--exclude-accounts`), sorted, **all shards included**.
    pub selected_accounts: Vec<String>,
    /// Accounts the discovery left out, and why (suspended, closed, excluded).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped_accounts: Vec<SkippedAccount>,
    /// The shares of `selected_accounts` this snapshot holds (`--shard K/N`);
    /// absent when it holds all of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shards: Option<Shards>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SkippedAccount {
    pub account_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Organizations' status (`SUSPENDED`, `PENDING_CLOSURE`, ...), or `ACTIVE` for an excluded account.
    pub status: String,
    /// Why it was skipped, for people: "suspended", "excluded by --exclude-accounts 1111*", ...
    pub reason: String,
}

/// Shares `indices` (1-based) of `count` equal shares of the selected accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Shards {
    pub count: u32,
    /// Sorted, without duplicates; a merge unions them.
    pub indices: Vec<u32>,
}

/// What one region of one account returned for region-scoped calls.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionInventory {
    /// ARNs returned by DescribeTrails(includeShadowTrails=true) in this region.
    /// A multi-region trail appears in every region (as a shadow outside its home).
    #[serde(default)]
    pub trail_arns: Vec<String>,
    /// AWS Config configuration recorders in this region, with their status.
    #[serde(default)]
    pub config_recorders: Vec<ConfigRecorder>,
    /// CloudTrail Lake event data stores in this region.
    #[serde(default)]
    pub event_data_stores: Vec<EventDataStore>,
}

/// A trail as DescribeTrails reports it, plus the per-trail calls.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Trail {
    pub name: String,
    pub arn: String,
    pub home_region: String,
    pub is_multi_region_trail: bool,
    pub is_organization_trail: bool,
    pub include_global_service_events: bool,
    pub log_file_validation_enabled: bool,
    /// KMS key ARN (or id, as some endpoints return it); `null` = SSE-S3 only.
    #[serde(default)]
    pub kms_key_id: Option<String>,
    #[serde(default)]
    pub s3_bucket_name: Option<String>,
    #[serde(default)]
    pub s3_key_prefix: Option<String>,
    #[serde(default)]
    pub sns_topic_arn: Option<String>,
    #[serde(default)]
    pub cloud_watch_logs_log_group_arn: Option<String>,
    #[serde(default)]
    pub cloud_watch_logs_role_arn: Option<String>,
    #[serde(default)]
    pub has_custom_event_selectors: bool,
    #[serde(default)]
    pub has_insight_selectors: bool,
    /// Tags from ListTags; `null` when not collected (see `errors`).
    #[serde(default)]
    pub tags: Option<BTreeMap<String, String>>,
    /// GetTrailStatus; `null` when not collected (see `errors`).
    #[serde(default)]
    pub status: Option<TrailStatus>,
    /// GetEventSelectors, verbatim; `null` when not collected (see `errors`).
    #[serde(default)]
    pub event_selectors: Option<EventSelectors>,
    /// GetInsightSelectors, verbatim; empty when insights are off.
    #[serde(default)]
    pub insight_selectors: Option<Vec<InsightSelector>>,
}

/// GetTrailStatus, with AWS's field names in snake_case. Times are RFC 3339.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrailStatus {
    pub is_logging: bool,
    #[serde(default)]
    pub latest_delivery_time: Option<DateTime<Utc>>,
    #[serde(default)]
    pub latest_delivery_error: Option<String>,
    #[serde(default)]
    pub latest_notification_error: Option<String>,
    #[serde(default)]
    pub latest_cloud_watch_logs_delivery_time: Option<DateTime<Utc>>,
    #[serde(default)]
    pub latest_cloud_watch_logs_delivery_error: Option<String>,
    #[serde(default)]
    pub latest_digest_delivery_time: Option<DateTime<Utc>>,
    #[serde(default)]
    pub latest_digest_delivery_error: Option<String>,
    #[serde(default)]
    pub start_logging_time: Option<DateTime<Utc>>,
    #[serde(default)]
    pub stop_logging_time: Option<DateTime<Utc>>,
}

/// GetEventSelectors output. A trail uses basic or advanced selectors, never both.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventSelectors {
    #[serde(rename = "EventSelectors", default)]
    pub event_selectors: Vec<EventSelector>,
    #[serde(rename = "AdvancedEventSelectors", default)]
    pub advanced_event_selectors: Vec<AdvancedEventSelector>,
}

/// A basic event selector, exactly as the CloudTrail API spells it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct EventSelector {
    /// `ReadOnly`, `WriteOnly` or `All`.
    pub read_write_type: String,
    pub include_management_events: bool,
    #[serde(default)]
    pub data_resources: Vec<DataResource>,
    #[serde(default)]
    pub exclude_management_event_sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct DataResource {
    /// e.g. `AWS::S3::Object`, `AWS::Lambda::Function`.
    #[serde(rename = "Type")]
    pub resource_type: String,
    /// ARN prefixes: `arn:aws:s3` (all buckets), `arn:aws:s3:::bucket/` or `arn:aws:s3:::bucket/prefix`.
    #[serde(default)]
    pub values: Vec<String>,
}

/// An advanced event selector, exactly as the CloudTrail API spells it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct AdvancedEventSelector {
    #[serde(default)]
    pub name: Option<String>,
    pub field_selectors: Vec<FieldSelector>,
}

/// One field condition; all present operators must hold (AND), values within one operator are OR.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct FieldSelector {
    /// `eventCategory`, `resources.type`, `readOnly`, `eventName`, `resources.ARN`, ...
    pub field: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub equals: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub starts_with: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ends_with: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_equals: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_starts_with: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_ends_with: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct InsightSelector {
    /// `ApiCallRateInsight` or `ApiErrorRateInsight`.
    pub insight_type: String,
}

/// An S3 bucket's posture as far as trail delivery and data events care.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bucket {
    pub name: String,
    pub arn: String,
    #[serde(default)]
    pub region: Option<String>,
    /// Bucket policy document, parsed, verbatim; `null` = no policy.
    #[serde(default)]
    pub policy: Option<Json>,
    /// GetBucketPolicyStatus: AWS's own verdict on the policy; `null` when unknown.
    #[serde(default)]
    pub policy_is_public: Option<bool>,
    #[serde(default)]
    pub acl: Option<BucketAcl>,
    /// Bucket-level Block Public Access; `null` = not configured.
    #[serde(default)]
    pub public_access_block: Option<PublicAccessBlock>,
    /// Server access logging target; `null` = access logging off.
    #[serde(default)]
    pub logging: Option<BucketLogging>,
    #[serde(default)]
    pub versioning: Option<BucketVersioning>,
    /// Object Lock configuration; `null` = not enabled.
    #[serde(default)]
    pub object_lock: Option<ObjectLock>,
    /// Default encryption rules; `null` = none reported.
    #[serde(default)]
    pub encryption: Option<Vec<EncryptionRule>>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// GetBucketLifecycleConfiguration, for trail buckets: the lifecycle rules
    /// (`[]` = no lifecycle configuration); absent when not collected (a bucket
    /// that is not a trail bucket, an older snapshot, or see `errors`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle_rules: Option<Vec<LifecycleRule>>,
}

/// One S3 lifecycle rule, reduced to what decides how long objects are kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LifecycleRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `Enabled` or `Disabled`.
    pub status: String,
    /// The key prefix the rule applies to (`Filter.Prefix`, `Filter.And.Prefix`
    /// or the legacy top-level `Prefix`); `""` = every object of the bucket.
    #[serde(default)]
    pub prefix: String,
    /// Object tags the rule is limited to (`Filter.Tag`, `Filter.And.Tags`):
    /// only objects carrying all of them are affected.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// `Filter.ObjectSizeGreaterThan` / `ObjectSizeLessThan` (bytes), when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_size_greater_than: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_size_less_than: Option<i64>,
    /// `Expiration.Days`: current objects are deleted this many days after creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_days: Option<i32>,
    /// `Expiration.Date`: every current object is deleted on that day, whatever its age.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<DateTime<Utc>>,
    /// `NoncurrentVersionExpiration.NoncurrentDays`: overwritten or deleted
    /// versions are removed this many days after they became noncurrent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noncurrent_version_expiration_days: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BucketAcl {
    #[serde(default)]
    pub owner_id: Option<String>,
    #[serde(default)]
    pub grants: Vec<AclGrant>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AclGrant {
    /// `CanonicalUser`, `Group` or `AmazonCustomerByEmail`.
    pub grantee_type: String,
    /// For groups, e.g. `http://acs.amazonaws.com/groups/global/AllUsers`.
    #[serde(default)]
    pub grantee_uri: Option<String>,
    #[serde(default)]
    pub grantee_id: Option<String>,
    /// `READ`, `WRITE`, `READ_ACP`, `WRITE_ACP`, `FULL_CONTROL`.
    pub permission: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BucketLogging {
    pub target_bucket: String,
    #[serde(default)]
    pub target_prefix: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BucketVersioning {
    /// `Enabled`, `Suspended`, or `null` if never enabled.
    #[serde(default)]
    pub status: Option<String>,
    /// `Enabled`, `Disabled`, or `null`.
    #[serde(default)]
    pub mfa_delete: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectLock {
    pub enabled: bool,
    /// `GOVERNANCE` or `COMPLIANCE`.
    #[serde(default)]
    pub default_retention_mode: Option<String>,
    #[serde(default)]
    pub default_retention_days: Option<u32>,
    #[serde(default)]
    pub default_retention_years: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EncryptionRule {
    /// `AES256`, `aws:kms` or `aws:kms:dsse`.
    pub sse_algorithm: String,
    #[serde(default)]
    pub kms_master_key_id: Option<String>,
    #[serde(default)]
    pub bucket_key_enabled: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogGroup {
    pub name: String,
    /// Log group ARN without the trailing `:*`.
    pub arn: String,
    pub region: String,
    /// `null` = never expire.
    #[serde(default)]
    pub retention_in_days: Option<i32>,
    #[serde(default)]
    pub kms_key_id: Option<String>,
    /// DescribeMetricFilters for this group; `null` when not collected (see `errors`).
    #[serde(default)]
    pub metric_filters: Option<Vec<MetricFilter>>,
    /// DescribeLogGroups answered and did not list this group: a trail names
    /// a log group that does not exist (its other fields are then unknown).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_found: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricFilter {
    pub name: String,
    /// The filter pattern exactly as stored in CloudWatch Logs.
    pub pattern: String,
    #[serde(default)]
    pub transformations: Vec<MetricTransformation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricTransformation {
    pub metric_name: String,
    pub metric_namespace: String,
    #[serde(default)]
    pub metric_value: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Alarm {
    pub name: String,
    pub arn: String,
    pub region: String,
    /// `null` for metric-math alarms.
    #[serde(default)]
    pub metric_name: Option<String>,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub actions_enabled: bool,
    #[serde(default)]
    pub alarm_actions: Vec<String>,
    /// `OK`, `ALARM` or `INSUFFICIENT_DATA`.
    #[serde(default)]
    pub state: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SnsTopic {
    pub arn: String,
    pub region: String,
    /// ListSubscriptionsByTopic; `null` when not collected (see `errors`).
    #[serde(default)]
    pub subscriptions: Option<Vec<SnsSubscription>>,
}

/// An SNS subscription. The endpoint is deliberately not kept: it may be a
/// personal address or a URL carrying a token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SnsSubscription {
    /// A real ARN when confirmed, `PendingConfirmation` otherwise.
    pub subscription_arn: String,
    /// `email`, `https`, `sqs`, `lambda`, ...
    pub protocol: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KmsKey {
    pub arn: String,
    pub key_id: String,
    pub region: String,
    /// `CUSTOMER` or `AWS`.
    pub key_manager: String,
    /// `Enabled`, `Disabled`, `PendingDeletion`, ...
    pub key_state: String,
    #[serde(default)]
    pub key_spec: Option<String>,
    /// GetKeyRotationStatus; `null` when not applicable or not collected (see `errors`).
    #[serde(default)]
    pub rotation_enabled: Option<bool>,
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// An AWS Config configuration recorder with its status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigRecorder {
    pub name: String,
    #[serde(default)]
    pub role_arn: Option<String>,
    pub all_supported: bool,
    pub include_global_resource_types: bool,
    /// `null` when status was not collected (see `errors`).
    #[serde(default)]
    pub recording: Option<bool>,
    /// `SUCCESS`, `FAILURE` or `PENDING`.
    #[serde(default)]
    pub last_status: Option<String>,
}

/// A CloudTrail Lake event data store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventDataStore {
    pub arn: String,
    pub name: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub kms_key_id: Option<String>,
    #[serde(default)]
    pub multi_region_enabled: Option<bool>,
    #[serde(default)]
    pub organization_enabled: Option<bool>,
    #[serde(default)]
    pub retention_period: Option<u32>,
    /// GetInsightSelectors for the store (the insight types it analyses);
    /// `[]` when insights are off; absent when not collected (see `errors`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insight_selectors: Option<Vec<InsightSelector>>,
}

/// Recent event history read with LookupEvents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventHistory {
    pub start_time: DateTime<Utc>,
    pub end_time: DateTime<Utc>,
    /// True when the event cap was hit: absence of an event proves nothing then.
    pub truncated: bool,
    pub events: Vec<Event>,
}

/// One CloudTrail event, reduced to what detections need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub event_id: String,
    pub event_time: DateTime<Utc>,
    pub event_name: String,
    pub event_source: String,
    /// `AwsApiCall`, `AwsServiceEvent`, `AwsConsoleSignIn`, ... (the record's
    /// `eventType`). CIS 4.3 and root-activity detections leave out
    /// `AwsServiceEvent`, which AWS itself emits on the root's behalf.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    pub region: String,
    #[serde(default)]
    pub user_identity: Option<UserIdentity>,
    #[serde(default)]
    pub source_ip_address: Option<String>,
    #[serde(default)]
    pub user_agent: Option<String>,
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub error_message: Option<String>,
    #[serde(default)]
    pub read_only: Option<bool>,
    /// Request parameters of security-relevant events, with secret-looking fields removed.
    #[serde(default)]
    pub request_parameters: Option<Json>,
    /// e.g. `{"MFAUsed": "No"}` on ConsoleLogin.
    #[serde(default)]
    pub additional_event_data: Option<Json>,
    #[serde(default)]
    pub response_elements: Option<Json>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserIdentity {
    /// `Root`, `IAMUser`, `AssumedRole`, `AWSService`, ...
    #[serde(rename = "type")]
    pub identity_type: String,
    #[serde(default)]
    pub arn: Option<String>,
    #[serde(default)]
    pub account_id: Option<String>,
    #[serde(default)]
    pub invoked_by: Option<String>,
}

/// One failed (or unsupported) API call, kept as data so that it can turn the
/// results depending on it into `error` instead of a silent pass.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectionError {
    /// Service prefix as in IAM actions: `cloudtrail`, `s3`, `logs`, ...
    pub service: String,
    /// API operation name: `DescribeTrails`, `GetBucketPolicy`, ...
    pub operation: String,
    pub account_id: String,
    /// `null` for calls that are not regional.
    #[serde(default)]
    pub region: Option<String>,
    /// ARN (or bucket ARN) of the resource the call was about, if any.
    #[serde(default)]
    pub resource: Option<String>,
    /// AWS error code (`AccessDenied`, `ThrottlingException`, ...) or `Timeout`, `Dispatch`.
    pub error_code: String,
    pub message: String,
    /// `failed` (data missing), `throttled` (data missing: AWS kept throttling the call
    /// through every retry), `unsupported` (the call does not exist in this
    /// partition/region) or `outside_collection`.
    #[serde(default)]
    pub kind: ErrorKind,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    #[default]
    Failed,
    /// Failed because AWS answered with throttling (`ThrottlingException`,
    /// `Throttling`, `SlowDown`, HTTP 429, ...) until the retries ran out. Data
    /// missing as for `failed`; running again later, or with a lower
    /// `--concurrency`, usually gets it.
    Throttled,
    Unsupported,
    /// Not called: the resource belongs to an account the collection does not
    /// read (an organization trail seen from a member-only run). Data missing
    /// as for `failed`; the message names the owner account to add.
    OutsideCollection,
}

impl ErrorKind {
    /// Is data missing because of it (everything but `unsupported`)?
    pub fn is_gap(self) -> bool {
        !matches!(self, ErrorKind::Unsupported)
    }
}

/// The calls a trail owned outside the collection would have needed; one
/// `outside_collection` record stands for all of them.
pub const TRAIL_DETAIL_ACTIONS: [Action; 4] = [
    Action::CloudTrailGetTrailStatus,
    Action::CloudTrailGetEventSelectors,
    Action::CloudTrailGetInsightSelectors,
    Action::CloudTrailListTags,
];

impl CollectionError {
    /// The call that failed; `None` for a `service`/`operation` pair this
    /// version does not know (a snapshot of a newer collector), which then
    /// covers no rule's `requires`.
    pub fn action(&self) -> Option<Action> {
        Action::from_parts(&self.service, &self.operation)
    }

    /// `service:Operation` as recorded, known to this version or not: for messages.
    pub fn action_name(&self) -> String {
        format!("{}:{}", self.service, self.operation)
    }

    /// Does this record make data that `action` reads missing? A failed call
    /// covers its own action; an `outside_collection` trail covers every
    /// per-trail call.
    pub fn covers(&self, action: Action) -> bool {
        let Some(own) = self.action() else { return false };
        own == action
            || (self.kind == ErrorKind::OutsideCollection && TRAIL_DETAIL_ACTIONS.contains(&own) && TRAIL_DETAIL_ACTIONS.contains(&action))
    }
}
