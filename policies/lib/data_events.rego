# Data-event coverage: does a logging trail capture reads (or writes) of
# *every* object of a bucket, or every data event of a DynamoDB table or
# Lambda function?
#
# What each trail's selectors capture is a fact computed in Rust
# (`input.derived.coverage`, src/evaluate/derived/coverage.rs, documented in
# docs/writing-rules.md "Selector coverage"): per resource, the trails whose
# basic or advanced event selectors capture every read or write data event of
# it. Which of those trails count (logging, recording this account, covering
# the resource's region) is decided here.
package trailaudit.lib.data_events

modes := ["read", "write"]

# Functions here name other packages by their full path (see lib/events.rego:
# an imported name inside a function body was seen resolving to nothing under
# `with input as`).

# coverage(bucket): for "read" and "write", the logging trails (ARNs, sorted)
# that record every such data event on objects of bucket: the trail records
# this account, covers the bucket's region, and its selectors capture the
# bucket for that mode. Call it once per bucket: functions are not cached.
coverage(bucket) := _counted(captured, bucket) if {
	facts := input.derived.coverage.s3_buckets
	captured := object.get(facts, bucket.name, {})
}

# For each mode, the logging trails among `captured` (trail ARN → modes)
# that cover the region of `resource` (a bucket without `region` is judged
# in each trail's home region).
_counted(captured, resource) := {mode: sort([arn |
	some arn, m in captured
	mode in m
	t := logging[arn]
	data.trailaudit.lib.trails.covers_region(t, object.get(resource, "region", t.home_region))
]) |
	logging := data.trailaudit.lib.trails.logging_recording
	some mode in modes
}

# coverage_of(type, resource): the same for a resource {arn, region} of
# `type` ("AWS::DynamoDB::Table" or "AWS::Lambda::Function").
coverage_of(type, resource) := _counted(captured, resource) if {
	facts := input.derived.coverage[_facts_key[type]]
	captured := object.get(facts, resource.arn, {})
}

_facts_key := {"AWS::DynamoDB::Table": "dynamodb_tables", "AWS::Lambda::Function": "lambda_functions"}
