//! The live collector: reads one or more AWS accounts with the AWS SDK for
//! Rust and produces a [`Snapshot`].
//!
//! Shape of a collection: identify each account (sts:GetCallerIdentity), pick
//! the regions, then per account fan out over regions and services under one
//! bounded concurrency limit. Every failed call becomes a
//! [`CollectionError`](crate::snapshot::CollectionError) in the snapshot instead
//! of aborting: only set-up problems (no credentials, no region, the first
//! account unreachable) are `Err`.
//!
//! Module per concern: [`setup`] (SDK config, identity, regions), `account`
//! (the per-account plan), `cloudtrail`, `s3`, `monitoring` (logs, alarms,
//! SNS), `kms`, `config_service`, `events` (LookupEvents), `stats`.

mod account;
mod cloudtrail;
mod config_service;
mod context;
mod errors;
mod events;
mod join;
mod kms;
mod monitoring;
mod progress;
#[cfg(test)]
mod replay_tests;
mod s3;
mod s3control_host;
mod setup;
mod stats;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;
use chrono::Utc;
use tokio::sync::Semaphore;

use crate::snapshot::{CollectionSettings, Metadata, SCHEMA_VERSION, Snapshot, ToolInfo};
use context::{Ctx, Shared};
pub use s3::BucketScope;
pub use setup::https_client;
pub use stats::CollectStats;

/// The most LookupEvents can reach back.
pub const MAX_EVENT_HISTORY_DAYS: u32 = 90;

/// What to collect and how. `Debug` is safe: no credentials are held here.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// Named profile from the shared config files; `None` = default chain.
    pub profile: Option<String>,
    /// Regions to read; `None` = the account's enabled regions (account:ListRegions).
    pub regions: Option<Vec<String>>,
    /// One endpoint for every call (tests, emulators); `AWS_ENDPOINT_URL` works too.
    /// Forces path-style S3 addressing.
    pub endpoint_url: Option<String>,
    /// Further accounts, reached with sts:AssumeRole from the base credentials.
    pub role_arns: Vec<String>,
    /// Upper bound on calls in flight across all accounts, regions and services.
    pub concurrency: usize,
    /// Days of LookupEvents history (at most 90); 0 skips event history.
    pub event_history_days: u32,
    /// Cap on events kept per account.
    pub max_events: u32,
    /// Timeout of one API operation, retries included.
    pub call_timeout: Duration,
    /// Show progress on stderr, one line per account and region (the caller
    /// decides: stderr is a terminal and `CI` is unset).
    pub progress: bool,
    /// Which buckets besides trail buckets to list (see [`BucketScope`]).
    pub sensitive_bucket_scope: BucketScope,
}

impl Default for CollectOptions {
    fn default() -> Self {
        CollectOptions {
            profile: None,
            regions: None,
            endpoint_url: None,
            role_arns: Vec::new(),
            concurrency: 16,
            event_history_days: 7,
            max_events: 10_000,
            call_timeout: Duration::from_secs(30),
            progress: false,
            sensitive_bucket_scope: BucketScope::default(),
        }
    }
}

/// Collects every configured account into one snapshot.
pub async fn collect(options: &CollectOptions) -> anyhow::Result<(Snapshot, CollectStats)> {
    if options.event_history_days > MAX_EVENT_HISTORY_DAYS {
        bail!(
            "event history of {} days requested; LookupEvents reaches back at most {MAX_EVENT_HISTORY_DAYS} days",
            options.event_history_days
        );
    }
    if options.concurrency == 0 {
        bail!("concurrency must be at least 1");
    }
    if options.regions.as_ref().is_some_and(Vec::is_empty) {
        bail!("the list of regions is empty");
    }
    let started = Instant::now();
    let collected_at = Utc::now();
    let base = setup::base_config(options).await?;
    let endpoint_override = options.endpoint_url.is_some() || base.endpoint_url().is_some();
    let progress = if options.progress { progress::Progress::stderr() } else { progress::Progress::hidden() };
    let shared =
        Arc::new(Shared { recorder: stats::Recorder::default(), limit: Semaphore::new(options.concurrency), progress, endpoint_override });

    let (account_id, partition) = setup::identity(&base, &shared.recorder).await?;
    let first = Arc::new(Ctx::new(base.clone(), account_id, partition.clone(), shared.clone()));
    let regions = match &options.regions {
        Some(r) => {
            let mut r = r.clone();
            r.sort();
            r.dedup();
            r
        }
        None => setup::discover_regions(&first).await,
    };

    let mut contexts = vec![first];
    let mut errors = Vec::new();
    for role in &options.role_arns {
        let sdk = setup::assume_role(&base, role).await;
        match setup::identity(&sdk, &shared.recorder).await {
            Ok((id, part)) => contexts.push(Arc::new(Ctx::new(sdk, id, part, shared.clone()))),
            Err(e) => errors.push(assume_role_error(role, &e)),
        }
    }

    let plans = contexts.iter().map(|ctx| account::collect_account(ctx, &regions, options));
    let accounts = join::join_all(plans).await;
    shared.progress.finish();

    let mut accounts = accounts;
    for ctx in &contexts {
        errors.extend(ctx.take_errors());
    }
    accounts.sort_by(|a, b| a.account_id.cmp(&b.account_id));
    errors.sort();
    errors.dedup();
    let snapshot = Snapshot {
        schema_version: SCHEMA_VERSION,
        metadata: Metadata {
            tool: ToolInfo { name: env!("CARGO_PKG_NAME").to_owned(), version: env!("CARGO_PKG_VERSION").to_owned() },
            collected_at,
            partition,
            regions,
            settings: CollectionSettings { event_history_days: options.event_history_days, event_history_max_events: options.max_events },
        },
        organization: None,
        accounts,
        errors,
    };
    Ok((snapshot, shared.recorder.finish(started.elapsed())))
}

/// A role that could not be assumed: recorded against the role's account.
fn assume_role_error(role: &str, err: &anyhow::Error) -> crate::snapshot::CollectionError {
    crate::snapshot::CollectionError {
        service: "sts".to_owned(),
        operation: "GetCallerIdentity".to_owned(),
        account_id: role.split(':').nth(4).unwrap_or_default().to_owned(),
        region: None,
        resource: Some(role.to_owned()),
        error_code: "AssumeRoleFailed".to_owned(),
        message: format!("{err:#}").chars().filter(|c| !c.is_control()).take(500).collect(),
        kind: crate::snapshot::ErrorKind::Failed,
    }
}
