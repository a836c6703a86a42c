# METADATA
# title: Nobody deleted a trail
# description: >-
#   DeleteTrail removes a trail and its configuration: recording stops for good, the digest
#   chain ends, and rebuilding the exact setup (selectors, KMS, CloudWatch Logs) takes work
#   an incident does not leave time for. Deleting the cloud audit log is MITRE ATT&CK
#   T1562.008 (Impair Defenses: Disable or Modify Cloud Logs). A DeleteTrail that failed
#   (AccessDenied, TrailNotFound) is reported as an attempt. Only a complete event history
#   (LookupEvents, not truncated) can pass.
# scope: package
# related_resources:
#   - https://attack.mitre.org/techniques/T1562/008/
#   - https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DeleteTrail.html
# custom:
#   id: EVT-002
#   severity: high
#   subject: event
#   requires: [cloudtrail:LookupEvents]
#   events:
#     - source: cloudtrail.amazonaws.com
#       names: [DeleteTrail]
#   frameworks:
#     mitre-attack: [T1562.008]
#   remediation:
#     console: >-
#       Confirm with the caller whether the deletion was authorised. If not, recreate the trail
#       (CloudTrail console → Trails → Create trail, multi-region, with validation, KMS and
#       CloudWatch Logs), review what the caller did afterwards, and deny `cloudtrail:DeleteTrail`
#       with an SCP.
#     cli: |
#       aws cloudtrail create-trail --name <trail> --s3-bucket-name <bucket> --is-multi-region-trail --enable-log-file-validation
#       aws cloudtrail start-logging --name <trail>
package trailaudit.events.trail_deleted

import data.trailaudit.lib.events
import data.trailaudit.lib.result

# DeleteTrail calls, keyed by event id, with the trail they named.
deletions[e.event_id] := {"event": e, "trail": trail} if {
	some e in events.named("cloudtrail.amazonaws.com", {"DeleteTrail"})
	trail := events.trail_arn(events.param(e, "name"), e)
}

# CloudTrail always records the trail name; without it, name the account.
deletions[e.event_id] := {"event": e, "trail": result.account.resource} if {
	some e in events.named("cloudtrail.amazonaws.com", {"DeleteTrail"})
	not is_string(events.param(e, "name"))
}

results contains result.fail(
	events.subject(d.trail, d.event),
	events.message(d.event, sprintf("%s trail %s", [events.verb(d.event, "deleted", "attempted to delete"), d.trail])),
	events.evidence(d.event, {"trail_arn": d.trail}),
) if {
	some d in deletions
}

results contains events.none_found("DeleteTrail call") if count(deletions) == 0
