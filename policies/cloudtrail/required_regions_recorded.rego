# METADATA
# title: Every required region is recorded by a logging trail
# description: >-
#   Activity in a region no logging trail covers leaves only the 90-day event history
#   behind. Each region in `required_regions` (default: every region in the snapshot)
#   must be covered by a logging trail: a multi-region trail (seen there as a shadow
#   trail), a trail homed there, or the management account's organization trail.
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/how-cloudtrail-works.html#cloudtrail-concepts-regional-and-global-services
# custom:
#   id: CT-009
#   severity: high
#   subject: region
#   requires: [cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus]
#   frameworks:
#     cis-aws-v3.0: ["3.1"]
#     cis-aws-v4.0: ["3.1"]
#     cis-aws-v5.0: ["3.1"]
#   remediation:
#     console: CloudTrail console → Trails → edit a trail → **Apply trail to all regions**, and make sure it is logging.
#     cli: aws cloudtrail update-trail --name <trail> --is-multi-region-trail && aws cloudtrail start-logging --name <trail>
package trailaudit.cloudtrail.required_regions_recorded

import data.trailaudit.lib.result
import data.trailaudit.lib.trails

required := data.trailaudit.config.required_regions

# Logging trails that record `region` for this account.
recorders(region) := sort({arn |
	some arn, t in trails.logging_recording
	trails.covers_region(t, region)
})

results contains result.pass(result.region(region), sprintf("%s is recorded by %s", [region, concat(", ", recorders(region))]), {"trails": recorders(region)}) if {
	some region in required
	count(recorders(region)) > 0
}

# Trails that would record `region` if they were logging. A "not recorded"
# verdict rests on their status: `depends_on` makes it an error when a
# GetTrailStatus among them failed, instead of reading "unknown" as "stopped".
covering(region) := sort({arn |
	some arn, t in trails.recording
	trails.covers_region(t, region)
})

results contains object.union(
	result.fail(result.region(region), sprintf("no logging trail records %s", [region]), {"trails": [], "not_logging": covering(region)}),
	{"depends_on": covering(region)},
) if {
	some region in required
	count(recorders(region)) == 0
}
