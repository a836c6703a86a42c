# METADATA
# title: Nobody stopped a trail's logging
# description: >-
#   StopLogging switches a trail off without deleting it, so the trail still looks configured
#   while it records nothing: the classic first step of an intruder who wants the rest of
#   their activity unrecorded. MITRE ATT&CK T1562.008 (Impair Defenses: Disable or Modify
#   Cloud Logs) names exactly this. A StopLogging that failed (AccessDenied, for example) is
#   reported too, worded as an attempt: someone tried to blind the audit trail, and the
#   credentials they used deserve a look. Event history is read with LookupEvents; a history
#   that was not collected or was cut at the event cap cannot show that no StopLogging happened.
# scope: package
# related_resources:
#   - https://attack.mitre.org/techniques/T1562/008/
#   - https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StopLogging.html
# custom:
#   id: EVT-001
#   severity: high
#   subject: event
#   requires: [cloudtrail:LookupEvents]
#   events:
#     - source: cloudtrail.amazonaws.com
#       names: [StopLogging, StartLogging]
#   frameworks:
#     mitre-attack: [T1562.008]
#   remediation:
#     console: >-
#       Confirm with the caller whether the stop was authorised. CloudTrail console → Trails → the
#       trail → **Start logging**; then review everything the same identity did while the trail was
#       off (event history keeps 90 days) and restrict `cloudtrail:StopLogging` with an SCP.
#     cli: |
#       aws cloudtrail start-logging --name <trail-arn>
#       aws cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=<user> --start-time <stop-time>
package trailaudit.events.logging_stopped

import data.trailaudit.lib.events
import data.trailaudit.lib.result

# StopLogging calls, keyed by event id, with the trail they named and when
# logging was next turned on for it.
stops[e.event_id] := {"event": e, "trail": trail, "restarted_at": restarted_at(trail, e)} if {
	some e in events.named("cloudtrail.amazonaws.com", {"StopLogging"})
	trail := events.trail_arn(events.param(e, "name"), e)
}

# CloudTrail always records the trail name; without it, name the account.
stops[e.event_id] := {"event": e, "trail": trail, "restarted_at": restarted_at(trail, e)} if {
	some e in events.named("cloudtrail.amazonaws.com", {"StopLogging"})
	not is_string(events.param(e, "name"))
	trail := result.account.resource
}

# Successful StartLogging calls with the trail they named, gathered once.
starts := [{"trail": trail, "event_time": r.event_time, "ns": time.parse_rfc3339_ns(r.event_time)} |
	some r in events.named("cloudtrail.amazonaws.com", {"StartLogging"})
	object.get(r, "error_code", null) == null
	trail := data.trailaudit.lib.events.trail_arn(data.trailaudit.lib.events.param(r, "name"), r)
]

# The first successful StartLogging on `trail` after `e`, null when none: the
# stop still happened, but whoever triages wants to know how long the gap lasted.
restarted_at(trail, e) := rs[0] if {
	after := time.parse_rfc3339_ns(e.event_time)
	rs := sort([s.event_time | some s in starts; s.trail == trail; s.ns > after])
	count(rs) > 0
} else := null

aftermath(s) := "" if {
	events.attempt_failed(s.event)
} else := sprintf(" (logging restarted at %s)", [s.restarted_at]) if {
	s.restarted_at != null
} else := " (not restarted since, as far as the history shows)"

results contains result.fail(
	events.subject(s.trail, s.event),
	events.message(s.event, sprintf("%s trail %s%s", [
		events.verb(s.event, "stopped logging on", "attempted to stop logging on"), s.trail, aftermath(s),
	])),
	events.evidence(s.event, {"trail_arn": s.trail, "restarted_at": s.restarted_at}),
) if {
	some s in stops
}

results contains events.none_found("StopLogging call") if count(stops) == 0
