# METADATA
# title: Every required region is recorded by a logging trail
# description: >-
#   Activity in a region no logging trail covers leaves only the 90-day event history
#   behind. Each region in `required_regions` (default: every region in the snapshot)
#   must be covered by a logging trail: a multi-region trail (seen there as a shadow
#   trail), a trail homed there, or the management account's organization trail.
#   CIS 3.1 (4.1 in v6.0.0/v7.0.0) asks for one multi-region trail with read and write
#   management events, judged by CT-001; this per-region rule serves no control.
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/how-cloudtrail-works.html#cloudtrail-concepts-regional-and-global-services
# custom:
#   id: CT-009
#   severity: high
#   subject: region
#   requires: [cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus]
#   remediation:
#     console: CloudTrail console → Trails → edit a trail → **Apply trail to all regions**, and make sure it is logging.
#     cli: aws cloudtrail update-trail --name <trail> --is-multi-region-trail && aws cloudtrail start-logging --name <trail>
package trailaudit.cloudtrail.required_regions_recorded

import data.trailaudit.lib.result
import data.trailaudit.lib.trails

required := data.trailaudit.config.required_regions

# Per required region: the logging trails that record it for this account
# ("recording"), and every trail that would if it were logging ("covering"),
# as sorted ARNs. A trail covers a region when it is multi-region or homed
# there (trails.covers_region), so regions no single-region trail is homed in
# share one entry. Computed once per account: functions are not cached, and
# each list is read several times per result.
by_region := {region: object.get(homed, region, anywhere) |
	homed := {home: trail_lists(multi_region_trails | arns) | some home, arns in single_region_trails}
	anywhere := trail_lists(multi_region_trails)
	some region in required
}

trail_lists(arns) := {"covering": covering, "recording": [arn | some arn in covering; logging[arn]]} if {
	covering := sort(arns)
	logging := trails.logging_recording
}

# The trails recording this account that are multi-region, and the others by
# home region.
multi_region_trails := {arn | some arn, t in trails.recording; t.is_multi_region_trail}

single_region_trails := {region: {arn |
	some arn, t in trails.recording
	not t.is_multi_region_trail
	t.home_region == region
} |
	some region in {h.home_region | some h in trails.recording; not h.is_multi_region_trail}
}

results contains result.pass(result.region(region), sprintf("%s is recorded by %s", [region, concat(", ", r.recording)]), {"trails": r.recording}) if {
	some region, r in by_region
	count(r.recording) > 0
}

# A "not recorded" verdict rests on the status of the covering trails:
# `depends_on` makes it an error when a GetTrailStatus among them failed,
# instead of reading "unknown" as "stopped".
results contains object.union(
	result.fail(result.region(region), sprintf("no logging trail records %s", [region]), {"trails": [], "not_logging": r.covering}),
	{"depends_on": r.covering},
) if {
	some region, r in by_region
	count(r.recording) == 0
}
