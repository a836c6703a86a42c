package trailaudit.lib.result_test

import data.trailaudit.lib.result
import data.trailaudit.lib.testing

inp := {"account": {"account_id": "111111111111"}}

test_pass_fail_error_build_one_result_on_the_subject if {
	subject := {"resource": "arn:aws:cloudtrail:us-east-1:111111111111:trail/t", "region": "us-east-1"}
	testing.equal(result.pass(subject, "ok", {"a": 1}), {
		"resource": "arn:aws:cloudtrail:us-east-1:111111111111:trail/t", "region": "us-east-1",
		"status": "pass", "message": "ok", "evidence": {"a": 1},
	})
	testing.equal(result.fail(subject, "no", {}).status, "fail")
	testing.equal(result.error(subject, "unknown", {}).status, "error")
}

test_subjects if {
	account := result.account with input as inp
	testing.equal(account, {"resource": "AWS::::Account:111111111111", "region": null})
	region := result.region("eu-west-1") with input as inp
	testing.equal(region, {"resource": "AWS::::Account:111111111111/eu-west-1", "region": "eu-west-1"})
	testing.equal(result.trail({"arn": "arn:t", "home_region": "us-east-1"}), {"resource": "arn:t", "region": "us-east-1"})
	testing.equal(result.bucket({"arn": "arn:aws:s3:::b", "region": "eu-west-1"}), {"resource": "arn:aws:s3:::b", "region": "eu-west-1"})
	testing.equal(result.bucket({"arn": "arn:aws:s3:::b"}), {"resource": "arn:aws:s3:::b", "region": null})
	testing.equal(result.kms_key({"arn": "arn:k", "region": "us-east-1"}), {"resource": "arn:k", "region": "us-east-1"})
	testing.equal(result.event_data_store({"arn": "arn:s"}, "us-west-2"), {"resource": "arn:s", "region": "us-west-2"})
}
