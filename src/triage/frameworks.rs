//! A per-control verdict for `--framework`, from the results of the rules that
//! serve each control.

use crate::finding::{Audit, ControlStatus, ControlSummary, FrameworkSummary, Status};
use crate::pack::frameworks::Framework;

/// Per-control verdicts of `audit` for `framework`. A control fails if any
/// result fails, is `error` if none fails but one could not be judged.
pub fn summarize(audit: &Audit, framework: &Framework) -> FrameworkSummary {
    let tally = audit.tally();
    let controls = framework
        .controls
        .iter()
        .map(|control| {
            let rules: Vec<String> = audit
                .rules
                .iter()
                .filter(|r| r.meta.custom.frameworks.get(&framework.key).is_some_and(|ids| ids.contains(&control.id)))
                .map(|r| r.id().to_owned())
                .collect();
            let count = |s: Status| -> usize { rules.iter().filter_map(|id| tally.by_rule.get(id)).map(|c| c.get(s)).sum() };
            let (passed, failed, errors, waived) = (count(Status::Pass), count(Status::Fail), count(Status::Error), count(Status::Waived));
            let status = if rules.is_empty() && control.manual.is_some() {
                ControlStatus::Manual
            } else if rules.is_empty() {
                ControlStatus::NotCovered
            } else if failed > 0 {
                ControlStatus::Fail
            } else if errors > 0 {
                ControlStatus::Error
            } else if waived > 0 {
                ControlStatus::Waived
            } else if passed > 0 {
                ControlStatus::Pass
            } else {
                ControlStatus::NoSubjects
            };
            let note = match status {
                ControlStatus::NotCovered => {
                    Some(control.not_covered.clone().unwrap_or_else(|| "no rule of the pack serves this control".into()))
                }
                ControlStatus::Manual => control.manual.clone(),
                // Say what was missing: a per-trail control on an account without
                // a trail has nothing to judge, which is not a pass.
                ControlStatus::NoSubjects => {
                    let mut kinds: Vec<&str> = audit
                        .rules
                        .iter()
                        .filter(|r| rules.iter().any(|id| id == r.id()))
                        .map(|r| r.meta.custom.subject.as_str())
                        .collect();
                    kinds.sort_unstable();
                    kinds.dedup();
                    Some(format!("nothing to judge: no {} in this snapshot (rules {})", kinds.join(" or "), rules.join(", ")))
                }
                _ => None,
            };
            ControlSummary {
                id: control.id.clone(),
                title: control.title.clone(),
                status,
                rules,
                passed,
                failed,
                errors,
                waived,
                note,
                manual: control.manual.clone(),
            }
        })
        .collect();
    FrameworkSummary { key: framework.key.clone(), title: framework.title.clone(), controls }
}
