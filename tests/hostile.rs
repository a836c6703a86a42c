//! Hostile and careless input (issue 15): policy directories that try to
//! replace the built-in pack, runaway rules, outputs over inputs, duplicated
//! keys and accounts, oversized or malformed files. Each test is the
//! regression test of one defect of the issue, named in its comment.

use std::path::Path;

use predicates::prelude::*;

#[path = "support/cli.rs"]
mod cli_support;
use cli_support::{fixture, trailaudit, write};

fn builtin(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("policies").join(rel)).unwrap()
}

fn audit_with_policy_dir(dir: &Path) -> assert_cmd::assert::Assert {
    trailaudit().args(["audit", "--snapshot", &fixture("noncompliant"), "--policy-dir", &dir.display().to_string()]).assert()
}

const RULE_HEAD: &str = "# METADATA\n# title: T\n# description: D\n# custom:\n#   id: ID\n#   severity: low\n#   subject: account\n#   requires: [cloudtrail:DescribeTrails]\n#   remediation:\n#     console: c\n#     cli: c\n";

/// Defect 1: a user `lib/result.rego` whose `fail()` builds a pass turned the
/// noncompliant fixture green. Replacing a built-in file is a pack error naming it.
#[test]
fn a_policy_dir_cannot_replace_a_builtin_library() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = builtin("lib/result.rego").replace("\"fail\"", "\"pass\"");
    let path = write(dir.path(), "lib/result.rego", &hostile);
    let line = hostile.lines().position(|l| l.starts_with("package ")).unwrap() + 1;
    audit_with_policy_dir(dir.path())
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(format!("{path}:{line}: has the path of the built-in file policies/lib/result.rego")));
}

/// Defect 1: a copy of a built-in rule that always passes flipped CT-005.
#[test]
fn a_policy_dir_cannot_replace_a_builtin_rule() {
    let dir = tempfile::tempdir().unwrap();
    let original = builtin("cloudtrail/log_file_validation.rego");
    let hostile = format!("{original}\nresults := set()\n");
    let path = write(dir.path(), "cloudtrail/log_file_validation.rego", &hostile);
    write(dir.path(), "cloudtrail/log_file_validation_test.rego", &builtin("cloudtrail/log_file_validation_test.rego"));
    audit_with_policy_dir(dir.path()).code(2).stderr(
        predicate::str::contains(format!("{path}:"))
            .and(predicate::str::contains("built-in files cannot be replaced or extended by a policy directory")),
    );
}

/// Defect 1: a package that is a prefix of a built-in one (`trailaudit.lib`
/// defining `result.fail`) or below one extends the built-in document.
#[test]
fn a_policy_dir_cannot_extend_a_builtin_package() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "lib.rego", "package trailaudit.lib\n\nresult.fail(s, m, e) := {\"status\": \"pass\"}\n");
    audit_with_policy_dir(dir.path())
        .code(2)
        .stderr(predicate::str::contains(format!("{path}:1: package `trailaudit.lib` is in the built-in namespace")));

    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "lib/result/extra.rego", "package trailaudit.lib.result.extra\n\nx := 1\n");
    audit_with_policy_dir(dir.path())
        .code(2)
        .stderr(predicate::str::contains(format!("{path}:1: package `trailaudit.lib.result.extra` is in the built-in namespace")));
}

/// Defect 1: a user rule declaring a built-in rule id.
#[test]
fn a_policy_dir_cannot_reuse_a_builtin_rule_id() {
    let dir = tempfile::tempdir().unwrap();
    let rule = format!("{}package trailaudit.acme.mine\n\nresults := set()\n", RULE_HEAD.replace("ID", "CT-005"));
    let path = write(dir.path(), "acme/mine.rego", &rule);
    write(dir.path(), "acme/mine_test.rego", "package trailaudit.acme.mine_test\n\ntest_x if true\n");
    audit_with_policy_dir(dir.path())
        .code(2)
        .stderr(predicate::str::contains(format!("{path}:5: duplicate rule id `CT-005`")))
        .stderr(predicate::str::contains("the id of a built-in rule"));
}

/// Defect 1: the built-in directory given again (`policy-dir: policies` in this
/// repository) is recognised as a copy: the audit is the built-in one, and
/// `trailaudit test policies` runs the built-in tests.
#[test]
fn the_builtin_directory_given_again_is_a_copy_and_changes_nothing() {
    let plain = trailaudit().args(["audit", "--snapshot", &fixture("noncompliant"), "--format", "json"]).output().unwrap();
    let again = trailaudit()
        .args(["audit", "--snapshot", &fixture("noncompliant"), "--format", "json", "--policy-dir", "policies"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1), "{}", String::from_utf8_lossy(&again.stderr));
    let results = |out: &[u8]| serde_json::from_slice::<serde_json::Value>(out).unwrap()["results"].clone();
    assert_eq!(results(&again.stdout), results(&plain.stdout));
    trailaudit().args(["test", "policies"]).assert().code(0).stdout(predicate::str::contains(" passed, 0 failed"));
}

/// Defect 5: three links to `.` made the walk exponential (a hang); one link to
/// the parent read 53 KB of bogus problems. Both are one clear problem each.
#[cfg(unix)]
#[test]
fn symlink_loops_and_links_out_of_the_policy_dir_are_problems() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("pols");
    write(&root, "lib/mine.rego", "package trailaudit.lib.mine\n\nx := 1\n");
    for name in ["a", "b", "c"] {
        symlink(".", root.join(name)).unwrap();
    }
    let started = std::time::Instant::now();
    let out = trailaudit()
        .args(["audit", "--snapshot", &fixture("compliant"), "--policy-dir", &root.display().to_string()])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(started.elapsed().as_secs() < 30);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("symbolic link loop").count(), 3, "{stderr}");
    assert!(stderr.contains(&format!("  {}: symbolic link loop", root.join("a").display())), "{stderr}");

    let root = dir.path().join("up");
    write(&root, "lib/mine.rego", "package trailaudit.lib.mine\n\nx := 1\n");
    symlink("..", root.join("parent")).unwrap();
    let out =
        trailaudit().args(["audit", "--snapshot", &fixture("compliant"), "--policy-dir", &root.display().to_string()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("(1 problem)"), "{stderr}");
    assert!(stderr.contains("outside the policy directory"), "{stderr}");
    assert!(stderr.len() < 2000, "{stderr}");
}

/// A user rule `ACME-<n>` on the account subject with the body `body`, and a test beside it.
fn account_rule(dir: &Path, name: &str, id: &str, body: &str) -> String {
    let rule = format!("{}package trailaudit.acme.{name}\n\nimport data.trailaudit.lib.result\n\n{body}\n", RULE_HEAD.replace("ID", id));
    write(dir, &format!("acme/{name}_test.rego"), &format!("package trailaudit.acme.{name}_test\n\ntest_loads if true\n"));
    write(dir, &format!("acme/{name}.rego"), &rule)
}

/// Defect 2: `f(n) := f(n + 1)` overflowed the stack and aborted the process
/// (exit 134, no report, no file or line). The pack's call graph finds it when
/// the pack loads: the rules that can reach it are never evaluated, their
/// results are `error` naming the function's file and line, every other rule's
/// results are complete and unchanged, exit 3.
#[test]
fn a_recursive_function_gives_errors_for_its_rule_only_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = account_rule(
        dir.path(),
        "recursive",
        "ACME-001",
        "f(n) := f(n + 1)\n\nresults contains result.pass(result.account, \"x\", {}) if f(1) > 0\n",
    );
    // Mutual recursion through an imported library, reached by a second rule
    // through a reference that is not static (`data.trailaudit.lib.ping[name]`; one
    // as wide as `data.trailaudit.lib[name]` could read the event history, so the
    // event-query check would ask the rule to declare `custom.events`).
    let lib = write(
        dir.path(),
        "lib/ping.rego",
        "package trailaudit.lib.ping\n\nimport data.trailaudit.lib.pong\n\nping(n) := pong.pong(n)\n\nvalue := ping(1)\n",
    );
    write(dir.path(), "lib/pong.rego", "package trailaudit.lib.pong\n\npong(n) := data.trailaudit.lib.ping.ping(n)\n");
    account_rule(
        dir.path(),
        "indirect",
        "ACME-004",
        "name := \"value\"\n\nresults contains result.pass(result.account, \"x\", {}) if data.trailaudit.lib.ping[name] > 0\n",
    );
    // A rule beside them that reaches neither is judged as usual.
    account_rule(dir.path(), "fine", "ACME-005", "results contains result.pass(result.account, \"x\", {}) if true\n");
    let plain = trailaudit().args(["audit", "--snapshot", &fixture("compliant"), "--format", "json"]).output().unwrap();
    let out = trailaudit()
        .args(["audit", "--snapshot", &fixture("compliant"), "--format", "json", "--policy-dir", &dir.path().display().to_string()])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains(&format!("ACME-001: rule not evaluated: {path}:16: function `data.trailaudit.acme.recursive.f` is recursive")),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let plain: serde_json::Value = serde_json::from_slice(&plain.stdout).unwrap();
    let results = report["results"].as_array().unwrap();
    let of = |id: &str| results.iter().filter(|r| r["rule_id"] == id).collect::<Vec<_>>();
    let direct = of("ACME-001");
    assert_eq!(direct.len(), 1, "{direct:#?}");
    assert_eq!(direct[0]["status"], "error");
    assert_eq!(
        direct[0]["message"].as_str().unwrap(),
        format!(
            "rule not evaluated: {path}:16: function `data.trailaudit.acme.recursive.f` is recursive \
             (data.trailaudit.acme.recursive.f -> data.trailaudit.acme.recursive.f): Rego does not allow recursion, \
             and evaluating it would overflow the stack"
        )
    );
    let indirect = of("ACME-004");
    assert_eq!(indirect.len(), 1, "{indirect:#?}");
    assert_eq!(indirect[0]["status"], "error");
    assert!(indirect[0]["message"].as_str().unwrap().contains(&format!("{lib}:5: function `data.trailaudit.lib.ping.ping` is recursive")));
    let fine = of("ACME-005");
    assert_eq!(fine.len(), 1);
    assert_eq!(fine[0]["status"], "pass");
    let others: Vec<_> = results.iter().filter(|r| !r["rule_id"].as_str().unwrap().starts_with("ACME-")).cloned().collect();
    assert_eq!(others, *plain["results"].as_array().unwrap(), "every built-in rule's results are complete and unchanged");

    // `--engine vm` gives the same results (on the interpreter: the VM would compile the recursive rule).
    let vm = trailaudit()
        .args([
            "audit",
            "--snapshot",
            &fixture("compliant"),
            "--format",
            "json",
            "--engine",
            "vm",
            "--policy-dir",
            &dir.path().display().to_string(),
        ])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(vm.status.code(), Some(3), "{}", String::from_utf8_lossy(&vm.stderr));
    let vm: serde_json::Value = serde_json::from_slice(&vm.stdout).unwrap();
    assert_eq!(vm["results"], report["results"]);

    // `trailaudit test` refuses the pack (exit 2): a test run is the author's
    // check, and the problem names the file, the line and the cycle.
    let dir = tempfile::tempdir().unwrap();
    let lib =
        write(dir.path(), "lib/ping.rego", "package trailaudit.lib.ping\n\nimport data.trailaudit.lib.pong\n\nping(n) := pong.pong(n)\n");
    write(dir.path(), "lib/pong.rego", "package trailaudit.lib.pong\n\npong(n) := data.trailaudit.lib.ping.ping(n)\n");
    write(dir.path(), "lib/ping_test.rego", "package trailaudit.lib.ping_test\n\ntest_ping if data.trailaudit.lib.ping.ping(1) == 1\n");
    trailaudit()
        .args(["test", &dir.path().display().to_string()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("{lib}:5: function `data.trailaudit.lib.ping.ping` is recursive")))
        .stderr(predicate::str::contains(
            "data.trailaudit.lib.ping.ping -> data.trailaudit.lib.pong.pong -> data.trailaudit.lib.ping.ping",
        ));
}

const RUNAWAY: &str = "results contains result.pass(result.account, \"x\", {}) if {\n\tcount([1 | some a in numbers.range(1, 3000); some b in numbers.range(1, 3000); some c in numbers.range(1, 3000)]) > 0\n}\n";

/// Defect 4: three nested `numbers.range(1, 3000)` ran past 180 s with no
/// output. The rule is stopped at `--rule-timeout`; its results are `error`,
/// every other rule's results are there, exit 3.
#[test]
fn a_runaway_rule_is_stopped_and_only_its_results_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    account_rule(dir.path(), "runaway", "ACME-002", RUNAWAY);
    let plain = trailaudit().args(["audit", "--snapshot", &fixture("compliant"), "--format", "json"]).output().unwrap();
    let started = std::time::Instant::now();
    let out = trailaudit()
        .args(["audit", "--snapshot", &fixture("compliant"), "--format", "json", "--rule-timeout", "1"])
        .args(["--policy-dir", &dir.path().display().to_string()])
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(elapsed.as_secs() < 30, "{elapsed:?}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let plain: serde_json::Value = serde_json::from_slice(&plain.stdout).unwrap();
    let results = report["results"].as_array().unwrap();
    let runaway: Vec<_> = results.iter().filter(|r| r["rule_id"] == "ACME-002").collect();
    assert_eq!(runaway.len(), 1, "{runaway:#?}");
    assert_eq!(runaway[0]["status"], "error");
    assert!(runaway[0]["message"].as_str().unwrap().contains("rule timeout of 1 s"), "{}", runaway[0]["message"]);
    let others: Vec<_> = results.iter().filter(|r| r["rule_id"] != "ACME-002").cloned().collect();
    assert_eq!(others, *plain["results"].as_array().unwrap(), "every other rule's results are complete and unchanged");

    // The same rule's loop inside a test: ERROR, and the other tests still run.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "lib/slow.rego", "package trailaudit.lib.slow\n\nx := 1\n");
    write(
        dir.path(),
        "lib/slow_test.rego",
        "package trailaudit.lib.slow_test\n\ntest_a_runaway if {\n\tcount([1 | some a in numbers.range(1, 3000); some b in numbers.range(1, 3000); some c in numbers.range(1, 3000)]) > 0\n}\n\ntest_fine if data.trailaudit.lib.slow.x == 1\n",
    );
    trailaudit()
        .args(["test", "--rule-timeout", "0.5", &dir.path().display().to_string()])
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("ERROR"))
        .stdout(predicate::str::contains("rule timeout of 0.5 s"))
        .stdout(predicate::str::contains("1 passed, 1 failed"));
}

/// `--rule-timeout` takes a positive number of seconds.
#[test]
fn rule_timeout_values_are_checked() {
    for bad in ["0", "-1", "soon", "1e9"] {
        trailaudit()
            .args(["audit", "--snapshot", &fixture("compliant"), &format!("--rule-timeout={bad}")])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("is not a number of seconds"));
    }
}

/// Defect 6: an output path equal to an input destroyed the input. Refused
/// (exit 2) before any work, the input left as it was.
#[test]
fn an_output_over_an_input_is_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("snap.json");
    std::fs::copy(fixture("noncompliant"), &snapshot).unwrap();
    let original = std::fs::read(&snapshot).unwrap();
    let config = write(dir.path(), "trailaudit.yaml", "fail_on: high\n");
    let baseline = dir.path().join("base.json");
    trailaudit().args(["audit", "--snapshot", snapshot.to_str().unwrap(), "--json", baseline.to_str().unwrap()]).assert().code(1);
    let baseline_text = std::fs::read(&baseline).unwrap();
    let snap = snapshot.to_str().unwrap();
    let dotted = dir.path().join(".").join("snap.json");
    for (flag, target, input) in [
        ("--output", dotted.to_str().unwrap(), "--snapshot"),
        ("--sarif", snap, "--snapshot"),
        ("--json", config.as_str(), "--config"),
        ("--junit", baseline.to_str().unwrap(), "--baseline"),
    ] {
        trailaudit()
            .args(["audit", "--snapshot", snap, "--config", &config, "--baseline", baseline.to_str().unwrap(), flag, target])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!("{flag} {target} is the same file as {input}")));
    }
    assert_eq!(std::fs::read(&snapshot).unwrap(), original);
    assert_eq!(std::fs::read_to_string(&config).unwrap(), "fail_on: high\n");
    assert_eq!(std::fs::read(&baseline).unwrap(), baseline_text);

    // `collect --output` over its configuration, `diff --output` over a snapshot.
    trailaudit()
        .args(["collect", "--config", &config, "--output", &config])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is the same file as --config"));
    trailaudit().args(["diff", snap, snap, "--output", snap]).assert().code(2);
    assert_eq!(std::fs::read(&snapshot).unwrap(), original);
}

/// Defect 14: two reports sharing one path lost one of them; a read-only
/// report file was replaced; a closed stdout lost the report. All are errors.
#[test]
fn reports_are_never_lost_without_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.out");
    let r = report.to_str().unwrap();
    trailaudit()
        .args(["audit", "--snapshot", &fixture("noncompliant"), "--json", r, "--sarif", r])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("--sarif {r} and --json {r} are the same file")));
    assert!(!report.exists(), "nothing was written");
    // Shared devices are fine.
    trailaudit().args(["audit", "--snapshot", &fixture("noncompliant"), "--json", "/dev/null", "--sarif", "/dev/null"]).assert().code(1);

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(&report, "keep me").unwrap();
        std::fs::set_permissions(&report, std::fs::Permissions::from_mode(0o444)).unwrap();
        trailaudit()
            .args(["audit", "--snapshot", &fixture("noncompliant"), "--json", r])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!("cannot write {r}: the file is read-only")));
        assert_eq!(std::fs::read_to_string(&report).unwrap(), "keep me");

        // Rust's runtime puts /dev/null (read-write) on a closed descriptor 1; told apart from
        // `>/dev/null` (write-only) on any Unix.
        let out = std::process::Command::new("sh")
            .args(["-c", "exec \"$0\" audit --snapshot fixtures/noncompliant/snapshot.json >&-"])
            .arg(assert_cmd::cargo::cargo_bin("trailaudit"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("standard output is closed"), "{}", String::from_utf8_lossy(&out.stderr));
        // `>/dev/null` is the user's choice, not a closed output.
        let out = std::process::Command::new("sh")
            .args(["-c", "exec \"$0\" audit --snapshot fixtures/noncompliant/snapshot.json >/dev/null"])
            .arg(assert_cmd::cargo::cargo_bin("trailaudit"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    }

    // A pipe whose reader is gone (a consumer that died, `| head`): the output is lost, an error
    // (exit 2), on write and on flush, for the report and for every command writing to stdout.
    for args in [
        &["audit", "--snapshot", "fixtures/noncompliant/snapshot.json", "--format", "json"][..],
        &["audit", "--snapshot", "fixtures/noncompliant/snapshot.json"][..],
        &["permissions"][..],
        &["schema"][..],
        &["rules"][..],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("trailaudit"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("cannot write to stdout: the reader closed the pipe (broken pipe); the output is incomplete"),
            "{args:?}: {stderr}"
        );
    }
}

/// The compliant fixture as JSON, for tests that edit it.
fn compliant() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture("compliant"))).unwrap()).unwrap()
}

fn json_report(snapshot: &Path) -> (Option<i32>, serde_json::Value, String) {
    let out = trailaudit().args(["audit", "--snapshot", snapshot.to_str().unwrap(), "--format", "json"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code(), serde_json::from_slice(&out.stdout).unwrap_or_default(), stderr)
}

/// Defect 11: two COL-001 errors in one region shared a fingerprint, so code
/// scanning merged them and `--baseline` called the second one unchanged.
#[test]
fn two_failed_calls_in_one_region_have_their_own_fingerprints() {
    let mut snapshot = compliant();
    let error = |op: &str| {
        serde_json::json!({"service": "logs", "operation": op, "account_id": "111111111111", "region": "eu-west-1",
            "resource": null, "error_code": "AccessDenied", "message": "denied"})
    };
    snapshot["errors"] = serde_json::json!([error("DescribeMetricFilters"), error("DescribeSubscriptionFilters")]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("snap.json");
    std::fs::write(&path, serde_json::to_string(&snapshot).unwrap()).unwrap();
    let (code, report, stderr) = json_report(&path);
    assert_eq!(code, Some(3), "{stderr}");
    let col: Vec<&serde_json::Value> =
        report["results"].as_array().unwrap().iter().filter(|r| r["rule_id"] == "COL-001" && r["status"] == "error").collect();
    assert_eq!(col.len(), 2, "{col:#?}");
    assert_eq!(col[0]["resource"], col[1]["resource"]);
    assert_ne!(col[0]["fingerprint"], col[1]["fingerprint"]);
    // Every distinct result of the report has its own fingerprint.
    let mut all: Vec<&str> = report["results"].as_array().unwrap().iter().map(|r| r["fingerprint"].as_str().unwrap()).collect();
    let n = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), n, "fingerprints repeat in one report");
}

/// Defect 9: a duplicated trail ARN key was accepted and the last copy won,
/// which could hide the failing copy. Any repeated key is refused with its path.
#[test]
fn a_duplicated_key_is_refused_with_its_json_path() {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture("compliant"))).unwrap();
    let snapshot: serde_json::Value = serde_json::from_str(&text).unwrap();
    let (arn, trail) = snapshot["accounts"][0]["trails"].as_object().unwrap().iter().next().map(|(k, v)| (k.clone(), v.clone())).unwrap();
    let mut stopped = trail.clone();
    stopped["status"]["is_logging"] = serde_json::json!(false);
    // The failing copy first, the compliant one last: serde_json kept the last.
    let trails = format!(
        "{{{}: {}, {}: {}}}",
        serde_json::Value::from(arn.clone()),
        serde_json::to_string(&stopped).unwrap(),
        serde_json::Value::from(arn.clone()),
        serde_json::to_string(&trail).unwrap()
    );
    let mut doc = snapshot.clone();
    doc["accounts"][0]["trails"] = serde_json::json!("@TRAILS@");
    let text = serde_json::to_string_pretty(&doc).unwrap().replace("\"@TRAILS@\"", &trails);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dup.json");
    std::fs::write(&path, &text).unwrap();
    let (code, _, stderr) = json_report(&path);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("invalid snapshot at `$.accounts[0].trails`"), "{stderr}");
    assert!(stderr.contains(&format!("duplicate key \"{arn}\"")), "{stderr}");
}

/// Defect 10: the same account twice in a snapshot was judged and counted twice.
#[test]
fn an_account_twice_in_a_snapshot_is_refused() {
    let mut snapshot = compliant();
    let account = snapshot["accounts"][0].clone();
    snapshot["accounts"].as_array_mut().unwrap().push(account);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("twice.json");
    std::fs::write(&path, serde_json::to_string(&snapshot).unwrap()).unwrap();
    let (code, _, stderr) = json_report(&path);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("invalid snapshot at `$.accounts[1].account_id`: account 111111111111 appears twice (also at `$.accounts[0]`)"),
        "{stderr}"
    );
}

fn audit_with_config(text: &str) -> (Option<i32>, String, std::time::Duration) {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "trailaudit.yaml", text);
    let started = std::time::Instant::now();
    let out = trailaudit()
        .args(["audit", "--snapshot", &fixture("compliant"), "--config", &path])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).replace(&path, "CONFIG"), started.elapsed())
}

/// Defect 8: a 1.5 MB config of nested aliases took 12.9 GB and 41 s.
/// Aliases are refused at once, with their line.
#[test]
fn yaml_aliases_are_refused_before_they_expand() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        text.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
    }
    text.push_str("required_regions: *a11\n");
    let (code, stderr, elapsed) = audit_with_config(&text);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(elapsed.as_secs() < 10, "{elapsed:?}");
    assert!(stderr.contains("CONFIG:1:5: YAML anchors (`&name`) are not accepted"), "{stderr}");
    // A `*` inside quotes, a glob or a block of text is no alias.
    let (code, stderr, _) = audit_with_config(
        "sensitive_buckets:\n  names: ['*-pii', \"*-logs\", prod-*]\nwaivers:\n  - rule: CT-009\n    resource: '*'\n    reason: |\n      *not* an alias & not an anchor\n    owner: sec\n    expires: 2099-01-01\n",
    );
    assert_eq!(code, Some(0), "{stderr}");
}

/// Defect 13: deeply nested YAML parsed in quadratic time (200 KB: 19 s).
#[test]
fn deeply_nested_yaml_is_refused_at_once() {
    for text in ["[".repeat(100_000) + &"]".repeat(100_000), (0..200).map(|i| format!("{}k{i}:\n", " ".repeat(i))).collect()] {
        let (code, stderr, elapsed) = audit_with_config(&text);
        assert_eq!(code, Some(2), "{stderr}");
        assert!(elapsed.as_secs() < 10, "{elapsed:?}");
        assert!(stderr.contains("YAML nested deeper than 32 levels"), "{stderr}");
    }
    let (code, stderr, _) = audit_with_config(&"x".repeat(2 << 20));
    assert_eq!(code, Some(2));
    assert!(stderr.contains("the configuration is larger than 1048576 bytes"), "{stderr}");
}

/// Defect 15: `--snapshot /dev/zero` grew without limit. It stops at the bound,
/// which an option raises.
#[cfg(unix)]
#[test]
fn snapshot_input_is_bounded_in_size() {
    let out = trailaudit()
        .args(["audit", "--snapshot", "/dev/zero"])
        .env("TRAILAUDIT_MAX_SNAPSHOT_MIB", "4")
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/dev/zero: the snapshot is larger than the limit of 4194304 bytes"), "{stderr}");
    // The default bound on /dev/zero too (1 GiB read, then refused), and --max-snapshot-mib on a regular file.
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.json");
    let mut text = std::fs::read_to_string(fixture("compliant")).unwrap();
    text.push_str(&" ".repeat(2 << 20));
    std::fs::write(&big, &text).unwrap();
    trailaudit().args(["audit", "--snapshot", big.to_str().unwrap()]).assert().code(0);
    trailaudit()
        .args(["audit", "--snapshot", big.to_str().unwrap(), "--max-snapshot-mib", "1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("larger than the limit of 1048576 bytes; raise it with --max-snapshot-mib"));
    // Depth: serde_json's recursion limit, reported with a position.
    let deep = dir.path().join("deep.json");
    let mut doc = compliant();
    let bucket = doc["accounts"][0]["buckets"].as_object_mut().unwrap().values_mut().next().unwrap();
    bucket["policy"] = serde_json::json!("@DEEP@");
    let nested = "[".repeat(5000) + &"]".repeat(5000);
    std::fs::write(&deep, serde_json::to_string(&doc).unwrap().replace("\"@DEEP@\"", &nested)).unwrap();
    trailaudit()
        .args(["audit", "--snapshot", deep.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("recursion limit exceeded"));
}

/// Defect 17: misleading messages.
#[test]
fn malformed_input_gets_messages_that_say_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read(fixture("compliant")).unwrap();
    // A UTF-8 byte-order mark is accepted.
    let bom = dir.path().join("bom.json");
    std::fs::write(&bom, [&b"\xEF\xBB\xBF"[..], &original].concat()).unwrap();
    trailaudit().args(["audit", "--snapshot", bom.to_str().unwrap()]).assert().code(0);
    // A JSON array is not read as a snapshot.
    let array = dir.path().join("array.json");
    std::fs::write(&array, format!("[{}]", String::from_utf8_lossy(&original))).unwrap();
    trailaudit()
        .args(["audit", "--snapshot", array.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("array.json:1:1: this is not a snapshot: a snapshot is a JSON object"))
        .stderr(predicate::str::contains("starts with a JSON array"));
    // Invalid UTF-8: where.
    let latin1 = dir.path().join("latin1.json");
    std::fs::write(&latin1, b"{\n  \"schema_version\": 1,\n  \"x\": \"caf\xE9\"\n}\n").unwrap();
    trailaudit()
        .args(["audit", "--snapshot", latin1.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("latin1.json:3:12: not UTF-8 text: invalid byte 0xe9 at byte offset 36"));
    // An I/O cause is printed once.
    let missing = dir.path().join("missing.json");
    let out = trailaudit().args(["audit", "--snapshot", missing.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("No such file or directory").count(), 1, "{stderr}");
    let out = trailaudit().args(["audit", "--snapshot", &fixture("compliant"), "--config", missing.to_str().unwrap()]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("No such file or directory").count(), 1, "{stderr}");
    // A truncated YAML list.
    let (code, stderr, _) = audit_with_config("required_regions: [us-east-1, eu-west-1\n");
    assert_eq!(code, Some(2));
    assert!(stderr.contains("a `[` list that is not closed?"), "{stderr}");
    // A block list cut short after its `-` was read as an empty value and passed.
    let (code, stderr, _) = audit_with_config("required_regions:\n  - us-east-1\n  -\n");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("CONFIG:3:3: empty list item: a `-` with no value (a list cut short?)"), "{stderr}");
}

/// Defect 4, at organization scale: a rule stopped on one account is not run
/// again on the others (each would cost the timeout); its results there are
/// `error` too, naming the account where it was stopped.
#[test]
fn a_runaway_rule_costs_the_timeout_once_not_on_every_account() {
    let dir = tempfile::tempdir().unwrap();
    let path = four_accounts(dir.path());
    let policies = dir.path().join("policies");
    account_rule(&policies, "runaway", "ACME-002", RUNAWAY);
    let started = std::time::Instant::now();
    let out = trailaudit()
        .args(["audit", "--snapshot", path.to_str().unwrap(), "--format", "json", "--rule-timeout", "1"])
        .args(["--policy-dir", policies.to_str().unwrap()])
        .env("RAYON_NUM_THREADS", "1")
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let runaway: Vec<&serde_json::Value> = report["results"].as_array().unwrap().iter().filter(|r| r["rule_id"] == "ACME-002").collect();
    assert_eq!(runaway.len(), 4);
    assert!(runaway.iter().all(|r| r["status"] == "error"));
    let messages: Vec<&str> = runaway.iter().map(|r| r["message"].as_str().unwrap()).collect();
    assert_eq!(messages.iter().filter(|m| m.starts_with("rule stopped")).count(), 1, "{messages:#?}");
    assert_eq!(messages.iter().filter(|m| m.starts_with("rule not evaluated")).count(), 3, "{messages:#?}");
    // Two timeouts (the whole pack at once, then the rule alone) on the first account only.
    assert!(elapsed.as_secs_f64() < 2.0 * 4.0, "{elapsed:?}");
}

/// A snapshot with no account gave 0 results and exit 0: a pass on nothing
/// judged. It is bad input (exit 2) naming the file.
#[test]
fn a_snapshot_without_accounts_is_not_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    let mut snapshot: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture("compliant"))).unwrap()).unwrap();
    snapshot["accounts"] = serde_json::json!([]);
    let path = write(dir.path(), "empty.json", &snapshot.to_string());
    trailaudit()
        .args(["audit", "--snapshot", &path])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("{path}: the snapshot holds no account, so there is nothing to judge")));
}

/// The compliant fixture's account four times (ids 1111…, 2222…, 3333…, 4444…), written to `dir/four.json`.
fn four_accounts(dir: &Path) -> std::path::PathBuf {
    let mut snapshot = compliant();
    let account = snapshot["accounts"][0].clone();
    let accounts: Vec<serde_json::Value> = (1..=4)
        .map(|i| {
            let id = format!("{i}{i}{i}{i}{i}{i}{i}{i}{i}{i}{i}{i}");
            let text = serde_json::to_string(&account).unwrap().replace("111111111111", &id);
            serde_json::from_str(&text).unwrap()
        })
        .collect();
    snapshot["accounts"] = serde_json::Value::Array(accounts);
    let path = dir.join("four.json");
    std::fs::write(&path, serde_json::to_string(&snapshot).unwrap()).unwrap();
    path
}

/// A rule building a value without bound (9 million pairs, about a gigabyte).
const GREEDY: &str = "results contains result.pass(result.account, \"x\", {}) if {\n\tcount([[i, j] | some i in numbers.range(1, 3000); some j in numbers.range(1, 3000)]) > 0\n}\n";

/// Memory was not bounded: a rule building a huge value grew until the machine
/// swapped or the process was killed, and no report was written. It is stopped
/// at `--rule-memory-mib`; its results are `error` on every account, every
/// other rule's results are complete and unchanged (the other rules evaluated
/// beside it on two threads included), exit 3, and the process stays near the budget.
#[test]
fn a_rule_that_allocates_without_bound_is_stopped_at_the_memory_budget() {
    let dir = tempfile::tempdir().unwrap();
    let path = four_accounts(dir.path());
    let snapshot = path.to_str().unwrap();
    let policies = dir.path().join("policies");
    account_rule(&policies, "greedy", "ACME-003", GREEDY);
    let plain = trailaudit().args(["audit", "--snapshot", snapshot, "--format", "json"]).output().unwrap();
    let out = trailaudit()
        .args(["audit", "--snapshot", snapshot, "--format", "json", "--rule-memory-mib", "64"])
        .args(["--policy-dir", policies.to_str().unwrap()])
        .env("RAYON_NUM_THREADS", "2")
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let plain: serde_json::Value = serde_json::from_slice(&plain.stdout).unwrap();
    let results = report["results"].as_array().unwrap();
    let greedy: Vec<&serde_json::Value> = results.iter().filter(|r| r["rule_id"] == "ACME-003").collect();
    assert_eq!(greedy.len(), 4, "{greedy:#?}");
    assert!(greedy.iter().all(|r| r["status"] == "error"), "{greedy:#?}");
    let messages: Vec<&str> = greedy.iter().map(|r| r["message"].as_str().unwrap()).collect();
    assert!(messages.iter().any(|m| m.contains("memory budget of 64 MiB (--rule-memory-mib)")), "{messages:#?}");
    assert!(messages.iter().all(|m| m.contains("memory")), "{messages:#?}");
    let others: Vec<_> = results.iter().filter(|r| r["rule_id"] != "ACME-003").cloned().collect();
    assert_eq!(others, *plain["results"].as_array().unwrap(), "every other rule's results are complete and unchanged");

    // Without a budget in reach the same rule is judged (here: on a smaller range), so the bound is what stopped it.
    let small = GREEDY.replace("3000", "30");
    let policies = dir.path().join("small");
    account_rule(&policies, "greedy", "ACME-003", &small);
    trailaudit()
        .args(["audit", "--snapshot", snapshot, "--format", "json", "--rule-memory-mib", "64"])
        .args(["--policy-dir", policies.to_str().unwrap()])
        .assert()
        .code(0);
}

/// `--rule-memory-mib` takes a positive number of mebibytes.
#[test]
fn rule_memory_values_are_checked() {
    for bad in ["0", "-1", "lots", "2000000"] {
        trailaudit().args(["audit", "--snapshot", &fixture("compliant"), &format!("--rule-memory-mib={bad}")]).assert().code(2);
    }
}

/// The cost of comparing metric filter patterns was bounded per pair only:
/// an organization of many accounts with large hand-written patterns could
/// keep one audit busy for hours. The audit has one budget for all of them
/// (TRAILAUDIT_FILTER_BUDGET_PAIRS); past it, the comparisons left are not
/// made, and the monitoring results that needed them are errors, never passes.
#[test]
fn the_filter_pattern_coverage_budget_is_bounded_per_audit() {
    let plain = trailaudit().args(["audit", "--snapshot", &fixture("compliant"), "--format", "json"]).output().unwrap();
    assert_eq!(plain.status.code(), Some(0));
    let out = trailaudit()
        .args(["audit", "--snapshot", &fixture("compliant"), "--format", "json"])
        .env("TRAILAUDIT_FILTER_BUDGET_PAIRS", "0.00002")
        .env("RAYON_NUM_THREADS", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("the audit's filter-pattern coverage budget"), "{stderr}");
    assert!(stderr.contains("were not made, and the monitoring results that needed them are errors"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let plain: serde_json::Value = serde_json::from_slice(&plain.stdout).unwrap();
    let (results, plain) = (report["results"].as_array().unwrap(), plain["results"].as_array().unwrap());
    assert_eq!(results.len(), plain.len());
    let mut errors = 0;
    for (got, was) in results.iter().zip(plain) {
        if got != was {
            assert_eq!(got["status"], "error", "{got:#}");
            assert!(got["message"].as_str().unwrap().contains("not analysed"), "{got:#}");
            errors += 1;
        }
    }
    assert!(errors > 0);
    for bad in ["0", "-1", "many", "NaN"] {
        trailaudit()
            .args(["audit", "--snapshot", &fixture("compliant")])
            .env("TRAILAUDIT_FILTER_BUDGET_PAIRS", bad)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("TRAILAUDIT_FILTER_BUDGET_PAIRS"));
    }
}
