# METADATA
# title: AWS Organizations changes raise an alarm that reaches a confirmed subscriber
# description: >-
#   Organization changes (accounts joining or leaving, policies and organizational units edited)
#   can lift service control policies from every account at once. The filter must catch the 18
#   organizations.amazonaws.com operations CIS lists. The events are recorded in the management
#   account, so this matters most there. Judged along the CIS audit chain
#   (policies/lib/monitoring.rego): qualifying trail, its CloudWatch Logs group, a metric filter
#   matching at least the CIS events, an alarm on its metric with actions enabled, an SNS topic
#   with a confirmed subscription.
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudwatch-alarms-for-cloudtrail.html
#   - https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
# custom:
#   id: MON-016
#   severity: low
#   subject: account
#   requires: [cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus, cloudtrail:GetEventSelectors, logs:DescribeLogGroups, logs:DescribeMetricFilters, cloudwatch:DescribeAlarms, sns:ListSubscriptionsByTopic]
#   frameworks:
#     cis-aws-v3.0: ["4.15"]
#     cis-aws-v4.0: ["4.15"]
#     cis-aws-v5.0: ["4.15"]
#     cis-aws-v6.0: ["5.15"]
#     cis-aws-v7.0: ["5.15"]
#   remediation:
#     console: >-
#       CloudWatch console → Log groups → the log group the multi-region trail delivers to → Metric filters →
#       Create metric filter: the pattern in the CLI steps, namespace `CISBenchmark`, metric `OrganizationsChanges`, value 1.
#       Then select the filter → Create alarm: Sum ≥ 1 over 5 minutes, notify an SNS topic. SNS console → that
#       topic → Create subscription, and have the recipient confirm it (a pending subscription receives nothing).
#     cli: |
#       aws logs put-metric-filter --log-group-name <trail-log-group> --filter-name cis-4.15-OrganizationsChanges --metric-transformations metricName=OrganizationsChanges,metricNamespace=CISBenchmark,metricValue=1 --filter-pattern '{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = AcceptHandshake) || ($.eventName = AttachPolicy) || ($.eventName = CreateAccount) || ($.eventName = CreateOrganizationalUnit) || ($.eventName = CreatePolicy) || ($.eventName = DeclineHandshake) || ($.eventName = DeleteOrganization) || ($.eventName = DeleteOrganizationalUnit) || ($.eventName = DeletePolicy) || ($.eventName = DetachPolicy) || ($.eventName = DisablePolicyType) || ($.eventName = EnablePolicyType) || ($.eventName = InviteAccountToOrganization) || ($.eventName = LeaveOrganization) || ($.eventName = MoveAccount) || ($.eventName = RemoveAccountFromOrganization) || ($.eventName = UpdatePolicy) || ($.eventName = UpdateOrganizationalUnit)) }'
#       aws cloudwatch put-metric-alarm --alarm-name cis-4.15-OrganizationsChanges --metric-name OrganizationsChanges --namespace CISBenchmark --statistic Sum --period 300 --evaluation-periods 1 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --alarm-actions <sns-topic-arn>
#       aws sns subscribe --topic-arn <sns-topic-arn> --protocol email --notification-endpoint <address>
package trailaudit.monitoring.organizations_changes

import data.trailaudit.lib.monitoring

results := monitoring.results("organizations_changes")
