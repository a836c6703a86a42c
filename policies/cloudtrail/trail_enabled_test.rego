package trailaudit.cloudtrail.trail_enabled_test

import data.trailaudit.cloudtrail.trail_enabled as rule
import data.trailaudit.lib.testing

arn(account, name) := sprintf("arn:aws:cloudtrail:us-east-1:%s:trail/%s", [account, name])

trail(account, name, overrides) := object.union(
	{
		"name": name, "arn": arn(account, name), "home_region": "us-east-1",
		"is_multi_region_trail": false, "is_organization_trail": false, "status": {"is_logging": true},
	},
	overrides,
)

run(ts) := r if {
	r := rule.results with input as {"account": {"account_id": "111111111111", "trails": {t.arn: t | some t in ts}}, "context": {"organization_trails": {}}}
}

subject := {"resource": "AWS::::Account:111111111111", "region": null}

test_pass_one_single_region_trail_logging if {
	t := trail("111111111111", "main", {})
	testing.equal(run([t]), {object.union(subject, {
		"status": "pass", "message": sprintf("logging: %s", [t.arn]), "evidence": {"logging_trails": [t.arn]},
	})})
}

test_pass_one_of_two_logging if {
	on := trail("111111111111", "on", {})
	off := trail("111111111111", "off", {"status": {"is_logging": false}})
	testing.equal(run([on, off]), {object.union(subject, {
		"status": "pass", "message": sprintf("logging: %s", [on.arn]), "evidence": {"logging_trails": [on.arn]},
	})})
}

test_fail_no_trail_is_a_verdict_not_no_subjects if {
	testing.equal(run([]), {object.union(subject, {
		"status": "fail", "message": "no trail records this account", "evidence": {"logging_trails": [], "stopped_trails": []},
	})})
}

test_fail_every_trail_stopped_names_them_and_depends_on_their_status if {
	a := trail("111111111111", "a", {"status": {"is_logging": false}})
	b := trail("111111111111", "b", {"status": {"is_logging": false}})
	testing.equal(run([b, a]), {object.union(subject, {
		"status": "fail",
		"message": sprintf("no trail is logging (stopped: %s, %s)", [a.arn, b.arn]),
		"evidence": {"logging_trails": [], "stopped_trails": [a.arn, b.arn]},
		"depends_on": [a.arn, b.arn],
	})})
}

test_pass_organization_trail_of_the_management_account if {
	org := trail("999999999999", "org", {"is_organization_trail": true, "is_multi_region_trail": true})
	testing.equal({[r.status, r.message] | some r in run([org])}, {["pass", sprintf("logging: %s", [org.arn])]})
}
