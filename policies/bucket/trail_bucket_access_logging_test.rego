package trailaudit.bucket.trail_bucket_access_logging_test

import data.trailaudit.bucket.trail_bucket_access_logging as rule
import data.trailaudit.lib.testing

tarn := "arn:aws:cloudtrail:us-east-1:111111111111:trail/main"

run(buckets, trail_buckets) := r if {
	t := {"name": "main", "arn": tarn, "home_region": "us-east-1", "s3_bucket_name": "logs"}
	r := rule.results with input as {
		"account": {"account_id": "111111111111", "trails": {tarn: t}, "buckets": buckets},
		"context": {"trail_buckets": trail_buckets},
	}
}

bucket(name, logging) := {"name": name, "arn": sprintf("arn:aws:s3:::%s", [name]), "region": "us-east-1", "logging": logging}

test_pass_access_logging_on if {
	logging := {"target_bucket": "access-logs", "target_prefix": "logs/"}
	testing.equal(run({"logs": bucket("logs", logging)}, {}), {{
		"status": "pass", "resource": "arn:aws:s3:::logs", "region": "us-east-1",
		"message": "trail bucket logs logs access to access-logs",
		"evidence": {"trails": [tarn], "logging": logging},
	}})
}

test_fail_access_logging_off if {
	testing.equal(run({"logs": bucket("logs", null)}, {}), {{
		"status": "fail", "resource": "arn:aws:s3:::logs", "region": "us-east-1",
		"message": "trail bucket logs has server access logging disabled",
		"evidence": {"trails": [tarn], "logging": null},
	}})
}

test_fail_bucket_written_by_another_accounts_trail if {
	# A log-archive account owns the bucket an organization trail elsewhere writes to.
	other := "arn:aws:cloudtrail:us-east-1:222222222222:trail/org"
	got := run({"archive": bucket("archive", null)}, {"archive": [{"trail_arn": other, "account_id": "222222222222"}]})
	some r in got
	r.resource == "arn:aws:s3:::archive"
	r.status == "fail"
	r.evidence.trails == [other]
}

test_pass_non_trail_bucket_not_judged if {
	testing.equal(run({"assets": bucket("assets", null)}, {}), set())
}

test_error_trail_bucket_read_in_no_account if {
	t := {"name": "main", "arn": tarn, "home_region": "us-east-1", "s3_bucket_name": "logs"}
	r := rule.results with input as {
		"metadata": {"partition": "aws"},
		"account": {"account_id": "111111111111", "trails": {tarn: t}, "buckets": {}},
		"context": {"trail_buckets": {}, "trail_bucket_holders": {}},
	}
	some e in r
	e.status == "error"
	e.resource == "arn:aws:s3:::logs"
	count(r) == 1
}
