# METADATA
# title: At least one trail is logging in the account
# description: >-
#   Security Hub CloudTrail.3 (AWS Config rule cloudtrail-enabled) asks that at least
#   one CloudTrail trail be enabled, i.e. logging; an organization trail of the
#   management account counts for its members. The subject is the account, so an
#   account without any trail fails instead of having nothing to judge. Security Hub runs
#   the check in each region, where a single-region trail homed elsewhere does not count;
#   CT-009 judges every required region that way. Stricter rules beside it: CT-001 (a
#   multi-region trail with read and write management events), CT-008 (every trail
#   logging and delivering), CT-009 (every required region recorded).
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-3
#   - https://docs.aws.amazon.com/config/latest/developerguide/cloudtrail-enabled.html
# custom:
#   id: CT-023
#   severity: high
#   subject: account
#   requires: [cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus]
#   frameworks:
#     aws-securityhub: [CloudTrail.3]
#   remediation:
#     console: CloudTrail console → Trails → Create trail (or open a stopped trail → **Start logging**).
#     cli: |
#       aws cloudtrail create-trail --name <trail> --s3-bucket-name <bucket> --is-multi-region-trail
#       aws cloudtrail start-logging --name <trail>
package trailaudit.cloudtrail.trail_enabled

import data.trailaudit.lib.result
import data.trailaudit.lib.trails

logging := sort({arn | some arn, _ in trails.logging_recording})

stopped := sort({arn | some arn, _ in trails.recording; not trails.logging_recording[arn]})

results contains result.pass(
	result.account,
	sprintf("logging: %s", [concat(", ", logging)]),
	{"logging_trails": logging},
) if {
	count(logging) > 0
}

results contains result.fail(
	result.account,
	"no trail records this account",
	{"logging_trails": [], "stopped_trails": []},
) if {
	count(trails.recording) == 0
}

# `depends_on` names the trails: had a GetTrailStatus among them failed, the
# verdict is an error rather than "stopped".
results contains object.union(
	result.fail(
		result.account,
		sprintf("no trail is logging (stopped: %s)", [concat(", ", stopped)]),
		{"logging_trails": [], "stopped_trails": stopped},
	),
	{"depends_on": stopped},
) if {
	count(trails.recording) > 0
	count(logging) == 0
}
