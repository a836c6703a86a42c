# METADATA
# title: VPC changes raise an alarm that reaches a confirmed subscriber
# description: >-
#   Creating, deleting or peering VPCs changes which networks can reach each other. The filter
#   must catch the eleven VPC, peering and ClassicLink operations CIS lists. Judged along the
#   CIS audit chain (policies/lib/monitoring.rego): qualifying trail, its CloudWatch Logs group,
#   a metric filter matching at least the CIS events, an alarm on its metric with actions
#   enabled, an SNS topic with a confirmed subscription.
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html#cloudwatch-14
#   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudwatch-alarms-for-cloudtrail.html
#   - https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
# custom:
#   id: MON-015
#   severity: low
#   subject: account
#   requires: [cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus, cloudtrail:GetEventSelectors, logs:DescribeLogGroups, logs:DescribeMetricFilters, cloudwatch:DescribeAlarms, sns:ListSubscriptionsByTopic]
#   frameworks:
#     aws-securityhub: [CloudWatch.14]
#     cis-aws-v3.0: ["4.14"]
#     cis-aws-v4.0: ["4.14"]
#     cis-aws-v5.0: ["4.14"]
#     cis-aws-v6.0: ["5.14"]
#     cis-aws-v7.0: ["5.14"]
#   remediation:
#     console: >-
#       CloudWatch console → Log groups → the log group the multi-region trail delivers to → Metric filters →
#       Create metric filter: the pattern in the CLI steps, namespace `CISBenchmark`, metric `VPCChanges`, value 1.
#       Then select the filter → Create alarm: Sum ≥ 1 over 5 minutes, notify an SNS topic. SNS console → that
#       topic → Create subscription, and have the recipient confirm it (a pending subscription receives nothing).
#     cli: |
#       aws logs put-metric-filter --log-group-name <trail-log-group> --filter-name cis-4.14-VPCChanges --metric-transformations metricName=VPCChanges,metricNamespace=CISBenchmark,metricValue=1 --filter-pattern '{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }'
#       aws cloudwatch put-metric-alarm --alarm-name cis-4.14-VPCChanges --metric-name VPCChanges --namespace CISBenchmark --statistic Sum --period 300 --evaluation-periods 1 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --alarm-actions <sns-topic-arn>
#       aws sns subscribe --topic-arn <sns-topic-arn> --protocol email --notification-endpoint <address>
package trailaudit.monitoring.vpc_changes

import data.trailaudit.lib.monitoring

results := monitoring.results("vpc_changes")
