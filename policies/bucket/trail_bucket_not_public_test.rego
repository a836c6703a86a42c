package trailaudit.bucket.trail_bucket_not_public_test

import data.trailaudit.bucket.trail_bucket_not_public as rule
import data.trailaudit.lib.testing

tarn := "arn:aws:cloudtrail:us-east-1:111111111111:trail/main"

cloudtrail_write := {
	"Sid": "AWSCloudTrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
	"Action": "s3:PutObject", "Resource": "arn:aws:s3:::logs/AWSLogs/111111111111/*",
	"Condition": {"StringEquals": {"aws:SourceArn": tarn}},
}

public_read := {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::logs/*"}

private_acl := {"owner_id": "abc", "grants": [{"grantee_type": "CanonicalUser", "grantee_id": "abc", "permission": "FULL_CONTROL"}]}

bucket(policy, acl, pab) := {
	"name": "logs", "arn": "arn:aws:s3:::logs", "region": "us-east-1",
	"policy": {"Version": "2012-10-17", "Statement": policy}, "acl": acl, "public_access_block": pab,
}

run(b, account_pab) := r if {
	t := {"name": "main", "arn": tarn, "home_region": "us-east-1", "s3_bucket_name": "logs"}
	r := rule.results with input as {
		"account": {"account_id": "111111111111", "trails": {tarn: t}, "buckets": {"logs": b}, "public_access_block": account_pab},
		"context": {"trail_buckets": {}},
	}
}

test_pass_private_bucket if {
	b := bucket([cloudtrail_write], private_acl, null)
	testing.equal(run(b, null), {{
		"status": "pass", "resource": "arn:aws:s3:::logs", "region": "us-east-1",
		"message": "trail bucket logs is not publicly accessible",
		"evidence": {"trails": [tarn], "public_policy_statements": [], "public_acl_grants": [], "bucket_public_access_block": null, "account_public_access_block": null},
	}})
}

test_fail_principal_star_without_condition_even_with_private_acl if {
	b := bucket([cloudtrail_write, public_read], private_acl, null)
	some r in run(b, null)
	r.status == "fail"
	r.message == "trail bucket logs is publicly accessible: bucket policy statement PublicRead allows Principal * without a restricting condition"
}

test_fail_principal_aws_star_in_list if {
	stmt := object.union(public_read, {"Principal": {"AWS": ["arn:aws:iam::222222222222:root", "*"]}})
	some r in run(bucket([stmt], private_acl, null), null)
	r.status == "fail"
}

test_pass_principal_star_with_org_condition if {
	stmt := object.union(public_read, {"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}})
	some r in run(bucket([stmt], private_acl, null), null)
	r.status == "pass"
}

test_fail_public_acl_grant if {
	acl := {"grants": [{"grantee_type": "Group", "grantee_uri": "http://acs.amazonaws.com/groups/global/AllUsers", "permission": "READ"}]}
	some r in run(bucket([cloudtrail_write], acl, null), null)
	r.message == "trail bucket logs is publicly accessible: ACL grants READ to http://acs.amazonaws.com/groups/global/AllUsers"
}

test_pass_account_block_public_access_neutralises_policy_and_acl if {
	acl := {"grants": [{"grantee_type": "Group", "grantee_uri": "http://acs.amazonaws.com/groups/global/AllUsers", "permission": "READ"}]}
	pab := {"block_public_acls": true, "ignore_public_acls": true, "block_public_policy": true, "restrict_public_buckets": true}
	some r in run(bucket([public_read], acl, null), pab)
	r.status == "pass"
}

test_fail_bucket_block_without_restrict_public_buckets if {
	pab := {"block_public_acls": true, "ignore_public_acls": true, "block_public_policy": true, "restrict_public_buckets": false}
	some r in run(bucket([public_read], private_acl, pab), null)
	r.status == "fail"
}

test_pass_single_statement_object if {
	b := object.union(bucket([], private_acl, null), {"policy": {"Version": "2012-10-17", "Statement": cloudtrail_write}})
	some r in run(b, null)
	r.status == "pass"
}

# An ACL that was not collected (null) leaves the policy to judge, instead of
# failing the whole rule for the account at run time; the failed
# s3:GetBucketAcl call itself turns the result into an error (custom.requires).
test_uncollected_acl_still_judges_the_policy if {
	some r in run(bucket([cloudtrail_write, public_read], null, null), null)
	r.status == "fail"
	r.message == "trail bucket logs is publicly accessible: bucket policy statement PublicRead allows Principal * without a restricting condition"
}

test_uncollected_acl_with_private_policy_passes_for_scope_to_judge if {
	some r in run(bucket([cloudtrail_write], null, null), null)
	r.status == "pass"
	r.evidence.public_acl_grants == []
}

# An organization run reads a trail bucket in the account that lists it; when
# no account of the snapshot holds it, the bucket is an error, never a pass.
unheld(holders) := r if {
	t := {"name": "main", "arn": tarn, "home_region": "us-east-1", "s3_bucket_name": "logs"}
	r := rule.results with input as {
		"metadata": {"partition": "aws"},
		"account": {"account_id": "111111111111", "trails": {tarn: t}, "buckets": {}, "public_access_block": null},
		"context": {"trail_buckets": {}, "trail_bucket_holders": holders},
	}
}

test_error_trail_bucket_read_in_no_account if {
	testing.equal(unheld({}), {{
		"status": "error", "resource": "arn:aws:s3:::logs", "region": null,
		"message": sprintf("trail bucket logs (of %s) was read in no account of this snapshot: its owner, the account whose ListBuckets lists it, is not in the collection; add that account (e.g. the log-archive account) to judge it", [tarn]),
		"evidence": {"trails": [tarn]},
	}})
}

test_no_result_here_when_the_owner_account_holds_the_bucket if {
	testing.equal(unheld({"logs": ["333333333333"]}), set())
}
