package trailaudit.lib.recorders_test

import data.trailaudit.lib.recorders
import data.trailaudit.lib.testing

rec(overrides) := object.union({"name": "default", "role_arn": null, "all_supported": true, "include_global_resource_types": false, "recording": true, "last_status": "SUCCESS"}, overrides)

test_status_problems if {
	testing.equal(recorders.status_problems(rec({})), [])
	testing.equal(recorders.status_problems(rec({"recording": false})), ["recorder default is not recording"])
	testing.equal(recorders.status_problems(rec({"last_status": "FAILURE"})), ["recorder default last status is FAILURE, not SUCCESS"])
	testing.equal(recorders.status_problems(rec({"last_status": null})), ["recorder default has no last status (it has not delivered configuration items yet)"])
	testing.equal(recorders.status_problems(rec({"recording": null, "last_status": null})), [])
}

test_global_somewhere_looks_at_every_region if {
	input_ := {"metadata": {"regions": ["a", "b"]}, "account": {"regions": {"a": {"config_recorders": [rec({})]}, "b": {"config_recorders": [rec({"include_global_resource_types": true})]}}}}
	recorders.global_somewhere with input as input_
	not recorders.global_somewhere with input as object.union(input_, {"account": {"regions": {"b": {"config_recorders": []}}}})
}

test_region_missing_from_inventory_has_no_recorders if {
	got := recorders.in_region("x") with input as {"account": {"regions": {}}}
	testing.equal(got, [])
}

test_service_linked_role if {
	recorders.service_linked_role(rec({"role_arn": "arn:aws:iam::111111111111:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"}))
	not recorders.service_linked_role(rec({"role_arn": "arn:aws:iam::111111111111:role/my-config-role"}))
	not recorders.service_linked_role(rec({}))
}

test_unread_regions if {
	got := recorders.unread_regions with input as {"errors": [
		{"service": "config", "operation": "DescribeConfigurationRecorders", "region": "eu-west-1"},
		{"service": "config", "operation": "DescribeConfigurationRecorderStatus", "region": "us-east-1"},
	]}
	testing.equal(got, {"eu-west-1"})
}
