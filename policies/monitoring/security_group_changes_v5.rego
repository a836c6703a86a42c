# METADATA
# title: Security group changes, including ModifySecurityGroupRules, raise an alarm that reaches a confirmed subscriber (CIS v5.0)
# description: >-
#   Security groups are the instance firewall; an opened port is often the first step of an
#   exposure. CIS v5.0.0 adds ModifySecurityGroupRules, the API that edits existing rules in
#   place, to the six operations of earlier versions: a filter written for v3.0/v4.0 misses it.
#   Judged along the CIS audit chain (policies/lib/monitoring.rego): qualifying trail, its
#   CloudWatch Logs group, a metric filter matching at least the CIS events, an alarm on its
#   metric with actions enabled, an SNS topic with a confirmed subscription.
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudwatch-alarms-for-cloudtrail.html
#   - https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
# custom:
#   id: MON-011
#   severity: low
#   subject: account
#   requires: [cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus, cloudtrail:GetEventSelectors, logs:DescribeLogGroups, logs:DescribeMetricFilters, cloudwatch:DescribeAlarms, sns:ListSubscriptionsByTopic]
#   frameworks:
#     cis-aws-v5.0: ["4.10"]
#     cis-aws-v6.0: ["5.10"]
#     cis-aws-v7.0: ["5.10"]
#   remediation:
#     console: >-
#       CloudWatch console → Log groups → the log group the multi-region trail delivers to → Metric filters →
#       Create metric filter: the pattern in the CLI steps, namespace `CISBenchmark`, metric `SecurityGroupChanges`, value 1.
#       Then select the filter → Create alarm: Sum ≥ 1 over 5 minutes, notify an SNS topic. SNS console → that
#       topic → Create subscription, and have the recipient confirm it (a pending subscription receives nothing).
#     cli: |
#       aws logs put-metric-filter --log-group-name <trail-log-group> --filter-name cis-4.10-SecurityGroupChanges --metric-transformations metricName=SecurityGroupChanges,metricNamespace=CISBenchmark,metricValue=1 --filter-pattern '{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) || ($.eventName = ModifySecurityGroupRules) }'
#       aws cloudwatch put-metric-alarm --alarm-name cis-4.10-SecurityGroupChanges --metric-name SecurityGroupChanges --namespace CISBenchmark --statistic Sum --period 300 --evaluation-periods 1 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --alarm-actions <sns-topic-arn>
#       aws sns subscribe --topic-arn <sns-topic-arn> --protocol email --notification-endpoint <address>
package trailaudit.monitoring.security_group_changes_v5

import data.trailaudit.lib.monitoring

results := monitoring.results("security_group_changes_v5")
