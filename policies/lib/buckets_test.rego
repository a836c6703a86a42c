package trailaudit.lib.buckets_test

import data.trailaudit.lib.buckets
import data.trailaudit.lib.testing

config := {"sensitive_buckets": {"names": ["*-pii-*", "payroll"], "tags": {"data-classification": ["Sensitive"], "owner": []}}}

is_sensitive(b) := true if buckets.sensitive(b) else := false

test_sensitive_by_name_glob_or_tag if {
	got := [
		is_sensitive({"name": "acme-pii-customers", "tags": {}}),
		is_sensitive({"name": "payroll", "tags": {}}),
		is_sensitive({"name": "website", "tags": {"data-classification": "sensitive"}}),
		is_sensitive({"name": "website", "tags": {"data-classification": "public"}}),
		is_sensitive({"name": "website", "tags": {"owner": "anyone"}}),
		is_sensitive({"name": "website", "tags": {}}),
	] with data.trailaudit.config as config
	testing.equal(got, [true, true, true, false, true, false])
}

tarn := "arn:aws:cloudtrail:us-east-1:111111111111:trail/main"

account(bucket_names) := {
	"metadata": {"partition": "aws"},
	"account": {
		"account_id": "111111111111",
		"trails": {tarn: {"arn": tarn, "s3_bucket_name": "logs"}},
		"buckets": {name: {"name": name} | some name in bucket_names},
	},
	"context": {
		"trail_buckets": {"shared": [{"trail_arn": "arn:aws:cloudtrail:us-east-1:222222222222:trail/org", "account_id": "222222222222"}]},
		"trail_bucket_holders": {},
	},
}

test_trail_buckets_writers_and_unheld_buckets if {
	held := account(["logs", "shared", "other"])
	got := {
		"trail_buckets": object.keys(buckets.trail_buckets),
		"writers": buckets.writers,
		"unheld": buckets.unheld_trail_buckets,
	} with input as held
	testing.equal(got, {
		"trail_buckets": {"logs", "shared"},
		"writers": {"logs": [tarn], "shared": ["arn:aws:cloudtrail:us-east-1:222222222222:trail/org"]},
		"unheld": {},
	})
	missing := account(["shared"])
	unheld := buckets.unheld_trail_buckets with input as missing
	testing.equal(unheld, {"logs": [tarn]})
	subject := buckets.unheld_subject("logs") with input as missing
	testing.equal(subject, {"resource": "arn:aws:s3:::logs", "region": null})
}

statement(sid, principal, condition) := {"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": "s3:GetObject", "Condition": condition}

all_users := {"grantee_type": "Group", "grantee_uri": "http://acs.amazonaws.com/groups/global/AllUsers", "permission": "READ"}

test_public_access_reasons if {
	open := {"policy": {"Statement": [statement("Open", "*", {}), statement("Org", {"AWS": "*"}, {"StringEquals": {"aws:PrincipalOrgID": "o-1"}})]}, "acl": {"grants": [all_users]}}
	testing.equal(buckets.public_access(open), {
		"statements": ["Open"],
		"grants": ["READ to http://acs.amazonaws.com/groups/global/AllUsers"],
		"reasons": [
			"bucket policy statement Open allows Principal * without a restricting condition",
			"ACL grants READ to http://acs.amazonaws.com/groups/global/AllUsers",
		],
	})
	blocked := object.union(open, {"public_access_block": {"restrict_public_buckets": true, "ignore_public_acls": true}})
	testing.equal(buckets.public_access(blocked).reasons, [])
	aws_says := {"policy": {"Statement": {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::1:root"]}}}, "policy_is_public": true, "acl": null}
	testing.equal(buckets.public_access(aws_says), {
		"statements": [], "grants": [],
		"reasons": ["AWS reports the bucket policy as public (GetBucketPolicyStatus)"],
	})
}

test_account_level_block_neutralises if {
	open := {"policy": {"Statement": [statement("Open", "*", {})]}, "acl": null}
	i := {"account": {"public_access_block": {"restrict_public_buckets": true}}}
	reasons := buckets.public_access(open).reasons with input as i
	testing.equal(reasons, [])
}
