# METADATA
# title: Trail is logging and its latest S3 delivery succeeded
# description: >-
#   A trail that exists but is stopped records nothing; a trail whose S3 deliveries fail
#   (bucket policy, KMS key policy, deleted bucket) records nothing durable. Both look
#   fine in a configuration review that only reads DescribeTrails. A stopped trail's
#   message says since when (`stop_logging_time`, and how long before collection).
#   Delivery age is judged elsewhere: S3 by CT-012, CloudWatch Logs by CT-003, digest
#   files by CT-013. Security Hub CloudTrail.3 ("at least one trail enabled") is an
#   account-level control, judged by CT-023; this per-trail rule serves no control.
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html
#   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html
# custom:
#   id: CT-008
#   severity: high
#   subject: trail
#   requires: [cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus]
#   remediation:
#     console: >-
#       CloudTrail console → Trails → the trail → **Start logging**. If deliveries fail, fix the
#       bucket policy (and KMS key policy) so cloudtrail.amazonaws.com may write, as the error says.
#     cli: |
#       aws cloudtrail start-logging --name <trail>
#       aws cloudtrail get-trail-status --name <trail> --query LatestDeliveryError
package trailaudit.cloudtrail.logging_and_delivery

import data.trailaudit.lib.delivery
import data.trailaudit.lib.result
import data.trailaudit.lib.trails

problems(t) := array.concat(
	[msg |
		not trails.logging(t)
		msg := sprintf("logging is stopped%s", [stopped_since(t)])
	],
	[sprintf("latest S3 delivery failed: %s", [e]) | e := trails.status_field(t, "latest_delivery_error"); e != null],
)

stopped_since(t) := sprintf(" since %s (%v days before collection)", [ts, days]) if {
	ts := trails.status_field(t, "stop_logging_time")
	ts != null
	days := delivery.rounded(delivery.hours_before_collection(ts) / 24)
} else := sprintf(" since %s", [trails.status_field(t, "stop_logging_time")]) if {
	trails.status_field(t, "stop_logging_time") != null
} else := ""

evidence(t) := {k: trails.status_field(t, k) | some k in ["is_logging", "latest_delivery_time", "latest_delivery_error", "stop_logging_time"]}

results contains result.pass(result.trail(t), sprintf("trail %s is logging and delivering to S3", [t.name]), evidence(t)) if {
	some t in trails.own
	count(problems(t)) == 0
}

results contains result.fail(result.trail(t), sprintf("trail %s: %s", [t.name, concat("; ", problems(t))]), evidence(t)) if {
	some t in trails.own
	count(problems(t)) > 0
}
