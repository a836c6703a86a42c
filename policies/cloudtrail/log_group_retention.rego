# METADATA
# title: Trail's CloudWatch Logs group keeps events at least the minimum retention
# description: >-
#   The CloudWatch Logs group a trail delivers to is where metric filters, alarms and queries
#   find its events; a short retention there deletes them long before an investigation needs
#   them. Passes when the group's retention is at least `retention.cloudwatch_logs_min_days`
#   (default 365, the default of Security Hub CloudWatch.16) or "never expire". Judged for the
#   log groups of this account's trails; CloudWatch.16 asks the same of every log group.
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html#cloudwatch-16
#   - https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html#SettingLogRetention
# custom:
#   id: CT-017
#   severity: medium
#   subject: log-group
#   requires: [cloudtrail:DescribeTrails, logs:DescribeLogGroups]
#   frameworks:
#     aws-securityhub: [CloudWatch.16]
#   remediation:
#     console: >-
#       CloudWatch console → Log groups → the trail's log group → Actions → Edit retention setting:
#       choose at least the minimum (1 year by default) or Never expire.
#     cli: aws logs put-retention-policy --log-group-name <log-group> --retention-in-days 365
package trailaudit.cloudtrail.log_group_retention

import data.trailaudit.lib.result
import data.trailaudit.lib.trails

min_days := data.trailaudit.config.retention.cloudwatch_logs_min_days

# Log group ARN (no `:*`) -> names of this account's trails delivering to it.
groups[g] := sort(names) if {
	own := trails.own
	some g in {trim_suffix(t.cloud_watch_logs_log_group_arn, ":*") | some t in own; is_string(t.cloud_watch_logs_log_group_arn)}
	names := [t.name | some t in own; is_string(t.cloud_watch_logs_log_group_arn); trim_suffix(t.cloud_watch_logs_log_group_arn, ":*") == g]
}

# The region inside a log group ARN, for groups the snapshot does not hold.
arn_region(g) := split(g, ":")[3]

subject(g, lg) := {"resource": g, "region": lg.region}

evidence(g, names, lg) := {"trails": names, "log_group": lg.name, "retention_in_days": lg.retention_in_days, "min_days": min_days}

results contains result.pass(
	subject(g, lg),
	sprintf("log group %s (trail %s) never expires events", [lg.name, concat(", ", names)]),
	evidence(g, names, lg),
) if {
	some g, names in groups
	lg := input.account.log_groups[g]
	not object.get(lg, "not_found", false)
	object.get(lg, "retention_in_days", null) == null
}

results contains result.pass(
	subject(g, lg),
	sprintf("log group %s (trail %s) keeps events %d days (minimum %d)", [lg.name, concat(", ", names), lg.retention_in_days, min_days]),
	evidence(g, names, lg),
) if {
	some g, names in groups
	lg := input.account.log_groups[g]
	not object.get(lg, "not_found", false)
	is_number(lg.retention_in_days)
	lg.retention_in_days >= min_days
}

results contains result.fail(
	subject(g, lg),
	sprintf("log group %s (trail %s) keeps events only %d days (minimum %d)", [lg.name, concat(", ", names), lg.retention_in_days, min_days]),
	evidence(g, names, lg),
) if {
	some g, names in groups
	lg := input.account.log_groups[g]
	not object.get(lg, "not_found", false)
	is_number(lg.retention_in_days)
	lg.retention_in_days < min_days
}

results contains result.fail(
	subject(g, lg),
	sprintf("log group %s (trail %s) does not exist: the trail delivers its events nowhere", [lg.name, concat(", ", names)]),
	{"trails": names, "log_group": lg.name, "not_found": true},
) if {
	some g, names in groups
	lg := input.account.log_groups[g]
	object.get(lg, "not_found", false) == true
}

# A trail names a log group the snapshot does not describe (an ARN the
# collector could not read as a log group's): never a pass.
results contains result.error(
	{"resource": g, "region": arn_region(g)},
	sprintf("log group %s (trail %s) is not in the snapshot, so its retention is unknown", [g, concat(", ", names)]),
	{"trails": names},
) if {
	some g, names in groups
	not input.account.log_groups[g]
}
