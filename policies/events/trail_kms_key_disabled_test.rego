package trailaudit.events.trail_kms_key_disabled_test

import data.trailaudit.events.trail_kms_key_disabled as rule
import data.trailaudit.lib.events_testing as t
import data.trailaudit.lib.testing

tarn := "arn:aws:cloudtrail:us-east-1:111111111111:trail/main"

kid := "1234abcd-12ab-34cd-56ef-1234567890ab"

karn := sprintf("arn:aws:kms:us-east-1:111111111111:key/%s", [kid])

key := {"arn": karn, "key_id": kid, "region": "us-east-1", "key_manager": "CUSTOMER", "key_state": "Enabled", "aliases": ["alias/cloudtrail"]}

trail(kms_key_id) := {"name": "main", "arn": tarn, "home_region": "us-east-1", "is_multi_region_trail": true, "is_organization_trail": false, "kms_key_id": kms_key_id}

schedule(key_id) := t.event("k-1", "kms.amazonaws.com", "ScheduleKeyDeletion", {"keyId": key_id, "pendingWindowInDays": 7})

disable(key_id) := t.event("k-2", "kms.amazonaws.com", "DisableKey", {"keyId": key_id})

run(trail_key, keys, evs, truncated) := r if {
	r := rule.results with input as t.input_with({
		"trails": {tarn: trail(trail_key)},
		"kms_keys": {k.arn: k | some k in keys},
		"event_history": t.history(evs, truncated),
	})
}

test_fail_schedule_deletion_by_key_id if {
	r := t.only(run(karn, [key], [schedule(kid)], false))
	testing.equal(r.status, "fail")
	testing.equal(r.resource, karn)
	testing.equal(r.region, "us-east-1")
	testing.equal(r.message, sprintf(`IAMUser arn:aws:iam::111111111111:user/mallory scheduled the deletion of KMS key %s (pending window 7 days) used by trail %s at 2026-11-02T17:41:09Z from 203.0.113.77 with user agent "aws-cli/2.17.4" in us-east-1`, [karn, tarn]))
	testing.equal(r.evidence.key_arn, karn)
	testing.equal(r.evidence.trail_arns, [tarn])
	testing.equal(r.evidence.pending_window_in_days, 7)
}

test_fail_disable_by_arn_when_trail_names_alias if {
	r := t.only(run("alias/cloudtrail", [key], [disable(karn)], false))
	r.status == "fail"
	testing.equal(r.message, `IAMUser arn:aws:iam::111111111111:user/mallory disabled KMS key arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab used by trail arn:aws:cloudtrail:us-east-1:111111111111:trail/main at 2026-11-02T17:41:09Z from 203.0.113.77 with user agent "aws-cli/2.17.4" in us-east-1`)
	testing.equal(r.evidence.pending_window_in_days, null)
}

test_fail_trail_names_alias_arn if {
	r := t.only(run("arn:aws:kms:us-east-1:111111111111:alias/cloudtrail", [key], [disable(kid)], false))
	r.status == "fail"
}

test_fail_trail_names_bare_key_id_not_described if {
	r := t.only(run(kid, [], [disable(karn)], false))
	r.status == "fail"
	r.resource == karn
}

test_fail_denied_call_is_an_attempt if {
	r := t.only(run(karn, [key], [t.failed(schedule(kid), "AccessDeniedException")], false))
	r.status == "fail"
	testing.equal(r.message, `IAMUser arn:aws:iam::111111111111:user/mallory attempted to schedule the deletion of KMS key arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab (pending window 7 days) used by trail arn:aws:cloudtrail:us-east-1:111111111111:trail/main at 2026-11-02T17:41:09Z from 203.0.113.77 with user agent "aws-cli/2.17.4" in us-east-1; the call failed with AccessDeniedException (not authorized), so this was an attempt`)
}

test_pass_other_key if {
	r := t.only(run(karn, [key], [schedule("99999999-0000-0000-0000-000000000000")], false))
	testing.equal(r.status, "pass")
	testing.equal(r.message, sprintf("no DisableKey or ScheduleKeyDeletion of a key a trail uses in the event history %s", [t.window]))
}

test_pass_same_key_id_in_another_region if {
	# A multi-Region key shares its id across regions; the replica is another key.
	e := object.union(disable(kid), {"region": "eu-west-1"})
	r := t.only(run(karn, [key], [e], false))
	r.status == "pass"
}

test_pass_trail_without_kms if {
	r := t.only(run(null, [], [disable(kid)], false))
	r.status == "pass"
}

test_pass_ignores_other_sources if {
	e := object.union(disable(kid), {"event_source": "example.amazonaws.com"})
	r := t.only(run(karn, [key], [e], false))
	r.status == "pass"
}

test_error_unresolved_alias if {
	r := t.only(run("alias/cloudtrail", [], [], false))
	testing.equal(r.status, "error")
	testing.equal(r.message, sprintf("cannot recognise calls on the KMS key of %s: the snapshot does not resolve alias/cloudtrail to a key", [tarn]))
}

test_error_truncated if {
	r := t.only(run(karn, [key], [], true))
	r.status == "error"
}

test_error_not_collected if {
	r := t.only(rule.results) with input as t.input_with({"trails": {tarn: trail(karn)}})
	r.status == "error"
}

