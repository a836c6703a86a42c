package trailaudit.cloudtrail.event_data_store_cmk_test

import data.trailaudit.cloudtrail.event_data_store_cmk as rule
import data.trailaudit.lib.testing

sarn := "arn:aws:cloudtrail:eu-west-1:111111111111:eventdatastore/0f3c2a1e-7d5b-4c2a-9a0e-3b6f1d2c4e5a"

karn := "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"

key(manager) := {"arn": karn, "key_id": "1234abcd-12ab-34cd-56ef-1234567890ab", "region": "eu-west-1", "key_manager": manager, "key_state": "Enabled", "aliases": ["alias/lake"]}

store(status, kms_key_id) := {"arn": sarn, "name": "audit-lake", "status": status, "kms_key_id": kms_key_id}

run(stores, keys) := r if {
	r := rule.results with input as {
		"metadata": {"partition": "aws"},
		"account": {
			"account_id": "111111111111",
			"regions": {"eu-west-1": {"event_data_stores": stores}, "us-east-1": {"event_data_stores": []}},
			"kms_keys": {k.arn: k | some k in keys},
		},
	}
}

verdicts(got) := {[r.status, r.message] | some r in got}

test_pass_customer_managed_key if {
	testing.equal(run([store("ENABLED", karn)], [key("CUSTOMER")]), {{
		"status": "pass", "resource": sarn, "region": "eu-west-1",
		"message": sprintf("event data store audit-lake is encrypted with customer managed key %s", [karn]),
		"evidence": {"status": "ENABLED", "kms_key_id": karn, "key_manager": "CUSTOMER", "key_state": "Enabled"},
		"depends_on": [karn],
	}})
}

test_pass_key_named_by_alias_arn if {
	got := run([store("ENABLED", "arn:aws:kms:eu-west-1:111111111111:alias/lake")], [key("CUSTOMER")])
	testing.equal({[r.status, r.evidence.key_manager] | some r in got}, {["pass", "CUSTOMER"]})
}

test_pass_key_not_described if {
	got := run([store("ENABLED", "arn:aws:kms:eu-west-1:999999999999:key/x")], [])
	testing.equal({[r.status, r.evidence.key_manager] | some r in got}, {["pass", null]})
}

test_fail_default_encryption if {
	testing.equal(run([store("ENABLED", null)], []), {{
		"status": "fail", "resource": sarn, "region": "eu-west-1",
		"message": "event data store audit-lake (ENABLED) is encrypted with a key CloudTrail owns, not a KMS customer managed key",
		"evidence": {"status": "ENABLED", "kms_key_id": null},
	}})
}

test_fail_stopped_store_still_counts if {
	testing.equal(verdicts(run([store("STOPPED_INGESTION", null)], [])), {["fail", "event data store audit-lake (STOPPED_INGESTION) is encrypted with a key CloudTrail owns, not a KMS customer managed key"]})
}

test_fail_aws_managed_key_in_snapshot if {
	got := run([store("ENABLED", karn)], [key("AWS")])
	testing.equal({[r.status, r.evidence.key_manager] | some r in got}, {["fail", "AWS"]})
}

test_fail_aws_managed_alias_without_key_record if {
	testing.equal(verdicts(run([store("ENABLED", "alias/aws/cloudtrail")], [])), {["fail", "event data store audit-lake uses AWS managed key alias/aws/cloudtrail, not a customer managed key"]})
}

test_error_details_not_collected if {
	testing.equal(verdicts(run([store(null, null)], [])), {["error", "event data store audit-lake: its details (GetEventDataStore) were not collected, so its encryption is unknown"]})
}

test_no_store_no_result if {
	testing.equal(run([], []), set())
}

test_recorded_get_event_data_store_failure_is_left_to_the_engine if {
	got := rule.results with input as {
		"metadata": {"partition": "aws"},
		"account": {"account_id": "111111111111", "regions": {"eu-west-1": {"event_data_stores": [store(null, null)]}}, "kms_keys": {}},
		"errors": [{"service": "cloudtrail", "operation": "GetEventDataStore", "region": "eu-west-1", "resource": sarn}],
	}
	testing.equal(got, set())
}
