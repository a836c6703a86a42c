package trailaudit.data_events.sensitive_table_data_events_test

import data.trailaudit.data_events.sensitive_table_data_events as rule
import data.trailaudit.lib.testing

config := {"sensitive_dynamodb_tables": {"names": ["payments-*", "arn:aws:dynamodb:*:*:table/ledger"], "tags": {"data-classification": ["restricted"]}}}

tarn := "arn:aws:cloudtrail:us-east-1:111111111111:trail/main"

table_arn(name) := sprintf("arn:aws:dynamodb:us-east-1:111111111111:table/%s", [name])

table(name, tags) := {"name": name, "arn": table_arn(name), "region": "us-east-1", "tags": tags}

trail(selectors, overrides) := object.union(
	{
		"name": "main", "arn": tarn, "home_region": "us-east-1", "is_multi_region_trail": true,
		"is_organization_trail": false, "status": {"is_logging": true}, "event_selectors": selectors,
	},
	overrides,
)

basic(values, rw) := {"AdvancedEventSelectors": [], "EventSelectors": [{
	"ReadWriteType": rw, "IncludeManagementEvents": true,
	"DataResources": [{"Type": "AWS::DynamoDB::Table", "Values": values}],
}]}

advanced(fields) := {"EventSelectors": [], "AdvancedEventSelectors": [{"Name": "ddb", "FieldSelectors": array.concat(
	[{"Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type", "Equals": ["AWS::DynamoDB::Table"]}],
	fields,
)}]}

# `captured` is input.derived.coverage.dynamodb_tables (table ARN → trail ARN
# → modes), as src/evaluate/derived/coverage.rs computes it from the trail's
# selectors (its test `tables_and_functions_are_covered_by_their_arn_or_the_whole_service`
# has each case below).
run(t, tables, captured) := run_cfg(t, tables, config, captured)

run_cfg(t, tables, cfg, captured) := r if {
	r := rule.results with input as {
		"metadata": {"partition": "aws"},
		"account": {"account_id": "111111111111", "trails": {tarn: t}, "buckets": {}, "dynamodb_tables": tables},
		"context": {"organization_trails": {}},
		"derived": {"coverage": {"s3_buckets": {}, "all_s3_buckets": {}, "dynamodb_tables": captured, "lambda_functions": {}}},
	}
		with data.trailaudit.config as cfg
}

# The facts of trail `tarn` capturing `modes` of each table named.
captures(names, modes) := {table_arn(name): {tarn: modes} | some name in names}

rw := ["read", "write"]

listed(tables) := {t.arn: t | some t in tables}

status_of(results, name) := {r.status | some r in results; r.resource == table_arn(name)}

payments := table("payments-eu", {})

test_pass_basic_selector_naming_the_table if {
	got := run(trail(basic([table_arn("payments-eu")], "All"), {}), listed([payments, table("scratch", {})]), captures(["payments-eu"], rw))
	testing.equal(got, {{
		"status": "pass", "resource": table_arn("payments-eu"), "region": "us-east-1",
		"message": sprintf("sensitive table payments-eu: reads and writes are logged (reads by %s; writes by %s)", [tarn, tarn]),
		"evidence": {"read_trails": [tarn], "write_trails": [tarn]},
	}})
}

test_pass_basic_selector_all_tables_and_arn_glob if {
	got := run(trail(basic(["arn:aws:dynamodb"], "All"), {}), listed([payments, table("ledger", {})]), captures(["payments-eu", "ledger"], rw))
	testing.equal(status_of(got, "payments-eu") | status_of(got, "ledger"), {"pass"})
	count(got) == 2
}

test_fail_no_data_events if {
	mgmt := {"AdvancedEventSelectors": [], "EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": true, "DataResources": []}]}
	testing.equal(run(trail(mgmt, {}), listed([payments]), {}), {{
		"status": "fail", "resource": table_arn("payments-eu"), "region": "us-east-1",
		"message": "sensitive table payments-eu: read and write data events are not logged by any logging trail",
		"evidence": {"missing": ["read", "write"], "read_trails": [], "write_trails": []},
	}})
}

test_fail_write_only_basic_selector if {
	some r in run(trail(basic(["arn:aws:dynamodb"], "WriteOnly"), {}), listed([payments]), captures(["payments-eu"], ["write"]))
	r.status == "fail"
	r.message == sprintf("sensitive table payments-eu: read data events are not logged by any logging trail (only write are logged, by %s)", [tarn])
}

test_fail_selector_for_another_table_prefix_value if {
	# A basic value is one table's ARN, not a prefix: table/payments does not cover table/payments-eu.
	testing.equal(status_of(run(trail(basic([table_arn("payments")], "All"), {}), listed([payments]), {}), "payments-eu"), {"fail"})
}

test_fail_stopped_trail if {
	testing.equal(status_of(run(trail(basic(["arn:aws:dynamodb"], "All"), {"status": {"is_logging": false}}), listed([payments]), captures(["payments-eu"], rw)), "payments-eu"), {"fail"})
}

test_fail_single_region_trail_elsewhere if {
	t := trail(basic(["arn:aws:dynamodb"], "All"), {"is_multi_region_trail": false, "home_region": "eu-west-1"})
	testing.equal(status_of(run(t, listed([payments]), captures(["payments-eu"], rw)), "payments-eu"), {"fail"})
}

test_pass_advanced_selector_with_arn_equals if {
	got := run(trail(advanced([{"Field": "resources.ARN", "Equals": [table_arn("payments-eu")]}]), {}), listed([payments]), captures(["payments-eu"], rw))
	testing.equal(status_of(got, "payments-eu"), {"pass"})
}

test_fail_advanced_selector_excluding_the_table if {
	got := run(trail(advanced([{"Field": "resources.ARN", "NotEquals": [table_arn("payments-eu")]}]), {}), listed([payments]), {})
	testing.equal(status_of(got, "payments-eu"), {"fail"})
}

test_fail_advanced_selector_narrowed_by_event_name if {
	got := run(trail(advanced([{"Field": "eventName", "Equals": ["PutItem"]}]), {}), listed([payments]), {})
	testing.equal(status_of(got, "payments-eu"), {"fail"})
}

test_fail_advanced_read_only_covers_reads_only if {
	some r in run(trail(advanced([{"Field": "readOnly", "Equals": ["true"]}]), {}), listed([payments]), captures(["payments-eu"], ["read"]))
	r.evidence.missing == ["write"]
}

test_pass_by_tag_case_insensitive if {
	got := run(trail(basic(["arn:aws:dynamodb"], "All"), {}), listed([table("orders", {"data-classification": "Restricted"})]), captures(["orders"], rw))
	testing.equal(status_of(got, "orders"), {"pass"})
}

test_error_tags_not_read if {
	testing.equal(run(trail(basic(["arn:aws:dynamodb"], "All"), {}), listed([table("orders", null)]), captures(["orders"], rw)), {{
		"status": "error", "resource": table_arn("orders"), "region": "us-east-1",
		"message": "table orders: its tags were not read, so whether it is sensitive is unknown",
		"evidence": {"tags": null},
	}})
}

test_pass_nothing_configured_nothing_judged if {
	testing.equal(run_cfg(trail(basic([], "All"), {}), null, {}, {}), set())
}

test_error_configured_but_not_listed if {
	testing.equal(run(trail(basic([], "All"), {}), null, {}), {{
		"status": "error", "resource": "AWS::::Account:111111111111", "region": null,
		"message": "the configuration names sensitive tables (sensitive_dynamodb_tables), but the snapshot holds no list of them: collect again with this configuration",
		"evidence": {"configuration": "sensitive_dynamodb_tables"},
	}})
}
