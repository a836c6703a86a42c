//! Runs the `test_*` rules of `_test.rego` files, like `opa test`
//! (regorus has no test runner of its own).

use std::time::{Duration, Instant};

use super::{Pack, PackError, PackProblem, PolicyFile, rego_problem, test_rule_names};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestStatus {
    Pass,
    Fail,
    Error,
}

/// The outcome of one `test_*` rule.
#[derive(Debug, Clone)]
pub struct TestOutcome {
    pub file: String,
    /// Full rule path, `data.<package>.<test>`.
    pub name: String,
    pub status: TestStatus,
    pub duration: Duration,
    /// What the test printed (e.g. `testing.equal`'s got/want), and for a failure what it evaluated to.
    pub output: Vec<String>,
}

/// Runs the tests of the test files in `pack` that `select` picks, on a thread
/// with the evaluation threads' large stack (see [`super::EVAL_STACK_BYTES`]).
pub fn run(pack: &Pack, select: impl Fn(&PolicyFile) -> bool + Send + Sync) -> Result<Vec<TestOutcome>, PackError> {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("trailaudit-test".into())
            .stack_size(super::EVAL_STACK_BYTES)
            .spawn_scoped(scope, || run_here(pack, select))
            .expect("the test thread can be started")
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

fn run_here(pack: &Pack, select: impl Fn(&PolicyFile) -> bool) -> Result<Vec<TestOutcome>, PackError> {
    let mut engine = pack.engine.clone();
    let test_files: Vec<&PolicyFile> = pack.files.iter().filter(|f| f.is_test() && select(f)).collect();
    let mut problems = Vec::new();
    for file in &test_files {
        if let Err(e) = engine.add_policy(file.display_path.clone(), file.source.clone()) {
            problems.push(rego_problem(file, &e));
        }
    }
    if problems.is_empty() {
        problems.extend(super::recursion::problems(&mut engine));
    }
    if !problems.is_empty() {
        return Err(PackError(problems));
    }
    let mut outcomes = Vec::new();
    for file in test_files {
        let package = file.expected_package();
        let names = test_rule_names(&file.source);
        if names.is_empty() {
            return Err(PackError(vec![PackProblem {
                path: file.display_path.clone(),
                line: 1,
                message: "test file defines no `test_*` rule".into(),
            }]));
        }
        for name in names {
            let path = format!("data.{package}.{name}");
            let mut e = engine.clone();
            e.set_gather_prints(true);
            let started = Instant::now();
            let evaluated = e.eval_rule(path.clone());
            let duration = started.elapsed();
            let mut output = e.take_prints().unwrap_or_default();
            let status = match evaluated {
                Ok(regorus::Value::Bool(true)) => TestStatus::Pass,
                Ok(regorus::Value::Undefined) => {
                    output.push("test is undefined (some expression in it was false or undefined)".into());
                    TestStatus::Fail
                }
                Ok(other) => {
                    output.push(format!("test evaluated to {}, not true", other.to_json_str().unwrap_or_default()));
                    TestStatus::Fail
                }
                Err(err) => {
                    output.push(super::timeout_message(&err).unwrap_or_else(|| format!("{err:#}")));
                    TestStatus::Error
                }
            };
            outcomes.push(TestOutcome { file: file.display_path.clone(), name: path, status, duration, output });
        }
    }
    Ok(outcomes)
}
