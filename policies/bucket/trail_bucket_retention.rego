# METADATA
# title: Trail bucket keeps log files at least the minimum retention
# description: >-
#   An S3 lifecycle rule that expires trail log files deletes the evidence an investigation or an
#   audit needs; PCI DSS 10.5.1 asks that audit logs be kept at least twelve months. Fails when an
#   enabled lifecycle rule whose scope reaches the trails' log files (`<prefix>/AWSLogs/` under
#   the trail's key prefix) expires current objects sooner than `retention.s3_min_days` (default
#   365), expires them on a fixed date, or removes noncurrent versions sooner. A rule limited to
#   object tags does not reach log files (CloudTrail tags none); a size filter does. Moving logs to
#   another storage class is not expiry. No lifecycle configuration passes. Judged in the account
#   that owns the bucket.
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lifecycle-mgmt.html
#   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html
# custom:
#   id: CT-016
#   severity: medium
#   subject: bucket
#   requires: [cloudtrail:DescribeTrails, s3:GetBucketLifecycleConfiguration]
#   remediation:
#     console: >-
#       S3 console → the trail bucket → Management → Lifecycle rules: edit each rule that expires
#       objects under AWSLogs/ so that it expires them after the minimum retention at the
#       earliest (transition them to a colder storage class instead), or limit it to other prefixes.
#     cli: |
#       aws s3api get-bucket-lifecycle-configuration --bucket <bucket>
#       aws s3api put-bucket-lifecycle-configuration --bucket <bucket> --lifecycle-configuration '{"Rules":[{"ID":"archive-trail-logs","Status":"Enabled","Filter":{"Prefix":"AWSLogs/"},"Transitions":[{"Days":90,"StorageClass":"GLACIER"}],"Expiration":{"Days":400}}]}'
package trailaudit.bucket.trail_bucket_retention

import data.trailaudit.lib.buckets
import data.trailaudit.lib.result
import data.trailaudit.lib.trails

# The rules themselves, not their package (see trail_bucket_access_logging).
import data.trailaudit.lib.buckets.trail_buckets
import data.trailaudit.lib.buckets.writers

min_days := data.trailaudit.config.retention.s3_min_days

# Where a trail writes its log files: `<prefix>/AWSLogs/`, or `AWSLogs/`.
log_prefix(p) := sprintf("%s/AWSLogs/", [trim_suffix(p, "/")]) if {
	is_string(p)
	p != ""
} else := "AWSLogs/"

# The key prefixes trails write to in bucket `name`: this account's trails
# and organization trails whose record the snapshot holds; "" (the whole
# bucket) for a trail of another account whose key prefix is unknown here.
prefixes(name) := {log_prefix(object.get(t, "s3_key_prefix", null)) | some t in trails.own; t.s3_bucket_name == name} | {p |
	some r in object.get(input.context.trail_buckets, name, [])
	r.account_id != input.account.account_id
	p := foreign_prefix(r.trail_arn)
}

foreign_prefix(arn) := log_prefix(object.get(t, "s3_key_prefix", null)) if {
	t := input.context.organization_trails[arn]
} else := ""

# The rule's scope and the trails' prefixes overlap: one holds the other.
reaches(rule, prefixes) if {
	count(object.get(rule, "tags", {})) == 0
	some p in prefixes
	overlaps(object.get(rule, "prefix", ""), p)
}

overlaps(a, b) if startswith(a, b)

overlaps(a, b) if startswith(b, a)

# What an enabled rule reaching the log files deletes too soon.
shortenings(rule) := array.concat(
	array.concat(
		[sprintf("expires them %d days after creation", [d]) | d := object.get(rule, "expiration_days", null); is_number(d); d < min_days],
		[sprintf("expires every one of them on %s", [d]) | d := object.get(rule, "expiration_date", null); d != null],
	),
	[sprintf("removes noncurrent versions %d days after they are replaced or deleted", [d]) |
		d := object.get(rule, "noncurrent_version_expiration_days", null)
		is_number(d)
		d < min_days
	],
)

rule_name(rule, i) := sprintf("lifecycle rule %s", [rule.id]) if {
	object.get(rule, "id", null) != null
} else := sprintf("lifecycle rule #%d", [i])

scope_text(rule) := sprintf("objects under %s", [rule.prefix]) if {
	object.get(rule, "prefix", "") != ""
} else := "every object"

# Per trail bucket (keyed by name): what each reaching rule deletes too soon.
verdicts[name] := {"bucket": b, "prefixes": ps, "problems": problems} if {
	some name, b in trail_buckets
	rules := b.lifecycle_rules
	is_array(rules)
	ps := sort(prefixes(name))
	problems := [sprintf("%s (%s) %s", [rule_name(rule, i), scope_text(rule), concat(" and ", s)]) |
		some i, rule in rules
		rule.status == "Enabled"
		reaches(rule, ps)
		s := shortenings(rule)
		count(s) > 0
	]
}

evidence(v) := {
	"trails": writers[v.bucket.name],
	"log_prefixes": v.prefixes,
	"min_days": min_days,
	"lifecycle_rules": v.bucket.lifecycle_rules,
}

results contains result.pass(
	result.bucket(v.bucket),
	sprintf("trail bucket %s: %s", [v.bucket.name, pass_text(v.bucket)]),
	evidence(v),
) if {
	some v in verdicts
	count(v.problems) == 0
}

pass_text(b) := "no lifecycle configuration, nothing expires" if {
	count(b.lifecycle_rules) == 0
} else := sprintf("no enabled lifecycle rule expires trail log files sooner than %d days", [min_days])

results contains result.fail(
	result.bucket(v.bucket),
	sprintf("trail bucket %s keeps trail log files less than %d days: %s", [v.bucket.name, min_days, concat("; ", v.problems)]),
	object.union(evidence(v), {"problems": v.problems}),
) if {
	some v in verdicts
	count(v.problems) > 0
}

# Not collected: a failed GetBucketLifecycleConfiguration (recorded in the
# snapshot's errors) or a snapshot written before trailaudit read it.
results contains result.error(
	result.bucket(b),
	sprintf("trail bucket %s: its lifecycle configuration was not read (s3:GetBucketLifecycleConfiguration failed, or the snapshot predates it)", [b.name]),
	{"trails": writers[b.name]},
) if {
	some b in trail_buckets
	not is_array(object.get(b, "lifecycle_rules", null))
}

# A trail bucket read in no account of the snapshot (its owner was not collected).
results contains result.error(buckets.unheld_subject(name), buckets.unheld_message(name, arns), {"trails": arns}) if {
	some name, arns in buckets.unheld_trail_buckets
}
