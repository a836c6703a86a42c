# METADATA
# title: Trail bucket is not publicly accessible
# description: >-
#   Anyone who can read a trail bucket can read the account's API activity; anyone who
#   can write or delete in it can destroy evidence. A bucket is public when a policy
#   statement allows Principal "*" (or {"AWS": "*"}) without a condition that ties it to
#   known accounts, organizations, sources or networks, or when its ACL grants AllUsers
#   or AuthenticatedUsers — unless Block Public Access (bucket or account level)
#   neutralises that. A private ACL does not make a public policy private. Judged in the
#   account that owns the bucket; a trail bucket owned by an account outside the
#   snapshot is not judged.
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
#   - https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-6
# custom:
#   id: CT-006
#   severity: critical
#   subject: bucket
#   requires: [cloudtrail:DescribeTrails, s3:GetBucketPolicy, s3:GetBucketAcl, s3:GetPublicAccessBlock, s3control:GetPublicAccessBlock]
#   frameworks:
#     aws-securityhub: [CloudTrail.6]
#   remediation:
#     console: >-
#       S3 console → the bucket → Permissions: turn on **Block all public access**, remove
#       statements allowing Principal "*" without conditions, and remove ACL grants to Everyone
#       or Authenticated users.
#     cli: aws s3api put-public-access-block --bucket <bucket> --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
package trailaudit.bucket.trail_bucket_not_public

import data.trailaudit.lib.buckets
import data.trailaudit.lib.result

# The rules themselves, not their package: regorus evaluates every rule of a
# package referenced as `buckets.trail_buckets` (sensitive buckets, ...).
import data.trailaudit.lib.buckets.trail_buckets
import data.trailaudit.lib.buckets.writers

# Per trail bucket (keyed by name): what makes it public, and the evidence.
# Computed once per account, with one buckets.public_access call per bucket:
# functions are not cached.
verdicts := {name: {"bucket": b, "reasons": access.reasons, "evidence": evidence} |
	some name, b in trail_buckets
	access := buckets.public_access(b)
	evidence := {
		"trails": writers[b.name],
		"public_policy_statements": access.statements,
		"public_acl_grants": access.grants,
		"bucket_public_access_block": b.public_access_block,
		"account_public_access_block": input.account.public_access_block,
	}
}

results contains result.pass(result.bucket(b), sprintf("trail bucket %s is not publicly accessible", [b.name]), v.evidence) if {
	some v in verdicts
	count(v.reasons) == 0
	b := v.bucket
}

results contains result.fail(result.bucket(b), sprintf("trail bucket %s is publicly accessible: %s", [b.name, concat("; ", v.reasons)]), v.evidence) if {
	some v in verdicts
	count(v.reasons) > 0
	b := v.bucket
}

# A trail bucket read in no account of the snapshot (its owner was not collected).
results contains result.error(buckets.unheld_subject(name), buckets.unheld_message(name, arns), {"trails": arns}) if {
	some name, arns in buckets.unheld_trail_buckets
}
