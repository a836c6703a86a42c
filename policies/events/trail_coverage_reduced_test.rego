package trailaudit.events.trail_coverage_reduced_test

import data.trailaudit.events.trail_coverage_reduced as rule
import data.trailaudit.lib.events_testing as t
import data.trailaudit.lib.testing

tarn := "arn:aws:cloudtrail:us-east-1:111111111111:trail/main"

update(params) := t.event("u-1", "cloudtrail.amazonaws.com", "UpdateTrail", object.union({"name": tarn}, params))

selectors(params) := t.event("s-1", "cloudtrail.amazonaws.com", "PutEventSelectors", object.union({"trailName": tarn}, params))

run(evs, truncated) := r if {
	r := rule.results with input as t.input_with({"event_history": t.history(evs, truncated)})
}

changes(evs) := r.evidence.changes if {
	r := t.only(run(evs, false))
	r.status == "fail"
}

passes(evs) if {
	r := t.only(run(evs, false))
	r.status == "pass"
}

mgmt := {"field": "eventCategory", "equals": ["Management"]}

# --- UpdateTrail ---

test_fail_update_turns_off_validation if {
	r := t.only(run([update({"enableLogFileValidation": false})], false))
	testing.equal(r.status, "fail")
	testing.equal(r.resource, tarn)
	testing.equal(r.message, `IAMUser arn:aws:iam::111111111111:user/mallory reduced what is recorded or protected by trail arn:aws:cloudtrail:us-east-1:111111111111:trail/main with UpdateTrail at 2026-11-02T17:41:09Z from 203.0.113.77 with user agent "aws-cli/2.17.4" in us-east-1: log file validation turned off (enableLogFileValidation: false): no more digest files to prove the logs intact`)
	testing.equal(r.evidence.changes, ["log file validation turned off (enableLogFileValidation: false): no more digest files to prove the logs intact"])
	testing.equal(r.evidence.request_parameters, {"name": tarn, "enableLogFileValidation": false})
}

test_fail_update_names_every_change if {
	testing.equal(changes([update({
		"isMultiRegionTrail": false, "includeGlobalServiceEvents": "false", "isOrganizationTrail": false,
		"cloudWatchLogsLogGroupArn": "", "cloudWatchLogsRoleArn": "", "kmsKeyId": "",
	})]), [
		"multi-region recording turned off (isMultiRegionTrail: false): only the home region is recorded",
		"global service events turned off (includeGlobalServiceEvents: false): IAM, STS and other global calls go unrecorded",
		"organization trail turned into a single-account trail (isOrganizationTrail: false): member accounts go unrecorded",
		"CloudWatch Logs delivery removed (cloudWatchLogsLogGroupArn empty): metric filters and alarms stop seeing events",
		"KMS encryption removed (kmsKeyId empty): logs fall back to SSE-S3",
	])
}

test_pass_update_that_adds_coverage if {
	passes([update({"isMultiRegionTrail": true, "enableLogFileValidation": true, "kmsKeyId": "alias/cloudtrail", "cloudWatchLogsLogGroupArn": "arn:aws:logs:us-east-1:111111111111:log-group:ct:*"})])
}

test_pass_update_that_only_renames_the_bucket if {
	passes([update({"s3BucketName": "new-bucket"})])
}

test_fail_denied_update_is_an_attempt if {
	r := t.only(run([t.failed(update({"kmsKeyId": ""}), "AccessDenied")], false))
	r.status == "fail"
	testing.equal(r.message, `IAMUser arn:aws:iam::111111111111:user/mallory attempted to reduce what is recorded or protected by trail arn:aws:cloudtrail:us-east-1:111111111111:trail/main with UpdateTrail at 2026-11-02T17:41:09Z from 203.0.113.77 with user agent "aws-cli/2.17.4" in us-east-1: KMS encryption removed (kmsKeyId empty): logs fall back to SSE-S3; the call failed with AccessDenied (not authorized), so this was an attempt`)
	r.evidence.attempt_only
}

test_error_update_without_parameters if {
	r := t.only(run([object.union(update({}), {"request_parameters": null})], false))
	testing.equal(r.status, "error")
	testing.equal(r.resource, "AWS::::Account:111111111111")
	testing.equal(r.message, `IAMUser arn:aws:iam::111111111111:user/mallory called UpdateTrail on trail AWS::::Account:111111111111 at 2026-11-02T17:41:09Z from 203.0.113.77 with user agent "aws-cli/2.17.4" in us-east-1: its request parameters were not recorded, so whether it reduced what the trail records cannot be told`)
}

# --- PutEventSelectors, basic selectors ---

test_fail_management_events_off if {
	testing.equal(changes([selectors({"eventSelectors": [{"readWriteType": "All", "includeManagementEvents": false, "dataResources": []}]})]), [
		"management events turned off (includeManagementEvents: false in every event selector)",
	])
}

test_fail_read_only_management if {
	testing.equal(changes([selectors({"eventSelectors": [{"readWriteType": "ReadOnly", "includeManagementEvents": true}]})]), [
		"management events limited to ReadOnly (readWriteType)",
	])
}

test_fail_excluded_sources if {
	testing.equal(changes([selectors({"eventSelectors": [{"readWriteType": "All", "includeManagementEvents": true, "excludeManagementEventSources": ["kms.amazonaws.com", "rdsdata.amazonaws.com"]}]})]), [
		"management events from kms.amazonaws.com, rdsdata.amazonaws.com excluded (excludeManagementEventSources)",
	])
}

test_pass_read_and_write_selectors_together_cover_all if {
	passes([selectors({"eventSelectors": [
		{"readWriteType": "ReadOnly", "includeManagementEvents": true},
		{"readWriteType": "WriteOnly", "includeManagementEvents": true},
	]})])
}

test_pass_defaults_record_all_management_events if {
	passes([selectors({"eventSelectors": [{"dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}]})])
}

test_pass_exclusion_covered_by_another_selector if {
	passes([selectors({"eventSelectors": [
		{"readWriteType": "All", "includeManagementEvents": true, "excludeManagementEventSources": ["kms.amazonaws.com"]},
		{"readWriteType": "All", "includeManagementEvents": true},
	]})])
}

# --- PutEventSelectors, advanced selectors ---

test_pass_advanced_management_selector if {
	passes([selectors({"advancedEventSelectors": [
		{"name": "Management events", "fieldSelectors": [mgmt]},
		{"name": "S3", "fieldSelectors": [{"field": "eventCategory", "equals": ["Data"]}, {"field": "resources.type", "equals": ["AWS::S3::Object"]}]},
	]})])
}

test_fail_advanced_without_management if {
	testing.equal(changes([selectors({"advancedEventSelectors": [
		{"name": "S3", "fieldSelectors": [{"field": "eventCategory", "equals": ["Data"]}, {"field": "resources.type", "equals": ["AWS::S3::Object"]}]},
	]})]), ["no advanced event selector selects management events (eventCategory = Management)"])
}

test_fail_advanced_read_only if {
	testing.equal(changes([selectors({"advancedEventSelectors": [
		{"name": "Reads", "fieldSelectors": [mgmt, {"field": "readOnly", "equals": ["true"]}]},
	]})]), [`management selector "Reads" keeps only read events (readOnly = true)`])
}

test_pass_advanced_read_and_write_selectors if {
	passes([selectors({"advancedEventSelectors": [
		{"name": "Reads", "fieldSelectors": [mgmt, {"field": "readOnly", "equals": ["true"]}]},
		{"name": "Writes", "fieldSelectors": [mgmt, {"field": "readOnly", "equals": ["false"]}]},
	]})])
}

test_fail_advanced_event_source_filter if {
	testing.equal(changes([selectors({"advancedEventSelectors": [
		{"name": "No KMS", "fieldSelectors": [mgmt, {"field": "eventSource", "notEquals": ["kms.amazonaws.com"]}]},
	]})]), [`management selector "No KMS" also filters on eventSource NotEquals kms.amazonaws.com`])
}

test_fail_advanced_takes_precedence_over_empty_basic if {
	testing.equal(changes([selectors({"eventSelectors": [], "advancedEventSelectors": [
		{"name": "W", "fieldSelectors": [mgmt, {"field": "readOnly", "equals": ["false"]}]},
	]})]), [`management selector "W" keeps only write events (readOnly = false)`])
}

test_fail_trail_by_name_in_event_region if {
	e := object.union(selectors({"trailName": "audit", "eventSelectors": [{"includeManagementEvents": false}]}), {"region": "eu-west-1"})
	r := t.only(run([e], false))
	testing.equal(r.resource, "arn:aws:cloudtrail:eu-west-1:111111111111:trail/audit")
	testing.equal(r.region, "eu-west-1")
}

test_error_selectors_not_recorded if {
	r := t.only(run([selectors({})], false))
	testing.equal(r.status, "error")
	testing.equal(r.resource, tarn)
}

# --- Window ---

test_pass_no_calls if {
	r := t.only(run([t.event("d", "cloudtrail.amazonaws.com", "DescribeTrails", {})], false))
	testing.equal(r.message, sprintf("no UpdateTrail or PutEventSelectors call that reduces what a trail records or protects in the event history %s", [t.window]))
}

test_pass_ignores_other_sources if {
	passes([object.union(update({"kmsKeyId": ""}), {"event_source": "example.amazonaws.com"})])
}

test_error_truncated_without_match if {
	r := t.only(run([update({"enableLogFileValidation": true})], true))
	r.status == "error"
}

test_error_not_collected if {
	r := t.only(rule.results) with input as t.input_with({})
	r.status == "error"
}

test_fail_one_per_event if {
	rs := run([update({"kmsKeyId": ""}), object.union(update({"enableLogFileValidation": false}), {"event_id": "u-2"})], false)
	count(rs) == 2
	every r in rs {
		r.status == "fail"
	}
}
