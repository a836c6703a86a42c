package trailaudit.lib.events_test

import data.trailaudit.lib.events
import data.trailaudit.lib.events_testing as t
import data.trailaudit.lib.testing

stop := t.event("e-1", "cloudtrail.amazonaws.com", "StopLogging", {"name": "main"})

start := t.event("e-2", "cloudtrail.amazonaws.com", "StartLogging", {"name": "main"})

same_name_elsewhere := t.event("e-3", "example.amazonaws.com", "StopLogging", {})

# The history of `evs` seen by the library (events.* read input; compare outside `with`).
on(evs, truncated) := t.input_with({"event_history": t.history(evs, truncated)})

test_named_picks_source_and_names if {
	i := on([stop, start, same_name_elsewhere], false)
	got := events.named("cloudtrail.amazonaws.com", {"StopLogging"}) with input as i
	testing.equal(got, [stop])
	both := events.named("cloudtrail.amazonaws.com", {"StopLogging", "StartLogging"}) with input as i
	testing.equal(count(both), 2)
}

test_params_and_identity if {
	testing.equal(events.param(stop, "name"), "main")
	testing.equal(events.param(stop, "absent"), null)
	testing.equal(events.params(object.union(stop, {"request_parameters": null})), {})
	testing.equal(events.identity_type(stop), "IAMUser")
	testing.equal(events.identity_type(object.union(stop, {"user_identity": null})), "Unknown")
}

test_message_names_who_what_when_where if {
	testing.equal(
		events.message(stop, "stopped logging"),
		`IAMUser arn:aws:iam::111111111111:user/mallory stopped logging at 2026-11-02T17:41:09Z from 203.0.113.77 with user agent "aws-cli/2.17.4" in us-east-1`,
	)
	testing.equal(
		events.message_with(stop, "changed trail main", "logging off"),
		`IAMUser arn:aws:iam::111111111111:user/mallory changed trail main at 2026-11-02T17:41:09Z from 203.0.113.77 with user agent "aws-cli/2.17.4" in us-east-1: logging off`,
	)
}

test_message_of_a_failed_call_and_of_a_service_without_arn if {
	denied := t.failed(stop, "AccessDenied")
	testing.equal(events.attempt_failed(denied), true)
	testing.equal(events.verb(denied, "stopped", "tried to stop"), "tried to stop")
	testing.equal(events.verb(stop, "stopped", "tried to stop"), "stopped")
	testing.equal(
		events.message(denied, "tried to stop logging"),
		`IAMUser arn:aws:iam::111111111111:user/mallory tried to stop logging at 2026-11-02T17:41:09Z from 203.0.113.77 with user agent "aws-cli/2.17.4" in us-east-1; the call failed with AccessDenied (not authorized), so this was an attempt`,
	)
	service := object.union(stop, {
		"user_identity": {"type": "AWSService", "arn": null, "invoked_by": "cloudformation.amazonaws.com"},
		"source_ip_address": null, "user_agent": null,
	})
	testing.equal(
		events.message(service, "stopped logging"),
		`AWSService (invoked by cloudformation.amazonaws.com) stopped logging at 2026-11-02T17:41:09Z from an unrecorded source IP with user agent "unrecorded" in us-east-1`,
	)
	anonymous := object.union(stop, {"user_identity": {"type": "Unknown", "arn": null, "invoked_by": null}})
	testing.equal(startswith(events.message(anonymous, "x"), "Unknown (no ARN recorded) x at "), true)
}

test_evidence_and_subject if {
	ev := events.evidence(t.failed(stop, "AccessDenied"), {"trail_arn": "arn:t"})
	testing.equal(ev, {
		"event_id": "e-1", "event_time": "2026-11-02T17:41:09Z", "event_name": "StopLogging",
		"event_source": "cloudtrail.amazonaws.com", "region": "us-east-1",
		"identity": {"type": "IAMUser", "arn": "arn:aws:iam::111111111111:user/mallory", "account_id": "111111111111", "invoked_by": null},
		"source_ip_address": "203.0.113.77", "user_agent": "aws-cli/2.17.4",
		"error_code": "AccessDenied", "error_message": "not authorized", "attempt_only": true,
		"request_parameters": {"name": "main"}, "trail_arn": "arn:t",
	})
	testing.equal(events.subject("arn:t", stop), {"resource": "arn:t", "region": "us-east-1"})
}

test_trail_arn_and_actor_resource if {
	i := on([], false)
	by_name := events.trail_arn("main", object.union(stop, {"region": "eu-west-1"})) with input as i
	testing.equal(by_name, "arn:aws:cloudtrail:eu-west-1:111111111111:trail/main")
	testing.equal(events.trail_arn("arn:aws:cloudtrail:us-east-1:222222222222:trail/x", stop), "arn:aws:cloudtrail:us-east-1:222222222222:trail/x")
	testing.equal(events.actor_resource(stop), "arn:aws:iam::111111111111:user/mallory")
	root := events.actor_resource(object.union(stop, {"user_identity": {"type": "Root", "arn": null}})) with input as i
	testing.equal(root, "arn:aws:iam::111111111111:root")
}

test_none_found_passes_only_over_a_complete_history if {
	complete := on([start], false)
	pass := events.none_found("StopLogging call") with input as complete
	testing.equal(pass, {
		"status": "pass", "resource": "AWS::::Account:111111111111", "region": null,
		"message": "no StopLogging call in the event history from 2026-08-22T09:00:00Z to 2026-11-20T09:00:00Z",
		"evidence": {"start_time": "2026-08-22T09:00:00Z", "end_time": "2026-11-20T09:00:00Z", "truncated": false, "events_examined": 1},
	})
	truncated := on([start], true)
	cut := events.none_found("StopLogging call") with input as truncated
	testing.equal([cut.status, cut.message], [
		"error",
		"no StopLogging call in the event history from 2026-08-22T09:00:00Z to 2026-11-20T09:00:00Z, but the history is truncated (the event cap was reached), so that absence proves nothing",
	])
}

test_none_found_without_history_names_why if {
	failed := object.union(t.input_with({}), {"errors": [
		{"service": "cloudtrail", "operation": "LookupEvents", "region": "us-east-1"},
		{"service": "cloudtrail", "operation": "DescribeTrails", "region": "eu-west-1"},
	]})
	r := events.none_found("StopLogging call") with input as failed
	testing.equal([r.status, r.message, r.evidence.lookup_events_failed_in, r.evidence.cause.id], [
		"error",
		"event history was not collected (cloudtrail:LookupEvents failed in us-east-1): cannot tell whether any StopLogging call happened",
		["us-east-1"],
		"event-history-not-collected",
	])
	disabled := object.union(t.input_with({}), {"metadata": {"settings": {"event_history_days": 0}}})
	d := events.none_found("StopLogging call") with input as disabled
	testing.equal(d.message, "event history was not collected (event history collection was disabled (event_history_days = 0)): cannot tell whether any StopLogging call happened")
}
