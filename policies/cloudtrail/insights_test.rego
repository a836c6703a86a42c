package trailaudit.cloudtrail.insights_test

import data.trailaudit.cloudtrail.insights as rule
import data.trailaudit.lib.testing

tarn := "arn:aws:cloudtrail:us-east-1:111111111111:trail/main"

sarn := "arn:aws:cloudtrail:us-east-1:111111111111:eventdatastore/lake"

both := [{"InsightType": "ApiCallRateInsight"}, {"InsightType": "ApiErrorRateInsight"}]

trail(overrides) := object.union(
	{
		"name": "main", "arn": tarn, "home_region": "us-east-1", "is_multi_region_trail": true,
		"is_organization_trail": false, "status": {"is_logging": true}, "insight_selectors": both,
	},
	overrides,
)

run(trails, stores) := r if {
	r := rule.results with input as {
		"account": {
			"account_id": "111111111111",
			"trails": {t.arn: t | some t in trails},
			"regions": {"us-east-1": {"trail_arns": [], "event_data_stores": stores}},
		},
		"context": {"organization_trails": {}},
	}
}

subject := {"resource": "AWS::::Account:111111111111", "region": null}

test_pass_logging_multi_region_trail_with_both_insights if {
	testing.equal(run([trail({})], []), {object.union(subject, {
		"status": "pass",
		"message": sprintf("%s analyses ApiCallRateInsight and ApiErrorRateInsight", [tarn]),
		"evidence": {"trails": [tarn], "event_data_stores": [], "shortfalls": {}},
	})})
}

test_fail_error_rate_missing if {
	t := trail({"insight_selectors": [{"InsightType": "ApiCallRateInsight"}]})
	testing.equal(run([t], []), {object.union(subject, {
		"status": "fail",
		"message": sprintf("no logging multi-region trail or event data store analyses both ApiCallRateInsight and ApiErrorRateInsight (%s: no ApiErrorRateInsight)", [tarn]),
		"evidence": {"trails": [], "event_data_stores": [], "shortfalls": {tarn: ["no ApiErrorRateInsight"]}},
	})})
}

test_fail_stopped_single_region_trail_lists_every_gap if {
	t := trail({"status": {"is_logging": false}, "is_multi_region_trail": false, "insight_selectors": []})
	got := run([t], [])
	count(got) == 1
	some r in got
	r.status == "fail"
	testing.equal(r.evidence.shortfalls, {tarn: ["not logging", "single-region", "no ApiCallRateInsight or ApiErrorRateInsight"]})
}

test_fail_uncollected_insights_count_as_none if {
	# A failed GetInsightSelectors (null) turns this into an error on the Rust side; the rule never passes it.
	some r in run([trail({"insight_selectors": null})], [])
	r.status == "fail"
}

test_fail_no_trail_at_all if {
	testing.equal(run([], []), {object.union(subject, {
		"status": "fail",
		"message": "no logging multi-region trail or event data store analyses both ApiCallRateInsight and ApiErrorRateInsight",
		"evidence": {"trails": [], "event_data_stores": [], "shortfalls": {}},
	})})
}

test_pass_event_data_store_with_both_insights if {
	store := {"arn": sarn, "name": "lake", "status": "ENABLED", "multi_region_enabled": true, "insight_selectors": both}
	got := run([trail({"insight_selectors": []})], [store])
	testing.equal(got, {object.union(subject, {
		"status": "pass",
		"message": sprintf("%s analyses ApiCallRateInsight and ApiErrorRateInsight", [sarn]),
		"evidence": {"trails": [], "event_data_stores": [sarn], "shortfalls": {tarn: ["no ApiCallRateInsight or ApiErrorRateInsight"]}},
	})})
}

test_fail_stopped_event_data_store if {
	store := {"arn": sarn, "name": "lake", "status": "STOPPED_INGESTION", "multi_region_enabled": true, "insight_selectors": both}
	some r in run([], [store])
	r.status == "fail"
	testing.equal(r.evidence.shortfalls, {sarn: ["status STOPPED_INGESTION"]})
}

test_pass_organization_trail_of_the_management_account if {
	org := "arn:aws:cloudtrail:us-east-1:999999999999:trail/org"
	t := object.union(trail({}), {"arn": org, "name": "org", "is_organization_trail": true, "account_id": "999999999999"})
	got := rule.results with input as {
		"account": {"account_id": "111111111111", "organization": {"management_account_id": "999999999999"}, "trails": {}, "regions": {}},
		"context": {"organization_trails": {org: t}},
	}
	some r in got
	r.status == "pass"
	r.evidence.trails == [org]
}
