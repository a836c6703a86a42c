//! Live collection for `trailaudit collect` and live `trailaudit audit`.

use std::io::IsTerminal;

use anyhow::Context;

use super::load_config;
use crate::cli::{CollectArgs, LiveArgs, OrganizationArgs};
use crate::collect::{BucketScope, CollectOptions, OrganizationOptions, collect, collect_to_file};
use crate::config::Config;
use crate::finding::Outcome;
use crate::snapshot::Snapshot;

pub fn collect_only(args: CollectArgs) -> anyhow::Result<Outcome> {
    super::check_output_dirs([args.output.as_path()])?;
    let config_file = super::config_path(args.config.as_deref());
    super::check_paths(&[("--config", config_file.as_deref())], &[("--output", Some(&args.output))])?;
    let config = load_config(args.config.as_deref())?;
    let options = collect_options(&args.live, &config);
    let (written, stats) = runtime()?.block_on(collect_to_file(&options, &args.output))?;
    if args.live.stats {
        eprintln!("{stats}");
    }
    for id in written.duplicates.iter().filter(|_| !super::quiet()) {
        eprintln!(
            "trailaudit: warning: account {id} was collected more than once (a --role-arn of the calling account itself?); its first copy is kept"
        );
    }
    if !super::quiet() {
        eprintln!(
            "trailaudit: wrote {} ({} account(s), {} region(s), {} failed call(s))",
            args.output.display(),
            written.accounts,
            written.regions,
            written.gaps
        );
    }
    // A snapshot with failed calls is still written, but the run says it is incomplete.
    Ok(if written.gaps > 0 { Outcome::Incomplete } else { Outcome::Clean })
}

pub(crate) fn collect_live(live: &LiveArgs, config: &Config) -> anyhow::Result<Snapshot> {
    let options = collect_options(live, config);
    let (snapshot, stats) = runtime()?.block_on(collect(&options))?;
    if live.stats {
        eprintln!("{stats}");
    }
    Ok(snapshot)
}

fn collect_options(live: &LiveArgs, config: &Config) -> CollectOptions {
    let progress = super::show_progress(std::io::stderr().is_terminal(), std::env::var_os("CI").is_some());
    CollectOptions {
        profile: live.profile.clone(),
        regions: live.regions.clone().or_else(|| config.collect.regions.clone()),
        endpoint_url: live.endpoint_url.clone(),
        role_arns: if live.role_arns.is_empty() { config.collect.role_arns.clone() } else { live.role_arns.clone() },
        concurrency: usize::from(live.concurrency),
        event_history_days: live.event_history_days.or(config.collect.event_history_days).unwrap_or(7),
        max_events: live.max_events.or(config.collect.max_events).unwrap_or(CollectOptions::default().max_events),
        call_timeout: std::time::Duration::from_secs(live.call_timeout),
        progress,
        sensitive_bucket_scope: BucketScope::default(),
        dynamodb_tables: config.sensitive_dynamodb_tables.listing(),
        lambda_functions: config.sensitive_lambda_functions.listing(),
        organization: organization_options(&live.organization),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")
}

fn organization_options(args: &OrganizationArgs) -> Option<OrganizationOptions> {
    args.organization.then(|| OrganizationOptions {
        member_role: args.member_role.clone().unwrap_or_default(),
        external_id: args.external_id.clone(),
        ous: args.ous.clone(),
        accounts: args.accounts.clone(),
        exclude_accounts: args.exclude_accounts.clone(),
        shard: args.shard,
    })
}
