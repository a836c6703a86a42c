package trailaudit.events.event_data_store_stopped_test

import data.trailaudit.events.event_data_store_stopped as rule
import data.trailaudit.lib.events_testing as t
import data.trailaudit.lib.testing

sarn := "arn:aws:cloudtrail:us-east-1:111111111111:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE"

delete := t.event("d-1", "cloudtrail.amazonaws.com", "DeleteEventDataStore", {"eventDataStore": sarn})

stop := t.event("s-1", "cloudtrail.amazonaws.com", "StopEventDataStoreIngestion", {"eventDataStore": sarn})

list := t.event("l-1", "cloudtrail.amazonaws.com", "ListEventDataStores", {})

regions := {"us-east-1": {"trail_arns": [], "event_data_stores": [{"arn": sarn, "name": "org-lake", "status": "STOPPED_INGESTION"}]}}

run(evs, truncated) := r if {
	r := rule.results with input as t.input_with({"regions": regions, "event_history": t.history(evs, truncated)})
}

test_fail_delete_event_data_store if {
	r := t.only(run([delete, list], false))
	testing.equal(r.status, "fail")
	testing.equal(r.resource, sarn)
	testing.equal(r.region, "us-east-1")
	testing.equal(r.message, sprintf(`IAMUser arn:aws:iam::111111111111:user/mallory deleted event data store %s at 2026-11-02T17:41:09Z from 203.0.113.77 with user agent "aws-cli/2.17.4" in us-east-1`, [sarn]))
	testing.equal(r.evidence.event_data_store_arn, sarn)
	testing.equal(r.evidence.event_data_store_name, "org-lake")
}

test_fail_stop_ingestion if {
	r := t.only(run([stop], false))
	r.status == "fail"
	testing.equal(r.message, `IAMUser arn:aws:iam::111111111111:user/mallory stopped ingestion into event data store arn:aws:cloudtrail:us-east-1:111111111111:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE at 2026-11-02T17:41:09Z from 203.0.113.77 with user agent "aws-cli/2.17.4" in us-east-1`)
}

test_fail_store_named_by_id_suffix if {
	e := object.union(delete, {"region": "eu-west-1", "request_parameters": {"eventDataStore": "EXAMPLE-1234"}})
	r := t.only(run([e], false))
	testing.equal(r.resource, "arn:aws:cloudtrail:eu-west-1:111111111111:eventdatastore/EXAMPLE-1234")
	testing.equal(r.evidence.event_data_store_name, null)
}

test_fail_protected_store_delete_is_an_attempt if {
	r := t.only(run([t.failed(delete, "EventDataStoreTerminationProtectedException")], false))
	r.status == "fail"
	testing.equal(r.message, `IAMUser arn:aws:iam::111111111111:user/mallory attempted to delete event data store arn:aws:cloudtrail:us-east-1:111111111111:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE at 2026-11-02T17:41:09Z from 203.0.113.77 with user agent "aws-cli/2.17.4" in us-east-1; the call failed with EventDataStoreTerminationProtectedException (not authorized), so this was an attempt`)
}

test_fail_both_calls if {
	count(run([delete, stop], false)) == 2
}

test_pass_no_call if {
	r := t.only(run([list], false))
	testing.equal(r.status, "pass")
	testing.equal(r.message, sprintf("no DeleteEventDataStore or StopEventDataStoreIngestion call in the event history %s", [t.window]))
}

test_error_truncated if {
	r := t.only(run([list], true))
	r.status == "error"
}

test_error_not_collected if {
	r := t.only(rule.results) with input as t.input_with({})
	r.status == "error"
}
