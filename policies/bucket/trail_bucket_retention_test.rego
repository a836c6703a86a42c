package trailaudit.bucket.trail_bucket_retention_test

import data.trailaudit.bucket.trail_bucket_retention as rule
import data.trailaudit.lib.testing

tarn := "arn:aws:cloudtrail:us-east-1:111111111111:trail/main"

config := {"retention": {"s3_min_days": 365}}

run_with(rules, prefix, context) := run_full(rules, prefix, context, config)

run_full(rules, prefix, context, cfg) := r if {
	t := {"name": "main", "arn": tarn, "home_region": "us-east-1", "s3_bucket_name": "logs", "s3_key_prefix": prefix}
	b := {"name": "logs", "arn": "arn:aws:s3:::logs", "region": "us-east-1", "lifecycle_rules": rules}
	r := rule.results with input as {
		"account": {"account_id": "111111111111", "trails": {tarn: t}, "buckets": {"logs": b}},
		"context": object.union({"trail_buckets": {}, "organization_trails": {}}, context),
	}
		with data.trailaudit.config as cfg
}

run(rules, prefix) := run_with(rules, prefix, {})

status(results) := {r.status | some r in results}

expire(id, prefix, days) := {"id": id, "status": "Enabled", "prefix": prefix, "expiration_days": days}

test_pass_no_lifecycle_configuration if {
	testing.equal(run([], null), {{
		"status": "pass", "resource": "arn:aws:s3:::logs", "region": "us-east-1",
		"message": "trail bucket logs: no lifecycle configuration, nothing expires",
		"evidence": {"trails": [tarn], "log_prefixes": ["AWSLogs/"], "min_days": 365, "lifecycle_rules": []},
	}})
}

test_fail_whole_bucket_expiry_shorter_than_the_minimum if {
	rules := [expire("cleanup", "", 90)]
	testing.equal(run(rules, null), {{
		"status": "fail", "resource": "arn:aws:s3:::logs", "region": "us-east-1",
		"message": "trail bucket logs keeps trail log files less than 365 days: lifecycle rule cleanup (every object) expires them 90 days after creation",
		"evidence": {
			"trails": [tarn], "log_prefixes": ["AWSLogs/"], "min_days": 365, "lifecycle_rules": rules,
			"problems": ["lifecycle rule cleanup (every object) expires them 90 days after creation"],
		},
	}})
}

test_pass_expiry_at_the_minimum_or_later if {
	testing.equal(status(run([expire("year", "AWSLogs/", 365), expire("later", "", 400)], null)), {"pass"})
}

test_pass_rule_for_another_prefix if {
	testing.equal(status(run([expire("tmp", "tmp/", 1)], "org")), {"pass"})
}

test_fail_rule_narrower_than_the_log_prefix_still_expires_logs if {
	# Under the trail's prefix `org`: org/AWSLogs/111111111111/ is part of the trail's logs.
	got := run([expire(null, "org/AWSLogs/111111111111/", 30)], "org")
	some r in got
	r.status == "fail"
	r.evidence.problems == ["lifecycle rule #0 (objects under org/AWSLogs/111111111111/) expires them 30 days after creation"]
	r.evidence.log_prefixes == ["org/AWSLogs/"]
}

test_pass_disabled_rule_and_tag_limited_rule if {
	rules := [
		{"id": "off", "status": "Disabled", "prefix": "", "expiration_days": 1},
		{"id": "tagged", "status": "Enabled", "prefix": "", "tags": {"temp": "yes"}, "expiration_days": 1},
	]
	testing.equal(status(run(rules, null)), {"pass"})
}

test_fail_noncurrent_versions_and_fixed_date if {
	rules := [
		{"id": "versions", "status": "Enabled", "prefix": "AWSLogs/", "noncurrent_version_expiration_days": 30},
		{"id": "date", "status": "Enabled", "prefix": "", "expiration_date": "2027-01-01T00:00:00Z"},
	]
	some r in run(rules, null)
	r.status == "fail"
	testing.equal(r.evidence.problems, [
		"lifecycle rule versions (objects under AWSLogs/) removes noncurrent versions 30 days after they are replaced or deleted",
		"lifecycle rule date (every object) expires every one of them on 2027-01-01T00:00:00Z",
	])
}

test_fail_min_days_from_configuration if {
	got := run_full([expire("year", "", 365)], null, {}, {"retention": {"s3_min_days": 400}})
	some r in got
	r.status == "fail"
	r.evidence.min_days == 400
}

test_fail_foreign_trail_with_unknown_prefix_judges_the_whole_bucket if {
	# A trail of another account writes here; its key prefix is unknown, so any rule may reach its logs.
	other := "arn:aws:cloudtrail:us-east-1:222222222222:trail/org"
	got := run_with([expire("tmp", "tmp/", 1)], null, {"trail_buckets": {"logs": [{"trail_arn": other, "account_id": "222222222222"}]}})
	some r in got
	r.status == "fail"
	r.evidence.log_prefixes == ["", "AWSLogs/"]
}

test_error_lifecycle_not_collected if {
	testing.equal(run(null, null), {{
		"status": "error", "resource": "arn:aws:s3:::logs", "region": "us-east-1",
		"message": "trail bucket logs: its lifecycle configuration was not read (s3:GetBucketLifecycleConfiguration failed, or the snapshot predates it)",
		"evidence": {"trails": [tarn]},
	}})
}

test_pass_own_trail_listed_in_context_is_not_foreign if {
	# context.trail_buckets lists every account's writers, this account's own trails too.
	got := run_with([expire("tmp", "tmp/", 1)], "org", {"trail_buckets": {"logs": [{"trail_arn": tarn, "account_id": "111111111111"}]}})
	some r in got
	r.status == "pass"
	r.evidence.log_prefixes == ["org/AWSLogs/"]
}
