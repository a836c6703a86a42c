# METADATA
# title: Every API call of the collection succeeded
# description: >-
#   A snapshot is evidence only for what was read. Rules turn the results that
#   rest on a failed call into errors, but a failed call no rule happens to read
#   (region discovery, a service a rule does not cover yet) would otherwise leave
#   no trace in the report. This rule reports each failed call of the account as
#   an error of its own, so an incomplete collection always shows in the report
#   and in the exit code (3). Calls that do not exist in a partition or region are
#   recorded as unsupported and are not failures.
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/aws-managed-policy/latest/reference/SecurityAudit.html
# custom:
#   id: COL-001
#   severity: medium
#   subject: account
#   requires: [sts:GetCallerIdentity]
#   remediation:
#     console: >-
#       Give the identity trailaudit runs as read access to what it collects (the AWS managed
#       policy **SecurityAudit** covers it), allow the regions it reads in any SCP, and collect again.
#     cli: aws iam attach-role-policy --role-name <audit-role> --policy-arn arn:aws:iam::aws:policy/SecurityAudit
package trailaudit.collection.calls_succeeded

import data.trailaudit.lib.result

# Throttled calls are failed calls whose cause is throttling (AWS kept
# answering ThrottlingException, SlowDown, ... through every retry).
failed := [e | some e in input.errors; object.get(e, "kind", "failed") in {"failed", "throttled"}]

# Resources owned by an account the collection does not read (a member-only
# run sees its organization's trail): one error each, naming the owner.
outside := [e | some e in input.errors; e.kind == "outside_collection"]

unsupported := [e | some e in input.errors; object.get(e, "kind", "failed") == "unsupported"]

# The subject of a failed call: its resource, else its region, else the account.
subject(e) := {"resource": e.resource, "region": e.region} if {
	e.resource != null
} else := result.region(e.region) if {
	e.region != null
} else := result.account

where(e) := sprintf(" for %s", [e.resource]) if {
	e.resource != null
} else := ""

in_region(e) := sprintf(" in %s", [e.region]) if {
	e.region != null
} else := ""

outcome(e) := "was throttled through every retry" if {
	e.kind == "throttled"
} else := "failed"

results contains result.error(
	subject(e),
	sprintf("%s:%s%s%s %s (%s: %s): what it reads is missing from the snapshot", [e.service, e.operation, where(e), in_region(e), outcome(e), e.error_code, e.message]),
	{"failed_call": e},
) if {
	some e in failed
}

results contains result.error(subject(e), e.message, {"outside_collection": e}) if {
	some e in outside
}

results contains result.pass(
	result.account,
	sprintf("every API call succeeded%s", [unsupported_note]),
	{"unsupported_calls": count(unsupported)},
) if {
	count(failed) == 0
	count(outside) == 0
}

unsupported_note := sprintf(" (%d not supported in this partition or region, recorded as such)", [count(unsupported)]) if {
	count(unsupported) > 0
} else := ""
