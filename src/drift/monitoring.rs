//! Monitoring drift: CloudWatch alarms deleted or silenced, log groups and
//! metric filters deleted or their patterns changed, AWS Config recorders
//! removed or stopped.

use super::{Aspect, At, Pair, Sink};
use crate::finding::Severity;
use crate::snapshot::LogGroup;
use crate::snapshot::actions::Action;

pub(super) fn compare(pair: &Pair<'_>, sink: &mut Sink) {
    alarms(pair, sink);
    log_groups(pair, sink);
    recorders(pair, sink);
}

fn alarms(pair: &Pair<'_>, sink: &mut Sink) {
    let account = pair.account();
    for (arn, old) in &pair.old.account.alarms {
        let at = At { aspect: Aspect::Alarm, account, region: Some(&old.region), resource: arn };
        match pair.new.account.alarms.get(arn) {
            Some(new) => {
                let at = At { aspect: Aspect::AlarmActions, ..at };
                let what = format!("actions of alarm {}", new.name);
                sink.flag(&at, Severity::Medium, old.actions_enabled, new.actions_enabled, ("enabled", "disabled"), &what);
            }
            None => match pair.new.unknown(Action::CloudWatchDescribeAlarms, Some(&old.region), None) {
                Some(reason) => sink.cannot(&at, reason),
                None => sink.drift.push(at.change(Severity::Medium, "present", "absent", format!("alarm {} was deleted", old.name))),
            },
        }
    }
    for (arn, new) in &pair.new.account.alarms {
        if !pair.old.account.alarms.contains_key(arn) {
            let at = At { aspect: Aspect::Alarm, account, region: Some(&new.region), resource: arn };
            sink.improvements.push(at.change(Severity::Info, "absent", "present", format!("alarm {} was created", new.name)));
        }
    }
}

fn log_groups(pair: &Pair<'_>, sink: &mut Sink) {
    let account = pair.account();
    for (arn, old) in &pair.old.account.log_groups {
        let at = At { aspect: Aspect::LogGroup, account, region: Some(&old.region), resource: arn };
        match pair.new.account.log_groups.get(arn) {
            Some(new) => metric_filters(pair, old, new, sink),
            None => match pair.new.unknown(Action::LogsDescribeLogGroups, Some(&old.region), None) {
                Some(reason) => sink.cannot(&at, reason),
                None => {
                    let filters = old.metric_filters.as_ref().map_or(0, Vec::len);
                    let message = format!("log group {} was deleted, with its {filters} metric filter(s)", old.name);
                    sink.drift.push(at.change(Severity::Medium, "present", "absent", message));
                }
            },
        }
    }
    // A new log group matters only through a trail delivering to it, which trail drift reports.
}

fn metric_filters(pair: &Pair<'_>, old: &LogGroup, new: &LogGroup, sink: &mut Sink) {
    let account = pair.account();
    let region = Some(new.region.as_str());
    let (Some(old_filters), Some(new_filters)) = (&old.metric_filters, &new.metric_filters) else {
        if let Some(reason) = pair.unknown(Action::LogsDescribeMetricFilters, region, Some(&new.arn)) {
            let at = At { aspect: Aspect::MetricFilter, account, region, resource: &new.arn };
            sink.cannot(&at, reason);
        }
        return;
    };
    for of in old_filters {
        let resource = format!("{}/{}", new.arn, of.name);
        let at = At { aspect: Aspect::MetricFilter, account, region, resource: &resource };
        match new_filters.iter().find(|nf| nf.name == of.name) {
            None => sink.drift.push(at.change(
                Severity::Medium,
                of.pattern.clone(),
                "absent",
                format!("metric filter {} on log group {} was deleted", of.name, new.name),
            )),
            Some(nf) if nf.pattern != of.pattern => sink.drift.push(at.change(
                Severity::Medium,
                of.pattern.clone(),
                nf.pattern.clone(),
                format!("metric filter {} on log group {} has a new pattern", of.name, new.name),
            )),
            Some(_) => {}
        }
    }
    for nf in new_filters {
        if !old_filters.iter().any(|of| of.name == nf.name) {
            let resource = format!("{}/{}", new.arn, nf.name);
            let at = At { aspect: Aspect::MetricFilter, account, region, resource: &resource };
            let message = format!("metric filter {} on log group {} was created", nf.name, new.name);
            sink.improvements.push(at.change(Severity::Info, "absent", nf.pattern.clone(), message));
        }
    }
}

fn recorders(pair: &Pair<'_>, sink: &mut Sink) {
    let account = pair.account();
    for (region, old_inventory) in &pair.old.account.regions {
        let new_inventory = pair.new.account.regions.get(region);
        for old in &old_inventory.config_recorders {
            let resource = format!("config-recorder/{region}/{}", old.name);
            let at = At { aspect: Aspect::ConfigRecorder, account, region: Some(region), resource: &resource };
            let new = new_inventory.and_then(|inv| inv.config_recorders.iter().find(|r| r.name == old.name));
            let Some(new) = new else {
                match pair.new.unknown(Action::ConfigDescribeConfigurationRecorders, Some(region), None) {
                    Some(reason) => sink.cannot(&at, reason),
                    None => sink.drift.push(at.change(
                        Severity::Medium,
                        "present",
                        "absent",
                        format!("AWS Config recorder {} in {region} was deleted", old.name),
                    )),
                }
                continue;
            };
            match (old.recording, new.recording) {
                (Some(before), Some(after)) => {
                    let what = format!("AWS Config recorder {}", old.name);
                    sink.flag(&at, Severity::Medium, before, after, ("recording", "stopped"), &what);
                }
                _ => {
                    if let Some(reason) = pair.unknown(Action::ConfigDescribeConfigurationRecorderStatus, Some(region), None) {
                        sink.cannot(&at, reason);
                    }
                }
            }
        }
    }
    for (region, new_inventory) in &pair.new.account.regions {
        let old_inventory = pair.old.account.regions.get(region);
        for new in &new_inventory.config_recorders {
            if !old_inventory.is_some_and(|inv| inv.config_recorders.iter().any(|r| r.name == new.name)) {
                let resource = format!("config-recorder/{region}/{}", new.name);
                let at = At { aspect: Aspect::ConfigRecorder, account, region: Some(region), resource: &resource };
                let message = format!("AWS Config recorder {} in {region} was created", new.name);
                sink.improvements.push(at.change(Severity::Info, "absent", "present", message));
            }
        }
    }
}
