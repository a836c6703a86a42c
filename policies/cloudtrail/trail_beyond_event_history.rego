# METADATA
# title: Account has a multi-region trail logging read and write management events
# description: >-
#   The free 90-day event history keeps management events only, for 90 days, in one
#   region at a time. Long-term, account-wide evidence needs at least one trail that is
#   logging, multi-region and records both read and write management events (an
#   organization trail of the management account counts for its member accounts).
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-1
#   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/receive-cloudtrail-log-files-from-multiple-regions.html
# custom:
#   id: CT-001
#   severity: high
#   subject: account
#   requires: [cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus, cloudtrail:GetEventSelectors]
#   frameworks:
#     aws-securityhub: [CloudTrail.1]
#     cis-aws-v3.0: ["3.1"]
#     cis-aws-v4.0: ["3.1"]
#     cis-aws-v5.0: ["3.1"]
#     cis-aws-v6.0: ["4.1"]
#     cis-aws-v7.0: ["4.1"]
#   remediation:
#     console: >-
#       CloudTrail console → Trails → Create trail (or edit one): apply it to all regions, keep
#       management events with API activity **Read** and **Write**, and make sure logging is on.
#     cli: |
#       aws cloudtrail create-trail --name <trail> --s3-bucket-name <bucket> --is-multi-region-trail
#       aws cloudtrail put-event-selectors --trail-name <trail> --event-selectors '[{"ReadWriteType":"All","IncludeManagementEvents":true}]'
#       aws cloudtrail start-logging --name <trail>
package trailaudit.cloudtrail.trail_beyond_event_history

import data.trailaudit.lib.result
import data.trailaudit.lib.trails

qualifying := [t.arn | some t in trails.recording; trails.qualifying(t)]

own_qualifying := [t.arn | some t in trails.own; trails.qualifying(t)]

org_qualifying := [t.arn | some t in trails.organization; trails.qualifying(t)]

# Why each trail that records this account does not qualify.
shortfalls[t.arn] := reasons if {
	some t in trails.recording
	reasons := [r |
		some [check, r] in [
			["logging", "not logging"],
			["multi_region", "single-region"],
			["management", "does not record both read and write management events"],
		]
		not passes(t, check)
	]
	count(reasons) > 0
}

passes(t, "logging") if trails.logging(t)

passes(t, "multi_region") if t.is_multi_region_trail

passes(t, "management") if trails.records_management_read_write(t)

results contains result.pass(
	result.account,
	sprintf("trail %s is logging, multi-region and records read and write management events", [own_qualifying[0]]),
	{"qualifying_trails": qualifying},
) if {
	count(own_qualifying) > 0
}

results contains result.pass(
	result.account,
	sprintf("covered by organization trail %s of management account %s", [org_qualifying[0], trails.arn_account(org_qualifying[0])]),
	{"qualifying_trails": qualifying, "organization_trail": true},
) if {
	count(own_qualifying) == 0
	count(org_qualifying) > 0
}

results contains result.fail(
	result.account,
	"no trail records this account: only the 90-day event history of management events exists",
	{"trails": []},
) if {
	count(trails.recording) == 0
}

results contains result.fail(
	result.account,
	sprintf("no trail is logging, multi-region and recording read and write management events (%s)", [concat("; ", [sprintf("%s: %s", [arn, concat(", ", r)]) | some arn, r in shortfalls])]),
	{"shortfalls": shortfalls},
) if {
	count(trails.recording) > 0
	count(qualifying) == 0
}
