# Trails as the rules need them: who owns them, whether they log, what they
# record and where.
package trailaudit.lib.trails

# The account id inside an ARN.
arn_account(arn) := split(arn, ":")[4]

# Trails this account owns. Per-trail rules judge only these: an organization
# trail seen in a member account is judged in its owner's account.
#
# Keyed by ARN (iterate with `some t in trails.own`): objects keyed by strings
# are far cheaper for the engine than sets of whole trail records.
own[arn] := t if {
	some arn, t in input.account.trails
	arn_account(arn) == input.account.account_id
}

# Organization trails that record this account: seen here (DescribeTrails in a
# member shows the management account's organization trail), or owned by this
# account's management account elsewhere in the snapshot.
organization[arn] := t if {
	some arn, t in input.account.trails
	t.is_organization_trail
	arn_account(arn) != input.account.account_id
}

organization[arn] := t if {
	some arn, t in input.context.organization_trails
	t.account_id == input.account.organization.management_account_id
	not input.account.trails[arn]
}

# Every trail that records this account's activity, keyed by ARN.
recording := object.union(own, organization)

# The logging trails among them, computed once per account.
logging_recording[arn] := t if {
	some arn, t in recording
	logging(t)
}

# The record with status and selectors: an organization trail seen from a member
# may lack them; its owner's record (in context) has them.
full(t) := input.context.organization_trails[t.arn] if {
	t.status == null
	input.context.organization_trails[t.arn]
} else := t

status(t) := full(t).status

# The status as an object, `{}` when it was not collected (null).
_status_object(t) := s if {
	s := status(t)
	is_object(s)
} else := {}

# A status field, null when absent or not collected.
status_field(t, name) := object.get(_status_object(t), name, null)

selectors(t) := full(t).event_selectors

logging(t) if status(t).is_logging == true

# Regions a trail records: all of them for a multi-region trail, else its home.
covers_region(t, _) if t.is_multi_region_trail

covers_region(t, region) if {
	not t.is_multi_region_trail
	t.home_region == region
}

# Management events: `mode` is "read" or "write".
_records_management(t, mode) if {
	some s in selectors(t).EventSelectors
	s.IncludeManagementEvents == true
	read_write_allows(s.ReadWriteType, mode)
	count(object.get(s, "ExcludeManagementEventSources", [])) == 0
}

_records_management(t, mode) if {
	some a in selectors(t).AdvancedEventSelectors
	management_selector(a)
	read_only_allows(a, mode)
}

records_management_read_write(t) if {
	_records_management(t, "read")
	_records_management(t, "write")
}

read_write_allows("All", _) := true

read_write_allows("ReadOnly", "read") := true

read_write_allows("WriteOnly", "write") := true

# An advanced selector for all management events: eventCategory = Management
# and nothing else narrowing it but readOnly (eventSource exclusions narrow it).
management_selector(a) if {
	some f in a.FieldSelectors
	f.Field == "eventCategory"
	"Management" in object.get(f, "Equals", [])
	every g in a.FieldSelectors {
		g.Field in {"eventCategory", "readOnly"}
	}
}

read_only_allows(a, _) if {
	not _has_field(a, "readOnly")
}

read_only_allows(a, mode) if {
	some f in a.FieldSelectors
	f.Field == "readOnly"
	{"read": "true", "write": "false"}[mode] in object.get(f, "Equals", [])
}

_has_field(a, name) if {
	some f in a.FieldSelectors
	f.Field == name
}

# Qualifies for CIS 3.1 / Security Hub CloudTrail.1: logging, multi-region,
# read and write management events.
qualifying(t) if {
	logging(t)
	t.is_multi_region_trail
	records_management_read_write(t)
}
