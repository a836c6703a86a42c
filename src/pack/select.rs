//! Which rules a run evaluates: `--framework`, `--rules`, `--skip-rules` and
//! `--min-severity` together. Patterns are rule ids or globs (`MON-*`,
//! `CT-00?`), matched without regard to case. A pattern that matches no rule
//! of the pack, and a selection that leaves no rule, are errors naming what
//! was asked for: a typo must not turn into an audit of nothing.

use globset::{GlobBuilder, GlobMatcher};

use crate::finding::{Rule, Severity};

/// A rule-id pattern: an id or a glob, case-insensitive. Also used by waivers (`rule: "MON-*"`).
pub fn rule_matcher(pattern: &str) -> Result<GlobMatcher, String> {
    GlobBuilder::new(pattern)
        .case_insensitive(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| format!("invalid rule pattern `{pattern}`: {}", e.kind()))
}

/// What the command line asked for; empty = every rule.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only rules serving this framework key.
    pub framework: Option<String>,
    /// Only rules matching one of these patterns (`--rules`).
    pub rules: Vec<String>,
    /// Never rules matching one of these (`--skip-rules`).
    pub skip_rules: Vec<String>,
    /// Only rules of this severity or higher.
    pub min_severity: Option<Severity>,
}

impl Selection {
    pub fn is_everything(&self) -> bool {
        self.framework.is_none() && self.rules.is_empty() && self.skip_rules.is_empty() && self.min_severity.is_none()
    }

    /// The ids of the (non-deprecated) rules of `rules` selected, sorted;
    /// `None` when nothing restricts the run.
    pub fn apply(&self, rules: &[Rule]) -> Result<Option<Vec<String>>, String> {
        if self.is_everything() {
            return Ok(None);
        }
        let live: Vec<&Rule> = rules.iter().filter(|r| !r.meta.custom.deprecated).collect();
        let compile = |flag: &str, patterns: &[String]| -> Result<Vec<GlobMatcher>, String> {
            patterns
                .iter()
                .map(|p| {
                    let m = rule_matcher(p).map_err(|e| format!("{flag}: {e}"))?;
                    if live.iter().any(|r| m.is_match(r.id())) {
                        Ok(m)
                    } else {
                        Err(format!("{flag} `{p}` matches no rule of the pack (`trailaudit rules` lists them)"))
                    }
                })
                .collect()
        };
        let only = compile("--rules", &self.rules)?;
        let skip = compile("--skip-rules", &self.skip_rules)?;
        let mut ids: Vec<String> = live
            .iter()
            .filter(|r| self.framework.as_ref().is_none_or(|key| r.meta.custom.frameworks.contains_key(key)))
            .filter(|r| only.is_empty() || only.iter().any(|m| m.is_match(r.id())))
            .filter(|r| !skip.iter().any(|m| m.is_match(r.id())))
            .filter(|r| self.min_severity.is_none_or(|min| r.severity() >= min))
            .map(|r| r.id().to_owned())
            .collect();
        ids.sort();
        if ids.is_empty() {
            return Err(format!("the selection matches no rule: {}", self.describe()));
        }
        Ok(Some(ids))
    }

    /// The selection as it was written on the command line.
    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(f) = &self.framework {
            parts.push(format!("--framework {f}"));
        }
        if !self.rules.is_empty() {
            parts.push(format!("--rules {}", self.rules.join(",")));
        }
        if !self.skip_rules.is_empty() {
            parts.push(format!("--skip-rules {}", self.skip_rules.join(",")));
        }
        if let Some(s) = self.min_severity {
            parts.push(format!("--min-severity {s}"));
        }
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: &str, severity: &str, framework: &str) -> Rule {
        let yaml = format!(
            "title: T\ndescription: D\ncustom:\n  id: {id}\n  severity: {severity}\n  subject: account\n  requires: [cloudtrail:DescribeTrails]\n  frameworks: {{{framework}: ['1']}}\n  remediation: {{console: c, cli: x}}\n"
        );
        Rule::for_tests(&yaml, "p", "p.rego")
    }

    fn pack() -> Vec<Rule> {
        vec![
            rule("CT-001", "high", "cis-aws-v5.0"),
            rule("CT-006", "critical", "aws-securityhub"),
            rule("MON-001", "medium", "cis-aws-v5.0"),
            rule("MON-002", "low", "cis-aws-v5.0"),
        ]
    }

    fn ids(sel: Selection) -> Result<Option<Vec<String>>, String> {
        sel.apply(&pack())
    }

    #[test]
    fn nothing_asked_is_every_rule() {
        assert_eq!(ids(Selection::default()), Ok(None));
    }

    #[test]
    fn ids_globs_skips_and_severity_compose() {
        let sel = |rules: &[&str], skip: &[&str], min: Option<Severity>, framework: Option<&str>| Selection {
            framework: framework.map(str::to_owned),
            rules: rules.iter().map(|s| s.to_string()).collect(),
            skip_rules: skip.iter().map(|s| s.to_string()).collect(),
            min_severity: min,
        };
        assert_eq!(ids(sel(&["mon-*"], &[], None, None)).unwrap().unwrap(), ["MON-001", "MON-002"], "globs ignore case");
        assert_eq!(ids(sel(&["CT-001", "MON-*"], &["MON-002"], None, None)).unwrap().unwrap(), ["CT-001", "MON-001"]);
        assert_eq!(ids(sel(&[], &["MON-*"], None, None)).unwrap().unwrap(), ["CT-001", "CT-006"]);
        assert_eq!(ids(sel(&[], &[], Some(Severity::High), None)).unwrap().unwrap(), ["CT-001", "CT-006"]);
        assert_eq!(ids(sel(&[], &[], Some(Severity::Medium), Some("cis-aws-v5.0"))).unwrap().unwrap(), ["CT-001", "MON-001"]);
    }

    #[test]
    fn a_pattern_matching_nothing_or_an_empty_selection_is_an_error() {
        let e = ids(Selection { rules: vec!["CT-001".into(), "XYZ-*".into()], ..Selection::default() }).unwrap_err();
        assert!(e.contains("--rules `XYZ-*` matches no rule"), "{e}");
        let e = ids(Selection { skip_rules: vec!["CT-9*".into()], ..Selection::default() }).unwrap_err();
        assert!(e.contains("--skip-rules `CT-9*` matches no rule"), "{e}");
        let e = ids(Selection { rules: vec!["MON-002".into()], min_severity: Some(Severity::High), ..Selection::default() }).unwrap_err();
        assert!(e.contains("the selection matches no rule: --rules MON-002 --min-severity high"), "{e}");
        let e = ids(Selection { rules: vec!["CT-[".into()], ..Selection::default() }).unwrap_err();
        assert!(e.contains("invalid rule pattern `CT-[`"), "{e}");
    }
}
