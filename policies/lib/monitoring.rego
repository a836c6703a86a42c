# The CIS monitoring chain (CIS AWS Foundations v3.0/v4.0/v5.0 4.1–4.15,
# Security Hub CloudWatch.1–14), worked out here once so every rule of
# policies/monitoring/ is METADATA plus `results := monitoring.results(key)`.
#
# The audit steps every CIS version gives, in order:
#   (1) a trail recording this account qualifies (logging, multi-region, read
#       and write management events) and delivers to a CloudWatch Logs group;
#   (2) that group has a metric filter catching every event the CIS pattern
#       catches. Rego cannot parse filter patterns, so trailaudit does it in
#       Rust and passes the verdict as input.derived.metric_filters[group][filter]
#       (`misses[key]` empty = covered; see src/policy/derived.rs and the
#       canonical patterns in lib/metric_filters.rego);
#   (3) an alarm watches the filter's metric, name AND namespace, in the log
#       group's account and region (metrics are regional), actions enabled;
#   (4) one of its actions is an SNS topic with a confirmed subscription (a
#       real subscription ARN, not `PendingConfirmation`).
#
# A member account recorded by its organization's trail is monitored where
# that trail's log group lives, the management account: the chain is then
# judged in input.context.management_account. When that account is not in the
# snapshot, nothing settles the question and the result is an error.
#
# A failed call in this account turns the results into errors through
# `custom.requires`; data of the management account that was not collected
# (null metric filters or subscriptions, its `errors` when present) is
# checked here, since the Rust side only applies this account's failures.
package trailaudit.lib.monitoring

import data.trailaudit.lib.result
import data.trailaudit.lib.trails

# What each required-pattern key watches, for messages.
labels := {
	"unauthorized_api_calls": "unauthorized API calls",
	"console_signin_without_mfa": "console sign-in without MFA",
	"root_usage": "usage of the root user",
	"iam_policy_changes": "IAM policy changes",
	"cloudtrail_changes": "CloudTrail configuration changes",
	"console_auth_failures": "console authentication failures",
	"cmk_disable_or_deletion": "disabling or scheduled deletion of customer managed KMS keys",
	"s3_bucket_policy_changes": "S3 bucket policy changes",
	"config_changes": "AWS Config configuration changes",
	"security_group_changes": "security group changes",
	"security_group_changes_v5": "security group changes (CIS v5.0, with ModifySecurityGroupRules)",
	"nacl_changes": "network ACL changes",
	"network_gateway_changes": "network gateway changes",
	"route_table_changes": "route table changes",
	"vpc_changes": "VPC changes",
	"organizations_changes": "AWS Organizations changes",
}

# Calls whose failure in the management account leaves the chain unsettled
# (this account's own failures are handled by `custom.requires`).
chain_calls := {
	"logs:DescribeLogGroups", "logs:DescribeMetricFilters",
	"cloudwatch:DescribeAlarms", "sns:ListSubscriptionsByTopic",
}

# --- whose data ------------------------------------------------------------

management := m if {
	m := input.context.management_account
	is_object(m)
	m.account_id != input.account.account_id
}

# Accounts whose log groups, alarms and topics this input holds, by id.
holders[input.account.account_id] := input.account

holders[m.account_id] := m if m := management

# --- step 1: qualifying trails delivering to CloudWatch Logs ----------------

group_arn(t) := trim_suffix(arn, ":*") if {
	arn := trails.full(t).cloud_watch_logs_log_group_arn
	is_string(arn)
}

# Log group ARN (no `:*`) -> names of the qualifying trails delivering to it.
groups[g] := sort(names) if {
	some g in {group_arn(t) | some t in trails.recording; trails.qualifying(t)}
	names := [t.name | some t in trails.recording; trails.qualifying(t); group_arn(t) == g]
}

# Why a trail recording this account does not start a chain.
trail_gaps(t) := array.concat(
	array.concat(["not logging" | not trails.logging(t)], ["single-region" | not t.is_multi_region_trail]),
	array.concat(
		["not recording read and write management events" | not trails.records_management_read_write(t)],
		["no CloudWatch Logs group" | not group_arn(t)],
	),
)

no_trail_reason := "no logging multi-region trail recording read and write management events delivers to CloudWatch Logs"

# Step 1 failed: what each trail recording this account lacks.
no_trail_message := sprintf("%s (%s)", [no_trail_reason, concat("; ", details)]) if {
	details := [sprintf("trail %s: %s", [t.name, concat(", ", trail_gaps(t))]) | some t in trails.recording]
	count(details) > 0
} else := sprintf("%s (no trail records this account)", [no_trail_reason])

no_trail_evidence := {"trails": {t.name: trail_gaps(t) | some t in trails.recording}}

# --- steps 2-4, per log group ------------------------------------------------

holder_id(g) := trails.arn_account(g)

log_group(g) := holders[holder_id(g)].log_groups[g]

facts(g, name) := input.derived.metric_filters[g][name]

# Rules below are keyed by [key, log group] and computed once per account for
# every key, so that the 16 rules share the work (functions are not cached).

# The metric filters of each group; absent when DescribeMetricFilters failed
# (`null`): a verdict of its own, never "no filters".
filters[g] := f if {
	some g, _ in groups
	f := log_group(g).metric_filters
	is_array(f)
}

# Names of the filters that catch every event of the key's CIS pattern.
covering[[key, g]] := {f.name | some f in fs; facts(g, f.name).misses[key] == []} if {
	some key, _ in labels
	some g, fs in filters
}

# Names of the filters trailaudit did not analyse (no input.derived facts).
unanalysed[[key, g]] := {f.name | some f in fs; not is_array(facts(g, f.name).misses[key])} if {
	some key, _ in labels
	some g, fs in filters
}

# Metrics published by covering filters: [filter, namespace, metric name].
metrics[[key, g]] := {[f.name, tr.metric_namespace, tr.metric_name] |
	some f in filters[g]
	f.name in names
	some tr in f.transformations
} if {
	some [key, g], names in covering
}

alarms(g) := a if {
	a := holders[holder_id(g)].alarms
	is_object(a)
} else := {}

alarm(g, arn) := alarms(g)[arn]

# Alarms of the group's account and region on those metrics: [filter, alarm ARN].
watching[[key, g]] := {[m[0], arn] |
	region := log_group(g).region
	some m in ms
	some arn, a in alarms(g)
	a.metric_name == m[2]
	a.namespace == m[1]
	a.region == region
} if {
	some [key, g], ms in metrics
}

enabled[[key, g]] := {w | some w in ws; alarm(g, w[1]).actions_enabled == true} if {
	some [key, g], ws in watching
}

topic(g, arn) := holders[holder_id(g)].sns_topics[arn]

# `null` when ListSubscriptionsByTopic failed.
subscriptions(g, arn) := s if {
	s := topic(g, arn).subscriptions
	is_array(s)
}

confirmed(s) if startswith(s.subscription_arn, "arn:")

# Topics with a confirmed subscription, by topic ARN, built once.
confirmed_topics contains arn if {
	some _, h in holders
	some arn, t in object.get(h, "sns_topics", {})
	is_array(t.subscriptions)
	some s in t.subscriptions
	confirmed(s)
}

# Complete chains: [ambiguous filter?, filter, alarm ARN, topic ARN]; sorted,
# unambiguous filters come first.
chains[[key, g]] := {[ambiguous, w[0], w[1], action] |
	some w in ws
	some action in alarm(g, w[1]).alarm_actions
	action in confirmed_topics
	ambiguous := object.get(facts(g, w[0]), "ambiguous", false) == true
} if {
	some [key, g], ws in enabled
}

# --- explanations (computed only for the failures that need them) -------------

# The filter nearest to covering: parsable before unparsable, then fewest
# misses, then the simplest ones (a filter missing `eventName=X` is nearer than
# one missing `eventName=X, errorCode=<other>` for as many events).
closest(key, g) := ranked[0][3] if {
	ranked := sort([[unparsable, miss_count(m), sum([count(d) | some d in listed(m)]), f.name] |
		some f in filters[g]
		m := facts(g, f.name).misses[key]
		is_array(m)
		unparsable := is_string(object.get(facts(g, f.name), "parse_error", null))
	])
	count(ranked) > 0
}

# trailaudit lists at most a dozen misses per filter; the last entry then
# reads "… and N more".
more_prefix := "… and "

more(m) := to_number(trim_suffix(trim_prefix(m[count(m) - 1], more_prefix), " more")) if {
	count(m) > 0
	startswith(m[count(m) - 1], more_prefix)
}

listed(m) := array.slice(m, 0, count(m) - 1) if more(m) else := m

miss_count(m) := count(listed(m)) + more(m) if more(m) else := count(m)

shown_misses := 5

# Events are separated by `; `: one event's description may hold commas.
misses_text(m) := concat("; ", listed(m)) if {
	miss_count(m) <= shown_misses
} else := sprintf("%s; and %d more", [concat("; ", array.slice(listed(m), 0, shown_misses)), miss_count(m) - shown_misses])

closest_detail(key, g) := "it has no metric filters" if {
	count(filters[g]) == 0
} else := sprintf("closest filter %s does not parse: %s", [name, err]) if {
	name := closest(key, g)
	err := facts(g, name).parse_error
	is_string(err)
} else := sprintf("closest filter %s misses %d event(s): %s", [name, miss_count(m), misses_text(m)]) if {
	name := closest(key, g)
	m := facts(g, name).misses[key]
}

closest_evidence(key, g) := {"closest_filter": name, "misses": facts(g, name).misses[key]} if {
	name := closest(key, g)
} else := {}

metric_texts(key, g) := sort({sprintf("%s/%s", [m[1], m[2]]) | some m in metrics[[key, g]]})

alarm_names(g, ws) := sort({alarm(g, w[1]).name | some w in ws})

# Alarms on the metric name in another namespace or region: the usual
# mistakes, named in a failure.
near_alarms(key, g) := sort({sprintf("alarm %s watches %s/%s in %s", [a.name, a.namespace, a.metric_name, a.region]) |
	some m in metrics[[key, g]]
	some a in alarms(g)
	a.metric_name == m[2]
	not [m[0], a.arn] in watching[[key, g]]
})

near_text(key, g) := sprintf(" (%s)", [concat("; ", near_alarms(key, g))]) if {
	count(near_alarms(key, g)) > 0
} else := ""

actions(key, g) := {action | some w in enabled[[key, g]]; some action in alarm(g, w[1]).alarm_actions}

# Why an alarm action reaches nobody.
action_gap(g, action) := "not an SNS topic of this snapshot" if {
	not topic(g, action)
} else := "subscriptions not collected" if {
	not subscriptions(g, action)
} else := "no subscriptions" if {
	count(subscriptions(g, action)) == 0
} else := "only subscriptions pending confirmation"

action_gaps(key, g) := "it has no actions" if {
	count(actions(key, g)) == 0
} else := concat("; ", sort({sprintf("%s: %s", [a, action_gap(g, a)]) | some a in actions(key, g)}))

uncollected_topics(key, g) := sort({a | some a in actions(key, g); topic(g, a); not subscriptions(g, a)})

# Failed chain calls recorded in the management account, when it carries its errors.
holder_failures[g] := sort({sprintf("%s:%s failed (%s)", [e.service, e.operation, e.error_code]) |
	some e in object.get(holders[holder_id(g)], "errors", [])
	object.get(e, "kind", "failed") == "failed"
	sprintf("%s:%s", [e.service, e.operation]) in chain_calls
}) if {
	some g, _ in groups
	holder_id(g) != input.account.account_id
}

failures(g) := holder_failures[g] if {
	count(holder_failures[g]) > 0
}

where(g) := sprintf("log group %s (trail %s)", [log_group(g).name, concat(", ", groups[g])])

base(g) := object.union({"trails": groups[g], "log_group": log_group(g).name, "log_group_arn": g}, org_evidence(g))

org_evidence(g) := {"judged_in_account": holder_id(g)} if {
	holder_id(g) != input.account.account_id
} else := {}

verdict(status, rank, message, evidence) := {"status": status, "rank": rank, "message": message, "evidence": evidence}

# --- one verdict per key and log group ----------------------------------------

# The first failing step, or the completed chain. `rank` says how far the
# chain got, to pick the most telling group.
verdicts[[key, g]] := group_verdict(key, g) if {
	some key, _ in labels
	some g, _ in groups
}

group_verdict(key, g) := verdict("error", 2, msg, {"trails": groups[g], "log_group_arn": g, "account_id": holder_id(g)}) if {
	not holders[holder_id(g)]
	msg := sprintf("monitoring of organization trail %s is in management account %s, which this snapshot does not hold", [concat(", ", groups[g]), holder_id(g)])
} else := verdict("error", 2, msg, {"trails": groups[g], "log_group_arn": g, "account_id": holder_id(g)}) if {
	failures(g)
	msg := sprintf("cannot judge log group %s: in account %s, %s", [g, holder_id(g), concat(", ", failures(g))])
} else := verdict("fail", 2, msg, {"trails": groups[g], "log_group_arn": g}) if {
	not log_group(g)
	msg := sprintf("log group %s, where trail %s delivers, does not exist", [g, concat(", ", groups[g])])
} else := verdict("error", 3, sprintf("metric filters of %s were not collected", [where(g)]), base(g)) if {
	not filters[g]
} else := verdict("error", 3, msg, object.union(base(g), {"unanalysed_filters": sort(unanalysed[[key, g]])})) if {
	count(covering[[key, g]]) == 0
	count(unanalysed[[key, g]]) > 0
	msg := sprintf("%s: %d metric filter(s) were not analysed for %s (no input.derived facts)", [where(g), count(unanalysed[[key, g]]), key])
} else := verdict("fail", 3, msg, object.union(base(g), closest_evidence(key, g))) if {
	count(covering[[key, g]]) == 0
	msg := sprintf("%s has no metric filter catching every event of the CIS pattern; %s", [where(g), closest_detail(key, g)])
} else := alarm_verdict(key, g)

# The steps after the filter: alarm, actions, subscribers. A function of its
# own so each chain compiles within the bytecode VM's register window.
alarm_verdict(key, g) := verdict("fail", 4, msg, object.union(base(g), {"metric_filters": sort(covering[[key, g]]), "metrics": metric_texts(key, g)})) if {
	count(watching[[key, g]]) == 0
	msg := sprintf("%s: no alarm in %s watches metric %s of filter %s%s", [where(g), log_group(g).region, concat(", ", metric_texts(key, g)), concat(", ", sort(covering[[key, g]])), near_text(key, g)])
} else := verdict("fail", 5, msg, object.union(base(g), {"alarms": alarm_names(g, watching[[key, g]])})) if {
	count(enabled[[key, g]]) == 0
	msg := sprintf("%s: alarm %s has actions disabled", [where(g), concat(", ", alarm_names(g, watching[[key, g]]))])
} else := verdict("error", 6, msg, object.union(base(g), {"alarms": alarm_names(g, enabled[[key, g]]), "sns_topics": uncollected_topics(key, g)})) if {
	count(chains[[key, g]]) == 0
	count(uncollected_topics(key, g)) > 0
	msg := sprintf("%s: subscriptions of SNS topic %s (alarm %s) were not collected", [where(g), concat(", ", uncollected_topics(key, g)), concat(", ", alarm_names(g, enabled[[key, g]]))])
} else := verdict("fail", 6, msg, object.union(base(g), {"alarms": alarm_names(g, enabled[[key, g]])})) if {
	count(chains[[key, g]]) == 0
	msg := sprintf("%s: alarm %s notifies no SNS topic with a confirmed subscription (%s)", [where(g), concat(", ", alarm_names(g, enabled[[key, g]])), action_gaps(key, g)])
} else := verdict("pass", 7, msg, object.union(base(g), {"metric_filter": c[1], "ambiguous": c[0], "alarm": name, "alarm_arn": c[2], "sns_topic": c[3]})) if {
	c := sort(chains[[key, g]])[0]
	name := alarm(g, c[2]).name
	msg := sprintf("trail %s → log group %s → metric filter %s → alarm %s → SNS topic %s with a confirmed subscription%s", [concat(", ", groups[g]), log_group(g).name, c[1], name, c[3], ambiguity_note(c)])
}

ambiguity_note(c) := sprintf("; filter %s mixes && and || without parentheses (CloudWatch Logs applies && first; parentheses would make that plain)", [c[1]]) if {
	c[0]
} else := ""

org_note(g) := sprintf(" (judged in management account %s, which holds the organization trail's log group)", [holder_id(g)]) if {
	holder_id(g) != input.account.account_id
	holders[holder_id(g)]
	not failures(g)
} else := ""

# --- the verdict for the account -----------------------------------------------

# A completed chain through any group passes; otherwise a group that cannot
# be judged (it might pass) makes an error; otherwise the group whose chain got
# furthest explains the failure.
status_order := {"pass": 0, "error": 1, "fail": 2}

status_words := {"pass": "monitored", "fail": "not monitored", "error": "monitoring unknown"}

account_results[key] := {r} if {
	some key, label in labels
	count(groups) == 0
	r := result.fail(result.account, sprintf("%s not monitored: %s", [label, no_trail_message]), no_trail_evidence)
}

account_results[key] := {r} if {
	some key, label in labels
	ranked := sort([[status_order[v.status], 0 - v.rank, g, v] | some [k, g], v in verdicts; k == key])
	count(ranked) > 0
	v := ranked[0][3]
	message := sprintf("%s %s: %s%s", [label, status_words[v.status], v.message, org_note(ranked[0][2])])
	r := object.union(result.account, {"status": v.status, "message": message, "evidence": v.evidence})
}

# The `results` of the rule for `key`: one result for the account.
results(key) := account_results[key]
