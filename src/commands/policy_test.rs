//! `trailaudit test [DIR...]`: runs Rego unit tests, one line per test.

use std::io::Write;

use crate::cli::TestArgs;
use crate::pack::rego_tests::{self, TestStatus};
use crate::pack::{Pack, PackSource};

pub fn run(args: TestArgs) -> anyhow::Result<u8> {
    // User directories are loaded beside the built-in pack so their tests can
    // import `data.trailaudit.lib.*`; only their own tests run (and those of
    // built-in files a directory holds an identical copy of: `trailaudit test policies`).
    let from_dirs = !args.dirs.is_empty();
    let mut pack = Pack::load(&PackSource { builtin: true, dirs: args.dirs.clone() })?;
    pack.set_rule_timeout(args.rule_timeout);
    let outcomes = rego_tests::run(&pack, |f| if from_dirs { !f.builtin || pack.builtin_copies.contains(&f.rel) } else { f.builtin })?;
    let mut out = std::io::stdout().lock();
    let (mut passed, mut failed) = (0usize, 0usize);
    for t in &outcomes {
        let label = match t.status {
            TestStatus::Pass => "PASS ",
            TestStatus::Fail => "FAIL ",
            TestStatus::Error => "ERROR",
        };
        writeln!(out, "{label} {}: {} ({:.1} ms)", t.file, t.name, t.duration.as_secs_f64() * 1000.0)?;
        if t.status == TestStatus::Pass {
            passed += 1;
        } else {
            failed += 1;
        }
        if t.status != TestStatus::Pass || args.verbose {
            for line in &t.output {
                writeln!(out, "      | {line}")?;
            }
        }
    }
    writeln!(out, "{}", "-".repeat(60))?;
    writeln!(out, "{passed} passed, {failed} failed")?;
    if outcomes.is_empty() {
        anyhow::bail!("no tests found");
    }
    Ok(if failed == 0 { 0 } else { 1 })
}
