# METADATA
# title: CloudTrail Lake event data store is encrypted with a KMS customer managed key
# description: >-
#   By default CloudTrail encrypts an event data store with a key CloudTrail owns, which
#   nobody can restrict or audit. A customer managed KMS key puts a separate, logged
#   permission (kms:Decrypt) between a Lake query user and the events. Every store of
#   this account is judged, whatever its status: a stopped or pending-deletion store
#   still holds its events at rest. A store whose key is an AWS managed key (`alias/aws/...`
#   or `key_manager: AWS` in the snapshot) fails too. A key the snapshot does not describe
#   passes, because CloudTrail Lake accepts only customer managed keys.
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-10
#   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-event-data-store-cmk.html
# custom:
#   id: CT-011
#   severity: medium
#   subject: event-data-store
#   requires: [cloudtrail:ListEventDataStores, cloudtrail:GetEventDataStore, kms:DescribeKey]
#   frameworks:
#     aws-securityhub: [CloudTrail.10]
#   remediation:
#     console: >-
#       CloudTrail console → Lake → Event data stores → the store → General details → Edit →
#       **Encryption**: use your own AWS KMS key (a symmetric customer managed key whose policy lets
#       CloudTrail use it). The change cannot be undone: the store stays on that key.
#     cli: aws cloudtrail update-event-data-store --event-data-store <store-arn> --kms-key-id <key-arn-or-alias>
package trailaudit.cloudtrail.event_data_store_cmk

import data.trailaudit.lib.errors
import data.trailaudit.lib.result

stores contains [region, s] if {
	some region, inventory in input.account.regions
	some s in object.get(inventory, "event_data_stores", [])
}

# The key a store names, looked up by ARN, key id or alias.
key(s) := k if {
	k := input.account.kms_keys[s.kms_key_id]
} else := k if {
	some k in input.account.kms_keys
	s.kms_key_id in ({k.key_id} | {a | some a in k.aliases} | {sprintf("arn:%s:kms:%s:%s:%s", [input.metadata.partition, k.region, input.account.account_id, a]) | some a in k.aliases})
}

aws_managed_alias(id) if regex.match(`(^|:)alias/aws/`, id)

evidence(s) := {"status": s.status, "kms_key_id": s.kms_key_id}

# A failed DescribeKey of the store's key turns the verdict into an error.
with_key(r, s) := object.union(r, {"depends_on": [s.kms_key_id]})

# ListEventDataStores no longer returns a store's key or status: without
# GetEventDataStore's answer (status null) a null key proves nothing.
results contains result.error(result.event_data_store(s, region), sprintf("event data store %s: its details (GetEventDataStore) were not collected, so its encryption is unknown", [s.name]), evidence(s)) if {
	some [region, s] in stores
	s.status == null
	s.kms_key_id == null
	not errors.failed("cloudtrail:GetEventDataStore", s.arn)
}

results contains result.fail(result.event_data_store(s, region), sprintf("event data store %s (%s) is encrypted with a key CloudTrail owns, not a KMS customer managed key", [s.name, s.status]), evidence(s)) if {
	some [region, s] in stores
	s.status != null
	s.kms_key_id == null
}

results contains with_key(result.fail(result.event_data_store(s, region), sprintf("event data store %s uses AWS managed key %s, not a customer managed key", [s.name, s.kms_key_id]), object.union(evidence(s), {"key_manager": "AWS"})), s) if {
	some [region, s] in stores
	s.kms_key_id != null
	aws_managed_alias(s.kms_key_id)
}

results contains with_key(result.fail(result.event_data_store(s, region), sprintf("event data store %s uses AWS managed key %s, not a customer managed key", [s.name, k.arn]), object.union(evidence(s), {"key_manager": k.key_manager})), s) if {
	some [region, s] in stores
	s.kms_key_id != null
	not aws_managed_alias(s.kms_key_id)
	k := key(s)
	k.key_manager != "CUSTOMER"
}

results contains with_key(result.pass(result.event_data_store(s, region), sprintf("event data store %s is encrypted with customer managed key %s", [s.name, k.arn]), object.union(evidence(s), {"key_manager": "CUSTOMER", "key_state": k.key_state})), s) if {
	some [region, s] in stores
	s.kms_key_id != null
	not aws_managed_alias(s.kms_key_id)
	k := key(s)
	k.key_manager == "CUSTOMER"
}

results contains with_key(result.pass(result.event_data_store(s, region), sprintf("event data store %s is encrypted with KMS key %s (not described in this snapshot; CloudTrail Lake accepts only customer managed keys)", [s.name, s.kms_key_id]), object.union(evidence(s), {"key_manager": null})), s) if {
	some [region, s] in stores
	s.kms_key_id != null
	not aws_managed_alias(s.kms_key_id)
	not key(s)
}
