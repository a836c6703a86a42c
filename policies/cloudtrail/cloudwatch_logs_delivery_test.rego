package trailaudit.cloudtrail.cloudwatch_logs_delivery_test

import data.trailaudit.cloudtrail.cloudwatch_logs_delivery as rule
import data.trailaudit.lib.testing

tarn := "arn:aws:cloudtrail:us-east-1:111111111111:trail/main"

group := "arn:aws:logs:us-east-1:111111111111:log-group:cloudtrail:*"

role := "arn:aws:iam::111111111111:role/CloudTrailToLogs"

trail(overrides, status) := object.union({
	"name": "main", "arn": tarn, "home_region": "us-east-1",
	"cloud_watch_logs_log_group_arn": group, "cloud_watch_logs_role_arn": role,
	"status": object.union({"is_logging": true}, status),
}, overrides)

run(t) := r if {
	r := rule.results with input as {"metadata": {"collected_at": "2026-11-20T09:00:00Z"}, "account": {"account_id": "111111111111", "trails": {tarn: t}}}
		with data.trailaudit.config as {"delivery": {"cloudwatch_logs_max_age_hours": 6}}
}

test_pass_recent_delivery if {
	testing.equal(run(trail({}, {"latest_cloud_watch_logs_delivery_time": "2026-11-20T08:55:00Z"})), {{
		"status": "pass", "resource": tarn, "region": "us-east-1",
		"message": sprintf("trail main delivers to CloudWatch Logs group %s", [group]),
		"evidence": {"log_group_arn": group, "role_arn": role, "latest_delivery_time": "2026-11-20T08:55:00Z", "latest_delivery_error": null},
	}})
}

test_pass_delivery_time_unknown if {
	testing.equal({[r.status, r.message] | some r in run(trail({}, {}))}, {["pass", sprintf("trail main delivers to CloudWatch Logs group %s (latest delivery time not reported by GetTrailStatus)", [group])]})
}

test_fail_error_without_delivery_time if {
	testing.equal({[r.status, r.message] | some r in run(trail({}, {"latest_cloud_watch_logs_delivery_error": "AccessDenied"}))}, {["fail", "trail main: latest CloudWatch Logs delivery failed: AccessDenied"]})
}

test_fail_no_log_group if {
	some r in run(trail({"cloud_watch_logs_log_group_arn": null, "cloud_watch_logs_role_arn": null}, {}))
	r.status == "fail"
	r.message == "trail main: no CloudWatch Logs log group configured"
}

test_fail_stale_and_failing_delivery if {
	got := run(trail({}, {"latest_cloud_watch_logs_delivery_time": "2026-11-19T09:00:00Z", "latest_cloud_watch_logs_delivery_error": "AccessDenied"}))
	testing.equal({r.message | some r in got; r.status == "fail"}, {"trail main: latest CloudWatch Logs delivery failed: AccessDenied; latest CloudWatch Logs delivery was 24 hours before collection (tolerance 6 h)"})
}

test_pass_not_logging_trail_is_not_judged_here if {
	testing.equal(run(trail({"cloud_watch_logs_log_group_arn": null}, {"is_logging": false})), set())
}
