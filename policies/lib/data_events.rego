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

# captures(t, bucket, mode): logging trail t records every `mode` ("read"/"write")
# data event on objects of bucket: it covers the bucket's region and a selector
# covers the bucket for that mode.
captures(t, bucket, mode) if {
	trails.covers_region(t, object.get(bucket, "region", t.home_region))
	selector_covers(t, bucket, mode)
}

selector_covers(t, bucket, mode) if {
	some s in trails.selectors(t).EventSelectors
	trails.read_write_allows(s.ReadWriteType, mode)
	some d in s.DataResources
	d.Type == "AWS::S3::Object"
	some v in d.Values
	startswith(bucket_prefix(bucket), v)
}

selector_covers(t, bucket, mode) if {
	some i, a in trails.selectors(t).AdvancedEventSelectors
	mode in advanced_modes[[t.arn, i]]
	arn_admits_bucket(a, bucket)
}

# The modes each advanced selector of each logging trail admits on every field
# but resources.ARN. A rule, so it is worked out once per account, not once per
# bucket: the event-name checks are the expensive part.
advanced_modes[[arn, i]] := {mode |
	some mode in ["read", "write"]
	every f in a.FieldSelectors {
		field_admits_all(f, mode)
	}
} if {
	some arn, t in trails.logging_recording
	some i, a in trails.selectors(t).AdvancedEventSelectors
	has(a, "eventCategory")
	has(a, "resources.type")
}

arn_admits_bucket(a, bucket) if {
	prefix := bucket_prefix(bucket)
	every f in a.FieldSelectors {
		arn_field_admits(f, prefix)
	}
}

arn_field_admits(f, _) if f.Field != "resources.ARN"

# Every object ARN of the bucket: "<prefix><any key>".
arn_field_admits(f, prefix) if {
	f.Field == "resources.ARN"
	positive_admits_bucket(f, prefix)
	not negative_touches_bucket(f, prefix)
}

has(a, name) if {
	some f in a.FieldSelectors
	f.Field == name
}

# Fields with a single known value for S3 object data events.
field_admits_all(f, _) if {
	f.Field == "eventCategory"
	admits(f, "Data")
}

field_admits_all(f, _) if {
	f.Field == "resources.type"
	admits(f, "AWS::S3::Object")
}

field_admits_all(f, _) if {
	f.Field == "eventSource"
	admits(f, "s3.amazonaws.com")
}

field_admits_all(f, mode) if {
	f.Field == "readOnly"
	admits(f, read_only_value[mode])
}

field_admits_all(f, mode) if {
	f.Field == "eventName"
	every name in names[mode] {
		admits(f, name)
	}
}

# Judged per bucket (arn_admits_bucket).
field_admits_all(f, _) if f.Field == "resources.ARN"

positive_ops := ["Equals", "StartsWith", "EndsWith"]

has_positive(f) if {
	some op in positive_ops
	count(object.get(f, op, [])) > 0
}

positive_admits_bucket(f, _) if not has_positive(f)

positive_admits_bucket(f, prefix) if {
	some v in object.get(f, "StartsWith", [])
	startswith(prefix, v)
}

# Any exclusion that can match an object of the bucket leaves it partly unlogged.
negative_touches_bucket(f, prefix) if {
	some v in object.get(f, "NotStartsWith", [])
	prefix_overlap(prefix, v)
}

negative_touches_bucket(f, prefix) if {
	some v in object.get(f, "NotEquals", [])
	startswith(v, prefix)
}

negative_touches_bucket(f, _) if count(object.get(f, "NotEndsWith", [])) > 0

prefix_overlap(prefix, v) if startswith(prefix, v)

prefix_overlap(prefix, v) if startswith(v, prefix)

# admits(f, value): the field selector lets events with this field value through.
admits(f, value) if {
	not has_positive(f)
	not excluded(f, value)
}

admits(f, value) if {
	included(f, value)
	not excluded(f, value)
}

included(f, value) if value in object.get(f, "Equals", [])

included(f, value) if {
	some p in object.get(f, "StartsWith", [])
	startswith(value, p)
}

included(f, value) if {
	some s in object.get(f, "EndsWith", [])
	endswith(value, s)
}

excluded(f, value) if value in object.get(f, "NotEquals", [])

excluded(f, value) if {
	some p in object.get(f, "NotStartsWith", [])
	startswith(value, p)
}

excluded(f, value) if {
	some s in object.get(f, "NotEndsWith", [])
	endswith(value, s)
}

# Trails (recording this account) that capture `mode` events of the bucket.
capturing(bucket, mode) := {arn |
	some arn, t in trails.logging_recording
	captures(t, bucket, mode)
}
