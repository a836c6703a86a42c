# S3 data-event coverage: does a trail capture reads (or writes) of *every*
# object of a bucket?
#
# Basic selectors: a DataResources value is an ARN prefix; it covers the whole
# bucket exactly when it is a prefix of "arn:<partition>:s3:::<bucket>/"
# (`arn:aws:s3` and `arn:aws:s3:::` cover all buckets; `arn:aws:s3:::b/logs/`
# covers part of b only).
#
# Advanced selectors: several selectors are OR-ed, the field selectors of one
# selector are AND-ed. Within one field selector we read the positive operators
# (Equals, StartsWith, EndsWith) as OR-ed inclusions and the negative ones
# (NotEquals, NotStartsWith, NotEndsWith) as exclusions that must all hold —
# the CloudTrail API reference describes each operator as "includes" or
# "excludes" events (AdvancedFieldSelector). A field we cannot reason about
# (e.g. userIdentity.arn) narrows the selector, so it does not prove coverage.
package trailaudit.lib.data_events

import data.trailaudit.lib.trails

# S3 object-level API operations CloudTrail records as data events.
names := {
	"read": {
		"GetObject", "GetObjectAcl", "GetObjectAttributes", "GetObjectLegalHold", "GetObjectRetention",
		"GetObjectTagging", "GetObjectTorrent", "HeadObject", "ListParts", "SelectObjectContent",
	},
	"write": {
		"AbortMultipartUpload", "CompleteMultipartUpload", "CopyObject", "CreateMultipartUpload", "DeleteObject",
		"DeleteObjects", "DeleteObjectTagging", "PutObject", "PutObjectAcl", "PutObjectLegalHold",
		"PutObjectRetention", "PutObjectTagging", "RestoreObject", "UploadPart", "UploadPartCopy",
	},
}

read_only_value := {"read": "true", "write": "false"}

bucket_prefix(bucket) := sprintf("arn:%s:s3:::%s/", [input.metadata.partition, bucket.name])

modes := ["read", "write"]

# coverage(bucket): for "read" and "write", the logging trails (ARNs, sorted)
# that record every such data event on objects of bucket: the trail covers the
# bucket's region and one of its selectors covers the bucket for that mode.
# Call it once per bucket: functions are not cached, and this is the only
# per-bucket work (what each trail logs is worked out once, in `logged`).
coverage(bucket) := {mode: sort({arn | some [arn, m] in captured; m == mode}) | some mode in modes} if {
	here := {arn: logs |
		some arn, logs in logged
		trails.covers_region(logs.trail, object.get(bucket, "region", logs.trail.home_region))
	}

	# [trail ARN, mode] pairs, from basic then advanced selectors (the prefix
	# is bound inside: without a partition nothing is captured).
	captured := {[arn, mode] |
		prefix := bucket_prefix(bucket)
		some arn, logs in here
		some mode, values in logs.basic
		some v in values
		startswith(prefix, v)
	} | {[arn, mode] |
		prefix := bucket_prefix(bucket)
		some arn, logs in here
		some a in logs.advanced
		every f in a.arn_fields {
			arn_admits(f, prefix)
		}
		some mode in a.modes
	}
}

# What each logging trail (recording this account) logs of S3 object data
# events, keyed by ARN:
#   basic     for each mode, the ARN prefixes its basic selectors log;
#   advanced  the advanced selectors that admit every S3 object data event of
#             some mode on every field but resources.ARN: those modes and
#             the selector's resources.ARN field selectors (see arn_field),
#             which decide per bucket.
# A rule, so it is worked out once per account, not once per bucket.
logged := {arn: {"trail": t, "basic": basic, "advanced": advanced} |
	some arn, t in trails.logging_recording
	sel := trails.selectors(t)
	basic := {mode: [v |
		some s in sel.EventSelectors
		trails.read_write_allows(s.ReadWriteType, mode)
		some d in s.DataResources
		d.Type == "AWS::S3::Object"
		some v in d.Values
	] |
		some mode in modes
	}
	advanced := [{"modes": admitted_modes, "arn_fields": [arn_field(f) | some f in a.FieldSelectors; f.Field == "resources.ARN"]} |
		some a in sel.AdvancedEventSelectors
		has(a, "eventCategory")
		has(a, "resources.type")
		admitted_modes := selector_modes(a)
		count(admitted_modes) > 0
	]
}

has(a, name) if {
	some f in a.FieldSelectors
	f.Field == name
}

# The modes for which an advanced selector admits every S3 object data event
# on every field but resources.ARN (field selectors are AND-ed).
selector_modes(a) := intersection({field_modes(f) | some f in a.FieldSelectors})

# The values every S3 object data event of a mode has in the fields we can
# reason about (an eventName field must let all the mode's operations
# through). resources.ARN is judged per bucket (arn_admits); any other field
# narrows the selector, so it admits no mode.
field_values := {
	"eventCategory": {"read": {"Data"}, "write": {"Data"}},
	"resources.type": {"read": {"AWS::S3::Object"}, "write": {"AWS::S3::Object"}},
	"eventSource": {"read": {"s3.amazonaws.com"}, "write": {"s3.amazonaws.com"}},
	"readOnly": {"read": {read_only_value.read}, "write": {read_only_value.write}},
	"eventName": names,
	"resources.ARN": {"read": set(), "write": set()},
}

# The modes whose values the field selector all lets through. One admitted()
# call per field selector, for the values of both modes at once.
field_modes(f) := {mode | some mode, values in by_mode; values - ok == set()} if {
	by_mode := field_values[f.Field]
	ok := admitted(f, by_mode.read | by_mode.write)
} else := set()

# The values (among the set `values`) that field selector f lets through:
# included by a positive operator (every value when it has none), excluded by
# no negative one. Worked out for a set of values at once with comprehensions,
# which are cheap, instead of one function call per value; each comprehension
# loops over the operator's list first, which is usually empty or short.
admitted(f, values) := included - excluded if {
	eq := object.get(f, "Equals", [])
	sw := object.get(f, "StartsWith", [])
	ew := object.get(f, "EndsWith", [])
	open := count(eq) + count(sw) + count(ew) == 0
	included := {v | open; some v in values} | (values & {x | some x in eq}) | {v |
		some p in sw
		some v in values
		startswith(v, p)
	} | {v |
		some x in ew
		some v in values
		endswith(v, x)
	}
	excluded := (values & {x | some x in object.get(f, "NotEquals", [])}) | {v |
		some p in object.get(f, "NotStartsWith", [])
		some v in values
		startswith(v, p)
	} | {v |
		some x in object.get(f, "NotEndsWith", [])
		some v in values
		endswith(v, x)
	}
}

# A resources.ARN field selector, reduced once per account to what judging a
# bucket needs:
#   includes         the ARN prefixes it includes: its StartsWith values, or
#                    "" (every ARN) when it has no positive operator;
#   not_starts_with  prefixes it excludes;
#   not_equals       ARNs it excludes;
#   not_ends_with    whether it excludes suffixes, which any bucket may have.
arn_field(f) := {
	"includes": arn_includes(f),
	"not_starts_with": object.get(f, "NotStartsWith", []),
	"not_equals": object.get(f, "NotEquals", []),
	"not_ends_with": count(object.get(f, "NotEndsWith", [])) > 0,
}

arn_includes(f) := object.get(f, "StartsWith", []) if {
	count(object.get(f, "Equals", [])) + count(object.get(f, "StartsWith", [])) + count(object.get(f, "EndsWith", [])) > 0
} else := [""]

# The field selector admits every object ARN of the bucket, "<prefix><any
# key>": a prefix of the bucket's is included, and no exclusion can match an
# object of the bucket (else the bucket is partly unlogged). One function with
# one body: called per bucket and advanced selector.
arn_admits(f, prefix) if {
	some v in f.includes
	startswith(prefix, v)
	not f.not_ends_with
	every v in f.not_starts_with {
		not startswith(prefix, v)
		not startswith(v, prefix)
	}
	every v in f.not_equals {
		not startswith(v, prefix)
	}
}

# --- other resource types: DynamoDB tables, Lambda functions ---------------
#
# coverage_of(type, resource): for "read" and "write", the logging trails
# (ARNs, sorted) that record every data event of `type` ("AWS::DynamoDB::Table"
# or "AWS::Lambda::Function") on the resource {arn, region}. Basic
# DataResources values are the resource's ARN or the whole service
# (`arn:aws:dynamodb`, `arn:aws:lambda`); advanced selectors are read as for S3
# objects, with resources.ARN judged against the one ARN.
coverage_of(type, resource) := {mode: sort({arn |
	some arn, logs in logged
	trails.covers_region(logs.trail, resource.region)
	captures_other(trails.selectors(logs.trail), type, resource.arn, mode)
}) |
	some mode in modes
}

other_sources := {"AWS::DynamoDB::Table": "dynamodb.amazonaws.com", "AWS::Lambda::Function": "lambda.amazonaws.com"}

captures_other(sel, type, arn, mode) if {
	some s in sel.EventSelectors
	trails.read_write_allows(s.ReadWriteType, mode)
	some d in s.DataResources
	d.Type == type
	some v in d.Values
	basic_value_covers(v, arn)
}

captures_other(sel, type, arn, mode) if {
	some a in sel.AdvancedEventSelectors
	has(a, "eventCategory")
	has(a, "resources.type")
	every f in a.FieldSelectors {
		other_field_admits(f, type, arn, mode)
	}
}

# `arn:aws:lambda` (or with a trailing colon) is every function of the
# partition; any other value names one resource.
basic_value_covers(v, arn) if v == arn

basic_value_covers(v, arn) if {
	service := trim_suffix(v, ":")
	count(split(service, ":")) == 3
	startswith(arn, sprintf("%s:", [service]))
}

other_field_admits(f, type, _, _) if {
	values := {"eventCategory": {"Data"}, "resources.type": {type}, "eventSource": {other_sources[type]}}[f.Field]
	admitted(f, values) == values
}

other_field_admits(f, _, _, mode) if {
	f.Field == "readOnly"
	v := {read_only_value[mode]}
	admitted(f, v) == v
}

other_field_admits(f, _, arn, _) if {
	f.Field == "resources.ARN"
	admitted(f, {arn}) == {arn}
}
