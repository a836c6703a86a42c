package trailaudit.events.console_login_without_mfa_test

import data.trailaudit.events.console_login_without_mfa as rule
import data.trailaudit.lib.events_testing as t
import data.trailaudit.lib.testing

login(mfa, outcome) := object.union(t.event("c-1", "signin.amazonaws.com", "ConsoleLogin", null), {
	"user_agent": "Mozilla/5.0",
	"additional_event_data": {"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": mfa},
	"response_elements": {"ConsoleLogin": outcome},
})

as_identity(e, type, arn) := object.union(e, {"user_identity": {"type": type, "arn": arn, "account_id": "111111111111", "invoked_by": null}})

run(evs, truncated) := r if {
	r := rule.results with input as t.input_with({"event_history": t.history(evs, truncated)})
}

test_fail_iam_user_without_mfa if {
	r := t.only(run([login("No", "Success")], false))
	testing.equal(r.status, "fail")
	testing.equal(r.resource, "arn:aws:iam::111111111111:user/mallory")
	testing.equal(r.region, "us-east-1")
	testing.equal(r.message, `IAMUser arn:aws:iam::111111111111:user/mallory signed in to the console without MFA (MFAUsed: No) at 2026-11-02T17:41:09Z from 203.0.113.77 with user agent "Mozilla/5.0" in us-east-1`)
	testing.equal(r.evidence.mfa_used, "No")
	testing.equal(r.evidence.login_to, "https://console.aws.amazon.com/console/home")
}

test_fail_root_without_mfa if {
	r := t.only(run([as_identity(login("No", "Success"), "Root", "arn:aws:iam::111111111111:root")], false))
	r.status == "fail"
	r.resource == "arn:aws:iam::111111111111:root"
}

test_fail_mfa_not_recorded if {
	e := object.union(login("No", "Success"), {"additional_event_data": null})
	r := t.only(run([e], false))
	r.status == "fail"
	testing.equal(r.message, `IAMUser arn:aws:iam::111111111111:user/mallory signed in to the console without MFA (MFAUsed not recorded) at 2026-11-02T17:41:09Z from 203.0.113.77 with user agent "Mozilla/5.0" in us-east-1`)
	r.evidence.mfa_used == null
}

test_pass_with_mfa if {
	r := t.only(run([login("Yes", "Success")], false))
	testing.equal(r.status, "pass")
	testing.equal(r.message, sprintf("no console sign-in without MFA by an IAM or root user in the event history %s", [t.window]))
}

test_pass_failed_sign_in if {
	e := object.union(login("No", "Failure"), {"error_message": "Failed authentication"})
	r := t.only(run([e], false))
	r.status == "pass"
}

test_pass_failure_in_response_only if {
	r := t.only(run([login("No", "Failure")], false))
	r.status == "pass"
}

test_pass_sso_and_saml_sign_ins if {
	sso := as_identity(login("No", "Success"), "AssumedRole", "arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_0123/alice")
	saml := object.union(as_identity(login("No", "Success"), "SAMLUser", null), {"event_id": "c-2"})
	r := t.only(run([sso, saml], false))
	r.status == "pass"
}

test_pass_ignores_other_sources if {
	e := object.union(login("No", "Success"), {"event_source": "example.amazonaws.com"})
	r := t.only(run([e], false))
	r.status == "pass"
}

test_error_truncated if {
	r := t.only(run([login("Yes", "Success")], true))
	r.status == "error"
}

test_error_not_collected if {
	r := t.only(rule.results) with input as t.input_with({})
	r.status == "error"
}
