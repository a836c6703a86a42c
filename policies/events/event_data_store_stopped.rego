# METADATA
# title: Nobody deleted a CloudTrail Lake event data store or stopped its ingestion
# description: >-
#   A CloudTrail Lake event data store keeps events for years and answers SQL queries during an
#   investigation. StopEventDataStoreIngestion silently ends recording while the store still
#   looks healthy, and DeleteEventDataStore schedules the store and every event it holds for
#   deletion after a 7-day wait. Stopping a cloud log is MITRE ATT&CK T1562.008 (Impair
#   Defenses: Disable or Modify Cloud Logs); deleting the retained events is T1485 (Data
#   Destruction) of the evidence itself. Failed calls (termination protection, AccessDenied)
#   are reported as attempts. Only a complete event history (LookupEvents, not truncated) can pass.
# scope: package
# related_resources:
#   - https://attack.mitre.org/techniques/T1562/008/
#   - https://attack.mitre.org/techniques/T1485/
#   - https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DeleteEventDataStore.html
#   - https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StopEventDataStoreIngestion.html
# custom:
#   id: EVT-004
#   severity: high
#   subject: event
#   requires: [cloudtrail:LookupEvents]
#   events:
#     - source: cloudtrail.amazonaws.com
#       names: [DeleteEventDataStore, StopEventDataStoreIngestion]
#   frameworks:
#     mitre-attack: [T1562.008, T1485]
#   remediation:
#     console: >-
#       Confirm with the caller whether the change was authorised. A deleted store can be restored
#       within 7 days (CloudTrail console → Lake → Event data stores → the store → Restore); restart
#       ingestion (Actions → Start ingestion), enable termination protection, and deny
#       `cloudtrail:DeleteEventDataStore` and `cloudtrail:StopEventDataStoreIngestion` with an SCP.
#     cli: |
#       aws cloudtrail restore-event-data-store --event-data-store <store-arn>
#       aws cloudtrail start-event-data-store-ingestion --event-data-store <store-arn>
#       aws cloudtrail update-event-data-store --event-data-store <store-arn> --termination-protection-enabled
package trailaudit.events.event_data_store_stopped

import data.trailaudit.lib.events
import data.trailaudit.lib.result

actions := {
	"DeleteEventDataStore": ["deleted", "attempted to delete"],
	"StopEventDataStoreIngestion": ["stopped ingestion into", "attempted to stop ingestion into"],
}

# The store a call named (ARN or id suffix), as an ARN in the call's region.
store_arn(e) := ref if {
	ref := events.param(e, "eventDataStore")
	is_string(ref)
	startswith(ref, "arn:")
} else := sprintf("arn:%s:cloudtrail:%s:%s:eventdatastore/%s", [events.partition, e.region, input.account.account_id, ref]) if {
	ref := events.param(e, "eventDataStore")
	is_string(ref)
} else := result.account.resource

# The store's name, when the snapshot still lists it.
store_name(arn) := s.name if {
	some region in input.account.regions
	some s in region.event_data_stores
	s.arn == arn
} else := null

calls[e.event_id] := e if {
	some e in events.named("cloudtrail.amazonaws.com", object.keys(actions))
}

results contains result.fail(
	events.subject(store_arn(e), e),
	events.message(e, sprintf("%s event data store %s", [events.verb(e, words[0], words[1]), store_arn(e)])),
	events.evidence(e, {"event_data_store_arn": store_arn(e), "event_data_store_name": store_name(store_arn(e))}),
) if {
	some e in calls
	words := actions[e.event_name]
}

results contains events.none_found("DeleteEventDataStore or StopEventDataStoreIngestion call") if count(calls) == 0
