# Account-wide S3 object-level logging: which trails record the read (or
# write) data events of *all* current and future S3 buckets, as CIS 3.8/3.9
# (4.8/4.9 in v6.0.0/v7.0.0) and Security Hub S3.22/S3.23 ask. The subject is
# the account, not a bucket: an account with no bucket gets a verdict too.
#
# A trail qualifies for a mode ("read" or "write") when it is logging,
# multi-region, records this account, and one of its selectors captures every
# S3 object data event of that mode in every bucket:
#   basic     a DataResources entry of type AWS::S3::Object whose value is
#             `arn:<partition>:s3` or `arn:<partition>:s3:::` (CloudTrail's two
#             spellings of "all buckets"), with a ReadWriteType that includes
#             the mode;
#   advanced  eventCategory = Data and resources.type = AWS::S3::Object
#             (data_events.selector_modes judges those, readOnly, eventName and
#             eventSource, and refuses any other field), and every
#             resources.ARN field selector lets every bucket through: no
#             exclusion, and an inclusion only of a prefix of
#             `arn:<partition>:s3:::`.
package trailaudit.lib.all_buckets

import data.trailaudit.lib.data_events
import data.trailaudit.lib.trails

# The ARN prefix of every object of every bucket.
_all_prefix := sprintf("arn:%s:s3:::", [input.metadata.partition])

# Per mode, the qualifying trails (ARNs, sorted). A rule: worked out once per
# account.
trails_for := {mode: sort({arn |
	some arn, t in trails.logging_recording
	t.is_multi_region_trail
	_captures(t, mode)
}) |
	some mode in data_events.modes
}

_captures(t, mode) if {
	some s in trails.selectors(t).EventSelectors
	trails.read_write_allows(s.ReadWriteType, mode)
	some d in s.DataResources
	d.Type == "AWS::S3::Object"
	some v in d.Values
	v in {sprintf("arn:%s:s3", [input.metadata.partition]), _all_prefix}
}

_captures(t, mode) if {
	some a in trails.selectors(t).AdvancedEventSelectors
	data_events.has(a, "eventCategory")
	data_events.has(a, "resources.type")
	mode in data_events.selector_modes(a)
	every f in a.FieldSelectors {
		_admits_every_bucket(f)
	}
}

# A field selector that is not on resources.ARN is judged by selector_modes;
# one on resources.ARN must exclude nothing and include every bucket.
_admits_every_bucket(f) if f.Field != "resources.ARN"

_admits_every_bucket(f) if {
	f.Field == "resources.ARN"
	a := data_events.arn_field(f)
	count(a.not_starts_with) + count(a.not_equals) == 0
	not a.not_ends_with
	some v in a.includes
	startswith(_all_prefix, v)
}

# Per mode, why each trail recording this account does not qualify, for the
# message of a failure (keyed by trail ARN). A rule, worked out once.
shortfalls := {mode: {arn: reasons |
	some arn, t in trails.recording
	not _qualifies(arn, mode)
	reasons := [r |
		some [check, r] in [
			["logging", "not logging"],
			["multi_region", "single-region"],
			["captures", sprintf("does not select the %s data events of all S3 buckets", [mode])],
		]
		not _passes(t, mode, check)
	]
} |
	some mode in data_events.modes
}

_qualifies(arn, mode) if arn in trails_for[mode]

_passes(t, _, "logging") if trails.logging(t)

_passes(t, _, "multi_region") if t.is_multi_region_trail

_passes(t, mode, "captures") if _captures(t, mode)
