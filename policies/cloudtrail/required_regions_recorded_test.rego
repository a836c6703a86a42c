package trailaudit.cloudtrail.required_regions_recorded_test

import data.trailaudit.cloudtrail.required_regions_recorded as rule
import data.trailaudit.lib.testing

arn(name) := sprintf("arn:aws:cloudtrail:us-east-1:111111111111:trail/%s", [name])

trail(name, multi, logging) := {"name": name, "arn": arn(name), "home_region": "us-east-1", "is_multi_region_trail": multi, "is_organization_trail": false, "status": {"is_logging": logging}}

run(ts, regions) := r if {
	r := rule.results with input as {"account": {"account_id": "111111111111", "trails": {t.arn: t | some t in ts}}, "context": {"organization_trails": {}}}
		with data.trailaudit.config as {"required_regions": regions}
}

test_pass_multi_region_trail_covers_every_region if {
	testing.equal(run([trail("all", true, true)], ["eu-west-1", "us-east-1"]), {
		{"status": "pass", "resource": "AWS::::Account:111111111111/eu-west-1", "region": "eu-west-1", "message": sprintf("eu-west-1 is recorded by %s", [arn("all")]), "evidence": {"trails": [arn("all")]}},
		{"status": "pass", "resource": "AWS::::Account:111111111111/us-east-1", "region": "us-east-1", "message": sprintf("us-east-1 is recorded by %s", [arn("all")]), "evidence": {"trails": [arn("all")]}},
	})
}

test_fail_single_region_trail_leaves_other_regions_unrecorded if {
	got := run([trail("local", false, true)], ["eu-west-1", "us-east-1"])
	testing.equal({[r.region, r.status] | some r in got}, {["eu-west-1", "fail"], ["us-east-1", "pass"]})
}

test_fail_stopped_multi_region_trail_records_nothing if {
	got := run([trail("all", true, false)], ["us-east-1"])
	testing.equal({r.status | some r in got}, {"fail"})
}

# A trail whose status was not collected is not read as "stopped": the fail
# cites it in depends_on, so its failed GetTrailStatus makes the result an error.
test_fail_cites_covering_trails_whose_status_it_read if {
	unknown := object.remove(trail("all", true, true), ["status"])
	got := run([unknown, trail("local", false, true)], ["eu-west-1"])
	testing.equal({[r.region, r.status, r.depends_on] | some r in got}, {["eu-west-1", "fail", [arn("all")]]})
}
