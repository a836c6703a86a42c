package trailaudit.cloudtrail.log_file_validation_test

import data.trailaudit.cloudtrail.log_file_validation as rule
import data.trailaudit.lib.testing

trail(account, name, validation) := {
	"name": name, "arn": sprintf("arn:aws:cloudtrail:eu-west-1:%s:trail/%s", [account, name]),
	"home_region": "eu-west-1", "log_file_validation_enabled": validation,
}

run(ts) := r if {
	r := rule.results with input as {"account": {"account_id": "111111111111", "trails": {t.arn: t | some t in ts}}}
}

test_pass_validation_on if {
	t := trail("111111111111", "main", true)
	testing.equal(run([t]), {{"status": "pass", "resource": t.arn, "region": "eu-west-1", "message": "trail main writes signed digest files", "evidence": {"log_file_validation_enabled": true}}})
}

test_fail_validation_off if {
	t := trail("111111111111", "main", false)
	testing.equal(run([t]), {{"status": "fail", "resource": t.arn, "region": "eu-west-1", "message": "trail main does not validate log files: deleted or altered logs would go unnoticed", "evidence": {"log_file_validation_enabled": false}}})
}

test_pass_organization_trail_of_another_account_is_judged_by_its_owner if {
	testing.equal(run([trail("222222222222", "org", false)]), set())
}
