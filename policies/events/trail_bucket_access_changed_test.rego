package trailaudit.events.trail_bucket_access_changed_test

import data.trailaudit.events.trail_bucket_access_changed as rule
import data.trailaudit.lib.events_testing as t
import data.trailaudit.lib.testing

tarn := "arn:aws:cloudtrail:us-east-1:111111111111:trail/main"

trail := {"name": "main", "arn": tarn, "home_region": "us-east-1", "is_multi_region_trail": true, "is_organization_trail": false, "s3_bucket_name": "trail-logs"}

put_policy(bucket) := t.event("p-1", "s3.amazonaws.com", "PutBucketPolicy", {"bucketName": bucket, "policy": ""})

run(evs, truncated) := r if {
	r := rule.results with input as t.input_with({"trails": {tarn: trail}, "event_history": t.history(evs, truncated)})
}

test_fail_put_bucket_policy_on_trail_bucket if {
	r := t.only(run([put_policy("trail-logs"), put_policy("other-bucket")], false))
	testing.equal(r.status, "fail")
	testing.equal(r.resource, "arn:aws:s3:::trail-logs")
	testing.equal(r.region, "us-east-1")
	testing.equal(r.message, sprintf(`IAMUser arn:aws:iam::111111111111:user/mallory replaced the bucket policy of trail bucket trail-logs (written by trail %s) at 2026-11-02T17:41:09Z from 203.0.113.77 with user agent "aws-cli/2.17.4" in us-east-1`, [tarn]))
	testing.equal(r.evidence.bucket, "trail-logs")
	testing.equal(r.evidence.trail_arns, [tarn])
	testing.equal(r.evidence.request_parameters, {"bucketName": "trail-logs", "policy": ""})
}

test_fail_delete_policy_and_acl if {
	d := t.event("d-1", "s3.amazonaws.com", "DeleteBucketPolicy", {"bucketName": "trail-logs"})
	a := t.event("a-1", "s3.amazonaws.com", "PutBucketAcl", {"bucketName": "trail-logs", "acl": ""})
	rs := run([d, a], false)
	testing.equal({[r.status, r.resource, r.evidence.event_name, r.message] | some r in rs}, {
		["fail", "arn:aws:s3:::trail-logs", "DeleteBucketPolicy", `IAMUser arn:aws:iam::111111111111:user/mallory deleted the bucket policy of trail bucket trail-logs (written by trail arn:aws:cloudtrail:us-east-1:111111111111:trail/main) at 2026-11-02T17:41:09Z from 203.0.113.77 with user agent "aws-cli/2.17.4" in us-east-1`],
		["fail", "arn:aws:s3:::trail-logs", "PutBucketAcl", `IAMUser arn:aws:iam::111111111111:user/mallory changed the ACL of trail bucket trail-logs (written by trail arn:aws:cloudtrail:us-east-1:111111111111:trail/main) at 2026-11-02T17:41:09Z from 203.0.113.77 with user agent "aws-cli/2.17.4" in us-east-1`],
	})
	count(rs) == 2
}

test_fail_bucket_of_a_trail_in_another_account if {
	rs := rule.results with input as object.union(t.input_with({"event_history": t.history([put_policy("central-logs")], false)}), {
		"context": {"organization_trails": {}, "trail_buckets": {"central-logs": [{"trail_arn": "arn:aws:cloudtrail:us-east-1:999999999999:trail/org", "account_id": "999999999999"}]}},
	})
	r := t.only(rs)
	r.status == "fail"
	r.evidence.trail_arns == ["arn:aws:cloudtrail:us-east-1:999999999999:trail/org"]
}

test_fail_denied_change_is_an_attempt if {
	r := t.only(run([t.failed(put_policy("trail-logs"), "AccessDenied")], false))
	r.status == "fail"
	testing.equal(r.message, `IAMUser arn:aws:iam::111111111111:user/mallory attempted to replace the bucket policy of trail bucket trail-logs (written by trail arn:aws:cloudtrail:us-east-1:111111111111:trail/main) at 2026-11-02T17:41:09Z from 203.0.113.77 with user agent "aws-cli/2.17.4" in us-east-1; the call failed with AccessDenied (not authorized), so this was an attempt`)
}

test_pass_other_bucket if {
	r := t.only(run([put_policy("other-bucket")], false))
	testing.equal(r.status, "pass")
	testing.equal(r.message, sprintf("no PutBucketPolicy, DeleteBucketPolicy or PutBucketAcl on a trail bucket in the event history %s", [t.window]))
}

test_pass_other_change_on_trail_bucket if {
	r := t.only(run([t.event("g-1", "s3.amazonaws.com", "PutBucketTagging", {"bucketName": "trail-logs"})], false))
	r.status == "pass"
}

test_error_truncated if {
	r := t.only(run([put_policy("other-bucket")], true))
	r.status == "error"
}

test_error_not_collected if {
	r := t.only(rule.results) with input as t.input_with({"trails": {tarn: trail}})
	r.status == "error"
}
