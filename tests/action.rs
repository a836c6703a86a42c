//! End-to-end test of the composite GitHub Action (`action.yml`): every `run:`
//! step is executed in bash the way the runner does it (`bash --noprofile
//! --norc -eo pipefail`, env from the step's `env:` with `${{ }}` expressions
//! resolved, `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`, `GITHUB_ACTION_PATH`,
//! `RUNNER_TEMP` pointed at temporary files), `uses:` steps are skipped but
//! their `if:` is evaluated, and a failing step skips the rest but for steps
//! whose `if:` has `always()`, as on GitHub.
//! Most cases pass the binary under test as a prebuilt one (`install:
//! prebuilt`); the release path downloads it from a local release served on
//! 127.0.0.1 (tests/support/local_release.rs), checksums and all. Recorded
//! fixtures cover the offline audit, a moto server the live one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

#[path = "support/moto.rs"]
#[allow(dead_code)]
mod moto;

#[path = "support/local_release.rs"]
mod local_release;
use local_release::LocalRelease;

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
    #[serde(default)]
    with: BTreeMap<String, String>,
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
    runner_temp: tempfile::TempDir,
    /// `$HOME` of the steps (a source build installs under it).
    home: tempfile::TempDir,
}

/// What a test sets beyond the inputs: the job's environment and the
/// `github.action_*` context of `uses: owner/name@ref`.
#[derive(Default)]
struct Job<'a> {
    env: Vec<(&'a str, String)>,
    action_ref: &'a str,
    action_repository: &'a str,
}

struct Context<'a> {
    inputs: BTreeMap<String, String>,
    steps: BTreeMap<String, BTreeMap<String, String>>,
    action_path: &'a Path,
    runner_temp: &'a Path,
    action_ref: &'a str,
    action_repository: &'a str,
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
            ["github", "action_ref"] => self.action_ref.to_owned(),
            ["github", "action_repository"] => self.action_repository.to_owned(),
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

    /// Evaluates an `if:`: terms joined by `&&`, each `always()`,
    /// `reference == 'literal'` or `reference != 'literal'`. Anything richer
    /// fails the test, which keeps the action's conditions simple enough to be
    /// verified here.
    fn condition(&self, expr: &str) -> bool {
        expr.split("&&").all(|term| {
            if term.trim() == "always()" {
                return true;
            }
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
    run_job(given, &Job::default())
}

/// Like [`run_action`], with extra environment for every step (as a job's `env:`).
fn run_action_with_env(given: &[(&str, &str)], job_env: &[(&str, &str)]) -> Run {
    run_job(given, &Job { env: job_env.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(), ..Job::default() })
}

/// `RUNNER_OS` and `RUNNER_ARCH` as GitHub names this machine.
fn runner_os_arch() -> (&'static str, &'static str) {
    let os = match std::env::consts::OS {
        "linux" => "Linux",
        "macos" => "macOS",
        other => panic!("no runner name for {other}"),
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "X64",
        "aarch64" => "ARM64",
        other => panic!("no runner name for {other}"),
    };
    (os, arch)
}

/// Runs the action with `given` inputs (the others at their defaults, but
/// `install: prebuilt` with the binary under test unless `given` says otherwise).
fn run_job(given: &[(&str, &str)], job: &Job) -> Run {
    let action = action();
    assert_eq!(action.runs.using, "composite");
    let workspace = tempfile::tempdir().unwrap();
    let runner_temp = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let summary_path = runner_temp.path().join("step_summary.md");
    std::fs::write(&summary_path, "").unwrap();

    let mut inputs: BTreeMap<String, String> =
        action.inputs.iter().map(|(k, v)| (k.clone(), v.default.clone().unwrap_or_default())).collect();
    inputs.insert("install".into(), "prebuilt".into());
    inputs.insert("binary".into(), env!("CARGO_BIN_EXE_trailaudit").into());
    for (k, v) in given {
        assert!(inputs.contains_key(*k), "action.yml has no input {k}");
        inputs.insert((*k).to_owned(), (*v).to_owned());
    }
    let runner_temp_path = runner_temp.path().to_owned();
    let mut ctx = Context {
        inputs,
        steps: BTreeMap::new(),
        action_path: repo(),
        runner_temp: &runner_temp_path,
        action_ref: job.action_ref,
        action_repository: job.action_repository,
    };
    let mut run = Run {
        outputs: BTreeMap::new(),
        summary: String::new(),
        would_use: vec![],
        failed: None,
        ran: vec![],
        log: String::new(),
        workspace,
        runner_temp,
        home,
    };
    let runner_temp = run.runner_temp.path().to_owned();
    let home = run.home.path().to_owned();
    let (runner_os, runner_arch) = runner_os_arch();

    for (i, step) in action.runs.steps.iter().enumerate() {
        // A failed step skips the rest, except steps that ask for always().
        if run.failed.is_some() && !step.condition.as_deref().is_some_and(|c| c.contains("always()")) {
            assert!(step.condition.as_deref().is_none_or(|c| !c.contains("failure()")), "the harness does not evaluate failure()");
            continue;
        }
        if let Some(cond) = &step.condition
            && !ctx.condition(cond)
        {
            continue;
        }
        if let Some(uses) = &step.uses {
            let (name, _pin) = uses.split_once('@').unwrap_or_else(|| panic!("step {}: `uses: {uses}` has no ref", step.name));
            run.would_use.push(name.to_owned());
            continue;
        }
        let script = step.run.as_deref().unwrap_or_else(|| panic!("step {} has neither uses nor run", step.name));
        assert!(!script.contains("${{"), "step {}: expressions in run: are script injection; pass them through env:", step.name);
        assert_eq!(step.shell.as_deref(), Some("bash"), "step {}", step.name);
        let output_file = runner_temp.join(format!("output_{i}"));
        std::fs::write(&output_file, "").unwrap();
        let script_file = runner_temp.join(format!("step_{i}.sh"));
        std::fs::write(&script_file, script).unwrap();
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script_file)
            .current_dir(run.workspace.path())
            .env("HOME", &home)
            .env("GITHUB_OUTPUT", &output_file)
            .env("GITHUB_STEP_SUMMARY", &summary_path)
            .env("GITHUB_ACTION_PATH", repo())
            .env("GITHUB_WORKSPACE", run.workspace.path())
            .env("RUNNER_TEMP", &runner_temp)
            .env("RUNNER_OS", runner_os)
            .env("RUNNER_ARCH", runner_arch)
            .env("NO_COLOR", "1")
            .env_remove("AWS_ENDPOINT_URL");
        for (k, v) in &job.env {
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
        if !out.status.success() && run.failed.is_none() {
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
    assert_eq!(run.would_use, ["github/codeql-action/upload-sarif"], "upload yes, cache no (prebuilt)");
    assert_eq!(run.outputs["sarif-category"], "trailaudit-222222222222", "one account: its id keeps matrix legs apart");
    assert_eq!(run.outputs["binary"], env!("CARGO_BIN_EXE_trailaudit"));
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

/// `fail-on: none` waives findings only: a snapshot with failed calls still
/// fails the step with exit 3, as `trailaudit audit --fail-on none` exits 3.
#[test]
fn fail_on_none_still_fails_on_errors() {
    let run = run_action(&[("snapshot", &fixture("partial_collection")), ("fail-on", "none"), ("upload-sarif", "false")]);
    assert_eq!(run.failed, Some(("Fail per fail-on".to_owned(), 3)), "{}", run.log);
    assert_eq!(run.outputs["exit-code"], "3");
    assert!(!run.log.contains("ignored (fail-on: none)"), "{}", run.log);
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
    let run = run_action(&[("snapshot", &fixture("compliant")), ("install", "release"), ("version", "1.x")]);
    assert_eq!(run.failed, Some(("Check inputs".to_owned(), 2)), "{}", run.log);
    assert!(run.log.contains("version must be auto, latest or a release such as v1.2.3 (got '1.x')"), "{}", run.log);
    let run = run_action(&[("snapshot", &fixture("compliant")), ("install", "binary")]);
    assert!(run.log.contains("install must be release, source or prebuilt"), "{}", run.log);
    let run = run_action(&[("snapshot", &fixture("compliant")), ("fail-on-new", "true")]);
    assert_eq!(run.failed, Some(("Check inputs".to_owned(), 2)), "{}", run.log);
    assert!(run.log.contains("fail-on-new needs the baseline input"), "{}", run.log);
    let run = run_action(&[("snapshot", &fixture("compliant")), ("binary", "/nonexistent/trailaudit")]);
    assert_eq!(run.failed, Some(("Install trailaudit".to_owned(), 2)), "{}", run.log);
}

#[test]
fn fail_on_new_fails_only_on_findings_missing_from_the_baseline() {
    // Last night's report as the baseline: tonight's failures are all unchanged.
    let first = run_action(&[("snapshot", &fixture("noncompliant")), ("fail-on", "none")]);
    let baseline = first.workspace.path().join("trailaudit.json").display().to_string();
    let with = |fail_on_new| run_action(&[("snapshot", &fixture("noncompliant")), ("baseline", &baseline), ("fail-on-new", fail_on_new)]);
    let only_new = with("true");
    assert_eq!(only_new.failed, None, "no new failure, fail-on-new: the step passes\n{}", only_new.log);
    assert_eq!(only_new.outputs["new"], "0");
    assert!(count(&only_new, "failed") > 0, "the unchanged failures are still reported");
    assert!(only_new.summary.contains("only new failures fail the run"), "{}", only_new.summary);
    let every = with("false");
    assert_eq!(every.failed, Some(("Fail per fail-on".to_owned(), 1)), "{}", every.log);
}

#[test]
fn sarif_category_keeps_matrix_legs_apart_unless_set() {
    let framework = run_action(&[("snapshot", &fixture("noncompliant")), ("framework", "cis-aws-v5.0"), ("fail-on", "none")]);
    assert_eq!(framework.outputs["sarif-category"], "trailaudit-222222222222-cis-aws-v5.0", "{}", framework.log);
    let set = run_action(&[("snapshot", &fixture("noncompliant")), ("sarif-category", "prod/eu"), ("fail-on", "none")]);
    assert_eq!(set.outputs["sarif-category"], "prod/eu");
    let none = run_action(&[("snapshot", &fixture("noncompliant")), ("sarif-file", ""), ("fail-on", "none")]);
    assert_eq!(none.outputs["sarif-category"], "", "no SARIF, no category");
}

fn executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn sarif_category_of_an_organization_shard_names_the_shard() {
    // An organization-wide snapshot holding shard 2 of 3 (its scope written
    // before `accounts`, where the collector puts it).
    let text = std::fs::read_to_string(fixture("noncompliant")).unwrap();
    let scope = r#""organization": {"id": "o-abc123", "management_account_id": "222222222222", "discovered_from": "222222222222",
        "selected_accounts": ["222222222222"], "shards": {"count": 3, "indices": [2]}},
  "accounts": ["#;
    let sharded = tempfile::tempdir().unwrap();
    let snapshot = sharded.path().join("shard-2.json");
    std::fs::write(&snapshot, text.replacen("\"accounts\": [", scope, 1)).unwrap();
    let run = run_action(&[("snapshot", &snapshot.display().to_string()), ("fail-on", "none")]);
    assert_eq!(run.outputs["sarif-category"], "trailaudit-o-abc123-shard-2-of-3", "{}", run.log);
}

/// The tag of this crate's version, as the release workflow names it.
fn own_tag() -> String {
    format!("v{}", env!("CARGO_PKG_VERSION"))
}

const RELEASE_COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

/// Runs the action as `uses: trailaudit/trailaudit@<action_ref>` with its
/// default `install: release`, downloading from `release`.
fn run_released(release: &LocalRelease, action_ref: &str, given: &[(&str, &str)]) -> Run {
    let mut inputs = vec![("install", "release"), ("binary", ""), ("release-url", release.url.as_str())];
    inputs.extend_from_slice(given);
    run_job(&inputs, &Job { action_ref, action_repository: "trailaudit/trailaudit", ..Job::default() })
}

#[test]
fn release_install_downloads_checks_and_runs_the_release_binary() {
    let tag = own_tag();
    let release = LocalRelease::publish(&tag, Path::new(env!("CARGO_BIN_EXE_trailaudit")), RELEASE_COMMIT);
    let run = run_released(&release, &tag, &[("snapshot", &fixture("noncompliant"))]);
    assert_eq!(run.failed, Some(("Fail per fail-on".to_owned(), 1)), "{}", run.log);
    assert_eq!(run.ran, ["Check inputs", "Install trailaudit", "Audit", "Fail per fail-on"]);
    assert_eq!(run.would_use, ["github/codeql-action/upload-sarif"], "no cache steps: nothing is compiled");
    let target = local_release::host_target();
    assert_eq!(release.requests(), [format!("/download/{tag}/SHA256SUMS"), format!("/download/{tag}/trailaudit-{target}.tar.gz")]);
    assert!(run.log.contains(&format!("trailaudit-{target}.tar.gz: SHA-256")) && run.log.contains("matches SHA256SUMS"), "{}", run.log);
    // The audit ran the unpacked copy, not the binary the release was made from.
    let binary = PathBuf::from(&run.outputs["binary"]);
    assert_eq!(binary, run.runner_temp.path().join(format!("trailaudit-release/trailaudit-{target}/trailaudit")));
    assert!(binary.is_file());
    assert_eq!(run.outputs["version"], env!("CARGO_PKG_VERSION"));
    assert!(count(&run, "failed") > 0);
    assert!(run.summary.starts_with("# trailaudit: ❌ failing"), "{}", run.summary);

    // version: latest goes through GitHub's latest/download/ URLs.
    let latest = LocalRelease::publish("latest", Path::new(env!("CARGO_BIN_EXE_trailaudit")), RELEASE_COMMIT);
    let run = run_released(&latest, "main", &[("snapshot", &fixture("compliant")), ("version", "latest")]);
    assert_eq!(run.failed, None, "{}", run.log);
    assert_eq!(latest.requests(), ["/latest/download/SHA256SUMS".to_owned(), format!("/latest/download/trailaudit-{target}.tar.gz")]);
}

#[test]
fn checksum_mismatch_stops_the_action_before_anything_runs() {
    let tag = own_tag();
    let release = LocalRelease::publish(&tag, Path::new(env!("CARGO_BIN_EXE_trailaudit")), RELEASE_COMMIT);
    // The archive is replaced after SHA256SUMS was written (a tampered or
    // truncated download): its "trailaudit" would leave a mark if it ran.
    let marker = tempfile::tempdir().unwrap();
    let mark = marker.path().join("ran");
    let impostor = marker.path().join("trailaudit");
    std::fs::write(&impostor, format!("#!/bin/sh\ntouch '{}'\necho 'trailaudit {}'\n", mark.display(), env!("CARGO_PKG_VERSION"))).unwrap();
    executable(&impostor);
    let target = local_release::host_target();
    let staged = tempfile::tempdir().unwrap();
    let tampered = local_release::archive(&impostor, staged.path());
    std::fs::copy(&tampered, release.asset(&tag, &format!("trailaudit-{target}.tar.gz"))).unwrap();

    let run = run_released(&release, &tag, &[("snapshot", &fixture("compliant"))]);
    assert_eq!(run.failed, Some(("Install trailaudit".to_owned(), 2)), "{}", run.log);
    assert_eq!(run.ran, ["Check inputs", "Install trailaudit"], "nothing after the install ran");
    assert!(run.would_use.is_empty(), "no upload, no cache: {:?}", run.would_use);
    assert!(run.log.contains(&format!("checksum mismatch for trailaudit-{target}.tar.gz of release {tag}")), "{}", run.log);
    assert!(run.log.contains("nothing was installed or run"), "{}", run.log);
    assert!(!mark.exists(), "the unverified download was executed");
    assert!(!run.runner_temp.path().join("trailaudit-release").exists(), "the unverified download was left behind");
    assert_eq!(run.outputs["binary"], "");

    // A SHA256SUMS without a line for the archive stops it the same way.
    std::fs::write(release.asset(&tag, "SHA256SUMS"), format!("{}  source-commit.txt\n", "0".repeat(64))).unwrap();
    let run = run_released(&release, &tag, &[("snapshot", &fixture("compliant"))]);
    assert_eq!(run.failed, Some(("Install trailaudit".to_owned(), 2)), "{}", run.log);
    assert!(run.log.contains(&format!("SHA256SUMS of release {tag} has no checksum for trailaudit-{target}.tar.gz")), "{}", run.log);
}

#[test]
fn a_commit_sha_pin_installs_the_release_only_if_it_was_built_from_that_commit() {
    let tag = own_tag();
    let release = LocalRelease::publish(&tag, Path::new(env!("CARGO_BIN_EXE_trailaudit")), RELEASE_COMMIT);
    let run = run_released(&release, RELEASE_COMMIT, &[("snapshot", &fixture("compliant"))]);
    assert_eq!(run.failed, None, "{}", run.log);
    assert!(run.outputs["binary"].contains("trailaudit-release"), "{}", run.log);
    assert_eq!(release.requests()[0], format!("/download/{tag}/source-commit.txt"));

    // Another commit (main after the release): its scripts may expect a newer
    // binary than the release, so it builds its own source (here a stand-in cargo).
    let cargo = FakeCargo::new(0);
    let other = "fedcba9876543210fedcba9876543210fedcba98";
    let run = run_job(
        &[("install", "release"), ("binary", ""), ("release-url", &release.url), ("snapshot", &fixture("compliant"))],
        &Job { action_ref: other, env: cargo.env(), ..Job::default() },
    );
    assert_eq!(run.failed, None, "{}", run.log);
    assert!(run.log.contains(&format!("commit {other} is not the commit of release {tag}")), "{}", run.log);
    assert!(cargo.args().starts_with(&["install".to_owned(), "--locked".to_owned()]), "{:?}", cargo.args());
}

/// Stands in for `cargo` on PATH: a real `cargo install` of trailaudit takes
/// about ten minutes. It records its arguments and environment, then
/// "installs" the binary under test where `--root` says (or fails with `code`).
struct FakeCargo {
    dir: tempfile::TempDir,
}

impl FakeCargo {
    fn new(code: i32) -> FakeCargo {
        let dir = tempfile::tempdir().unwrap();
        let script = format!(
            r#"#!/usr/bin/env bash
set -eu
printf '%s\n' "$@" >"{log}"
printf '%s\n' "$CARGO_TARGET_DIR" >"{log}.target"
[ {code} -eq 0 ] || {{ echo "error: could not compile trailaudit" >&2; exit {code}; }}
root=""
while [ $# -gt 0 ]; do [ "$1" = --root ] && root="$2"; shift; done
mkdir -p "$root/bin"
cp "{binary}" "$root/bin/trailaudit"
"#,
            log = dir.path().join("args").display(),
            binary = env!("CARGO_BIN_EXE_trailaudit"),
        );
        std::fs::write(dir.path().join("cargo"), script).unwrap();
        executable(&dir.path().join("cargo"));
        FakeCargo { dir }
    }

    /// The job's PATH with this cargo first.
    fn env(&self) -> Vec<(&'static str, String)> {
        vec![("PATH", format!("{}:{}", self.dir.path().display(), std::env::var("PATH").unwrap()))]
    }

    fn args(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("args")).unwrap_or_default().lines().map(str::to_owned).collect()
    }

    fn target_dir(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("args.target")).unwrap().trim().to_owned()
    }
}

#[test]
fn a_branch_ref_builds_from_source_and_saves_the_cache_although_the_audit_fails() {
    let cargo = FakeCargo::new(0);
    let run = run_job(
        &[("install", "release"), ("binary", ""), ("snapshot", &fixture("noncompliant"))],
        &Job { action_ref: "main", action_repository: "trailaudit/trailaudit", env: cargo.env() },
    );
    assert_eq!(run.failed, Some(("Fail per fail-on".to_owned(), 1)), "{}", run.log);
    assert!(run.log.contains("the action's ref 'main' is not a release; building trailaudit from source"), "{}", run.log);
    assert_eq!(run.ran, ["Check inputs", "Install trailaudit", "Audit", "Fail per fail-on"]);
    // Restore before the build; save after it with always(), before the audit
    // whose findings fail the job (actions/cache would then not save).
    assert_eq!(run.would_use, ["actions/cache/restore", "actions/cache/save", "github/codeql-action/upload-sarif"]);
    let root = run.home.path().join(".cache/trailaudit");
    assert_eq!(
        cargo.args(),
        ["install", "--locked", "--force", "--path", &repo().display().to_string(), "--root", &root.display().to_string()]
    );
    assert_eq!(cargo.target_dir(), root.join("target").display().to_string());
    assert_eq!(run.outputs["binary"], root.join("bin/trailaudit").display().to_string());
}

#[test]
fn a_failed_source_build_restores_the_cache_but_saves_nothing() {
    let cargo = FakeCargo::new(101);
    let run = run_job(&[("install", "source"), ("snapshot", &fixture("compliant"))], &Job { env: cargo.env(), ..Job::default() });
    assert_eq!(run.failed, Some(("Install trailaudit".to_owned(), 101)), "{}", run.log);
    assert_eq!(run.would_use, ["actions/cache/restore"], "a broken build is not cached");
    assert_eq!(run.ran, ["Check inputs", "Install trailaudit"]);
}

#[test]
fn source_builds_are_cached_on_a_hash_of_the_lock_file() {
    let cargo = FakeCargo::new(0);
    let run = run_job(&[("install", "source"), ("snapshot", &fixture("compliant"))], &Job { env: cargo.env(), ..Job::default() });
    assert_eq!(run.failed, None, "{}", run.log);
    let lock = std::fs::read(repo().join("Cargo.lock")).unwrap();
    let (os, arch) = runner_os_arch();
    let prefix = format!("trailaudit-source-{os}-{arch}-");
    let action = action();
    let step = |name: &str| action.runs.steps.iter().find(|s| s.uses.as_deref().is_some_and(|u| u.starts_with(name))).unwrap();
    let (restore, save) = (step("actions/cache/restore@"), step("actions/cache/save@"));
    // hashFiles() cannot see the action's checkout: the key comes from the prepare step.
    let ctx_key = "${{ steps.prepare.outputs.cache-key }}";
    let with = |s: &Step, k: &str| s.with.get(k).cloned().unwrap_or_default();
    assert_eq!(with(restore, "key"), ctx_key);
    assert_eq!(with(save, "key"), ctx_key);
    assert_eq!(with(restore, "path"), with(save, "path"), "save what restore restores");
    assert_eq!(with(restore, "restore-keys"), "${{ steps.prepare.outputs.cache-restore-key }}");
    let prepared = parse_outputs(&std::fs::read_to_string(run.runner_temp.path().join("output_0")).unwrap());
    assert_eq!(prepared["cache-key"], format!("{prefix}{}", local_release::sha256_hex(&lock)));
    assert_eq!(prepared["cache-restore-key"], prefix);
}

#[test]
fn every_nested_action_is_pinned_by_commit_sha() {
    // action.yml, the release workflow and the examples: `owner/name[/path]@<40 hex> # <tag>`;
    // the examples' own trailaudit step names the release of this version.
    let mut files = vec![repo().join("action.yml")];
    for dir in [".github/workflows", "docs/examples"] {
        for entry in std::fs::read_dir(repo().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
                files.push(path);
            }
        }
    }
    let mut seen = 0;
    for file in &files {
        for (n, line) in std::fs::read_to_string(file).unwrap().lines().enumerate() {
            let Some(uses) = line.trim_start().trim_start_matches("- ").strip_prefix("uses:") else { continue };
            let (target, comment) = uses.split_once('#').map_or((uses.trim(), ""), |(t, c)| (t.trim(), c.trim()));
            let at = format!("{}:{}", file.display(), n + 1);
            let (name, pin) = target.split_once('@').unwrap_or_else(|| panic!("{at}: `{target}` is not pinned"));
            seen += 1;
            if name == "trailaudit/trailaudit" {
                assert_eq!(pin, own_tag(), "{at}: the examples name the release of this version");
                continue;
            }
            assert!(pin.len() == 40 && pin.bytes().all(|b| b.is_ascii_hexdigit()), "{at}: `{target}` is not pinned by a full commit SHA");
            assert!(comment.starts_with('v'), "{at}: say which tag the SHA is (`# vX.Y.Z`)");
        }
    }
    assert!(seen >= 10, "only {seen} `uses:` lines found");
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
