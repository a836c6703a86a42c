# METADATA
# title: Sensitive DynamoDB tables have item-level read and write events logged
# description: >-
#   Management events show who changed a table's settings, not who read or wrote its items. For
#   DynamoDB tables holding sensitive data (named in `sensitive_dynamodb_tables` by glob on the
#   name or ARN, or by tag), a logging trail must capture DynamoDB data events (GetItem, Query,
#   PutItem, DeleteItem, ...) for both reads and writes of the table, in its region. Basic
#   selectors (`AWS::DynamoDB::Table` with the table's ARN or `arn:aws:dynamodb`) and advanced
#   selectors (eventCategory Data, resources.type AWS::DynamoDB::Table, readOnly, resources.ARN)
#   are judged by what they select; a field such as eventName narrows a selector, so it proves
#   nothing. No table is judged until the configuration names some.
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html
#   - https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/logging-using-cloudtrail.html
# custom:
#   id: CT-018
#   severity: high
#   subject: dynamodb-table
#   requires: [cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus, cloudtrail:GetEventSelectors, dynamodb:ListTables, dynamodb:ListTagsOfResource]
#   remediation:
#     console: >-
#       CloudTrail console → Trails → a multi-region trail → Data events → Edit: add DynamoDB with
#       log selector template **Log all events** for the table (or all tables).
#     cli: |
#       aws cloudtrail put-advanced-event-selectors --trail-name <trail> --advanced-event-selectors '[{"Name":"Management","FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]}]},{"Name":"DynamoDB <table>","FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::DynamoDB::Table"]},{"Field":"resources.ARN","Equals":["<table-arn>"]}]}]'
package trailaudit.data_events.sensitive_table_data_events

import data.trailaudit.lib.sensitive_resources

results := sensitive_resources.results(
	"sensitive_dynamodb_tables", "AWS::DynamoDB::Table", "table",
	object.get(input.account, "dynamodb_tables", null),
)
