//! End-to-end test of the composite GitHub Action (`action.yml`): every `run:`
//! step is executed in bash the way the runner does it (`bash --noprofile
//! --norc -eo pipefail`, env from the step's `env:` with `${{ }}` expressions
//! resolved, `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`, `GITHUB_ACTION_PATH`,
//! `RUNNER_TEMP` pointed at temporary files), `uses:` steps are skipped but
//! their `if:` is evaluated, and a failing step skips the rest, as on GitHub.
//! The binary under test is passed as a prebuilt one (`version: prebuilt`);
//! recorded fixtures cover the offline path, a moto server the live one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

#[path = "support/moto.rs"]
#[allow(dead_code)]
mod moto;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Action {
    inputs: BTreeMap<String, Input>,
    outputs: BTreeMap<String, Output>,
    runs: Runs,
}

#[derive(Debug, Deserialize)]
struct Input {
    #[serde(default)]
    default: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Output {
    value: String,
}

#[derive(Debug, Deserialize)]
struct Runs {
    using: String,
    steps: Vec<Step>,
}

#[derive(Debug, Deserialize)]
struct Step {
    #[serde(default)]
    id: Option<String>,
    name: String,
    #[serde(default, rename = "if")]
    condition: Option<String>,
    #[serde(default)]
    uses: Option<String>,
    #[serde(default)]
    run: Option<String>,
    #[serde(default)]
    shell: Option<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn action() -> Action {
    let text = std::fs::read_to_string(repo().join("action.yml")).unwrap();
    serde_yaml_ng::from_str(&text).unwrap()
}

/// What a run of the action left behind.
#[derive(Debug)]
struct Run {
    /// The action's outputs (its `outputs:` resolved against the step outputs).
    outputs: BTreeMap<String, String>,
    summary: String,
    /// `uses:` steps whose `if:` held: they would have run on GitHub.
    would_use: Vec<String>,
    /// The step that failed and its exit code, if any.
    failed: Option<(String, i32)>,
    /// Names of the steps that ran (run steps only).
    ran: Vec<String>,
    log: String,
    workspace: tempfile::TempDir,
}

struct Context<'a> {
    inputs: BTreeMap<String, String>,
    steps: BTreeMap<String, BTreeMap<String, String>>,
    action_path: &'a Path,
    runner_temp: &'a Path,
}

impl Context<'_> {
    /// The value of a context reference such as `inputs.fail-on` or
    /// `steps.audit.outputs.failed`; unknown references fail the test, so the
    /// action can only use what this harness understands.
    fn lookup(&self, reference: &str) -> String {
        let parts: Vec<&str> = reference.trim().split('.').collect();
        match parts.as_slice() {
            ["inputs", name] => self.inputs.get(*name).cloned().unwrap_or_else(|| panic!("unknown input {name}")),
            ["steps", id, "outputs", name] => self.steps.get(*id).and_then(|o| o.get(*name)).cloned().unwrap_or_default(),
            ["github", "action_path"] => self.action_path.display().to_string(),
            ["runner", "temp"] => self.runner_temp.display().to_string(),
            _ => panic!("the harness does not know the expression `{reference}`"),
        }
    }

    /// Replaces every `${{ reference }}` in `text`.
    fn substitute(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").expect("unclosed ${{") + start;
            out.push_str(&self.lookup(&rest[start + 3..end]));
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }

    /// Evaluates an `if:`: terms joined by `&&`, each `reference == 'literal'`
    /// or `reference != 'literal'`. Anything richer fails the test, which keeps
    /// the action's conditions simple enough to be verified here.
    fn condition(&self, expr: &str) -> bool {
        expr.split("&&").all(|term| {
            let (lhs, op, rhs) = if let Some((l, r)) = term.split_once("==") {
                (l, true, r)
            } else if let Some((l, r)) = term.split_once("!=") {
                (l, false, r)
            } else {
                panic!("unsupported condition term `{term}`")
            };
            let literal =
                rhs.trim().strip_prefix('\'').and_then(|r| r.strip_suffix('\'')).unwrap_or_else(|| panic!("`{rhs}` is not a literal"));
            (self.lookup(lhs) == literal) == op
        })
    }
}

/// Parses `$GITHUB_OUTPUT`: `name=value` lines and `name<<DELIM` blocks.
fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delim)) = line.split_once("<<") {
            let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delim).collect();
            out.insert(name.to_owned(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            out.insert(name.to_owned(), value.to_owned());
        } else if !line.is_empty() {
            panic!("malformed GITHUB_OUTPUT line `{line}`");
        }
    }
    out
}

fn run_action(given: &[(&str, &str)]) -> Run {
    run_action_with_env(given, &[])
}

/// Like [`run_action`], with extra environment for every step (as a job's `env:`).
fn run_action_with_env(given: &[(&str, &str)], job_env: &[(&str, &str)]) -> Run {
    let action = action();
    assert_eq!(action.runs.using, "composite");
    let workspace = tempfile::tempdir().unwrap();
    let runner_temp = tempfile::tempdir().unwrap();
    let summary_path = runner_temp.path().join("step_summary.md");
    std::fs::write(&summary_path, "").unwrap();

    let mut inputs: BTreeMap<String, String> =
        action.inputs.iter().map(|(k, v)| (k.clone(), v.default.clone().unwrap_or_default())).collect();
    inputs.insert("version".into(), "prebuilt".into());
    inputs.insert("binary".into(), env!("CARGO_BIN_EXE_trailaudit").into());
    for (k, v) in given {
        assert!(inputs.contains_key(*k), "action.yml has no input {k}");
        inputs.insert((*k).to_owned(), (*v).to_owned());
    }
    let mut ctx = Context { inputs, steps: BTreeMap::new(), action_path: repo(), runner_temp: runner_temp.path() };
    let mut run = Run {
        outputs: BTreeMap::new(),
        summary: String::new(),
        would_use: vec![],
        failed: None,
        ran: vec![],
        log: String::new(),
        workspace,
    };

    for (i, step) in action.runs.steps.iter().enumerate() {
        if run.failed.is_some() {
            assert!(step.condition.as_deref().is_none_or(|c| !c.contains("always()") && !c.contains("failure()")));
            break; // a failed step skips the rest
        }
        if let Some(cond) = &step.condition
            && !ctx.condition(cond)
        {
            continue;
        }
        if let Some(uses) = &step.uses {
            run.would_use.push(uses.clone());
            continue;
        }
        let script = step.run.as_deref().unwrap_or_else(|| panic!("step {} has neither uses nor run", step.name));
        assert!(!script.contains("${{"), "step {}: expressions in run: are script injection; pass them through env:", step.name);
        assert_eq!(step.shell.as_deref(), Some("bash"), "step {}", step.name);
        let output_file = runner_temp.path().join(format!("output_{i}"));
        std::fs::write(&output_file, "").unwrap();
        let script_file = runner_temp.path().join(format!("step_{i}.sh"));
        std::fs::write(&script_file, script).unwrap();
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script_file)
            .current_dir(run.workspace.path())
            .env("GITHUB_OUTPUT", &output_file)
            .env("GITHUB_STEP_SUMMARY", &summary_path)
            .env("GITHUB_ACTION_PATH", repo())
            .env("GITHUB_WORKSPACE", run.workspace.path())
            .env("RUNNER_TEMP", runner_temp.path())
            .env("NO_COLOR", "1")
            .env_remove("AWS_ENDPOINT_URL");
        for (k, v) in job_env {
            cmd.env(k, v);
        }
        for (k, v) in &step.env {
            cmd.env(k, ctx.substitute(v));
        }
        let out = cmd.output().unwrap();
        run.ran.push(step.name.clone());
        run.log.push_str(&format!("--- {}\n{}{}", step.name, String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)));
        if let Some(id) = &step.id {
            ctx.steps.insert(id.clone(), parse_outputs(&std::fs::read_to_string(&output_file).unwrap()));
        }
        if !out.status.success() {
            run.failed = Some((step.name.clone(), out.status.code().unwrap_or(-1)));
        }
    }
    for (name, output) in &action.outputs {
        run.outputs.insert(name.clone(), ctx.substitute(&output.value));
    }
    run.summary = std::fs::read_to_string(&summary_path).unwrap();
    run
}

fn fixture(name: &str) -> String {
    repo().join("fixtures").join(name).join("snapshot.json").display().to_string()
}

fn count(run: &Run, name: &str) -> usize {
    run.outputs[name].parse().unwrap_or_else(|_| panic!("output {name} = {:?}\n{}", run.outputs[name], run.log))
}

fn json_report(run: &Run) -> serde_json::Value {
    let path = PathBuf::from(&run.outputs["json-file"]);
    let path = if path.is_absolute() { path } else { run.workspace.path().join(path) };
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn noncompliant_fails_the_last_step_with_exit_1_after_report_and_upload() {
    let run = run_action(&[("snapshot", &fixture("noncompliant"))]);
    assert_eq!(run.failed, Some(("Fail per fail-on".to_owned(), 1)), "{}", run.log);
    assert_eq!(run.ran, ["Check inputs", "Install trailaudit", "Audit", "Fail per fail-on"]);
    assert_eq!(run.would_use, ["github/codeql-action/upload-sarif@v4"], "upload yes, cache no (prebuilt)");
    let report = json_report(&run);
    assert!(count(&run, "failed") > 0);
    assert_eq!(count(&run, "failed"), report["summary"]["by_status"]["fail"].as_u64().unwrap() as usize);
    assert_eq!(count(&run, "passed"), report["summary"]["by_status"]["pass"].as_u64().unwrap() as usize);
    assert_eq!(count(&run, "errors"), 0);
    assert_eq!(run.outputs["new"], "", "no baseline, no `new` count");
    assert_eq!(run.outputs["exit-code"], "1");
    assert_eq!(run.outputs["sarif-file"], "trailaudit.sarif");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.workspace.path().join("trailaudit.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());
    // The summary is the project's Markdown report.
    assert!(run.summary.starts_with("# trailaudit: ❌ failing"), "{}", run.summary);
    assert!(run.summary.contains("## Findings") && run.summary.contains("| ❌ fail | 222222222222 |"), "{}", run.summary);
    // The report printed to the log is fenced off from workflow commands.
    let stop = run.log.lines().find_map(|l| l.strip_prefix("::stop-commands::")).expect("stop-commands before the report");
    assert!(run.log.contains(&format!("::{stop}::")), "commands resumed after the report");
}

#[test]
fn compliant_passes_every_step() {
    let run = run_action(&[("snapshot", &fixture("compliant")), ("json-file", "out/report.json")]);
    assert_eq!(run.failed, None, "{}", run.log);
    assert_eq!(count(&run, "failed"), 0);
    assert_eq!(count(&run, "errors"), 0);
    assert!(count(&run, "passed") > 0);
    assert_eq!(run.outputs["exit-code"], "0");
    assert_eq!(run.outputs["json-file"], "out/report.json");
    assert_eq!(json_report(&run)["summary"]["exit_code"], 0);
    assert!(run.summary.starts_with("# trailaudit: ✅ compliant"), "{}", run.summary);
}

#[test]
fn partial_collection_with_fail_on_critical_fails_with_exit_3() {
    let run = run_action(&[("snapshot", &fixture("partial_collection")), ("fail-on", "critical"), ("upload-sarif", "false")]);
    assert_eq!(run.failed, Some(("Fail per fail-on".to_owned(), 3)), "{}", run.log);
    assert!(count(&run, "errors") > 0);
    assert_eq!(count(&run, "failed"), 0);
    assert!(run.would_use.is_empty(), "upload-sarif false: nothing uploaded");
    assert!(run.summary.starts_with("# trailaudit: ⚠️ incomplete"), "{}", run.summary);
    assert!(run.summary.contains("⚠️ error"), "{}", run.summary);
}

#[test]
fn fail_on_none_reports_without_failing() {
    let run = run_action(&[("snapshot", &fixture("noncompliant")), ("fail-on", "none"), ("sarif-file", "")]);
    assert_eq!(run.failed, None, "{}", run.log);
    assert_eq!(run.outputs["exit-code"], "1");
    assert_eq!(run.outputs["sarif-file"], "");
    assert!(run.would_use.is_empty(), "no SARIF file, no upload");
    assert!(run.log.contains("exit 1 ignored (fail-on: none)"), "{}", run.log);
}

#[test]
fn inputs_are_data_not_code() {
    let marker = std::env::temp_dir().join(format!("trailaudit-action-injection-{}", std::process::id()));
    let hostile = format!("$(touch {m}); `touch {m}`; \"; touch {m}; echo \"", m = marker.display());
    let run = run_action(&[("snapshot", &fixture("compliant")), ("config", &hostile)]);
    assert!(!marker.exists(), "an input was executed as shell code");
    // The string reached trailaudit as a file name it cannot read: bad input, exit 2.
    assert_eq!(run.failed, Some(("Fail per fail-on".to_owned(), 2)), "{}", run.log);
    assert_eq!(run.outputs["failed"], "");
    assert!(run.summary.starts_with("# trailaudit: could not run (exit 2)"), "{}", run.summary);
    assert!(run.summary.contains("cannot read"), "{}", run.summary);
}

#[test]
fn bad_inputs_stop_at_the_first_step() {
    let run = run_action(&[("snapshot", &fixture("compliant")), ("fail-on", "sometimes")]);
    assert_eq!(run.failed, Some(("Check inputs".to_owned(), 2)), "{}", run.log);
    assert!(run.log.contains("fail-on must be critical, high, medium, low, info or none"), "{}", run.log);
    let run = run_action(&[("snapshot", &fixture("compliant")), ("binary", "/nonexistent/trailaudit")]);
    assert_eq!(run.failed, Some(("Install trailaudit".to_owned(), 2)), "{}", run.log);
}

#[test]
fn source_builds_are_cached_on_a_hash_of_the_lock_file() {
    // Only the prepare step runs for real here (a full `cargo install` is too
    // slow for a test); it must select the cache step and key it on Cargo.lock.
    let action = action();
    let prepare = &action.runs.steps[0];
    assert_eq!(prepare.id.as_deref(), Some("prepare"));
    let tmp = tempfile::tempdir().unwrap();
    let output = tmp.path().join("out");
    std::fs::write(&output, "").unwrap();
    let status = Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", prepare.run.as_deref().unwrap()])
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_ACTION_PATH", repo())
        .env("TA_VERSION", "source")
        .status()
        .unwrap();
    assert!(status.success());
    let outputs = parse_outputs(&std::fs::read_to_string(&output).unwrap());
    assert_eq!(outputs["mode"], "source");
    let lock = std::fs::read(repo().join("Cargo.lock")).unwrap();
    let expected = {
        use sha2::Digest;
        sha2::Sha256::digest(&lock).iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    assert_eq!(outputs["lock-hash"], expected);
    let cache = action.runs.steps.iter().find(|s| s.uses.as_deref().is_some_and(|u| u.starts_with("actions/cache@"))).unwrap();
    assert_eq!(cache.condition.as_deref(), Some("steps.prepare.outputs.mode == 'source'"));
}

#[test]
fn live_audit_collects_the_requested_regions_and_keeps_the_snapshot() {
    // Against moto: an empty account (no trail), credentials from the
    // environment as configure-aws-credentials leaves them.
    let server = moto::Moto::start();
    let run = run_action_with_env(
        &[("regions", "us-east-1,eu-west-1"), ("save-snapshot", "evidence/snapshot.json"), ("upload-sarif", "false")],
        &[("AWS_ENDPOINT_URL", &server.url)],
    );
    // No trail anywhere fails CT-001, and failures outrank errors: exit 1.
    assert_eq!(run.failed, Some(("Fail per fail-on".to_owned(), 1)), "{}", run.log);
    assert_eq!(run.outputs["snapshot-file"], "evidence/snapshot.json");
    let snapshot: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.workspace.path().join("evidence/snapshot.json")).unwrap()).unwrap();
    assert_eq!(snapshot["metadata"]["regions"], serde_json::json!(["eu-west-1", "us-east-1"]));
    assert_eq!(json_report(&run)["snapshot"]["path"], "evidence/snapshot.json");
    assert!(count(&run, "failed") > 0);
}
