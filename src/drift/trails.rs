//! Trail drift: a trail removed, logging stopped, multi-region or log file
//! validation lost, KMS encryption or CloudWatch Logs delivery removed,
//! selectors narrowed.

use super::{Aspect, At, Pair, Sink, selectors};
use crate::finding::Severity;
use crate::snapshot::Trail;
use crate::snapshot::actions::Action;

pub(super) fn compare(pair: &Pair<'_>, sink: &mut Sink) {
    let account = pair.account();
    for (arn, old) in &pair.old.account.trails {
        let at = At { aspect: Aspect::Trail, account, region: Some(&old.home_region), resource: arn };
        match pair.new.account.trails.get(arn) {
            Some(new) => compare_trail(pair, old, new, sink),
            None => match pair.new.unknown(Action::CloudTrailDescribeTrails, Some(&old.home_region), None) {
                Some(reason) => sink.cannot(&at, reason),
                None => {
                    let logging = old.status.as_ref().is_some_and(|s| s.is_logging);
                    // Losing the one multi-region logging trail leaves regions unlogged.
                    let severity = if logging && old.is_multi_region_trail { Severity::Critical } else { Severity::High };
                    sink.drift.push(at.change(severity, "present", "absent", format!("trail {} was deleted", old.name)));
                }
            },
        }
    }
    for (arn, new) in &pair.new.account.trails {
        if !pair.old.account.trails.contains_key(arn) {
            let at = At { aspect: Aspect::Trail, account, region: Some(&new.home_region), resource: arn };
            sink.improvements.push(at.change(Severity::Info, "absent", "present", format!("trail {} was created", new.name)));
        }
    }
}

fn compare_trail(pair: &Pair<'_>, old: &Trail, new: &Trail, sink: &mut Sink) {
    let account = pair.account();
    let region = Some(new.home_region.as_str());
    let at = |aspect| At { aspect, account, region, resource: &new.arn };

    match (&old.status, &new.status) {
        (Some(o), Some(n)) => {
            sink.flag(&at(Aspect::Logging), Severity::High, o.is_logging, n.is_logging, ("logging", "not logging"), "trail logging")
        }
        _ => {
            // A status missing on either side settles nothing; say so only when a call failed.
            if let Some(reason) = pair.unknown(Action::CloudTrailGetTrailStatus, region, Some(&new.arn)) {
                sink.cannot(&at(Aspect::Logging), reason);
            }
        }
    }
    sink.flag(
        &at(Aspect::MultiRegion),
        Severity::High,
        old.is_multi_region_trail,
        new.is_multi_region_trail,
        ("multi-region", "single-region"),
        "trail scope",
    );
    sink.flag(
        &at(Aspect::LogFileValidation),
        Severity::Medium,
        old.log_file_validation_enabled,
        new.log_file_validation_enabled,
        ("enabled", "disabled"),
        "log file validation",
    );
    optional_setting(
        &at(Aspect::Encryption),
        sink,
        (old.kms_key_id.as_deref(), new.kms_key_id.as_deref()),
        "SSE-S3 only",
        ("KMS encryption of log files", Severity::Medium),
    );
    optional_setting(
        &at(Aspect::CloudWatchLogs),
        sink,
        (old.cloud_watch_logs_log_group_arn.as_deref(), new.cloud_watch_logs_log_group_arn.as_deref()),
        "none",
        ("CloudWatch Logs delivery", Severity::Medium),
    );

    match (&old.event_selectors, &new.event_selectors) {
        (Some(o), Some(n)) => selectors::compare(&at(Aspect::ManagementEvents), &at(Aspect::S3DataEvents), o, n, sink),
        _ => {
            if let Some(reason) = pair.unknown(Action::CloudTrailGetEventSelectors, region, Some(&new.arn)) {
                sink.cannot(&at(Aspect::ManagementEvents), reason);
            }
        }
    }
}

/// A setting that protects the trail when present (a KMS key, a log group):
/// removed → drift at `severity`; added → improvement; replaced by another
/// value → low-severity drift, since the new target has not been reviewed.
fn optional_setting(at: &At<'_>, sink: &mut Sink, values: (Option<&str>, Option<&str>), none: &str, what: (&str, Severity)) {
    let (label, severity) = what;
    match values {
        (Some(before), None) => sink.drift.push(at.change(severity, before, none, format!("{label} removed"))),
        (None, Some(after)) => sink.improvements.push(at.change(Severity::Info, none, after, format!("{label} added"))),
        (Some(before), Some(after)) if before != after => {
            sink.drift.push(at.change(Severity::Low, before, after, format!("{label} now goes elsewhere")));
        }
        _ => {}
    }
}
