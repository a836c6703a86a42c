# METADATA
# title: Nobody disabled or scheduled the deletion of a trail's KMS key
# description: >-
#   A trail encrypted with a KMS key depends on it twice: CloudTrail cannot deliver new log files
#   while the key is disabled, and once a key is deleted every log file it encrypted is unreadable
#   for good. Disabling the key is MITRE ATT&CK T1562.008 (Impair Defenses: Disable or Modify
#   Cloud Logs, delivery stops) and scheduling its deletion is also T1485 (Data Destruction: the
#   logs are destroyed cryptographically). A DisableKey or ScheduleKeyDeletion
#   (kms.amazonaws.com) counts when its keyId (key id or ARN; aliases are resolved through the
#   snapshot's keys) is a key that a trail recording this account names. Failed calls are reported
#   as attempts. A trail key the snapshot cannot resolve (an alias of an undescribed key) is an
#   error, not a pass: a call on it would go unrecognised.
# scope: package
# related_resources:
#   - https://attack.mitre.org/techniques/T1562/008/
#   - https://attack.mitre.org/techniques/T1485/
#   - https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html
#   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
# custom:
#   id: EVT-005
#   severity: high
#   subject: event
#   requires: [cloudtrail:LookupEvents, cloudtrail:DescribeTrails]
#   events:
#     - source: kms.amazonaws.com
#       names: [DisableKey, ScheduleKeyDeletion]
#   frameworks:
#     mitre-attack: [T1562.008, T1485]
#   remediation:
#     console: >-
#       Confirm with the caller whether the change was authorised. KMS console → Customer managed
#       keys → the key → Key actions → **Cancel key deletion**, then **Enable**; check that the
#       trail delivers again (CloudTrail console → the trail → Last log file delivered), and allow
#       `kms:DisableKey` and `kms:ScheduleKeyDeletion` on trail keys to key administrators only.
#     cli: |
#       aws kms cancel-key-deletion --key-id <key-arn>
#       aws kms enable-key --key-id <key-arn>
#       aws cloudtrail get-trail-status --name <trail-arn>
package trailaudit.events.trail_kms_key_disabled

import data.trailaudit.lib.events
import data.trailaudit.lib.result
import data.trailaudit.lib.trails

actions := {
	"DisableKey": ["disabled", "attempted to disable"],
	"ScheduleKeyDeletion": ["scheduled the deletion of", "attempted to schedule the deletion of"],
}

# "alias/name" from an alias name or alias ARN.
alias_name(ref) := ref if startswith(ref, "alias/")

alias_name(ref) := concat(":", array.slice(parts, 5, count(parts))) if {
	startswith(ref, "arn:")
	parts := split(ref, ":")
	startswith(parts[5], "alias/")
}

# The region an alias lives in: its ARN's, else the caller's.
ref_region(ref, region) := split(ref, ":")[3] if startswith(ref, "arn:") else := region

# A key reference (key id, key ARN, alias name or alias ARN) as a key ARN
# where the snapshot can tell. A bare id or alias belongs to `account` and
# `region`. An alias no described key carries stays an alias ARN.
key_arn(ref, region, account) := ref if {
	startswith(ref, "arn:")
	contains(ref, ":key/")
} else := k.arn if {
	name := alias_name(ref)
	some k in input.account.kms_keys
	k.region == ref_region(ref, region)
	name in k.aliases
} else := ref if {
	startswith(ref, "arn:")
} else := sprintf("arn:%s:kms:%s:%s:%s", [events.partition, region, account, ref]) if {
	startswith(ref, "alias/")
} else := sprintf("arn:%s:kms:%s:%s:key/%s", [events.partition, region, account, ref])

# Key ARN -> the ARNs of the trails that name it.
trail_keys[karn] contains t.arn if {
	some t in trails.recording
	is_string(t.kms_key_id)
	karn := key_arn(t.kms_key_id, t.home_region, trails.arn_account(t.arn))
}

# Trails naming a key the snapshot cannot resolve to a key ARN.
unresolved[t.arn] := t.kms_key_id if {
	some t in trails.recording
	is_string(t.kms_key_id)
	contains(key_arn(t.kms_key_id, t.home_region, trails.arn_account(t.arn)), ":alias/")
}

findings[e.event_id] := {"event": e, "key": karn, "trails": sort(trail_keys[karn])} if {
	some e in events.named("kms.amazonaws.com", object.keys(actions))
	ref := events.param(e, "keyId")
	is_string(ref)
	karn := key_arn(ref, e.region, input.account.account_id)
	trail_keys[karn]
}

pending_window(e) := sprintf(" (pending window %v days)", [d]) if {
	e.event_name == "ScheduleKeyDeletion"
	d := events.param(e, "pendingWindowInDays")
	d != null
} else := ""

results contains result.fail(
	events.subject(f.key, f.event),
	events.message(f.event, sprintf("%s KMS key %s%s used by trail %s", [
		events.verb(f.event, actions[f.event.event_name][0], actions[f.event.event_name][1]),
		f.key, pending_window(f.event), concat(", ", f.trails),
	])),
	events.evidence(f.event, {"key_arn": f.key, "trail_arns": f.trails, "pending_window_in_days": events.param(f.event, "pendingWindowInDays")}),
) if {
	some f in findings
}

results contains result.error(
	result.account,
	sprintf("cannot recognise calls on the KMS key of %s: the snapshot does not resolve %s to a key", [
		concat(", ", sort(object.keys(unresolved))), concat(", ", sort({v | some v in unresolved})),
	]),
	{"unresolved_trail_keys": unresolved},
) if {
	count(unresolved) > 0
}

results contains events.none_found("DisableKey or ScheduleKeyDeletion of a key a trail uses") if {
	count(findings) == 0
	count(unresolved) == 0
}

