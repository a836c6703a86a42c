# METADATA
# title: The root user was not used
# description: >-
#   The root user cannot be limited by IAM policies, and AWS asks that it be kept for the few tasks
#   that need it. Any call it makes (console sign-in, API call) means its password or access keys
#   are in use, by the owner or by someone who took them: MITRE ATT&CK T1078.004 (Valid Accounts:
#   Cloud Accounts). The filter is the CIS 4.3 one: userIdentity.type Root, no invokedBy (an AWS
#   service acting for the account) and eventType not AwsServiceEvent. Failed root calls are
#   reported too, as attempts: someone is trying root credentials. Only a complete event history
#   (LookupEvents, not truncated) can pass.
# scope: package
# related_resources:
#   - https://attack.mitre.org/techniques/T1078/004/
#   - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html
# custom:
#   id: EVT-007
#   severity: high
#   subject: event
#   requires: [cloudtrail:LookupEvents]
#   events:
#     - user: root
#   frameworks:
#     mitre-attack: [T1078.004]
#   remediation:
#     console: >-
#       Confirm with the account owner that the root user was used on purpose, for a task that needs
#       it. If not, treat the credentials as compromised: reset the root password, enable (or
#       re-register) MFA, delete any root access keys (IAM console → Security credentials), and
#       review everything the root user did.
#     cli: |
#       aws iam get-account-summary --query 'SummaryMap.AccountAccessKeysPresent'
#       aws cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=root
package trailaudit.events.root_activity

import data.trailaudit.lib.events
import data.trailaudit.lib.result

root_events[e.event_id] := e if {
	some e in events.history.events
	events.identity_type(e) == "Root"
	object.get(events.identity(e), "invoked_by", null) == null
	object.get(e, "event_type", null) != "AwsServiceEvent"
}

# `iam:CreateAccessKey` from `iam.amazonaws.com` and `CreateAccessKey`.
action(e) := sprintf("%s:%s", [trim_suffix(e.event_source, ".amazonaws.com"), e.event_name])

results contains result.fail(
	events.subject(events.actor_resource(e), e),
	events.message(e, sprintf("%s %s", [events.verb(e, "called", "attempted"), action(e)])),
	events.evidence(e, {"action": action(e)}),
) if {
	some e in root_events
}

results contains events.none_found("root user activity") if count(root_events) == 0
