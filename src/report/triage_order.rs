//! What the text and Markdown reports show first, in the order a person
//! triages: the counts and what decided the exit code, then the findings,
//! failing before error before waived, most severe first, then by rule id.
//!
//! Failures that share one cause are one finding. A rule says so in its
//! evidence: `cause: {id, title, detail, fixed_by: [rule ids]}` (the CIS
//! monitoring rules, `policies/lib/monitoring.rego`, when no trail delivers to
//! CloudWatch Logs: one cause, sixteen failing rules). Failing results of two
//! or more rules with the same `cause.id` become one [`Finding`] listing the
//! rules and the controls they serve; a cause only one rule reports stays that
//! rule's finding. Likewise `error` results that one failed call left
//! unjudged (the same "cannot be judged: <call> failed" message) in two or
//! more rules are one finding.

use std::collections::{BTreeMap, BTreeSet};

use crate::finding::{Audit, Outcome, Rule, RuleResult, Severity, Status, StatusCounts};

/// One finding of the report: a rule's non-pass results of one status, or
/// the failures of several rules sharing one cause.
pub(super) struct Finding<'a> {
    pub status: Status,
    /// The highest severity among the results.
    pub severity: Severity,
    /// The rules it concerns, by id (one, unless `cause` is set).
    pub rules: Vec<&'a Rule>,
    /// Sorted by account, region, resource, then rule.
    pub results: Vec<&'a RuleResult>,
    pub cause: Option<Cause>,
}

/// The shared cause of a grouped finding, as the rules reported it (pack
/// data, not AWS data; `detail` may quote AWS names and is escaped like any message).
pub(super) struct Cause {
    pub title: String,
    /// Subject (account, region, resource) → what the cause is there.
    pub details: BTreeMap<(String, Option<String>, String), String>,
    /// Rules whose remediation removes the cause (before each grouped rule's own steps).
    pub fixed_by: Vec<String>,
}

impl Finding<'_> {
    /// Framework key → control ids (in natural order) the finding's rules serve.
    pub fn controls(&self) -> BTreeMap<&str, Vec<&str>> {
        let mut all: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for rule in &self.rules {
            for (key, ids) in &rule.meta.custom.frameworks {
                all.entry(key.as_str()).or_default().extend(ids.iter().map(String::as_str));
            }
        }
        all.into_iter()
            .map(|(k, ids)| {
                let mut ids: Vec<&str> = ids.into_iter().collect();
                ids.sort_by_key(|id| natural_key(id));
                (k, ids)
            })
            .collect()
    }

    /// The distinct subjects, each once (a grouped finding has one result per rule and subject).
    pub fn subjects(&self) -> Vec<&RuleResult> {
        let mut seen = BTreeSet::new();
        self.results.iter().copied().filter(|r| seen.insert((&r.account, &r.region, &r.resource))).collect()
    }
}

/// `4.10` after `4.9`, `CloudWatch.10` after `CloudWatch.2`.
fn natural_key(id: &str) -> Vec<(String, u64)> {
    id.split('.').map(|part| part.parse::<u64>().map_or((part.to_owned(), 0), |n| (String::new(), n))).collect()
}

fn status_rank(status: Status) -> u8 {
    match status {
        Status::Fail => 0,
        Status::Error => 1,
        Status::Waived => 2,
        Status::Pass => 3,
    }
}

fn cause_of(r: &RuleResult) -> Option<(&str, &serde_json::Value)> {
    let cause = r.evidence.get("cause")?;
    Some((cause.get("id")?.as_str()?, cause))
}

fn subject_key(r: &RuleResult) -> (String, Option<String>, String) {
    (r.account.clone(), r.region.clone(), r.resource.clone())
}

/// What groups results into one finding: the key, and the cause it shows.
struct GroupSpec {
    title: String,
    detail: Option<String>,
    fixed_by: Vec<String>,
}

/// The prefix trailaudit gives an `error` result resting on a failed call
/// (`evaluate::scope`); the rest of the message names the call(s).
const NOT_JUDGED: &str = "cannot be judged: ";

/// The group a non-pass result may join: a failure or an error by the
/// `cause.id` its rule reports; another error by the failed call(s) its
/// message names, so rules that one denied call left unjudged are one finding.
fn group_of(r: &RuleResult) -> Option<(String, GroupSpec)> {
    let text = |v: Option<&serde_json::Value>| v.and_then(serde_json::Value::as_str).map(str::to_owned);
    match r.status {
        Status::Fail => {
            let (id, cause) = cause_of(r)?;
            let fixed_by = cause
                .get("fixed_by")
                .and_then(serde_json::Value::as_array)
                .map(|ids| ids.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                .unwrap_or_default();
            let spec =
                GroupSpec { title: text(cause.get("title")).unwrap_or_else(|| id.to_owned()), detail: text(cause.get("detail")), fixed_by };
            Some((format!("fail:{id}"), spec))
        }
        Status::Error => {
            if let Some((id, cause)) = cause_of(r) {
                let spec = GroupSpec {
                    title: text(cause.get("title")).unwrap_or_else(|| id.to_owned()),
                    detail: text(cause.get("detail")),
                    fixed_by: Vec::new(),
                };
                return Some((format!("error:{id}"), spec));
            }
            let calls = r.message.strip_prefix(NOT_JUDGED)?;
            // The title names the call(s) and AWS's error code, not its whole message.
            let short = match calls.find(" failed (") {
                Some(at) => {
                    let rest = &calls[at + " failed (".len()..];
                    let code = rest.split([':', ')']).next().unwrap_or(rest);
                    format!("{} failed ({code}{})", &calls[..at], if calls.contains("; ") { ", and more" } else { "" })
                }
                None => calls.to_owned(),
            };
            Some((format!("error:{calls}"), GroupSpec { title: format!("not judged: {short}"), detail: None, fixed_by: Vec::new() }))
        }
        Status::Pass | Status::Waived => None,
    }
}

/// Every non-pass result of `audit` as findings, in triage order.
pub(super) fn findings(audit: &Audit) -> Vec<Finding<'_>> {
    let rule_of = |id: &str| audit.rule(id);
    // Groups two or more rules' results join; a group of one rule is that rule's finding.
    let mut rules_by_group: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for r in &audit.results {
        if let Some((key, _)) = group_of(r) {
            rules_by_group.entry(key).or_default().insert(r.rule_id.as_str());
        }
    }

    let mut out: Vec<Finding<'_>> = Vec::new();
    let mut by_cause: BTreeMap<String, Finding<'_>> = BTreeMap::new();
    let mut by_rule: BTreeMap<(&str, u8), Finding<'_>> = BTreeMap::new();
    for r in audit.results.iter().filter(|r| r.status != Status::Pass) {
        match group_of(r).filter(|(key, _)| rules_by_group.get(key).is_some_and(|rules| rules.len() > 1)) {
            Some((key, spec)) => {
                let detail = spec.detail.clone();
                let f = by_cause.entry(key).or_insert_with(|| Finding {
                    status: r.status,
                    severity: r.severity,
                    rules: Vec::new(),
                    results: Vec::new(),
                    cause: Some(Cause { title: spec.title, details: BTreeMap::new(), fixed_by: spec.fixed_by }),
                });
                f.severity = f.severity.max(r.severity);
                if let Some(detail) = detail
                    && let Some(c) = f.cause.as_mut()
                {
                    c.details.entry(subject_key(r)).or_insert(detail);
                }
                if let Some(rule) = rule_of(&r.rule_id)
                    && !f.rules.iter().any(|x| x.id() == rule.id())
                {
                    f.rules.push(rule);
                }
                f.results.push(r);
            }
            None => {
                let f = by_rule.entry((r.rule_id.as_str(), status_rank(r.status))).or_insert_with(|| Finding {
                    status: r.status,
                    severity: r.severity,
                    rules: rule_of(&r.rule_id).into_iter().collect(),
                    results: Vec::new(),
                    cause: None,
                });
                f.severity = f.severity.max(r.severity);
                f.results.push(r);
            }
        }
    }
    out.extend(by_rule.into_values());
    for mut f in by_cause.into_values() {
        f.rules.sort_by(|a, b| a.id().cmp(b.id()));
        f.results.sort_by(|a, b| subject_key(a).cmp(&subject_key(b)).then_with(|| a.rule_id.cmp(&b.rule_id)));
        out.push(f);
    }
    let first_rule = |f: &Finding<'_>| f.rules.first().map_or_else(|| f.results[0].rule_id.clone(), |r| r.id().to_owned());
    out.sort_by(|a, b| {
        status_rank(a.status).cmp(&status_rank(b.status)).then(b.severity.cmp(&a.severity)).then_with(|| first_rule(a).cmp(&first_rule(b)))
    });
    out
}

/// The counts the summary opens with.
pub(super) struct Counts {
    pub total: usize,
    pub by_status: StatusCounts,
    /// Failing (`fail`) results per severity.
    pub failing_by_severity: BTreeMap<Severity, usize>,
    /// Failing results at or above `--fail-on` (none with `--fail-on none`).
    pub at_or_above: usize,
}

/// Failing results that can decide exit code 1 (with `--fail-on-new`: only the new ones).
fn deciding(audit: &Audit) -> usize {
    let only_new = audit.baseline.as_ref().is_some_and(|b| b.fail_on_new);
    audit.tally().deciding(audit.fail_on, only_new)
}

/// From the audit's tally: the results listed may leave passes out ([`Audit::listed`]).
pub(super) fn counts(audit: &Audit) -> Counts {
    let tally = audit.tally();
    let failing_by_severity: BTreeMap<Severity, usize> = Severity::ALL.iter().map(|s| (*s, tally.failed(*s))).collect();
    Counts { total: tally.total, by_status: tally.by_status, failing_by_severity, at_or_above: tally.deciding(audit.fail_on, false) }
}

/// Ids of the evaluated rules without a single result: nothing in the
/// snapshot for them to judge (`no subjects`, e.g. no sensitive bucket).
pub(super) fn no_subjects(audit: &Audit) -> Vec<&str> {
    let tally = audit.tally();
    audit.rules.iter().map(Rule::id).filter(|id| !tally.by_rule.contains_key(*id)).collect()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// One line saying what decided the exit code, e.g. `exit 1: 3 failures at
/// or above high` or `exit 3: 2 error results`.
pub(super) fn exit_reason(audit: &Audit) -> String {
    let tally = audit.tally();
    let errors = tally.by_status.error;
    let only_new = audit.baseline.as_ref().is_some_and(|b| b.fail_on_new);
    let new = if only_new { "new " } else { "" };
    let threshold = match audit.fail_on.severity() {
        Some(s) => format!("at or above {s}"),
        None => String::new(),
    };
    match audit.outcome() {
        Outcome::Failed => {
            let n = deciding(audit);
            let mut line = format!("exit 1: {} {threshold}", plural(n, &format!("{new}failure"), &format!("{new}failures")));
            if errors > 0 {
                line.push_str(&format!(" (and {})", plural(errors, "error result", "error results")));
            }
            line
        }
        Outcome::Incomplete => {
            let mut line = format!("exit 3: {} (data not collected or a rule broke)", plural(errors, "error result", "error results"));
            match audit.fail_on.severity() {
                Some(s) => line.push_str(&format!("; no {new}failure at or above {s}")),
                None => line.push_str("; --fail-on none never fails on findings, errors still count"),
            }
            line
        }
        Outcome::Clean | Outcome::BadInput => {
            let failing = tally.by_status.fail;
            match audit.fail_on.severity() {
                None if failing > 0 => {
                    format!("exit 0: --fail-on none: {} reported, none fails the run; no errors", plural(failing, "failure", "failures"))
                }
                None => "exit 0: nothing failing, no errors".to_owned(),
                Some(s) if failing > 0 => format!(
                    "exit 0: no {new}failure at or above {s} ({} below it or not new), no errors",
                    plural(failing, "failure", "failures")
                ),
                Some(_) => "exit 0: nothing failing, no errors".to_owned(),
            }
        }
    }
}

/// The IAM actions the collection was denied, deduplicated and sorted: one
/// line for the summary, or `None` when nothing was denied.
pub(super) fn missing_permissions_line(audit: &Audit) -> Option<String> {
    if audit.missing_permissions.is_empty() { None } else { Some(format!("missing permissions: {}", audit.missing_permissions.join(", "))) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Format, RenderOptions, render};

    /// `mixed()` plus three rules failing on one account with one shared
    /// cause (whose detail carries hostile AWS text), and a fourth rule
    /// reporting a cause no other rule shares.
    fn with_shared_cause() -> Audit {
        let mut audit = crate::report::tests::mixed();
        let template = audit.results[0].clone();
        let base_rule = audit.rules[0].clone();
        let cause = serde_json::json!({"id": "no-x", "title": "no x delivers", "detail": "trail `a|b` <script>: off", "fixed_by": ["CT-101", "CT-999"]});
        for (id, severity) in
            [("MON-901", Severity::Medium), ("MON-902", Severity::Low), ("MON-903", Severity::Medium), ("SOLO-1", Severity::Low)]
        {
            let mut rule = base_rule.clone();
            rule.meta.custom.id = id.into();
            rule.meta.custom.severity = severity;
            rule.meta.custom.frameworks = [("cis-aws-v5.0".to_owned(), vec![format!("4.{}", &id[id.len() - 1..])])].into();
            audit.rules.push(rule);
            let mut cause = cause.clone();
            if id == "SOLO-1" {
                cause["id"] = "only-mine".into();
            }
            audit.results.push(RuleResult {
                rule_id: id.into(),
                severity,
                resource: "AWS::::Account:111111111111".into(),
                region: None,
                message: format!("{id} not monitored: trail `a|b` <script>: off"),
                evidence: serde_json::json!({"cause": cause}),
                ..template.clone()
            });
        }
        audit.rules.sort_by(|a, b| a.id().cmp(b.id()));
        audit
    }

    #[test]
    fn findings_come_fail_error_waived_most_severe_first_with_shared_causes_grouped() {
        let audit = with_shared_cause();
        let found = findings(&audit);
        let summary: Vec<(Status, Severity, Vec<&str>, usize)> =
            found.iter().map(|f| (f.status, f.severity, f.rules.iter().map(|r| r.id()).collect(), f.results.len())).collect();
        assert_eq!(
            summary,
            [
                (Status::Fail, Severity::High, vec!["CT-101"], 1),
                (Status::Fail, Severity::Medium, vec!["MON-901", "MON-902", "MON-903"], 3),
                (Status::Fail, Severity::Low, vec!["SOLO-1"], 1),
                (Status::Error, Severity::Low, vec!["CT-102"], 1),
                (Status::Waived, Severity::Low, vec!["CT-102"], 1),
            ]
        );
        let grouped = &found[1];
        assert_eq!(grouped.subjects().len(), 1, "one subject for the three rules");
        assert_eq!(grouped.controls()["cis-aws-v5.0"], ["4.1", "4.2", "4.3"]);
        let cause = grouped.cause.as_ref().unwrap();
        assert_eq!((cause.title.as_str(), cause.fixed_by.as_slice()), ("no x delivers", &["CT-101".to_owned(), "CT-999".to_owned()][..]));
        assert!(found[2].cause.is_none(), "a cause only one rule reports is that rule's finding");

        let text = render(&audit, Format::Text, &RenderOptions::default());
        assert!(text.contains("MEDIUM   no x delivers  (one cause, 3 failing rules)\n  rules:    MON-901, MON-902, MON-903\n"), "{text}");
        assert!(text.contains("  Fix the cause (1), CT-101 Title of CT-101:\n  Fix:   Fix it.\n  CLI:   aws fix\n"), "{text}");
        assert!(text.contains("  Fix the cause (2): the steps of CT-999, `trailaudit rules CT-999`"), "a rule not in this run: {text}");
        let md = render(&audit, Format::Markdown, &RenderOptions::default());
        assert!(md.contains("### no x delivers (medium; one cause of 3 failing rules)"), "{md}");
        let row = md.lines().find(|l| l.contains("| global | AWS::::Account:111111111111 |")).unwrap();
        assert!(row.contains("trail \\`a\\|b\\` &lt;script&gt;: off") && !md.contains("<script>"), "the detail is escaped: {row}");
        assert!(md.find("### CT-101").unwrap() < md.find("### no x delivers").unwrap(), "high before medium");
        assert!(md.find("### no x delivers").unwrap() < md.find("### SOLO-1").unwrap(), "medium before low");
    }

    #[test]
    fn errors_one_failed_call_left_in_several_rules_are_one_finding() {
        let mut audit = crate::report::tests::mixed();
        let template = audit.results[2].clone(); // CT-102's error
        let denied =
            "cannot be judged: logs:DescribeMetricFilters for arn:g in us-east-1 failed (AccessDeniedException: User x is not authorized)";
        audit.results[2].message = denied.into();
        audit.results.push(RuleResult { rule_id: "CT-101".into(), message: denied.into(), severity: Severity::High, ..template });
        let found = findings(&audit);
        let errors: Vec<&Finding<'_>> = found.iter().filter(|f| f.status == Status::Error).collect();
        assert_eq!(errors.len(), 1, "one finding for the two rules");
        let cause = errors[0].cause.as_ref().unwrap();
        assert_eq!(cause.title, "not judged: logs:DescribeMetricFilters for arn:g in us-east-1 failed (AccessDeniedException)");
        assert_eq!(errors[0].rules.iter().map(|r| r.id()).collect::<Vec<_>>(), ["CT-101", "CT-102"]);
        assert_eq!(errors[0].severity, Severity::High);
        assert!(found[0].status == Status::Fail && found.last().unwrap().status == Status::Waived);
        let text = render(&audit, Format::Text, &RenderOptions::default());
        assert!(text.contains("(2 rules not judged)") && !text.contains("Then each rule's own steps"), "{text}");
    }

    #[test]
    fn the_exit_reason_names_what_decided_the_code() {
        let mut audit = crate::report::tests::mixed();
        assert_eq!(exit_reason(&audit), "exit 1: 1 failure at or above low (and 1 error result)");
        audit.fail_on = Severity::Critical.into();
        assert_eq!(exit_reason(&audit), "exit 3: 1 error result (data not collected or a rule broke); no failure at or above critical");
        audit.fail_on = crate::finding::FailOn::Never;
        assert_eq!(
            exit_reason(&audit),
            "exit 3: 1 error result (data not collected or a rule broke); --fail-on none never fails on findings, errors still count"
        );
        audit.results.retain(|r| r.status != Status::Error);
        assert_eq!(exit_reason(&audit), "exit 0: --fail-on none: 1 failure reported, none fails the run; no errors");
        audit.fail_on = Severity::High.into();
        assert_eq!(exit_reason(&audit).split(':').next(), Some("exit 1"));
        audit.fail_on = Severity::Critical.into();
        assert_eq!(exit_reason(&audit), "exit 0: no failure at or above critical (1 failure below it or not new), no errors");
        audit.results.retain(|r| r.status != Status::Fail);
        assert_eq!(exit_reason(&audit), "exit 0: nothing failing, no errors");
        let c = counts(&audit);
        assert_eq!((c.total, c.by_status.pass, c.by_status.waived, c.at_or_above), (2, 1, 1, 0));
    }

    #[test]
    fn control_ids_sort_naturally() {
        let mut ids = vec!["4.10", "4.2", "4.1", "CloudWatch.10", "CloudWatch.9"];
        ids.sort_by_key(|id| natural_key(id));
        assert_eq!(ids, ["4.1", "4.2", "4.10", "CloudWatch.9", "CloudWatch.10"]);
    }
}
