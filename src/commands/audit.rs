//! `trailaudit audit` (offline on a snapshot, or live) and `trailaudit collect`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use super::{emit, load_config, load_pack};
use crate::cli::{AuditArgs, CollectArgs, LiveArgs, OutputFormat};
use crate::collect::{CollectOptions, collect};
use crate::config::Config;
use crate::policy::{AuditOptions, Severity, audit};
use crate::report::{self, Format, RenderOptions};
use crate::snapshot::{self, Snapshot};

pub fn run(args: AuditArgs) -> anyhow::Result<u8> {
    let started = Instant::now();
    let config = load_config(args.config.as_deref())?;
    let policy_started = Instant::now();
    let pack = load_pack(&args.policy.policy_dirs)?;
    let policy_load = policy_started.elapsed();

    let parse_started = Instant::now();
    let (snapshot, text, snapshot_path) = match &args.snapshot {
        Some(path) => {
            let (snapshot, text) = snapshot::load_file(path)?;
            (snapshot, text, path.clone())
        }
        None => {
            let snapshot = collect_live(&args.live, &config)?;
            let path = args.save_snapshot.clone().unwrap_or_else(|| default_snapshot_path(&args));
            snapshot::write_file(&snapshot, &path)?;
            let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read back {}", path.display()))?;
            eprintln!("trailaudit: snapshot written to {}", path.display());
            (snapshot, text, path)
        }
    };
    let parse = parse_started.elapsed();

    let options = AuditOptions {
        fail_on: args.fail_on.or(config.fail_on).unwrap_or(Severity::Low),
        only_rules: None,
        today: chrono::Utc::now().date_naive(),
        snapshot_path: Some(snapshot_path),
    };
    let (result, eval_timings, notices) = audit(&snapshot, Some(&text), &pack, &config, &options);
    for notice in &notices {
        eprintln!("trailaudit: warning: {notice}");
    }

    let report_started = Instant::now();
    let color = args.output.is_none() && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let main_format = match args.format {
        OutputFormat::Text => Format::Text,
        OutputFormat::Json => Format::Json,
        OutputFormat::Sarif => Format::Sarif,
        OutputFormat::Markdown => Format::Markdown,
    };
    let extra = [(Format::Sarif, &args.sarif), (Format::Json, &args.json), (Format::Markdown, &args.markdown)];
    for (format, path) in extra {
        if let Some(path) = path {
            emit(&report::render(&result, format, &RenderOptions { color: false }), Some(path))?;
        }
    }
    emit(&report::render(&result, main_format, &RenderOptions { color }), args.output.as_deref())?;
    let report = report_started.elapsed();

    if args.timings {
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        eprintln!(
            "timings: parse_ms={:.2} policy_load_ms={:.2} evaluate_ms={:.2} report_ms={:.2} total_ms={:.2}",
            ms(parse),
            ms(policy_load),
            ms(eval_timings.evaluate),
            ms(report),
            ms(started.elapsed())
        );
    }
    Ok(result.outcome() as u8)
}

/// A live audit keeps its snapshot beside the first report file it writes, so
/// SARIF locations resolve and the evidence can be archived with the report.
fn default_snapshot_path(args: &AuditArgs) -> PathBuf {
    let dir = [&args.output, &args.sarif, &args.json, &args.markdown]
        .into_iter()
        .flatten()
        .find_map(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    dir.join("trailaudit-snapshot.json")
}

pub fn collect_only(args: CollectArgs) -> anyhow::Result<u8> {
    let config = load_config(args.config.as_deref())?;
    let snapshot = collect_live(&args.live, &config)?;
    snapshot::write_file(&snapshot, &args.output)?;
    let failed = snapshot.errors.iter().filter(|e| e.kind == snapshot::ErrorKind::Failed).count();
    eprintln!(
        "trailaudit: wrote {} ({} account(s), {} region(s), {} failed call(s))",
        args.output.display(),
        snapshot.accounts.len(),
        snapshot.metadata.regions.len(),
        failed
    );
    // A snapshot with failed calls is still written, but the run says it is incomplete.
    Ok(if failed > 0 { 3 } else { 0 })
}

fn collect_live(live: &LiveArgs, config: &Config) -> anyhow::Result<Snapshot> {
    let progress = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    let options = CollectOptions {
        profile: live.profile.clone(),
        regions: live.regions.clone().or_else(|| config.collect.regions.clone()),
        endpoint_url: live.endpoint_url.clone(),
        role_arns: if live.role_arns.is_empty() { config.collect.role_arns.clone() } else { live.role_arns.clone() },
        concurrency: usize::from(live.concurrency),
        event_history_days: live.event_history_days.or(config.collect.event_history_days).unwrap_or(7),
        max_events: live.max_events.or(config.collect.max_events).unwrap_or(1000),
        call_timeout: std::time::Duration::from_secs(live.call_timeout),
        progress,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")?;
    let (snapshot, stats) = runtime.block_on(collect(&options))?;
    if live.stats {
        eprintln!("{stats}");
    }
    Ok(snapshot)
}
