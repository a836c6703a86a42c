package trailaudit.lib.data_events_test

import data.trailaudit.lib.data_events
import data.trailaudit.lib.testing

# What the selectors capture is computed in Rust (src/evaluate/derived/coverage.rs,
# tested there); the library decides which of the capturing trails count.

tarn := "arn:aws:cloudtrail:us-east-1:111111111111:trail/data"

other := "arn:aws:cloudtrail:us-east-1:111111111111:trail/a-other"

bucket := {"name": "b", "region": "us-east-1"}

trail(arn, overrides) := object.union(
	{
		"arn": arn, "home_region": "us-east-1", "is_multi_region_trail": true, "is_organization_trail": false,
		"status": {"is_logging": true}, "event_selectors": {"EventSelectors": [], "AdvancedEventSelectors": []},
	},
	overrides,
)

# The input of an account whose trails are `ts` and whose coverage facts are `coverage`.
account_input(ts, coverage) := {
	"metadata": {"partition": "aws"},
	"account": {"account_id": "111111111111", "trails": {t.arn: t | some t in ts}},
	"context": {"organization_trails": {}},
	"derived": {"coverage": object.union({"s3_buckets": {}, "all_s3_buckets": {}, "dynamodb_tables": {}, "lambda_functions": {}}, coverage)},
}

coverage_with(ts, captured, b) := c if {
	c := data_events.coverage(b) with input as account_input(ts, {"s3_buckets": {"b": captured}})
}

rw := ["read", "write"]

neither := {"read": [], "write": []}

test_capturing_trails_count_per_mode if {
	testing.equal(coverage_with([trail(tarn, {})], {tarn: rw}, bucket), {"read": [tarn], "write": [tarn]})
	testing.equal(coverage_with([trail(tarn, {})], {tarn: ["read"]}, bucket), {"read": [tarn], "write": []})
	testing.equal(coverage_with([trail(tarn, {})], {}, bucket), neither)
	# A bucket the facts do not name is captured by nothing.
	testing.equal(coverage_with([trail(tarn, {})], {tarn: rw}, {"name": "c", "region": "us-east-1"}), neither)
}

test_trails_are_listed_sorted if {
	ts := [trail(tarn, {}), trail(other, {})]
	testing.equal(coverage_with(ts, {tarn: rw, other: ["write"]}, bucket), {"read": [tarn], "write": [other, tarn]})
}

test_a_trail_counts_only_while_logging_and_in_its_regions if {
	testing.equal(coverage_with([trail(tarn, {"status": {"is_logging": false}})], {tarn: rw}, bucket), neither)
	testing.equal(coverage_with([trail(tarn, {"status": null})], {tarn: rw}, bucket), neither)
	single := trail(tarn, {"is_multi_region_trail": false, "home_region": "eu-west-1"})
	testing.equal(coverage_with([single], {tarn: rw}, bucket), neither)
	testing.equal(coverage_with([single], {tarn: rw}, {"name": "b", "region": "eu-west-1"}), {"read": [tarn], "write": [tarn]})
	# A bucket of unknown region (null) is covered only by multi-region trails;
	# one without a region field is judged in the trail's home region.
	testing.equal(coverage_with([single], {tarn: rw}, {"name": "b", "region": null}), neither)
	testing.equal(coverage_with([trail(tarn, {})], {tarn: rw}, {"name": "b", "region": null}), {"read": [tarn], "write": [tarn]})
	testing.equal(coverage_with([single], {tarn: rw}, {"name": "b"}), {"read": [tarn], "write": [tarn]})
}

test_a_trail_that_does_not_record_the_account_does_not_count if {
	# An organization trail of another organization's account, seen in context only.
	foreign := "arn:aws:cloudtrail:us-east-1:222222222222:trail/org"
	testing.equal(coverage_with([trail(tarn, {})], {foreign: rw}, bucket), neither)
}

test_coverage_of_tables_and_functions if {
	table := {"arn": "arn:aws:dynamodb:us-east-1:111111111111:table/t", "region": "us-east-1"}
	fn := {"arn": "arn:aws:lambda:eu-west-1:111111111111:function:f", "region": "eu-west-1"}
	facts := {"dynamodb_tables": {table.arn: {tarn: ["read"]}}, "lambda_functions": {fn.arn: {tarn: rw}}}
	single := trail(tarn, {"is_multi_region_trail": false})
	got_table := data_events.coverage_of("AWS::DynamoDB::Table", table) with input as account_input([single], facts)
	testing.equal(got_table, {"read": [tarn], "write": []})
	got_fn := data_events.coverage_of("AWS::Lambda::Function", fn) with input as account_input([single], facts)
	testing.equal(got_fn, neither)
	got_multi := data_events.coverage_of("AWS::Lambda::Function", fn) with input as account_input([trail(tarn, {})], facts)
	testing.equal(got_multi, {"read": [tarn], "write": [tarn]})
}
