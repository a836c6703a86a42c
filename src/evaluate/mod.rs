//! Runs the pack on a snapshot: per account, per rule, with failures of one
//! rule isolated from the others.
//!
//! Each account is judged with an `input` built from its part of the snapshot
//! ([`input`]) plus facts trailaudit computes for the rules ([`derived`]); the
//! pack runs on regorus's interpreter ([`interpreter`]) or, for benchmarks, its
//! bytecode VM ([`vm`]); what the rules return is checked against the result
//! contract ([`judge`]), failed API calls turn the results resting on them
//! into errors ([`scope`]), and results point at their line in the snapshot
//! ([`locate`]).

pub mod derived;
mod input;
mod interpreter;
mod judge;
mod locate;
mod progress;
mod query;
mod scope;
mod vm;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde_json::Value as Json;

use crate::config::Config;
use crate::finding::{Audit, Rule, RuleResult, Severity};
use crate::pack::Pack;
use crate::snapshot::{Account, Snapshot};
use crate::triage::waivers;
use derived::Derived;
use input::SnapshotContext;
use progress::EvalProgress;
use vm::VmPack;

/// Knobs of one audit run.
#[derive(Debug, Clone)]
pub struct AuditOptions {
    pub fail_on: Severity,
    /// Rule ids to evaluate; `None` = every non-deprecated rule.
    pub only_rules: Option<Vec<String>>,
    /// The day waivers are checked against (UTC).
    pub today: chrono::NaiveDate,
    pub snapshot_path: Option<PathBuf>,
    /// Draw accounts judged so far on stderr, for a person watching a long audit.
    pub progress: bool,
}

#[cfg(test)]
impl AuditOptions {
    /// Every rule, failing from `low`, waivers checked on `today`: what in-crate tests audit with.
    pub(crate) fn for_tests(today: chrono::NaiveDate) -> AuditOptions {
        AuditOptions { fail_on: Severity::Low, only_rules: None, today, snapshot_path: None, progress: false }
    }
}

/// Where the time went, for `--timings` and the benchmark.
#[derive(Debug, Clone, Default)]
pub struct EvalTimings {
    pub evaluate: Duration,
    /// The engine that ran the pack.
    pub engine: EngineChoice,
    /// Why `--engine vm` ran on the interpreter instead (the VM compiler's error).
    pub vm_fallback: Option<String>,
}

/// Which regorus engine runs the pack.
///
/// The interpreter is the default and the reference: an error inside a rule
/// (a builtin given the wrong type, say) makes that rule `error` for the
/// account. The bytecode VM is about three times faster, gives the same
/// reports on every fixture, but follows OPA's non-strict semantics inside rule
/// bodies: such an error only makes the body undefined, so a rule tripping over
/// unexpected data drops the subject instead of reporting an error; and regorus
/// 0.14.1's VM misses the event detections (EVT-*) and passes of CFG-001 and
/// CFG-003 (`tests/engines.rs`). Faster,
/// but it can hide a finding: for benchmarks only (hidden `--engine vm`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EngineChoice {
    #[default]
    Interpreter,
    /// The bytecode VM when the pack compiles for it (no `with` in rules), else the interpreter.
    Vm,
}

impl EngineChoice {
    pub fn as_str(self) -> &'static str {
        match self {
            EngineChoice::Vm => "vm",
            EngineChoice::Interpreter => "interpreter",
        }
    }
}

/// Evaluates `pack` on `snapshot`. `snapshot_text` (the file as read) lets
/// results point at the line of their resource.
pub fn audit(
    snapshot: &Snapshot,
    snapshot_text: Option<&str>,
    pack: &Pack,
    config: &Config,
    options: &AuditOptions,
) -> (Audit, EvalTimings, Vec<String>) {
    audit_with_engine(snapshot, snapshot_text, pack, config, options, EngineChoice::Interpreter)
}

/// [`audit`] on a chosen engine (`--engine`; tests compare the two).
pub fn audit_with_engine(
    snapshot: &Snapshot,
    snapshot_text: Option<&str>,
    pack: &Pack,
    config: &Config,
    options: &AuditOptions,
    engine_choice: EngineChoice,
) -> (Audit, EvalTimings, Vec<String>) {
    let started = Instant::now();
    let rules: Vec<&Rule> = pack
        .rules
        .iter()
        .filter(|r| !r.meta.custom.deprecated)
        .filter(|r| options.only_rules.as_ref().is_none_or(|ids| ids.iter().any(|id| id == r.id())))
        .collect();
    let config_data = config_data(config, snapshot);
    let engine = engine_with_config(pack, &config_data);
    let missing = never_collected(snapshot);
    let context = SnapshotContext::new(snapshot, &missing);
    let derived = Derived::new(&pack.required_patterns);
    let packages: Vec<&str> = rules.iter().map(|r| r.package.as_str()).collect();
    let mut vm_fallback = None;
    let vm = match engine_choice {
        EngineChoice::Vm => match VmPack::compile(&engine, &packages, regorus::Value::from(config_data), pack.rule_timeout) {
            Ok(vm) => Some(vm),
            Err(e) => {
                vm_fallback = Some(judge::first_line(&format!("{e:#}")));
                None
            }
        },
        EngineChoice::Interpreter => None,
    };
    let used = if vm.is_some() { EngineChoice::Vm } else { EngineChoice::Interpreter };
    // An account that only `errors` mentions (its role could not be assumed)
    // is judged as an empty account: its identity failure turns every result
    // into an error, instead of the account silently missing from the report.
    let unreachable = unreachable_accounts(snapshot);
    // An account is judged once, even when a live run collected it twice (a
    // `--role-arn` of the calling account's own role); a snapshot file holding
    // one twice is refused when it is read (snapshot::load).
    let mut seen = std::collections::HashSet::new();
    let accounts: Vec<&Account> = snapshot.accounts.iter().chain(&unreachable).filter(|a| seen.insert(a.account_id.as_str())).collect();
    let twice = duplicate_accounts(snapshot);
    let progress = EvalProgress::new(options.progress, accounts.len());
    let stopped = interpreter::StoppedRules::default();
    let mut results: Vec<RuleResult> = eval_pool().install(|| {
        accounts
            .par_iter()
            .copied()
            .map_init(
                || vm.as_ref().and_then(|pack| pack.machine().ok()),
                |machine, account| {
                    let input = context.account_input(snapshot, account, &derived);
                    let values = match (&vm, machine) {
                        (Some(pack), Some(machine)) => pack.run(machine, input.clone()),
                        _ => None,
                    };
                    let judged = match values {
                        Some(values) => judge::judge(&rules, &context, account, values.into_iter().map(Ok).collect()),
                        None => interpreter::evaluate_account(&engine, &rules, &context, account, input, &stopped),
                    };
                    progress.account_done();
                    judged
                },
            )
            .flatten_iter()
            .collect()
    });
    progress.finish();

    let rule_ids =
        waivers::RuleIds { evaluated: rules.iter().map(|r| r.id()).collect(), known: pack.rules.iter().map(|r| r.id()).collect() };
    let warnings = waivers::apply(&config.waivers, &mut results, options.today, &rule_ids);
    let mut notices: Vec<String> = warnings.iter().map(|w| w.message.clone()).collect();
    notices.extend(twice);
    if let Some(text) = snapshot_text {
        locate::attach_lines(text, &mut results);
    }
    results.sort_by(|a, b| {
        (&a.rule_id, &a.account, &a.region, &a.resource, a.status).cmp(&(&b.rule_id, &b.account, &b.region, &b.resource, b.status))
    });
    let audit = Audit {
        metadata: snapshot.metadata.clone(),
        snapshot_path: options.snapshot_path.clone(),
        rules: rules.into_iter().cloned().collect(),
        results,
        fail_on: options.fail_on.into(),
        account_ids: {
            let mut ids: Vec<String> = snapshot.accounts.iter().chain(&unreachable).map(|a| a.account_id.clone()).collect();
            ids.sort();
            ids.dedup();
            ids
        },
        framework: None,
        warnings,
        baseline: None,
        missing_permissions: missing_permissions(snapshot),
    };
    (audit, EvalTimings { evaluate: started.elapsed(), engine: used, vm_fallback }, notices)
}

/// The `input` each account is judged with, by account id, and the engine
/// holding the pack and `config`: for profiling a Rego expression on real
/// inputs (`bench/rules.rs`), outside an audit.
pub fn account_inputs(snapshot: &Snapshot, pack: &Pack, config: &Config) -> (regorus::Engine, Vec<(String, regorus::Value)>) {
    let engine = engine_with_config(pack, &config_data(config, snapshot));
    let missing = never_collected(snapshot);
    let context = SnapshotContext::new(snapshot, &missing);
    let derived = Derived::new(&pack.required_patterns);
    let unreachable = unreachable_accounts(snapshot);
    let inputs = snapshot
        .accounts
        .iter()
        .chain(&unreachable)
        .map(|account| (account.account_id.clone(), context.account_input(snapshot, account, &derived)))
        .collect();
    (engine, inputs)
}

/// The configuration as rules read it: `data.trailaudit.config`.
fn config_data(config: &Config, snapshot: &Snapshot) -> Json {
    serde_json::json!({ "trailaudit": { "config": config.rego_data(&snapshot.metadata.regions) } })
}

/// The pack's engine with the configuration loaded, its modules analysed once
/// here rather than in every per-account clone.
fn engine_with_config(pack: &Pack, config_data: &Json) -> regorus::Engine {
    let mut engine = pack.engine.clone();
    engine.add_data(regorus::Value::from(config_data.clone())).expect("config data is an object");
    let _ = engine.eval_query("true".to_owned(), false);
    engine
}

/// A notice for each account the snapshot holds more than once.
fn duplicate_accounts(snapshot: &Snapshot) -> Vec<String> {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for a in &snapshot.accounts {
        *counts.entry(a.account_id.as_str()).or_default() += 1;
    }
    counts
        .into_iter()
        .filter(|&(_, n)| n > 1)
        .map(|(id, n)| {
            format!(
                "account {id} was collected {n} times (a --role-arn of the calling account itself?); it is judged once, from its first copy"
            )
        })
        .collect()
}

/// Stack of each evaluation thread. regorus's interpreter recurses along the
/// Rego it runs (every rule, function and nested expression is a Rust frame);
/// the pack refuses recursive functions when it loads (see
/// [`crate::pack`]), so the depth is bounded by the pack's own nesting, and this
/// gives it room far beyond the 2 MiB of a default thread. It is address space,
/// reserved but only touched as deep as the evaluation goes.
pub const EVAL_STACK_BYTES: usize = 256 << 20;

/// The worker threads accounts are judged on, with [`EVAL_STACK_BYTES`] of stack.
fn eval_pool() -> &'static rayon::ThreadPool {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(EVAL_STACK_BYTES)
            .thread_name(|i| format!("trailaudit-eval-{i}"))
            .build()
            .expect("the evaluation thread pool can be created")
    })
}

/// Accounts named by failed calls but absent from `accounts`, and accounts an
/// organization discovery selected that the snapshot holds no trace of (a
/// shard missing from a merge; see [`never_collected`]), as empty accounts.
/// The IAM actions behind the snapshot's AccessDenied-type errors
/// (`AccessDenied`, `AccessDeniedException`, `UnauthorizedOperation`,
/// `AuthorizationError`, ...), deduplicated and sorted: what to grant before
/// collecting again.
pub fn missing_permissions(snapshot: &Snapshot) -> Vec<String> {
    let mut actions: Vec<String> = snapshot
        .errors
        .iter()
        .filter(|e| e.kind == crate::snapshot::ErrorKind::Failed && is_access_denied(&e.error_code))
        .filter_map(|e| match e.action() {
            Some(action) => action.iam_action().map(str::to_owned),
            // Unknown to this version: its own name is the best guess.
            None => Some(e.action_name()),
        })
        .collect();
    actions.sort_unstable();
    actions.dedup();
    actions
}

/// Error codes AWS answers a call the caller's policies do not allow with.
fn is_access_denied(code: &str) -> bool {
    let code = code.to_ascii_lowercase();
    code.contains("accessdenied") || code.starts_with("unauthorized") || code.starts_with("authorizationerror") || code == "forbidden"
}

fn unreachable_accounts(snapshot: &Snapshot) -> Vec<Account> {
    let known: std::collections::HashSet<&str> = snapshot.accounts.iter().map(|a| a.account_id.as_str()).collect();
    let selected = snapshot.organization.iter().flat_map(|o| o.selected_accounts.iter()).map(String::as_str);
    let mut ids: Vec<&str> =
        snapshot.errors.iter().map(|e| e.account_id.as_str()).chain(selected).filter(|id| !id.is_empty() && !known.contains(id)).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter()
        .map(|id| serde_json::from_value(serde_json::json!({ "account_id": id })).expect("an account needs only its id"))
        .collect()
}

/// Selected accounts of an organization discovery that neither `accounts`
/// nor `errors` mention: their shard was not merged in. Each gets the record
/// of an identity call that was never made, so that, like an account whose
/// role could not be assumed, every one of its results is `error` (never a
/// fail of an "empty" account, never a silent gap).
fn never_collected(snapshot: &Snapshot) -> Vec<crate::snapshot::CollectionError> {
    let Some(scope) = &snapshot.organization else { return Vec::new() };
    let seen: std::collections::HashSet<&str> =
        snapshot.accounts.iter().map(|a| a.account_id.as_str()).chain(snapshot.errors.iter().map(|e| e.account_id.as_str())).collect();
    let shards = scope.shards.as_ref().map(|s| {
        let held: Vec<String> = s.indices.iter().map(u32::to_string).collect();
        format!(" (this snapshot holds shard(s) {} of {}; merge the others in)", held.join(", "), s.count)
    });
    scope
        .selected_accounts
        .iter()
        .filter(|id| !seen.contains(id.as_str()))
        .map(|id| crate::snapshot::CollectionError {
            service: "sts".to_owned(),
            operation: "GetCallerIdentity".to_owned(),
            account_id: id.clone(),
            region: None,
            resource: None,
            error_code: "NotCollected".to_owned(),
            message: format!(
                "account {id} was selected by the discovery of organization {} but is not in this snapshot{}",
                scope.id,
                shards.clone().unwrap_or_default()
            ),
            kind: crate::snapshot::ErrorKind::Failed,
        })
        .collect()
}

#[cfg(test)]
mod never_collected_tests {
    use super::*;
    use crate::finding::Status;
    use crate::pack::PackSource;
    use crate::snapshot::{Metadata, OrganizationScope, SCHEMA_VERSION, Shards};

    /// A shard snapshot audited alone: the selected accounts it does not hold
    /// are judged as not collected, every result `error`, naming the shards.
    #[test]
    fn selected_accounts_missing_from_the_snapshot_are_all_errors() {
        let present: Account = serde_json::from_value(serde_json::json!({"account_id": "111111111111"})).unwrap();
        let snapshot = Snapshot {
            schema_version: SCHEMA_VERSION,
            metadata: Metadata::example(),
            organization: Some(OrganizationScope {
                id: "o-a1b2c3d4e5".into(),
                management_account_id: "111111111111".into(),
                discovered_from: "111111111111".into(),
                delegated_administrators: Vec::new(),
                selected_accounts: vec!["111111111111".into(), "222222222222".into()],
                skipped_accounts: Vec::new(),
                shards: Some(Shards { count: 2, indices: vec![1] }),
            }),
            accounts: vec![present],
            errors: Vec::new(),
        };
        let pack = Pack::load(&PackSource { builtin: true, dirs: Vec::new() }).unwrap();
        let options = AuditOptions::for_tests(chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
        let (audit, _, _) = audit(&snapshot, None, &pack, &Config::default(), &options);
        assert_eq!(audit.account_ids, ["111111111111", "222222222222"]);
        let missing: Vec<_> = audit.results.iter().filter(|r| r.account == "222222222222").collect();
        assert!(missing.len() >= pack.rules.len() / 2, "{}", missing.len());
        assert!(missing.iter().all(|r| r.status == Status::Error), "{missing:#?}");
        // Rules that already say `error` themselves (no event history) keep their reason.
        let explained = missing.iter().filter(|r| r.message.contains("not in this snapshot (this snapshot holds shard(s) 1 of 2")).count();
        assert!(explained * 10 >= missing.len() * 7, "{explained} of {}", missing.len());
    }

    /// An account present twice (collected twice) is judged once, with a notice.
    #[test]
    fn an_account_present_twice_is_judged_once() {
        let account: Account = serde_json::from_value(serde_json::json!({"account_id": "111111111111"})).unwrap();
        let once = Snapshot {
            schema_version: SCHEMA_VERSION,
            metadata: Metadata::example(),
            organization: None,
            accounts: vec![account.clone()],
            errors: Vec::new(),
        };
        let twice = Snapshot { accounts: vec![account.clone(), account], ..once.clone() };
        let pack = Pack::load(&PackSource { builtin: true, dirs: Vec::new() }).unwrap();
        let options = AuditOptions::for_tests(chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
        let (a, _, _) = audit(&once, None, &pack, &Config::default(), &options);
        let (b, _, notices) = audit(&twice, None, &pack, &Config::default(), &options);
        assert_eq!(a.results, b.results);
        assert_eq!(b.account_ids, ["111111111111"]);
        assert!(notices.iter().any(|n| n.contains("account 111111111111 was collected 2 times")), "{notices:?}");
    }
}
