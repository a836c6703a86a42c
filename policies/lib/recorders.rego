# AWS Config configuration recorders as the CIS 3.3 and Config.1 rules need
# them: per region of the snapshot, with their status.
package trailaudit.lib.recorders

# What CFG-001, CFG-002 and CFG-003 share in a region without any recorder:
# the reports show their failures as one finding (`cause.id`, see
# docs/writing-rules.md), fixed first by CFG-003's steps (a recorder of every
# resource through the service-linked role, recording), then each rule's own.
no_recorder_cause(region) := {
	"id": "no-config-recorder",
	"title": "no AWS Config recorder",
	"detail": sprintf("%s: no AWS Config recorder", [region]),
	"fixed_by": ["CFG-003"],
}

# The regions judged: every region the snapshot covers.
_regions := input.metadata.regions

# A region's recorders (DescribeConfigurationRecorders + ...Status).
in_region(region) := object.get(object.get(input.account.regions, region, {}), "config_recorders", [])

# Every judged region's recorders, keyed by region (as in_region). Built once per
# account: regorus does not cache function calls, so rules read this object.
by_region := {region: object.get(object.get(account_regions, region, {}), "config_recorders", []) |
	account_regions := input.account.regions
	some region in _regions
}

# Status was read (DescribeConfigurationRecorderStatus answered).
status_known(rec) if rec.recording != null

# Recording, and the last delivery of configuration items succeeded.
healthy(rec) if {
	rec.recording == true
	rec.last_status == "SUCCESS"
}

# Why a recorder's status is not healthy (empty when it is, or unknown). The
# three cases exclude each other (recording false / true with a bad last status /
# true without one), so one else chain says it without three calls and two concats.
status_problems(rec) := [sprintf("recorder %s is not recording", [rec.name])] if {
	rec.recording == false
} else := [sprintf("recorder %s last status is %s, not SUCCESS", [rec.name, s])] if {
	rec.recording == true
	s := object.get(rec, "last_status", null)
	s != null
	s != "SUCCESS"
} else := [sprintf("recorder %s has no last status (it has not delivered configuration items yet)", [rec.name])] if {
	rec.recording == true
	object.get(rec, "last_status", null) == null
} else := []

# Regions whose recorder calls failed: their recorders are unknown.
unread_regions := {e.region |
	some e in object.get(input, "errors", [])
	e.service == "config"
	e.operation == "DescribeConfigurationRecorders"
}

# Some recorder of the account, in any region, records global resource types (IAM).
global_somewhere if {
	some recs in by_region
	some rec in recs
	rec.include_global_resource_types == true
}

_service_linked_role_suffix := ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"

service_linked_role(rec) if {
	is_string(rec.role_arn)
	endswith(rec.role_arn, _service_linked_role_suffix)
}
