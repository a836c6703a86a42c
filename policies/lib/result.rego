# Building blocks for rule results (see docs/writing-rules.md).
package trailaudit.lib.result

# pass and fail build one result for one subject.
pass(subject, message, evidence) := object.union(subject, {"status": "pass", "message": message, "evidence": evidence})

fail(subject, message, evidence) := object.union(subject, {"status": "fail", "message": message, "evidence": evidence})

# Subjects: what a result is about.
trail(t) := {"resource": t.arn, "region": t.home_region}

bucket(b) := {"resource": b.arn, "region": object.get(b, "region", null)}

account := {"resource": sprintf("AWS::::Account:%s", [input.account.account_id]), "region": null}

region(r) := {"resource": sprintf("AWS::::Account:%s/%s", [input.account.account_id, r]), "region": r}
