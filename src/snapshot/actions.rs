//! The AWS API actions the collector performs, named `service:Operation` (the API
//! operation, as the SDK and the API reference name it). Rules list the ones they depend on in `custom.requires`, and
//! collection errors carry the same names, which is how a failed call finds the
//! results it invalidates.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Declares [`Action`] from one table: variant and its `service:Operation` name.
macro_rules! actions {
    ($($variant:ident => $name:literal,)*) => {
        /// An AWS API action the collector performs. Written and read as its
        /// `service:Operation` name (serde, [`fmt::Display`], [`FromStr`]); the variants
        /// are in the order of their names, so [`Action::ALL`] is sorted.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Action {
            $($variant,)*
        }

        impl Action {
            /// Every action a snapshot can record; sorted by name.
            pub const ALL: &[Action] = &[$(Action::$variant,)*];

            /// `service:Operation`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)*
                }
            }
        }
    };
}

actions! {
    AccountListRegions => "account:ListRegions",
    CloudTrailDescribeTrails => "cloudtrail:DescribeTrails",
    CloudTrailGetEventDataStore => "cloudtrail:GetEventDataStore",
    CloudTrailGetEventSelectors => "cloudtrail:GetEventSelectors",
    CloudTrailGetInsightSelectors => "cloudtrail:GetInsightSelectors",
    CloudTrailGetTrailStatus => "cloudtrail:GetTrailStatus",
    CloudTrailListEventDataStores => "cloudtrail:ListEventDataStores",
    CloudTrailListTags => "cloudtrail:ListTags",
    CloudTrailLookupEvents => "cloudtrail:LookupEvents",
    CloudWatchDescribeAlarms => "cloudwatch:DescribeAlarms",
    ConfigDescribeConfigurationRecorderStatus => "config:DescribeConfigurationRecorderStatus",
    ConfigDescribeConfigurationRecorders => "config:DescribeConfigurationRecorders",
    DynamoDbListTables => "dynamodb:ListTables",
    DynamoDbListTagsOfResource => "dynamodb:ListTagsOfResource",
    KmsDescribeKey => "kms:DescribeKey",
    KmsGetKeyRotationStatus => "kms:GetKeyRotationStatus",
    KmsListAliases => "kms:ListAliases",
    LambdaListFunctions => "lambda:ListFunctions",
    LambdaListTags => "lambda:ListTags",
    LogsDescribeLogGroups => "logs:DescribeLogGroups",
    LogsDescribeMetricFilters => "logs:DescribeMetricFilters",
    OrganizationsDescribeOrganization => "organizations:DescribeOrganization",
    OrganizationsListAccounts => "organizations:ListAccounts",
    OrganizationsListAccountsForParent => "organizations:ListAccountsForParent",
    OrganizationsListDelegatedAdministrators => "organizations:ListDelegatedAdministrators",
    OrganizationsListDelegatedServicesForAccount => "organizations:ListDelegatedServicesForAccount",
    OrganizationsListOrganizationalUnitsForParent => "organizations:ListOrganizationalUnitsForParent",
    OrganizationsListRoots => "organizations:ListRoots",
    S3GetBucketAcl => "s3:GetBucketAcl",
    S3GetBucketEncryption => "s3:GetBucketEncryption",
    S3GetBucketLifecycleConfiguration => "s3:GetBucketLifecycleConfiguration",
    S3GetBucketLocation => "s3:GetBucketLocation",
    S3GetBucketLogging => "s3:GetBucketLogging",
    S3GetBucketPolicy => "s3:GetBucketPolicy",
    S3GetBucketPolicyStatus => "s3:GetBucketPolicyStatus",
    S3GetBucketTagging => "s3:GetBucketTagging",
    S3GetBucketVersioning => "s3:GetBucketVersioning",
    S3GetObjectLockConfiguration => "s3:GetObjectLockConfiguration",
    S3GetPublicAccessBlock => "s3:GetPublicAccessBlock",
    S3ListBuckets => "s3:ListBuckets",
    S3ControlGetPublicAccessBlock => "s3control:GetPublicAccessBlock",
    SnsListSubscriptionsByTopic => "sns:ListSubscriptionsByTopic",
    StsGetCallerIdentity => "sts:GetCallerIdentity",
}

impl Action {
    /// The service prefix, as in IAM actions: `cloudtrail`, `s3`, `logs`, ...
    pub fn service(self) -> &'static str {
        self.split().0
    }

    /// The API operation: `DescribeTrails`, `GetBucketPolicy`, ...
    pub fn operation(self) -> &'static str {
        self.split().1
    }

    fn split(self) -> (&'static str, &'static str) {
        self.as_str().split_once(':').expect("every name in the table is `service:Operation`")
    }

    /// The action named by a service prefix and an operation, as a snapshot's
    /// collection error records them; `None` for one this version does not know.
    pub fn from_parts(service: &str, operation: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.service() == service && a.operation() == operation)
    }

    /// The IAM action that allows this API action, where the two names differ
    /// (S3's are the usual exceptions); `None` for calls that need no permission.
    pub fn iam_action(self) -> Option<&'static str> {
        Some(match self {
            Action::StsGetCallerIdentity => return None,
            Action::S3ListBuckets => "s3:ListAllMyBuckets",
            Action::S3GetBucketEncryption => "s3:GetEncryptionConfiguration",
            Action::S3GetBucketLifecycleConfiguration => "s3:GetLifecycleConfiguration",
            Action::S3GetObjectLockConfiguration => "s3:GetBucketObjectLockConfiguration",
            Action::S3GetPublicAccessBlock => "s3:GetBucketPublicAccessBlock",
            Action::S3ControlGetPublicAccessBlock => "s3:GetAccountPublicAccessBlock",
            other => other.as_str(),
        })
    }

    /// Discovery's calls (`--organization`), made from the audit account only.
    pub fn is_discovery(self) -> bool {
        self.service() == "organizations" && self != Action::OrganizationsDescribeOrganization
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An action name this version does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown API action `{name}` (known: {known})", known = known_names())]
pub struct UnknownAction {
    pub name: String,
}

fn known_names() -> String {
    Action::ALL.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(", ")
}

impl FromStr for Action {
    type Err = UnknownAction;

    fn from_str(name: &str) -> Result<Action, UnknownAction> {
        Action::ALL.binary_search_by(|a| a.as_str().cmp(name)).map(|i| Action::ALL[i]).map_err(|_| UnknownAction { name: name.to_owned() })
    }
}

impl Serialize for Action {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Action, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Action {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Action".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let names: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
        schemars::json_schema!({ "type": "string", "description": "An AWS API action, `service:Operation`.", "enum": names })
    }
}

/// The least-privilege IAM policy for the collector, derived from [`Action::ALL`]:
/// what every collected account's role needs, and with `member_role` (an
/// organization run) what the audit account needs besides: discovery, and
/// assuming the member role in every account.
pub fn iam_policy(member_role: Option<&str>, partition: &str) -> serde_json::Value {
    let mut read: Vec<&str> = Action::ALL.iter().filter(|a| !a.is_discovery()).filter_map(|a| a.iam_action()).collect();
    read.sort_unstable();
    read.dedup();
    let mut statements = vec![serde_json::json!({
        "Sid": "TrailauditCollect", "Effect": "Allow", "Action": read, "Resource": "*",
    })];
    if let Some(role) = member_role {
        let discovery: Vec<&str> = Action::ALL.iter().filter(|a| a.is_discovery()).map(|a| a.as_str()).collect();
        statements.push(serde_json::json!({
            "Sid": "TrailauditDiscoverOrganization", "Effect": "Allow", "Action": discovery, "Resource": "*",
        }));
        statements.push(serde_json::json!({
            "Sid": "TrailauditAssumeMemberRole", "Effect": "Allow", "Action": "sts:AssumeRole",
            "Resource": format!("arn:{partition}:iam::*:role/{role}"),
        }));
    }
    serde_json::json!({ "Version": "2012-10-17", "Statement": statements })
}

#[cfg(test)]
mod tests {
    use super::Action;

    #[test]
    fn list_is_sorted_and_unique() {
        assert!(Action::ALL.windows(2).all(|w| w[0].as_str() < w[1].as_str() && w[0] < w[1]));
    }

    /// The name is the wire form everywhere: Display, FromStr, serde (METADATA's
    /// `requires`, reports), and service + operation as a snapshot records them.
    #[test]
    fn every_action_round_trips_through_its_name_and_its_parts() {
        for &action in Action::ALL {
            let name = action.to_string();
            assert_eq!(name.parse::<Action>(), Ok(action));
            assert_eq!(serde_json::to_value(action).unwrap(), serde_json::json!(name));
            assert_eq!(serde_json::from_value::<Action>(serde_json::json!(name)).unwrap(), action);
            assert_eq!(format!("{}:{}", action.service(), action.operation()), name);
            assert_eq!(Action::from_parts(action.service(), action.operation()), Some(action));
        }
        let err = "cloudtrail:DescribeTrial".parse::<Action>().unwrap_err();
        assert!(err.to_string().starts_with("unknown API action `cloudtrail:DescribeTrial` (known: account:ListRegions, "), "{err}");
        assert!(serde_json::from_str::<Action>("\"s3:GetBucketAcl \"").is_err(), "no trimming or guessing");
        assert_eq!(Action::from_parts("cloudtrail", "DescribeTrial"), None);
    }

    #[test]
    fn organization_policy_adds_discovery_and_the_member_role_only() {
        let single = super::iam_policy(None, "aws");
        let org = super::iam_policy(Some("TrailAuditMember"), "aws");
        assert_eq!(single["Statement"].as_array().unwrap().len(), 1);
        let read = single["Statement"][0]["Action"].as_array().unwrap();
        assert!(read.iter().any(|a| a == "s3:ListAllMyBuckets") && !read.iter().any(|a| a == "s3:ListBuckets"));
        assert!(!read.iter().any(|a| a == "sts:GetCallerIdentity"), "needs no permission");
        assert!(read.iter().any(|a| a == "organizations:DescribeOrganization"), "every account reads its membership");
        assert_eq!(org["Statement"][2]["Resource"], "arn:aws:iam::*:role/TrailAuditMember");
        assert!(org["Statement"][1]["Action"].as_array().unwrap().iter().any(|a| a == "organizations:ListAccounts"));
    }
}
