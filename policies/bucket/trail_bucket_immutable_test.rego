package trailaudit.bucket.trail_bucket_immutable_test

import data.trailaudit.bucket.trail_bucket_immutable as rule
import data.trailaudit.lib.testing

tarn := "arn:aws:cloudtrail:us-east-1:111111111111:trail/main"

run(b) := r if {
	t := {"name": "main", "arn": tarn, "home_region": "us-east-1", "s3_bucket_name": "logs"}
	r := rule.results with input as {
		"account": {"account_id": "111111111111", "trails": {tarn: t}, "buckets": {"logs": b}},
		"context": {"trail_buckets": {}},
	}
}

bucket(versioning, lock) := {"name": "logs", "arn": "arn:aws:s3:::logs", "region": "us-east-1", "versioning": versioning, "object_lock": lock}

mfa := {"status": "Enabled", "mfa_delete": "Enabled"}

plain := {"status": "Enabled", "mfa_delete": "Disabled"}

compliance := {"enabled": true, "default_retention_mode": "COMPLIANCE", "default_retention_days": 400}

expect(status, message, versioning, lock) := {{
	"status": status, "resource": "arn:aws:s3:::logs", "region": "us-east-1", "message": message,
	"evidence": {"trails": [tarn], "versioning": versioning, "object_lock": lock},
}}

test_pass_object_lock_reports_mode_and_retention if {
	testing.equal(run(bucket(plain, compliance)), expect(
		"pass", "trail bucket logs has S3 Object Lock in COMPLIANCE mode with a default retention of 400 days",
		plain, compliance,
	))
}

test_pass_object_lock_in_years_with_mfa_delete_too if {
	lock := {"enabled": true, "default_retention_mode": "GOVERNANCE", "default_retention_years": 7}
	testing.equal(run(bucket(mfa, lock)), expect(
		"pass", "trail bucket logs has S3 Object Lock in GOVERNANCE mode with a default retention of 7 years (and versioning with MFA delete)",
		mfa, lock,
	))
}

test_pass_one_year_is_singular if {
	lock := {"enabled": true, "default_retention_mode": "GOVERNANCE", "default_retention_years": 1}
	some r in run(bucket(plain, lock))
	r.message == "trail bucket logs has S3 Object Lock in GOVERNANCE mode with a default retention of 1 year"
}

test_pass_versioning_with_mfa_delete if {
	testing.equal(run(bucket(mfa, null)), expect(
		"pass", "trail bucket logs has versioning with MFA delete: removing a log file version needs the root user's MFA device",
		mfa, null,
	))
}

test_fail_versioning_without_mfa_delete if {
	testing.equal(run(bucket(plain, null)), expect(
		"fail", "trail bucket logs lets log files be deleted or overwritten: versioning enabled without MFA delete; no Object Lock",
		plain, null,
	))
}

test_fail_object_lock_without_default_retention if {
	lock := {"enabled": true}
	testing.equal(run(bucket({"status": "Suspended", "mfa_delete": "Enabled"}, lock)), expect(
		"fail", "trail bucket logs lets log files be deleted or overwritten: versioning Suspended; Object Lock enabled without a default retention",
		{"status": "Suspended", "mfa_delete": "Enabled"}, lock,
	))
}

test_fail_nothing_configured if {
	v := {"status": null, "mfa_delete": null}
	testing.equal(run(bucket(v, null)), expect(
		"fail", "trail bucket logs lets log files be deleted or overwritten: versioning never enabled; no Object Lock",
		v, null,
	))
}

test_fail_versioning_not_collected_never_passes if {
	# A failed GetBucketVersioning (null here) becomes an error on the Rust side; the rule itself fails it.
	some r in run(bucket(null, null))
	r.status == "fail"
}

test_pass_non_trail_bucket_not_judged if {
	got := rule.results with input as {
		"account": {"account_id": "111111111111", "trails": {}, "buckets": {"assets": object.union(bucket(null, null), {"name": "assets"})}},
		"context": {"trail_buckets": {}},
	}
	testing.equal(got, set())
}
