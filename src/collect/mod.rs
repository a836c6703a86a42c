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
mod data_resources;
mod errors;
/// The one-line text of an error and its causes, each said once (the CLI's error line too).
pub(crate) use errors::causes;
pub mod events;
mod join;
mod kms;
mod monitoring;
mod organization;
#[cfg(test)]
mod ownership_tests;
mod pacing;
mod pages;
mod progress;
#[cfg(test)]
mod replay_tests;
mod s3;
mod s3control_host;
mod setup;
mod stats;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use chrono::Utc;
use tokio::sync::Semaphore;

use crate::snapshot::actions::Action;
use crate::snapshot::spool::AccountSpool;
use crate::snapshot::{CollectionSettings, Metadata, SCHEMA_VERSION, Snapshot, ToolInfo};
use context::{Ctx, Shared};
pub use data_resources::Listing;
pub use organization::{OrganizationOptions, Shard, shard_of};
pub use s3::BucketScope;
pub use setup::{check_endpoint_url, https_client};
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
    /// Timeout of one attempt of an API call (one HTTP exchange); a call's
    /// retries each get their own (see `setup::timeout_config`).
    pub call_timeout: Duration,
    /// Show progress on stderr, one line per account and region (the caller
    /// decides: stderr is a terminal and `CI` is unset).
    pub progress: bool,
    /// Which buckets besides trail buckets to list (see [`BucketScope`]).
    pub sensitive_bucket_scope: BucketScope,
    /// DynamoDB tables to list, for sensitive tables' data events (see [`Listing`]).
    pub dynamodb_tables: Listing,
    /// Lambda functions to list, for sensitive functions' data events.
    pub lambda_functions: Listing,
    /// Discover the accounts from AWS Organizations (`--organization`) instead of `role_arns`.
    pub organization: Option<OrganizationOptions>,
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
            dynamodb_tables: Listing::Off,
            lambda_functions: Listing::Off,
            organization: None,
        }
    }
}

/// Collects every configured account into one snapshot, in memory (live
/// audits and tests; [`collect_to_file`] for large collections).
pub async fn collect(options: &CollectOptions) -> anyhow::Result<(Snapshot, CollectStats)> {
    let sink = Sink::Memory(Mutex::new(Vec::new()));
    let (head, stats) = run(options, &sink).await?;
    let Sink::Memory(accounts) = sink else { unreachable!("the sink made above") };
    let mut accounts = accounts.into_inner().expect("sink lock");
    accounts.sort_by(|a, b| a.account_id.cmp(&b.account_id));
    Ok((Snapshot { accounts, ..head }, stats))
}

/// What [`collect_to_file`] wrote.
#[derive(Debug, Clone)]
pub struct Written {
    pub accounts: usize,
    pub regions: usize,
    /// Calls whose data is missing (failed or owned outside the collection).
    pub gaps: usize,
    /// Accounts collected more than once, written once (ids).
    pub duplicates: Vec<String>,
}

/// Collects into the snapshot file `path`: each account is spooled to a
/// temporary file as it finishes, so memory holds the accounts in flight, not
/// every account collected; the file is written at the end, atomically.
pub async fn collect_to_file(options: &CollectOptions, path: &std::path::Path) -> anyhow::Result<(Written, CollectStats)> {
    let sink =
        Sink::Spool(AccountSpool::new().context("cannot create the temporary file accounts are spooled to")?, Mutex::new(Vec::new()));
    let (head, stats) = run(options, &sink).await?;
    let duplicates = sink.duplicates();
    let Sink::Spool(spool, _) = sink else { unreachable!("the sink made above") };
    let written = Written {
        accounts: spool.len(),
        regions: head.metadata.regions.len(),
        gaps: head.errors.iter().filter(|e| e.kind.is_gap()).count(),
        duplicates,
    };
    spool.write_file(path, &head.metadata, head.organization.as_ref(), &head.errors)?;
    Ok((written, stats))
}

/// Where finished accounts go.
enum Sink {
    Memory(Mutex<Vec<crate::snapshot::Account>>),
    /// The spool, and the ids of accounts it was handed a second time.
    Spool(AccountSpool, Mutex<Vec<String>>),
}

impl Sink {
    fn put(&self, account: crate::snapshot::Account) -> std::io::Result<()> {
        match self {
            Sink::Memory(v) => {
                v.lock().expect("sink lock").push(account);
                Ok(())
            }
            Sink::Spool(spool, duplicates) => {
                if !spool.push(&account)? {
                    duplicates.lock().expect("sink lock").push(account.account_id);
                }
                Ok(())
            }
        }
    }

    fn duplicates(&self) -> Vec<String> {
        match self {
            Sink::Memory(_) => Vec::new(),
            Sink::Spool(_, duplicates) => duplicates.lock().expect("sink lock").clone(),
        }
    }
}

/// The collection itself: every account is handed to `sink` as it finishes;
/// the returned snapshot carries metadata, scope and errors, no accounts.
///
/// Accounts are collected concurrently, each as one future (assume its role,
/// identify it, read it), so a slow or failing account delays only itself.
async fn run(options: &CollectOptions, sink: &Sink) -> anyhow::Result<(Snapshot, CollectStats)> {
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
    if let Some(org) = &options.organization {
        if org.member_role.trim().is_empty() {
            bail!("--organization needs --member-role NAME: the role trailaudit assumes in every member account");
        }
        if !options.role_arns.is_empty() {
            bail!("--organization discovers the accounts itself; drop --role-arn (use --accounts / --exclude-accounts to choose)");
        }
    }
    let started = Instant::now();
    let collected_at = Utc::now();
    let base = setup::base_config(options).await?;
    let endpoint_override = options.endpoint_url.is_some() || base.endpoint_url().is_some();
    let progress = if options.progress { progress::Progress::stderr() } else { progress::Progress::hidden() };
    let several = options.organization.is_some() || !options.role_arns.is_empty();
    let per_account = if several { (options.concurrency / 4).max(2).min(options.concurrency) } else { options.concurrency };
    let shared = Arc::new(Shared {
        recorder: stats::Recorder::default(),
        limit: Semaphore::new(options.concurrency),
        per_account,
        progress,
        endpoint_override,
    });

    let (account_id, partition) =
        setup::identity(&base, &shared.recorder, setup::Whose::Caller { profile: options.profile.as_deref() }).await?;
    let caller = Arc::new(Ctx::new(base.clone(), account_id.clone(), partition.clone(), shared.clone()));
    let regions = match &options.regions {
        Some(r) => {
            let mut r = r.clone();
            r.sort();
            r.dedup();
            r
        }
        None => setup::discover_regions(&caller).await,
    };

    let mut errors = Vec::new();
    let (targets, scope, ownership) = match &options.organization {
        Some(org) => {
            let discovery = organization::discover(&caller, org).await?;
            errors.extend(caller.take_errors());
            let caller_in_share = discovery.members.iter().any(|m| m.account_id == account_id);
            let (organization_buckets, organization_keys) = organization_resources(&caller, &regions, !caller_in_share).await;
            let targets: Vec<Target> = discovery
                .members
                .into_iter()
                .map(|m| {
                    let role = (m.account_id != account_id)
                        .then(|| format!("arn:{partition}:iam::{}:role/{}", m.account_id, org.member_role.trim()));
                    Target { role, organization: Some(m.organization) }
                })
                .collect();
            let ownership = account::Ownership {
                organization: true,
                collected: discovery.scope.selected_accounts.iter().cloned().collect(),
                organization_buckets,
                organization_keys,
            };
            (targets, Some(discovery.scope), ownership)
        }
        None => {
            let mut targets = vec![Target { role: None, organization: None }];
            targets.extend(options.role_arns.iter().map(|r| Target { role: Some(r.clone()), organization: None }));
            let collected = std::iter::once(account_id.clone())
                .chain(options.role_arns.iter().filter_map(|r| context::arn_account(r).map(str::to_owned)))
                .collect();
            (targets, None, account::Ownership { organization: false, collected, ..Default::default() })
        }
    };
    shared.progress.expect_accounts(targets.len());
    let external_id = options.organization.as_ref().and_then(|o| o.external_id.clone());

    // Accounts in flight at once: each needs at least one call slot, and an
    // account started early holds its memory until it is done.
    let account_slots = Semaphore::new(options.concurrency);
    let sink_error: Mutex<Option<std::io::Error>> = Mutex::new(None);
    let runs = targets.into_iter().map(|target| {
        let (caller, base, shared, regions, ownership, external_id) = (&caller, &base, &shared, &regions, &ownership, &external_id);
        let (account_slots, sink_error) = (&account_slots, &sink_error);
        async move {
            let _slot = account_slots.acquire().await.expect("the semaphore is never closed");
            let ctx = match &target.role {
                None => caller.clone(),
                Some(role) => {
                    let sdk = setup::assume_role(base, role, external_id.as_deref()).await;
                    match setup::identity(&sdk, &shared.recorder, setup::Whose::AssumedRole).await {
                        Ok((id, part)) => Arc::new(Ctx::new(sdk, id, part, shared.clone())),
                        Err(e) => {
                            shared.progress.account_done(true);
                            return (Vec::new(), vec![assume_role_error(role, &e)]);
                        }
                    }
                }
            };
            shared.progress.account_started(&ctx.account_id);
            let (mut account, membership) = match target.organization {
                Some(known) => (account::collect_account(&ctx, regions, options, ownership).await, Some(known)),
                None => tokio::join!(account::collect_account(&ctx, regions, options, ownership), organization::membership(&ctx)),
            };
            account.organization = membership;
            let errors = ctx.take_errors();
            shared.progress.account_finished(&ctx.account_id, !errors.is_empty());
            let foreign = foreign_trails(&account);
            if let Err(e) = sink.put(account) {
                sink_error.lock().expect("sink lock").get_or_insert(e);
            }
            (foreign, errors)
        }
    });
    let mut foreign = Vec::new();
    for (seen, errs) in join::join_all(runs).await {
        foreign.extend(seen);
        errors.extend(errs);
    }
    shared.progress.finish();
    if let Some(e) = sink_error.into_inner().expect("sink lock") {
        return Err(anyhow::Error::new(e).context("cannot spool a collected account to the temporary file"));
    }
    unreachable_owners(&foreign, &mut errors, &ownership);

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
        organization: scope,
        accounts: Vec::new(),
        errors,
    };
    Ok((snapshot, shared.recorder.finish(started.elapsed())))
}

/// One account to collect: the role to assume (`None` = the base credentials)
/// and, in an organization run, its organization context.
struct Target {
    role: Option<String>,
    organization: Option<crate::snapshot::Organization>,
}

/// The buckets the organization trails deliver to and the KMS keys they
/// encrypt with, read from the calling account's trails (the management
/// account's, or a delegated administrator's view of them), so that whichever
/// account owns such a bucket or key reads it, even in a shard without the
/// management account. DescribeTrails failures are recorded only when
/// `record` (the caller is not collected in this share; otherwise its own
/// collection records them).
async fn organization_resources(
    caller: &Ctx,
    regions: &[String],
    record: bool,
) -> (std::collections::BTreeSet<String>, std::collections::BTreeSet<String>) {
    let per_region = join::join_all(regions.iter().map(|r| cloudtrail::describe_trails(caller, r))).await;
    let errors = caller.take_errors();
    if record {
        for e in errors {
            caller.push(e);
        }
    }
    let trails: Vec<_> = per_region.into_iter().flatten().flatten().filter(|t| t.is_organization_trail).collect();
    let buckets = trails.iter().filter_map(|t| t.s3_bucket_name.clone()).collect();
    let keys = trails.iter().filter_map(|t| t.kms_key_id.clone()).filter(|k| k.starts_with("arn:")).collect();
    (buckets, keys)
}

/// The trails an account saw but does not own: (account, trail name, trail ARN).
/// An account with none still yields one entry with an empty ARN, so the
/// caller knows which accounts were collected.
fn foreign_trails(account: &crate::snapshot::Account) -> Vec<(String, String, String)> {
    let mut seen: Vec<(String, String, String)> = account
        .trails
        .values()
        .filter(|t| context::arn_account(&t.arn).is_some_and(|owner| owner != account.account_id))
        .map(|t| (account.account_id.clone(), t.name.clone(), t.arn.clone()))
        .collect();
    seen.push((account.account_id.clone(), String::new(), String::new()));
    seen
}

/// A trail seen in one account and owned by another that was meant to be
/// collected but could not be (its role could not be assumed): the trail's
/// status and selectors are missing, which must show as an error, not as a
/// trail that does not log.
fn unreachable_owners(
    foreign: &[(String, String, String)],
    errors: &mut Vec<crate::snapshot::CollectionError>,
    ownership: &account::Ownership,
) {
    let present: std::collections::BTreeSet<&str> = foreign.iter().map(|(a, _, _)| a.as_str()).collect();
    let unreachable: std::collections::BTreeSet<String> =
        errors.iter().filter(|e| e.action() == Some(Action::StsGetCallerIdentity)).map(|e| e.account_id.clone()).collect();
    let mut found = Vec::new();
    for (seen_in, name, arn) in foreign.iter().filter(|(_, _, arn)| !arn.is_empty()) {
        let Some(owner) = context::arn_account(arn) else { continue };
        if !present.contains(owner) && unreachable.contains(owner) && ownership.collected.contains(owner) {
            found.push(account::outside_collection(seen_in, name, arn, owner, "whose collection failed (see its errors)"));
        }
    }
    errors.extend(found);
}

/// A role that could not be assumed: recorded against the role's account.
fn assume_role_error(role: &str, err: &anyhow::Error) -> crate::snapshot::CollectionError {
    crate::snapshot::CollectionError {
        service: Action::StsGetCallerIdentity.service().to_owned(),
        operation: Action::StsGetCallerIdentity.operation().to_owned(),
        account_id: role.split(':').nth(4).unwrap_or_default().to_owned(),
        region: None,
        resource: Some(role.to_owned()),
        error_code: "AssumeRoleFailed".to_owned(),
        message: format!("{err:#}").chars().filter(|c| !c.is_control()).take(500).collect(),
        kind: crate::snapshot::ErrorKind::Failed,
    }
}
