# This rule's row of the monitoring table (`cases` and `expected` in
# policies/lib/monitoring_testdata.rego): every case of the CIS chain, each
# giving exactly one expected result.
package trailaudit.monitoring.nacl_changes_test

import data.trailaudit.lib.monitoring_testdata as td
import data.trailaudit.monitoring.nacl_changes as rule

key := "nacl_changes"

# How the rule's messages name what it watches.
what := "network ACL changes"

test_pass_cases if td.cases_hold(key, what, "pass", {c: rs | some c in td.cases.pass; rs := rule.results with input as td.case_input(c, key)})

test_fail_cases if td.cases_hold(key, what, "fail", {c: rs | some c in td.cases.fail; rs := rule.results with input as td.case_input(c, key)})

test_error_cases if td.cases_hold(key, what, "error", {c: rs | some c in td.cases.error; rs := rule.results with input as td.case_input(c, key)})
