//! AWS Config: configuration recorders and their status in one region.

use crate::snapshot::ConfigRecorder;
use crate::snapshot::actions::Action;

use super::context::Ctx;

/// `None` when DescribeConfigurationRecorders failed; a failed status call
/// leaves `recording` null on each recorder (and is recorded in errors).
pub(crate) async fn recorders(ctx: &Ctx, region: &str) -> Option<Vec<ConfigRecorder>> {
    let _permit = ctx.permit().await;
    let client = ctx.config(region);
    let (recorders, status) =
        tokio::join!(client.describe_configuration_recorders().send(), client.describe_configuration_recorder_status().send());
    ctx.tick(region, "config");
    let recorders = match recorders {
        Ok(out) => out.configuration_recorders().to_vec(),
        Err(err) => {
            ctx.fail(Action::ConfigDescribeConfigurationRecorders, Some(region), None, &err);
            return None;
        }
    };
    let status = match status {
        Ok(out) => Some(out.configuration_recorders_status().to_vec()),
        Err(err) => {
            ctx.fail(Action::ConfigDescribeConfigurationRecorderStatus, Some(region), None, &err);
            None
        }
    };
    let mut out: Vec<ConfigRecorder> = recorders
        .iter()
        .map(|r| {
            let name = r.name().unwrap_or_default().to_owned();
            let st = status.as_ref().and_then(|s| s.iter().find(|s| s.name() == Some(name.as_str())));
            let group = r.recording_group();
            ConfigRecorder {
                role_arn: r.role_arn().map(str::to_owned),
                all_supported: group.is_some_and(|g| g.all_supported()),
                include_global_resource_types: group.is_some_and(|g| g.include_global_resource_types()),
                recording: status.as_ref().map(|_| st.is_some_and(|s| s.recording())),
                last_status: st.and_then(|s| s.last_status()).map(|s| s.as_str().to_owned()),
                name,
            }
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Some(out)
}
