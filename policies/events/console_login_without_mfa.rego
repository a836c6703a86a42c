# METADATA
# title: Nobody signed in to the console without MFA
# description: >-
#   A console sign-in with a password alone is what a phished or reused password buys an
#   intruder: MITRE ATT&CK T1078.004 (Valid Accounts: Cloud Accounts). A successful ConsoleLogin
#   (signin.amazonaws.com) whose additionalEventData.MFAUsed is not "Yes" (the CIS 4.2 filter) fails,
#   for IAM users and the root user, whose passwords AWS checks. Federated and single sign-on
#   sign-ins (AssumedRole, SAMLUser, WebIdentityUser, FederatedUser, IdentityCenterUser) are
#   authenticated, with or without MFA, by their identity provider, and CloudTrail cannot say;
#   they are not judged here. Failed sign-ins are not sign-ins (CIS 4.6 watches those). Only a
#   complete event history (LookupEvents, not truncated) can pass.
# scope: package
# related_resources:
#   - https://attack.mitre.org/techniques/T1078/004/
#   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html
# custom:
#   id: EVT-008
#   severity: medium
#   subject: event
#   requires: [cloudtrail:LookupEvents]
#   events:
#     - source: signin.amazonaws.com
#       names: [ConsoleLogin]
#   frameworks:
#     mitre-attack: [T1078.004]
#   remediation:
#     console: >-
#       Confirm with the user that the sign-in was theirs. IAM console → Users → the user →
#       Security credentials → assign an MFA device (root: account menu → Security credentials),
#       and require MFA with a policy that denies everything but MFA setup when
#       `aws:MultiFactorAuthPresent` is false; better, move people to IAM Identity Center.
#     cli: |
#       aws iam list-mfa-devices --user-name <user>
#       aws iam create-virtual-mfa-device --virtual-mfa-device-name <user> --outfile <user>-qr.png --bootstrap-method QRCodePNG
#       aws iam enable-mfa-device --user-name <user> --serial-number <mfa-arn> --authentication-code1 <code1> --authentication-code2 <code2>
package trailaudit.events.console_login_without_mfa

import data.trailaudit.lib.events
import data.trailaudit.lib.result

# Identities whose sign-in an identity provider authenticates.
federated := {"AssumedRole", "SAMLUser", "WebIdentityUser", "FederatedUser", "IdentityCenterUser"}

# The sign-in failed: an error, or ConsoleLogin "Failure" in the response.
sign_in_failed(e) if object.get(e, "error_code", null) != null

sign_in_failed(e) if object.get(e, "error_message", null) != null

sign_in_failed(e) if object.get(response(e), "ConsoleLogin", null) == "Failure"

response(e) := r if {
	r := e.response_elements
	is_object(r)
} else := {}

# MFAUsed as recorded, null when absent.
mfa_used(e) := object.get(data_of(e), "MFAUsed", null)

data_of(e) := d if {
	d := e.additional_event_data
	is_object(d)
} else := {}

findings[e.event_id] := e if {
	some e in events.named("signin.amazonaws.com", {"ConsoleLogin"})
	not events.identity_type(e) in federated
	not sign_in_failed(e)
	mfa_used(e) != "Yes"
}

mfa_text(e) := sprintf("MFAUsed: %s", [v]) if {
	v := mfa_used(e)
	v != null
} else := "MFAUsed not recorded"

results contains result.fail(
	events.subject(events.actor_resource(e), e),
	events.message(e, sprintf("signed in to the console without MFA (%s)", [mfa_text(e)])),
	events.evidence(e, {"mfa_used": mfa_used(e), "login_to": object.get(data_of(e), "LoginTo", null)}),
) if {
	some e in findings
}

results contains events.none_found("console sign-in without MFA by an IAM or root user") if count(findings) == 0
