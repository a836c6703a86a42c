//! `trailaudit audit` (offline on a snapshot, or live) and `trailaudit collect`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use super::{emit_with, load_config, load_pack};
use crate::cli::{AuditArgs, OutputFormat, RegoEngine};
use crate::evaluate::{AuditOptions, EngineChoice, audit_file, audit_with_engine};
use crate::finding::{ControlStatus, FailOn, Outcome, Severity};
use crate::pack::frameworks;
use crate::pack::select::Selection;
use crate::report::{self, Format, RenderOptions};
use crate::snapshot;
use crate::triage::Baseline;

pub fn run(args: AuditArgs) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    // Every file this run writes must have a directory to go to, before a live collection starts.
    let saved = if args.snapshot.is_none() { args.save_snapshot.as_ref() } else { None };
    let reports = [&args.output, &args.sarif, &args.json, &args.markdown, &args.junit, &args.ocsf, &args.asff];
    super::check_output_dirs(reports.into_iter().flatten().chain(saved).map(PathBuf::as_path))?;
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
            ("--ocsf", args.ocsf.as_deref()),
            ("--asff", args.asff.as_deref()),
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
    pack.set_rule_memory_mib(args.rule_memory_mib);
    crate::evaluate::derived::audit_budget().map_err(anyhow::Error::msg)?;
    let policy_load = policy_started.elapsed();

    // The selection is checked before any snapshot is read or collected.
    let framework = match &args.framework {
        Some(key) => Some(frameworks::find(key).ok_or_else(|| {
            let known: Vec<String> = frameworks::builtin().into_iter().map(|f| f.key).collect();
            anyhow::anyhow!("unknown framework `{key}` (known: {})", known.join(", "))
        })?),
        None => None,
    };
    let selection = Selection {
        framework: framework.as_ref().map(|f| f.key.clone()),
        rules: args.rules.clone(),
        skip_rules: args.skip_rules.clone(),
        min_severity: args.min_severity,
    };
    let only_rules = selection.apply(&pack.rules).map_err(anyhow::Error::msg)?;

    let fail_on = args.fail_on.or(config.fail_on).unwrap_or(FailOn::At(Severity::Low));
    let mut options = AuditOptions {
        // `none` never fails on findings: the audit is told `low` and the
        // threshold is replaced below, before any report is rendered.
        fail_on: fail_on.severity().unwrap_or(Severity::Low),
        only_rules,
        today: chrono::Utc::now().date_naive(),
        snapshot_path: None,
        progress: super::show_progress(std::io::stderr().is_terminal(), std::env::var_os("CI").is_some()),
    };
    let engine = match args.engine {
        RegoEngine::Vm => EngineChoice::Vm,
        RegoEngine::Interpreter => EngineChoice::Interpreter,
    };
    let parse_started = Instant::now();
    // A snapshot file is read and judged account by account (evaluate::audit_file);
    // a live collection is judged from the snapshot it just collected.
    let (mut result, eval_timings, notices, parse) = match &args.snapshot {
        Some(path) => {
            options.snapshot_path = Some(path.clone());
            audit_file(path, &pack, &config, &options, engine)?
        }
        None => {
            let mut snapshot = super::live::collect_live(&args.live, &config)?;
            for notice in snapshot::dedup_accounts(&mut snapshot) {
                eprintln!("trailaudit: warning: {notice}");
            }
            let path = args.save_snapshot.clone().unwrap_or_else(|| default_snapshot_path(&args));
            snapshot::write_file(&snapshot, &path)?;
            let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read back {}", path.display()))?;
            if !super::quiet() {
                eprintln!("trailaudit: snapshot written to {}", path.display());
            }
            let parse = parse_started.elapsed();
            options.snapshot_path = Some(path);
            let (audit, timings, notices) = audit_with_engine(&snapshot, Some(&text), &pack, &config, &options, engine);
            (audit, timings, notices, parse)
        }
    };
    // No account and nothing judged (no selected account missing either, which
    // would be `error` results): an empty report would read as a pass.
    if result.account_ids.is_empty() && result.is_empty() {
        anyhow::bail!(
            "{}: the snapshot holds no account, so there is nothing to judge (collect at least one account)",
            options.snapshot_path.as_deref().unwrap_or(std::path::Path::new("snapshot")).display()
        );
    }
    result.fail_on = fail_on;
    result.framework = framework.as_ref().map(|f| {
        let mut summary = crate::triage::frameworks::summarize(&result, f);
        // A control left out by --rules/--skip-rules/--min-severity is not
        // "not covered" by the pack: say which rules would judge it.
        for c in summary.controls.iter_mut().filter(|c| matches!(c.status, ControlStatus::NotCovered | ControlStatus::Manual)) {
            let serving: Vec<&str> = pack
                .rules
                .iter()
                .filter(|r| !r.meta.custom.deprecated && r.meta.custom.frameworks.get(&f.key).is_some_and(|ids| ids.contains(&c.id)))
                .map(|r| r.id())
                .collect();
            if !serving.is_empty() {
                c.status = ControlStatus::NotCovered;
                c.note = Some(format!("not selected in this run (rules {})", serving.join(", ")));
            }
        }
        summary
    });
    if let Some(baseline) = &baseline {
        baseline
            .compare(&mut result, args.fail_on_new)
            .map_err(|e| anyhow::anyhow!("cannot read back the audit's results from their temporary file: {e}"))?;
    }
    if let Some(reason) = eval_timings.vm_fallback.as_ref().filter(|_| !super::quiet()) {
        eprintln!(
            "trailaudit: warning: the pack cannot run on the bytecode VM, so the interpreter ran it: {}",
            report::escape_message(reason)
        );
    }
    for notice in notices.iter().filter(|_| !super::quiet()) {
        // Waiver text from the configuration: untrusted on a terminal.
        eprintln!("trailaudit: warning: {}", report::escape_message(notice));
    }

    let report_started = Instant::now();
    let color = super::color(args.output.is_none() && std::io::stdout().is_terminal());
    let main_format = match args.format {
        OutputFormat::Text => Format::Text,
        OutputFormat::Json => Format::Json,
        OutputFormat::Sarif => Format::Sarif,
        OutputFormat::Markdown => Format::Markdown,
        OutputFormat::Junit => Format::Junit,
        OutputFormat::Ocsf => Format::Ocsf,
        OutputFormat::Asff => Format::Asff,
    };
    let extra = [
        (Format::Sarif, &args.sarif),
        (Format::Json, &args.json),
        (Format::Markdown, &args.markdown),
        (Format::Junit, &args.junit),
        (Format::Ocsf, &args.ocsf),
        (Format::Asff, &args.asff),
    ];
    for (format, path) in extra {
        if let Some(path) = path {
            let options = RenderOptions { color: false, markdown_max_bytes: args.markdown_max_bytes, show_passes: args.show_passes };
            emit_with(Some(path), |out| report::write(&result, format, &options, out))?;
        }
    }
    let options = RenderOptions { color, markdown_max_bytes: args.markdown_max_bytes, show_passes: args.show_passes };
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
    // The process ends once the exit code is known: freeing the pack's modules
    // and engine, node by node, was a fiftieth of an audit of a fixture.
    std::mem::forget(pack);
    Ok(result.outcome())
}

/// A live audit keeps its snapshot beside the first report file it writes, so
/// SARIF locations resolve and the evidence can be archived with the report.
fn default_snapshot_path(args: &AuditArgs) -> PathBuf {
    let dir = [&args.output, &args.sarif, &args.json, &args.markdown, &args.junit, &args.ocsf, &args.asff]
        .into_iter()
        .flatten()
        .find_map(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    dir.join("trailaudit-snapshot.json")
}
