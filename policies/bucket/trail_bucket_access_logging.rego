# METADATA
# title: Trail bucket has server access logging enabled
# description: >-
#   Server access logs show who read, changed or deleted trail log files, including
#   requests that CloudTrail data events would not show (e.g. denied requests). Judged
#   in the account that owns the bucket.
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html
#   - https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-7
# custom:
#   id: CT-007
#   severity: low
#   subject: bucket
#   requires: [cloudtrail:DescribeTrails, s3:GetBucketLogging]
#   frameworks:
#     aws-securityhub: [CloudTrail.7]
#     cis-aws-v3.0: ["3.4"]
#     cis-aws-v4.0: ["3.4"]
#     cis-aws-v5.0: ["3.4"]
#     cis-aws-v6.0: ["4.4"]
#     cis-aws-v7.0: ["4.4"]
#   remediation:
#     console: S3 console → the trail bucket → Properties → Server access logging → Edit → Enable, with a separate target bucket.
#     cli: "aws s3api put-bucket-logging --bucket <bucket> --bucket-logging-status '{\"LoggingEnabled\":{\"TargetBucket\":\"<log-bucket>\",\"TargetPrefix\":\"<bucket>/\"}}'"
package trailaudit.bucket.trail_bucket_access_logging

import data.trailaudit.lib.buckets
import data.trailaudit.lib.result

# The rules themselves, not their package: regorus evaluates every rule of a
# package referenced as `buckets.trail_buckets` (sensitive buckets, ...).
import data.trailaudit.lib.buckets.trail_buckets
import data.trailaudit.lib.buckets.writers

results contains result.pass(result.bucket(b), sprintf("trail bucket %s logs access to %s", [b.name, b.logging.target_bucket]), evidence) if {
	some b in trail_buckets
	b.logging != null
	evidence := {"trails": writers[b.name], "logging": b.logging}
}

results contains result.fail(result.bucket(b), sprintf("trail bucket %s has server access logging disabled", [b.name]), evidence) if {
	some b in trail_buckets
	b.logging == null
	evidence := {"trails": writers[b.name], "logging": null}
}

# A trail bucket read in no account of the snapshot (its owner was not collected).
results contains result.error(buckets.unheld_subject(name), buckets.unheld_message(name, arns), {"trails": arns}) if {
	some name, arns in buckets.unheld_trail_buckets
}
