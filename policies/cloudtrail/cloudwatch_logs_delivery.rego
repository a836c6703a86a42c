# METADATA
# title: Logging trail delivers to CloudWatch Logs, recently and without errors
# description: >-
#   S3 delivery is for keeping logs; real-time alerting (the CIS metric filters and
#   alarms) needs the trail to deliver to a CloudWatch Logs group through a role. The
#   latest CloudWatch Logs delivery, when CloudTrail reports it, must be error-free and
#   no older than the configured tolerance (`delivery.cloudwatch_logs_max_age_hours`,
#   default 6 hours) at collection time. When GetTrailStatus reports no CloudWatch Logs
#   delivery time (moto never does), the age is not judged and the result says so.
#   Security Hub CloudTrail.5 asks less of more trails (a log group configured on every
#   trail, logging or not): CT-022 judges it; this stricter rule serves no control.
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/send-cloudtrail-events-to-cloudwatch-logs.html
#   - https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-5
# custom:
#   id: CT-003
#   severity: low
#   subject: trail
#   requires: [cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus]
#   remediation:
#     console: >-
#       CloudTrail console → Trails → the trail → CloudWatch Logs → Edit: enable, choose or create a
#       log group and an IAM role CloudTrail can assume; then check the role's logs:PutLogEvents permission
#       if deliveries fail.
#     cli: aws cloudtrail update-trail --name <trail> --cloud-watch-logs-log-group-arn <log-group-arn> --cloud-watch-logs-role-arn <role-arn>
package trailaudit.cloudtrail.cloudwatch_logs_delivery

import data.trailaudit.lib.delivery
import data.trailaudit.lib.result
import data.trailaudit.lib.trails

max_age_hours := delivery.tolerance("cloudwatch_logs_max_age_hours")

# Problems with a trail's CloudWatch Logs delivery, empty when there are none.
problems(t) := array.concat(array.concat(
	["no CloudWatch Logs log group configured" | t.cloud_watch_logs_log_group_arn == null],
	["no IAM role for CloudWatch Logs delivery" | t.cloud_watch_logs_log_group_arn != null; t.cloud_watch_logs_role_arn == null],
), array.concat(
	[sprintf("latest CloudWatch Logs delivery failed: %s", [e]) |
		e := trails.status_field(t, "latest_cloud_watch_logs_delivery_error")
		e != null
	],
	[sprintf("latest CloudWatch Logs delivery was %v hours before collection (tolerance %v h)", [delivery.age(ts), max_age_hours]) |
		ts := trails.status_field(t, "latest_cloud_watch_logs_delivery_time")
		ts != null
		delivery.stale(ts, "cloudwatch_logs_max_age_hours")
	],
))

evidence(t) := {
	"log_group_arn": t.cloud_watch_logs_log_group_arn,
	"role_arn": t.cloud_watch_logs_role_arn,
	"latest_delivery_time": trails.status_field(t, "latest_cloud_watch_logs_delivery_time"),
	"latest_delivery_error": trails.status_field(t, "latest_cloud_watch_logs_delivery_error"),
}

logging_trails contains t if {
	some t in trails.own
	trails.logging(t)
}

results contains result.pass(result.trail(t), sprintf("trail %s delivers to CloudWatch Logs group %s%s", [t.name, t.cloud_watch_logs_log_group_arn, time_note(t)]), evidence(t)) if {
	some t in logging_trails
	count(problems(t)) == 0
}

time_note(t) := "" if {
	trails.status_field(t, "latest_cloud_watch_logs_delivery_time") != null
} else := " (latest delivery time not reported by GetTrailStatus)"

results contains result.fail(result.trail(t), sprintf("trail %s: %s", [t.name, concat("; ", problems(t))]), evidence(t)) if {
	some t in logging_trails
	count(problems(t)) > 0
}
