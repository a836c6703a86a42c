package trailaudit.monitoring.security_group_changes_test

import data.trailaudit.lib.monitoring_testdata as td
import data.trailaudit.monitoring.security_group_changes as rule

key := "security_group_changes"

test_pass_complete_chain if td.verdict(rule.results, "pass", ["security group changes monitored: trail main → log group cloudtrail-logs → metric filter cis-SecurityGroupChanges → alarm cis-SecurityGroupChanges → SNS topic arn:aws:sns:us-east-1:111111111111:security-alerts"]) with input as td.passing(key)

test_pass_filter_of_another_name_covers if td.verdict(rule.results, "pass", ["security group changes monitored", "metric filter team-alerts → alarm cis-SecurityGroupChanges"]) with input as td.covered_by_other_filter(key)

test_pass_organization_member_judged_in_management_account if td.verdict(rule.results, "pass", ["security group changes monitored", "SNS topic arn:aws:sns:us-east-1:444444444444:security-alerts", "judged in management account 444444444444"]) with input as td.organization_member(key)

test_error_organization_member_without_management_account if td.verdict(rule.results, "error", ["organization trail main is in management account 444444444444, which this snapshot does not hold"]) with input as td.organization_member_without_management(key)

test_fail_no_trail if td.verdict(rule.results, "fail", ["security group changes not monitored: no logging multi-region trail", "no trail records this account"]) with input as td.no_trail(key)

test_fail_trail_without_cloudwatch_logs if td.verdict(rule.results, "fail", ["security group changes not monitored", "trail main: no CloudWatch Logs group"]) with input as td.trail_without_cloudwatch_logs(key)

test_fail_filter_misses_event if td.verdict(rule.results, "fail", ["security group changes not monitored: log group cloudtrail-logs (trail main) has no metric filter catching every event", "closest filter cis-SecurityGroupChanges misses 1 event(s): eventName=RevokeSecurityGroupEgress"]) with input as td.filter_misses_event(key)

test_fail_alarm_on_other_namespace if td.verdict(rule.results, "fail", ["no alarm in us-east-1 watches metric CISBenchmark/SecurityGroupChanges of filter cis-SecurityGroupChanges", "alarm cis-SecurityGroupChanges watches LogMetrics/SecurityGroupChanges"]) with input as td.alarm_on_other_namespace(key)

test_fail_alarm_on_other_metric if td.verdict(rule.results, "fail", ["no alarm in us-east-1 watches metric CISBenchmark/SecurityGroupChanges of filter cis-SecurityGroupChanges"]) with input as td.alarm_on_other_metric(key)

test_fail_pending_subscription_only if td.verdict(rule.results, "fail", ["alarm cis-SecurityGroupChanges notifies no SNS topic with a confirmed subscription", "only subscriptions pending confirmation"]) with input as td.pending_subscription_only(key)
