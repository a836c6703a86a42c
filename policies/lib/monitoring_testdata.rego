# Test inputs for the monitoring rules (policies/monitoring/*_test.rego and
# lib/monitoring_test.rego): a complete CIS chain for one key, and the same
# chain broken at each step, so each rule's tests stay one line each. Only
# tests use this package.
package trailaudit.lib.monitoring_testdata

import data.trailaudit.lib.testing

account_id := "111111111111"

management_id := "444444444444"

member_id := "555555555555"

region := "us-east-1"

# Per key: the metric the CIS remediation names and an event a careless filter
# misses, as input.derived describes it.
samples := {
	"unauthorized_api_calls": {"metric": "UnauthorizedAPICalls", "missed": "errorCode=AccessDeniedException"},
	"console_signin_without_mfa": {"metric": "ConsoleSigninWithoutMFA", "missed": "eventName=ConsoleLogin, additionalEventData.MFAUsed=No"},
	"root_usage": {"metric": "RootAccountUsage", "missed": "userIdentity.type=Root, eventName=CreateAccessKey"},
	"iam_policy_changes": {"metric": "IAMPolicyChanges", "missed": "eventName=DetachGroupPolicy"},
	"cloudtrail_changes": {"metric": "CloudTrailConfigChanges", "missed": "eventName=StopLogging"},
	"console_auth_failures": {"metric": "ConsoleAuthenticationFailures", "missed": "eventName=ConsoleLogin, errorMessage=Failed authentication"},
	"cmk_disable_or_deletion": {"metric": "DisableOrDeleteCMK", "missed": "eventSource=kms.amazonaws.com, eventName=ScheduleKeyDeletion"},
	"s3_bucket_policy_changes": {"metric": "S3BucketPolicyChanges", "missed": "eventSource=s3.amazonaws.com, eventName=DeleteBucketReplication"},
	"config_changes": {"metric": "AWSConfigChanges", "missed": "eventSource=config.amazonaws.com, eventName=StopConfigurationRecorder"},
	"security_group_changes": {"metric": "SecurityGroupChanges", "missed": "eventName=RevokeSecurityGroupEgress"},
	"security_group_changes_v5": {"metric": "SecurityGroupChanges", "missed": "eventName=ModifySecurityGroupRules"},
	"nacl_changes": {"metric": "NACLChanges", "missed": "eventName=ReplaceNetworkAclAssociation"},
	"network_gateway_changes": {"metric": "NetworkGatewayChanges", "missed": "eventName=DetachInternetGateway"},
	"route_table_changes": {"metric": "RouteTableChanges", "missed": "eventName=DisassociateRouteTable"},
	"vpc_changes": {"metric": "VPCChanges", "missed": "eventName=EnableVpcClassicLink"},
	"organizations_changes": {"metric": "OrganizationsChanges", "missed": "eventSource=organizations.amazonaws.com, eventName=LeaveOrganization"},
}

trail_arn(owner) := sprintf("arn:aws:cloudtrail:us-east-1:%s:trail/main", [owner])

group_name := "cloudtrail-logs"

group_arn(owner) := sprintf("arn:aws:logs:us-east-1:%s:log-group:cloudtrail-logs", [owner])

topic_arn(owner) := sprintf("arn:aws:sns:us-east-1:%s:security-alerts", [owner])

alarm_arn(owner, key) := sprintf("arn:aws:cloudwatch:us-east-1:%s:alarm:cis-%s", [owner, samples[key].metric])

filter_name(key) := sprintf("cis-%s", [samples[key].metric])

# A trail that qualifies for CIS 3.1 and delivers to the log group.
trail(owner) := {
	"name": "main", "arn": trail_arn(owner), "home_region": region,
	"is_multi_region_trail": true, "is_organization_trail": owner != account_id,
	"cloud_watch_logs_log_group_arn": sprintf("%s:*", [group_arn(owner)]),
	"status": {"is_logging": true},
	"event_selectors": {"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": true, "DataResources": []}], "AdvancedEventSelectors": []},
}

# The log group, alarm and topic of a complete chain, as an account holds them.
monitoring(owner, key) := {
	"log_groups": {group_arn(owner): {
		"name": group_name, "arn": group_arn(owner), "region": region,
		"metric_filters": [{
			"name": filter_name(key), "pattern": "{ ($.eventName = X) }",
			"transformations": [{"metric_name": samples[key].metric, "metric_namespace": "CISBenchmark", "metric_value": "1"}],
		}],
	}},
	"alarms": {alarm_arn(owner, key): {
		"name": sprintf("cis-%s", [samples[key].metric]), "arn": alarm_arn(owner, key), "region": region,
		"metric_name": samples[key].metric, "namespace": "CISBenchmark",
		"actions_enabled": true, "alarm_actions": [topic_arn(owner)], "state": "OK",
	}},
	"sns_topics": {topic_arn(owner): {
		"arn": topic_arn(owner), "region": region,
		"subscriptions": [{"subscription_arn": sprintf("%s:2d0072d4", [topic_arn(owner)]), "protocol": "email"}],
	}},
}

# The misses of a filter for one key as input.derived gives them: every one
# listed (the lists of these tests are short), and their number.
misses(listed) := {"listed": listed, "total": count(listed)}

# What Rust derives for that filter: it covers the key.
derived(owner, key) := {"metric_filters": {group_arn(owner): {filter_name(key): {"ambiguous": false, "misses": {key: misses([])}}}}}

# --- scenarios ---------------------------------------------------------------

passing(key) := with_trails(key, {trail_arn(account_id): trail(account_id)})

with_trails(key, trails) := {
	"metadata": {"collected_at": "2026-11-20T09:00:00Z", "partition": "aws"},
	"account": object.union({"account_id": account_id, "trails": trails}, monitoring(account_id, key)),
	"errors": [],
	"context": {"organization_trails": {}, "trail_buckets": {}, "management_account": null},
	"derived": derived(account_id, key),
}

# passing(key) with `patch` merged in (objects merge deeply, arrays replace).
changed(key, patch) := object.union(passing(key), patch)

account_patch(p) := {"account": p}

filter_facts(key, facts) := {"derived": {"metric_filters": {group_arn(account_id): {filter_name(key): facts}}}}

alarm_patch(key, fields) := account_patch({"alarms": {alarm_arn(account_id, key): fields}})

no_trail(key) := with_trails(key, {})

trail_without_cloudwatch_logs(key) := changed(key, account_patch({"trails": {trail_arn(account_id): {"cloud_watch_logs_log_group_arn": null}}}))

single_region_trail(key) := changed(key, account_patch({"trails": {trail_arn(account_id): {"is_multi_region_trail": false}}}))

filter_misses_event(key) := changed(key, filter_facts(key, {"misses": {key: misses([samples[key].missed])}}))

filter_does_not_parse(key) := changed(key, filter_facts(key, {"parse_error": "expected ')' at offset 12", "misses": {key: misses(["pattern does not parse"])}}))

no_metric_filters(key) := changed(key, account_patch({"log_groups": {group_arn(account_id): {"metric_filters": []}}}))

metric_filters_not_collected(key) := changed(key, account_patch({"log_groups": {group_arn(account_id): {"metric_filters": null}}}))

alarm_on_other_namespace(key) := changed(key, alarm_patch(key, {"namespace": "LogMetrics"}))

alarm_on_other_metric(key) := changed(key, alarm_patch(key, {"metric_name": "SomethingElse"}))

alarm_in_other_region(key) := changed(key, alarm_patch(key, {"region": "eu-west-1"}))

alarm_actions_disabled(key) := changed(key, alarm_patch(key, {"actions_enabled": false}))

topic_patch(subscriptions) := account_patch({"sns_topics": {topic_arn(account_id): {"subscriptions": subscriptions}}})

pending_subscription_only(key) := changed(key, topic_patch([{"subscription_arn": "PendingConfirmation", "protocol": "email"}]))

subscriptions_not_collected(key) := changed(key, topic_patch(null))

# The CIS filter misses an event, but a filter of another name, written
# differently, catches everything: the rule looks at what filters match, not
# at names or pattern text.
covered_by_other_filter(key) := object.union(filter_misses_event(key), {
	"account": {"log_groups": {group_arn(account_id): {"metric_filters": [
		monitoring(account_id, key).log_groups[group_arn(account_id)].metric_filters[0],
		{
			"name": "team-alerts", "pattern": "{ $.eventName = * }",
			"transformations": [{"metric_name": samples[key].metric, "metric_namespace": "CISBenchmark"}],
		},
	]}}},
	"derived": {"metric_filters": {group_arn(account_id): {"team-alerts": {"ambiguous": false, "misses": {key: misses([])}}}}},
})

ambiguous_filter(key) := changed(key, filter_facts(key, {"ambiguous": true}))

# A member account recorded only by its organization's trail: the log group,
# alarm and topic live in the management account.
member_input(key, management) := {
	"metadata": {"collected_at": "2026-11-20T09:00:00Z", "partition": "aws"},
	"account": {
		"account_id": member_id, "organization": {"id": "o-a1b2c3d4e5", "management_account_id": management_id},
		"trails": {trail_arn(management_id): trail(management_id)},
		"log_groups": {}, "alarms": {}, "sns_topics": {},
	},
	"errors": [],
	"context": {"organization_trails": {}, "trail_buckets": {}, "management_account": management},
	"derived": derived(management_id, key),
}

organization_member(key) := member_input(key, object.union({"account_id": management_id}, monitoring(management_id, key)))

organization_member_without_management(key) := member_input(key, null)

# --- checks ------------------------------------------------------------------

# One result, about the account, with this status and a message containing
# every fragment; prints what it got otherwise.
verdict(results, status, fragments) if {
	count(results) == 1
	some r in results
	r.status == status
	r.resource == sprintf("AWS::::Account:%s", [input.account.account_id])
	every f in fragments {
		contains(r.message, f)
	}
} else := false if {
	print("got:", results)
	print("want status", status, "and message fragments", fragments)
}

equal(got, want) := testing.equal(got, want)
