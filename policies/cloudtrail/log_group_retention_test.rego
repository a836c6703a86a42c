package trailaudit.cloudtrail.log_group_retention_test

import data.trailaudit.cloudtrail.log_group_retention as rule
import data.trailaudit.lib.testing

tarn := "arn:aws:cloudtrail:us-east-1:111111111111:trail/main"

garn := "arn:aws:logs:us-east-1:111111111111:log-group:/trail/main"

run(groups) := run_cfg(groups, 365)

run_cfg(groups, min) := r if {
	t := {"name": "main", "arn": tarn, "home_region": "us-east-1", "cloud_watch_logs_log_group_arn": sprintf("%s:*", [garn])}
	r := rule.results with input as {"account": {"account_id": "111111111111", "trails": {tarn: t}, "log_groups": groups}}
		with data.trailaudit.config as {"retention": {"cloudwatch_logs_min_days": min}}
}

group(retention) := {"name": "/trail/main", "arn": garn, "region": "us-east-1", "retention_in_days": retention}

expect(status, message, retention) := {{
	"status": status, "resource": garn, "region": "us-east-1", "message": message,
	"evidence": {"trails": ["main"], "log_group": "/trail/main", "retention_in_days": retention, "min_days": 365},
}}

test_pass_never_expire if {
	testing.equal(run({garn: group(null)}), expect("pass", "log group /trail/main (trail main) never expires events", null))
}

test_pass_at_the_minimum if {
	testing.equal(run({garn: group(365)}), expect("pass", "log group /trail/main (trail main) keeps events 365 days (minimum 365)", 365))
}

test_fail_shorter_than_the_minimum if {
	testing.equal(run({garn: group(90)}), expect("fail", "log group /trail/main (trail main) keeps events only 90 days (minimum 365)", 90))
}

test_fail_minimum_from_configuration if {
	some r in run_cfg({garn: group(400)}, 731)
	r.status == "fail"
	r.evidence.min_days == 731
}

test_fail_group_does_not_exist if {
	# DescribeLogGroups listed no such group: its null retention is not "never expire".
	testing.equal(run({garn: object.union(group(null), {"not_found": true})}), {{
		"status": "fail", "resource": garn, "region": "us-east-1",
		"message": "log group /trail/main (trail main) does not exist: the trail delivers its events nowhere",
		"evidence": {"trails": ["main"], "log_group": "/trail/main", "not_found": true},
	}})
}

test_error_group_not_in_snapshot if {
	testing.equal(run({}), {{
		"status": "error", "resource": garn, "region": "us-east-1",
		"message": sprintf("log group %s (trail main) is not in the snapshot, so its retention is unknown", [garn]),
		"evidence": {"trails": ["main"]},
	}})
}

test_pass_trail_without_cloudwatch_logs_not_judged if {
	t := {"name": "main", "arn": tarn, "home_region": "us-east-1", "cloud_watch_logs_log_group_arn": null}
	got := rule.results with input as {"account": {"account_id": "111111111111", "trails": {tarn: t}, "log_groups": {}}}
		with data.trailaudit.config as {"retention": {"cloudwatch_logs_min_days": 365}}
	testing.equal(got, set())
}
