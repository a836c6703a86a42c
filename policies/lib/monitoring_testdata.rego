# Test inputs for the monitoring rules (policies/monitoring/*_test.rego and
# lib/monitoring_test.rego): a complete CIS chain for one key, and the same
# chain broken at each step, so each rule's tests stay one line each. Only
# tests use this package.
package trailaudit.lib.monitoring_testdata

import data.trailaudit.lib.metric_filters

account_id := "111111111111"

management_id := "444444444444"

_member_id := "555555555555"

_region := "us-east-1"

# Per key: the metric the CIS remediation names and an event a careless filter
# misses, as input.derived describes it.
_samples := {
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

_group_name := "cloudtrail-logs"

group_arn(owner) := sprintf("arn:aws:logs:us-east-1:%s:log-group:cloudtrail-logs", [owner])

topic_arn(owner) := sprintf("arn:aws:sns:us-east-1:%s:security-alerts", [owner])

alarm_arn(owner, key) := sprintf("arn:aws:cloudwatch:us-east-1:%s:alarm:cis-%s", [owner, _samples[key].metric])

_filter_name(key) := sprintf("cis-%s", [_samples[key].metric])

# A trail that qualifies for CIS 3.1 and delivers to the log group.
trail(owner) := {
	"name": "main", "arn": trail_arn(owner), "home_region": _region,
	"is_multi_region_trail": true, "is_organization_trail": owner != account_id,
	"cloud_watch_logs_log_group_arn": sprintf("%s:*", [group_arn(owner)]),
	"status": {"is_logging": true},
	"event_selectors": {"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": true, "DataResources": []}], "AdvancedEventSelectors": []},
}

# The log group, alarm and topic of a complete chain, as an account holds them.
_monitoring(owner, key) := {
	"log_groups": {group_arn(owner): {
		"name": _group_name, "arn": group_arn(owner), "region": _region,
		"metric_filters": [{
			"name": _filter_name(key), "pattern": "{ ($.eventName = X) }",
			"transformations": [{"metric_name": _samples[key].metric, "metric_namespace": "CISBenchmark", "metric_value": "1"}],
		}],
	}},
	"alarms": {alarm_arn(owner, key): {
		"name": sprintf("cis-%s", [_samples[key].metric]), "arn": alarm_arn(owner, key), "region": _region,
		"metric_name": _samples[key].metric, "namespace": "CISBenchmark",
		"actions_enabled": true, "alarm_actions": [topic_arn(owner)], "state": "OK",
	}},
	"sns_topics": {topic_arn(owner): {
		"arn": topic_arn(owner), "region": _region,
		"subscriptions": [{"subscription_arn": sprintf("%s:2d0072d4", [topic_arn(owner)]), "protocol": "email"}],
	}},
}

# The misses of a filter for one key as input.derived gives them: every one
# listed (the lists of these tests are short), and their number.
misses(listed) := {"listed": listed, "total": count(listed)}

# What Rust derives for that filter: it covers the key.
_derived(owner, key) := {"metric_filters": {group_arn(owner): {_filter_name(key): {"ambiguous": false, "misses": {key: misses([])}}}}}

# --- scenarios ---------------------------------------------------------------

passing(key) := _with_trails(key, {trail_arn(account_id): trail(account_id)})

_with_trails(key, trails) := {
	"metadata": {"collected_at": "2026-11-20T09:00:00Z", "partition": "aws"},
	"account": object.union({"account_id": account_id, "trails": trails}, _monitoring(account_id, key)),
	"errors": [],
	"context": {"organization_trails": {}, "trail_buckets": {}, "management_account": null},
	"derived": _derived(account_id, key),
}

# passing(key) with `patch` merged in (objects merge deeply, arrays replace).
changed(key, patch) := object.union(passing(key), patch)

account_patch(p) := {"account": p}

filter_facts(key, facts) := {"derived": {"metric_filters": {group_arn(account_id): {_filter_name(key): facts}}}}

alarm_patch(key, fields) := account_patch({"alarms": {alarm_arn(account_id, key): fields}})

no_trail(key) := _with_trails(key, {})

_trail_without_cloudwatch_logs(key) := changed(key, account_patch({"trails": {trail_arn(account_id): {"cloud_watch_logs_log_group_arn": null}}}))

_single_region_trail(key) := changed(key, account_patch({"trails": {trail_arn(account_id): {"is_multi_region_trail": false}}}))

_filter_misses_event(key) := changed(key, filter_facts(key, {"misses": {key: misses([_samples[key].missed])}}))

filter_does_not_parse(key) := changed(key, filter_facts(key, {"parse_error": "expected ')' at offset 12", "misses": {key: misses(["pattern does not parse"])}}))

no_metric_filters(key) := changed(key, account_patch({"log_groups": {group_arn(account_id): {"metric_filters": []}}}))

metric_filters_not_collected(key) := changed(key, account_patch({"log_groups": {group_arn(account_id): {"metric_filters": null}}}))

_alarm_on_other_namespace(key) := changed(key, alarm_patch(key, {"namespace": "LogMetrics"}))

_alarm_on_other_metric(key) := changed(key, alarm_patch(key, {"metric_name": "SomethingElse"}))

alarm_in_other_region(key) := changed(key, alarm_patch(key, {"region": "eu-west-1"}))

alarm_actions_disabled(key) := changed(key, alarm_patch(key, {"actions_enabled": false}))

topic_patch(subscriptions) := account_patch({"sns_topics": {topic_arn(account_id): {"subscriptions": subscriptions}}})

pending_subscription_only(key) := changed(key, topic_patch([{"subscription_arn": "PendingConfirmation", "protocol": "email"}]))

subscriptions_not_collected(key) := changed(key, topic_patch(null))

# The CIS filter misses an event, but a filter of another name, written
# differently, catches everything: the rule looks at what filters match, not
# at names or pattern text.
covered_by_other_filter(key) := object.union(_filter_misses_event(key), {
	"account": {"log_groups": {group_arn(account_id): {"metric_filters": [
		_monitoring(account_id, key).log_groups[group_arn(account_id)].metric_filters[0],
		{
			"name": "team-alerts", "pattern": "{ $.eventName = * }",
			"transformations": [{"metric_name": _samples[key].metric, "metric_namespace": "CISBenchmark"}],
		},
	]}}},
	"derived": {"metric_filters": {group_arn(account_id): {"team-alerts": {"ambiguous": false, "misses": {key: misses([])}}}}},
})

ambiguous_filter(key) := changed(key, filter_facts(key, {"ambiguous": true}))

# A member account recorded only by its organization's trail: the log group,
# alarm and topic live in the management account.
_member_input(key, management) := {
	"metadata": {"collected_at": "2026-11-20T09:00:00Z", "partition": "aws"},
	"account": {
		"account_id": _member_id, "organization": {"id": "o-a1b2c3d4e5", "management_account_id": management_id},
		"trails": {trail_arn(management_id): trail(management_id)},
		"log_groups": {}, "alarms": {}, "sns_topics": {},
	},
	"errors": [],
	"context": {"organization_trails": {}, "trail_buckets": {}, "management_account": management},
	"derived": _derived(management_id, key),
}

organization_member(key) := _member_input(key, object.union({"account_id": management_id}, _monitoring(management_id, key)))

organization_member_without_management(key) := _member_input(key, null)

# --- the derived chain, as trailaudit gives it -----------------------------
#
# input.derived.monitoring is computed in Rust (src/evaluate/derived/monitoring.rs).
# The same joins, written again here, give every test input the facts of its
# own log groups, alarms and topics, so a test changes the account and the
# facts follow. The Rust test `the_rego_test_datas_facts_are_what_rust_derives`
# checks that both give the same facts on every case of `cases`, for every key.

# `inp` with input.derived.monitoring replaced by the facts derived from it.
with_facts(inp) := object.union(json.remove(inp, ["derived/monitoring"]), {"derived": {"monitoring": m}}) if {
	m := _chains with input as inp
}

_holders[input.account.account_id] := input.account

_holders[m.account_id] := m if {
	m := input.context.management_account
	is_object(m)
	m.account_id != input.account.account_id
}

# Topics with a confirmed subscription (a real subscription ARN), in any holder.
_confirmed_topics contains arn if {
	some _, h in _holders
	some arn, t in object.get(h, "sns_topics", {})
	is_array(t.subscriptions)
	some s in t.subscriptions
	startswith(s.subscription_arn, "arn:")
}

# Log group ARN (naming its holder, filters read) -> key -> links.
_chains[g] := {key: _key_steps(key, fs, place, index, topics) | some key, _ in metric_filters.required_patterns} if {
	some id, h in _holders
	some g, group in object.get(h, "log_groups", {})
	split(g, ":")[4] == id
	fs := group.metric_filters
	is_array(fs)
	place := {
		"log_group": group,
		"alarms": object.get(h, "alarms", {}),
		"facts": object.get(object.get(object.get(input, "derived", {}), "metric_filters", {}), g, {}),
	}
	index := _group_index(fs, place)
	topics := _confirmed_topics
}

_group_index(fs, place) := {
	"covers": {name: {key | some key, m in misses; m.total == 0} | some f in fs; name := f.name; facts := place.facts[name]; misses := facts.misses},
	"analysed": {name: {key | some key, m in misses; is_number(m.total)} | some f in fs; name := f.name; facts := place.facts[name]; misses := facts.misses},
	"metrics": {name: {[tr.metric_namespace, tr.metric_name] | some tr in f.transformations} | some f in fs; name := f.name},
	"alarms": [[a.namespace, a.metric_name, arn] | some arn, a in place.alarms; a.region == region],
} if {
	region := place.log_group.region
}

_key_steps(key, fs, place, index, topics) := {
	"covering": covering,
	"unanalysed": {name | some f in fs; name := f.name; not key in object.get(analysed, name, set())},
	"metrics": metrics,
	"watching": watching,
	"enabled": enabled,
	"chains": {[ambiguous, w[0], w[1], action] |
		some w in enabled
		alarm := place.alarms[w[1]]
		some action in alarm.alarm_actions
		action in topics
		ambiguous := object.get(object.get(place.facts, w[0], {}), "ambiguous", false) == true
	},
} if {
	analysed := index.analysed
	published := index.metrics
	covering := {name | some name, keys in index.covers; key in keys}
	metrics := {[name, m[0], m[1]] | some name in covering; ms := published[name]; some m in ms}
	watching := {[m[0], w[2]] | some m in metrics; some w in index.alarms; w[0] == m[1]; w[1] == m[2]}
	enabled := {w | some w in watching; alarm := place.alarms[w[1]]; alarm.actions_enabled == true}
}

# --- the table every monitoring rule's tests run ----------------------------
#
# Each policies/monitoring/*_test.rego is one row: the rule's key and `what`,
# how its messages name what it watches. Every case below runs on every rule,
# and the rule must give exactly the one expected result (count, status,
# resource and message). A new monitoring rule needs only its row.

cases := {
	"pass": ["passing", "covered_by_other_filter", "organization_member", "ambiguous_filter"],
	"fail": [
		"no_trail", "trail_without_cloudwatch_logs", "single_region_trail",
		"filter_misses_event", "filter_does_not_parse", "no_metric_filters",
		"alarm_on_other_namespace", "alarm_on_other_metric", "alarm_in_other_region",
		"alarm_actions_disabled", "pending_subscription_only",
	],
	"error": ["organization_member_without_management", "metric_filters_not_collected", "subscriptions_not_collected"],
}

# The input of case `c` for `key`, with the facts trailaudit derives from it.
case_input(c, key) := with_facts(passing(key)) if c == "passing"

case_input(c, key) := with_facts(covered_by_other_filter(key)) if c == "covered_by_other_filter"

case_input(c, key) := with_facts(organization_member(key)) if c == "organization_member"

case_input(c, key) := with_facts(ambiguous_filter(key)) if c == "ambiguous_filter"

case_input(c, key) := with_facts(no_trail(key)) if c == "no_trail"

case_input(c, key) := with_facts(_trail_without_cloudwatch_logs(key)) if c == "trail_without_cloudwatch_logs"

case_input(c, key) := with_facts(_single_region_trail(key)) if c == "single_region_trail"

case_input(c, key) := with_facts(_filter_misses_event(key)) if c == "filter_misses_event"

case_input(c, key) := with_facts(filter_does_not_parse(key)) if c == "filter_does_not_parse"

case_input(c, key) := with_facts(no_metric_filters(key)) if c == "no_metric_filters"

case_input(c, key) := with_facts(_alarm_on_other_namespace(key)) if c == "alarm_on_other_namespace"

case_input(c, key) := with_facts(_alarm_on_other_metric(key)) if c == "alarm_on_other_metric"

case_input(c, key) := with_facts(alarm_in_other_region(key)) if c == "alarm_in_other_region"

case_input(c, key) := with_facts(alarm_actions_disabled(key)) if c == "alarm_actions_disabled"

case_input(c, key) := with_facts(pending_subscription_only(key)) if c == "pending_subscription_only"

case_input(c, key) := with_facts(organization_member_without_management(key)) if c == "organization_member_without_management"

case_input(c, key) := with_facts(metric_filters_not_collected(key)) if c == "metric_filters_not_collected"

case_input(c, key) := with_facts(subscriptions_not_collected(key)) if c == "subscriptions_not_collected"

_account_resource(id) := sprintf("AWS::::Account:%s", [id])

# The complete chain's wording, through filter `filter` to the topic of `owner`.
_chain(key, filter, owner) := sprintf(
	"trail main → log group cloudtrail-logs → metric filter %s → alarm %s → SNS topic %s with a confirmed subscription",
	[filter, _filter_name(key), topic_arn(owner)],
)

_no_trail_message(what, why) := sprintf(
	"%s not monitored: no logging multi-region trail recording read and write management events delivers to CloudWatch Logs (%s)",
	[what, why],
)

_no_filter_message(what, why) := sprintf(
	"%s not monitored: log group cloudtrail-logs (trail main) has no metric filter catching every event of the CIS pattern; %s",
	[what, why],
)

_no_alarm_message(key, what, tail) := sprintf(
	"%s not monitored: log group cloudtrail-logs (trail main): no alarm in us-east-1 watches metric CISBenchmark/%s of filter %s%s",
	[what, _samples[key].metric, _filter_name(key), tail],
)

_in_group(what, text) := sprintf("%s not monitored: log group cloudtrail-logs (trail main): %s", [what, text])

# Case -> [status, account, message] for the rule of `key` whose messages name `what`.
_expected(key, what) := {
	"passing": ["pass", account_id, sprintf("%s monitored: %s", [what, _chain(key, _filter_name(key), account_id)])],
	"covered_by_other_filter": ["pass", account_id, sprintf("%s monitored: %s", [what, _chain(key, "team-alerts", account_id)])],
	"organization_member": ["pass", _member_id, sprintf(
		"%s monitored: %s (judged in management account %s, which holds the organization trail's log group)",
		[what, _chain(key, _filter_name(key), management_id), management_id],
	)],
	"ambiguous_filter": ["pass", account_id, sprintf(
		"%s monitored: %s; filter %s mixes && and || without parentheses (CloudWatch Logs applies && first; parentheses would make that plain)",
		[what, _chain(key, _filter_name(key), account_id), _filter_name(key)],
	)],
	"no_trail": ["fail", account_id, _no_trail_message(what, "no trail records this account")],
	"trail_without_cloudwatch_logs": ["fail", account_id, _no_trail_message(what, "trail main: no CloudWatch Logs group")],
	"single_region_trail": ["fail", account_id, _no_trail_message(what, "trail main: single-region")],
	"filter_misses_event": ["fail", account_id, _no_filter_message(what, sprintf(
		"closest filter %s misses 1 event(s): %s",
		[_filter_name(key), _samples[key].missed],
	))],
	"filter_does_not_parse": ["fail", account_id, _no_filter_message(what, sprintf(
		"closest filter %s does not parse: expected ')' at offset 12",
		[_filter_name(key)],
	))],
	"no_metric_filters": ["fail", account_id, _no_filter_message(what, "it has no metric filters")],
	"alarm_on_other_namespace": ["fail", account_id, _no_alarm_message(key, what, sprintf(
		" (alarm %s watches LogMetrics/%s in us-east-1)",
		[_filter_name(key), _samples[key].metric],
	))],
	"alarm_on_other_metric": ["fail", account_id, _no_alarm_message(key, what, "")],
	"alarm_in_other_region": ["fail", account_id, _no_alarm_message(key, what, sprintf(
		" (alarm %s watches CISBenchmark/%s in eu-west-1)",
		[_filter_name(key), _samples[key].metric],
	))],
	"alarm_actions_disabled": ["fail", account_id, _in_group(what, sprintf("alarm %s has actions disabled", [_filter_name(key)]))],
	"pending_subscription_only": ["fail", account_id, _in_group(what, sprintf(
		"alarm %s notifies no SNS topic with a confirmed subscription (%s: only subscriptions pending confirmation)",
		[_filter_name(key), topic_arn(account_id)],
	))],
	"organization_member_without_management": ["error", _member_id, sprintf(
		"%s monitoring unknown: monitoring of organization trail main is in management account %s, which this snapshot does not hold",
		[what, management_id],
	)],
	"metric_filters_not_collected": ["error", account_id, sprintf(
		"%s monitoring unknown: metric filters of log group cloudtrail-logs (trail main) were not collected",
		[what],
	)],
	"subscriptions_not_collected": ["error", account_id, sprintf(
		"%s monitoring unknown: log group cloudtrail-logs (trail main): subscriptions of SNS topic %s (alarm %s) were not collected",
		[what, topic_arn(account_id), _filter_name(key)],
	)],
}

# `got` maps each case of `status` to the rule's results on its input: every
# case must be there (a case whose results are undefined is missing) and give
# exactly one result with the expected status, resource and message. Prints the
# cases that differ.
cases_hold(key, what, status, got) if {
	object.keys(got) == {c | some c in cases[status]}
	want := _expected(key, what)
	wrong := {c: rs |
		some c, rs in got
		not _one_result(rs, want[c])
	}
	count(wrong) == 0
} else := false if {
	missing := {c | some c in cases[status]} - object.keys(got)
	count(missing) > 0
	print("cases without results:", missing)
} else := false if {
	want := _expected(key, what)
	some c, rs in got
	not _one_result(rs, want[c])
	print("case", c, "got:", rs)
	print("case", c, "want:", want[c])
}

_one_result(rs, want) if {
	count(rs) == 1
	some r in rs
	[r.status, r.resource, r.message] == [want[0], _account_resource(want[1]), want[2]]
}
