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
    "dynamodb:ListTables",
    "dynamodb:ListTagsOfResource",
    "kms:DescribeKey",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "lambda:ListFunctions",
    "lambda:ListTags",
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
    "s3:GetBucketLifecycleConfiguration",
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

/// The IAM action that allows an API action, where the two names differ
/// (S3's are the usual exceptions); `None` for calls that need no permission.
pub fn iam_action(action: &str) -> Option<&str> {
    Some(match action {
        "sts:GetCallerIdentity" => return None,
        "s3:ListBuckets" => "s3:ListAllMyBuckets",
        "s3:GetBucketEncryption" => "s3:GetEncryptionConfiguration",
        "s3:GetObjectLockConfiguration" => "s3:GetBucketObjectLockConfiguration",
        "s3:GetPublicAccessBlock" => "s3:GetBucketPublicAccessBlock",
        "s3:GetBucketLifecycleConfiguration" => "s3:GetLifecycleConfiguration",
        "s3control:GetPublicAccessBlock" => "s3:GetAccountPublicAccessBlock",
        other => other,
    })
}

/// Discovery's calls (`--organization`), made from the audit account only.
pub fn is_discovery(action: &str) -> bool {
    action.starts_with("organizations:") && action != "organizations:DescribeOrganization"
}

/// The least-privilege IAM policy for the collector, derived from [`ALL`]:
/// what every collected account's role needs, and with `member_role` (an
/// organization run) what the audit account needs besides: discovery, and
/// assuming the member role in every account.
pub fn iam_policy(member_role: Option<&str>, partition: &str) -> serde_json::Value {
    let mut read: Vec<&str> = ALL.iter().filter(|a| !is_discovery(a)).filter_map(|a| iam_action(a)).collect();
    read.sort_unstable();
    read.dedup();
    let mut statements = vec![serde_json::json!({
        "Sid": "TrailauditCollect", "Effect": "Allow", "Action": read, "Resource": "*",
    })];
    if let Some(role) = member_role {
        let discovery: Vec<&str> = ALL.iter().copied().filter(|a| is_discovery(a)).collect();
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
    #[test]
    fn list_is_sorted_and_unique() {
        assert!(super::ALL.windows(2).all(|w| w[0] < w[1]));
    }

    /// Every call the collector can record as failed is in [`super::ALL`], so the
    /// IAM policy derived from it (`trailaudit permissions`) allows every call:
    /// read from the collector's sources, where each call site names its action.
    #[test]
    fn every_call_the_collector_makes_is_listed() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/collect");
        let mut found = std::collections::BTreeSet::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "rs") || path.to_string_lossy().ends_with("_tests.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // `ctx.fail("service", "Operation", ...)` and `ctx.fail(\n "service", ...)`.
            let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
            let call = ".fail(\"";
            for (i, _) in flat.match_indices(call) {
                let rest = &flat[i + call.len()..];
                let mut quoted = rest.split('"');
                let service = quoted.next().unwrap();
                let operation = quoted.nth(1).unwrap();
                found.insert(format!("{service}:{operation}"));
            }
            let call = "organizations_error(ctx, \"";
            for (i, _) in flat.match_indices(call) {
                let operation = flat[i + call.len()..].split('"').next().unwrap();
                found.insert(format!("organizations:{operation}"));
            }
        }
        assert!(found.len() > 25, "the scan found the call sites: {found:?}");
        for action in &found {
            assert!(super::is_known(action), "{action} is called in src/collect but missing from actions::ALL");
        }
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
