//! Waivers: a failing result accepted for a while, with a reason and an owner on record.
//!
//! - Only `fail` results are waived. An `error` result means the control could
//!   not be judged (a call was denied, a rule broke): that is not a risk anyone
//!   accepted, so a waiver never hides it; it keeps failing the run with exit 3.
//! - An expired waiver stops applying and produces a warning, instead of hiding
//!   a finding forever.
//! - A waiver that matches nothing (no `fail` or `error` result of its rule,
//!   account and resource glob) is stale: the finding was fixed or the waiver was
//!   mistyped. It produces a warning so the config gets cleaned up. A waiver
//!   whose rule was not evaluated in this run (`--framework`, `--rules`) is not judged.
//! - `rule` is an id or a glob on rule ids (`MON-*`, case-insensitive, as
//!   `--rules`): stale when it matches no rule of the pack, or no failing
//!   result of the rules it matches.

use std::collections::BTreeSet;

use crate::config::Waiver;
use crate::finding::{AppliedWaiver, RuleResult, Status, WaiverRef, Warning, WarningKind};
use chrono::NaiveDate;

/// A waiver as reports show it.
pub fn waiver_ref(w: &Waiver) -> WaiverRef {
    WaiverRef {
        rule: w.rule.clone(),
        resource: w.resource.clone(),
        account: w.account.clone(),
        owner: w.owner.clone(),
        expires: w.expires.to_string(),
    }
}

/// What the rules of this run are, for judging staleness.
pub struct RuleIds<'a> {
    /// Rules evaluated in this audit.
    pub evaluated: BTreeSet<&'a str>,
    /// Every rule of the pack, evaluated or not.
    pub known: BTreeSet<&'a str>,
}

/// Applies `waivers` to failing results (the first matching, unexpired waiver
/// in file order wins); returns warnings about expired and stale waivers.
pub fn apply(waivers: &[Waiver], results: &mut [RuleResult], today: NaiveDate, rules: &RuleIds<'_>) -> Vec<Warning> {
    let mut tracker = Tracker::new(waivers, today, rules);
    tracker.apply(results);
    tracker.warnings()
}

/// [`apply`] a batch at a time: an audit of a snapshot file waives each batch
/// of accounts as it is judged, and remembers which waivers matched a failing
/// or error result, so that staleness is judged on the whole run at the end.
pub struct Tracker<'w> {
    waivers: &'w [Waiver],
    today: NaiveDate,
    resources: Vec<Option<globset::GlobMatcher>>,
    rule_matchers: Vec<Option<globset::GlobMatcher>>,
    /// Expired, or stale because it names no rule of the pack: said without looking at results.
    settled: Vec<Option<Warning>>,
    /// Judged against this run's results: its rule was evaluated.
    judged: Vec<bool>,
    used: Vec<bool>,
}

impl<'w> Tracker<'w> {
    pub fn new(waivers: &'w [Waiver], today: NaiveDate, rules: &RuleIds<'_>) -> Tracker<'w> {
        // Globs were validated when the config was parsed; a waiver whose glob
        // still does not compile matches nothing and is reported stale.
        let resources = waivers.iter().map(|w| globset::Glob::new(&w.resource).ok().map(|g| g.compile_matcher())).collect();
        let rule_matchers = waivers.iter().map(|w| crate::pack::select::rule_matcher(&w.rule).ok()).collect();
        let mut tracker = Tracker {
            waivers,
            today,
            resources,
            rule_matchers,
            settled: vec![None; waivers.len()],
            judged: vec![false; waivers.len()],
            used: vec![false; waivers.len()],
        };
        for (i, waiver) in waivers.iter().enumerate() {
            let warn = |kind, message| Some(Warning { kind, message, waiver: waiver_ref(waiver) });
            let what = what(waiver);
            if waiver.expires < today {
                tracker.settled[i] = warn(
                    WarningKind::WaiverExpired,
                    format!("{what} expired on {} and no longer applies: {}", waiver.expires, waiver.reason),
                );
            } else if !rules.known.iter().any(|id| tracker.rule_matches(i, id)) {
                tracker.settled[i] = warn(WarningKind::WaiverStale, format!("{what} is stale: the pack has no rule {}", waiver.rule));
            } else {
                let judged = rules.evaluated.iter().any(|id| tracker.rule_matches(i, id));
                tracker.judged[i] = judged;
            }
        }
        tracker
    }

    fn rule_matches(&self, i: usize, id: &str) -> bool {
        self.rule_matchers[i].as_ref().is_some_and(|m| m.is_match(id))
    }

    fn matches(&self, i: usize, r: &RuleResult) -> bool {
        let w = &self.waivers[i];
        self.rule_matches(i, &r.rule_id)
            && w.account.as_ref().is_none_or(|a| *a == r.account)
            && self.resources[i].as_ref().is_some_and(|m| m.is_match(&r.resource))
    }

    /// Waives the failing results of `results` and notes which waivers matched.
    pub fn apply(&mut self, results: &mut [RuleResult]) {
        for i in 0..self.waivers.len() {
            if self.judged[i] && !self.used[i] {
                let used = results.iter().any(|r| matches!(r.status, Status::Fail | Status::Error) && self.matches(i, r));
                self.used[i] = used;
            }
        }
        for result in results.iter_mut().filter(|r| r.status == Status::Fail) {
            let found = (0..self.waivers.len()).find(|&i| self.waivers[i].expires >= self.today && self.matches(i, result));
            if let Some(i) = found {
                let waiver = &self.waivers[i];
                result.waiver = Some(AppliedWaiver {
                    reason: waiver.reason.clone(),
                    owner: waiver.owner.clone(),
                    expires: Some(waiver.expires.to_string()),
                    original_status: result.status,
                });
                result.status = Status::Waived;
            }
        }
    }

    /// Expired and stale waivers, in the order of the configuration.
    pub fn warnings(self) -> Vec<Warning> {
        let mut warnings = Vec::new();
        for (i, settled) in self.settled.into_iter().enumerate() {
            match settled {
                Some(w) => warnings.push(w),
                None if self.judged[i] && !self.used[i] => {
                    let waiver = &self.waivers[i];
                    warnings.push(Warning {
                        kind: WarningKind::WaiverStale,
                        message: format!("{} is stale: it matches no failing result (fixed, or a typo?); remove it", what(waiver)),
                        waiver: waiver_ref(waiver),
                    });
                }
                None => {}
            }
        }
        warnings
    }
}

fn what(waiver: &Waiver) -> String {
    format!("waiver for {} on `{}` (owner {})", waiver.rule, waiver.resource, waiver.owner)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiver(rule: &str, resource: &str, expires: &str) -> Waiver {
        Waiver {
            rule: rule.into(),
            resource: resource.into(),
            account: None,
            reason: "migrating (JIRA-1)".into(),
            owner: "team-platform".into(),
            expires: expires.parse().unwrap(),
        }
    }

    fn result(rule: &str, status: Status, resource: &str) -> RuleResult {
        RuleResult {
            rule_id: rule.into(),
            status,
            severity: crate::finding::Severity::High,
            account: "111111111111".into(),
            region: None,
            resource: resource.into(),
            message: "m".into(),
            evidence: serde_json::json!({}),
            waiver: None,
            snapshot_line: None,
            baseline: None,
        }
    }

    fn ids<'a>(evaluated: &[&'a str], known: &[&'a str]) -> RuleIds<'a> {
        RuleIds { evaluated: evaluated.iter().copied().collect(), known: known.iter().copied().collect() }
    }

    fn today() -> NaiveDate {
        "2026-11-24".parse().unwrap()
    }

    #[test]
    fn applies_to_fail_with_owner_and_never_to_error() {
        let mut results = vec![
            result("CT-007", Status::Fail, "arn:aws:s3:::legacy-a"),
            result("CT-007", Status::Error, "arn:aws:s3:::legacy-b"),
            result("CT-007", Status::Fail, "arn:aws:s3:::other"),
        ];
        let warnings =
            apply(&[waiver("CT-007", "arn:aws:s3:::legacy-*", "2026-11-24")], &mut results, today(), &ids(&["CT-007"], &["CT-007"]));
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(results[0].status, Status::Waived);
        let applied = results[0].waiver.as_ref().unwrap();
        assert_eq!(
            (applied.owner.as_str(), applied.expires.as_deref(), applied.original_status),
            ("team-platform", Some("2026-11-24"), Status::Fail)
        );
        assert_eq!(results[1].status, Status::Error, "an error is not an accepted risk");
        assert!(results[1].waiver.is_none());
        assert_eq!(results[2].status, Status::Fail, "glob does not match");
    }

    #[test]
    fn expired_waiver_warns_and_does_not_apply() {
        let mut results = vec![result("CT-007", Status::Fail, "arn:aws:s3:::legacy-a")];
        let warnings = apply(&[waiver("CT-007", "*", "2026-11-23")], &mut results, today(), &ids(&["CT-007"], &["CT-007"]));
        assert_eq!(results[0].status, Status::Fail);
        assert_eq!(warnings.len(), 1, "expired, and not also stale: {warnings:?}");
        assert_eq!(warnings[0].kind, WarningKind::WaiverExpired);
        assert!(
            warnings[0].message.contains("expired on 2026-11-23") && warnings[0].message.contains("team-platform"),
            "{}",
            warnings[0].message
        );
    }

    #[test]
    fn stale_when_nothing_fails_or_the_rule_does_not_exist() {
        let mut results = vec![result("CT-007", Status::Pass, "arn:aws:s3:::legacy-a"), result("CT-005", Status::Error, "arn:t")];
        let waivers = [
            waiver("CT-007", "arn:aws:s3:::legacy-*", "2027-01-01"),
            waiver("CT-099", "*", "2027-01-01"),
            waiver("CT-005", "*", "2027-01-01"),
            waiver("CT-003", "*", "2027-01-01"),
        ];
        let warnings = apply(&waivers, &mut results, today(), &ids(&["CT-007", "CT-005"], &["CT-003", "CT-005", "CT-007"]));
        let stale: Vec<&str> = warnings.iter().filter(|w| w.kind == WarningKind::WaiverStale).map(|w| w.waiver.rule.as_str()).collect();
        // CT-005 matches an error (not waived, but the failure may still be there: not stale);
        // CT-003 was not evaluated in this run (a --framework run): not judged.
        assert_eq!(stale, ["CT-007", "CT-099"], "{warnings:?}");
        assert!(warnings[1].message.contains("no rule CT-099"), "{}", warnings[1].message);
        assert_eq!(results[0].status, Status::Pass, "a pass is never touched");
    }

    #[test]
    fn rule_globs_waive_every_rule_they_match_and_go_stale_like_ids() {
        let mut results = vec![
            result("MON-001", Status::Fail, "AWS::::Account:111111111111"),
            result("MON-002", Status::Fail, "AWS::::Account:111111111111"),
            result("CT-001", Status::Fail, "AWS::::Account:111111111111"),
        ];
        let known = ["CT-001", "EVT-001", "MON-001", "MON-002"];
        let waivers = [waiver("mon-*", "*", "2027-01-01"), waiver("EVT-*", "*", "2027-01-01"), waiver("XYZ-*", "*", "2027-01-01")];
        let warnings = apply(&waivers, &mut results, today(), &ids(&known, &known));
        let statuses: Vec<Status> = results.iter().map(|r| r.status).collect();
        assert_eq!(statuses, [Status::Waived, Status::Waived, Status::Fail], "the glob matches rule ids, ignoring case");
        let stale: Vec<&str> = warnings.iter().filter(|w| w.kind == WarningKind::WaiverStale).map(|w| w.waiver.rule.as_str()).collect();
        assert_eq!(stale, ["EVT-*", "XYZ-*"], "EVT-* matches no failing result, XYZ-* no rule: {warnings:?}");
        assert!(warnings[1].message.contains("the pack has no rule XYZ-*"), "{}", warnings[1].message);

        // A glob whose rules were not evaluated (a --rules run) is not judged.
        let mut results = vec![result("CT-001", Status::Fail, "x")];
        let warnings = apply(&[waiver("MON-*", "*", "2027-01-01")], &mut results, today(), &ids(&["CT-001"], &known));
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn account_restricts_the_waiver() {
        let mut results = vec![result("CT-007", Status::Fail, "arn:x")];
        let mut w = waiver("CT-007", "*", "2027-01-01");
        w.account = Some("222222222222".into());
        let warnings = apply(&[w], &mut results, today(), &ids(&["CT-007"], &["CT-007"]));
        assert_eq!(results[0].status, Status::Fail);
        assert_eq!(warnings[0].kind, WarningKind::WaiverStale);
    }

    /// Waived a batch at a time (a snapshot file's audit), results and warnings
    /// are those of waiving them all at once: a waiver matched only in the last
    /// batch is not stale, one matched in none is.
    #[test]
    fn batches_waive_and_warn_as_the_whole_run() {
        let all = vec![
            result("CT-007", Status::Fail, "arn:aws:s3:::legacy-a"),
            result("CT-005", Status::Pass, "arn:t"),
            result("CT-005", Status::Error, "arn:t2"),
            result("CT-007", Status::Fail, "arn:aws:s3:::other"),
        ];
        let waivers = [
            waiver("CT-005", "*", "2027-01-01"),
            waiver("CT-007", "arn:aws:s3:::legacy-*", "2027-01-01"),
            waiver("CT-007", "arn:nothing", "2027-01-01"),
            waiver("CT-007", "*", "2026-01-01"),
        ];
        let rules = ids(&["CT-005", "CT-007"], &["CT-005", "CT-007"]);
        let mut whole = all.clone();
        let expected = apply(&waivers, &mut whole, today(), &rules);
        let mut tracker = Tracker::new(&waivers, today(), &rules);
        let mut batched = Vec::new();
        for batch in all.chunks(1) {
            let mut batch = batch.to_vec();
            tracker.apply(&mut batch);
            batched.extend(batch);
        }
        assert_eq!(batched, whole);
        assert_eq!(tracker.warnings(), expected);
        let kinds: Vec<(&str, WarningKind)> = expected.iter().map(|w| (w.waiver.resource.as_str(), w.kind)).collect();
        assert_eq!(kinds, [("arn:nothing", WarningKind::WaiverStale), ("*", WarningKind::WaiverExpired)]);
    }
}
