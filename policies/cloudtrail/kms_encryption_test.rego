package trailaudit.cloudtrail.kms_encryption_test

import data.trailaudit.cloudtrail.kms_encryption as rule
import data.trailaudit.lib.testing

tarn := "arn:aws:cloudtrail:us-east-1:111111111111:trail/main"

karn := "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"

key(manager) := {"arn": karn, "key_id": "1234abcd-12ab-34cd-56ef-1234567890ab", "region": "us-east-1", "key_manager": manager, "key_state": "Enabled", "aliases": ["alias/cloudtrail"]}

run(kms_key_id, keys) := r if {
	t := {"name": "main", "arn": tarn, "home_region": "us-east-1", "kms_key_id": kms_key_id}
	r := rule.results with input as {"account": {"account_id": "111111111111", "trails": {tarn: t}, "kms_keys": {k.arn: k | some k in keys}}}
}

test_pass_customer_managed_key_by_arn if {
	testing.equal(run(karn, [key("CUSTOMER")]), {{
		"status": "pass", "resource": tarn, "region": "us-east-1",
		"message": sprintf("trail main logs are encrypted with customer managed key %s", [karn]),
		"evidence": {"kms_key_id": karn, "key_manager": "CUSTOMER", "key_state": "Enabled"},
	}})
}

test_pass_key_referenced_by_alias if {
	some r in run("alias/cloudtrail", [key("CUSTOMER")])
	r.status == "pass"
	r.evidence.key_manager == "CUSTOMER"
}

test_fail_no_kms_key if {
	testing.equal(run(null, []), {{
		"status": "fail", "resource": tarn, "region": "us-east-1",
		"message": "trail main logs are encrypted with SSE-S3 only, not a KMS customer managed key",
		"evidence": {"kms_key_id": null},
	}})
}

test_fail_aws_managed_key if {
	some r in run(karn, [key("AWS")])
	r.status == "fail"
	r.evidence.key_manager == "AWS"
}

test_pass_key_in_another_account if {
	some r in run("arn:aws:kms:us-east-1:999999999999:key/x", [])
	r.status == "pass"
	r.evidence.key_manager == null
}

# A key the snapshot does not describe is cited, so a failed DescribeKey on it
# turns the verdict into an error (the engine matches `depends_on`).
test_pass_undescribed_key_depends_on_it if {
	some r in run("arn:aws:kms:us-east-1:999999999999:key/x", [])
	r.depends_on == ["arn:aws:kms:us-east-1:999999999999:key/x"]
}
