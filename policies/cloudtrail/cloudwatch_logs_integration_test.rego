package trailaudit.cloudtrail.cloudwatch_logs_integration_test

import data.trailaudit.cloudtrail.cloudwatch_logs_integration as rule
import data.trailaudit.lib.testing

arn(account, name) := sprintf("arn:aws:cloudtrail:us-east-1:%s:trail/%s", [account, name])

group := "arn:aws:logs:us-east-1:111111111111:log-group:trail:*"

role := "arn:aws:iam::111111111111:role/trail-cwl"

trail(account, name, overrides) := object.union(
	{
		"name": name, "arn": arn(account, name), "home_region": "us-east-1",
		"is_multi_region_trail": true, "is_organization_trail": false, "status": {"is_logging": true},
		"cloud_watch_logs_log_group_arn": group, "cloud_watch_logs_role_arn": role,
	},
	overrides,
)

run(ts) := r if {
	r := rule.results with input as {"account": {"account_id": "111111111111", "trails": {t.arn: t | some t in ts}}, "context": {"organization_trails": {}}}
}

test_pass_logging_trail_with_log_group if {
	testing.equal(run([trail("111111111111", "main", {})]), {{
		"status": "pass", "resource": arn("111111111111", "main"), "region": "us-east-1",
		"message": sprintf("trail main (logging) sends its events to CloudWatch Logs group %s", [group]),
		"evidence": {"log_group_arn": group, "role_arn": role, "is_logging": true},
	}})
}

test_fail_stopped_trail_without_log_group if {
	t := trail("111111111111", "old", {"status": {"is_logging": false}, "cloud_watch_logs_log_group_arn": null, "cloud_watch_logs_role_arn": null})
	testing.equal(run([t]), {{
		"status": "fail", "resource": arn("111111111111", "old"), "region": "us-east-1",
		"message": "trail old (stopped) has no CloudWatch Logs log group configured",
		"evidence": {"log_group_arn": null, "role_arn": null, "is_logging": false},
	}})
}

test_pass_stopped_trail_with_log_group_is_judged_too if {
	t := trail("111111111111", "paused", {"status": {"is_logging": false}})
	testing.equal({[r.status, r.message] | some r in run([t])}, {["pass", sprintf("trail paused (stopped) sends its events to CloudWatch Logs group %s", [group])]})
}

test_fail_logging_trail_without_log_group if {
	t := trail("111111111111", "main", {"cloud_watch_logs_log_group_arn": null})
	testing.equal({[r.status, r.message] | some r in run([t])}, {["fail", "trail main (logging) has no CloudWatch Logs log group configured"]})
}

test_status_not_collected_is_said if {
	# GetTrailStatus failed (status null): the verdict rests on DescribeTrails alone;
	# the failed call in `requires` turns it into an error on the Rust side.
	t := trail("111111111111", "main", {"status": null, "cloud_watch_logs_log_group_arn": null})
	testing.equal({[r.status, r.message, r.evidence.is_logging] | some r in run([t])}, {["fail", "trail main (logging status not collected) has no CloudWatch Logs log group configured", null]})
}

test_organization_trail_of_another_account_is_not_judged_here if {
	testing.equal(run([trail("999999999999", "org", {"is_organization_trail": true, "cloud_watch_logs_log_group_arn": null})]), set())
}

test_no_trail_no_result if {
	testing.equal(run([]), set())
}
