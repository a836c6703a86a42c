//! `--baseline REPORT.json`: compares an audit with an earlier JSON report, so a
//! pipeline can fail on what a change *added* instead of on every known finding.
//!
//! Results are matched by their stable fingerprint (rule, account, resource:
//! [`crate::finding::fingerprint`]), never by line or message, which move when a
//! snapshot is re-collected. The baseline is read from the JSON report alone
//! (its `results[].fingerprint`, computed from `rule_id|account|resource` for
//! reports written before that field existed).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::finding::{Audit, BaselineComparison, BaselineMarks, FixedResult, OutOfWindowResult, SubjectKind, finding_kind as kind};
pub use crate::report::earlier::BaselineError;
use crate::report::earlier::{EarlierReport, EarlierResult};

/// A parsed baseline report.
#[derive(Debug, Clone)]
pub struct Baseline {
    pub path: PathBuf,
    entries: Vec<EarlierResult>,
}

impl Baseline {
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        EarlierReport::load(path).map(Baseline::from)
    }

    /// Parses a JSON report; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Baseline, BaselineError> {
        EarlierReport::parse(text, path).map(Baseline::from)
    }

    /// Marks every non-pass result of `audit` `new` or `unchanged` and lists the
    /// baseline's failures that are fixed. "Fixed" is only claimed for what this
    /// audit examined: a rule it did not evaluate (`--framework`) or an account
    /// not in its snapshot proves nothing, so their baseline failures are left out.
    /// A failure of an event detection whose event is older than this snapshot's
    /// event-history window is not fixed either: the audit could not see it, so
    /// it is listed as out of the window and stays open.
    ///
    /// Spilled results are marked as they are read back, and read once here
    /// for their fingerprints; an error reading them back is returned.
    pub fn compare(&self, audit: &mut Audit, fail_on_new: bool) -> std::io::Result<()> {
        let marks = BaselineMarks::new(self.entries.iter().filter_map(|e| kind(e.status).map(|k| (e.fingerprint(), k))));
        let current_findings: BTreeSet<String> = match &mut audit.spill {
            Some(spill) => spill.mark(marks)?,
            None => {
                let mut current = BTreeSet::new();
                for r in &mut audit.results {
                    marks.mark(r);
                    if r.baseline.is_some() {
                        current.insert(r.fingerprint());
                    }
                }
                current
            }
        };
        let evaluated: BTreeMap<&str, SubjectKind> = audit.rules.iter().map(|r| (r.id(), r.meta.custom.subject)).collect();
        let accounts: BTreeSet<&str> = audit.account_ids.iter().map(String::as_str).collect();
        let window_start = window_start(audit);
        let mut fixed: BTreeMap<String, FixedResult> = BTreeMap::new();
        let mut out_of_window: BTreeMap<String, OutOfWindowResult> = BTreeMap::new();
        for e in &self.entries {
            let Some(&subject) = evaluated.get(e.rule_id.as_str()) else { continue };
            if kind(e.status) != Some(true) || !accounts.contains(e.account.as_str()) {
                continue;
            }
            let fp = e.fingerprint();
            if current_findings.contains(&fp) {
                continue;
            }
            let finding = FixedResult {
                rule_id: e.rule_id.clone(),
                severity: e.severity,
                account: e.account.clone(),
                region: e.region.clone(),
                resource: e.resource.clone(),
                message: e.message.clone(),
                fingerprint: fp.clone(),
            };
            if subject == SubjectKind::Event {
                // An event the window still holds and the audit no longer reports is
                // fixed (the detection changed, or the event was judged otherwise);
                // an older one, or one of unknown time, was simply not looked at.
                let event_time = event_time(&e.evidence);
                if event_time.is_none_or(|t| t < window_start) {
                    out_of_window.entry(fp).or_insert(OutOfWindowResult { finding, event_time });
                    continue;
                }
            }
            fixed.entry(fp).or_insert(finding);
        }
        let order = |f: &FixedResult| (f.rule_id.clone(), f.account.clone(), f.resource.clone());
        let mut fixed: Vec<FixedResult> = fixed.into_values().collect();
        fixed.sort_by_key(order);
        let mut out_of_window: Vec<OutOfWindowResult> = out_of_window.into_values().collect();
        out_of_window.sort_by_key(|o| order(&o.finding));
        audit.baseline = Some(BaselineComparison { path: self.path.clone(), fixed, out_of_window, window_start, fail_on_new });
        Ok(())
    }
}

/// The start of the audited snapshot's event-history window: LookupEvents
/// read `event_history_days` back from the collection time.
fn window_start(audit: &Audit) -> DateTime<Utc> {
    let m = &audit.metadata;
    m.collected_at - chrono::Duration::days(i64::from(m.settings.event_history_days))
}

/// `evidence.event_time` of an event detection (or of the rule's own evidence
/// when a failed call turned the result into an error).
fn event_time(evidence: &serde_json::Value) -> Option<DateTime<Utc>> {
    let time = evidence.get("event_time").or_else(|| evidence.get("rule_evidence").and_then(|e| e.get("event_time")))?;
    time.as_str()?.parse().ok()
}

impl From<EarlierReport> for Baseline {
    fn from(report: EarlierReport) -> Baseline {
        Baseline { path: report.path, entries: report.results }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{BaselineState, Rule, RuleResult, Severity, Status};

    const ACCOUNT: &str = "111111111111";

    fn rule(id: &str) -> Rule {
        let yaml = format!(
            "title: T {id}\ndescription: D.\ncustom:\n  id: {id}\n  severity: high\n  subject: trail\n  requires: [cloudtrail:DescribeTrails]\n  remediation: {{console: x, cli: y}}\n"
        );
        Rule::for_tests(&yaml, "p", "p.rego")
    }

    fn result(rule_id: &str, account: &str, resource: &str, status: Status, line: usize) -> RuleResult {
        RuleResult {
            rule_id: rule_id.into(),
            status,
            severity: Severity::High,
            account: account.into(),
            region: Some("us-east-1".into()),
            resource: resource.into(),
            message: format!("{resource} is {status}"),
            evidence: serde_json::json!({}),
            waiver: None,
            snapshot_line: Some(line),
            baseline: None,
        }
    }

    fn audit(results: Vec<RuleResult>) -> Audit {
        Audit {
            metadata: crate::snapshot::Metadata::example(),
            snapshot_path: None,
            rules: vec![rule("CT-001"), rule("CT-002")],
            results,
            spill: None,
            fail_on: Severity::Low.into(),
            account_ids: vec![ACCOUNT.into(), "222222222222".into()],
            framework: None,
            warnings: Vec::new(),
            baseline: None,
            missing_permissions: Vec::new(),
        }
    }

    /// A baseline is the JSON report of an earlier audit, as the binary writes it.
    fn baseline_of(earlier: &Audit) -> Baseline {
        let text = crate::report::render(earlier, crate::report::Format::Json, &Default::default());
        Baseline::parse(&text, Path::new("base.json")).unwrap()
    }

    fn states(a: &Audit) -> Vec<(&str, Option<BaselineState>)> {
        a.results.iter().map(|r| (r.resource.as_str(), r.baseline)).collect()
    }

    #[test]
    fn new_unchanged_and_fixed() {
        let before = audit(vec![
            result("CT-001", ACCOUNT, "arn:still-bad", Status::Fail, 10),
            result("CT-001", ACCOUNT, "arn:now-good", Status::Fail, 20),
            result("CT-001", ACCOUNT, "arn:deleted", Status::Fail, 30),
            result("CT-001", ACCOUNT, "arn:good", Status::Pass, 40),
        ]);
        let mut now = audit(vec![
            // Same finding, different line and message: still unchanged.
            RuleResult { message: "reworded".into(), ..result("CT-001", ACCOUNT, "arn:still-bad", Status::Fail, 99) },
            result("CT-001", ACCOUNT, "arn:now-good", Status::Pass, 20),
            result("CT-001", ACCOUNT, "arn:good", Status::Fail, 40),
        ]);
        baseline_of(&before).compare(&mut now, false).unwrap();
        assert_eq!(
            states(&now),
            [("arn:still-bad", Some(BaselineState::Unchanged)), ("arn:now-good", None), ("arn:good", Some(BaselineState::New))]
        );
        let fixed: Vec<&str> = now.baseline.as_ref().unwrap().fixed.iter().map(|f| f.resource.as_str()).collect();
        assert_eq!(fixed, ["arn:deleted", "arn:now-good"], "passes now, or gone");
        assert_eq!(now.baseline.as_ref().unwrap().fixed[0].message, "arn:deleted is fail", "the baseline's message");
        assert_eq!(now.summary().baseline, Some(crate::finding::BaselineCounts { new: 1, unchanged: 1, fixed: 2, out_of_window: 0 }));
    }

    #[test]
    fn same_resource_in_another_account_is_new() {
        let before = audit(vec![result("CT-001", ACCOUNT, "arn:shared", Status::Fail, 1)]);
        let mut now = audit(vec![
            result("CT-001", ACCOUNT, "arn:shared", Status::Fail, 1),
            result("CT-001", "222222222222", "arn:shared", Status::Fail, 2),
            result("CT-002", ACCOUNT, "arn:shared", Status::Fail, 3),
        ]);
        baseline_of(&before).compare(&mut now, false).unwrap();
        assert_eq!(
            now.results.iter().map(|r| r.baseline).collect::<Vec<_>>(),
            [Some(BaselineState::Unchanged), Some(BaselineState::New), Some(BaselineState::New)],
            "fingerprint = rule + account + resource"
        );
    }

    #[test]
    fn error_and_failure_are_different_findings_and_error_is_not_fixed() {
        let before = audit(vec![
            result("CT-001", ACCOUNT, "arn:was-error", Status::Error, 1),
            result("CT-001", ACCOUNT, "arn:was-fail", Status::Fail, 2),
            result("CT-001", ACCOUNT, "arn:was-waived", Status::Waived, 3),
        ]);
        let mut now = audit(vec![
            result("CT-001", ACCOUNT, "arn:was-error", Status::Fail, 1),
            result("CT-001", ACCOUNT, "arn:was-fail", Status::Error, 2),
            result("CT-001", ACCOUNT, "arn:was-waived", Status::Fail, 3),
        ]);
        baseline_of(&before).compare(&mut now, false).unwrap();
        assert_eq!(
            now.results.iter().map(|r| r.baseline).collect::<Vec<_>>(),
            [Some(BaselineState::New), Some(BaselineState::New), Some(BaselineState::Unchanged)],
            "a failure nobody could see before is new; a waived one whose waiver lapsed is not"
        );
        assert!(now.baseline.unwrap().fixed.is_empty(), "an error now proves no fix");
    }

    #[test]
    fn fixed_only_for_rules_and_accounts_this_audit_examined() {
        let mut before = audit(vec![
            result("CT-003", ACCOUNT, "arn:other-rule", Status::Fail, 1),
            result("CT-001", "999999999999", "arn:other-account", Status::Fail, 2),
        ]);
        before.rules.push(rule("CT-003"));
        before.account_ids.push("999999999999".into());
        let mut now = audit(vec![]);
        baseline_of(&before).compare(&mut now, false).unwrap();
        assert!(now.baseline.unwrap().fixed.is_empty());
    }

    #[test]
    fn fail_on_new_ignores_unchanged_failures_but_not_errors() {
        let before = audit(vec![result("CT-001", ACCOUNT, "arn:old", Status::Fail, 1)]);
        let base = baseline_of(&before);
        let mut now = audit(vec![result("CT-001", ACCOUNT, "arn:old", Status::Fail, 1)]);
        base.compare(&mut now, false).unwrap();
        assert_eq!(now.outcome().code(), 1, "without --fail-on-new every failure counts");
        base.compare(&mut now, true).unwrap();
        assert_eq!(now.outcome().code(), 0);
        let mut now =
            audit(vec![result("CT-001", ACCOUNT, "arn:old", Status::Fail, 1), result("CT-002", ACCOUNT, "arn:x", Status::Error, 2)]);
        base.compare(&mut now, true).unwrap();
        assert_eq!(now.outcome().code(), 3);
        let mut now =
            audit(vec![result("CT-001", ACCOUNT, "arn:old", Status::Fail, 1), result("CT-001", ACCOUNT, "arn:new", Status::Fail, 2)]);
        base.compare(&mut now, true).unwrap();
        assert_eq!(now.outcome().code(), 1);
        now.fail_on = Severity::Critical.into();
        assert_eq!(now.outcome().code(), 0, "--fail-on still applies to new failures");
    }

    fn event_rule(id: &str) -> Rule {
        let yaml = format!(
            "title: T {id}\ndescription: D.\ncustom:\n  id: {id}\n  severity: high\n  subject: event\n  requires: [cloudtrail:LookupEvents]\n  remediation: {{console: x, cli: y}}\n"
        );
        Rule::for_tests(&yaml, "p", "p.rego")
    }

    fn event(resource: &str, id: &str, time: Option<&str>) -> RuleResult {
        let mut evidence = serde_json::json!({"event_id": id});
        if let Some(t) = time {
            evidence["event_time"] = t.into();
        }
        RuleResult { evidence, ..result("EVT-007", ACCOUNT, resource, Status::Fail, 1) }
    }

    /// Issue 12 item 6: the example metadata was collected 2026-11-20T09:00Z
    /// with 7 days of event history, so the window starts 2026-11-13T09:00Z.
    #[test]
    fn event_findings_older_than_the_window_are_out_of_the_window_not_fixed() {
        let mut before = audit(vec![
            event("arn:old", "e-old", Some("2026-11-01T10:00:00Z")),
            event("arn:edge", "e-edge", Some("2026-11-13T08:59:59Z")),
            event("arn:recent", "e-recent", Some("2026-11-19T10:00:00Z")),
            event("arn:undated", "e-undated", None),
            event("arn:still-seen", "e-seen", Some("2026-11-19T11:00:00Z")),
        ]);
        before.rules.push(event_rule("EVT-007"));
        let base = baseline_of(&before);
        let mut now = audit(vec![event("arn:still-seen", "e-seen", Some("2026-11-19T11:00:00Z"))]);
        now.rules.push(event_rule("EVT-007"));
        base.compare(&mut now, true).unwrap();
        let b = now.baseline.as_ref().unwrap();
        assert_eq!(b.window_start.to_rfc3339(), "2026-11-13T09:00:00+00:00");
        let out: Vec<(&str, Option<String>)> =
            b.out_of_window.iter().map(|o| (o.finding.resource.as_str(), o.event_time.map(|t| t.to_rfc3339()))).collect();
        assert_eq!(
            out,
            [
                ("arn:edge", Some("2026-11-13T08:59:59+00:00".to_owned())),
                ("arn:old", Some("2026-11-01T10:00:00+00:00".to_owned())),
                ("arn:undated", None),
            ],
            "older than the window, or of unknown time: not seen, so not fixed"
        );
        let fixed: Vec<&str> = b.fixed.iter().map(|f| f.resource.as_str()).collect();
        assert_eq!(fixed, ["arn:recent"], "an event inside the window that is no longer reported is fixed");
        assert_eq!(now.results[0].baseline, Some(BaselineState::Unchanged));
        assert_eq!(now.summary().baseline, Some(crate::finding::BaselineCounts { new: 0, unchanged: 1, fixed: 1, out_of_window: 3 }));
        assert_eq!(now.outcome() as u8, 0, "out of the window is not new");

        // Each report shows the state as its own.
        let opts = Default::default();
        let json: serde_json::Value = serde_json::from_str(&crate::report::render(&now, crate::report::Format::Json, &opts)).unwrap();
        assert_eq!(json["summary"]["baseline"]["out_of_window"], 3);
        assert_eq!(json["out_of_window"][1]["resource"], "arn:old");
        assert_eq!(json["out_of_window"][1]["event_time"], "2026-11-01T10:00:00Z");
        assert_eq!(json["out_of_window"][2]["event_time"], serde_json::Value::Null);
        assert_eq!(json["fixed"].as_array().unwrap().len(), 1);
        let text = crate::report::render(&now, crate::report::Format::Text, &opts);
        assert!(text.contains("Baseline: 0 new failing, 1 unchanged, 1 fixed, 3 out of the window"), "{text}");
        assert!(text.contains("Out of the event-history window (events before 2026-11-13T09:00:00Z; still open)"), "{text}");
        assert!(text.contains("OUT OF WINDOW  EVT-007 111111111111 us-east-1 arn:old"), "{text}");
        let md = crate::report::render(&now, crate::report::Format::Markdown, &opts);
        assert!(md.contains("1 fixed, 3 out of the event-history window (still open)"), "{md}");
        assert!(md.contains("## Out of the event-history window"), "{md}");
        assert!(md.contains("| EVT-007 | 111111111111 | us-east-1 | arn:undated |"), "{md}");

        // The report written now becomes the next baseline: the findings out of the
        // window are carried in it, so time alone never closes them.
        let next = baseline_of(&now);
        let mut later = audit(vec![]);
        later.rules.push(event_rule("EVT-007"));
        next.compare(&mut later, false).unwrap();
        let b = later.baseline.as_ref().unwrap();
        let carried: Vec<&str> = b.out_of_window.iter().map(|o| o.finding.resource.as_str()).collect();
        assert_eq!(carried, ["arn:edge", "arn:old", "arn:undated"]);
        assert_eq!(b.out_of_window[1].finding.fingerprint, out_fingerprint(&before, "arn:old"), "same identity");
        assert_eq!(b.fixed.iter().map(|f| f.resource.as_str()).collect::<Vec<_>>(), ["arn:still-seen"]);
    }

    fn out_fingerprint(a: &Audit, resource: &str) -> String {
        a.results.iter().find(|r| r.resource == resource).unwrap().fingerprint()
    }

    #[test]
    fn fingerprint_missing_from_an_older_report_is_computed() {
        let text = r#"{"report_version": 1, "results": [{"rule_id": "CT-001", "status": "fail", "severity": "high",
            "account": "111111111111", "region": null, "resource": "arn:old", "message": "m"}]}"#;
        let mut now = audit(vec![result("CT-001", ACCOUNT, "arn:old", Status::Fail, 1)]);
        Baseline::parse(text, Path::new("b.json")).unwrap().compare(&mut now, false).unwrap();
        assert_eq!(now.results[0].baseline, Some(BaselineState::Unchanged));
    }

    #[test]
    fn bad_baselines_name_file_and_field() {
        let err = |text: &str| Baseline::parse(text, Path::new("base.json")).unwrap_err().to_string();
        let e = err(r#"{"schema_version": 1, "accounts": []}"#);
        assert!(e.starts_with("base.json:1:") && e.contains("not a trailaudit JSON report") && e.contains("report_version"), "{e}");
        let e = err("{\"report_version\": 1,\n \"results\": [{\"rule_id\": \"CT-001\", \"status\": \"broken\"}]}");
        assert!(e.starts_with("base.json:2:") && e.contains("`$.results[0].status`") && e.contains("unknown variant"), "{e}");
        let e = err(r#"{"report_version": 2, "results": []}"#);
        assert!(e.contains("report_version 2"), "{e}");
        let e = err("not json");
        assert!(e.starts_with("base.json:1:") && e.contains("not a trailaudit JSON report"), "{e}");
    }
}
