package trailaudit.cloudtrail.digest_delivery_test

import data.trailaudit.cloudtrail.digest_delivery as rule
import data.trailaudit.lib.testing

tarn := "arn:aws:cloudtrail:us-east-1:111111111111:trail/main"

run(validation, status) := r if {
	t := {"name": "main", "arn": tarn, "home_region": "us-east-1", "log_file_validation_enabled": validation, "status": status}
	r := rule.results with input as {"metadata": {"collected_at": "2026-11-20T09:00:00Z"}, "account": {"account_id": "111111111111", "trails": {tarn: t}}}
		with data.trailaudit.config as {"delivery": {"digest_max_age_hours": 24}}
}

verdicts(got) := {[r.status, r.message] | some r in got}

test_pass_recent_digest if {
	testing.equal(run(true, {"is_logging": true, "latest_digest_delivery_time": "2026-11-20T08:15:00Z"}), {{
		"status": "pass", "resource": tarn, "region": "us-east-1",
		"message": "trail main last delivered a digest file 0.8 h before collection (tolerance 24 h)",
		"evidence": {"is_logging": true, "latest_digest_delivery_time": "2026-11-20T08:15:00Z", "latest_digest_delivery_error": null, "tolerance_hours": 24},
	}})
}

test_pass_time_not_reported if {
	testing.equal(verdicts(run(true, {"is_logging": true})), {["pass", "trail main: no digest delivery error; latest digest delivery time not reported by GetTrailStatus"]})
}

test_fail_digest_error if {
	testing.equal(verdicts(run(true, {"is_logging": true, "latest_digest_delivery_time": "2026-11-20T08:15:00Z", "latest_digest_delivery_error": "AccessDenied"})), {["fail", "trail main: latest digest delivery failed: AccessDenied"]})
}

test_fail_error_without_time_still_fails if {
	testing.equal({r.status | some r in run(true, {"is_logging": true, "latest_digest_delivery_error": "NoSuchBucket"})}, {"fail"})
}

test_fail_error_on_stopped_trail if {
	testing.equal(verdicts(run(true, {"is_logging": false, "latest_digest_delivery_error": "AccessDenied"})), {["fail", "trail main: latest digest delivery failed: AccessDenied"]})
}

test_fail_stale_digest if {
	testing.equal(verdicts(run(true, {"is_logging": true, "latest_digest_delivery_time": "2026-11-18T09:00:00Z"})), {["fail", "trail main: latest digest delivery was 48 h before collection (tolerance 24 h)"]})
}

test_stopped_trail_without_error_is_ct_008s if {
	testing.equal(run(true, {"is_logging": false, "latest_digest_delivery_time": "2026-11-01T00:00:00Z"}), set())
}

test_trail_without_validation_is_ct_005s if {
	testing.equal(run(false, {"is_logging": true, "latest_digest_delivery_error": "AccessDenied"}), set())
}

test_error_status_not_collected if {
	testing.equal(verdicts(run(true, null)), {["error", "trail main: its status (GetTrailStatus) was not collected"]})
}

test_recorded_status_failure_is_left_to_the_engine if {
	t := {"name": "main", "arn": tarn, "home_region": "us-east-1", "log_file_validation_enabled": true, "status": null}
	got := rule.results with input as {
		"metadata": {"collected_at": "2026-11-20T09:00:00Z"},
		"account": {"account_id": "111111111111", "trails": {tarn: t}},
		"errors": [{"service": "cloudtrail", "operation": "GetTrailStatus", "region": "us-east-1", "resource": tarn}],
	}
	testing.equal(got, set())
}
