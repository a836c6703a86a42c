# AWS Config configuration recorders as the CIS 3.3 and Config.1 rules need
# them: per region of the snapshot, with their status.
package trailaudit.lib.recorders

# The regions judged: every region the snapshot covers.
regions := input.metadata.regions

# A region's recorders (DescribeConfigurationRecorders + ...Status).
in_region(region) := object.get(object.get(input.account.regions, region, {}), "config_recorders", [])

# Status was read (DescribeConfigurationRecorderStatus answered).
status_known(rec) if rec.recording != null

# Recording, and the last delivery of configuration items succeeded.
healthy(rec) if {
	rec.recording == true
	rec.last_status == "SUCCESS"
}

# Why a recorder's status is not healthy (empty when it is, or unknown).
status_problems(rec) := array.concat(array.concat(not_recording(rec), bad_last_status(rec)), no_last_status(rec))

not_recording(rec) := [sprintf("recorder %s is not recording", [rec.name]) | rec.recording == false]

bad_last_status(rec) := [sprintf("recorder %s last status is %s, not SUCCESS", [rec.name, s]) |
	rec.recording == true
	s := object.get(rec, "last_status", null)
	s != null
	s != "SUCCESS"
]

no_last_status(rec) := [sprintf("recorder %s has no last status (it has not delivered configuration items yet)", [rec.name]) |
	rec.recording == true
	object.get(rec, "last_status", null) == null
]

# Regions whose recorder calls failed: their recorders are unknown.
unread_regions := {e.region |
	some e in object.get(input, "errors", [])
	e.service == "config"
	e.operation == "DescribeConfigurationRecorders"
}

# Some recorder of the account, in any region, records global resource types (IAM).
global_somewhere if {
	some region in regions
	some rec in in_region(region)
	rec.include_global_resource_types == true
}

service_linked_role_suffix := ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"

service_linked_role(rec) if {
	is_string(rec.role_arn)
	endswith(rec.role_arn, service_linked_role_suffix)
}
