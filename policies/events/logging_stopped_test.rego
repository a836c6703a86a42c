package trailaudit.events.logging_stopped_test

import data.trailaudit.events.logging_stopped as rule
import data.trailaudit.lib.testing

tarn := "arn:aws:cloudtrail:us-east-1:111111111111:trail/main"

stop := {
	"event_id": "e-1", "event_time": "2026-11-02T17:41:09Z",
	"event_name": "StopLogging", "event_source": "cloudtrail.amazonaws.com", "region": "us-east-1",
	"user_identity": {"type": "IAMUser", "arn": "arn:aws:iam::111111111111:user/mallory", "account_id": "111111111111", "invoked_by": null},
	"source_ip_address": "203.0.113.77", "user_agent": "aws-cli/2.17.4",
	"error_code": null, "error_message": null, "read_only": false,
	"request_parameters": {"name": tarn},
}

other := object.union(stop, {"event_id": "e-2", "event_name": "StartLogging"})

# The one result of a set (undefined unless there is exactly one).
only(rs) := r if {
	count(rs) == 1
	some r in rs
}

history(evs, truncated) := {"start_time": "2026-08-22T09:00:00Z", "end_time": "2026-11-20T09:00:00Z", "truncated": truncated, "events": evs}

run(h) := r if {
	r := rule.results with input as {
		"metadata": {"partition": "aws", "settings": {"event_history_days": 90}},
		"account": {"account_id": "111111111111", "event_history": h},
		"errors": [],
	}
}

test_fail_stop_logging if {
	testing.equal(run(history([stop, other], false)), {{
		"status": "fail", "resource": tarn, "region": "us-east-1",
		"message": `IAMUser arn:aws:iam::111111111111:user/mallory stopped logging on trail arn:aws:cloudtrail:us-east-1:111111111111:trail/main (not restarted since, as far as the history shows) at 2026-11-02T17:41:09Z from 203.0.113.77 with user agent "aws-cli/2.17.4" in us-east-1`,
		"evidence": {
			"event_id": "e-1", "event_time": "2026-11-02T17:41:09Z", "event_name": "StopLogging",
			"event_source": "cloudtrail.amazonaws.com", "region": "us-east-1",
			"identity": {"type": "IAMUser", "arn": "arn:aws:iam::111111111111:user/mallory", "account_id": "111111111111", "invoked_by": null},
			"source_ip_address": "203.0.113.77", "user_agent": "aws-cli/2.17.4",
			"error_code": null, "error_message": null, "attempt_only": false,
			"request_parameters": {"name": tarn}, "trail_arn": tarn, "restarted_at": null,
		},
	}})
}

test_fail_names_the_restart if {
	start := object.union(stop, {"event_id": "e-9", "event_name": "StartLogging", "event_time": "2026-11-02T18:00:00Z"})
	earlier := object.union(start, {"event_id": "e-8", "event_time": "2026-11-01T18:00:00Z"})
	denied := object.union(start, {"event_id": "e-7", "event_time": "2026-11-02T17:50:00Z", "error_code": "AccessDenied"})
	other_trail := object.union(start, {"event_id": "e-6", "event_time": "2026-11-02T17:45:00Z", "request_parameters": {"name": "other"}})
	r := only(run(history([stop, start, earlier, denied, other_trail], false)))
	testing.equal([r.status, r.resource, r.evidence.restarted_at, r.message], [
		"fail", tarn, "2026-11-02T18:00:00Z",
		`IAMUser arn:aws:iam::111111111111:user/mallory stopped logging on trail arn:aws:cloudtrail:us-east-1:111111111111:trail/main (logging restarted at 2026-11-02T18:00:00Z) at 2026-11-02T17:41:09Z from 203.0.113.77 with user agent "aws-cli/2.17.4" in us-east-1`,
	])
}

test_fail_trail_named_without_arn_resolves_in_event_region if {
	e := object.union(stop, {"region": "eu-west-1", "request_parameters": {"name": "audit"}})
	r := only(run(history([e], false)))
	testing.equal([r.status, r.resource, r.region, r.message], [
		"fail", "arn:aws:cloudtrail:eu-west-1:111111111111:trail/audit", "eu-west-1",
		`IAMUser arn:aws:iam::111111111111:user/mallory stopped logging on trail arn:aws:cloudtrail:eu-west-1:111111111111:trail/audit (not restarted since, as far as the history shows) at 2026-11-02T17:41:09Z from 203.0.113.77 with user agent "aws-cli/2.17.4" in eu-west-1`,
	])
}

test_fail_denied_stop_is_reported_as_an_attempt if {
	e := object.union(stop, {"error_code": "AccessDenied", "error_message": "not authorized"})
	r := only(run(history([e], false)))
	testing.equal([r.status, r.resource, r.evidence.attempt_only, r.message], [
		"fail", tarn, true,
		`IAMUser arn:aws:iam::111111111111:user/mallory attempted to stop logging on trail arn:aws:cloudtrail:us-east-1:111111111111:trail/main at 2026-11-02T17:41:09Z from 203.0.113.77 with user agent "aws-cli/2.17.4" in us-east-1; the call failed with AccessDenied (not authorized), so this was an attempt`,
	])
}

test_fail_one_result_per_event if {
	e2 := object.union(stop, {"event_id": "e-3", "event_time": "2026-11-03T01:00:00Z"})
	testing.equal({[r.status, r.resource, r.evidence.event_id] | some r in run(history([stop, e2], false))}, {
		["fail", tarn, "e-1"],
		["fail", tarn, "e-3"],
	})
	count(run(history([stop, e2], false))) == 2
}

test_fail_matches_still_fail_when_truncated if {
	r := only(run(history([stop], true)))
	testing.equal([r.status, r.resource, r.evidence.event_id], ["fail", tarn, "e-1"])
}

test_fail_service_caller_without_arn if {
	e := object.union(stop, {"user_identity": {"type": "AWSService", "arn": null, "account_id": null, "invoked_by": "cloudformation.amazonaws.com"}, "source_ip_address": null, "user_agent": null})
	r := only(run(history([e], false)))
	testing.equal([r.status, r.resource, r.message], [
		"fail", tarn,
		`AWSService (invoked by cloudformation.amazonaws.com) stopped logging on trail arn:aws:cloudtrail:us-east-1:111111111111:trail/main (not restarted since, as far as the history shows) at 2026-11-02T17:41:09Z from an unrecorded source IP with user agent "unrecorded" in us-east-1`,
	])
}

test_pass_no_stop_in_complete_history if {
	testing.equal(run(history([other], false)), {{
		"status": "pass", "resource": "AWS::::Account:111111111111", "region": null,
		"message": "no StopLogging call in the event history from 2026-08-22T09:00:00Z to 2026-11-20T09:00:00Z",
		"evidence": {"start_time": "2026-08-22T09:00:00Z", "end_time": "2026-11-20T09:00:00Z", "truncated": false, "events_examined": 1},
	}})
}

test_pass_ignores_same_name_from_another_source if {
	e := object.union(stop, {"event_source": "example.amazonaws.com"})
	r := only(run(history([e], false)))
	testing.equal([r.status, r.resource, r.message], [
		"pass", "AWS::::Account:111111111111",
		"no StopLogging call in the event history from 2026-08-22T09:00:00Z to 2026-11-20T09:00:00Z",
	])
}

test_error_truncated_history_without_match if {
	r := only(run(history([other], true)))
	testing.equal([r.status, r.resource, r.message], [
		"error", "AWS::::Account:111111111111",
		"no StopLogging call in the event history from 2026-08-22T09:00:00Z to 2026-11-20T09:00:00Z, but the history is truncated (the event cap was reached), so that absence proves nothing",
	])
}

test_error_history_not_collected if {
	testing.equal(run(null), {{
		"status": "error", "resource": "AWS::::Account:111111111111", "region": null,
		"message": "event history was not collected (the snapshot holds no event history): cannot tell whether any StopLogging call happened",
		"evidence": {"event_history": null, "lookup_events_failed_in": [], "cause": {
			"id": "event-history-not-collected", "title": "event history not collected",
			"detail": "event history was not collected (the snapshot holds no event history): no detection can tell whether anything happened",
			"fixed_by": [],
		}},
	}})
}

test_error_history_absent_names_failed_lookups if {
	rs := rule.results with input as {
		"metadata": {"partition": "aws", "settings": {"event_history_days": 7}},
		"account": {"account_id": "111111111111"},
		"errors": [
			{"service": "cloudtrail", "operation": "LookupEvents", "region": "us-east-1"},
			{"service": "cloudtrail", "operation": "LookupEvents", "region": "eu-west-1"},
			{"service": "s3", "operation": "GetBucketPolicy", "region": null},
		],
	}
	r := only(rs)
	testing.equal([r.status, r.resource, r.message], [
		"error", "AWS::::Account:111111111111",
		"event history was not collected (cloudtrail:LookupEvents failed in eu-west-1, us-east-1): cannot tell whether any StopLogging call happened",
	])
}

test_error_history_collection_disabled if {
	rs := rule.results with input as {
		"metadata": {"partition": "aws", "settings": {"event_history_days": 0}},
		"account": {"account_id": "111111111111"},
		"errors": [],
	}
	r := only(rs)
	testing.equal([r.status, r.resource, r.message], [
		"error", "AWS::::Account:111111111111",
		"event history was not collected (event history collection was disabled (event_history_days = 0)): cannot tell whether any StopLogging call happened",
	])
}
