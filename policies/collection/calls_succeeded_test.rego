package trailaudit.collection.calls_succeeded_test

import data.trailaudit.collection.calls_succeeded as rule
import data.trailaudit.lib.testing

run(errors) := r if {
	r := rule.results with input as {"account": {"account_id": "111111111111"}, "errors": errors}
}

denied(operation, region, resource) := {
	"service": "account", "operation": operation, "account_id": "111111111111", "region": region,
	"resource": resource, "error_code": "AccessDeniedException", "message": "not authorized", "kind": "failed",
}

test_pass_when_no_call_failed if {
	testing.equal(run([]), {{
		"status": "pass", "resource": "AWS::::Account:111111111111", "region": null,
		"message": "every API call succeeded", "evidence": {"unsupported_calls": 0},
	}})
}

test_pass_unsupported_calls_are_not_failures if {
	e := object.union(denied("ListEventDataStores", "ap-east-2", null), {"kind": "unsupported"})
	testing.equal([[r.status, r.resource, r.message] | some r in run([e])], [[
		"pass", "AWS::::Account:111111111111",
		"every API call succeeded (1 not supported in this partition or region, recorded as such)",
	]])
}

test_fail_a_global_call_no_rule_reads_is_an_error_on_the_account if {
	e := denied("ListRegions", null, null)
	testing.equal(run([e]), {{
		"status": "error", "resource": "AWS::::Account:111111111111", "region": null,
		"message": "account:ListRegions failed (AccessDeniedException: not authorized): what it reads is missing from the snapshot",
		"evidence": {"failed_call": e},
	}})
}

test_fail_each_failed_call_is_its_own_error if {
	a := denied("GetBucketVersioning", null, "arn:aws:s3:::logs")
	b := denied("LookupEvents", "eu-west-1", null)
	got := run([a, b])
	count(got) == 2
	testing.equal({[r.status, r.resource, r.region] | some r in got}, {
		["error", "arn:aws:s3:::logs", null],
		["error", "AWS::::Account:111111111111/eu-west-1", "eu-west-1"],
	})
}

test_error_a_throttled_call_is_an_error_that_says_so if {
	e := {
		"service": "cloudtrail", "operation": "DescribeTrails", "account_id": "111111111111", "region": "us-east-1",
		"resource": null, "error_code": "ThrottlingException", "kind": "throttled",
		"message": "throttled through 5 attempts with backoff: Rate exceeded",
	}
	testing.equal(run([e]), {{
		"status": "error", "resource": "AWS::::Account:111111111111/us-east-1", "region": "us-east-1",
		"message": "cloudtrail:DescribeTrails in us-east-1 was throttled through every retry (ThrottlingException: throttled through 5 attempts with backoff: Rate exceeded): what it reads is missing from the snapshot",
		"evidence": {"failed_call": e},
	}})
}

test_error_one_per_resource_owned_outside_the_collection if {
	trail := "arn:aws:cloudtrail:us-east-1:222222222222:trail/org"
	e := {
		"service": "cloudtrail", "operation": "GetTrailStatus", "account_id": "111111111111", "region": null,
		"resource": trail, "error_code": "OutsideCollection", "kind": "outside_collection",
		"message": "trail org belongs to account 222222222222, which this collection does not include",
	}
	testing.equal(run([e]), {{
		"status": "error", "resource": trail, "region": null,
		"message": "trail org belongs to account 222222222222, which this collection does not include",
		"evidence": {"outside_collection": e},
	}})
}
