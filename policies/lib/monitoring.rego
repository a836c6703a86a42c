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
#       (`misses[key]` empty = covered; see src/evaluate/derived/mod.rs and the
#       canonical patterns in lib/metric_filters.rego);
#   (3) an alarm watches the filter's metric, name AND namespace, in the log
#       group's account and region (metrics are regional), actions enabled;
#   (4) one of its actions is an SNS topic with a confirmed subscription (a
#       real subscription ARN, not `PendingConfirmation`).
# Which links of steps 2-4 exist is derived in Rust (input.derived.monitoring,
# `_steps` below); this library decides what they mean and says why.
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
_labels := {
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
_chain_calls := {
	"logs:DescribeLogGroups", "logs:DescribeMetricFilters",
	"cloudwatch:DescribeAlarms", "sns:ListSubscriptionsByTopic",
}

# --- whose data ------------------------------------------------------------

_management := m if {
	m := input.context.management_account
	is_object(m)
	m.account_id != input.account.account_id
}

# Accounts whose log groups, alarms and topics this input holds, by id.
_holders[input.account.account_id] := input.account

_holders[m.account_id] := m if m := _management

# --- step 1: qualifying trails delivering to CloudWatch Logs ----------------

_group_arn(t) := trim_suffix(arn, ":*") if {
	arn := trails.full(t).cloud_watch_logs_log_group_arn
	is_string(arn)
}

# Qualifying trail ARN -> the log group ARN (no `:*`) it delivers to.
_qualifying_groups[arn] := g if {
	some arn, t in trails.recording
	trails.qualifying(t)
	g := _group_arn(t)
}

# Log group ARN (no `:*`) -> names of the qualifying trails delivering to it.
_groups[g] := sort(names) if {
	some g in {h | some _, h in _qualifying_groups}
	recording := trails.recording
	names := [recording[arn].name | some arn, h in _qualifying_groups; h == g]
}

# Why a trail recording this account does not start a chain.
_trail_gaps(t) := array.concat(
	array.concat(["not logging" | not trails.logging(t)], ["single-region" | not t.is_multi_region_trail]),
	array.concat(
		["not recording read and write management events" | not trails.records_management_read_write(t)],
		["no CloudWatch Logs group" | not _group_arn(t)],
	),
)

_no_trail_reason := "no logging multi-region trail recording read and write management events delivers to CloudWatch Logs"

# Step 1 failed: what each trail recording this account lacks.
_no_trail_message := sprintf("%s (%s)", [_no_trail_reason, concat("; ", details)]) if {
	details := [sprintf("trail %s: %s", [t.name, concat(", ", _trail_gaps(t))]) | some t in trails.recording]
	count(details) > 0
} else := sprintf("%s (no trail records this account)", [_no_trail_reason])

# The one cause the 16 rules share when no chain can start: reports show
# their failures as one finding (`cause.id` groups them; see
# src/report/triage_order.rs) whose fix is that of the rules named in
# `fixed_by` (a logging multi-region trail, delivering to CloudWatch Logs),
# before each rule's own metric filter, alarm and subscriber.
no_trail_cause := {
	"id": "no-trail-to-cloudwatch-logs",
	"title": "no trail delivers to CloudWatch Logs",
	"detail": _no_trail_message,
	"fixed_by": ["CT-001", "CT-003"],
}

# What the 16 rules share when a log group's metric filters were not read:
# one finding of errors in the reports.
_filters_not_collected_cause(g, msg) := {
	"id": sprintf("metric-filters-not-collected:%s", [g]),
	"title": "metric filters not collected",
	"detail": msg,
	"fixed_by": [],
}

_no_trail_evidence := {"trails": {t.name: _trail_gaps(t) | some t in trails.recording}, "cause": no_trail_cause}

# --- steps 2-4, per log group ------------------------------------------------
#
# Everything below is computed once per account and shared by the 16 rules.
# It is shaped for regorus, which caches no function call and pays for every
# lookup into a rule by key: per-group facts are read once (`_places`, `_steps`)
# and handed to the functions that explain a verdict, instead of being looked
# up again by [key, group] (bench/README.md, "Rego shapes").

_holder_id(g) := trails.arn_account(g)

# What the chain of log group g needs from the account that holds it: the
# log group record (absent when it does not exist), the alarms, the SNS topics
# and the derived facts of its filters.
_places[g] := place if {
	some g, _ in _groups
	id := _holder_id(g)
	holder := object.get(_holders, id, null)
	place := {
		"holder_id": id,
		"held": holder != null,
		"log_group": object.get(_holder_map(holder, "log_groups"), g, null),
		"alarms": _holder_map(holder, "alarms"),
		"sns_topics": _holder_map(holder, "sns_topics"),
		"facts": object.get(object.get(object.get(input, "derived", {}), "metric_filters", {}), g, {}),
	}
}

# One of the holder's maps (log groups, alarms, topics), {} when it is absent
# or was not collected (null).
_holder_map(holder, name) := m if {
	m := holder[name]
	is_object(m)
} else := {}

# The metric filters of each group; absent when DescribeMetricFilters failed
# (`null`): a verdict of its own, never "no filters".
_filters[g] := f if {
	some g, place in _places
	f := place.log_group.metric_filters
	is_array(f)
}

# Group ARN -> key -> the links of the chain that exist, derived in Rust once
# per account (input.derived.monitoring, src/evaluate/derived/monitoring.rs;
# docs/writing-rules.md, "The monitoring chain"): joining 16 keys × filters ×
# metrics × alarms × topics here was most of an account's evaluation. Each is
# a set:
#   covering:   names of the filters catching every event of the key's CIS pattern;
#   unanalysed: names of the filters trailaudit did not analyse (no input.derived facts);
#   metrics:    [filter, namespace, metric name] published by covering filters;
#   watching:   [filter, alarm ARN] of the alarms on those metrics in the log
#               group's account and region (metrics are regional);
#   enabled:    those of `watching` whose alarm has actions enabled;
#   chains:     complete chains [ambiguous filter?, filter, alarm ARN, topic ARN]
#               to a topic with a confirmed subscription (sorted, unambiguous
#               filters come first).
# Given for every log group whose ARN names its holder and whose metric
# filters were read; which link is missing, and what that means, is judged below.
_steps := object.get(object.get(input, "derived", {}), "monitoring", {})

# --- explanations (computed only for the failures that need them) -------------

# The filter nearest to covering: parsable before unparsable, then fewest
# misses, then the simplest ones (a filter missing `eventName=X` is nearer than
# one missing `eventName=X, errorCode=<other>` for as many events).
_closest(key, fs, place) := ranked[0][3] if {
	ranked := sort([[unparsable, _miss_count(m), sum([count(d) | some d in _listed(m)]), f.name] |
		some f in fs
		facts := place.facts[f.name]
		m := facts.misses[key]
		is_number(m.total)
		unparsable := is_string(object.get(facts, "parse_error", null))
	])
	count(ranked) > 0
}

# trailaudit lists the first misses of a filter (`_listed`, at most a dozen)
# and counts them all (`total`): input.derived.metric_filters, src/evaluate/derived.rs.
_listed(m) := m.listed

_miss_count(m) := m.total

# The misses as evidence: the listed ones, then how many more there are.
_misses_evidence(m) := m.listed if {
	m.total == count(m.listed)
} else := array.concat(m.listed, [sprintf("… and %d more", [m.total - count(m.listed)])])

_shown_misses := 5

# Events are separated by `; `: one event's description may hold commas.
_misses_text(m) := concat("; ", _listed(m)) if {
	_miss_count(m) <= _shown_misses
} else := sprintf("%s; and %d more", [concat("; ", array.slice(_listed(m), 0, _shown_misses)), _miss_count(m) - _shown_misses])

_closest_detail(key, fs, place) := "it has no metric filters" if {
	count(fs) == 0
} else := sprintf("closest filter %s does not parse: %s", [name, err]) if {
	name := _closest(key, fs, place)
	facts := place.facts[name]
	err := facts.parse_error
	is_string(err)
} else := sprintf("closest filter %s misses %d event(s): %s", [name, _miss_count(m), _misses_text(m)]) if {
	name := _closest(key, fs, place)
	facts := place.facts[name]
	m := facts.misses[key]
}

# (Lookups bound in the body: regorus reads an indexed lookup in a function's
# head as an iteration.)
_closest_evidence(key, fs, place) := {"closest_filter": name, "misses": misses} if {
	name := _closest(key, fs, place)
	facts := place.facts[name]
	misses := _misses_evidence(facts.misses[key])
} else := {}

_metric_texts(st) := sort({sprintf("%s/%s", [m[1], m[2]]) | some m in st.metrics})

_alarm_names(place, ws) := sort({place.alarms[w[1]].name | some w in ws})

# Alarms on the metric name in another namespace or region: the usual
# mistakes, named in a failure.
_near_alarms(st, place) := sort({sprintf("alarm %s watches %s/%s in %s", [a.name, a.namespace, a.metric_name, a.region]) |
	some m in st.metrics
	some a in place.alarms
	a.metric_name == m[2]
	not [m[0], a.arn] in st.watching
})

_near_text(st, place) := sprintf(" (%s)", [concat("; ", _near_alarms(st, place))]) if {
	count(_near_alarms(st, place)) > 0
} else := ""

_actions(st, place) := {action | some w in st.enabled; some action in place.alarms[w[1]].alarm_actions}

_topic(place, arn) := place.sns_topics[arn]

# `null` when ListSubscriptionsByTopic failed.
_subscriptions(place, arn) := s if {
	s := _topic(place, arn).subscriptions
	is_array(s)
}

# Why an alarm action reaches nobody.
_action_gap(place, action) := "not an SNS topic of this snapshot" if {
	not _topic(place, action)
} else := "subscriptions not collected" if {
	not _subscriptions(place, action)
} else := "no subscriptions" if {
	count(_subscriptions(place, action)) == 0
} else := "only subscriptions pending confirmation"

_action_gaps(st, place) := "it has no actions" if {
	count(_actions(st, place)) == 0
} else := concat("; ", sort({sprintf("%s: %s", [a, _action_gap(place, a)]) | some a in _actions(st, place)}))

_uncollected_topics(st, place) := sort({a | some a in _actions(st, place); _topic(place, a); not _subscriptions(place, a)})

# Failed chain calls recorded in the management account, when it carries its errors.
_holder_failures[g] := sort({sprintf("%s:%s failed (%s)", [e.service, e.operation, e.error_code]) |
	some e in object.get(_holders[_holder_id(g)], "errors", [])
	object.get(e, "kind", "failed") in {"failed", "throttled"}
	sprintf("%s:%s", [e.service, e.operation]) in _chain_calls
}) if {
	some g, _ in _groups
	_holder_id(g) != input.account.account_id
}

_failures(g) := _holder_failures[g] if {
	count(_holder_failures[g]) > 0
}

_where(g, names, place) := sprintf("log group %s (trail %s)", [place.log_group.name, concat(", ", names)])

_base(g, names, place) := object.union({"trails": names, "log_group": place.log_group.name, "log_group_arn": g}, _org_evidence(place))

_org_evidence(place) := {"judged_in_account": place.holder_id} if {
	place.holder_id != input.account.account_id
} else := {}

_verdict(status, rank, message, evidence) := {"status": status, "rank": rank, "message": message, "evidence": evidence}

# --- one verdict per key and log group ----------------------------------------

# Key -> log group ARN -> the first failing step, or the completed chain.
# `rank` says how far the chain got, to pick the most telling group.
_verdicts := {key: {g: _group_verdict(key, g, names, all_places[g], object.get(object.get(all_steps, g, {}), key, {})) |
	some g, names in _groups
} |
	some key, _ in _labels
	all_places := _places
	all_steps := _steps
}

_group_verdict(key, g, names, place, st) := _verdict("error", 2, msg, {"trails": names, "log_group_arn": g, "account_id": place.holder_id}) if {
	not place.held
	msg := sprintf("monitoring of organization trail %s is in management account %s, which this snapshot does not hold", [concat(", ", names), place.holder_id])
} else := _verdict("error", 2, msg, {"trails": names, "log_group_arn": g, "account_id": place.holder_id}) if {
	_failures(g)
	msg := sprintf("cannot judge log group %s: in account %s, %s", [g, place.holder_id, concat(", ", _failures(g))])
} else := _verdict("fail", 2, msg, {"trails": names, "log_group_arn": g}) if {
	place.log_group == null
	msg := sprintf("log group %s, where trail %s delivers, does not exist", [g, concat(", ", names)])
} else := _verdict("error", 3, msg, object.union(_base(g, names, place), {"cause": _filters_not_collected_cause(g, msg)})) if {
	not _filters[g]
	msg := sprintf("metric filters of %s were not collected", [_where(g, names, place)])
} else := _filter_verdict(key, g, names, place, _filters[g], st)

# The filter step, given the group's filters. Without the derived chain of
# the group (an input not built by trailaudit), nothing is settled.
_filter_verdict(key, g, names, place, fs, st) := _verdict("error", 3, msg, _base(g, names, place)) if {
	not is_set(st.covering)
	msg := sprintf("%s: the monitoring chain was not derived for %s (no input.derived.monitoring facts)", [_where(g, names, place), key])
} else := _verdict("error", 3, msg, object.union(_base(g, names, place), {"unanalysed_filters": sort(st.unanalysed)})) if {
	count(st.covering) == 0
	count(st.unanalysed) > 0
	msg := sprintf("%s: %d metric filter(s) were not analysed for %s (no input.derived facts)", [_where(g, names, place), count(st.unanalysed), key])
} else := _verdict("fail", 3, msg, object.union(_base(g, names, place), _closest_evidence(key, fs, place))) if {
	count(st.covering) == 0
	msg := sprintf("%s has no metric filter catching every event of the CIS pattern; %s", [_where(g, names, place), _closest_detail(key, fs, place)])
} else := _alarm_verdict(g, names, place, st)

# The steps after the filter: alarm, actions, subscribers. A function of its
# own so each chain compiles within the bytecode VM's register window.
_alarm_verdict(g, names, place, st) := _verdict("fail", 4, msg, object.union(_base(g, names, place), {"metric_filters": sort(st.covering), "metrics": _metric_texts(st)})) if {
	count(st.watching) == 0
	msg := sprintf("%s: no alarm in %s watches metric %s of filter %s%s", [_where(g, names, place), place.log_group.region, concat(", ", _metric_texts(st)), concat(", ", sort(st.covering)), _near_text(st, place)])
} else := _verdict("fail", 5, msg, object.union(_base(g, names, place), {"alarms": _alarm_names(place, st.watching)})) if {
	count(st.enabled) == 0
	msg := sprintf("%s: alarm %s has actions disabled", [_where(g, names, place), concat(", ", _alarm_names(place, st.watching))])
} else := _verdict("error", 6, msg, object.union(_base(g, names, place), {"alarms": _alarm_names(place, st.enabled), "sns_topics": _uncollected_topics(st, place)})) if {
	count(st.chains) == 0
	count(_uncollected_topics(st, place)) > 0
	msg := sprintf("%s: subscriptions of SNS topic %s (alarm %s) were not collected", [_where(g, names, place), concat(", ", _uncollected_topics(st, place)), concat(", ", _alarm_names(place, st.enabled))])
} else := _verdict("fail", 6, msg, object.union(_base(g, names, place), {"alarms": _alarm_names(place, st.enabled)})) if {
	count(st.chains) == 0
	msg := sprintf("%s: alarm %s notifies no SNS topic with a confirmed subscription (%s)", [_where(g, names, place), concat(", ", _alarm_names(place, st.enabled)), _action_gaps(st, place)])
} else := _verdict("pass", 7, msg, object.union(_base(g, names, place), {"metric_filter": c[1], "ambiguous": c[0], "alarm": name, "alarm_arn": c[2], "sns_topic": c[3]})) if {
	c := sort(st.chains)[0]
	name := place.alarms[c[2]].name
	msg := sprintf("trail %s → log group %s → metric filter %s → alarm %s → SNS topic %s with a confirmed subscription%s", [concat(", ", names), place.log_group.name, c[1], name, c[3], _ambiguity_note(c)])
}

_ambiguity_note(c) := sprintf("; filter %s mixes && and || without parentheses (CloudWatch Logs applies && first; parentheses would make that plain)", [c[1]]) if {
	c[0]
} else := ""

_org_note(g) := sprintf(" (judged in management account %s, which holds the organization trail's log group)", [_holder_id(g)]) if {
	_holder_id(g) != input.account.account_id
	_holders[_holder_id(g)]
	not _failures(g)
} else := ""

# --- the verdict for the account -----------------------------------------------

# A completed chain through any group passes; otherwise a group that cannot
# be judged (it might pass) makes an error; otherwise the group whose chain got
# furthest explains the failure.
_status_order := {"pass": 0, "error": 1, "fail": 2}

_status_words := {"pass": "monitored", "fail": "not monitored", "error": "monitoring unknown"}

_account_results[key] := {r} if {
	some key, label in _labels
	count(_groups) == 0
	r := result.fail(result.account, sprintf("%s not monitored: %s", [label, _no_trail_message]), _no_trail_evidence)
}

_account_results[key] := {r} if {
	some key, label in _labels
	ranked := sort([[_status_order[v.status], 0 - v.rank, g, v] | some g, v in _verdicts[key]])
	count(ranked) > 0
	v := ranked[0][3]
	message := sprintf("%s %s: %s%s", [label, _status_words[v.status], v.message, _org_note(ranked[0][2])])
	r := object.union(result.account, {"status": v.status, "message": message, "evidence": v.evidence})
}

# The `results` of the rule for `key`: one result for the account.
results(key) := _account_results[key]
