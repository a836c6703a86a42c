package trailaudit.cloudtrail.trail_tags_test

import data.trailaudit.cloudtrail.trail_tags as rule
import data.trailaudit.lib.testing

arn(account) := sprintf("arn:aws:cloudtrail:us-east-1:%s:trail/main", [account])

run(tags, required) := r if {
	t := {"name": "main", "arn": arn("111111111111"), "home_region": "us-east-1", "tags": tags}
	r := rule.results with input as {"account": {"account_id": "111111111111", "trails": {t.arn: t}}}
		with data.trailaudit.config as {"required_trail_tags": required}
}

test_pass_any_tag_when_nothing_is_required if {
	testing.equal(run({"owner": "security"}, []), {{
		"status": "pass", "resource": arn("111111111111"), "region": "us-east-1",
		"message": "trail main is tagged (owner)",
		"evidence": {"tag_keys": ["owner"], "required_keys": []},
	}})
}

test_pass_every_required_key_present if {
	got := run({"owner": "security", "cost-center": "sec-1", "extra": ""}, ["cost-center", "owner"])
	testing.equal({[r.status, r.message] | some r in got}, {["pass", "trail main is tagged (cost-center, extra, owner)"]})
}

test_fail_no_tags if {
	testing.equal(run({}, []), {{
		"status": "fail", "resource": arn("111111111111"), "region": "us-east-1",
		"message": "trail main has no tags",
		"evidence": {"tag_keys": [], "required_keys": []},
	}})
}

test_fail_missing_required_keys if {
	testing.equal(run({"owner": "security"}, ["owner", "cost-center", "data-classification"]), {{
		"status": "fail", "resource": arn("111111111111"), "region": "us-east-1",
		"message": "trail main lacks required tag keys: cost-center, data-classification",
		"evidence": {"tag_keys": ["owner"], "required_keys": ["cost-center", "data-classification", "owner"], "missing_keys": ["cost-center", "data-classification"]},
	}})
}

test_fail_key_match_is_case_sensitive if {
	got := run({"Owner": "security"}, ["owner"])
	testing.equal({[r.status, r.evidence.missing_keys] | some r in got}, {["fail", ["owner"]]})
}

test_error_tags_not_collected if {
	testing.equal({[r.status, r.message] | some r in run(null, ["owner"])}, {["error", "trail main: tags were not collected (ListTags), so required tags cannot be checked"]})
}

test_pass_without_configuration_key if {
	t := {"name": "main", "arn": arn("111111111111"), "home_region": "us-east-1", "tags": {"owner": "x"}}
	got := rule.results with input as {"account": {"account_id": "111111111111", "trails": {t.arn: t}}} with data.trailaudit.config as {}
	testing.equal({r.status | some r in got}, {"pass"})
}

test_organization_trail_of_another_account_is_judged_by_its_owner if {
	t := {"name": "org", "arn": arn("999999999999"), "home_region": "us-east-1", "tags": {}}
	got := rule.results with input as {"account": {"account_id": "111111111111", "trails": {t.arn: t}}} with data.trailaudit.config as {"required_trail_tags": []}
	testing.equal(got, set())
}

test_recorded_list_tags_failure_is_left_to_the_engine if {
	t := {"name": "main", "arn": arn("111111111111"), "home_region": "us-east-1", "tags": null}
	got := rule.results with input as {
		"account": {"account_id": "111111111111", "trails": {t.arn: t}},
		"errors": [{"service": "cloudtrail", "operation": "ListTags", "region": "us-east-1", "resource": t.arn}],
	}
		with data.trailaudit.config as {"required_trail_tags": []}
	testing.equal(got, set())
}

test_pass_required_key_with_empty_value if {
	# AWS allows empty tag values; the key is what CloudTrail.9 asks for.
	testing.equal({r.status | some r in run({"owner": ""}, ["owner"])}, {"pass"})
}
