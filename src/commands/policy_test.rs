//! `trailaudit test [DIR...]`: runs Rego unit tests. Failures and errors are
//! printed with their output, then a summary; `-v` prints every test.

use std::io::Write;
use std::time::Duration;

use crate::cli::TestArgs;
use crate::finding::Outcome;
use crate::pack::rego_tests::{self, TestOutcome, TestStatus};
use crate::pack::{Pack, PackSource};

pub fn run(args: TestArgs) -> anyhow::Result<Outcome> {
    // User directories are loaded beside the built-in pack so their tests can
    // import `data.trailaudit.lib.*`; only their own tests run (and those of
    // built-in files a directory holds an identical copy of: `trailaudit test policies`).
    let from_dirs = !args.dirs.is_empty();
    let mut pack = Pack::load(&PackSource { builtin: true, dirs: args.dirs.clone() })?;
    pack.set_rule_timeout(args.rule_timeout);
    let outcomes = rego_tests::run(&pack, |f| if from_dirs { !f.builtin || pack.builtin_copies.contains(&f.rel) } else { f.builtin })?;
    super::emit_with(None, |out| write_report(out, &outcomes, args.verbose))?;
    if outcomes.is_empty() {
        anyhow::bail!("no tests found");
    }
    Ok(if outcomes.iter().all(|t| t.status == TestStatus::Pass) { Outcome::Clean } else { Outcome::Failed })
}

/// One line per failing test (every test with `verbose`), its output under
/// it, then the summary: counts, files, time, and the failing tests again.
fn write_report(out: &mut dyn Write, outcomes: &[TestOutcome], verbose: bool) -> std::io::Result<()> {
    let failing: Vec<&TestOutcome> = outcomes.iter().filter(|t| t.status != TestStatus::Pass).collect();
    for t in outcomes.iter().filter(|t| verbose || t.status != TestStatus::Pass) {
        let label = match t.status {
            TestStatus::Pass => "PASS ",
            TestStatus::Fail => "FAIL ",
            TestStatus::Error => "ERROR",
        };
        writeln!(out, "{label} {}: {} ({:.1} ms)", t.file, t.name, t.duration.as_secs_f64() * 1000.0)?;
        if t.status != TestStatus::Pass || verbose {
            for line in &t.output {
                writeln!(out, "      | {line}")?;
            }
        }
    }
    let mut files: Vec<&str> = outcomes.iter().map(|t| t.file.as_str()).collect();
    files.sort_unstable();
    files.dedup();
    let total: Duration = outcomes.iter().map(|t| t.duration).sum();
    let errors = failing.iter().filter(|t| t.status == TestStatus::Error).count();
    if !failing.is_empty() || verbose {
        writeln!(out, "{}", "-".repeat(60))?;
    }
    writeln!(
        out,
        "{} passed, {} failed{} ({} tests in {} files, {:.0} ms){}",
        outcomes.len() - failing.len(),
        failing.len(),
        if errors > 0 { format!(" ({errors} of them errors)") } else { String::new() },
        outcomes.len(),
        files.len(),
        total.as_secs_f64() * 1000.0,
        if verbose || !failing.is_empty() { "" } else { "; -v lists every test" }
    )?;
    for t in &failing {
        writeln!(out, "  failed: {}: {}", t.file, t.name)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(name: &str, status: TestStatus) -> TestOutcome {
        TestOutcome {
            file: "policies/x_test.rego".into(),
            name: format!("data.trailaudit.x_test.{name}"),
            status,
            duration: Duration::from_millis(2),
            output: vec![format!("output of {name}")],
        }
    }

    fn report(outcomes: &[TestOutcome], verbose: bool) -> String {
        let mut out = Vec::new();
        write_report(&mut out, outcomes, verbose).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn quiet_by_default_lists_only_failures_and_a_summary() {
        let all = [outcome("test_a", TestStatus::Pass), outcome("test_b", TestStatus::Fail), outcome("test_c", TestStatus::Pass)];
        let text = report(&all, false);
        assert!(!text.contains("test_a") && !text.contains("test_c"), "{text}");
        assert!(text.contains("FAIL  policies/x_test.rego: data.trailaudit.x_test.test_b"), "{text}");
        assert!(text.contains("      | output of test_b"), "{text}");
        assert!(text.contains("2 passed, 1 failed (3 tests in 1 files"), "{text}");
        assert!(text.ends_with("  failed: policies/x_test.rego: data.trailaudit.x_test.test_b\n"), "{text}");

        let passing = [outcome("test_a", TestStatus::Pass)];
        let text = report(&passing, false);
        assert_eq!(text.lines().count(), 1, "one summary line when everything passes: {text}");
        assert!(text.contains("1 passed, 0 failed") && text.contains("-v lists every test"), "{text}");
    }

    #[test]
    fn verbose_lists_every_test_with_its_output() {
        let all = [outcome("test_a", TestStatus::Pass), outcome("test_e", TestStatus::Error)];
        let text = report(&all, true);
        assert!(text.contains("PASS  policies/x_test.rego: data.trailaudit.x_test.test_a"), "{text}");
        assert!(text.contains("      | output of test_a"), "{text}");
        assert!(text.contains("ERROR policies/x_test.rego: data.trailaudit.x_test.test_e"), "{text}");
        assert!(text.contains("1 passed, 1 failed (1 of them errors)"), "{text}");
    }
}
