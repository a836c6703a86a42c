# METADATA
# title: Trail with log file validation delivers its digest files, recently and without errors
# description: >-
#   Log file validation is only evidence if the signed digest files actually arrive:
#   CloudTrail writes one per region about every hour, and a failed digest delivery
#   (bucket policy, KMS key policy) leaves hours of logs that can no longer be proven
#   unaltered. For each trail this account owns with validation enabled, the latest
#   digest delivery must be error-free (always) and, while the trail is logging, no older
#   than `delivery.digest_max_age_hours` (default 24) at collection. When GetTrailStatus
#   reports no digest delivery time (moto never does), the age is not judged and the
#   result says so. Trails without validation are CT-005's; stopped trails are CT-008's.
#   No framework control asks for digest delivery.
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html
#   - https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html
# custom:
#   id: CT-013
#   severity: medium
#   subject: trail
#   requires: [cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus]
#   remediation:
#     console: >-
#       CloudTrail console → Trails → the trail: read the digest delivery error, then let
#       cloudtrail.amazonaws.com write `AWSLogs/<account-id>/CloudTrail-Digest/` in the bucket policy
#       (and use the KMS key, if the trail has one).
#     cli: |
#       aws cloudtrail get-trail-status --name <trail> --query '[LatestDigestDeliveryTime,LatestDigestDeliveryError]'
#       aws cloudtrail validate-logs --trail-arn <trail-arn> --start-time <start>
package trailaudit.cloudtrail.digest_delivery

import data.trailaudit.lib.delivery
import data.trailaudit.lib.errors
import data.trailaudit.lib.result
import data.trailaudit.lib.trails

tolerance := delivery.tolerance("digest_max_age_hours")

validating contains t if {
	some t in trails.own
	t.log_file_validation_enabled
	trails.status(t) != null
}

latest(t) := trails.status_field(t, "latest_digest_delivery_time")

error_of(t) := trails.status_field(t, "latest_digest_delivery_error")

age(t) := delivery.age(latest(t))

problems(t) := array.concat(
	[sprintf("latest digest delivery failed: %s", [e]) | e := error_of(t); e != null],
	[sprintf("latest digest delivery was %v h before collection (tolerance %v h)", [age(t), tolerance]) |
		trails.logging(t)
		latest(t) != null
		delivery.stale(latest(t), "digest_max_age_hours")
	],
)

evidence(t) := {
	"is_logging": trails.status_field(t, "is_logging"),
	"latest_digest_delivery_time": latest(t),
	"latest_digest_delivery_error": error_of(t),
	"tolerance_hours": tolerance,
}

results contains result.fail(result.trail(t), sprintf("trail %s: %s", [t.name, concat("; ", problems(t))]), evidence(t)) if {
	some t in validating
	count(problems(t)) > 0
}

results contains result.pass(result.trail(t), sprintf("trail %s last delivered a digest file %v h before collection (tolerance %v h)", [t.name, age(t), tolerance]), evidence(t)) if {
	some t in validating
	trails.logging(t)
	count(problems(t)) == 0
	latest(t) != null
}

results contains result.pass(result.trail(t), sprintf("trail %s: no digest delivery error; latest digest delivery time not reported by GetTrailStatus", [t.name]), evidence(t)) if {
	some t in validating
	trails.logging(t)
	count(problems(t)) == 0
	latest(t) == null
}

results contains result.error(result.trail(t), sprintf("trail %s: its status (GetTrailStatus) was not collected", [t.name]), {"status": null}) if {
	some t in trails.own
	t.log_file_validation_enabled
	trails.status(t) == null
	not errors.failed("cloudtrail:GetTrailStatus", t.arn)
}
