# METADATA
# title: Nobody changed a trail to record or protect less
# description: >-
#   A trail can be blinded without stopping or deleting it: UpdateTrail can turn off
#   multi-region recording (isMultiRegionTrail false), global service events
#   (includeGlobalServiceEvents false), log file validation (enableLogFileValidation false),
#   organization coverage (isOrganizationTrail false), or remove CloudWatch Logs delivery or KMS
#   encryption (cloudWatchLogsLogGroupArn or kmsKeyId set empty); PutEventSelectors can stop
#   management events, keep only reads or only writes, exclude event sources
#   (excludeManagementEventSources), or replace the selectors by advanced ones without a full
#   management selector. The parameters are read as CloudTrail records them (camelCase). Each such
#   call is MITRE ATT&CK T1562.008 (Impair Defenses: Disable or Modify Cloud Logs): the trail
#   keeps looking configured while it records, or protects, less. The result names every
#   change. Failed calls are reported as attempts; a call whose request parameters were not
#   recorded cannot be judged and is an error, never a pass.
# scope: package
# related_resources:
#   - https://attack.mitre.org/techniques/T1562/008/
#   - https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_UpdateTrail.html
#   - https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutEventSelectors.html
# custom:
#   id: EVT-003
#   severity: high
#   subject: event
#   requires: [cloudtrail:LookupEvents]
#   events:
#     - source: cloudtrail.amazonaws.com
#       names: [UpdateTrail, PutEventSelectors, PutAdvancedEventSelectors]
#   frameworks:
#     mitre-attack: [T1562.008]
#   remediation:
#     console: >-
#       Confirm with the caller whether the change was authorised. If not, restore the trail
#       (CloudTrail console → Trails → the trail → Edit: all regions, log file validation, KMS,
#       CloudWatch Logs; Management events: Read and Write, no exclusions) and restrict
#       `cloudtrail:UpdateTrail` and `cloudtrail:PutEventSelectors` to your deployment role.
#     cli: |
#       aws cloudtrail update-trail --name <trail-arn> --is-multi-region-trail --include-global-service-events --enable-log-file-validation --kms-key-id <key-arn> --cloud-watch-logs-log-group-arn <log-group-arn> --cloud-watch-logs-role-arn <role-arn>
#       aws cloudtrail put-event-selectors --trail-name <trail-arn> --event-selectors '[{"ReadWriteType":"All","IncludeManagementEvents":true}]'
package trailaudit.events.trail_coverage_reduced

import data.trailaudit.lib.events
import data.trailaudit.lib.result
import data.trailaudit.lib.trails

# UpdateTrail parameters that reduce what a trail records or protects: the
# parameter, the value that does it, and what it means.
update_checks := [
	["isMultiRegionTrail", false, "multi-region recording turned off (isMultiRegionTrail: false): only the home region is recorded"],
	["includeGlobalServiceEvents", false, "global service events turned off (includeGlobalServiceEvents: false): IAM, STS and other global calls go unrecorded"],
	["isOrganizationTrail", false, "organization trail turned into a single-account trail (isOrganizationTrail: false): member accounts go unrecorded"],
	["enableLogFileValidation", false, "log file validation turned off (enableLogFileValidation: false): no more digest files to prove the logs intact"],
	["cloudWatchLogsLogGroupArn", "", "CloudWatch Logs delivery removed (cloudWatchLogsLogGroupArn empty): metric filters and alarms stop seeing events"],
	["kmsKeyId", "", "KMS encryption removed (kmsKeyId empty): logs fall back to SSE-S3"],
]

# A boolean parameter may be recorded as a JSON boolean or as a string.
param_is(p, name, false) if p[name] in {false, "false"}

param_is(p, name, "") if p[name] == ""

update_changes(e) := [text |
	p := events.params(e)
	some [name, value, text] in update_checks
	param_is(p, name, value)
]

# --- PutEventSelectors ---------------------------------------------------------

# The selectors a call sets, `{"kind": "advanced"|"basic", "selectors": [...]}`;
# undefined when the request parameters do not hold them.
selectors_set(e) := {"kind": "advanced", "selectors": a} if {
	a := events.param(e, "advancedEventSelectors")
	is_array(a)
	count(a) > 0
} else := {"kind": "basic", "selectors": b} if {
	b := events.param(e, "eventSelectors")
	is_array(b)
} else := {"kind": "advanced", "selectors": a} if {
	a := events.param(e, "advancedEventSelectors")
	is_array(a)
}

# Basic selectors: management events are on unless includeManagementEvents is
# false; readWriteType defaults to All (API reference, EventSelector).
basic_management(sels) := [s | some s in sels; object.get(s, "includeManagementEvents", true) in {true, "true"}]

read_write_type(s) := object.get(s, "readWriteType", "All")

exclusions(s) := object.get(s, "excludeManagementEventSources", [])

basic_covers(sels, mode) if {
	some s in basic_management(sels)
	trails.read_write_allows(read_write_type(s), mode)
	count(exclusions(s)) == 0
}

basic_covers_ignoring_exclusions(sels, mode) if {
	some s in basic_management(sels)
	trails.read_write_allows(read_write_type(s), mode)
}

basic_full(sels) if {
	basic_covers(sels, "read")
	basic_covers(sels, "write")
}

basic_reasons(sels) := ["management events turned off (includeManagementEvents: false in every event selector)"] if {
	count(basic_management(sels)) == 0
} else := array.concat(rw_reasons, exclusion_reasons) if {
	rw_reasons := [sprintf("management events limited to %s (readWriteType)", [concat(", ", sort({read_write_type(s) | some s in basic_management(sels)}))]) |
		some mode in ["read", "write"]
		not basic_covers_ignoring_exclusions(sels, mode)
	]
	sources := sort({src | some s in basic_management(sels); some src in exclusions(s)})
	exclusion_reasons := [sprintf("management events from %s excluded (excludeManagementEventSources)", [concat(", ", sources)]) | count(sources) > 0]
}

# Advanced selectors as the trail library reads them (PascalCase, as
# GetEventSelectors returns them), so one definition of "all management
# events" serves both the configuration rules and this detection.
pascal(a) := {
	"Name": object.get(a, "name", ""),
	"FieldSelectors": [object.union({"Field": object.get(f, "field", "")}, {op: object.get(f, key, []) | some [op, key] in operators}) |
		some f in object.get(a, "fieldSelectors", [])
	],
}

operators := [
	["Equals", "equals"], ["NotEquals", "notEquals"], ["StartsWith", "startsWith"],
	["NotStartsWith", "notStartsWith"], ["EndsWith", "endsWith"], ["NotEndsWith", "notEndsWith"],
]

advanced_covers(sels, mode) if {
	some a in sels
	pa := pascal(a)
	trails.management_selector(pa)
	trails.read_only_allows(pa, mode)
}

advanced_full(sels) if {
	advanced_covers(sels, "read")
	advanced_covers(sels, "write")
}

# Selectors for the Management category (possibly narrowed).
management_category(sels) := [pa |
	some a in sels
	pa := pascal(a)
	some f in pa.FieldSelectors
	f.Field == "eventCategory"
	"Management" in f.Equals
]

advanced_reasons(sels) := ["no advanced event selector selects management events (eventCategory = Management)"] if {
	count(management_category(sels)) == 0
} else := array.concat(filter_reasons, read_only_reasons) if {
	filter_reasons := [sprintf("management selector %q also filters on %s", [pa.Name, concat("; ", conditions)]) |
		some pa in management_category(sels)
		conditions := [sprintf("%s %s %s", [f.Field, op, concat(", ", f[op])]) |
			some f in pa.FieldSelectors
			not f.Field in {"eventCategory", "readOnly"}
			some [op, _] in operators
			count(f[op]) > 0
		]
		count(conditions) > 0
	]
	read_only_reasons := [sprintf("management selector %q keeps only %s events (readOnly = %s)", [pa.Name, {"true": "read", "false": "write"}[v], v]) |
		some pa in management_category(sels)
		some f in pa.FieldSelectors
		f.Field == "readOnly"
		some v in f.Equals
	]
}

selector_changes(e) := [] if {
	s := selectors_set(e)
	s.kind == "basic"
	basic_full(s.selectors)
} else := basic_reasons(s.selectors) if {
	s := selectors_set(e)
	s.kind == "basic"
} else := [] if {
	s := selectors_set(e)
	advanced_full(s.selectors)
} else := advanced_reasons(s.selectors) if {
	s := selectors_set(e)
}

# --- Findings ------------------------------------------------------------------

trail_of(e) := arn if {
	arn := events.trail_arn(events.param(e, "name"), e)
} else := arn if {
	arn := events.trail_arn(events.param(e, "trailName"), e)
} else := result.account.resource

updates := events.named("cloudtrail.amazonaws.com", {"UpdateTrail"})

# PutAdvancedEventSelectors is not an API of its own today (advanced selectors
# go through PutEventSelectors); matched too in case CloudTrail records one.
selector_calls := events.named("cloudtrail.amazonaws.com", {"PutEventSelectors", "PutAdvancedEventSelectors"})

findings[e.event_id] := {"event": e, "changes": changes} if {
	some e in updates
	is_object(e.request_parameters)
	changes := update_changes(e)
	count(changes) > 0
}

findings[e.event_id] := {"event": e, "changes": changes} if {
	some e in selector_calls
	changes := selector_changes(e)
	count(changes) > 0
}

# Calls whose request parameters do not say what they changed.
unjudged[e.event_id] := e if {
	some e in updates
	not is_object(e.request_parameters)
}

unjudged[e.event_id] := e if {
	some e in selector_calls
	not selectors_set(e)
}

results contains result.fail(
	events.subject(trail_of(f.event), f.event),
	events.message_with(
		f.event,
		sprintf("%s trail %s with %s", [
			events.verb(f.event, "reduced what is recorded or protected by", "attempted to reduce what is recorded or protected by"),
			trail_of(f.event), f.event.event_name,
		]),
		concat("; ", f.changes),
	),
	events.evidence(f.event, {"trail_arn": trail_of(f.event), "changes": f.changes}),
) if {
	some f in findings
}

results contains result.error(
	events.subject(trail_of(e), e),
	events.message_with(
		e, sprintf("called %s on trail %s", [e.event_name, trail_of(e)]),
		"its request parameters were not recorded, so whether it reduced what the trail records cannot be told",
	),
	events.evidence(e, {"trail_arn": trail_of(e)}),
) if {
	some e in unjudged
}

results contains events.none_found("UpdateTrail or PutEventSelectors call that reduces what a trail records or protects") if {
	count(findings) == 0
	count(unjudged) == 0
}
