# Test helpers for the event-history detections: a plausible event, a history
# around events, and the input a detection sees. Used by policies/events/*_test.rego.
package trailaudit.lib.events_testing

_account_id := "111111111111"

# An event by IAM user mallory from the CLI, succeeded, in us-east-1.
event(id, source, name, params) := {
	"event_id": id, "event_time": "2026-11-02T17:41:09Z",
	"event_name": name, "event_source": source, "region": "us-east-1",
	"user_identity": {"type": "IAMUser", "arn": "arn:aws:iam::111111111111:user/mallory", "account_id": _account_id, "invoked_by": null},
	"source_ip_address": "203.0.113.77", "user_agent": "aws-cli/2.17.4",
	"error_code": null, "error_message": null, "read_only": false,
	"request_parameters": params,
}

# The same event, failed with `code`.
failed(e, code) := object.union(e, {"error_code": code, "error_message": "not authorized"})

history(evs, truncated) := {"start_time": "2026-08-22T09:00:00Z", "end_time": "2026-11-20T09:00:00Z", "truncated": truncated, "events": evs}

# The input of a detection for account 111111111111; `account` is merged into
# the account record (trails, kms_keys, event_history, ...).
input_with(account) := {
	"metadata": {"partition": "aws", "settings": {"event_history_days": 90}},
	"account": object.union({"account_id": _account_id, "trails": {}, "kms_keys": {}, "buckets": {}}, account),
	"context": {"organization_trails": {}, "trail_buckets": {}},
	"errors": [],
}

# The one result of a set, undefined unless there is exactly one.
only(rs) := r if {
	count(rs) == 1
	some r in rs
}

# Pass message of a detection over history(_, false) that matched nothing.
window := "from 2026-08-22T09:00:00Z to 2026-11-20T09:00:00Z"
