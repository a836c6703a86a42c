# S3 buckets as the rules need them: which are sensitive, which receive trail
# logs, and whether a bucket is public.
package trailaudit.lib.buckets

import data.trailaudit.lib.trails

config := data.trailaudit.config.sensitive_buckets

# Sensitive by name glob or by tag (a tag rule with no values accepts any value).
sensitive(b) if {
	some pattern in config.names
	glob.match(pattern, [], b.name)
}

sensitive(b) if {
	some key, values in config.tags
	value := b.tags[key]
	tag_value_matches(values, value)
}

tag_value_matches(values, _) if count(values) == 0

tag_value_matches(values, value) if {
	some v in values
	lower(v) == lower(value)
}

sensitive_buckets contains b if {
	some b in input.account.buckets
	sensitive(b)
}

# Buckets of this account that some trail (here or elsewhere in the snapshot) writes to.
trail_buckets contains b if {
	some t in trails.own
	b := input.account.buckets[t.s3_bucket_name]
}

trail_buckets contains b if {
	some name, _ in input.context.trail_buckets
	b := input.account.buckets[name]
}

# Trail ARNs writing to each bucket (this account's trails and, from context,
# other accounts'), for evidence. A rule rather than a function: computed once
# per account, and read by rule bodies as `buckets.writers[b.name]`.
writers[name] := sort(mine | theirs) if {
	some name in {n | some t in trails.own; n := t.s3_bucket_name; n != null} | {n | some n, _ in input.context.trail_buckets}
	mine := {t.arn | some t in trails.own; t.s3_bucket_name == name}
	theirs := {r.trail_arn | some r in object.get(input.context.trail_buckets, name, [])}
}

# --- public access -------------------------------------------------------

# Condition keys that tie a statement to known principals, accounts, networks
# or sources; a statement carrying one is not open to everyone.
restricting_keys := {
	"aws:sourcearn", "aws:sourceaccount", "aws:sourceorgid", "aws:sourceorgpaths", "aws:principalorgid",
	"aws:principalorgpaths", "aws:principalaccount", "aws:principalarn", "aws:sourcevpc", "aws:sourcevpce",
	"aws:sourceip", "aws:userid", "aws:username", "aws:principalservicename", "s3:dataaccesspointaccount",
	"s3:dataaccesspointarn",
}

statements(b) := s if {
	is_array(b.policy.Statement)
	s := b.policy.Statement
} else := [b.policy.Statement] if {
	is_object(b.policy.Statement)
} else := []

everyone("*") := true

everyone(p) if p.AWS == "*"

everyone(p) if "*" in p.AWS

restricted(stmt) if {
	some _, conditions in object.get(stmt, "Condition", {})
	some key, _ in conditions
	lower(key) in restricting_keys
}

public_statements(b) := [sid |
	some i, stmt in statements(b)
	stmt.Effect == "Allow"
	everyone(stmt.Principal)
	not restricted(stmt)
	sid := object.get(stmt, "Sid", sprintf("#%d", [i]))
]

public_groups := {"http://acs.amazonaws.com/groups/global/AllUsers", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"}

public_grants(b) := [sprintf("%s to %s", [g.permission, g.grantee_uri]) |
	some g in object.get(object.get(b, "acl", {}), "grants", [])
	g.grantee_type == "Group"
	g.grantee_uri in public_groups
]

# Block Public Access, bucket and account level: either switch neutralises.
blocked(b, setting) if b.public_access_block[setting] == true

blocked(_, setting) if input.account.public_access_block[setting] == true

policy_public(b) if {
	count(public_statements(b)) > 0
	not blocked(b, "restrict_public_buckets")
}

acl_public(b) if {
	count(public_grants(b)) > 0
	not blocked(b, "ignore_public_acls")
}

# AWS's own verdict (GetBucketPolicyStatus), when collected.
aws_says_public(b) if {
	b.policy_is_public == true
	not blocked(b, "restrict_public_buckets")
}

# What makes the bucket public, empty when nothing does.
public_reasons(b) := array.concat(
	array.concat(
		[sprintf("bucket policy statement %s allows Principal * without a restricting condition", [sid]) |
			policy_public(b)
			some sid in public_statements(b)
		],
		[sprintf("ACL grants %s", [grant]) |
			acl_public(b)
			some grant in public_grants(b)
		],
	),
	[r | aws_says_public(b); count(public_statements(b)) == 0; r := "AWS reports the bucket policy as public (GetBucketPolicyStatus)"],
)
