package trailaudit.cloudtrail.trail_beyond_event_history_test

import data.trailaudit.cloudtrail.trail_beyond_event_history as rule
import data.trailaudit.lib.testing

arn(account, name) := sprintf("arn:aws:cloudtrail:us-east-1:%s:trail/%s", [account, name])

trail(account, name, overrides) := object.union(
	{
		"name": name, "arn": arn(account, name), "home_region": "us-east-1",
		"is_multi_region_trail": true, "is_organization_trail": false,
		"status": {"is_logging": true},
		"event_selectors": {"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": true, "DataResources": []}], "AdvancedEventSelectors": []},
	},
	overrides,
)

account(trails) := {"account_id": "111111111111", "trails": {t.arn: t | some t in trails}}

run(trails) := r if {
	r := rule.results with input as {"account": account(trails), "context": {"organization_trails": {}}}
}

subject := {"resource": "AWS::::Account:111111111111", "region": null}

test_pass_multi_region_logging_read_write if {
	t := trail("111111111111", "main", {})
	testing.equal(run([t]), {object.union(subject, {
		"status": "pass",
		"message": sprintf("trail %s is logging, multi-region and records read and write management events", [t.arn]),
		"evidence": {"qualifying_trails": [t.arn]},
	})})
}

test_pass_advanced_selector_management_without_read_only if {
	t := trail("111111111111", "adv", {"event_selectors": {"EventSelectors": [], "AdvancedEventSelectors": [{"Name": "mgmt", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}]}})
	some r in run([t])
	r.status == "pass"
}

test_pass_read_and_write_in_two_basic_selectors if {
	t := trail("111111111111", "split", {"event_selectors": {"AdvancedEventSelectors": [], "EventSelectors": [
		{"ReadWriteType": "ReadOnly", "IncludeManagementEvents": true},
		{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": true},
	]}})
	some r in run([t])
	r.status == "pass"
}

test_fail_no_trail_at_all if {
	testing.equal(run([]), {object.union(subject, {
		"status": "fail",
		"message": "no trail records this account: only the 90-day event history of management events exists",
		"evidence": {"trails": []},
	})})
}

test_fail_not_logging_counts_nowhere if {
	t := trail("111111111111", "stopped", {"status": {"is_logging": false}})
	testing.equal(run([t]), {object.union(subject, {
		"status": "fail",
		"message": sprintf("no trail is logging, multi-region and recording read and write management events (%s: not logging)", [t.arn]),
		"evidence": {"shortfalls": {t.arn: ["not logging"]}},
	})})
}

test_fail_single_region_write_only if {
	t := trail("111111111111", "narrow", {"is_multi_region_trail": false, "event_selectors": {"AdvancedEventSelectors": [], "EventSelectors": [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": true}]}})
	some r in run([t])
	r.status == "fail"
	contains(r.message, "single-region, does not record both read and write management events")
}

test_fail_advanced_selector_read_only_true if {
	t := trail("111111111111", "ro", {"event_selectors": {"EventSelectors": [], "AdvancedEventSelectors": [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}, {"Field": "readOnly", "Equals": ["true"]}]}]}})
	some r in run([t])
	r.status == "fail"
}

test_fail_excluded_management_event_sources if {
	t := trail("111111111111", "nokms", {"event_selectors": {"AdvancedEventSelectors": [], "EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": true, "ExcludeManagementEventSources": ["kms.amazonaws.com"]}]}})
	some r in run([t])
	r.status == "fail"
}

test_pass_member_covered_by_organization_trail_seen_as_shadow if {
	# The member sees the management account's organization trail; its status
	# and selectors come from the owner's record in context.
	seen := trail("222222222222", "org", {"is_organization_trail": true, "status": null, "event_selectors": null})
	owner := object.union(trail("222222222222", "org", {"is_organization_trail": true}), {"account_id": "222222222222"})
	got := rule.results with input as {"account": account([seen]), "context": {"organization_trails": {seen.arn: owner}}}
	testing.equal(got, {object.union(subject, {
		"status": "pass",
		"message": sprintf("covered by organization trail %s of management account 222222222222", [seen.arn]),
		"evidence": {"qualifying_trails": [seen.arn], "organization_trail": true},
	})})
}

test_fail_member_whose_organization_trail_stopped_logging if {
	seen := trail("222222222222", "org", {"is_organization_trail": true, "status": null, "event_selectors": null})
	owner := object.union(trail("222222222222", "org", {"is_organization_trail": true, "status": {"is_logging": false}}), {"account_id": "222222222222"})
	got := rule.results with input as {"account": account([seen]), "context": {"organization_trails": {seen.arn: owner}}}
	some r in got
	r.status == "fail"
}
