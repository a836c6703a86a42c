# METADATA
# title: Trail bucket protects log files from deletion and overwrite
# description: >-
#   Whoever can delete or overwrite objects in the trail bucket can erase the record of what they
#   did; log file validation (CT-004) then shows that files are missing, but not what they said.
#   Passes when the bucket has S3 Object Lock enabled with a default retention (mode and period
#   are reported), or versioning enabled with MFA delete, so that deleting a version or turning
#   versioning off needs the root user's MFA device. Object Lock without a default retention
#   protects nothing CloudTrail writes, since CloudTrail sets no retention on its objects.
#   Judged in the account that owns the bucket.
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html
#   - https://docs.aws.amazon.com/AmazonS3/latest/userguide/MultiFactorAuthenticationDelete.html
#   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/best-practices-security.html
# custom:
#   id: CT-015
#   severity: medium
#   subject: bucket
#   requires: [cloudtrail:DescribeTrails, s3:GetBucketVersioning, s3:GetObjectLockConfiguration]
#   remediation:
#     console: >-
#       A new trail bucket: S3 console → Create bucket → Advanced settings → Object Lock → Enable,
#       then Properties → Object Lock → Edit → Default retention (Compliance mode, at least the
#       retention you must keep logs). An existing bucket: enable Object Lock (Properties → Object
#       Lock) or, as the root user, enable MFA delete with the CLI.
#     cli: |
#       aws s3api put-object-lock-configuration --bucket <bucket> --object-lock-configuration '{"ObjectLockEnabled":"Enabled","Rule":{"DefaultRetention":{"Mode":"COMPLIANCE","Days":365}}}'
#       # or, with the root user's credentials and MFA device:
#       aws s3api put-bucket-versioning --bucket <bucket> --versioning-configuration Status=Enabled,MFADelete=Enabled --mfa '<mfa-serial> <code>'
package trailaudit.bucket.trail_bucket_immutable

import data.trailaudit.lib.buckets
import data.trailaudit.lib.result

# The rules themselves, not their package (see trail_bucket_access_logging).
import data.trailaudit.lib.buckets.trail_buckets
import data.trailaudit.lib.buckets.writers

versioning(b) := object.get(b, "versioning", null) if is_object(object.get(b, "versioning", null))

else := {}

lock(b) := object.get(b, "object_lock", null) if is_object(object.get(b, "object_lock", null))

else := {}

mfa_delete(b) if {
	versioning(b).status == "Enabled"
	versioning(b).mfa_delete == "Enabled"
}

# "365 days", "7 years", "1 year".
period(l) := plural(d, "day") if {
	d := object.get(l, "default_retention_days", null)
	is_number(d)
}

period(l) := plural(y, "year") if {
	not is_number(object.get(l, "default_retention_days", null))
	y := object.get(l, "default_retention_years", null)
	is_number(y)
}

plural(n, unit) := sprintf("%d %s%s", [n, unit, {true: "", false: "s"}[n == 1]])

locked(b) if {
	l := lock(b)
	l.enabled == true
	object.get(l, "default_retention_mode", null) != null
	count({n | some n in [object.get(l, "default_retention_days", null), object.get(l, "default_retention_years", null)]; is_number(n)}) > 0
}

evidence(b) := {
	"trails": writers[b.name],
	"versioning": object.get(b, "versioning", null),
	"object_lock": object.get(b, "object_lock", null),
}

results contains result.pass(
	result.bucket(b),
	sprintf("trail bucket %s has S3 Object Lock in %s mode with a default retention of %s%s", [b.name, l.default_retention_mode, period(l), also]),
	evidence(b),
) if {
	some b in trail_buckets
	locked(b)
	l := lock(b)
	also := {true: " (and versioning with MFA delete)", false: ""}[mfa_delete_flag(b)]
}

mfa_delete_flag(b) := true if mfa_delete(b)

else := false

results contains result.pass(
	result.bucket(b),
	sprintf("trail bucket %s has versioning with MFA delete: removing a log file version needs the root user's MFA device", [b.name]),
	evidence(b),
) if {
	some b in trail_buckets
	not locked(b)
	mfa_delete(b)
}

results contains result.fail(
	result.bucket(b),
	sprintf("trail bucket %s lets log files be deleted or overwritten: %s", [b.name, concat("; ", gaps(b))]),
	evidence(b),
) if {
	some b in trail_buckets
	not locked(b)
	not mfa_delete(b)
}

gaps(b) := [versioning_gap(b), lock_gap(b)]

versioning_gap(b) := "versioning never enabled" if {
	object.get(versioning(b), "status", null) == null
} else := sprintf("versioning %s", [versioning(b).status]) if {
	versioning(b).status != "Enabled"
} else := "versioning enabled without MFA delete"

lock_gap(b) := "Object Lock enabled without a default retention" if {
	lock(b).enabled == true
} else := "no Object Lock"

# A trail bucket read in no account of the snapshot (its owner was not collected).
results contains result.error(buckets.unheld_subject(name), buckets.unheld_message(name, arns), {"trails": arns}) if {
	some name, arns in buckets.unheld_trail_buckets
}
