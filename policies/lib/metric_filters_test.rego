package trailaudit.lib.metric_filters_test

import data.trailaudit.lib.metric_filters
import data.trailaudit.lib.testing

# The keys are a contract with the monitoring rules (docs: contract file).
test_pass_keys_are_the_contract if {
	testing.equal(object.keys(metric_filters.required_patterns), {
		"unauthorized_api_calls", "console_signin_without_mfa", "root_usage",
		"iam_policy_changes", "cloudtrail_changes", "console_auth_failures",
		"cmk_disable_or_deletion", "s3_bucket_policy_changes", "config_changes",
		"security_group_changes", "security_group_changes_v5", "nacl_changes",
		"network_gateway_changes", "route_table_changes", "vpc_changes",
		"organizations_changes",
	})
}

# Every pattern is a JSON filter pattern in braces (Rust checks the rest).
test_pass_patterns_are_json_patterns if {
	every key, pattern in metric_filters.required_patterns {
		startswith(pattern, "{ (")
		endswith(pattern, ") }")
	}
}

test_fail_no_unknown_key if {
	not metric_filters.required_patterns.unauthorised_api_calls
}
