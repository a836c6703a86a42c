# Account-wide S3 object-level logging: which trails record the read (or
# write) data events of *all* current and future S3 buckets, as CIS 3.8/3.9
# (4.8/4.9 in v6.0.0/v7.0.0) and Security Hub S3.22/S3.23 ask. The subject is
# the account, not a bucket: an account with no bucket gets a verdict too.
#
# A trail qualifies for a mode ("read" or "write") when it is logging,
# multi-region, records this account, and its selectors capture every S3
# object data event of that mode in every bucket. That last fact is computed
# in Rust (`input.derived.coverage.all_s3_buckets`, trail ARN → modes;
# src/evaluate/derived/coverage.rs, docs/writing-rules.md "Selector coverage"):
#   basic     a DataResources entry of type AWS::S3::Object whose value is
#             `arn:<partition>:s3` or `arn:<partition>:s3:::` (CloudTrail's two
#             spellings of "all buckets"), with a ReadWriteType that includes
#             the mode;
#   advanced  eventCategory = Data and resources.type = AWS::S3::Object, any
#             readOnly, eventName and eventSource field letting every event
#             of the mode through, no other field, and every resources.ARN
#             field selector letting every bucket through: no exclusion, and
#             an inclusion only of a prefix of `arn:<partition>:s3:::`.
package trailaudit.lib.all_buckets

import data.trailaudit.lib.data_events
import data.trailaudit.lib.trails

# Per mode, the qualifying trails (ARNs, sorted). A rule: worked out once per
# account.
trails_for := {mode: sort([arn |
	some arn, t in trails.logging_recording
	t.is_multi_region_trail
	_captures(arn, mode)
]) |
	some mode in data_events.modes
}

_captures(arn, mode) if {
	facts := input.derived.coverage.all_s3_buckets
	mode in facts[arn]
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
		not _passes(arn, t, mode, check)
	]
} |
	some mode in data_events.modes
}

_qualifies(arn, mode) if arn in trails_for[mode]

_passes(_, t, _, "logging") if trails.logging(t)

_passes(_, t, _, "multi_region") if t.is_multi_region_trail

_passes(arn, _, mode, "captures") if _captures(arn, mode)
