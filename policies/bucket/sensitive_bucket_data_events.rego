# METADATA
# title: Sensitive buckets have S3 object-level read and write events logged
# description: >-
#   Management events do not show who read or changed objects. For buckets holding
#   sensitive data (recognised by name or tag, see the configuration), a logging trail
#   must capture S3 data events for both reads and writes of every object. Basic
#   selectors (all buckets, the bucket, or a prefix) and advanced selectors
#   (eventCategory, resources.type, readOnly, resources.ARN, eventName) are judged
#   by what they actually select. This is trailaudit's own, stricter headline rule, and it
#   serves no framework control: CIS 3.8/3.9 (4.8/4.9 in v6.0.0/v7.0.0) and Security Hub
#   S3.22/S3.23 ask for all current and future buckets, writes and reads separately, and
#   are judged per account by CT-020 (writes) and CT-021 (reads). A selector naming only
#   the sensitive buckets passes here and fails those; an all-bucket selector passes both.
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html
#   - https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-22
# custom:
#   id: CT-002
#   severity: high
#   subject: bucket
#   requires: [cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus, cloudtrail:GetEventSelectors, s3:ListBuckets, s3:GetBucketTagging]
#   remediation:
#     console: >-
#       CloudTrail console → Trails → a multi-region trail → Data events → Edit: add S3 with
#       log selector template **Log all events** for the bucket (or all buckets).
#     cli: |
#       aws cloudtrail put-advanced-event-selectors --trail-name <trail> --advanced-event-selectors '[{"Name":"Management","FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]}]},{"Name":"S3 <bucket>","FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::S3::Object"]},{"Field":"resources.ARN","StartsWith":["arn:aws:s3:::<bucket>/"]}]}]'
package trailaudit.bucket.sensitive_bucket_data_events

import data.trailaudit.lib.data_events
import data.trailaudit.lib.result

# The rule itself, not its package: regorus evaluates every rule of a package
# referenced as `buckets.sensitive_buckets` (trail buckets, writers, ...).
import data.trailaudit.lib.buckets.sensitive_buckets

# Per sensitive bucket (keyed by name): which trails log its reads and writes,
# and which of the two are logged by none. Computed once per account, with one
# data_events.coverage call per bucket: functions are not cached, and the
# result rules below read each verdict several times.
verdicts := {name: {"bucket": b, "coverage": c, "missing": missing} |
	some name, b in sensitive_buckets
	c := data_events.coverage(b)
	missing := [mode | some mode in ["read", "write"]; count(c[mode]) == 0]
}

results contains result.pass(
	result.bucket(b),
	sprintf("sensitive bucket %s: reads and writes are logged (reads by %s; writes by %s)", [b.name, concat(", ", c.read), concat(", ", c.write)]),
	{"read_trails": c.read, "write_trails": c.write},
) if {
	some v in verdicts
	count(v.missing) == 0
	b := v.bucket
	c := v.coverage
}

results contains result.fail(
	result.bucket(b),
	sprintf("sensitive bucket %s: %s data events are not logged by any logging trail%s", [b.name, concat(" and ", v.missing), detail(c)]),
	{"missing": v.missing, "read_trails": c.read, "write_trails": c.write},
) if {
	some v in verdicts
	count(v.missing) > 0
	b := v.bucket
	c := v.coverage
}

# Which half is logged, when one is.
detail(c) := concat("", [sprintf(" (only %s are logged, by %s)", [mode, concat(", ", c[mode])]) |
	some mode in ["read", "write"]
	count(c[mode]) > 0
])
