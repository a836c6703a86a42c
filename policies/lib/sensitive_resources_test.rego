package trailaudit.lib.sensitive_resources_test

import data.trailaudit.lib.sensitive_resources
import data.trailaudit.lib.testing

tarn := "arn:aws:cloudtrail:us-east-1:111111111111:trail/main"

type := "AWS::DynamoDB::Table"

table(name, tags) := {
	"name": name, "arn": sprintf("arn:aws:dynamodb:us-east-1:111111111111:table/%s", [name]),
	"region": "us-east-1", "tags": tags,
}

# `captured`: table ARN → trail ARN → modes (input.derived.coverage.dynamodb_tables).
judge(config, tables, captured) := r if {
	t := {
		"arn": tarn, "home_region": "us-east-1", "is_multi_region_trail": true, "is_organization_trail": false,
		"status": {"is_logging": true}, "event_selectors": {"EventSelectors": [], "AdvancedEventSelectors": []},
	}
	resources := {x.arn: x | some x in tables}
	r := sensitive_resources.results("sensitive_dynamodb_tables", type, "table", resources) with input as {
		"metadata": {"partition": "aws"},
		"account": {"account_id": "111111111111", "trails": {tarn: t}},
		"context": {"organization_trails": {}},
		"derived": {"coverage": {"s3_buckets": {}, "all_s3_buckets": {}, "dynamodb_tables": captured, "lambda_functions": {}}},
	}
		with data.trailaudit.config as {"sensitive_dynamodb_tables": config}
}

by_name := {"names": ["pay*"], "tags": {}}

test_a_name_glob_crosses_colons_slashes_and_dots if {
	dotted := table("pay.v2", {})
	got := judge({"names": ["arn:aws:dynamodb:*:table/pay*"], "tags": {}}, [dotted], {})
	testing.equal({[r.resource, r.status] | some r in got}, {[dotted.arn, "fail"]})
}

test_pass_names_the_trails_of_each_half if {
	pay := table("payments", {})
	got := judge(by_name, [pay, table("scratch", {})], {pay.arn: {tarn: ["read", "write"]}})
	testing.equal(got, {{
		"status": "pass", "resource": pay.arn, "region": "us-east-1",
		"message": sprintf("sensitive table payments: reads and writes are logged (reads by %s; writes by %s)", [tarn, tarn]),
		"evidence": {"read_trails": [tarn], "write_trails": [tarn]},
	}})
}

test_fail_names_the_missing_half_and_who_logs_the_other if {
	pay := table("payments", {})
	got := judge(by_name, [pay], {pay.arn: {tarn: ["write"]}})
	testing.equal(got, {{
		"status": "fail", "resource": pay.arn, "region": "us-east-1",
		"message": sprintf("sensitive table payments: read data events are not logged by any logging trail (only write are logged, by %s)", [tarn]),
		"evidence": {"missing": ["read"], "read_trails": [], "write_trails": [tarn]},
	}})
}

test_tags_match_case_insensitively_and_an_empty_list_accepts_any_value if {
	config := {"names": [], "tags": {"class": ["Restricted"], "pii": []}}
	tagged := [table("a", {"class": "restricted"}), table("b", {"pii": "anything"}), table("c", {"class": "public"})]
	got := judge(config, tagged, {})
	testing.equal({r.resource | some r in got}, {tagged[0].arn, tagged[1].arn})
}

test_error_when_unread_tags_could_decide if {
	got := judge({"names": [], "tags": {"class": ["restricted"]}}, [table("a", null)], {})
	testing.equal({r.status | some r in got}, {"error"})
	# A name that matches decides without the tags.
	testing.equal({r.status | some r in judge({"names": ["a"], "tags": {"class": ["x"]}}, [table("a", null)], {})}, {"fail"})
}

test_error_when_configured_but_not_listed if {
	r := sensitive_resources.results("sensitive_dynamodb_tables", type, "table", null) with input as {"account": {"account_id": "111111111111"}}
		with data.trailaudit.config as {"sensitive_dynamodb_tables": by_name}
	testing.equal(r, {{
		"status": "error", "resource": "AWS::::Account:111111111111", "region": null,
		"message": "the configuration names sensitive tables (sensitive_dynamodb_tables), but the snapshot holds no list of them: collect again with this configuration",
		"evidence": {"configuration": "sensitive_dynamodb_tables"},
	}})
}

test_nothing_configured_nothing_judged if {
	r := sensitive_resources.results("sensitive_dynamodb_tables", type, "table", null) with input as {"account": {"account_id": "111111111111"}}
		with data.trailaudit.config as {}
	testing.equal(r, set())
}
