package trailaudit.lib.trails_test

import data.trailaudit.lib.testing
import data.trailaudit.lib.trails

own_arn := "arn:aws:cloudtrail:us-east-1:111111111111:trail/own"

org_arn := "arn:aws:cloudtrail:us-east-1:999999999999:trail/org"

all_management := {"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": true}], "AdvancedEventSelectors": []}

own_trail := {
	"arn": own_arn, "home_region": "us-east-1", "is_multi_region_trail": true, "is_organization_trail": false,
	"status": {"is_logging": true, "latest_delivery_time": "2026-11-20T08:00:00Z"}, "event_selectors": all_management,
}

# The management account's organization trail as a member sees it: no status or selectors.
org_seen := {"arn": org_arn, "home_region": "us-east-1", "is_multi_region_trail": true, "is_organization_trail": true, "status": null}

org_full := object.union(org_seen, {"account_id": "999999999999", "status": {"is_logging": false}, "event_selectors": all_management})

inp := {
	"account": {
		"account_id": "111111111111", "organization": {"management_account_id": "999999999999"},
		"trails": {own_arn: own_trail, org_arn: org_seen},
	},
	"context": {"organization_trails": {org_arn: org_full}},
}

test_arn_account if testing.equal(trails.arn_account(own_arn), "111111111111")

# Under `with`, compute first, then compare: testing.equal is a function of
# another package (see the note in lib/events.rego).
test_own_organization_and_recording if {
	got := {
		"own": object.keys(trails.own),
		"organization": object.keys(trails.organization),
		"recording": object.keys(trails.recording),
		"logging_recording": object.keys(trails.logging_recording),
	} with input as inp

	# Only the own trail logs: the organization trail's full record says it is stopped.
	testing.equal(got, {"own": {own_arn}, "organization": {org_arn}, "recording": {own_arn, org_arn}, "logging_recording": {own_arn}})
}

member(management) := {
	"account": {"account_id": "111111111111", "organization": {"management_account_id": management}, "trails": {own_arn: own_trail}},
	"context": {"organization_trails": {org_arn: org_full}},
}

test_organization_trail_known_only_from_context if {
	mine := object.keys(trails.organization) with input as member("999999999999")
	testing.equal(mine, {org_arn})
	other := object.keys(trails.organization) with input as member("888888888888")
	testing.equal(other, set())
}

test_full_status_and_selectors_come_from_the_owner_record if {
	seen := org_seen
	a := trails.full(seen) with input as {"context": {"organization_trails": {org_arn: org_full}}}
	c := trails.status_field(own_trail, "latest_delivery_time")
	d := trails.status_field(object.union(own_trail, {"status": null}), "is_logging") with input as {"context": {"organization_trails": {}}}
	e := trails.selectors(seen) with input as {"context": {"organization_trails": {org_arn: org_full}}}
	testing.equal([a, trails.full(own_trail), c, d, e], [org_full, own_trail, "2026-11-20T08:00:00Z", null, all_management])
}

test_covers_region if {
	single := object.union(own_trail, {"is_multi_region_trail": false})
	got := [
		covers(own_trail, "ap-south-1"),
		covers(single, "us-east-1"),
		covers(single, "eu-west-1"),
	]
	testing.equal(got, [true, true, false])
}

covers(t, region) := true if trails.covers_region(t, region) else := false

qualifies(t) := true if trails.qualifying(t) else := false

read_write(t) := true if trails.records_management_read_write(t) else := false

selectors_of(basic, advanced) := object.union(own_trail, {"event_selectors": {"EventSelectors": basic, "AdvancedEventSelectors": advanced}})

test_qualifying_needs_logging_multi_region_and_read_write_management if {
	write_only := selectors_of([{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": true}], [])
	excluding := selectors_of([{"ReadWriteType": "All", "IncludeManagementEvents": true, "ExcludeManagementEventSources": ["kms.amazonaws.com"]}], [])
	got := [
		qualifies(own_trail),
		qualifies(object.union(own_trail, {"is_multi_region_trail": false})),
		qualifies(object.union(own_trail, {"status": {"is_logging": false}})),
		qualifies(write_only),
		qualifies(excluding),
	]
	testing.equal(got, [true, false, false, false, false])
}

test_advanced_management_selectors if {
	management := {"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}
	reads := {"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}, {"Field": "readOnly", "Equals": ["true"]}]}
	writes := {"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}, {"Field": "readOnly", "Equals": ["false"]}]}
	narrowed := {"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}, {"Field": "eventSource", "NotEquals": ["kms.amazonaws.com"]}]}
	got := [
		read_write(selectors_of([], [management])),
		read_write(selectors_of([], [reads, writes])),
		read_write(selectors_of([], [reads])),
		read_write(selectors_of([], [narrowed])),
	]
	testing.equal(got, [true, true, false, false])
}
