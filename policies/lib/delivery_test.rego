package trailaudit.lib.delivery_test

import data.trailaudit.lib.delivery
import data.trailaudit.lib.testing

at(ts) := {"metadata": {"collected_at": ts}}

test_hours_before_collection if {
	got := delivery.hours_before_collection("2026-11-19T21:00:00Z") with input as at("2026-11-20T09:00:00Z")
	testing.equal(got, 12)
}

test_hours_after_collection_are_negative if {
	got := delivery.hours_before_collection("2026-11-20T09:30:00Z") with input as at("2026-11-20T09:00:00Z")
	testing.equal(got, -0.5)
}

test_rounded_to_one_decimal if {
	testing.equal(delivery.rounded(17.649), 17.6)
	testing.equal(delivery.rounded(24), 24)
}

test_tolerance_from_config if {
	got := delivery.tolerance("s3_max_age_hours") with data.trailaudit.config as {"delivery": {"s3_max_age_hours": 2}}
	testing.equal(got, 2)
}

test_tolerance_defaults_without_config if {
	digest := delivery.tolerance("digest_max_age_hours") with data.trailaudit.config as {}
	logs := delivery.tolerance("cloudwatch_logs_max_age_hours") with data.trailaudit.config as {}
	testing.equal([digest, logs], [24, 6])
}

test_stale_only_beyond_tolerance if {
	cfg := {"delivery": {"s3_max_age_hours": 24}}
	delivery.stale("2026-11-19T08:59:59Z", "s3_max_age_hours") with input as at("2026-11-20T09:00:00Z") with data.trailaudit.config as cfg
	not delivery.stale("2026-11-19T09:00:00Z", "s3_max_age_hours") with input as at("2026-11-20T09:00:00Z") with data.trailaudit.config as cfg
}

test_age_for_messages_is_rounded_and_never_negative if {
	at_nine := at("2026-11-20T09:00:00Z")
	past := delivery.age("2026-11-20T07:15:00Z") with input as at_nine
	later := delivery.age("2026-11-20T09:20:00Z") with input as at_nine
	testing.equal([past, later], [1.8, 0])
}
