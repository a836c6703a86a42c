# METADATA
# title: Logging trail delivered a log file to S3 recently
# description: >-
#   CloudTrail delivers log files to S3 about every five minutes while there is
#   activity, so a logging trail whose latest delivery is old (or that never delivered)
#   is losing events even though it reports no error: a silently broken bucket policy,
#   KMS key policy or bucket. The latest S3 delivery must lie within
#   `delivery.s3_max_age_hours` (default 24) of collection; a trail that started logging
#   within that window may not have delivered yet. Stopped trails and delivery errors are
#   CT-008's; CloudWatch Logs delivery is CT-003's; digest delivery CT-013's. No framework
#   control asks for delivery freshness.
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html
#   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/how-cloudtrail-works.html
# custom:
#   id: CT-012
#   severity: medium
#   subject: trail
#   requires: [cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus]
#   remediation:
#     console: >-
#       CloudTrail console → Trails → the trail: check **Last log file delivered** and any delivery
#       error; fix the bucket policy (and KMS key policy) so cloudtrail.amazonaws.com may write with
#       this trail's `aws:SourceArn`, or point the trail at an existing bucket.
#     cli: |
#       aws cloudtrail get-trail-status --name <trail> --query '[LatestDeliveryTime,LatestDeliveryError,LatestDeliveryAttemptTime]'
#       aws s3api get-bucket-policy --bucket <trail-bucket>
package trailaudit.cloudtrail.s3_delivery_age

import data.trailaudit.lib.delivery
import data.trailaudit.lib.errors
import data.trailaudit.lib.result
import data.trailaudit.lib.trails

tolerance := delivery.tolerance("s3_max_age_hours")

evidence(t) := object.union(
	{k: trails.status_field(t, k) | some k in ["latest_delivery_time", "latest_delivery_error", "start_logging_time"]},
	{"tolerance_hours": tolerance},
)

logging_trails contains t if {
	some t in trails.own
	trails.logging(t)
}

age(ts) := delivery.age(ts)

latest(t) := trails.status_field(t, "latest_delivery_time")

started(t) := trails.status_field(t, "start_logging_time")

results contains result.pass(result.trail(t), sprintf("trail %s last delivered to S3 %v h before collection (tolerance %v h)", [t.name, age(latest(t)), tolerance]), evidence(t)) if {
	some t in logging_trails
	latest(t) != null
	not delivery.stale(latest(t), "s3_max_age_hours")
}

results contains result.fail(result.trail(t), sprintf("trail %s last delivered to S3 %v h before collection (tolerance %v h): it is logging but its logs are not arriving", [t.name, age(latest(t)), tolerance]), evidence(t)) if {
	some t in logging_trails
	latest(t) != null
	delivery.stale(latest(t), "s3_max_age_hours")
}

results contains result.fail(result.trail(t), sprintf("trail %s is logging but has never delivered a log file to S3 (%s)", [t.name, since(t)]), evidence(t)) if {
	some t in logging_trails
	latest(t) == null
	not recently_started(t)
}

results contains result.pass(result.trail(t), sprintf("trail %s started logging %v h before collection and has not delivered to S3 yet (within the %v h tolerance)", [t.name, age(started(t)), tolerance]), evidence(t)) if {
	some t in logging_trails
	latest(t) == null
	recently_started(t)
}

results contains result.error(result.trail(t), sprintf("trail %s: its status (GetTrailStatus) was not collected", [t.name]), {"status": null}) if {
	some t in trails.own
	trails.status(t) == null
	not errors.failed("cloudtrail:GetTrailStatus", t.arn)
}

recently_started(t) if {
	started(t) != null
	not delivery.stale(started(t), "s3_max_age_hours")
}

since(t) := sprintf("logging since %s", [started(t)]) if started(t) != null

else := "start of logging not reported"
