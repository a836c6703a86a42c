# Building blocks for rule results (see docs/writing-rules.md).
package trailaudit.lib.result

# pass and fail build one result for one subject.
pass(subject, message, evidence) := object.union(subject, {"status": "pass", "message": message, "evidence": evidence})

fail(subject, message, evidence) := object.union(subject, {"status": "fail", "message": message, "evidence": evidence})

# error: the subject cannot be judged from what the snapshot holds (for
# example, a truncated event history proves no absence). Failed API calls need
# no such result: `custom.requires` turns them into errors on the Rust side.
error(subject, message, evidence) := object.union(subject, {"status": "error", "message": message, "evidence": evidence})

# Subjects: what a result is about.
trail(t) := {"resource": t.arn, "region": t.home_region}

bucket(b) := {"resource": b.arn, "region": object.get(b, "region", null)}

account := {"resource": sprintf("AWS::::Account:%s", [input.account.account_id]), "region": null}

region(r) := {"resource": sprintf("AWS::::Account:%s/%s", [input.account.account_id, r]), "region": r}

kms_key(k) := {"resource": k.arn, "region": k.region}

# Event data stores carry no home region in the snapshot: the region that listed them.
event_data_store(s, region) := {"resource": s.arn, "region": region}
