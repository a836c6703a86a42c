//! `trailaudit audit` (offline on a snapshot, or live) and `trailaudit collect`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use super::{emit_with, load_config, load_pack};
use crate::cli::{AuditArgs, OutputFormat, RegoEngine};
use crate::evaluate::{AuditOptions, EngineChoice, audit_with_engine};
use crate::finding::Severity;
use crate::pack::frameworks;
use crate::report::{self, Format, RenderOptions};
use crate::snapshot;
use crate::triage::Baseline;

pub fn run(args: AuditArgs) -> anyhow::Result<u8> {
    let started = Instant::now();
    let config_file = super::config_path(args.config.as_deref());
    let live_snapshot = args.snapshot.is_none().then(|| args.save_snapshot.clone().unwrap_or_else(|| default_snapshot_path(&args)));
    super::check_paths(
        &[("--snapshot", args.snapshot.as_deref()), ("--config", config_file.as_deref()), ("--baseline", args.baseline.as_deref())],
        &[
            ("--output", args.output.as_deref()),
            ("--sarif", args.sarif.as_deref()),
            ("--json", args.json.as_deref()),
            ("--markdown", args.markdown.as_deref()),
            ("--junit", args.junit.as_deref()),
            ("--save-snapshot", live_snapshot.as_deref()),
        ],
    )?;
    if let Some(mib) = args.max_snapshot_mib {
        snapshot::set_max_snapshot_mib(mib);
    }
    let config = load_config(args.config.as_deref())?;
    // Read the baseline before any work, so a bad file fails fast (exit 2).
    let baseline = args.baseline.as_deref().map(Baseline::load).transpose()?;
    let policy_started = Instant::now();
    let mut pack = load_pack(&args.policy.policy_dirs)?;
    pack.set_rule_timeout(args.rule_timeout);
    let policy_load = policy_started.elapsed();

    let parse_started = Instant::now();
    let (snapshot, text, snapshot_path) = match &args.snapshot {
        Some(path) => {
            let (snapshot, text) = snapshot::load_file(path)?;
            (snapshot, text, path.clone())
        }
        None => {
            let mut snapshot = super::live::collect_live(&args.live, &config)?;
            for notice in snapshot::dedup_accounts(&mut snapshot) {
                eprintln!("trailaudit: warning: {notice}");
            }
            let path = args.save_snapshot.clone().unwrap_or_else(|| default_snapshot_path(&args));
            snapshot::write_file(&snapshot, &path)?;
            let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read back {}", path.display()))?;
            eprintln!("trailaudit: snapshot written to {}", path.display());
            (snapshot, text, path)
        }
    };
    let parse = parse_started.elapsed();

    let framework = match &args.framework {
        Some(key) => Some(frameworks::find(key).ok_or_else(|| {
            let known: Vec<String> = frameworks::builtin().into_iter().map(|f| f.key).collect();
            anyhow::anyhow!("unknown framework `{key}` (known: {})", known.join(", "))
        })?),
        None => None,
    };
    let only_rules = framework
        .as_ref()
        .map(|f| pack.rules.iter().filter(|r| r.meta.custom.frameworks.contains_key(&f.key)).map(|r| r.id().to_owned()).collect());
    let options = AuditOptions {
        fail_on: args.fail_on.or(config.fail_on).unwrap_or(Severity::Low),
        only_rules,
        today: chrono::Utc::now().date_naive(),
        snapshot_path: Some(snapshot_path),
        progress: super::show_progress(std::io::stderr().is_terminal(), std::env::var_os("CI").is_some()),
    };
    let engine = match args.engine {
        RegoEngine::Vm => EngineChoice::Vm,
        RegoEngine::Interpreter => EngineChoice::Interpreter,
    };
    let (mut result, eval_timings, notices) = audit_with_engine(&snapshot, Some(&text), &pack, &config, &options, engine);
    result.framework = framework.as_ref().map(|f| crate::triage::frameworks::summarize(&result, f));
    if let Some(baseline) = &baseline {
        baseline.compare(&mut result, args.fail_on_new);
    }
    if let Some(reason) = &eval_timings.vm_fallback {
        eprintln!("trailaudit: warning: the pack cannot run on the bytecode VM, so the interpreter ran it: {reason}");
    }
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
        OutputFormat::Junit => Format::Junit,
    };
    let extra =
        [(Format::Sarif, &args.sarif), (Format::Json, &args.json), (Format::Markdown, &args.markdown), (Format::Junit, &args.junit)];
    for (format, path) in extra {
        if let Some(path) = path {
            let options = RenderOptions { color: false, markdown_max_bytes: args.markdown_max_bytes };
            emit_with(Some(path), |out| report::write(&result, format, &options, out))?;
        }
    }
    let options = RenderOptions { color, markdown_max_bytes: args.markdown_max_bytes };
    emit_with(args.output.as_deref(), |out| report::write(&result, main_format, &options, out))?;
    let report = report_started.elapsed();

    if args.timings {
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        eprintln!(
            "timings: parse_ms={:.2} policy_load_ms={:.2} evaluate_ms={:.2} report_ms={:.2} total_ms={:.2} engine={}",
            ms(parse),
            ms(policy_load),
            ms(eval_timings.evaluate),
            ms(report),
            ms(started.elapsed()),
            eval_timings.engine.as_str()
        );
    }
    Ok(result.outcome() as u8)
}

/// A live audit keeps its snapshot beside the first report file it writes, so
/// SARIF locations resolve and the evidence can be archived with the report.
fn default_snapshot_path(args: &AuditArgs) -> PathBuf {
    let dir = [&args.output, &args.sarif, &args.json, &args.markdown, &args.junit]
        .into_iter()
        .flatten()
        .find_map(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    dir.join("trailaudit-snapshot.json")
}
