//! Fault injection: the real binary, with its default retry settings, against
//! moto behind tests/support/fault_proxy.rs.
//!
//! - Transient faults (each protocol's throttling answer, HTTP 500/503,
//!   latency, a hang past `--call-timeout`, a reset, a truncated or malformed
//!   body, once each) give the same verdicts as a clean run, within the clean
//!   run's time plus the backoff the faults require.
//! - Persistent faults turn exactly the results that depend on the faulted
//!   call into `error`, with the cause recorded (throttling as `throttled`),
//!   exit 3, never a pass.
//! - Nothing panics; set-up failures (the identity call) exit 2 with one
//!   readable line.
//!
//! `--call-timeout 2` keeps hangs short; the file runs in well under two minutes.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::fault_proxy::{Fault, FaultProxy, Rule, Times, moto_gaps};
use support::moto::Moto;
use support::seed::Seeder;

/// The retry settings the fault budgets below are computed from (src/collect/setup.rs).
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const CALL_TIMEOUT: Duration = Duration::from_secs(2);
/// Scheduling noise on a shared CI machine (two cores, several test binaries).
const SLACK: Duration = Duration::from_secs(3);

/// (rule, account, region, resource) → status.
type Verdicts = BTreeMap<(String, String, String, String), String>;

struct Run {
    code: i32,
    wall: Duration,
    verdicts: Verdicts,
    /// (rule id, resource) → message, for the error results.
    messages: BTreeMap<(String, String), String>,
    snapshot: Value,
    stderr: String,
}

/// `trailaudit audit` (live) through `proxy`, one region, default retries.
fn audit(proxy: &FaultProxy, dir: &Path, tag: &str) -> Run {
    let report = dir.join(format!("{tag}-report.json"));
    let snapshot = dir.join(format!("{tag}-snapshot.json"));
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_trailaudit"))
        // The test process sets AWS_MAX_ATTEMPTS=1 for its SDK clients
        // (support/moto.rs); the binary must run with its own defaults.
        .env_remove("AWS_MAX_ATTEMPTS")
        .env_remove("AWS_RETRY_MODE")
        .env("NO_COLOR", "1")
        .args(["audit", "--endpoint-url", &proxy.url, "--regions", "us-east-1", "--event-history-days", "1"])
        .args(["--call-timeout", &CALL_TIMEOUT.as_secs().to_string(), "--format", "json", "--stats"])
        // moto's compliant scenario still fails a few rules (shared/reference/moto.md);
        // with --fail-on critical the exit code says whether anything is `error`.
        .args(["--fail-on", "critical", "--output"])
        .arg(&report)
        .arg("--save-snapshot")
        .arg(&snapshot)
        .output()
        .expect("run trailaudit");
    let wall = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = out.status.code().unwrap_or(-1);
    assert!(!stderr.contains("panicked"), "{tag}: the binary panicked:\n{stderr}");
    assert!([0, 1, 3].contains(&code), "{tag}: exit {code}:\n{stderr}");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&report).expect("report written")).expect("report is JSON");
    let snapshot: Value = serde_json::from_str(&std::fs::read_to_string(&snapshot).expect("snapshot written")).expect("snapshot is JSON");
    let mut verdicts = Verdicts::new();
    let mut messages = BTreeMap::new();
    for r in report["results"].as_array().expect("results") {
        let s = |k: &str| r[k].as_str().unwrap_or("-").to_owned();
        verdicts.insert((s("rule_id"), s("account"), s("region"), s("resource")), s("status"));
        if r["status"] == "error" {
            messages.insert((s("rule_id"), s("resource")), s("message"));
        }
    }
    Run { code, wall, verdicts, messages, snapshot, stderr }
}

/// moto seeded with the compliant scenario of the collector tests.
async fn seeded() -> Moto {
    let moto = Moto::start();
    let seeder = Seeder::new(&moto.url).await;
    seeder.compliant("us-east-1", "main").await;
    moto
}

fn with_gaps(rules: Vec<Rule>) -> Vec<Rule> {
    // Fault rules first: the first rule that applies wins.
    rules.into_iter().chain(moto_gaps()).collect()
}

fn clean(moto: &Moto, dir: &Path) -> Run {
    let proxy = FaultProxy::start(moto.port, moto_gaps());
    let run = audit(&proxy, dir, "clean");
    assert_eq!(proxy.injected(), 0);
    assert!(run.verdicts.values().any(|s| s == "pass"), "the clean run passes something: {:?}", run.verdicts);
    assert!(run.verdicts.values().all(|s| s != "error"), "the clean run has no error: {:#?}", run.messages);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run
}

/// One transient scenario: the faults apply, then the run is the clean run.
struct Transient {
    name: &'static str,
    rules: Vec<Rule>,
    /// Backoff and waiting the faults require, per injected fault.
    cost_per_fault: Duration,
    /// When faults hit calls made side by side, what they require along the
    /// longest chain of calls that wait for each other, instead.
    cost_at_most: Option<Duration>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_faults_give_the_clean_verdicts_within_the_backoff_they_require() {
    let moto = seeded().await;
    let dir = tempfile::tempdir().unwrap();
    let clean = clean(&moto, dir.path());
    let once = Times::First(1);
    let scenarios = vec![
        Transient {
            name: "two throttles on sts:GetCallerIdentity (query XML Throttling)",
            rules: vec![Rule::new("sts", "GetCallerIdentity", Fault::Throttle, Times::First(2))],
            // Backoffs of the first and second retry: up to 1 s and 2 s.
            cost_per_fault: FIRST_BACKOFF * 3 / 2,
            cost_at_most: None,
        },
        Transient {
            name: "one throttle on the first call of every operation",
            rules: vec![Rule::everywhere(Fault::Throttle, Times::FirstOfEach(1))],
            cost_per_fault: FIRST_BACKOFF,
            // One backoff per step of the longest chain: identity, organization
            // membership, trails, trail status, buckets, bucket details, log
            // groups, metric filters, alarms, subscriptions (event history runs
            // beside them).
            cost_at_most: Some(FIRST_BACKOFF * 10),
        },
        Transient {
            name: "one throttle per protocol: JSON ThrottlingException, query Throttling, S3 SlowDown",
            rules: vec![
                Rule::new("cloudtrail", "GetTrailStatus", Fault::Throttle, once),
                Rule::new("logs", "DescribeLogGroups", Fault::Throttle, once),
                Rule::new("kms", "GetKeyRotationStatus", Fault::Throttle, once),
                Rule::new("config", "DescribeConfigurationRecorders", Fault::Throttle, once),
                Rule::new("monitoring", "DescribeAlarms", Fault::Throttle, once),
                Rule::new("sns", "ListSubscriptionsByTopic", Fault::Throttle, once),
                Rule::new("s3", "GetBucketPolicy", Fault::Throttle, once),
            ],
            cost_per_fault: FIRST_BACKOFF,
            cost_at_most: None,
        },
        Transient {
            name: "HTTP 500 and 503",
            rules: vec![
                Rule::new("cloudtrail", "DescribeTrails", Fault::Status(500), once),
                Rule::new("logs", "DescribeMetricFilters", Fault::Status(503), once),
                Rule::new("s3", "GetBucketAcl", Fault::Status(503), once),
                Rule::new("sns", "ListSubscriptionsByTopic", Fault::Status(500), once),
            ],
            cost_per_fault: FIRST_BACKOFF,
            cost_at_most: None,
        },
        Transient {
            name: "latency under --call-timeout",
            rules: vec![Rule::everywhere(Fault::Delay(Duration::from_millis(800)), Times::First(4))],
            cost_per_fault: Duration::from_millis(800),
            cost_at_most: None,
        },
        Transient {
            name: "a hang past --call-timeout",
            rules: vec![Rule::new("cloudtrail", "GetEventSelectors", Fault::Hang, once)],
            cost_per_fault: CALL_TIMEOUT + FIRST_BACKOFF,
            cost_at_most: None,
        },
        Transient {
            name: "a reset mid-body, a truncated body, a malformed body",
            rules: vec![
                Rule::new("cloudtrail", "DescribeTrails", Fault::ResetMidBody, once),
                Rule::new("logs", "DescribeLogGroups", Fault::TruncatedBody, once),
                Rule::new("kms", "DescribeKey", Fault::MalformedBody, once),
            ],
            cost_per_fault: FIRST_BACKOFF,
            cost_at_most: None,
        },
    ];
    let mut failures = Vec::new();
    for (i, scenario) in scenarios.into_iter().enumerate() {
        let proxy = FaultProxy::start(moto.port, with_gaps(scenario.rules));
        let run = audit(&proxy, dir.path(), &format!("transient-{i}"));
        let injected = proxy.injected();
        let cost = scenario.cost_per_fault * injected as u32;
        let budget = clean.wall + scenario.cost_at_most.map_or(cost, |at_most| cost.min(at_most)) + SLACK;
        eprintln!(
            "{}: {injected} faults, {:.2} s (clean {:.2} s, budget {:.2} s)",
            scenario.name,
            run.wall.as_secs_f64(),
            clean.wall.as_secs_f64(),
            budget.as_secs_f64()
        );
        if injected == 0 {
            failures.push(format!("{}: no fault was injected (operations seen: {:?})", scenario.name, proxy.operations()));
            continue;
        }
        if run.verdicts != clean.verdicts || run.code != clean.code {
            failures.push(format!(
                "{}: exit {} (clean {}), verdicts differ:\n{}\nstderr:\n{}",
                scenario.name,
                run.code,
                clean.code,
                diff(&clean.verdicts, &run.verdicts),
                run.stderr
            ));
        }
        if run.snapshot["errors"] != clean.snapshot["errors"] {
            failures.push(format!("{}: recorded errors differ from the clean run's: {:#}", scenario.name, run.snapshot["errors"]));
        }
        if run.wall > budget {
            failures.push(format!("{}: {:.2} s, over the budget of {:.2} s", scenario.name, run.wall.as_secs_f64(), budget.as_secs_f64()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn diff(a: &Verdicts, b: &Verdicts) -> String {
    let mut lines = Vec::new();
    for (k, v) in a {
        match b.get(k) {
            Some(w) if w == v => {}
            Some(w) => lines.push(format!("  {k:?}: {v} -> {w}")),
            None => lines.push(format!("  {k:?}: {v} -> missing")),
        }
    }
    for (k, w) in b {
        if !a.contains_key(k) {
            lines.push(format!("  {k:?}: new {w}"));
        }
    }
    lines.join("\n")
}

/// One persistent fault on one call, and what it must be recorded as.
struct Persistent {
    service: &'static str,
    operation: &'static str,
    fault: Fault,
    /// `errors[].error_code` and `errors[].kind` of the snapshot.
    error_code: &'static str,
    kind: &'static str,
    /// Text the error results' messages must carry.
    cause: &'static str,
}

/// Checks a faulted run against the clean one: every result that changed is
/// now `error` naming the faulted call and its cause; at least one changed;
/// the failure is recorded once per call site with the expected kind; exit 3.
fn check_persistent(p: &Persistent, clean: &Run, run: &Run) -> Vec<String> {
    // The snapshot names CloudWatch `cloudwatch` (its IAM prefix), not by its signing name.
    let service = if p.service == "monitoring" { "cloudwatch" } else { p.service };
    let action = format!("{service}:{}", p.operation);
    let label = format!("{action} {:?}", p.fault);
    let mut failures = Vec::new();
    if run.code != 3 {
        failures.push(format!("{label}: exit {}, not 3 (--fail-on critical: errors decide)\n{}", run.code, run.stderr));
    }
    let recorded: Vec<&Value> =
        run.snapshot["errors"].as_array().unwrap().iter().filter(|e| e["service"] == service && e["operation"] == p.operation).collect();
    if recorded.is_empty() {
        failures.push(format!("{label}: not recorded in the snapshot's errors: {:#}", run.snapshot["errors"]));
    }
    for e in &recorded {
        if e["error_code"] != p.error_code || e["kind"] != p.kind {
            failures.push(format!("{label}: recorded as {e}, expected error_code {} and kind {}", p.error_code, p.kind));
        }
    }
    let mut changed = 0;
    for (key, status) in &run.verdicts {
        let before = clean.verdicts.get(key);
        if before == Some(status) {
            continue;
        }
        changed += 1;
        if status != "error" {
            failures.push(format!("{label}: {key:?} went from {before:?} to {status}, not error"));
        }
    }
    for (key, status) in &clean.verdicts {
        // COL-001's pass ("every call succeeded") gives way to its error per failed call.
        let replaced_pass = key.0 == "COL-001" && status == "pass";
        if !replaced_pass && !run.verdicts.contains_key(key) {
            failures.push(format!("{label}: the result {key:?} disappeared"));
        }
    }
    if changed == 0 {
        failures.push(format!("{label}: no result changed"));
    }
    // The cause is in the report: COL-001 names the call and what went wrong.
    let named = run.messages.iter().any(|((rule, _), m)| rule == "COL-001" && m.contains(&action) && m.contains(p.cause));
    if !named {
        failures.push(format!("{label}: no COL-001 error names {action} and `{}`: {:#?}", p.cause, run.messages));
    }
    failures
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persistent_faults_turn_exactly_the_dependent_results_into_errors() {
    let moto = seeded().await;
    let dir = tempfile::tempdir().unwrap();
    let clean = clean(&moto, dir.path());
    let scenarios = [
        Persistent {
            service: "cloudtrail",
            operation: "GetTrailStatus",
            fault: Fault::Throttle,
            error_code: "ThrottlingException",
            kind: "throttled",
            cause: "throttled",
        },
        Persistent {
            service: "monitoring",
            operation: "DescribeAlarms",
            fault: Fault::Throttle,
            error_code: "Throttling",
            kind: "throttled",
            cause: "throttled",
        },
        Persistent {
            service: "s3",
            operation: "GetBucketPolicy",
            fault: Fault::Throttle,
            error_code: "SlowDown",
            kind: "throttled",
            cause: "throttled",
        },
        Persistent {
            service: "logs",
            operation: "DescribeMetricFilters",
            fault: Fault::Status(500),
            error_code: "InternalFailure",
            kind: "failed",
            cause: "InternalFailure",
        },
        Persistent {
            service: "kms",
            operation: "GetKeyRotationStatus",
            fault: Fault::Hang,
            error_code: "Timeout",
            kind: "failed",
            cause: "Timeout",
        },
        Persistent {
            service: "config",
            operation: "DescribeConfigurationRecorders",
            fault: Fault::ResetMidBody,
            error_code: "ResponseError",
            kind: "failed",
            cause: "ResponseError",
        },
        Persistent {
            service: "cloudtrail",
            operation: "GetEventSelectors",
            fault: Fault::MalformedBody,
            error_code: "InvalidResponse",
            kind: "failed",
            cause: "the answer could not be read",
        },
        // Query-XML: the first half of the document, correctly framed. An XML
        // reader that took the end of input for the end of the document would
        // see a page with fewer subscriptions and no error: a pass on half the data.
        Persistent {
            service: "sns",
            operation: "ListSubscriptionsByTopic",
            fault: Fault::MalformedBody,
            error_code: "InvalidResponse",
            kind: "failed",
            cause: "the answer could not be read",
        },
        // REST-XML (S3): the same half document, on a bucket's ACL.
        Persistent {
            service: "s3",
            operation: "GetBucketAcl",
            fault: Fault::MalformedBody,
            error_code: "InvalidResponse",
            kind: "failed",
            cause: "the answer could not be read",
        },
    ];
    // The scenarios are independent (moto is only read): run them side by side.
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = scenarios
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let (clean, dir) = (&clean, dir.path());
                scope.spawn(move || {
                    let proxy =
                        FaultProxy::start(moto.port, with_gaps(vec![Rule::new(p.service, p.operation, p.fault.clone(), Times::Always)]));
                    let run = audit(&proxy, dir, &format!("persistent-{i}"));
                    eprintln!("{}:{} {:?}: {:.2} s, {} faults", p.service, p.operation, p.fault, run.wall.as_secs_f64(), proxy.injected());
                    check_persistent(p, clean, &run)
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("scenario thread")).collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_persistently_throttled_identity_call_is_a_one_line_setup_error() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(moto.port, with_gaps(vec![Rule::new("sts", "GetCallerIdentity", Fault::Throttle, Times::Always)]));
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_trailaudit"))
        .env_remove("AWS_MAX_ATTEMPTS")
        .env_remove("AWS_RETRY_MODE")
        .env("NO_COLOR", "1")
        .args(["collect", "--endpoint-url", &proxy.url, "--regions", "us-east-1", "--call-timeout", "2", "--output"])
        .arg(std::env::temp_dir().join("trailaudit-faults-never-written.json"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("sts:GetCallerIdentity failed") && stderr.contains("throttled through every retry"), "{stderr}");
    assert!(stderr.contains("Throttling: Rate exceeded"), "{stderr}");
    // No Debug dump of the SDK error.
    assert!(!stderr.contains("ServiceError {") && !stderr.contains("raw: Response"), "{stderr}");
    // Five attempts, then the error: bounded by the retries' backoff, not by any timeout.
    assert_eq!(proxy.injected(), 5, "{:?}", proxy.log());
    assert!(started.elapsed() < Duration::from_secs(1 + 2 + 4 + 8) + SLACK, "{:?}", started.elapsed());
}
