# Failed API calls recorded in the snapshot (`input.errors`, this account's).
#
# When a rule cannot judge a subject because a field is null, it reports
# `result.error` itself only if no failure explains the null: a recorded failure
# of a call listed in `custom.requires` already yields an error result naming the
# call and AWS's error code (src/policy/scope.rs), which says more than the rule can.
package trailaudit.lib.errors

# `action` ("service:Operation") failed for this resource.
failed(action, resource) if {
	some e in object.get(input, "errors", [])
	sprintf("%s:%s", [e.service, e.operation]) == action
	e.resource == resource
}

# `action` failed for a whole region (no particular resource).
failed_in_region(action, region) if {
	some e in object.get(input, "errors", [])
	sprintf("%s:%s", [e.service, e.operation]) == action
	object.get(e, "resource", null) == null
	e.region == region
}
