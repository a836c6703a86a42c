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

# captures(t, bucket, mode): trail t records every `mode` ("read"/"write") data
# event on objects of bucket: it is logging, covers the bucket's region, and a
# selector covers the bucket for that mode.
captures(t, bucket, mode) if {
	trails.logging(t)
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
	some a in trails.selectors(t).AdvancedEventSelectors
	advanced_covers(a, bucket, mode)
}

advanced_covers(a, bucket, mode) if {
	has(a, "eventCategory")
	has(a, "resources.type")
	every f in a.FieldSelectors {
		field_admits_all(f, bucket, mode)
	}
}

has(a, name) if {
	some f in a.FieldSelectors
	f.Field == name
}

# Fields with a single known value for S3 object data events.
field_admits_all(f, _, _) if {
	f.Field == "eventCategory"
	admits(f, "Data")
}

field_admits_all(f, _, _) if {
	f.Field == "resources.type"
	admits(f, "AWS::S3::Object")
}

field_admits_all(f, _, _) if {
	f.Field == "eventSource"
	admits(f, "s3.amazonaws.com")
}

field_admits_all(f, _, mode) if {
	f.Field == "readOnly"
	admits(f, read_only_value[mode])
}

field_admits_all(f, _, mode) if {
	f.Field == "eventName"
	every name in names[mode] {
		admits(f, name)
	}
}

# Every object ARN of the bucket: "<prefix><any key>".
field_admits_all(f, bucket, _) if {
	f.Field == "resources.ARN"
	prefix := bucket_prefix(bucket)
	positive_admits_bucket(f, prefix)
	not negative_touches_bucket(f, prefix)
}

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
capturing(bucket, mode) := {t.arn |
	some t in trails.recording
	captures(t, bucket, mode)
}
