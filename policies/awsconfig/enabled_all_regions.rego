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
#     cis-aws-v6.0: ["4.3"]
#     cis-aws-v7.0: ["4.3"]
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

# The unknown that holds in every region, if any.
global_unknowns := [sprintf("cannot tell whether global resource types are recorded: recorders of %s were not collected", [concat(", ", sort(recorders.unread_regions))]) | global_unknown]

global_evidence := true if recorders.global_somewhere

else := null if global_unknown

else := false

# Per region, what the results need: computed once per account in one
# comprehension, because regorus does not cache function calls and the results
# read each of these several times per region.
region_facts := {region: {
	"recorders": recs,
	"problems": all_problems,
	# Some recorder's status was not read (not recorders.status_known, spelled
	# out: the input always carries `recording`, null when unread, and a call
	# per recorder is measurable here).
	"status_unknown": count([rec | some rec in recs; rec.recording == null]) > 0,
	"evidence": {
		"recorders": [rec.name | some rec in recs],
		"problems": all_problems,
		"global_resource_types_recorded": global_recorded,
	},
} |
	# Account-wide values, looked up once rather than once per region.
	account_problems := global_problem
	global_recorded := global_evidence

	some region, recs in recorders.by_region

	# What is wrong in the region, not counting unknowns.
	problems := array.concat(
		[sprintf("recorder %s does not record all supported resource types", [rec.name]) |
			some rec in recs
			rec.all_supported != true
		],
		[p | some rec in recs; some p in recorders.status_problems(rec)],
	)
	all_problems := array.concat(problems, account_problems)
}

results contains result.fail(result.region(region), sprintf("%s: no AWS Config recorder", [region]), object.union(f.evidence, {"cause": recorders.no_recorder_cause(region)})) if {
	some region, f in region_facts
	count(f.recorders) == 0
}

results contains result.fail(result.region(region), sprintf("%s: %s", [region, concat("; ", f.problems)]), f.evidence) if {
	some region, f in region_facts
	count(f.recorders) > 0
	count(f.problems) > 0
}

results contains result.error(result.region(region), sprintf("%s: %s", [region, concat("; ", unknowns)]), f.evidence) if {
	account_unknowns := global_unknowns # looked up once, not once per region
	some region, f in region_facts
	count(f.recorders) > 0
	count(f.problems) == 0
	unknowns := array.concat(
		["recorder status was not collected (DescribeConfigurationRecorderStatus)" |
			f.status_unknown
			not errors.failed_in_region("config:DescribeConfigurationRecorderStatus", region)
		],
		account_unknowns,
	)
	count(unknowns) > 0
}

results contains result.pass(result.region(region), sprintf("%s: every recorder (%s) records all resources and is recording successfully; global resource types are recorded", [region, concat(", ", f.evidence.recorders)]), f.evidence) if {
	not global_unknown # tested once, before the loop over regions
	some region, f in region_facts
	count(f.recorders) > 0
	count(f.problems) == 0
	not f.status_unknown
}
