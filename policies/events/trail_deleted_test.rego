package trailaudit.events.trail_deleted_test

import data.trailaudit.events.trail_deleted as rule
import data.trailaudit.lib.events_testing as t
import data.trailaudit.lib.testing

tarn := "arn:aws:cloudtrail:us-east-1:111111111111:trail/default"

delete := t.event("e-1", "cloudtrail.amazonaws.com", "DeleteTrail", {"name": tarn})

describe := t.event("e-2", "cloudtrail.amazonaws.com", "DescribeTrails", {"includeShadowTrails": true})

run(evs, truncated) := r if {
	r := rule.results with input as t.input_with({"event_history": t.history(evs, truncated)})
}

test_fail_delete_trail if {
	r := t.only(run([delete, describe], false))
	testing.equal(r.status, "fail")
	testing.equal(r.resource, tarn)
	testing.equal(r.region, "us-east-1")
	testing.equal(r.message, `IAMUser arn:aws:iam::111111111111:user/mallory deleted trail arn:aws:cloudtrail:us-east-1:111111111111:trail/default at 2026-11-02T17:41:09Z from 203.0.113.77 with user agent "aws-cli/2.17.4" in us-east-1`)
	testing.equal(r.evidence.event_id, "e-1")
	testing.equal(r.evidence.trail_arn, tarn)
	testing.equal(r.evidence.request_parameters, {"name": tarn})
}

test_fail_trail_by_name if {
	e := object.union(delete, {"region": "ap-southeast-2", "request_parameters": {"name": "old-trail"}})
	r := t.only(run([e], false))
	testing.equal(r.resource, "arn:aws:cloudtrail:ap-southeast-2:111111111111:trail/old-trail")
}

test_fail_failed_delete_is_an_attempt if {
	r := t.only(run([t.failed(delete, "TrailNotFoundException")], false))
	r.status == "fail"
	testing.equal(r.message, `IAMUser arn:aws:iam::111111111111:user/mallory attempted to delete trail arn:aws:cloudtrail:us-east-1:111111111111:trail/default at 2026-11-02T17:41:09Z from 203.0.113.77 with user agent "aws-cli/2.17.4" in us-east-1; the call failed with TrailNotFoundException (not authorized), so this was an attempt`)
	r.evidence.attempt_only == true
}

test_fail_without_name_names_the_account if {
	r := t.only(run([object.union(delete, {"request_parameters": null})], false))
	r.status == "fail"
	r.resource == "AWS::::Account:111111111111"
}

test_pass_no_delete if {
	testing.equal(run([describe], false), {{
		"status": "pass", "resource": "AWS::::Account:111111111111", "region": null,
		"message": sprintf("no DeleteTrail call in the event history %s", [t.window]),
		"evidence": {"start_time": "2026-08-22T09:00:00Z", "end_time": "2026-11-20T09:00:00Z", "truncated": false, "events_examined": 1},
	}})
}

test_error_truncated_without_match if {
	r := t.only(run([describe], true))
	r.status == "error"
}

test_fail_truncated_with_match if {
	r := t.only(run([delete], true))
	r.status == "fail"
}

test_error_not_collected if {
	r := t.only(rule.results) with input as t.input_with({})
	r.status == "error"
	testing.equal(r.message, `event history was not collected (the snapshot holds no event history): cannot tell whether any DeleteTrail call happened`)
}
