package trailaudit.lib.monitoring_test

import data.trailaudit.lib.monitoring
import data.trailaudit.lib.monitoring_testdata as td
import data.trailaudit.lib.testing

key := "iam_policy_changes"

group := td.group_arn(td.account_id)

topic := td.topic_arn(td.account_id)

alarm := td.alarm_arn(td.account_id, key)

account := "AWS::::Account:111111111111"

# The rule's results for `inp`, with the chain facts trailaudit derives from it.
run(inp) := r if {
	r := monitoring.results(key) with input as td.with_facts(inp)
}

# The single result of the rule for `inp`.
one(inp) := r if {
	rs := run(inp)
	count(rs) == 1
	some r in rs
}

base := {"trails": ["main"], "log_group": "cloudtrail-logs", "log_group_arn": group}

test_pass_names_every_link_of_the_chain if {
	testing.equal(run(td.passing(key)), {{
		"status": "pass", "resource": account, "region": null,
		"message": sprintf("IAM policy changes monitored: trail main → log group cloudtrail-logs → metric filter cis-IAMPolicyChanges → alarm cis-IAMPolicyChanges → SNS topic %s with a confirmed subscription", [topic]),
		"evidence": object.union(base, {"metric_filter": "cis-IAMPolicyChanges", "ambiguous": false, "alarm": "cis-IAMPolicyChanges", "alarm_arn": alarm, "sns_topic": topic}),
	}})
}

test_fail_without_any_trail if {
	cause := monitoring.no_trail_cause with input as td.no_trail(key)
	testing.equal(run(td.no_trail(key)), {{
		"status": "fail", "resource": account, "region": null,
		"message": "IAM policy changes not monitored: no logging multi-region trail recording read and write management events delivers to CloudWatch Logs (no trail records this account)",
		"evidence": {"trails": {}, "cause": cause},
	}})
}

# The 16 rules share this cause; reports group their failures by `cause.id`.
test_fail_without_any_trail_names_the_shared_cause if {
	r := one(td.no_trail(key))
	testing.equal(r.evidence.cause.id, "no-trail-to-cloudwatch-logs")
	testing.equal(r.evidence.cause.title, "no trail delivers to CloudWatch Logs")
	testing.equal(r.evidence.cause.detail, "no logging multi-region trail recording read and write management events delivers to CloudWatch Logs (no trail records this account)")
	testing.equal(r.evidence.cause.fixed_by, ["CT-001", "CT-003"])
}

test_fail_lists_what_each_trail_lacks if {
	inp := td.changed(key, td.account_patch({"trails": {td.trail_arn(td.account_id): {
		"is_multi_region_trail": false, "status": {"is_logging": false}, "cloud_watch_logs_log_group_arn": null,
		"event_selectors": {"EventSelectors": [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": true}]},
	}}}))
	r := one(inp)
	testing.equal(r.status, "fail")
	testing.equal(r.message, "IAM policy changes not monitored: no logging multi-region trail recording read and write management events delivers to CloudWatch Logs (trail main: not logging, single-region, not recording read and write management events, no CloudWatch Logs group)")
	testing.equal(r.evidence.trails, {"main": ["not logging", "single-region", "not recording read and write management events", "no CloudWatch Logs group"]})
	testing.equal(r.evidence.cause.detail, trim_prefix(r.message, "IAM policy changes not monitored: "))
}

test_fail_log_group_missing if {
	inp := json.remove(td.passing(key), [sprintf("account/log_groups/%s", [group])])
	testing.equal(one(inp).message, sprintf("IAM policy changes not monitored: log group %s, where trail main delivers, does not exist", [group]))
}

test_fail_closest_filter_has_fewest_misses_and_parses if {
	inp := object.union(td.no_metric_filters(key), {
		"account": {"log_groups": {group: {"metric_filters": [
			{"name": "a-broken", "pattern": "{", "transformations": []},
			{"name": "b-partial", "pattern": "{ ($.eventName = PutRolePolicy) }", "transformations": []},
			{"name": "c-partial", "pattern": "{ ($.eventName = Put*) }", "transformations": []},
		]}}},
		"derived": {"metric_filters": {group: {
			"a-broken": {"parse_error": "unexpected end of pattern", "ambiguous": false, "misses": {key: td.misses(["pattern does not parse"])}},
			"b-partial": {"ambiguous": false, "misses": {key: td.misses(["eventName=A", "eventName=B", "eventName=C", "eventName=D", "eventName=E", "eventName=F", "eventName=G"])}},
			"c-partial": {"ambiguous": false, "misses": {key: td.misses(["eventName=DeletePolicy", "eventName=DetachRolePolicy"])}},
		}}},
	})
	r := one(inp)
	testing.equal(r.status, "fail")
	testing.equal(r.message, "IAM policy changes not monitored: log group cloudtrail-logs (trail main) has no metric filter catching every event of the CIS pattern; closest filter c-partial misses 2 event(s): eventName=DeletePolicy; eventName=DetachRolePolicy")
	testing.equal(r.evidence, object.union(base, {"closest_filter": "c-partial", "misses": ["eventName=DeletePolicy", "eventName=DetachRolePolicy"]}))
}

# Two filters miss as many events; the one whose misses are plain event names
# is named, not one that only catches the events' error variants.
test_fail_closest_filter_ties_go_to_the_simplest_misses if {
	inp := object.union(td.no_metric_filters(key), {
		"account": {"log_groups": {group: {"metric_filters": [
			{"name": "a-errors-only", "pattern": "{ $.errorCode = AccessDenied* }", "transformations": []},
			{"name": "b-iam", "pattern": "{ $.eventName = Put* }", "transformations": []},
		]}}},
		"derived": {"metric_filters": {group: {
			"a-errors-only": {"ambiguous": false, "misses": {key: td.misses(["eventName=DeletePolicy, errorCode=<other>", "eventName=PutRolePolicy, errorCode=<other>"])}},
			"b-iam": {"ambiguous": false, "misses": {key: td.misses(["eventName=DeletePolicy", "eventName=DetachRolePolicy"])}},
		}}},
	})
	testing.equal(one(inp).evidence.closest_filter, "b-iam")
}

test_fail_long_miss_lists_are_shortened if {
	misses := ["eventName=A", "eventName=B", "eventName=C", "eventName=D", "eventName=E", "eventName=F", "eventName=G"]
	r := one(td.changed(key, td.filter_facts(key, {"misses": {key: td.misses(misses)}})))
	testing.equal(r.message, "IAM policy changes not monitored: log group cloudtrail-logs (trail main) has no metric filter catching every event of the CIS pattern; closest filter cis-IAMPolicyChanges misses 7 event(s): eventName=A; eventName=B; eventName=C; eventName=D; eventName=E; and 2 more")
	testing.equal(r.evidence.misses, misses)
}

# The Rust side caps the list (eleven events listed, sixteen in all); the
# evidence then ends with "… and N more".
test_fail_capped_miss_lists_count_every_event if {
	listed := [sprintf("eventName=E%d", [i]) | some i in numbers.range(1, 11)]
	r := one(td.changed(key, td.filter_facts(key, {"misses": {key: {"listed": listed, "total": 16}}})))
	testing.equal(r.evidence.misses, array.concat(listed, ["… and 5 more"]))
	testing.equal(r.message, "IAM policy changes not monitored: log group cloudtrail-logs (trail main) has no metric filter catching every event of the CIS pattern; closest filter cis-IAMPolicyChanges misses 16 event(s): eventName=E1; eventName=E2; eventName=E3; eventName=E4; eventName=E5; and 11 more")
}

# 16 misses (capped list) rank after 12 listed in full.
test_fail_closest_filter_counts_capped_misses if {
	capped := {"listed": [sprintf("eventName=E%d", [i]) | some i in numbers.range(1, 11)], "total": 16}
	inp := object.union(td.no_metric_filters(key), {
		"account": {"log_groups": {group: {"metric_filters": [
			{"name": "a-other-control", "pattern": "{ $.eventName = CreateVpc }", "transformations": []},
			{"name": "b-iam", "pattern": "{ $.eventName = Put* }", "transformations": []},
		]}}},
		"derived": {"metric_filters": {group: {
			"a-other-control": {"ambiguous": false, "misses": {key: capped}},
			"b-iam": {"ambiguous": false, "misses": {key: td.misses([sprintf("eventName=F%02d", [i]) | some i in numbers.range(1, 12)])}},
		}}},
	})
	testing.equal(one(inp).evidence.closest_filter, "b-iam")
}

test_fail_unparsable_filter if {
	testing.equal(one(td.filter_does_not_parse(key)).message, "IAM policy changes not monitored: log group cloudtrail-logs (trail main) has no metric filter catching every event of the CIS pattern; closest filter cis-IAMPolicyChanges does not parse: expected ')' at offset 12")
}

test_fail_no_filters if {
	r := one(td.no_metric_filters(key))
	testing.equal(r.message, "IAM policy changes not monitored: log group cloudtrail-logs (trail main) has no metric filter catching every event of the CIS pattern; it has no metric filters")
	testing.equal(r.evidence, base)
}

test_error_metric_filters_not_collected if {
	r := one(td.metric_filters_not_collected(key))
	testing.equal([r.status, r.message], ["error", "IAM policy changes monitoring unknown: metric filters of log group cloudtrail-logs (trail main) were not collected"])
	testing.equal(r.evidence.cause.title, "metric filters not collected")
	testing.equal(r.evidence.cause.id, sprintf("metric-filters-not-collected:%s", [group]))
}

# Without facts for a filter (input.derived.metric_filters has none: the
# audit's coverage budget was spent) it is not judged at all: unknown, not a failure.
test_error_filter_not_analysed if {
	r := one(json.remove(td.passing(key), ["derived"]))
	testing.equal([r.status, r.message], ["error", "IAM policy changes monitoring unknown: log group cloudtrail-logs (trail main): 1 metric filter(s) were not analysed for iam_policy_changes (no input.derived facts)"])
	testing.equal(r.evidence.unanalysed_filters, ["cis-IAMPolicyChanges"])
}

# An input without the derived chain (not built by trailaudit) settles nothing.
test_error_without_the_derived_chain if {
	inp := td.passing(key)
	rs := monitoring.results(key) with input as inp
	count(rs) == 1
	some r in rs
	testing.equal([r.status, r.message], ["error", "IAM policy changes monitoring unknown: log group cloudtrail-logs (trail main): the monitoring chain was not derived for iam_policy_changes (no input.derived.monitoring facts)"])
}

test_fail_alarm_in_another_region if {
	r := one(td.alarm_in_other_region(key))
	testing.equal(r.message, "IAM policy changes not monitored: log group cloudtrail-logs (trail main): no alarm in us-east-1 watches metric CISBenchmark/IAMPolicyChanges of filter cis-IAMPolicyChanges (alarm cis-IAMPolicyChanges watches CISBenchmark/IAMPolicyChanges in eu-west-1)")
	testing.equal(r.evidence, object.union(base, {"metric_filters": ["cis-IAMPolicyChanges"], "metrics": ["CISBenchmark/IAMPolicyChanges"]}))
}

test_fail_metric_math_alarm_does_not_count if {
	r := one(td.changed(key, td.alarm_patch(key, {"metric_name": null, "namespace": null})))
	testing.equal(r.message, "IAM policy changes not monitored: log group cloudtrail-logs (trail main): no alarm in us-east-1 watches metric CISBenchmark/IAMPolicyChanges of filter cis-IAMPolicyChanges")
}

test_fail_alarm_actions_disabled if {
	r := one(td.alarm_actions_disabled(key))
	testing.equal(r.message, "IAM policy changes not monitored: log group cloudtrail-logs (trail main): alarm cis-IAMPolicyChanges has actions disabled")
	testing.equal(r.evidence, object.union(base, {"alarms": ["cis-IAMPolicyChanges"]}))
}

test_fail_alarm_without_actions if {
	r := one(td.changed(key, td.alarm_patch(key, {"alarm_actions": []})))
	testing.equal(r.message, "IAM policy changes not monitored: log group cloudtrail-logs (trail main): alarm cis-IAMPolicyChanges notifies no SNS topic with a confirmed subscription (it has no actions)")
}

test_fail_alarm_action_not_a_known_topic if {
	other := "arn:aws:sns:us-east-1:999999999999:elsewhere"
	r := one(td.changed(key, td.alarm_patch(key, {"alarm_actions": [other]})))
	testing.equal(r.message, sprintf("IAM policy changes not monitored: log group cloudtrail-logs (trail main): alarm cis-IAMPolicyChanges notifies no SNS topic with a confirmed subscription (%s: not an SNS topic of this snapshot)", [other]))
}

test_fail_topic_without_subscriptions if {
	r := one(td.changed(key, td.topic_patch([])))
	testing.equal(r.message, sprintf("IAM policy changes not monitored: log group cloudtrail-logs (trail main): alarm cis-IAMPolicyChanges notifies no SNS topic with a confirmed subscription (%s: no subscriptions)", [topic]))
}

test_error_subscriptions_not_collected if {
	r := one(td.subscriptions_not_collected(key))
	testing.equal(r.status, "error")
	testing.equal(r.message, sprintf("IAM policy changes monitoring unknown: log group cloudtrail-logs (trail main): subscriptions of SNS topic %s (alarm cis-IAMPolicyChanges) were not collected", [topic]))
	testing.equal(r.evidence, object.union(base, {"alarms": ["cis-IAMPolicyChanges"], "sns_topics": [topic]}))
}

test_pass_confirmed_subscriber_among_pending_ones if {
	subs := [{"subscription_arn": "PendingConfirmation", "protocol": "email"}, {"subscription_arn": sprintf("%s:abc", [topic]), "protocol": "sqs"}]
	testing.equal(one(td.changed(key, td.topic_patch(subs))).status, "pass")
}

test_pass_ambiguous_filter_is_said if {
	r := one(td.ambiguous_filter(key))
	testing.equal(r.status, "pass")
	testing.equal(r.message, sprintf("IAM policy changes monitored: trail main → log group cloudtrail-logs → metric filter cis-IAMPolicyChanges → alarm cis-IAMPolicyChanges → SNS topic %s with a confirmed subscription; filter cis-IAMPolicyChanges mixes && and || without parentheses (CloudWatch Logs applies && first; parentheses would make that plain)", [topic]))
	testing.equal(r.evidence.ambiguous, true)
}

# Of two covering filters, the unambiguous one is named.
test_pass_prefers_unambiguous_filter if {
	inp := object.union(td.covered_by_other_filter(key), td.filter_facts(key, {"ambiguous": true, "misses": {key: td.misses([])}}))
	r := one(inp)
	testing.equal([r.evidence.metric_filter, r.evidence.ambiguous], ["team-alerts", false])
}

# --- several log groups, organization members -----------------------------------

second_trail := "arn:aws:cloudtrail:us-east-1:111111111111:trail/second"

# passing(key) plus a second qualifying trail delivering to a group with no filters.
two_groups(inp) := object.union(inp, {"account": {
	"trails": {second_trail: object.union(td.trail(td.account_id), {
		"name": "second", "arn": second_trail,
		"cloud_watch_logs_log_group_arn": "arn:aws:logs:us-east-1:111111111111:log-group:second:*",
	})},
	"log_groups": {"arn:aws:logs:us-east-1:111111111111:log-group:second": {
		"name": "second", "arn": "arn:aws:logs:us-east-1:111111111111:log-group:second", "region": "us-east-1",
		"metric_filters": [],
	}},
}})

test_pass_when_any_group_completes_the_chain if {
	testing.equal(one(two_groups(td.passing(key))).evidence.log_group, "cloudtrail-logs")
}

test_fail_explains_the_group_that_got_furthest if {
	r := one(two_groups(td.pending_subscription_only(key)))
	testing.equal([r.status, r.evidence.log_group], ["fail", "cloudtrail-logs"])
}

test_error_when_an_unjudgeable_group_might_pass if {
	inp := object.union(two_groups(td.pending_subscription_only(key)), {"account": {"log_groups": {"arn:aws:logs:us-east-1:111111111111:log-group:second": {"metric_filters": null}}}})
	r := one(inp)
	testing.equal([r.status, r.evidence.log_group], ["error", "second"])
}

test_pass_member_judged_in_management_account if {
	r := one(td.organization_member(key))
	testing.equal(r.resource, "AWS::::Account:555555555555")
	testing.equal(r.message, "IAM policy changes monitored: trail main → log group cloudtrail-logs → metric filter cis-IAMPolicyChanges → alarm cis-IAMPolicyChanges → SNS topic arn:aws:sns:us-east-1:444444444444:security-alerts with a confirmed subscription (judged in management account 444444444444, which holds the organization trail's log group)")
	testing.equal(r.evidence.judged_in_account, "444444444444")
}

# The member's DescribeTrails may show the organization trail without status
# or selectors; the owner's record in context has them.
test_pass_member_sees_organization_trail_only_in_context if {
	inp := object.union(json.remove(td.organization_member(key), ["account/trails"]), {
		"account": {"trails": {}},
		"context": {"organization_trails": {td.trail_arn(td.management_id): object.union(td.trail(td.management_id), {"account_id": td.management_id})}},
	})
	testing.equal(one(inp).status, "pass")
}

test_fail_member_chain_broken_in_management_account if {
	inp := object.union(td.organization_member(key), {"context": {"management_account": {"alarms": {td.alarm_arn(td.management_id, key): {"actions_enabled": false}}}}})
	r := one(inp)
	testing.equal(r.status, "fail")
	testing.equal(r.message, "IAM policy changes not monitored: log group cloudtrail-logs (trail main): alarm cis-IAMPolicyChanges has actions disabled (judged in management account 444444444444, which holds the organization trail's log group)")
}

test_error_member_without_management_account if {
	r := one(td.organization_member_without_management(key))
	testing.equal(r, {
		"status": "error", "resource": "AWS::::Account:555555555555", "region": null,
		"message": "IAM policy changes monitoring unknown: monitoring of organization trail main is in management account 444444444444, which this snapshot does not hold",
		"evidence": {"trails": ["main"], "log_group_arn": td.group_arn(td.management_id), "account_id": "444444444444"},
	})
}

test_error_member_when_management_account_calls_failed if {
	failure := {"service": "cloudwatch", "operation": "DescribeAlarms", "account_id": td.management_id, "region": "us-east-1", "resource": null, "error_code": "AccessDenied", "message": "denied", "kind": "failed"}
	inp := object.union(td.organization_member(key), {"context": {"management_account": {"errors": [failure]}}})
	r := one(inp)
	testing.equal([r.status, r.message], ["error", sprintf("IAM policy changes monitoring unknown: cannot judge log group %s: in account 444444444444, cloudwatch:DescribeAlarms failed (AccessDenied)", [td.group_arn(td.management_id)])])
}
