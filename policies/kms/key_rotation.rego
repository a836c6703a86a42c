# METADATA
# title: Customer managed symmetric KMS key rotates its key material
# description: >-
#   Automatic rotation replaces a key's material every year (or on the configured
#   period) and keeps the old material for decryption, which limits what one leaked
#   backing key exposes. Judged on every customer managed (`key_manager: CUSTOMER`),
#   symmetric (`key_spec` SYMMETRIC_DEFAULT or unreported) key not pending deletion.
#   Scope: the snapshot holds the KMS keys that trails and CloudWatch Logs log groups
#   use, not every key in the account, so this covers the keys protecting audit logs.
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html
#   - https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-4
# custom:
#   id: KMS-001
#   severity: medium
#   subject: kms-key
#   requires: [kms:DescribeKey, kms:GetKeyRotationStatus]
#   frameworks:
#     aws-securityhub: [KMS.4]
#     cis-aws-v3.0: ["3.6"]
#     cis-aws-v4.0: ["3.6"]
#     cis-aws-v5.0: ["3.6"]
#     cis-aws-v6.0: ["4.6"]
#     cis-aws-v7.0: ["4.6"]
#   remediation:
#     console: KMS console → Customer managed keys → the key → **Key rotation** → check **Automatically rotate this KMS key every year** → Save.
#     cli: aws kms enable-key-rotation --key-id <key-arn>
package trailaudit.kms.key_rotation

import data.trailaudit.lib.errors
import data.trailaudit.lib.result

# Keys AWS lets rotate automatically and CIS 3.6 / KMS.4 judge.
rotatable contains k if {
	some k in input.account.kms_keys
	k.key_manager == "CUSTOMER"
	object.get(k, "key_spec", null) in {"SYMMETRIC_DEFAULT", null}
	k.key_state != "PendingDeletion"
}

evidence(k) := {"key_state": k.key_state, "key_spec": object.get(k, "key_spec", null), "rotation_enabled": k.rotation_enabled, "aliases": k.aliases}

label(k) := sprintf("%s (%s)", [k.arn, concat(", ", k.aliases)]) if count(k.aliases) > 0

else := k.arn

results contains result.pass(result.kms_key(k), sprintf("KMS key %s rotates automatically", [label(k)]), evidence(k)) if {
	some k in rotatable
	k.rotation_enabled == true
}

results contains result.fail(result.kms_key(k), sprintf("KMS key %s does not rotate its key material", [label(k)]), evidence(k)) if {
	some k in rotatable
	k.rotation_enabled == false
}

results contains result.error(result.kms_key(k), sprintf("KMS key %s: rotation status was not collected (GetKeyRotationStatus)", [label(k)]), evidence(k)) if {
	some k in rotatable
	k.rotation_enabled == null
	not errors.failed("kms:GetKeyRotationStatus", k.arn)
}
