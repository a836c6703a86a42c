# METADATA
# title: Trail is integrated with CloudWatch Logs (every trail, logging or not)
# description: >-
#   Security Hub CloudTrail.5 (AWS Config rule cloud-trail-cloud-watch-logs-enabled)
#   judges every trail the account owns, logging or stopped: a trail with no
#   CloudWatch Logs log group configured fails. CT-003 is the stricter check beside
#   it for logging trails: a delivery role, no delivery error and a recent delivery.
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-5
#   - https://docs.aws.amazon.com/config/latest/developerguide/cloud-trail-cloud-watch-logs-enabled.html
# custom:
#   id: CT-022
#   severity: low
#   subject: trail
#   requires: [cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus]
#   frameworks:
#     aws-securityhub: [CloudTrail.5]
#   remediation:
#     console: >-
#       CloudTrail console → Trails → the trail → CloudWatch Logs → Edit: enable, choose or create a
#       log group and an IAM role CloudTrail can assume.
#     cli: aws cloudtrail update-trail --name <trail> --cloud-watch-logs-log-group-arn <log-group-arn> --cloud-watch-logs-role-arn <role-arn>
package trailaudit.cloudtrail.cloudwatch_logs_integration

import data.trailaudit.lib.result
import data.trailaudit.lib.trails

# "logging" or "stopped", for the message: the control judges both alike.
state(t) := "logging" if {
	trails.logging(t)
} else := "stopped" if {
	trails.status_field(t, "is_logging") == false
} else := "logging status not collected"

evidence(t) := {
	"log_group_arn": t.cloud_watch_logs_log_group_arn,
	"role_arn": t.cloud_watch_logs_role_arn,
	"is_logging": trails.status_field(t, "is_logging"),
}

results contains result.pass(
	result.trail(t),
	sprintf("trail %s (%s) sends its events to CloudWatch Logs group %s", [t.name, state(t), t.cloud_watch_logs_log_group_arn]),
	evidence(t),
) if {
	some t in trails.own
	t.cloud_watch_logs_log_group_arn != null
}

results contains result.fail(
	result.trail(t),
	sprintf("trail %s (%s) has no CloudWatch Logs log group configured", [t.name, state(t)]),
	evidence(t),
) if {
	some t in trails.own
	t.cloud_watch_logs_log_group_arn == null
}
