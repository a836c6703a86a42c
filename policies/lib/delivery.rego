# Delivery freshness: how long before collection CloudTrail last delivered
# something, and the tolerances it is judged by. CloudTrail is not real time
# (log files every ~5 minutes, digests hourly), so every age is compared with a
# configurable tolerance, and measured against `input.metadata.collected_at`,
# never the wall clock, so a recorded snapshot gives the same answer tomorrow.
package trailaudit.lib.delivery

_ns_per_hour := ((60 * 60) * 1000) * 1000000

# Defaults as in `trailaudit.yaml` (`delivery:`); the Rust side fills them in,
# these cover a policy evaluated without configuration (e.g. `opa eval`).
_default_tolerances := {"s3_max_age_hours": 24, "cloudwatch_logs_max_age_hours": 6, "digest_max_age_hours": 24}

# The tolerance in hours for `name` (a key of `delivery:`).
tolerance(name) := t if {
	t := data.trailaudit.config.delivery[name]
} else := _default_tolerances[name]

# Hours between an RFC 3339 time and collection (negative if after it).
hours_before_collection(ts) := (time.parse_rfc3339_ns(input.metadata.collected_at) - time.parse_rfc3339_ns(ts)) / _ns_per_hour

# An age in hours for a message: one decimal.
rounded(hours) := round(hours * 10) / 10

# The age of ts for a message: hours before collection, one decimal; a time a
# little after `collected_at` (the collector stamps it when it starts) is 0.
age(ts) := rounded(max([0, hours_before_collection(ts)]))

# ts lies more than `name`'s tolerance before collection.
stale(ts, name) if hours_before_collection(ts) > tolerance(name)
