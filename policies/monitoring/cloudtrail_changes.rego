# METADATA
# title: CloudTrail configuration changes raise an alarm that reaches a confirmed subscriber
# description: >-
#   Stopping, deleting or reconfiguring a trail is how an intruder blinds the audit log. The
#   filter must catch CreateTrail, UpdateTrail, DeleteTrail, StartLogging and StopLogging.
#   Judged along the CIS audit chain (policies/lib/monitoring.rego): qualifying trail, its
#   CloudWatch Logs group, a metric filter matching at least the CIS events, an alarm on its
#   metric with actions enabled, an SNS topic with a confirmed subscription.
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html#cloudwatch-5
#   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudwatch-alarms-for-cloudtrail.html
#   - https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
# custom:
#   id: MON-005
#   severity: medium
#   subject: account
#   requires: [cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus, cloudtrail:GetEventSelectors, logs:DescribeLogGroups, logs:DescribeMetricFilters, cloudwatch:DescribeAlarms, sns:ListSubscriptionsByTopic]
#   frameworks:
#     aws-securityhub: [CloudWatch.5]
#     cis-aws-v3.0: ["4.5"]
#     cis-aws-v4.0: ["4.5"]
#     cis-aws-v5.0: ["4.5"]
#     cis-aws-v6.0: ["5.5"]
#     cis-aws-v7.0: ["5.5"]
#   remediation:
#     console: >-
#       CloudWatch console → Log groups → the log group the multi-region trail delivers to → Metric filters →
#       Create metric filter: the pattern in the CLI steps, namespace `CISBenchmark`, metric `CloudTrailConfigChanges`, value 1.
#       Then select the filter → Create alarm: Sum ≥ 1 over 5 minutes, notify an SNS topic. SNS console → that
#       topic → Create subscription, and have the recipient confirm it (a pending subscription receives nothing).
#     cli: |
#       aws logs put-metric-filter --log-group-name <trail-log-group> --filter-name cis-4.5-CloudTrailConfigChanges --metric-transformations metricName=CloudTrailConfigChanges,metricNamespace=CISBenchmark,metricValue=1 --filter-pattern '{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }'
#       aws cloudwatch put-metric-alarm --alarm-name cis-4.5-CloudTrailConfigChanges --metric-name CloudTrailConfigChanges --namespace CISBenchmark --statistic Sum --period 300 --evaluation-periods 1 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --alarm-actions <sns-topic-arn>
#       aws sns subscribe --topic-arn <sns-topic-arn> --protocol email --notification-endpoint <address>
package trailaudit.monitoring.cloudtrail_changes

import data.trailaudit.lib.monitoring

results := monitoring.results("cloudtrail_changes")
