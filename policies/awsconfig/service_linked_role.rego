# METADATA
# title: AWS Config is recording in every region through its service-linked role (Security Hub Config.1)
# description: >-
#   Security Hub's Config.1 asks, per region, that AWS Config is enabled, records the
#   resources the enabled controls evaluate, and uses the service-linked role
#   AWSServiceRoleForConfig: a custom role can be edited or detached by mistake, and
#   recording stops silently. trailaudit asks for a recorder that is recording, records
#   all supported resource types (stricter than "the resources enabled controls need",
#   which the snapshot cannot tell) and runs as the service-linked role. Regions judged:
#   every region of the snapshot.
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/securityhub/latest/userguide/config-controls.html#config-1
#   - https://docs.aws.amazon.com/config/latest/developerguide/using-service-linked-roles-config.html
# custom:
#   id: CFG-003
#   severity: high
#   subject: region
#   requires: [config:DescribeConfigurationRecorders, config:DescribeConfigurationRecorderStatus]
#   frameworks:
#     aws-securityhub: [Config.1]
#   remediation:
#     console: >-
#       AWS Config console, in each region → Settings → Edit: **Record all resource types supported in this
#       region**, IAM role **Use an existing AWS Config service-linked role**, then start recording.
#     cli: |
#       aws iam create-service-linked-role --aws-service-name config.amazonaws.com
#       aws configservice put-configuration-recorder --region <region> --configuration-recorder name=default,roleARN=arn:aws:iam::<account-id>:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig --recording-group allSupported=true
#       aws configservice start-configuration-recorder --region <region> --configuration-recorder-name default
package trailaudit.awsconfig.service_linked_role

import data.trailaudit.lib.errors
import data.trailaudit.lib.recorders
import data.trailaudit.lib.result

# Per region, what the results need: computed once per account in one
# comprehension, because regorus does not cache function calls and the results
# read each of these several times per region.
region_facts := {region: {
	"recorders": recs,
	"shortfalls": rec_shortfalls,
	"qualifying": qualifying,
	"evidence": {
		"recorders": [{"name": rec.name, "role_arn": rec.role_arn, "recording": rec.recording, "all_supported": rec.all_supported} | some rec in recs],
		"shortfalls": [s | some sf in rec_shortfalls; some s in sf],
	},
} |
	some region, recs in recorders.by_region

	# Why each recorder falls short, in the order of recs.
	rec_shortfalls := [array.concat(
		array.concat(
			[sprintf("recorder %s is not recording", [rec.name]) | rec.recording == false],
			[sprintf("recorder %s does not record all supported resource types", [rec.name]) | rec.all_supported != true],
		),
		[sprintf("recorder %s uses role %v, not the service-linked role AWSServiceRoleForConfig", [rec.name, rec.role_arn]) | not recorders.service_linked_role(rec)],
	) |
		some rec in recs
	]

	# (regorus 0.14.1's bytecode VM loses this list's matches: tests/engines.rs.)
	qualifying := [rec.name | some i, rec in recs; rec_shortfalls[i] == []; rec.recording == true]
}

results contains result.pass(result.region(region), sprintf("%s: recorder %s is recording all resources as AWSServiceRoleForConfig", [region, concat(", ", f.qualifying)]), f.evidence) if {
	some region, f in region_facts
	count(f.qualifying) > 0
}

results contains result.fail(result.region(region), sprintf("%s: AWS Config is not enabled (no recorder)", [region]), object.union(f.evidence, {"cause": recorders.no_recorder_cause(region)})) if {
	some region, f in region_facts
	count(f.recorders) == 0
}

results contains result.error(result.region(region), sprintf("%s: recorder status was not collected (DescribeConfigurationRecorderStatus)", [region]), f.evidence) if {
	some region, f in region_facts
	count(f.qualifying) == 0
	some i, rec in f.recorders
	rec.recording == null
	count(f.shortfalls[i]) == 0
	not errors.failed_in_region("config:DescribeConfigurationRecorderStatus", region)
}

results contains result.fail(result.region(region), sprintf("%s: %s", [region, concat("; ", f.evidence.shortfalls)]), f.evidence) if {
	some region, f in region_facts
	count(f.recorders) > 0
	every sf in f.shortfalls {
		count(sf) > 0
	}
}
