package trailaudit.kms.key_rotation_test

import data.trailaudit.kms.key_rotation as rule
import data.trailaudit.lib.testing

karn := "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"

key(overrides) := object.union({
	"arn": karn, "key_id": "1234abcd-12ab-34cd-56ef-1234567890ab", "region": "us-east-1",
	"key_manager": "CUSTOMER", "key_state": "Enabled", "key_spec": "SYMMETRIC_DEFAULT",
	"rotation_enabled": true, "aliases": ["alias/cloudtrail"],
}, overrides)

run(k) := r if {
	r := rule.results with input as {"account": {"account_id": "111111111111", "kms_keys": {k.arn: k}}}
}

verdicts(got) := {[r.status, r.message] | some r in got}

test_pass_rotation_enabled if {
	testing.equal(run(key({})), {{
		"status": "pass", "resource": karn, "region": "us-east-1",
		"message": sprintf("KMS key %s (alias/cloudtrail) rotates automatically", [karn]),
		"evidence": {"key_state": "Enabled", "key_spec": "SYMMETRIC_DEFAULT", "rotation_enabled": true, "aliases": ["alias/cloudtrail"]},
	}})
}

test_fail_rotation_disabled if {
	testing.equal(verdicts(run(key({"rotation_enabled": false, "aliases": []}))), {["fail", sprintf("KMS key %s does not rotate its key material", [karn])]})
}

test_fail_disabled_key_is_still_judged if {
	testing.equal(verdicts(run(key({"rotation_enabled": false, "key_state": "Disabled"}))), {["fail", sprintf("KMS key %s (alias/cloudtrail) does not rotate its key material", [karn])]})
	count(run(key({"rotation_enabled": false, "key_state": "Disabled"}))) == 1
}

test_fail_key_spec_unreported_counts_as_symmetric if {
	testing.equal(verdicts(run(key({"rotation_enabled": false, "key_spec": null}))), {["fail", sprintf("KMS key %s (alias/cloudtrail) does not rotate its key material", [karn])]})
	count(run(key({"rotation_enabled": false, "key_spec": null}))) == 1
}

test_error_rotation_not_collected if {
	testing.equal(verdicts(run(key({"rotation_enabled": null}))), {["error", sprintf("KMS key %s (alias/cloudtrail): rotation status was not collected (GetKeyRotationStatus)", [karn])]})
}

test_aws_managed_key_is_not_judged if {
	testing.equal(run(key({"key_manager": "AWS", "rotation_enabled": null})), set())
}

test_asymmetric_key_is_not_judged if {
	testing.equal(run(key({"key_spec": "RSA_2048", "rotation_enabled": null})), set())
}

test_key_pending_deletion_is_not_judged if {
	testing.equal(run(key({"key_state": "PendingDeletion", "rotation_enabled": false})), set())
}

test_recorded_rotation_failure_is_left_to_the_engine if {
	k := key({"rotation_enabled": null})
	got := rule.results with input as {
		"account": {"account_id": "111111111111", "kms_keys": {k.arn: k}},
		"errors": [{"service": "kms", "operation": "GetKeyRotationStatus", "region": "us-east-1", "resource": karn}],
	}
	testing.equal(got, set())
}
