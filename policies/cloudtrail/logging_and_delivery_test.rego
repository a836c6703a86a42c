package trailaudit.cloudtrail.logging_and_delivery_test

import data.trailaudit.cloudtrail.logging_and_delivery as rule
import data.trailaudit.lib.testing

tarn := "arn:aws:cloudtrail:us-east-1:111111111111:trail/main"

run(status) := r if {
	t := {"name": "main", "arn": tarn, "home_region": "us-east-1", "status": status}
	r := rule.results with input as {"metadata": {"collected_at": "2026-11-20T09:00:00Z"}, "account": {"account_id": "111111111111", "trails": {tarn: t}}}
}

test_pass_logging_without_errors if {
	testing.equal(run({"is_logging": true, "latest_delivery_time": "2026-11-20T08:50:00Z"}), {{
		"status": "pass", "resource": tarn, "region": "us-east-1", "message": "trail main is logging and delivering to S3",
		"evidence": {"is_logging": true, "latest_delivery_time": "2026-11-20T08:50:00Z", "latest_delivery_error": null, "stop_logging_time": null},
	}})
}

test_fail_stopped_with_time_and_delivery_error if {
	got := run({"is_logging": false, "stop_logging_time": "2026-11-02T14:11:09Z", "latest_delivery_error": "AccessDenied"})
	some r in got
	r.status == "fail"
	r.message == "trail main: logging is stopped since 2026-11-02T14:11:09Z (17.8 days before collection); latest S3 delivery failed: AccessDenied"
}

test_fail_status_not_collected_is_still_reported if {
	# The engine turns this into `error` from the recorded GetTrailStatus failure.
	some r in run(null)
	r.status == "fail"
}

test_fail_stopped_without_stop_time if {
	testing.equal({[r.status, r.message] | some r in run({"is_logging": false})}, {["fail", "trail main: logging is stopped"]})
}
