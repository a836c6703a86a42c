//! Where evaluation time goes, on a snapshot:
//!
//! - `cargo run --release --example rules -- FILE` evaluates the whole pack
//!   once, then each rule alone, and prints the milliseconds of each, slowest
//!   first. A rule alone still pays the per-account set-up (input building,
//!   engine clone), which the `none` line measures on its own.
//! - `... -- FILE 'data.trailaudit.lib.monitoring._groups' ...` evaluates each
//!   Rego expression on every account's input, in a fresh engine per
//!   expression and account, and prints the total milliseconds of each.
//!
//! `RULES_PREFIX=MON-` keeps the rules whose id starts with it; `RULES_EACH=0`
//! skips the rule-by-rule runs; `RULES_DUMP=FILE` writes the results of the
//! whole run as JSON (to compare two versions of the pack); `RULES_TEST=1` runs
//! the pack's Rego unit tests instead; `RULES_POLICY_DIR=policies` loads the
//! pack from that directory instead of the one embedded at build time.
//! `RULES_FLOOR=1` compares parsing the snapshot with reading the same text
//! as one regorus value, the least any Rego evaluation of all of it costs.

use std::path::PathBuf;
use std::time::Instant;

use trailaudit::config::Config;
use trailaudit::evaluate::{AuditOptions, account_inputs, audit};
use trailaudit::finding::Severity;
use trailaudit::pack::{Pack, PackSource};

fn main() -> anyhow::Result<()> {
    // SAFETY: first thing in `main`, before any other thread exists.
    unsafe { trailaudit::quiet_library_backtraces() };
    let mut args = std::env::args().skip(1);
    let path = PathBuf::from(args.next().ok_or_else(|| anyhow::anyhow!("usage: rules SNAPSHOT.json [REGO-EXPRESSION...]"))?);
    let expressions: Vec<String> = args.collect();
    let (snapshot, text) = trailaudit::snapshot::load_file(&path)?;
    if std::env::var_os("RULES_FLOOR").is_some_and(|v| v == "1") {
        return print_floor(&text, &path);
    }
    // `RULES_POLICY_DIR=policies` reads the pack from disk instead of the
    // binary, to measure a change to the Rego without rebuilding.
    let source = match std::env::var_os("RULES_POLICY_DIR") {
        Some(dir) => PackSource { builtin: false, dirs: vec![PathBuf::from(dir)] },
        None => PackSource { builtin: true, dirs: Vec::new() },
    };
    let pack = Pack::load(&source)?;
    let config = Config::default();
    if std::env::var_os("RULES_TEST").is_some_and(|v| v == "1") {
        return run_rego_tests(&pack);
    }
    if !expressions.is_empty() {
        let started = Instant::now();
        let (mut engine, inputs) = account_inputs(&snapshot, &pack, &config);
        println!(
            "{:>10.1} ms  (the configured engine and the {} accounts' inputs, one thread)",
            started.elapsed().as_secs_f64() * 1e3,
            inputs.len()
        );
        engine.eval_query("true".to_owned(), false)?; // analyse the modules once, as audits do
        for expression in expressions {
            let started = Instant::now();
            for (account, input) in &inputs {
                let mut engine = engine.clone();
                engine.set_input(input.clone());
                engine
                    .eval_query(expression.clone(), false)
                    .map_err(|e| anyhow::anyhow!("{expression} failed on account {account}: {e}"))?;
            }
            println!("{:>10.1} ms  {expression}", started.elapsed().as_secs_f64() * 1e3);
        }
        return Ok(());
    }
    let run = |only: Option<Vec<String>>| {
        let options = AuditOptions {
            fail_on: Severity::Low,
            only_rules: only,
            today: chrono::Utc::now().date_naive(),
            snapshot_path: None,
            progress: false,
        };
        let started = Instant::now();
        let (result, _, _) = audit(&snapshot, None, &pack, &config, &options);
        (started.elapsed().as_secs_f64() * 1e3, result.results.len())
    };
    // `RULES_PREFIX=MON-` limits the run to the rules whose id starts with it.
    let prefix = std::env::var("RULES_PREFIX").unwrap_or_default();
    let selected: Vec<String> =
        pack.rules.iter().filter(|r| !r.meta.custom.deprecated && r.id().starts_with(&prefix)).map(|r| r.id().to_owned()).collect();
    if let Some(dump) = std::env::var_os("RULES_DUMP") {
        let options = AuditOptions {
            fail_on: Severity::Low,
            only_rules: Some(selected.clone()),
            today: chrono::Utc::now().date_naive(),
            snapshot_path: None,
            progress: false,
        };
        let (result, _, _) = audit(&snapshot, None, &pack, &config, &options);
        let rows: Vec<_> = result
            .results
            .iter()
            .map(|r| serde_json::json!([r.rule_id, r.account, r.region, r.resource, r.status, r.message, r.evidence]))
            .collect();
        std::fs::write(&dump, serde_json::to_string_pretty(&rows)?)?;
    }
    let (all, n) = run(Some(selected.clone()));
    println!("{:<10} {:>10.1} ms {:>7} results", "all", all, n);
    let (none, _) = run(Some(Vec::new()));
    println!("{:<10} {:>10.1} ms", "none", none);
    if std::env::var_os("RULES_EACH").is_some_and(|v| v == "0") {
        return Ok(());
    }
    let mut rows: Vec<(String, f64, usize)> = selected
        .into_iter()
        .map(|id| {
            let (ms, n) = run(Some(vec![id.clone()]));
            (id, ms, n)
        })
        .collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (id, ms, n) in rows {
        println!("{id:<10} {ms:>10.1} ms {n:>7} results  (minus none: {:.1})", ms - none);
    }
    Ok(())
}

/// `RULES_TEST=1`: the pack's Rego unit tests, failures only, then the counts.
fn run_rego_tests(pack: &Pack) -> anyhow::Result<()> {
    use trailaudit::pack::rego_tests::{self, TestStatus};
    let outcomes = rego_tests::run(pack, |_| true)?;
    let failed: Vec<_> = outcomes.iter().filter(|t| t.status != TestStatus::Pass).collect();
    for t in &failed {
        println!("{:?} {}: {}", t.status, t.file, t.name);
        for line in &t.output {
            println!("      | {line}");
        }
    }
    println!("{} passed, {} failed", outcomes.len() - failed.len(), failed.len());
    anyhow::ensure!(failed.is_empty(), "Rego tests failed");
    Ok(())
}

/// `RULES_FLOOR=1`: the snapshot parsed into trailaudit's types, against the
/// same text read as one regorus value (what every rule's data must become
/// before Rego can look at it), best of five each, one thread.
fn print_floor(text: &str, path: &std::path::Path) -> anyhow::Result<()> {
    let best = |f: &dyn Fn()| {
        (0..5)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64() * 1e3
            })
            .fold(f64::MAX, f64::min)
    };
    let parse = best(&|| drop(trailaudit::snapshot::parse_str(text, path).expect("loaded once already")));
    let as_value = best(&|| drop(regorus::Value::from_json_str(text).expect("valid JSON")));
    println!("{parse:>10.1} ms  parse into trailaudit's types");
    println!("{as_value:>10.1} ms  the same text as one regorus value ({:.1}x parse)", as_value / parse);
    Ok(())
}
