package trailaudit.lib.all_buckets_test

import data.trailaudit.lib.all_buckets
import data.trailaudit.lib.testing

# Whether a trail's selectors capture every bucket is computed in Rust
# (`input.derived.coverage.all_s3_buckets`, src/evaluate/derived/coverage.rs
# test `all_buckets_needs_a_selector_of_every_bucket`); the library decides
# which capturing trails qualify and says why the others do not.

tarn := "arn:aws:cloudtrail:us-east-1:111111111111:trail/main"

second := "arn:aws:cloudtrail:us-east-1:111111111111:trail/a-second"

trail(arn, overrides) := object.union(
	{
		"arn": arn, "home_region": "us-east-1", "is_multi_region_trail": true, "is_organization_trail": false,
		"status": {"is_logging": true}, "event_selectors": {"EventSelectors": [], "AdvancedEventSelectors": []},
	},
	overrides,
)

account_input(ts, captured) := {
	"metadata": {"partition": "aws"},
	"account": {"account_id": "111111111111", "trails": {t.arn: t | some t in ts}, "buckets": {}},
	"context": {"organization_trails": {}},
	"derived": {"coverage": {"s3_buckets": {}, "all_s3_buckets": captured, "dynamodb_tables": {}, "lambda_functions": {}}},
}

test_trails_for_lists_logging_multi_region_capturing_trails_sorted if {
	ts := [trail(tarn, {}), trail(second, {})]
	got := all_buckets.trails_for with input as account_input(ts, {tarn: ["read", "write"], second: ["write"]})
	testing.equal(got, {"read": [tarn], "write": [second, tarn]})
}

test_trails_for_leaves_out_stopped_and_single_region_trails if {
	ts := [trail(tarn, {"status": {"is_logging": false}}), trail(second, {"is_multi_region_trail": false})]
	got := all_buckets.trails_for with input as account_input(ts, {tarn: ["read", "write"], second: ["read", "write"]})
	testing.equal(got, {"read": [], "write": []})
}

test_shortfalls_say_why_each_recording_trail_does_not_qualify if {
	ts := [trail(tarn, {"status": {"is_logging": false}, "is_multi_region_trail": false}), trail(second, {})]
	got := all_buckets.shortfalls with input as account_input(ts, {second: ["read"]})
	testing.equal(got, {
		"read": {tarn: ["not logging", "single-region", "does not select the read data events of all S3 buckets"]},
		"write": {
			tarn: ["not logging", "single-region", "does not select the write data events of all S3 buckets"],
			second: ["does not select the write data events of all S3 buckets"],
		},
	})
}

test_no_trail_no_shortfall if {
	got := all_buckets.shortfalls with input as account_input([], {})
	testing.equal(got, {"read": {}, "write": {}})
	trails_for := all_buckets.trails_for with input as account_input([], {})
	testing.equal(trails_for, {"read": [], "write": []})
}
