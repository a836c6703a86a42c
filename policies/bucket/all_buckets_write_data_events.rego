# METADATA
# title: Account logs S3 object-level write events of all current and future buckets
# description: >-
#   CIS 3.8 (4.8 in v6.0.0/v7.0.0) and Security Hub S3.22 ask for one logging,
#   multi-region trail whose selectors capture the write data events of every S3
#   bucket, including buckets created later: a basic DataResources value
#   `arn:aws:s3` or `arn:aws:s3:::`, or an advanced selector with eventCategory =
#   Data, resources.type = AWS::S3::Object, no field that narrows the buckets and a
#   readOnly field (if any) that lets writes through. The subject is the account, so
#   an account without buckets gets a verdict too. CT-002 is trailaudit's stricter
#   headline rule beside it: every sensitive bucket must have reads and writes logged,
#   whether by an all-bucket selector or by one naming the bucket.
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-22
#   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html
# custom:
#   id: CT-020
#   severity: medium
#   subject: account
#   requires: [cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus, cloudtrail:GetEventSelectors]
#   frameworks:
#     aws-securityhub: [S3.22]
#     cis-aws-v3.0: ["3.8"]
#     cis-aws-v4.0: ["3.8"]
#     cis-aws-v5.0: ["3.8"]
#     cis-aws-v6.0: ["4.8"]
#     cis-aws-v7.0: ["4.8"]
#   remediation:
#     console: >-
#       CloudTrail console → Trails → a logging multi-region trail → Data events → Edit: add data
#       event type S3 with log selector template **Log all events** (or **Log write-only events**)
#       and no bucket named, so every current and future bucket is included.
#     cli: |
#       # put-event-selectors replaces the trail's selectors: keep the ones it has (get-event-selectors)
#       aws cloudtrail put-event-selectors --trail-name <trail> --event-selectors '[{"ReadWriteType":"All","IncludeManagementEvents":true,"DataResources":[{"Type":"AWS::S3::Object","Values":["arn:aws:s3"]}]}]'
package trailaudit.bucket.all_buckets_write_data_events

import data.trailaudit.lib.all_buckets
import data.trailaudit.lib.result
import data.trailaudit.lib.trails

logged_by := all_buckets.trails_for.write

results contains result.pass(
	result.account,
	sprintf("S3 object-level write events of all current and future buckets are logged by %s", [concat(", ", logged_by)]),
	{"trails": logged_by},
) if {
	count(logged_by) > 0
}

results contains result.fail(
	result.account,
	"no trail records this account, so no S3 object-level write event is logged",
	{"trails": []},
) if {
	count(trails.recording) == 0
}

results contains result.fail(
	result.account,
	sprintf("no logging multi-region trail logs the S3 object-level write events of all buckets (%s)", [concat("; ", [sprintf("%s: %s", [arn, concat(", ", r)]) | some arn, r in shortfalls])]),
	{"trails": [], "shortfalls": shortfalls},
) if {
	count(logged_by) == 0
	count(trails.recording) > 0
}

shortfalls := all_buckets.shortfalls.write
