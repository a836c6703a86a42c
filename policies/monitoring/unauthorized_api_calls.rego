# METADATA
# title: Unauthorized API calls raise an alarm that reaches a confirmed subscriber
# description: >-
#   Repeated AccessDenied and UnauthorizedOperation errors are how reconnaissance with stolen
#   credentials and broken automation show up. A metric filter must catch every failed call CIS
#   describes, except S3 HeadBucket probes and CloudWatch Logs delivery. The filter is judged
#   against the CIS v4.0.1/v5.0.0 meaning, `((errorCode =*UnauthorizedOperation) || (errorCode
#   =AccessDenied*)) && sourceIPAddress != delivery.logs.amazonaws.com && eventName !=
#   HeadBucket`; CIS v3.0.0 joins all four terms with `||`, a known erratum that would match
#   nearly every event. Judged along the CIS audit chain (policies/lib/monitoring.rego):
#   qualifying trail, its CloudWatch Logs group, a metric filter matching at least the CIS
#   events, an alarm on its metric with actions enabled, an SNS topic with a confirmed
#   subscription.
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html#cloudwatch-2
#   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudwatch-alarms-for-cloudtrail.html
#   - https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
# custom:
#   id: MON-001
#   severity: medium
#   subject: account
#   requires: [cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus, cloudtrail:GetEventSelectors, logs:DescribeLogGroups, logs:DescribeMetricFilters, cloudwatch:DescribeAlarms, sns:ListSubscriptionsByTopic]
#   frameworks:
#     aws-securityhub: [CloudWatch.2]
#     cis-aws-v3.0: ["4.1"]
#     cis-aws-v4.0: ["4.1"]
#     cis-aws-v5.0: ["4.1"]
#     cis-aws-v6.0: ["5.1"]
#     cis-aws-v7.0: ["5.1"]
#   remediation:
#     console: >-
#       CloudWatch console → Log groups → the log group the multi-region trail delivers to → Metric filters →
#       Create metric filter: the pattern in the CLI steps, namespace `CISBenchmark`, metric `UnauthorizedAPICalls`, value 1.
#       Then select the filter → Create alarm: Sum ≥ 1 over 5 minutes, notify an SNS topic. SNS console → that
#       topic → Create subscription, and have the recipient confirm it (a pending subscription receives nothing).
#     cli: |
#       aws logs put-metric-filter --log-group-name <trail-log-group> --filter-name cis-4.1-UnauthorizedAPICalls --metric-transformations metricName=UnauthorizedAPICalls,metricNamespace=CISBenchmark,metricValue=1 --filter-pattern '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }'
#       aws cloudwatch put-metric-alarm --alarm-name cis-4.1-UnauthorizedAPICalls --metric-name UnauthorizedAPICalls --namespace CISBenchmark --statistic Sum --period 300 --evaluation-periods 1 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --alarm-actions <sns-topic-arn>
#       aws sns subscribe --topic-arn <sns-topic-arn> --protocol email --notification-endpoint <address>
package trailaudit.monitoring.unauthorized_api_calls

import data.trailaudit.lib.monitoring

results := monitoring.results("unauthorized_api_calls")
