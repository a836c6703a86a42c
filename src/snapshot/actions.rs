//! The AWS API actions the collector performs, named `service:Operation` (the API
//! operation, as the SDK and the API reference name it). Rules list the ones they depend on in `custom.requires`, and
//! collection errors carry the same names, which is how a failed call finds the
//! results it invalidates.

/// Every action a snapshot can record; sorted.
pub const ALL: &[&str] = &[
    "account:ListRegions",
    "cloudtrail:DescribeTrails",
    "cloudtrail:GetEventDataStore",
    "cloudtrail:GetEventSelectors",
    "cloudtrail:GetInsightSelectors",
    "cloudtrail:GetTrailStatus",
    "cloudtrail:ListEventDataStores",
    "cloudtrail:ListTags",
    "cloudtrail:LookupEvents",
    "cloudwatch:DescribeAlarms",
    "config:DescribeConfigurationRecorderStatus",
    "config:DescribeConfigurationRecorders",
    "kms:DescribeKey",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "logs:DescribeLogGroups",
    "logs:DescribeMetricFilters",
    "organizations:DescribeOrganization",
    "organizations:ListAccounts",
    "organizations:ListAccountsForParent",
    "organizations:ListDelegatedAdministrators",
    "organizations:ListDelegatedServicesForAccount",
    "organizations:ListOrganizationalUnitsForParent",
    "organizations:ListRoots",
    "s3:GetBucketAcl",
    "s3:GetBucketEncryption",
    "s3:GetBucketLocation",
    "s3:GetBucketLogging",
    "s3:GetBucketPolicy",
    "s3:GetBucketPolicyStatus",
    "s3:GetBucketTagging",
    "s3:GetBucketVersioning",
    "s3:GetObjectLockConfiguration",
    "s3:GetPublicAccessBlock",
    "s3:ListBuckets",
    "s3control:GetPublicAccessBlock",
    "sns:ListSubscriptionsByTopic",
    "sts:GetCallerIdentity",
];

pub fn is_known(action: &str) -> bool {
    ALL.binary_search(&action).is_ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn list_is_sorted_and_unique() {
        assert!(super::ALL.windows(2).all(|w| w[0] < w[1]));
    }
}
