package trailaudit.lib.data_events_test

import data.trailaudit.lib.data_events
import data.trailaudit.lib.testing

tarn := "arn:aws:cloudtrail:us-east-1:111111111111:trail/data"

bucket := {"name": "b", "region": "us-east-1"}

trail(basic, advanced) := {
	"arn": tarn, "home_region": "us-east-1", "is_multi_region_trail": true, "is_organization_trail": false,
	"status": {"is_logging": true}, "event_selectors": {"EventSelectors": basic, "AdvancedEventSelectors": advanced},
}

objects(rw, values) := [{"ReadWriteType": rw, "IncludeManagementEvents": true, "DataResources": [{"Type": "AWS::S3::Object", "Values": values}]}]

# coverage(bucket) for an account whose one trail is `t`.
coverage_with(t, b) := c if {
	i := {
		"metadata": {"partition": "aws"},
		"account": {"account_id": "111111111111", "trails": {tarn: t}},
		"context": {"organization_trails": {}},
	}
	c := data_events.coverage(b) with input as i
}

both := {"read": [tarn], "write": [tarn]}

neither := {"read": [], "write": []}

test_basic_selectors_cover_by_arn_prefix if {
	testing.equal(coverage_with(trail(objects("All", ["arn:aws:s3"]), []), bucket), both)
	testing.equal(coverage_with(trail(objects("All", ["arn:aws:s3:::"]), []), bucket), both)
	testing.equal(coverage_with(trail(objects("ReadOnly", ["arn:aws:s3:::b/"]), []), bucket), {"read": [tarn], "write": []})
	testing.equal(coverage_with(trail(objects("WriteOnly", ["arn:aws:s3:::b"]), []), bucket), {"read": [], "write": [tarn]})
	# Part of the bucket, or another bucket, is not the bucket.
	testing.equal(coverage_with(trail(objects("All", ["arn:aws:s3:::b/logs/"]), []), bucket), neither)
	testing.equal(coverage_with(trail(objects("All", ["arn:aws:s3:::other/"]), []), bucket), neither)
}

test_a_trail_covers_only_while_logging_and_in_its_regions if {
	t := trail(objects("All", ["arn:aws:s3"]), [])
	testing.equal(coverage_with(object.union(t, {"status": {"is_logging": false}}), bucket), neither)
	single := object.union(t, {"is_multi_region_trail": false, "home_region": "eu-west-1"})
	testing.equal(coverage_with(single, bucket), neither)
	testing.equal(coverage_with(single, {"name": "b", "region": "eu-west-1"}), both)
}

advanced(extra) := [{"FieldSelectors": array.concat(
	[{"Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}],
	extra,
)}]

test_advanced_selectors if {
	testing.equal(coverage_with(trail([], advanced([])), bucket), both)
	testing.equal(coverage_with(trail([], advanced([{"Field": "readOnly", "Equals": ["true"]}])), bucket), {"read": [tarn], "write": []})
	testing.equal(coverage_with(trail([], advanced([{"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::b/"]}])), bucket), both)
	testing.equal(coverage_with(trail([], advanced([{"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::other/"]}])), bucket), neither)
	# A field the library cannot reason about narrows the selector: no proof of coverage.
	testing.equal(coverage_with(trail([], advanced([{"Field": "userIdentity.arn", "Equals": ["arn:aws:iam::111111111111:role/x"]}])), bucket), neither)
}
