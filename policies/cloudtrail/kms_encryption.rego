# METADATA
# title: Trail logs are encrypted with a KMS customer managed key
# description: >-
#   By default CloudTrail log files get SSE-S3 encryption, which anyone with read access
#   to the bucket can decrypt. A customer managed KMS key adds a second, separately
#   audited permission (kms:Decrypt) between a bucket reader and the logs.
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/encrypting-cloudtrail-log-files-with-aws-kms.html
# custom:
#   id: CT-004
#   severity: medium
#   subject: trail
#   requires: [cloudtrail:DescribeTrails, kms:DescribeKey]
#   frameworks:
#     aws-securityhub: [CloudTrail.2]
#     cis-aws-v3.0: ["3.5"]
#     cis-aws-v4.0: ["3.5"]
#     cis-aws-v5.0: ["3.5"]
#     cis-aws-v6.0: ["4.5"]
#     cis-aws-v7.0: ["4.5"]
#   remediation:
#     console: >-
#       CloudTrail console → Trails → the trail → General details → Edit → enable **SSE-KMS encryption**
#       with a customer managed key whose policy lets CloudTrail encrypt.
#     cli: aws cloudtrail update-trail --name <trail> --kms-key-id <key-arn-or-alias>
package trailaudit.cloudtrail.kms_encryption

import data.trailaudit.lib.result
import data.trailaudit.lib.trails

# The key a trail names, looked up by ARN, key id or alias.
key(t) := k if {
	k := input.account.kms_keys[t.kms_key_id]
} else := k if {
	some k in input.account.kms_keys
	t.kms_key_id in ({k.key_id} | {a | some a in k.aliases} | {sprintf("alias/%s", [trim_prefix(a, "alias/")]) | some a in k.aliases})
}

results contains result.fail(result.trail(t), sprintf("trail %s logs are encrypted with SSE-S3 only, not a KMS customer managed key", [t.name]), {"kms_key_id": null}) if {
	some t in trails.own
	t.kms_key_id == null
}

results contains result.pass(result.trail(t), sprintf("trail %s logs are encrypted with customer managed key %s", [t.name, k.arn]), {"kms_key_id": t.kms_key_id, "key_manager": "CUSTOMER", "key_state": k.key_state}) if {
	some t in trails.own
	t.kms_key_id != null
	k := key(t)
	k.key_manager == "CUSTOMER"
}

results contains result.fail(result.trail(t), sprintf("trail %s uses AWS managed key %s, not a customer managed key", [t.name, k.arn]), {"kms_key_id": t.kms_key_id, "key_manager": k.key_manager}) if {
	some t in trails.own
	t.kms_key_id != null
	k := key(t)
	k.key_manager != "CUSTOMER"
}

# The key lives in another account (or was not described): CloudTrail only
# accepts symmetric customer managed keys, so a configured key is one.
# `depends_on` names the key: had its DescribeKey failed, the verdict is an error.
results contains object.union(
	result.pass(result.trail(t), sprintf("trail %s logs are encrypted with KMS key %s (not described in this snapshot)", [t.name, t.kms_key_id]), {"kms_key_id": t.kms_key_id, "key_manager": null}),
	{"depends_on": [t.kms_key_id]},
) if {
	some t in trails.own
	t.kms_key_id != null
	not key(t)
}
