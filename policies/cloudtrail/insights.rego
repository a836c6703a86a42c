# METADATA
# title: Account has CloudTrail Insights for API call rate and API error rate
# description: >-
#   CloudTrail Insights learns the usual rate of write management API calls and of API errors,
#   and records an Insights event when either departs from it: a burst of resource creation,
#   of IAM changes or of AccessDenied errors is often the first trace of stolen credentials
#   or a runaway script. Passes when a logging multi-region trail recording this account (an
#   organization trail of its management account counts) or an enabled multi-region CloudTrail
#   Lake event data store of the account analyses both ApiCallRateInsight and
#   ApiErrorRateInsight. Insights are billed per event analysed.
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-insights-events-with-cloudtrail.html
#   - https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutInsightSelectors.html
# custom:
#   id: CT-014
#   severity: low
#   subject: account
#   requires: [cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus, cloudtrail:GetInsightSelectors, cloudtrail:ListEventDataStores, cloudtrail:GetEventDataStore]
#   remediation:
#     console: >-
#       CloudTrail console → Trails → a logging multi-region trail → Insights events → Edit:
#       select **API call rate** and **API error rate**.
#     cli: |
#       aws cloudtrail put-insight-selectors --trail-name <trail> --insight-selectors '[{"InsightType":"ApiCallRateInsight"},{"InsightType":"ApiErrorRateInsight"}]'
package trailaudit.cloudtrail.insights

import data.trailaudit.lib.result
import data.trailaudit.lib.trails

required := ["ApiCallRateInsight", "ApiErrorRateInsight"]

# The insight types a record analyses; none when insights are off or were not
# collected (a failed GetInsightSelectors turns the result into an error).
types(selectors) := {s.InsightType | some s in selectors} if is_array(selectors)

else := set()

missing(selectors) := [t | some t in required; not t in types(selectors)]

# Why a trail recording this account does not count, by trail ARN; [] = it counts.
# Comprehensions rather than partial rules: regorus's VM evaluates them alike.
trail_gaps := {arn: trail_gap_list(t) | some arn, t in trails.recording}

trail_gap_list(t) := array.concat(
	array.concat(["not logging" | not trails.logging(t)], ["single-region" | not t.is_multi_region_trail]),
	[sprintf("no %s", [concat(" or ", m)]) | m := missing(trails.full(t).insight_selectors); count(m) > 0],
)

# Why an event data store of this account does not count, by ARN; [] = it counts.
store_gaps := {s.arn: store_gap_list(s) |
	some _, inventory in input.account.regions
	some s in object.get(inventory, "event_data_stores", [])
}

store_gap_list(s) := array.concat(
	array.concat(
		[sprintf("status %s", [object.get(s, "status", "unknown")]) | object.get(s, "status", null) != "ENABLED"],
		["single-region" | object.get(s, "multi_region_enabled", null) != true],
	),
	[sprintf("no %s", [concat(" or ", m)]) | m := missing(object.get(s, "insight_selectors", null)); count(m) > 0],
)

counting_trails := sort([arn | some arn, gaps in trail_gaps; count(gaps) == 0])

counting_stores := sort([arn | some arn, gaps in store_gaps; count(gaps) == 0])

evidence := {
	"trails": counting_trails,
	"event_data_stores": counting_stores,
	"shortfalls": {arn: gaps | some arn, gaps in object.union(trail_gaps, store_gaps); count(gaps) > 0},
}

results contains result.pass(
	result.account,
	sprintf("%s analyses ApiCallRateInsight and ApiErrorRateInsight", [concat(", ", array.concat(counting_trails, counting_stores))]),
	evidence,
) if {
	count(counting_trails) + count(counting_stores) > 0
}

results contains result.fail(
	result.account,
	sprintf("no logging multi-region trail or event data store analyses both ApiCallRateInsight and ApiErrorRateInsight%s", [detail(evidence.shortfalls)]),
	evidence,
) if {
	count(counting_trails) + count(counting_stores) == 0
}

# " (trail: gap, gap; store: gap)", or "" when nothing records this account.
detail(shortfalls) := sprintf(" (%s)", [concat("; ", [sprintf("%s: %s", [arn, concat(", ", gaps)]) | some arn, gaps in shortfalls])]) if {
	count(shortfalls) > 0
} else := ""
