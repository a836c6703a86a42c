package trailaudit.awsconfig.enabled_all_regions_cis_v3_test

import data.trailaudit.awsconfig.enabled_all_regions_cis_v3 as rule
import data.trailaudit.lib.testing

slr := "arn:aws:iam::111111111111:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"

rec(overrides) := object.union({"name": "default", "role_arn": slr, "all_supported": true, "include_global_resource_types": true, "recording": true, "last_status": "SUCCESS"}, overrides)

run(by_region) := r if {
	r := rule.results with input as {
		"metadata": {"regions": sort(object.keys(by_region))},
		"account": {"account_id": "111111111111", "regions": {region: {"config_recorders": recs} | some region, recs in by_region}},
	}
}

verdicts(got) := {[r.region, r.status] | some r in got}

# The one result of `region`, undefined unless there is exactly one.
region_result(got, region) := r if {
	rs := [r | some r in got; r.region == region]
	count(rs) == 1
	r := rs[0]
}

test_pass_every_region_has_a_qualifying_recorder if {
	got := run({"eu-west-1": [rec({})], "us-east-1": [rec({})]})
	testing.equal(verdicts(got), {["eu-west-1", "pass"], ["us-east-1", "pass"]})
	r := region_result(got, "eu-west-1")
	testing.equal(r, {
		"status": "pass", "resource": "AWS::::Account:111111111111/eu-west-1", "region": "eu-west-1",
		"message": "eu-west-1: recorder default records all resources including global ones, and is recording successfully",
		"evidence": {"recorders": ["default"], "shortfalls": []},
	})
}

test_fail_region_without_recorder if {
	got := run({"eu-west-1": [], "us-east-1": [rec({})]})
	testing.equal(verdicts(got), {["eu-west-1", "fail"], ["us-east-1", "pass"]})
	testing.equal({[r.status, r.message] | some r in got; r.region == "eu-west-1"}, {["fail", "eu-west-1: no AWS Config recorder"]})
}

test_fail_v3_wants_global_types_in_every_region if {
	got := run({"eu-west-1": [rec({"include_global_resource_types": false})], "us-east-1": [rec({})]})
	testing.equal(verdicts(got), {["eu-west-1", "fail"], ["us-east-1", "pass"]})
	testing.equal({[r.status, r.message] | some r in got; r.region == "eu-west-1"}, {["fail", "eu-west-1: no recorder records all resources including global ones while recording successfully (recorder default does not include global resource types)"]})
}

test_fail_stopped_or_failing_recorder if {
	got := run({"us-east-1": [rec({"recording": false})], "eu-west-1": [rec({"last_status": "FAILURE"})]})
	testing.equal({[r.region, r.status, r.evidence.shortfalls] | some r in got}, {
		["us-east-1", "fail", ["recorder default is not recording"]],
		["eu-west-1", "fail", ["recorder default last status is FAILURE, not SUCCESS"]],
	})
}

test_fail_selected_resource_types_only if {
	got := run({"us-east-1": [rec({"all_supported": false, "include_global_resource_types": false})]})
	count(got) == 1
	testing.equal({r.evidence.shortfalls | some r in got}, {["recorder default does not record all supported resource types", "recorder default does not include global resource types"]})
}

test_error_status_not_collected if {
	got := run({"us-east-1": [rec({"recording": null, "last_status": null})]})
	count(got) == 1
	testing.equal({[r.status, r.message] | some r in got}, {["error", "us-east-1: recorder status was not collected (DescribeConfigurationRecorderStatus)"]})
}

test_region_listed_in_metadata_but_absent_from_inventory_fails if {
	got := rule.results with input as {"metadata": {"regions": ["ap-south-1"]}, "account": {"account_id": "111111111111", "regions": {}}}
	testing.equal(verdicts(got), {["ap-south-1", "fail"]})
}

test_recorded_status_failure_is_left_to_the_engine if {
	got := rule.results with input as {
		"metadata": {"regions": ["us-east-1"]},
		"account": {"account_id": "111111111111", "regions": {"us-east-1": {"config_recorders": [rec({"recording": null, "last_status": null})]}}},
		"errors": [{"service": "config", "operation": "DescribeConfigurationRecorderStatus", "region": "us-east-1", "resource": null}],
	}
	testing.equal(got, set())
}
