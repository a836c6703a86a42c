# The CloudWatch Logs metric-filter patterns CIS 4.1–4.15 ask for (section 4 of
# CIS AWS Foundations v3.0.0 / v4.0.1 / v5.0.0; CloudWatch.1–14 in Security Hub).
#
# Rego cannot parse filter patterns, so trailaudit reads this object once per
# audit (src/evaluate/derived.rs, REQUIRED_PATTERNS_RULE), parses every pattern,
# and gives rules `input.derived.metric_filters[<log group>][<filter>].misses[<key>]`:
# the events a key's pattern matches that the filter does not, as
# {"listed": [first descriptions], "total": N} (total 0 = covered).
# A filter passes by meaning, not by text: quoting, spacing, order and extra
# parentheses do not matter, and a filter that catches more passes too.
#
# Every pattern is fully parenthesised so it has one reading. Where the CIS
# texts differ from what is required here, the reason is given beside the key.
# A pattern that does not parse makes the pack invalid (exit 2).
package trailaudit.lib.metric_filters

required_patterns := {
	# 4.1 / CloudWatch.2. The v4.0.1/v5.0.0 meaning. The v3.0.0 text joins all
	# four conditions with `||` (an erratum: it matches almost every event);
	# the v4/v5 text leaves `a || b && c && d` unparenthesised, which AWS reads
	# as `a || (b && c && d)`; both catch at least this.
	"unauthorized_api_calls": `{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }`,
	# 4.2 / CloudWatch.3. The narrower SSO variant, so a filter written either
	# way (with or without the userIdentity/responseElements tests) passes.
	"console_signin_without_mfa": `{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }`,
	# 4.3 / CloudWatch.1.
	"root_usage": `{ ($.userIdentity.type = "Root") && ($.userIdentity.invokedBy NOT EXISTS) && ($.eventType != "AwsServiceEvent") }`,
	# 4.4 / CloudWatch.4 (16 event names).
	"iam_policy_changes": `{ ($.eventName = "DeleteGroupPolicy") || ($.eventName = "DeleteRolePolicy") || ($.eventName = "DeleteUserPolicy") || ($.eventName = "PutGroupPolicy") || ($.eventName = "PutRolePolicy") || ($.eventName = "PutUserPolicy") || ($.eventName = "CreatePolicy") || ($.eventName = "DeletePolicy") || ($.eventName = "CreatePolicyVersion") || ($.eventName = "DeletePolicyVersion") || ($.eventName = "AttachRolePolicy") || ($.eventName = "DetachRolePolicy") || ($.eventName = "AttachUserPolicy") || ($.eventName = "DetachUserPolicy") || ($.eventName = "AttachGroupPolicy") || ($.eventName = "DetachGroupPolicy") }`,
	# 4.5 / CloudWatch.5.
	"cloudtrail_changes": `{ ($.eventName = "CreateTrail") || ($.eventName = "UpdateTrail") || ($.eventName = "DeleteTrail") || ($.eventName = "StartLogging") || ($.eventName = "StopLogging") }`,
	# 4.6 / CloudWatch.6.
	"console_auth_failures": `{ ($.eventName = "ConsoleLogin") && ($.errorMessage = "Failed authentication") }`,
	# 4.7 / CloudWatch.7.
	"cmk_disable_or_deletion": `{ ($.eventSource = "kms.amazonaws.com") && (($.eventName = "DisableKey") || ($.eventName = "ScheduleKeyDeletion")) }`,
	# 4.8 / CloudWatch.8.
	"s3_bucket_policy_changes": `{ ($.eventSource = "s3.amazonaws.com") && (($.eventName = "PutBucketAcl") || ($.eventName = "PutBucketPolicy") || ($.eventName = "PutBucketCors") || ($.eventName = "PutBucketLifecycle") || ($.eventName = "PutBucketReplication") || ($.eventName = "DeleteBucketPolicy") || ($.eventName = "DeleteBucketCors") || ($.eventName = "DeleteBucketLifecycle") || ($.eventName = "DeleteBucketReplication")) }`,
	# 4.9 / CloudWatch.9.
	"config_changes": `{ ($.eventSource = "config.amazonaws.com") && (($.eventName = "StopConfigurationRecorder") || ($.eventName = "DeleteDeliveryChannel") || ($.eventName = "PutDeliveryChannel") || ($.eventName = "PutConfigurationRecorder")) }`,
	# 4.10 in v3.0.0 and v4.0.1 / CloudWatch.10 (6 names).
	"security_group_changes": `{ ($.eventName = "AuthorizeSecurityGroupIngress") || ($.eventName = "AuthorizeSecurityGroupEgress") || ($.eventName = "RevokeSecurityGroupIngress") || ($.eventName = "RevokeSecurityGroupEgress") || ($.eventName = "CreateSecurityGroup") || ($.eventName = "DeleteSecurityGroup") }`,
	# 4.10 in v5.0.0: adds ModifySecurityGroupRules.
	"security_group_changes_v5": `{ ($.eventName = "AuthorizeSecurityGroupIngress") || ($.eventName = "AuthorizeSecurityGroupEgress") || ($.eventName = "RevokeSecurityGroupIngress") || ($.eventName = "RevokeSecurityGroupEgress") || ($.eventName = "CreateSecurityGroup") || ($.eventName = "DeleteSecurityGroup") || ($.eventName = "ModifySecurityGroupRules") }`,
	# 4.11 / CloudWatch.11.
	"nacl_changes": `{ ($.eventName = "CreateNetworkAcl") || ($.eventName = "CreateNetworkAclEntry") || ($.eventName = "DeleteNetworkAcl") || ($.eventName = "DeleteNetworkAclEntry") || ($.eventName = "ReplaceNetworkAclEntry") || ($.eventName = "ReplaceNetworkAclAssociation") }`,
	# 4.12 / CloudWatch.12.
	"network_gateway_changes": `{ ($.eventName = "CreateCustomerGateway") || ($.eventName = "DeleteCustomerGateway") || ($.eventName = "AttachInternetGateway") || ($.eventName = "CreateInternetGateway") || ($.eventName = "DeleteInternetGateway") || ($.eventName = "DetachInternetGateway") }`,
	# 4.13 / CloudWatch.13. The remediation text names the seven events from
	# any source; the audit text adds `$.eventSource = ec2.amazonaws.com` without
	# parentheses, which AWS precedence reads as `(eventSource && CreateRoute) ||
	# ...`. These events only come from EC2, so requiring them from
	# ec2.amazonaws.com lets a filter copied from either text pass, and still
	# fails one that misses a name.
	"route_table_changes": `{ ($.eventSource = "ec2.amazonaws.com") && (($.eventName = "CreateRoute") || ($.eventName = "CreateRouteTable") || ($.eventName = "ReplaceRoute") || ($.eventName = "ReplaceRouteTableAssociation") || ($.eventName = "DeleteRouteTable") || ($.eventName = "DeleteRoute") || ($.eventName = "DisassociateRouteTable")) }`,
	# 4.14 / CloudWatch.14.
	"vpc_changes": `{ ($.eventName = "CreateVpc") || ($.eventName = "DeleteVpc") || ($.eventName = "ModifyVpcAttribute") || ($.eventName = "AcceptVpcPeeringConnection") || ($.eventName = "CreateVpcPeeringConnection") || ($.eventName = "DeleteVpcPeeringConnection") || ($.eventName = "RejectVpcPeeringConnection") || ($.eventName = "AttachClassicLinkVpc") || ($.eventName = "DetachClassicLinkVpc") || ($.eventName = "DisableVpcClassicLink") || ($.eventName = "EnableVpcClassicLink") }`,
	# 4.15 (no Security Hub control; 18 names).
	"organizations_changes": `{ ($.eventSource = "organizations.amazonaws.com") && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }`,
}
