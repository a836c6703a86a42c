package trailaudit.cloudtrail.s3_delivery_age_test

import data.trailaudit.cloudtrail.s3_delivery_age as rule
import data.trailaudit.lib.testing

tarn := "arn:aws:cloudtrail:us-east-1:111111111111:trail/main"

run(status) := r if {
	t := {"name": "main", "arn": tarn, "home_region": "us-east-1", "status": status}
	r := rule.results with input as {"metadata": {"collected_at": "2026-11-20T09:00:00Z"}, "account": {"account_id": "111111111111", "trails": {tarn: t}}}
		with data.trailaudit.config as {"delivery": {"s3_max_age_hours": 24}}
}

verdicts(got) := {[r.status, r.message] | some r in got}

test_pass_recent_delivery if {
	testing.equal(run({"is_logging": true, "latest_delivery_time": "2026-11-20T08:30:00Z", "start_logging_time": "2025-01-01T00:00:00Z"}), {{
		"status": "pass", "resource": tarn, "region": "us-east-1",
		"message": "trail main last delivered to S3 0.5 h before collection (tolerance 24 h)",
		"evidence": {"latest_delivery_time": "2026-11-20T08:30:00Z", "latest_delivery_error": null, "start_logging_time": "2025-01-01T00:00:00Z", "tolerance_hours": 24},
	}})
}

test_fail_stale_delivery if {
	testing.equal(verdicts(run({"is_logging": true, "latest_delivery_time": "2026-11-18T21:00:00Z"})), {["fail", "trail main last delivered to S3 36 h before collection (tolerance 24 h): it is logging but its logs are not arriving"]})
}

test_pass_exactly_at_tolerance if {
	testing.equal({r.status | some r in run({"is_logging": true, "latest_delivery_time": "2026-11-19T09:00:00Z"})}, {"pass"})
}

test_fail_never_delivered if {
	testing.equal(verdicts(run({"is_logging": true, "start_logging_time": "2026-11-01T10:00:00Z"})), {["fail", "trail main is logging but has never delivered a log file to S3 (logging since 2026-11-01T10:00:00Z)"]})
}

test_fail_never_delivered_start_unknown if {
	testing.equal(verdicts(run({"is_logging": true})), {["fail", "trail main is logging but has never delivered a log file to S3 (start of logging not reported)"]})
}

test_pass_just_started_not_delivered_yet if {
	testing.equal(verdicts(run({"is_logging": true, "start_logging_time": "2026-11-20T08:57:00Z"})), {["pass", "trail main started logging 0.1 h before collection and has not delivered to S3 yet (within the 24 h tolerance)"]})
}

test_tolerance_from_config if {
	t := {"name": "main", "arn": tarn, "home_region": "us-east-1", "status": {"is_logging": true, "latest_delivery_time": "2026-11-20T06:00:00Z"}}
	got := rule.results with input as {"metadata": {"collected_at": "2026-11-20T09:00:00Z"}, "account": {"account_id": "111111111111", "trails": {tarn: t}}}
		with data.trailaudit.config as {"delivery": {"s3_max_age_hours": 2}}
	testing.equal({r.status | some r in got}, {"fail"})
}

test_stopped_trail_is_ct_008s if {
	testing.equal(run({"is_logging": false, "latest_delivery_time": "2026-11-01T00:00:00Z"}), set())
}

test_error_status_not_collected if {
	testing.equal(verdicts(run(null)), {["error", "trail main: its status (GetTrailStatus) was not collected"]})
}

test_recorded_status_failure_is_left_to_the_engine if {
	t := {"name": "main", "arn": tarn, "home_region": "us-east-1", "status": null}
	got := rule.results with input as {
		"metadata": {"collected_at": "2026-11-20T09:00:00Z"},
		"account": {"account_id": "111111111111", "trails": {tarn: t}},
		"errors": [{"service": "cloudtrail", "operation": "GetTrailStatus", "region": "us-east-1", "resource": tarn}],
	}
	testing.equal(got, set())
}
