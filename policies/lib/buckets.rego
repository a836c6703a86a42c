# S3 buckets as the rules need them: which are sensitive, which receive trail
# logs, and whether a bucket is public.
package trailaudit.lib.buckets

import data.trailaudit.lib.trails

_config := data.trailaudit.config.sensitive_buckets

# Sensitive by name glob or by tag (a tag rule with no values accepts any value).
sensitive(b) if {
	some pattern in _config.names
	glob.match(pattern, [], b.name)
}

sensitive(b) if {
	some key, values in _config.tags
	value := b.tags[key]
	_tag_value_matches(values, value)
}

_tag_value_matches(values, _) if count(values) == 0

_tag_value_matches(values, value) if {
	some v in values
	lower(v) == lower(value)
}

# Keyed by bucket name (iterate with `some b in sensitive_buckets`): objects
# keyed by strings are far cheaper for the engine than sets of whole bucket
# records. Rules import the rule they read (`import
# data.trailaudit.lib.buckets.sensitive_buckets`), not the package: regorus
# evaluates every rule of a package whose rule is read as `buckets.name`.
sensitive_buckets := {name: b |
	some name, b in input.account.buckets
	sensitive(b)
}

# Buckets of this account that some trail (here or elsewhere in the snapshot)
# writes to, keyed by bucket name like sensitive_buckets.
trail_buckets := {name: b |
	some name in _trail_bucket_names
	b := input.account.buckets[name]
}

_trail_bucket_names := {n | some t in trails.own; n := t.s3_bucket_name; n != null} | {n | some n, _ in input.context.trail_buckets}

# Buckets this account's trails deliver to whose posture no account of the
# snapshot holds: an organization run reads a trail bucket in the account that
# owns it (the one whose ListBuckets lists it), and that account was not
# collected. Keyed by bucket name, with the trail ARNs writing to it. Rules on
# trail buckets report each as an error: a bucket read nowhere never passes.
unheld_trail_buckets := {name: sort(arns) |
	own := trails.own
	some name in {n | some t in own; n := t.s3_bucket_name; n != null}
	not input.account.buckets[name]
	not input.context.trail_bucket_holders[name]
	arns := {t.arn | some t in own; t.s3_bucket_name == name}
}

# The result subject of a bucket known only by name.
unheld_subject(name) := {"resource": sprintf("arn:%s:s3:::%s", [input.metadata.partition, name]), "region": null}

unheld_message(name, arns) := sprintf(
	"trail bucket %s (of %s) was read in no account of this snapshot: its owner, the account whose ListBuckets lists it, is not in the collection; add that account (e.g. the log-archive account) to judge it",
	[name, concat(", ", arns)],
)

# Trail ARNs writing to each bucket (this account's trails and, from context,
# other accounts'), for evidence. A rule rather than a function: computed once
# per account, and read by rule bodies as `writers[b.name]`.
writers := {name: sort(mine | theirs) |
	own := trails.own
	some name in _trail_bucket_names
	mine := {t.arn | some t in own; t.s3_bucket_name == name}
	theirs := {r.trail_arn | some r in object.get(input.context.trail_buckets, name, [])}
}

# --- public access -------------------------------------------------------

# Condition keys that tie a statement to known principals, accounts, networks
# or sources; a statement carrying one is not open to everyone.
_restricting_keys := {
	"aws:sourcearn", "aws:sourceaccount", "aws:sourceorgid", "aws:sourceorgpaths", "aws:principalorgid",
	"aws:principalorgpaths", "aws:principalaccount", "aws:principalarn", "aws:sourcevpc", "aws:sourcevpce",
	"aws:sourceip", "aws:userid", "aws:username", "aws:principalservicename", "s3:dataaccesspointaccount",
	"s3:dataaccesspointarn",
}

_statements(b) := s if {
	is_array(b.policy.Statement)
	s := b.policy.Statement
} else := [b.policy.Statement] if {
	is_object(b.policy.Statement)
} else := []

_everyone("*") := true

_everyone(p) if p.AWS == "*"

_everyone(p) if "*" in p.AWS

_restricted(stmt) if {
	some _, conditions in object.get(stmt, "Condition", {})
	some key, _ in conditions
	lower(key) in _restricting_keys
}

_public_statements(b) := [sid |
	some i, stmt in _statements(b)
	stmt.Effect == "Allow"
	_everyone(stmt.Principal)
	not _restricted(stmt)
	sid := object.get(stmt, "Sid", sprintf("#%d", [i]))
]

_public_groups := {"http://acs.amazonaws.com/groups/global/AllUsers", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"}

_public_grants(b) := [sprintf("%s to %s", [g.permission, g.grantee_uri]) |
	some g in _acl_grants(b)
	g.grantee_type == "Group"
	g.grantee_uri in _public_groups
]

# The ACL's grants; none when the ACL was not collected (null): like an
# uncollected policy, the failed s3:GetBucketAcl (in `custom.requires`) then
# turns the bucket's result into an error, and the other buckets of the
# account are still judged.
_acl_grants(b) := g if {
	g := b.acl.grants
	is_array(g)
} else := []

# Block Public Access, bucket and account level: either switch neutralises.
_blocked(b, setting) if b.public_access_block[setting] == true

_blocked(_, setting) if input.account.public_access_block[setting] == true

# What makes the bucket public, with the policy statements and ACL grants
# that would (for evidence): {"statements", "grants", "reasons"}, reasons
# empty when nothing does. Block Public Access (bucket or account level)
# neutralises a public policy (restrict_public_buckets) or ACL
# (ignore_public_acls); AWS's own verdict (GetBucketPolicyStatus, when
# collected) counts when no statement explains it. Call it once per bucket:
# functions are not cached.
public_access(b) := {"statements": statements, "grants": grants, "reasons": reasons} if {
	statements := _public_statements(b)
	grants := _public_grants(b)
	reasons := array.concat(
		array.concat(
			[sprintf("bucket policy statement %s allows Principal * without a restricting condition", [sid]) |
				not _blocked(b, "restrict_public_buckets")
				some sid in statements
			],
			[sprintf("ACL grants %s", [grant]) |
				not _blocked(b, "ignore_public_acls")
				some grant in grants
			],
		),
		[r |
			b.policy_is_public == true
			not _blocked(b, "restrict_public_buckets")
			count(statements) == 0
			r := "AWS reports the bucket policy as public (GetBucketPolicyStatus)"
		],
	)
}
