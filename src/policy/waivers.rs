//! Waivers: a failing result accepted for a while, with a reason on record.
//! Expired waivers stop applying (and say so) instead of hiding a finding forever.

use chrono::NaiveDate;

use super::result::{AppliedWaiver, RuleResult};
use super::types::Status;
use crate::config::Waiver;

/// Applies `waivers` to failing results; returns notices about expired waivers.
pub fn apply(waivers: &[Waiver], results: &mut [RuleResult], today: NaiveDate) -> Vec<String> {
    let mut notices = Vec::new();
    let matchers: Vec<(&Waiver, globset::GlobMatcher)> = waivers
        .iter()
        .filter_map(|w| globset::Glob::new(&w.resource).ok().map(|g| (w, g.compile_matcher())))
        .collect();
    for (waiver, _) in &matchers {
        if waiver.expires < today {
            notices.push(format!(
                "waiver for {} on `{}` expired on {} and no longer applies ({})",
                waiver.rule, waiver.resource, waiver.expires, waiver.reason
            ));
        }
    }
    for result in results.iter_mut().filter(|r| r.status == Status::Fail) {
        let found = matchers.iter().find(|(w, m)| {
            w.expires >= today
                && w.rule == result.rule_id
                && w.account.as_ref().is_none_or(|a| *a == result.account)
                && m.is_match(&result.resource)
        });
        if let Some((waiver, _)) = found {
            result.waiver = Some(AppliedWaiver {
                reason: waiver.reason.clone(),
                expires: Some(waiver.expires.to_string()),
                original_status: result.status,
            });
            result.status = Status::Waived;
        }
    }
    notices
}
