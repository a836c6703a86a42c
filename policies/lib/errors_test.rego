package trailaudit.lib.errors_test

import data.trailaudit.lib.errors

recorded := {"errors": [
	{"service": "cloudtrail", "operation": "GetTrailStatus", "region": "eu-west-1", "resource": "arn:aws:cloudtrail:eu-west-1:111111111111:trail/a"},
	{"service": "config", "operation": "DescribeConfigurationRecorderStatus", "region": "us-east-1", "resource": null},
]}

test_failed_for_resource if {
	errors.failed("cloudtrail:GetTrailStatus", "arn:aws:cloudtrail:eu-west-1:111111111111:trail/a") with input as recorded
	not errors.failed("cloudtrail:GetTrailStatus", "arn:aws:cloudtrail:eu-west-1:111111111111:trail/b") with input as recorded
	not errors.failed("cloudtrail:ListTags", "arn:aws:cloudtrail:eu-west-1:111111111111:trail/a") with input as recorded
}

test_failed_in_region if {
	errors.failed_in_region("config:DescribeConfigurationRecorderStatus", "us-east-1") with input as recorded
	not errors.failed_in_region("config:DescribeConfigurationRecorderStatus", "eu-west-1") with input as recorded
	not errors.failed_in_region("cloudtrail:GetTrailStatus", "eu-west-1") with input as recorded
}

test_no_errors_recorded if {
	not errors.failed("cloudtrail:GetTrailStatus", "x") with input as {}
}
