# METADATA
# title: AWS Config records all resources in every region, global resources in at least one (CIS v4.0.1, v5.0.0)
# description: >-
#   AWS Config keeps the configuration history that shows what a resource looked like
#   when CloudTrail recorded a call on it. CIS v4.0.1 and v5.0.0 3.3 ask, in every
#   region, for a configuration recorder; **every** recorder must record all supported
#   resource types, be recording and have last status SUCCESS; global resource types
#   (IAM) need recording in one region of the account only. A region can only be judged
#   on global types when every region's recorders were read. CIS v3.0.0 asked for global
#   types in every region instead (see CFG-001). Regions judged: every region of the snapshot.
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/config/latest/developerguide/stop-start-recorder.html
#   - https://docs.aws.amazon.com/config/latest/developerguide/select-resources.html
# custom:
#   id: CFG-002
#   severity: medium
#   subject: region
#   requires: [config:DescribeConfigurationRecorders, config:DescribeConfigurationRecorderStatus]
#   frameworks:
#     cis-aws-v4.0: ["3.3"]
#     cis-aws-v5.0: ["3.3"]
#   remediation:
#     console: >-
#       AWS Config console, in each region → Settings → Edit: **Record all resource types supported in
#       this region** (and, in one region, **Include global resource types**), a delivery channel, then
#       start recording.
#     cli: |
#       aws configservice put-configuration-recorder --region <region> --configuration-recorder name=default,roleARN=<role-arn> --recording-group allSupported=true,includeGlobalResourceTypes=<true-in-one-region>
#       aws configservice put-delivery-channel --region <region> --delivery-channel name=default,s3BucketName=<bucket>
#       aws configservice start-configuration-recorder --region <region> --configuration-recorder-name default
package trailaudit.awsconfig.enabled_all_regions

import data.trailaudit.lib.errors
import data.trailaudit.lib.recorders
import data.trailaudit.lib.result

# What is wrong in a region, not counting unknowns.
problems(region) := array.concat(
	[sprintf("recorder %s does not record all supported resource types", [rec.name]) |
		some rec in recorders.in_region(region)
		rec.all_supported != true
	],
	[p | some rec in recorders.in_region(region); some p in recorders.status_problems(rec)],
)

global_problem := [] if {
	recorders.global_somewhere
} else := [] if {
	count(recorders.unread_regions) > 0
} else := ["no recorder in any region of the account includes global resource types (IAM)"]

# Known only when no region's recorders are missing from the snapshot.
global_unknown if {
	not recorders.global_somewhere
	count(recorders.unread_regions) > 0
}

status_unknown(region) if {
	some rec in recorders.in_region(region)
	not recorders.status_known(rec)
}

all_problems(region) := array.concat(problems(region), global_problem)

evidence(region) := {
	"recorders": [rec.name | some rec in recorders.in_region(region)],
	"problems": all_problems(region),
	"global_resource_types_recorded": global_evidence,
}

global_evidence := true if recorders.global_somewhere

else := null if global_unknown

else := false

results contains result.fail(result.region(region), sprintf("%s: no AWS Config recorder", [region]), evidence(region)) if {
	some region in recorders.regions
	count(recorders.in_region(region)) == 0
}

results contains result.fail(result.region(region), sprintf("%s: %s", [region, concat("; ", all_problems(region))]), evidence(region)) if {
	some region in recorders.regions
	count(recorders.in_region(region)) > 0
	count(all_problems(region)) > 0
}

results contains result.error(result.region(region), sprintf("%s: %s", [region, concat("; ", unknowns(region))]), evidence(region)) if {
	some region in recorders.regions
	count(recorders.in_region(region)) > 0
	count(all_problems(region)) == 0
	count(unknowns(region)) > 0
}

unknowns(region) := array.concat(
	["recorder status was not collected (DescribeConfigurationRecorderStatus)" |
		status_unknown(region)
		not errors.failed_in_region("config:DescribeConfigurationRecorderStatus", region)
	],
	[sprintf("cannot tell whether global resource types are recorded: recorders of %s were not collected", [concat(", ", sort(recorders.unread_regions))]) | global_unknown],
)

results contains result.pass(result.region(region), sprintf("%s: every recorder (%s) records all resources and is recording successfully; global resource types are recorded", [region, concat(", ", evidence(region).recorders)]), evidence(region)) if {
	some region in recorders.regions
	count(recorders.in_region(region)) > 0
	count(all_problems(region)) == 0
	not status_unknown(region)
	not global_unknown
}
