package trailaudit.data_events.sensitive_function_data_events_test

import data.trailaudit.data_events.sensitive_function_data_events as rule
import data.trailaudit.lib.testing

config := {"sensitive_lambda_functions": {"names": ["rotate-*"], "tags": {}}}

tarn := "arn:aws:cloudtrail:us-east-1:111111111111:trail/main"

farn := "arn:aws:lambda:us-east-1:111111111111:function:rotate-keys"

fn := {"name": "rotate-keys", "arn": farn, "region": "us-east-1"}

# `captured` is input.derived.coverage.lambda_functions (function ARN → trail
# ARN → modes), as src/evaluate/derived/coverage.rs computes it from the
# selectors (its test `tables_and_functions_are_covered_by_their_arn_or_the_whole_service`
# has each case below).
run(selectors, captured) := r if {
	t := {
		"name": "main", "arn": tarn, "home_region": "us-east-1", "is_multi_region_trail": true,
		"is_organization_trail": false, "status": {"is_logging": true}, "event_selectors": selectors,
	}
	other := {"name": "hello", "arn": "arn:aws:lambda:us-east-1:111111111111:function:hello", "region": "us-east-1"}
	r := rule.results with input as {
		"metadata": {"partition": "aws"},
		"account": {"account_id": "111111111111", "trails": {tarn: t}, "lambda_functions": {farn: fn, other.arn: other}},
		"context": {"organization_trails": {}},
		"derived": {"coverage": {"s3_buckets": {}, "all_s3_buckets": {}, "dynamodb_tables": {}, "lambda_functions": captured}},
	}
		with data.trailaudit.config as config
}

both := {farn: {tarn: ["read", "write"]}}

test_pass_advanced_selector_for_all_functions if {
	sel := {"EventSelectors": [], "AdvancedEventSelectors": [{"Name": "lambda", "FieldSelectors": [
		{"Field": "eventCategory", "Equals": ["Data"]},
		{"Field": "resources.type", "Equals": ["AWS::Lambda::Function"]},
	]}]}
	testing.equal(run(sel, both), {{
		"status": "pass", "resource": farn, "region": "us-east-1",
		"message": sprintf("sensitive function rotate-keys: reads and writes are logged (reads by %s; writes by %s)", [tarn, tarn]),
		"evidence": {"read_trails": [tarn], "write_trails": [tarn]},
	}})
}

test_pass_basic_selector_all_functions_with_trailing_colon if {
	sel := {"AdvancedEventSelectors": [], "EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": true, "DataResources": [{"Type": "AWS::Lambda::Function", "Values": ["arn:aws:lambda:"]}]}]}
	some r in run(sel, both)
	r.status == "pass"
}

test_fail_selector_for_s3_objects_only if {
	sel := {"AdvancedEventSelectors": [], "EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": true, "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}]}
	testing.equal(run(sel, {}), {{
		"status": "fail", "resource": farn, "region": "us-east-1",
		"message": "sensitive function rotate-keys: read and write data events are not logged by any logging trail",
		"evidence": {"missing": ["read", "write"], "read_trails": [], "write_trails": []},
	}})
}

test_fail_wrong_event_source if {
	sel := {"EventSelectors": [], "AdvancedEventSelectors": [{"Name": "x", "FieldSelectors": [
		{"Field": "eventCategory", "Equals": ["Data"]},
		{"Field": "resources.type", "Equals": ["AWS::Lambda::Function"]},
		{"Field": "eventSource", "Equals": ["s3.amazonaws.com"]},
	]}]}
	some r in run(sel, {})
	r.status == "fail"
}
