//! Turns results that depend on failed API calls into `error`.
//!
//! A rule lists the calls it reads in `custom.requires`. When the snapshot
//! records one of them as failed, every result of that rule in the failure's
//! scope becomes `error`, whatever the Rego said, and a failure no result
//! accounts for gets an `error` result of its own: missing data never passes.

use crate::snapshot::CollectionError;
use crate::snapshot::actions::Action;

use crate::finding::{Rule, RuleResult, Status, SubjectKind, account_resource, region_resource};

/// The identity call: when it failed (the role could not be assumed), nothing
/// was read for the account, and every rule depends on it whatever it lists.
const UNREACHABLE_ACCOUNT: Action = Action::StsGetCallerIdentity;

/// Does `error` make `result` unjudgeable?
fn affects(error: &CollectionError, result: &RuleResult, depends_on: &[String]) -> bool {
    if error.account_id != result.account {
        return false;
    }
    let is_scope_subject = result.resource.starts_with("AWS::::Account:");
    match (&error.resource, &error.region) {
        // A call about one resource: that resource, what depends on it, and
        // account/region verdicts that may rest on it.
        (Some(resource), region) => {
            result.resource == *resource
                || depends_on.iter().any(|d| d == resource)
                || (is_scope_subject && (result.region.is_none() || region.is_none() || result.region == *region))
        }
        // A global call (no region): the whole account.
        (None, None) => true,
        // A regional call: that region, and account-wide verdicts.
        (None, Some(region)) => result.region.as_deref() == Some(region.as_str()) || result.region.is_none(),
    }
}

fn describe(error: &CollectionError) -> String {
    if error.kind == crate::snapshot::ErrorKind::OutsideCollection {
        return error.message.clone();
    }
    let mut where_ = String::new();
    if let Some(r) = &error.resource {
        where_.push_str(&format!(" for {r}"));
    }
    if let Some(r) = &error.region {
        where_.push_str(&format!(" in {r}"));
    }
    format!("{}{} failed ({}: {})", error.action_name(), where_, error.error_code, error.message)
}

/// The kind of subject a resource id names, to decide whether an unmatched
/// failure about it belongs to this rule.
fn resource_kind(resource: &str) -> Option<SubjectKind> {
    if resource.starts_with("arn:") {
        let service = resource.split(':').nth(2)?;
        let rest = resource.splitn(6, ':').nth(5).unwrap_or("");
        return match service {
            "s3" => Some(SubjectKind::Bucket),
            "cloudtrail" if rest.starts_with("trail/") => Some(SubjectKind::Trail),
            "cloudtrail" if rest.starts_with("eventdatastore/") => Some(SubjectKind::EventDataStore),
            "logs" => Some(SubjectKind::LogGroup),
            "kms" => Some(SubjectKind::KmsKey),
            "dynamodb" => Some(SubjectKind::DynamodbTable),
            "lambda" => Some(SubjectKind::LambdaFunction),
            _ => None,
        };
    }
    None
}

fn subject_is_event(rule: &Rule) -> bool {
    rule.meta.custom.subject == SubjectKind::Event
}

/// Applies the failures of one account to one rule's results (in place).
/// `errors` are that account's (`SnapshotContext::errors_of`).
pub fn apply(rule: &Rule, account_id: &str, errors: &[&CollectionError], results: &mut Vec<RuleResult>, depends_on: &[Vec<String>]) {
    let relevant: Vec<&CollectionError> = errors
        .iter()
        .copied()
        .filter(|e| e.kind.is_gap() && e.account_id == account_id)
        .filter(|e| e.action() == Some(UNREACHABLE_ACCOUNT) || rule.meta.custom.requires.iter().any(|&r| e.covers(r)))
        .collect();
    if relevant.is_empty() {
        return;
    }
    let mut used = vec![false; relevant.len()];
    for (i, result) in results.iter_mut().enumerate() {
        // A detected event did happen: data missing elsewhere can only hide
        // more events, never undo this one, so it stays a failure. The failed
        // call then gets an error result of its own (below), so the gap shows.
        if subject_is_event(rule) && result.status == Status::Fail {
            continue;
        }
        let deps = depends_on.get(i).map_or(&[][..], |d| d.as_slice());
        let hits: Vec<usize> = (0..relevant.len()).filter(|&k| affects(relevant[k], result, deps)).collect();
        if hits.is_empty() {
            continue;
        }
        for &k in &hits {
            used[k] = true;
        }
        if result.status == Status::Error {
            continue; // already an error (the rule failed at run time): keep its own reason
        }
        let reasons: Vec<String> = hits.iter().map(|&k| describe(relevant[k])).collect();
        let original = serde_json::json!({"status": result.status, "message": result.message});
        result.message = format!("cannot be judged: {}", reasons.join("; "));
        result.status = Status::Error;
        result.evidence = serde_json::json!({ "rule_said": original, "rule_evidence": result.evidence.take() });
    }
    let subject = rule.meta.custom.subject;
    for (k, error) in relevant.iter().enumerate() {
        if used[k] {
            continue;
        }
        let resource = match (&error.resource, &error.region) {
            (Some(r), _) if resource_kind(r) == Some(subject) => r.clone(),
            // A failure about some other kind of resource that no result of this
            // rule rests on: not this rule's business.
            (Some(_), _) if !matches!(subject, SubjectKind::Account | SubjectKind::Region) => continue,
            (_, Some(region)) => region_resource(account_id, region),
            (_, None) => account_resource(account_id),
        };
        results.push(RuleResult {
            rule_id: rule.id().to_owned(),
            status: Status::Error,
            severity: rule.severity(),
            account: account_id.to_owned(),
            region: error.region.clone(),
            resource,
            message: format!("cannot be judged: {}", describe(error)),
            evidence: serde_json::json!({ "failed_call": error }),
            waiver: None,
            snapshot_line: None,
            baseline: None,
        });
    }
}
