package trailaudit.awsconfig.service_linked_role_test

import data.trailaudit.awsconfig.service_linked_role as rule
import data.trailaudit.lib.testing

slr := "arn:aws:iam::111111111111:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"

custom := "arn:aws:iam::111111111111:role/config-recorder"

rec(overrides) := object.union({"name": "default", "role_arn": slr, "all_supported": true, "include_global_resource_types": false, "recording": true, "last_status": "SUCCESS"}, overrides)

run(by_region) := r if {
	r := rule.results with input as {
		"metadata": {"regions": sort(object.keys(by_region))},
		"account": {"account_id": "111111111111", "regions": {region: {"config_recorders": recs} | some region, recs in by_region}},
	}
}

verdicts(got) := {[r.region, r.status, r.message] | some r in got}

test_pass_service_linked_role_recording_all if {
	testing.equal(run({"us-east-1": [rec({})]}), {{
		"status": "pass", "resource": "AWS::::Account:111111111111/us-east-1", "region": "us-east-1",
		"message": "us-east-1: recorder default is recording all resources as AWSServiceRoleForConfig",
		"evidence": {"recorders": [{"name": "default", "role_arn": slr, "recording": true, "all_supported": true}], "shortfalls": []},
	}})
}

test_pass_last_status_is_not_part_of_config_1 if {
	testing.equal([[r.status, r.region] | some r in run({"us-east-1": [rec({"last_status": "FAILURE"})]})], [["pass", "us-east-1"]])
}

test_fail_custom_role if {
	testing.equal(verdicts(run({"us-east-1": [rec({"role_arn": custom})]})), {["us-east-1", "fail", sprintf("us-east-1: recorder default uses role %s, not the service-linked role AWSServiceRoleForConfig", [custom])]})
}

test_fail_no_recorder if {
	testing.equal(verdicts(run({"eu-west-1": [], "us-east-1": [rec({})]})), {
		["eu-west-1", "fail", "eu-west-1: AWS Config is not enabled (no recorder)"],
		["us-east-1", "pass", "us-east-1: recorder default is recording all resources as AWSServiceRoleForConfig"],
	})
}

# Only a region without any recorder names the cause CFG-001..003 share.
test_no_recorder_names_the_shared_cause if {
	got := run({"eu-west-1": [], "us-east-1": [rec({"recording": false})]})
	causes := {r.region: object.get(r.evidence, "cause", null) | some r in got}
	testing.equal(causes, {
		"eu-west-1": {"id": "no-config-recorder", "title": "no AWS Config recorder", "detail": "eu-west-1: no AWS Config recorder", "fixed_by": ["CFG-003"]},
		"us-east-1": null,
	})
}

test_fail_not_recording_and_partial if {
	testing.equal(verdicts(run({"us-east-1": [rec({"recording": false, "all_supported": false, "role_arn": null})]})), {["us-east-1", "fail", "us-east-1: recorder default is not recording; recorder default does not record all supported resource types; recorder default uses role null, not the service-linked role AWSServiceRoleForConfig"]})
}

test_error_status_not_collected if {
	testing.equal(verdicts(run({"us-east-1": [rec({"recording": null, "last_status": null})]})), {["us-east-1", "error", "us-east-1: recorder status was not collected (DescribeConfigurationRecorderStatus)"]})
}

test_recorded_status_failure_is_left_to_the_engine if {
	got := rule.results with input as {
		"metadata": {"regions": ["us-east-1"]},
		"account": {"account_id": "111111111111", "regions": {"us-east-1": {"config_recorders": [rec({"recording": null, "last_status": null})]}}},
		"errors": [{"service": "config", "operation": "DescribeConfigurationRecorderStatus", "region": "us-east-1", "resource": null}],
	}
	testing.equal(got, set())
}
