package trailaudit.bucket.all_buckets_write_data_events_test

import data.trailaudit.bucket.all_buckets_write_data_events as rule
import data.trailaudit.lib.testing

tarn := "arn:aws:cloudtrail:us-east-1:111111111111:trail/main"

subject := {"resource": "AWS::::Account:111111111111", "region": null}

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

# No bucket at all in the account: the verdict is about the account.
# `captured` is input.derived.coverage.all_s3_buckets (trail ARN → modes), as
# src/evaluate/derived/coverage.rs computes it from the trails' selectors (its
# test `all_buckets_needs_a_selector_of_every_bucket` has each case below).
run(ts, captured) := r if {
	r := rule.results with input as {
		"metadata": {"partition": "aws"},
		"account": {"account_id": "111111111111", "trails": {t.arn: t | some t in ts}, "buckets": {}},
		"context": {"organization_trails": {}},
		"derived": {"coverage": {"s3_buckets": {}, "all_s3_buckets": captured}},
	}
}

both := {tarn: ["read", "write"]}

reads := {tarn: ["read"]}

writes := {tarn: ["write"]}

pass_by(arns) := {object.union(subject, {
	"status": "pass",
	"message": sprintf("S3 object-level write events of all current and future buckets are logged by %s", [concat(", ", arns)]),
	"evidence": {"trails": arns},
})}

fail_because(reasons) := {object.union(subject, {
	"status": "fail",
	"message": sprintf("no logging multi-region trail logs the S3 object-level write events of all buckets (%s: %s)", [tarn, concat(", ", reasons)]),
	"evidence": {"trails": [], "shortfalls": {tarn: reasons}},
})}

not_selected := ["does not select the write data events of all S3 buckets"]

test_pass_basic_all_buckets_short_form if {
	testing.equal(run([trail(basic(["arn:aws:s3"], "All"), {})], both), pass_by([tarn]))
}

test_pass_basic_all_buckets_long_form_write_only if {
	testing.equal(run([trail(basic(["arn:aws:s3:::"], "WriteOnly"), {})], writes), pass_by([tarn]))
}

test_fail_basic_all_buckets_read_only if {
	testing.equal(run([trail(basic(["arn:aws:s3"], "ReadOnly"), {})], reads), fail_because(not_selected))
}

test_fail_basic_one_bucket_is_not_all_buckets if {
	testing.equal(run([trail(basic(["arn:aws:s3:::payroll/"], "All"), {})], {}), fail_because(not_selected))
}

test_pass_advanced_no_arn_field if {
	testing.equal(run([trail(advanced([]), {})], both), pass_by([tarn]))
}

test_pass_advanced_read_only_false if {
	testing.equal(run([trail(advanced([{"Field": "readOnly", "Equals": ["false"]}]), {})], writes), pass_by([tarn]))
}

test_fail_advanced_read_only_true if {
	testing.equal(run([trail(advanced([{"Field": "readOnly", "Equals": ["true"]}]), {})], reads), fail_because(not_selected))
}

test_pass_advanced_arn_starts_with_every_bucket if {
	testing.equal(run([trail(advanced([{"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::"]}]), {})], both), pass_by([tarn]))
}

test_fail_advanced_arn_starts_with_one_bucket if {
	sel := advanced([{"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::payroll/"]}])
	testing.equal(run([trail(sel, {})], {}), fail_because(not_selected))
}

test_fail_advanced_arn_excludes_a_bucket if {
	sel := advanced([{"Field": "resources.ARN", "NotStartsWith": ["arn:aws:s3:::scratch/"]}])
	testing.equal(run([trail(sel, {})], {}), fail_because(not_selected))
}

test_fail_advanced_other_field_narrows if {
	sel := advanced([{"Field": "userIdentity.arn", "NotStartsWith": ["arn:aws:sts::111111111111:assumed-role/etl"]}])
	testing.equal(run([trail(sel, {})], {}), fail_because(not_selected))
}

test_fail_advanced_resource_type_other_than_s3_object if {
	sel := {"EventSelectors": [], "AdvancedEventSelectors": [{"Name": "ddb", "FieldSelectors": [
		{"Field": "eventCategory", "Equals": ["Data"]},
		{"Field": "resources.type", "Equals": ["AWS::DynamoDB::Table"]},
	]}]}
	testing.equal(run([trail(sel, {})], {}), fail_because(not_selected))
}

test_fail_not_logging_and_single_region if {
	t := trail(basic(["arn:aws:s3"], "All"), {"status": {"is_logging": false}, "is_multi_region_trail": false})
	testing.equal(run([t], both), fail_because(["not logging", "single-region"]))
}

test_fail_no_trail if {
	testing.equal(run([], {}), {object.union(subject, {
		"status": "fail",
		"message": "no trail records this account, so no S3 object-level write event is logged",
		"evidence": {"trails": []},
	})})
}

test_pass_organization_trail_of_the_management_account if {
	org := "arn:aws:cloudtrail:us-east-1:999999999999:trail/org"
	t := trail(basic(["arn:aws:s3"], "All"), {"arn": org, "is_organization_trail": true})
	testing.equal(run([t], {org: ["read", "write"]}), pass_by([org]))
}

test_pass_names_every_qualifying_trail_sorted if {
	second := "arn:aws:cloudtrail:us-east-1:111111111111:trail/a-second"
	ts := [trail(advanced([]), {}), trail(basic(["arn:aws:s3"], "All"), {"arn": second, "name": "a-second"})]
	testing.equal(run(ts, {tarn: ["read", "write"], second: ["read", "write"]}), pass_by([second, tarn]))
}

test_pass_partition_of_the_snapshot if {
	t := trail(basic(["arn:aws-us-gov:s3"], "All"), {})
	got := rule.results with input as {
		"metadata": {"partition": "aws-us-gov"},
		"account": {"account_id": "111111111111", "trails": {tarn: t}, "buckets": {}},
		"context": {"organization_trails": {}},
		"derived": {"coverage": {"s3_buckets": {}, "all_s3_buckets": both}},
	}
	testing.equal({r.status | some r in got}, {"pass"})
}

test_fail_all_buckets_value_of_another_partition if {
	t := trail(basic(["arn:aws:s3"], "All"), {})
	got := rule.results with input as {
		"metadata": {"partition": "aws-cn"},
		"account": {"account_id": "111111111111", "trails": {tarn: t}, "buckets": {}},
		"context": {"organization_trails": {}},
		"derived": {"coverage": {"s3_buckets": {}, "all_s3_buckets": {}}},
	}
	testing.equal({r.status | some r in got}, {"fail"})
}

test_fail_advanced_event_name_drops_one_write_operation if {
	one := {"write": "DeleteObject", "read": "GetObject"}["write"]
	sel := advanced([{"Field": "eventName", "NotEquals": [one]}])
	testing.equal(run([trail(sel, {})], reads), fail_because(not_selected))
}

test_pass_advanced_event_name_dropping_only_read_operations if {
	one := {"write": "GetObject", "read": "DeleteObject"}["write"]
	sel := advanced([{"Field": "eventName", "NotEquals": [one]}])
	testing.equal(run([trail(sel, {})], writes), pass_by([tarn]))
}

test_pass_one_all_bucket_selector_among_narrower_ones if {
	sel := {"EventSelectors": [], "AdvancedEventSelectors": [
		{"Name": "one bucket", "FieldSelectors": [
			{"Field": "eventCategory", "Equals": ["Data"]},
			{"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
			{"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::payroll/"]},
		]},
		{"Name": "all buckets", "FieldSelectors": [
			{"Field": "eventCategory", "Equals": ["Data"]},
			{"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
		]},
	]}
	testing.equal(run([trail(sel, {})], both), pass_by([tarn]))
}
