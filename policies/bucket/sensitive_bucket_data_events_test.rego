package trailaudit.bucket.sensitive_bucket_data_events_test

import data.trailaudit.bucket.sensitive_bucket_data_events as rule
import data.trailaudit.lib.testing

config := {"sensitive_buckets": {"names": ["*-pii"], "tags": {"data-classification": ["sensitive", "confidential", "restricted"]}}}

tarn := "arn:aws:cloudtrail:us-east-1:111111111111:trail/main"

bucket(name, tags) := {"name": name, "arn": sprintf("arn:aws:s3:::%s", [name]), "region": "us-east-1", "tags": tags}

trail(selectors, overrides) := object.union(
	{
		"name": "main", "arn": tarn, "home_region": "us-east-1", "is_multi_region_trail": true,
		"is_organization_trail": false, "status": {"is_logging": true}, "event_selectors": selectors,
	},
	overrides,
)

basic(values, rw) := {"AdvancedEventSelectors": [], "EventSelectors": [{
	"ReadWriteType": rw, "IncludeManagementEvents": true,
	"DataResources": [{"Type": "AWS::S3::Object", "Values": values}],
}]}

advanced(fields) := {"EventSelectors": [], "AdvancedEventSelectors": [{"Name": "s3", "FieldSelectors": array.concat(
	[{"Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}],
	fields,
)}]}

# `captured` is input.derived.coverage.s3_buckets (bucket name → trail ARN →
# modes), as src/evaluate/derived/coverage.rs computes it from the trail's
# selectors (its tests `basic_selectors_cover_a_bucket_by_arn_prefix` and
# `advanced_selectors_cover_a_bucket_by_what_they_select` have each case below).
run(t, bs, captured) := r if {
	r := rule.results with input as {
		"metadata": {"partition": "aws"},
		"account": {"account_id": "111111111111", "trails": {tarn: t}, "buckets": {b.name: b | some b in bs}},
		"context": {"organization_trails": {}},
		"derived": {"coverage": {"s3_buckets": captured, "all_s3_buckets": {}, "dynamodb_tables": {}, "lambda_functions": {}}},
	}
		with data.trailaudit.config as config
}

# The facts of trail `tarn` capturing `modes` of each bucket named.
captures(names, modes) := {name: {tarn: modes} | some name in names}

rw := ["read", "write"]

status_of(results, name) := {r.status | some r in results; r.resource == sprintf("arn:aws:s3:::%s", [name])}

payroll := bucket("payroll", {"data-classification": "Confidential"})

test_pass_basic_selector_naming_the_bucket if {
	got := run(trail(basic(["arn:aws:s3:::payroll/"], "All"), {}), [payroll], captures(["payroll"], rw))
	testing.equal(got, {{
		"status": "pass", "resource": "arn:aws:s3:::payroll", "region": "us-east-1",
		"message": sprintf("sensitive bucket payroll: reads and writes are logged (reads by %s; writes by %s)", [tarn, tarn]),
		"evidence": {"read_trails": [tarn], "write_trails": [tarn]},
	}})
}

test_pass_basic_selector_all_buckets if {
	got := run(trail(basic(["arn:aws:s3"], "All"), {}), [payroll, bucket("x-pii", {})], captures(["payroll", "x-pii"], rw))
	testing.equal(status_of(got, "payroll") | status_of(got, "x-pii"), {"pass"})
}

test_fail_basic_selector_prefix_only_covers_part if {
	got := run(trail(basic(["arn:aws:s3:::payroll/2026/"], "All"), {}), [payroll], {})
	testing.equal(status_of(got, "payroll"), {"fail"})
}

test_fail_read_only_basic_says_write_missing if {
	got := run(trail(basic(["arn:aws:s3:::payroll/"], "ReadOnly"), {}), [payroll], captures(["payroll"], ["read"]))
	testing.equal(got, {{
		"status": "fail", "resource": "arn:aws:s3:::payroll", "region": "us-east-1",
		"message": sprintf("sensitive bucket payroll: write data events are not logged by any logging trail (only read are logged, by %s)", [tarn]),
		"evidence": {"missing": ["write"], "read_trails": [tarn], "write_trails": []},
	}})
}

test_pass_advanced_starts_with_bucket if {
	got := run(trail(advanced([{"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::payroll/"]}]), {}), [payroll], captures(["payroll"], rw))
	testing.equal(status_of(got, "payroll"), {"pass"})
}

test_fail_advanced_read_only_true_covers_reads_only if {
	got := run(trail(advanced([{"Field": "readOnly", "Equals": ["true"]}]), {}), [payroll], captures(["payroll"], ["read"]))
	some r in got
	r.evidence.missing == ["write"]
}

test_fail_advanced_not_starts_with_excludes_bucket if {
	sel := advanced([{"Field": "resources.ARN", "NotStartsWith": ["arn:aws:s3:::payroll/"]}])
	got := run(trail(sel, {}), [payroll, bucket("other-pii", {})], captures(["other-pii"], rw))
	testing.equal(status_of(got, "payroll"), {"fail"})
	testing.equal(status_of(got, "other-pii"), {"pass"})
}

test_fail_advanced_event_name_filter_drops_a_read if {
	sel := advanced([{"Field": "eventName", "NotEquals": ["GetObject"]}])
	got := run(trail(sel, {}), [payroll], captures(["payroll"], ["write"]))
	some r in got
	r.evidence.missing == ["read"]
}

test_fail_advanced_unknown_field_narrows if {
	sel := advanced([{"Field": "userIdentity.arn", "NotStartsWith": ["arn:aws:sts::111111111111:assumed-role/etl"]}])
	testing.equal(status_of(run(trail(sel, {}), [payroll], {}), "payroll"), {"fail"})
}

test_fail_trail_not_logging_counts_nowhere if {
	got := run(trail(basic(["arn:aws:s3"], "All"), {"status": {"is_logging": false}}), [payroll], captures(["payroll"], rw))
	testing.equal(status_of(got, "payroll"), {"fail"})
}

test_fail_single_region_trail_in_another_region if {
	t := trail(basic(["arn:aws:s3"], "All"), {"is_multi_region_trail": false, "home_region": "eu-west-1"})
	testing.equal(status_of(run(t, [payroll], captures(["payroll"], rw)), "payroll"), {"fail"})
}

test_pass_no_sensitive_bucket_no_result if {
	testing.equal(run(trail(basic([], "All"), {}), [bucket("public-assets", {"team": "web"})], {}), set())
}
