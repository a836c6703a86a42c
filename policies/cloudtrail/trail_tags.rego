# METADATA
# title: Trail is tagged, with every required tag key
# description: >-
#   Tags say who owns a trail and what it is for, and tag-based access policies and
#   cost reports depend on them; an untagged trail is easy to delete or repoint by
#   mistake. A trail this account owns fails with no tags at all, or without every key
#   listed in `required_trail_tags` (default: none, so any tag passes). Keys are matched
#   exactly (AWS tag keys are case-sensitive).
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-9
#   - https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AddTags.html
# custom:
#   id: CT-010
#   severity: low
#   subject: trail
#   requires: [cloudtrail:DescribeTrails, cloudtrail:ListTags]
#   frameworks:
#     aws-securityhub: [CloudTrail.9]
#   remediation:
#     console: CloudTrail console → Trails → the trail → **Tags** → Edit → add the required keys (for example `owner`) with values.
#     cli: aws cloudtrail add-tags --resource-id <trail-arn> --tags-list Key=<key>,Value=<value>
package trailaudit.cloudtrail.trail_tags

import data.trailaudit.lib.errors
import data.trailaudit.lib.result
import data.trailaudit.lib.trails

required := {k | some k in object.get(data.trailaudit.config, "required_trail_tags", [])}

missing(t) := sort({k | some k in required; not t.tags[k]})

evidence(t) := {"tag_keys": sort(object.keys(t.tags)), "required_keys": sort(required)}

results contains result.error(result.trail(t), sprintf("trail %s: tags were not collected (ListTags), so required tags cannot be checked", [t.name]), {"tags": null}) if {
	some t in trails.own
	t.tags == null
	not errors.failed("cloudtrail:ListTags", t.arn)
}

results contains result.fail(result.trail(t), sprintf("trail %s has no tags", [t.name]), evidence(t)) if {
	some t in trails.own
	is_object(t.tags)
	count(t.tags) == 0
}

results contains result.fail(result.trail(t), sprintf("trail %s lacks required tag keys: %s", [t.name, concat(", ", missing(t))]), object.union(evidence(t), {"missing_keys": missing(t)})) if {
	some t in trails.own
	is_object(t.tags)
	count(t.tags) > 0
	count(missing(t)) > 0
}

results contains result.pass(result.trail(t), sprintf("trail %s is tagged (%s)", [t.name, concat(", ", sort(object.keys(t.tags)))]), evidence(t)) if {
	some t in trails.own
	is_object(t.tags)
	count(t.tags) > 0
	count(missing(t)) == 0
}
