//! `trailaudit test [DIR...]`: runs Rego unit tests, one line per test.

use std::io::Write;

use crate::cli::TestArgs;
use crate::pack::rego_tests::{self, TestStatus};
use crate::pack::{Pack, PackSource};

pub fn run(args: TestArgs) -> anyhow::Result<u8> {
    // User directories are loaded over the built-in pack so their tests can
    // import `data.trailaudit.lib.*`; only their own tests run.
    let from_dirs = !args.dirs.is_empty();
    let pack = Pack::load(&PackSource { builtin: true, dirs: args.dirs.clone() })?;
    let outcomes = rego_tests::run(&pack, |f| f.builtin != from_dirs)?;
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
