# METADATA
# title: Sensitive Lambda functions have their invocations logged as data events
# description: >-
#   Management events show who changed a function, not who invoked it. For Lambda functions that
#   handle sensitive data or privileged actions (named in `sensitive_lambda_functions` by glob on
#   the name or ARN, or by tag), a logging trail must capture Lambda data events (Invoke) for the
#   function, in its region. Judged like sensitive buckets: basic selectors
#   (`AWS::Lambda::Function` with the function's ARN or `arn:aws:lambda`) and advanced selectors
#   (eventCategory Data, resources.type AWS::Lambda::Function, readOnly, resources.ARN) must
#   select both read and write events, so a selector limited by readOnly does not pass. No
#   function is judged until the configuration names some.
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html
#   - https://docs.aws.amazon.com/lambda/latest/dg/logging-using-cloudtrail.html
# custom:
#   id: CT-019
#   severity: medium
#   subject: lambda-function
#   requires: [cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus, cloudtrail:GetEventSelectors, lambda:ListFunctions, lambda:ListTags]
#   remediation:
#     console: >-
#       CloudTrail console → Trails → a multi-region trail → Data events → Edit: add Lambda with
#       log selector template **Log all events** for the function (or all functions).
#     cli: |
#       aws cloudtrail put-advanced-event-selectors --trail-name <trail> --advanced-event-selectors '[{"Name":"Management","FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]}]},{"Name":"Lambda <function>","FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::Lambda::Function"]},{"Field":"resources.ARN","Equals":["<function-arn>"]}]}]'
package trailaudit.data_events.sensitive_function_data_events

import data.trailaudit.lib.sensitive_resources

results := sensitive_resources.results(
	"sensitive_lambda_functions", "AWS::Lambda::Function", "function",
	object.get(input.account, "lambda_functions", null),
)
