package trailaudit.events.root_activity_test

import data.trailaudit.events.root_activity as rule
import data.trailaudit.lib.events_testing as t
import data.trailaudit.lib.testing

root := {"type": "Root", "arn": "arn:aws:iam::111111111111:root", "account_id": "111111111111", "invoked_by": null}

by_root(e) := object.union(e, {"user_identity": root})

create_key := by_root(t.event("r-1", "iam.amazonaws.com", "CreateAccessKey", {}))

sign_in := object.union(by_root(t.event("r-2", "signin.amazonaws.com", "ConsoleLogin", null)), {
	"additional_event_data": {"MFAUsed": "Yes"},
	"response_elements": {"ConsoleLogin": "Success"},
})

user_call := t.event("u-1", "iam.amazonaws.com", "CreateAccessKey", {})

run(evs, truncated) := r if {
	r := rule.results with input as t.input_with({"event_history": t.history(evs, truncated)})
}

test_fail_root_api_call if {
	r := t.only(run([create_key, user_call], false))
	testing.equal(r.status, "fail")
	testing.equal(r.resource, "arn:aws:iam::111111111111:root")
	testing.equal(r.region, "us-east-1")
	testing.equal(r.message, `Root arn:aws:iam::111111111111:root called iam:CreateAccessKey at 2026-11-02T17:41:09Z from 203.0.113.77 with user agent "aws-cli/2.17.4" in us-east-1`)
	testing.equal(r.evidence.action, "iam:CreateAccessKey")
	testing.equal(r.evidence.identity.type, "Root")
}

test_fail_root_sign_in_even_with_mfa if {
	r := t.only(run([sign_in], false))
	r.status == "fail"
	testing.equal(r.message, `Root arn:aws:iam::111111111111:root called signin:ConsoleLogin at 2026-11-02T17:41:09Z from 203.0.113.77 with user agent "aws-cli/2.17.4" in us-east-1`)
}

test_fail_one_per_root_event if {
	count(run([create_key, sign_in], false)) == 2
}

test_fail_failed_root_call_is_an_attempt if {
	r := t.only(run([t.failed(create_key, "AccessDenied")], false))
	r.status == "fail"
	testing.equal(r.message, `Root arn:aws:iam::111111111111:root attempted iam:CreateAccessKey at 2026-11-02T17:41:09Z from 203.0.113.77 with user agent "aws-cli/2.17.4" in us-east-1; the call failed with AccessDenied (not authorized), so this was an attempt`)
}

test_fail_root_without_arn_names_the_account_root if {
	e := object.union(create_key, {"user_identity": {"type": "Root", "arn": null, "account_id": "111111111111", "invoked_by": null}})
	r := t.only(run([e], false))
	testing.equal(r.resource, "arn:aws:iam::111111111111:root")
}

test_pass_invoked_by_a_service if {
	e := object.union(create_key, {"user_identity": object.union(root, {"invoked_by": "support.amazonaws.com"})})
	r := t.only(run([e], false))
	testing.equal(r.status, "pass")
	testing.equal(r.message, sprintf("no root user activity in the event history %s", [t.window]))
}

test_pass_aws_service_event if {
	e := object.union(create_key, {"event_type": "AwsServiceEvent"})
	r := t.only(run([e], false))
	r.status == "pass"
}

test_fail_api_call_event_type if {
	e := object.union(create_key, {"event_type": "AwsApiCall"})
	r := t.only(run([e], false))
	r.status == "fail"
}

test_pass_iam_user_only if {
	r := t.only(run([user_call], false))
	r.status == "pass"
}

test_error_truncated if {
	r := t.only(run([user_call], true))
	r.status == "error"
}

test_error_not_collected if {
	r := t.only(rule.results) with input as t.input_with({})
	r.status == "error"
}
