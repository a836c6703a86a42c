# Sensitive DynamoDB tables and Lambda functions, recognised as the
# configuration says (`sensitive_dynamodb_tables`, `sensitive_lambda_functions`):
# by glob on the name or the ARN, or by tag, as sensitive buckets are.
package trailaudit.lib.sensitive_resources

import data.trailaudit.lib.data_events
import data.trailaudit.lib.result

# `kind` is the configuration key; `resources` the account's listed ones
# (keyed by ARN). Keyed by ARN: {"resource": r, "sensitive": true} when the
# name, the ARN or a tag says so; {"resource": r, "sensitive": null} when only
# unread tags could tell (ListTagsOfResource / ListTags failed).
_judged(kind, resources) := {arn: {"resource": r, "sensitive": verdict} |
	config := object.get(data.trailaudit.config, kind, {})
	some arn, r in resources
	verdict := _sensitive(config, r)
}

_sensitive(config, r) := true if {
	_named(config, r)
} else := true if {
	_tagged(config, r)
} else := null if {
	count(object.get(config, "tags", {})) > 0
	not is_object(object.get(r, "tags", null))
}

# `null` delimiters: `*` matches any text, colons, slashes and dots included.
_named(config, r) if {
	some pattern in object.get(config, "names", [])
	some value in [r.name, r.arn]
	glob.match(pattern, null, value)
}

_tagged(config, r) if {
	some key, values in object.get(config, "tags", {})
	value := r.tags[key]
	_tag_value_matches(values, value)
}

_tag_value_matches(values, _) if count(values) == 0

_tag_value_matches(values, value) if {
	some v in values
	lower(v) == lower(value)
}

# Does the configuration name any (then the account's resources must have been listed)?
_configured(kind) if {
	config := object.get(data.trailaudit.config, kind, {})
	count(object.get(config, "names", [])) + count(object.get(config, "tags", {})) > 0
}

# --- results, shared by the table and function rules ----------------------

# One result per sensitive resource (`noun`: "table", "function"): pass when
# logging trails record its read and write data events of `type`; fail naming
# what is missing; error when tags that would decide were not read, or when
# the configuration names such resources but the snapshot did not list them.
results(kind, type, noun, resources) := verdicts if {
	is_object(resources)
	verdicts := {v |
		some arn, j in _judged(kind, resources)
		v := _verdict(j, type, noun)
	}
} else := {result.error(
	result.account,
	sprintf("the configuration names sensitive %ss (%s), but the snapshot holds no list of them: collect again with this configuration", [noun, kind]),
	{"configuration": kind},
)} if {
	_configured(kind)
} else := set()

_subject(r) := {"resource": r.arn, "region": r.region}

_verdict(j, _, noun) := result.error(
	_subject(j.resource),
	sprintf("%s %s: its tags were not read, so whether it is sensitive is unknown", [noun, j.resource.name]),
	{"tags": null},
) if {
	j.sensitive == null
}

_verdict(j, type, noun) := v if {
	j.sensitive == true
	r := j.resource
	c := data_events.coverage_of(type, r)
	missing := [mode | some mode in ["read", "write"]; count(c[mode]) == 0]
	v := _coverage_result(r, noun, c, missing)
}

_coverage_result(r, noun, c, missing) := result.pass(
	_subject(r),
	sprintf("sensitive %s %s: reads and writes are logged (reads by %s; writes by %s)", [noun, r.name, concat(", ", c.read), concat(", ", c.write)]),
	{"read_trails": c.read, "write_trails": c.write},
) if {
	count(missing) == 0
} else := result.fail(
	_subject(r),
	sprintf("sensitive %s %s: %s data events are not logged by any logging trail%s", [noun, r.name, concat(" and ", missing), _partly(c)]),
	{"missing": missing, "read_trails": c.read, "write_trails": c.write},
)

_partly(c) := concat("", [sprintf(" (only %s are logged, by %s)", [mode, concat(", ", c[mode])]) |
	some mode in ["read", "write"]
	count(c[mode]) > 0
])
