# METADATA
# title: Nobody changed the policy or ACL of a trail's S3 bucket
# description: >-
#   Who may write, read and delete CloudTrail log files is decided by the trail bucket's policy
#   and ACL. A PutBucketPolicy or DeleteBucketPolicy can drop CloudTrail's permission to deliver
#   (logging stops, silently, at the next delivery) or let others read or delete the logs; a
#   PutBucketAcl can open the bucket to other accounts or everyone. Changing who can write the
#   cloud log store is MITRE ATT&CK T1562.008 (Impair Defenses: Disable or Modify Cloud Logs).
#   Every change (s3.amazonaws.com, requestParameters.bucketName = the S3 bucket of a trail that
#   records this account) is reported for review, since the event alone does not show whether the
#   new policy is still sound (the bucket rules judge the current one); failed calls are reported
#   as attempts. Only a complete event history (LookupEvents, not truncated) can pass.
# scope: package
# related_resources:
#   - https://attack.mitre.org/techniques/T1562/008/
#   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html
# custom:
#   id: EVT-006
#   severity: medium
#   subject: event
#   requires: [cloudtrail:LookupEvents, cloudtrail:DescribeTrails]
#   events:
#     - source: s3.amazonaws.com
#       names: [PutBucketPolicy, DeleteBucketPolicy, PutBucketAcl]
#   frameworks:
#     mitre-attack: [T1562.008]
#   remediation:
#     console: >-
#       Confirm with the caller whether the change was authorised and compare the bucket's current
#       policy and ACL with the CloudTrail bucket policy template (S3 console → the bucket →
#       Permissions). Restore CloudTrail's `s3:GetBucketAcl` and `s3:PutObject` grants scoped by
#       `aws:SourceArn`, remove other principals, and restrict `s3:PutBucketPolicy`,
#       `s3:DeleteBucketPolicy` and `s3:PutBucketAcl` on the bucket to its administrators.
#     cli: |
#       aws s3api get-bucket-policy --bucket <bucket>
#       aws s3api get-bucket-acl --bucket <bucket>
#       aws s3api put-bucket-policy --bucket <bucket> --policy file://cloudtrail-bucket-policy.json
package trailaudit.events.trail_bucket_access_changed

import data.trailaudit.lib.events
import data.trailaudit.lib.result
import data.trailaudit.lib.trails

actions := {
	"PutBucketPolicy": ["replaced the bucket policy of", "attempted to replace the bucket policy of"],
	"DeleteBucketPolicy": ["deleted the bucket policy of", "attempted to delete the bucket policy of"],
	"PutBucketAcl": ["changed the ACL of", "attempted to change the ACL of"],
}

# Bucket name -> ARNs of the trails that write to it: trails recording this
# account, and trails elsewhere in the snapshot writing to this account's buckets.
trail_buckets[name] contains t.arn if {
	some t in trails.recording
	name := t.s3_bucket_name
	is_string(name)
}

trail_buckets[name] contains ref.trail_arn if {
	some name, refs in input.context.trail_buckets
	some ref in refs
}

findings[e.event_id] := {"event": e, "bucket": bucket, "trails": sort(trail_buckets[bucket])} if {
	some e in events.named("s3.amazonaws.com", object.keys(actions))
	bucket := events.param(e, "bucketName")
	is_string(bucket)
	trail_buckets[bucket]
}

results contains result.fail(
	events.subject(sprintf("arn:%s:s3:::%s", [events.partition, f.bucket]), f.event),
	events.message(f.event, sprintf("%s trail bucket %s (written by trail %s)", [
		events.verb(f.event, actions[f.event.event_name][0], actions[f.event.event_name][1]),
		f.bucket, concat(", ", f.trails),
	])),
	events.evidence(f.event, {"bucket": f.bucket, "trail_arns": f.trails}),
) if {
	some f in findings
}

results contains events.none_found("PutBucketPolicy, DeleteBucketPolicy or PutBucketAcl on a trail bucket") if count(findings) == 0
