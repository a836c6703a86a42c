//! Building blocks of a synthetic account: buckets, the CIS monitoring chain
//! (log group, metric filters, alarms, SNS topic), KMS keys, Config recorders.

use std::collections::BTreeMap;

use serde_json::json;
use trailaudit::snapshot::{
    AclGrant, Alarm, Bucket, BucketAcl, BucketLogging, BucketVersioning, ConfigRecorder, EncryptionRule, KmsKey, LogGroup, MetricFilter,
    MetricTransformation, PublicAccessBlock, SnsSubscription, SnsTopic,
};

use crate::Rng;

/// CIS AWS Foundations 4.1–4.15 metric names and filter patterns, as a careful team writes them.
pub const CIS_FILTERS: [(&str, &str); 15] = [
    (
        "UnauthorizedAPICalls",
        r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }"#,
    ),
    ("ConsoleSigninWithoutMFA", r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }"#),
    ("RootAccountUsage", r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#),
    (
        "IAMPolicyChanges",
        "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}",
    ),
    (
        "CloudTrailConfigChanges",
        "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }",
    ),
    ("ConsoleAuthenticationFailures", r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#),
    ("DisableOrDeleteCMK", "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }"),
    (
        "S3BucketPolicyChanges",
        "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }",
    ),
    (
        "AWSConfigChanges",
        "{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }",
    ),
    (
        "SecurityGroupChanges",
        "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) || ($.eventName = ModifySecurityGroupRules) }",
    ),
    (
        "NACLChanges",
        "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }",
    ),
    (
        "NetworkGatewayChanges",
        "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }",
    ),
    (
        "RouteTableChanges",
        "{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }",
    ),
    (
        "VPCChanges",
        "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }",
    ),
    (
        "OrganizationsChanges",
        "{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = AcceptHandshake) || ($.eventName = AttachPolicy) || ($.eventName = CreateAccount) || ($.eventName = CreateOrganizationalUnit) || ($.eventName = CreatePolicy) || ($.eventName = DeclineHandshake) || ($.eventName = DeleteOrganization) || ($.eventName = DeleteOrganizationalUnit) || ($.eventName = DeletePolicy) || ($.eventName = DetachPolicy) || ($.eventName = DisablePolicyType) || ($.eventName = EnablePolicyType) || ($.eventName = InviteAccountToOrganization) || ($.eventName = LeaveOrganization) || ($.eventName = MoveAccount) || ($.eventName = RemoveAccountFromOrganization) || ($.eventName = UpdatePolicy) || ($.eventName = UpdateOrganizationalUnit)) }",
    ),
];

pub const PAB_ON: PublicAccessBlock =
    PublicAccessBlock { block_public_acls: true, ignore_public_acls: true, block_public_policy: true, restrict_public_buckets: true };

/// The policy CloudTrail's console writes on a trail bucket, scoped to the trails by `aws:SourceArn`.
pub fn trail_bucket_policy(bucket: &str, log_paths: &[String], trail_arns: &[String]) -> serde_json::Value {
    let writes: Vec<String> = log_paths.iter().map(|p| format!("arn:aws:s3:::{bucket}/{p}/*")).collect();
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:GetBucketAcl", "Resource": format!("arn:aws:s3:::{bucket}"),
             "Condition": {"StringEquals": {"aws:SourceArn": trail_arns}}},
            {"Sid": "AWSCloudTrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": writes,
             "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail_arns}}},
            {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
             "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
        ]
    })
}

/// A bucket with the owner's full-control grant; posture details vary with `rng`.
pub fn bucket(name: &str, account: &str, region: &str, tags: &[(&str, &str)], rng: &mut Rng) -> Bucket {
    let owner = format!("{:016x}{:016x}{:016x}{:016x}", rng.next_u64(), rng.next_u64(), rng.next_u64(), rng.next_u64());
    let mut grants = vec![AclGrant {
        grantee_type: "CanonicalUser".into(),
        grantee_uri: None,
        grantee_id: Some(owner.clone()),
        permission: "FULL_CONTROL".into(),
    }];
    if rng.chance(3) {
        grants.push(AclGrant {
            grantee_type: "Group".into(),
            grantee_uri: Some("http://acs.amazonaws.com/groups/global/AllUsers".into()),
            grantee_id: None,
            permission: "READ".into(),
        });
    }
    Bucket {
        name: name.into(),
        arn: format!("arn:aws:s3:::{name}"),
        region: Some(region.into()),
        policy: None,
        policy_is_public: Some(false),
        acl: Some(BucketAcl { owner_id: Some(owner), grants }),
        public_access_block: rng.chance(90).then_some(PAB_ON),
        logging: rng.chance(85).then(|| BucketLogging {
            target_bucket: format!("s3-access-logs-{account}-{region}"),
            target_prefix: Some(format!("{name}/")),
        }),
        versioning: Some(BucketVersioning {
            status: Some(if rng.chance(80) { "Enabled" } else { "Suspended" }.into()),
            mfa_delete: Some("Disabled".into()),
        }),
        object_lock: None,
        encryption: Some(vec![EncryptionRule { sse_algorithm: "AES256".into(), kms_master_key_id: None, bucket_key_enabled: Some(false) }]),
        tags: tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        lifecycle_rules: Some(Vec::new()),
    }
}

/// A customer managed key used by the account's trails.
pub fn kms_key(account: &str, region: &str, rng: &mut Rng) -> KmsKey {
    let key_id = rng.uuid();
    KmsKey {
        arn: format!("arn:aws:kms:{region}:{account}:key/{key_id}"),
        key_id,
        region: region.into(),
        key_manager: "CUSTOMER".into(),
        key_state: "Enabled".into(),
        key_spec: Some("SYMMETRIC_DEFAULT".into()),
        rotation_enabled: Some(rng.chance(85)),
        aliases: vec!["alias/cloudtrail".into()],
    }
}

/// The CIS monitoring chain: a log group with metric filters, one alarm per
/// filter, and the SNS topic they notify. Some accounts miss a few filters.
pub fn monitoring(account: &str, region: &str, rng: &mut Rng) -> (LogGroup, Vec<Alarm>, SnsTopic) {
    let name = format!("aws-cloudtrail-logs-{account}");
    let topic_arn = format!("arn:aws:sns:{region}:{account}:security-alerts");
    let skip = if rng.chance(20) { rng.below(15) as usize } else { usize::MAX };
    let mut filters = Vec::new();
    let mut alarms = Vec::new();
    for (i, (metric, pattern)) in CIS_FILTERS.iter().enumerate().filter(|(i, _)| *i != skip) {
        let filter_name = format!("cis-4.{}-{metric}", i + 1);
        filters.push(MetricFilter {
            name: filter_name.clone(),
            pattern: pattern.to_string(),
            transformations: vec![MetricTransformation {
                metric_name: metric.to_string(),
                metric_namespace: "CISBenchmark".into(),
                metric_value: Some("1".into()),
            }],
        });
        alarms.push(Alarm {
            arn: format!("arn:aws:cloudwatch:{region}:{account}:alarm:{filter_name}"),
            name: filter_name,
            region: region.into(),
            metric_name: Some(metric.to_string()),
            namespace: Some("CISBenchmark".into()),
            actions_enabled: true,
            alarm_actions: vec![topic_arn.clone()],
            state: Some(if rng.chance(5) { "ALARM" } else { "OK" }.into()),
        });
    }
    let group = LogGroup {
        arn: format!("arn:aws:logs:{region}:{account}:log-group:{name}"),
        name,
        region: region.into(),
        retention_in_days: Some(*rng.pick(&[90, 365, 400, 731])),
        kms_key_id: None,
        metric_filters: Some(filters),
        not_found: false,
    };
    let subscription_arn = if rng.chance(90) { format!("{topic_arn}:{}", rng.uuid()) } else { "PendingConfirmation".to_owned() };
    let topic = SnsTopic {
        arn: topic_arn,
        region: region.into(),
        subscriptions: Some(vec![SnsSubscription { subscription_arn, protocol: "email".into() }]),
    };
    (group, alarms, topic)
}

/// One recorder per region; a few accounts have stopped recording somewhere.
pub fn config_recorder(account: &str, global: bool, rng: &mut Rng) -> ConfigRecorder {
    ConfigRecorder {
        name: "default".into(),
        role_arn: Some(format!("arn:aws:iam::{account}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig")),
        all_supported: true,
        include_global_resource_types: global,
        recording: Some(rng.chance(97)),
        last_status: Some("SUCCESS".into()),
    }
}

pub fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}
