package trailaudit.awsconfig.enabled_all_regions_test

import data.trailaudit.awsconfig.enabled_all_regions as rule
import data.trailaudit.lib.testing

rec(name, overrides) := object.union({"name": name, "role_arn": null, "all_supported": true, "include_global_resource_types": false, "recording": true, "last_status": "SUCCESS"}, overrides)

global(name) := rec(name, {"include_global_resource_types": true})

run(by_region, errors) := r if {
	r := rule.results with input as {
		"metadata": {"regions": sort(object.keys(by_region))},
		"account": {"account_id": "111111111111", "regions": {region: {"config_recorders": recs} | some region, recs in by_region}},
		"errors": errors,
	}
}

verdicts(got) := {[r.region, r.status, r.message] | some r in got}

# The one result of `region`, undefined unless there is exactly one.
region_result(got, region) := r if {
	rs := [r | some r in got; r.region == region]
	count(rs) == 1
	r := rs[0]
}

test_pass_global_types_in_one_region_are_enough if {
	got := run({"eu-west-1": [rec("default", {})], "us-east-1": [global("default")]}, [])
	testing.equal(verdicts(got), {
		["eu-west-1", "pass", "eu-west-1: every recorder (default) records all resources and is recording successfully; global resource types are recorded"],
		["us-east-1", "pass", "us-east-1: every recorder (default) records all resources and is recording successfully; global resource types are recorded"],
	})
	r := region_result(got, "eu-west-1")
	testing.equal(r.evidence, {"recorders": ["default"], "problems": [], "global_resource_types_recorded": true})
}

test_fail_no_global_types_anywhere if {
	got := run({"eu-west-1": [rec("default", {})], "us-east-1": [rec("default", {})]}, [])
	testing.equal({[r.region, r.status, r.evidence.problems] | some r in got}, {
		["eu-west-1", "fail", ["no recorder in any region of the account includes global resource types (IAM)"]],
		["us-east-1", "fail", ["no recorder in any region of the account includes global resource types (IAM)"]],
	})
}

test_fail_every_recorder_must_record_all_types if {
	got := run({"us-east-1": [global("main"), rec("partial", {"all_supported": false})]}, [])
	testing.equal(verdicts(got), {["us-east-1", "fail", "us-east-1: recorder partial does not record all supported resource types"]})
}

test_fail_region_without_recorder if {
	got := run({"eu-west-1": [], "us-east-1": [global("default")]}, [])
	testing.equal(verdicts(got), {
		["eu-west-1", "fail", "eu-west-1: no AWS Config recorder"],
		["us-east-1", "pass", "us-east-1: every recorder (default) records all resources and is recording successfully; global resource types are recorded"],
	})
}

test_fail_stopped_recorder if {
	got := run({"us-east-1": [global("default"), rec("second", {"recording": false})]}, [])
	testing.equal(verdicts(got), {["us-east-1", "fail", "us-east-1: recorder second is not recording"]})
}

test_error_global_types_unknown_when_another_region_was_not_read if {
	errors := [{"service": "config", "operation": "DescribeConfigurationRecorders", "account_id": "111111111111", "region": "eu-west-1", "resource": null}]
	got := run({"eu-west-1": [], "us-east-1": [rec("default", {})]}, errors)
	r := region_result(got, "us-east-1")
	testing.equal([r.status, r.message, r.evidence.global_resource_types_recorded], ["error", "us-east-1: cannot tell whether global resource types are recorded: recorders of eu-west-1 were not collected", null])
}

test_error_status_not_collected if {
	got := run({"us-east-1": [rec("default", {"include_global_resource_types": true, "recording": null, "last_status": null})]}, [])
	testing.equal(verdicts(got), {["us-east-1", "error", "us-east-1: recorder status was not collected (DescribeConfigurationRecorderStatus)"]})
}

test_recorded_status_failure_is_left_to_the_engine if {
	# The engine reports the failed call as this region's error, naming AWS's error code.
	errors := [{"service": "config", "operation": "DescribeConfigurationRecorderStatus", "account_id": "111111111111", "region": "us-east-1", "resource": null}]
	got := run({"us-east-1": [rec("default", {"include_global_resource_types": true, "recording": null, "last_status": null})]}, errors)
	testing.equal(got, set())
}
