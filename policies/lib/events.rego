# The recent event history (LookupEvents) as the detections need it: which
# events to look at, how to name who did what from where, and what to say when
# nothing matched.
#
# A detection fails once per matching event. When nothing matched it says so
# once per account, and only a complete history can pass: a history that was
# not collected, or was cut at the event cap, proves no absence.
package trailaudit.lib.events

# Functions here name other packages by their full path, not through an
# import: evaluated under `with input as` (as tests are), regorus 0.14 was seen
# resolving an imported name inside a function body to nothing when the
# function was called from another package after other functions of this
# module ran (`result.account` in `none_found`, called from
# events/trail_kms_key_disabled.rego), which silently dropped the result.

# The history, undefined when it was not collected (absent or null).
history := h if {
	h := input.account.event_history
	is_object(h)
}

partition := object.get(input.metadata, "partition", "aws")

# Events from `source` whose name is one of `names`.
named(source, names) := [e |
	some e in history.events
	e.event_source == source
	e.event_name in names
]

# Request parameters as an object (`{}` when none were recorded).
params(e) := p if {
	p := e.request_parameters
	is_object(p)
} else := {}

# A request parameter, null when absent.
param(e, name) := object.get(params(e), name, null)

identity(e) := i if {
	i := e.user_identity
	is_object(i)
} else := {}

identity_type(e) := object.get(identity(e), "type", "Unknown")

# The caller's ARN, null when CloudTrail recorded none (AWS services).
_actor_arn(e) := object.get(identity(e), "arn", null)

# Who: identity type and ARN (or the service that acted for it).
_who(e) := sprintf("%s %s", [identity_type(e), arn]) if {
	arn := _actor_arn(e)
	arn != null
} else := sprintf("%s (invoked by %s)", [identity_type(e), by]) if {
	by := object.get(identity(e), "invoked_by", null)
	by != null
} else := sprintf("%s (no ARN recorded)", [identity_type(e)])

# From where: source IP, user agent and region.
_origin(e) := sprintf("from %s with user agent %q in %s", [
	_or_unknown(object.get(e, "source_ip_address", null), "an unrecorded source IP"),
	_or_unknown(object.get(e, "user_agent", null), "unrecorded"),
	e.region,
])

_or_unknown(value, fallback) := value if {
	value != null
} else := fallback

# The call failed (AccessDenied, a missing resource, ...): an attempt only.
attempt_failed(e) if object.get(e, "error_code", null) != null

_attempt_only(e) := true if {
	attempt_failed(e)
} else := false

# `did` for a call that succeeded, `tried` for one that failed.
verb(e, _, tried) := tried if attempt_failed(e)

verb(e, did, _) := did if not attempt_failed(e)

# What the call returned when it failed, appended to a message.
_outcome(e) := sprintf("; the call failed with %s (%s), so this was an attempt", [e.error_code, msg]) if {
	attempt_failed(e)
	msg := _or_unknown(object.get(e, "error_message", null), "no message")
} else := ""

# The message of a detection: who did what, when, from where, and whether the
# call failed. `what` is the action, worded by `verb`.
message(e, what) := sprintf("%s %s at %s %s%s", [_who(e), what, e.event_time, _origin(e), _outcome(e)])

# The same with `details` after the place ("...: what changed").
message_with(e, what, details) := sprintf("%s %s at %s %s: %s%s", [_who(e), what, e.event_time, _origin(e), details, _outcome(e)])

# The evidence of a detection: the event, and `extra` (rule-specific details).
evidence(e, extra) := object.union(
	{
		"event_id": e.event_id,
		"event_time": e.event_time,
		"event_name": e.event_name,
		"event_source": e.event_source,
		"region": e.region,
		"identity": {
			"type": identity_type(e),
			"arn": _actor_arn(e),
			"account_id": object.get(identity(e), "account_id", null),
			"invoked_by": object.get(identity(e), "invoked_by", null),
		},
		"source_ip_address": object.get(e, "source_ip_address", null),
		"user_agent": object.get(e, "user_agent", null),
		"error_code": object.get(e, "error_code", null),
		"error_message": object.get(e, "error_message", null),
		"attempt_only": _attempt_only(e),
		"request_parameters": object.get(e, "request_parameters", null),
	},
	extra,
)

# A detection's subject: the affected resource, in the event's region.
subject(resource, e) := {"resource": resource, "region": e.region}

# A trail named by a request parameter (name or ARN), as an ARN. A bare name
# belongs to this account and to the region the call was made in (trail
# calls must be made in the trail's home region).
trail_arn(ref, _) := ref if {
	is_string(ref)
	startswith(ref, "arn:")
}

trail_arn(ref, e) := sprintf("arn:%s:cloudtrail:%s:%s:trail/%s", [partition, e.region, input.account.account_id, ref]) if {
	is_string(ref)
	not startswith(ref, "arn:")
}

# The account's root user ARN.
_root_arn := sprintf("arn:%s:iam::%s:root", [partition, input.account.account_id])

# The caller as a resource: its ARN, else this account's root user (the
# account's own identity is what an unnamed caller used).
actor_resource(e) := arn if {
	arn := _actor_arn(e)
	is_string(arn)
} else := _root_arn

_window := sprintf("from %s to %s", [history.start_time, history.end_time])

# LookupEvents failures recorded for this account, by region.
_lookup_failures := sort([object.get(err, "region", "global") |
	some err in input.errors
	err.service == "cloudtrail"
	err.operation == "LookupEvents"
])

_not_collected_reason := sprintf("cloudtrail:LookupEvents failed in %s", [concat(", ", _lookup_failures)]) if {
	count(_lookup_failures) > 0
} else := "event history collection was disabled (event_history_days = 0)" if {
	input.metadata.settings.event_history_days == 0
} else := "the snapshot holds no event history"

# Whether the history can show an absence: "not_collected", "truncated" or
# "complete". A rule, not a function: computed once per account.
_completeness := "not_collected" if {
	not history
} else := "truncated" if {
	history.truncated == true
} else := "complete"

# The one result of a detection that matched no event, for `what` (e.g.
# "StopLogging call"): pass over a complete history, error when the history
# is missing or truncated. Call it only when nothing matched.
none_found(what) := data.trailaudit.lib.result.error(
	data.trailaudit.lib.result.account,
	sprintf("event history was not collected (%s): cannot tell whether any %s happened", [_not_collected_reason, what]),
	{"event_history": null, "lookup_events_failed_in": _lookup_failures, "cause": _not_collected_cause},
) if _completeness == "not_collected"

# What every detection shares when the history is missing: the reports show
# their errors as one finding (`cause.id`; see docs/writing-rules.md).
_not_collected_cause := {
	"id": "event-history-not-collected",
	"title": "event history not collected",
	"detail": sprintf("event history was not collected (%s): no detection can tell whether anything happened", [_not_collected_reason]),
	"fixed_by": [],
}

none_found(what) := data.trailaudit.lib.result.error(
	data.trailaudit.lib.result.account,
	sprintf("no %s in the event history %s, but the history is truncated (the event cap was reached), so that absence proves nothing", [what, _window]),
	_absence_evidence,
) if _completeness == "truncated"

none_found(what) := data.trailaudit.lib.result.pass(
	data.trailaudit.lib.result.account,
	sprintf("no %s in the event history %s", [what, _window]),
	_absence_evidence,
) if _completeness == "complete"

_absence_evidence := {
	"start_time": history.start_time,
	"end_time": history.end_time,
	"truncated": history.truncated,
	"events_examined": count(history.events),
}

