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
pub mod memory;
mod progress;
mod query;
mod scope;
mod vm;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde_json::Value as Json;

use crate::config::Config;
use crate::finding::{Audit, Rule, RuleResult, Severity, SpillWriter};
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
    let ids: Vec<String> = snapshot.accounts.iter().map(|a| a.account_id.clone()).collect();
    let mut context = SnapshotContext::of_accounts(&snapshot.accounts);
    let run = Run::new(snapshot, &ids, &mut context, pack, config, options, engine_choice);
    // An account is judged once, even when a live run collected it twice (a
    // `--role-arn` of the calling account's own role); a snapshot file holding
    // one twice is refused when it is read (snapshot::load).
    let mut seen = std::collections::HashSet::new();
    let accounts: Vec<&Account> = snapshot.accounts.iter().chain(&run.unreachable).filter(|a| seen.insert(a.account_id.as_str())).collect();
    let progress = EvalProgress::new(options.progress, accounts.len());
    let mut settled = Settled::held(&run, options);
    settled.add(run.judge(&context, &accounts, &progress)).expect("results held in memory are not written anywhere");
    progress.finish();
    run.finish(snapshot, &ids, settled, snapshot_text, options, started)
}

/// Accounts judged together: read from the snapshot file, judged in
/// parallel, dropped. Enough to keep every core busy between two reads, few
/// enough that the accounts in flight are a small part of memory.
const STREAM_BATCH: usize = 64;

/// [`audit_with_engine`] on a snapshot file read account by account, its
/// text never held: a first pass over the file checks it (every loader error
/// of [`crate::snapshot::load_file`]), notes where each account is and
/// where each account's part for [`locate`] starts, and gathers what rules
/// read across accounts ([`SnapshotContext`]); then the accounts are read
/// again from their own bytes, [`STREAM_BATCH`] at a time, judged on every
/// core, their results given their lines from their account's part alone,
/// and dropped. Neither pass holds every account at once; each batch's
/// results are waived and spilled to a temporary file as soon as they have
/// their lines ([`Settled`]), and the reports read them back. Returns the
/// time of the first pass (the parse) beside the audit.
pub fn audit_file(
    path: &std::path::Path,
    pack: &Pack,
    config: &Config,
    options: &AuditOptions,
    engine_choice: EngineChoice,
) -> anyhow::Result<(Audit, EvalTimings, Vec<String>, Duration)> {
    let parse_started = Instant::now();
    let mut context = SnapshotContext::default();
    let mut ids: Vec<String> = Vec::new();
    let mut marks = locate::AccountMarks::default();
    let (snapshot, file) = crate::snapshot::load_file_indexed(
        path,
        &mut |account| {
            ids.push(account.account_id.clone());
            context.add_account(&account);
            Ok(())
        },
        &mut |piece: &str| marks.feed(piece),
    )?;
    let parts = marks.finish(file.len);
    let missing = context.missing_management();
    if !missing.is_empty() {
        for (i, id) in ids.iter().enumerate() {
            if missing.contains(id) {
                context.add_management(&file.account(i)?);
            }
        }
    }
    let parse = parse_started.elapsed();

    let started = Instant::now();
    let run = Run::new(&snapshot, &ids, &mut context, pack, config, options, engine_choice);
    let progress = EvalProgress::new(options.progress, ids.len() + run.unreachable.len());
    let mut settled = Settled::spilled(&run, options);
    let mut first = 0;
    loop {
        let last = (first + STREAM_BATCH).min(ids.len());
        let batch: Vec<Account> = (first..last).map(|i| file.account(i)).collect::<Result<_, _>>()?;
        // The accounts only `errors` mention come with the last batch.
        let accounts: Vec<&Account> =
            if last == ids.len() { batch.iter().chain(&run.unreachable).collect() } else { batch.iter().collect() };
        let mut judged = run.judge(&context, &accounts, &progress);
        drop(accounts);
        drop(batch);
        attach_batch_lines(&file, &parts, &mut judged)?;
        settled.add(judged).map_err(spill_error)?;
        if last == ids.len() {
            break;
        }
        first = last;
    }
    progress.finish();
    let (audit, timings, notices) = run.finish(&snapshot, &ids, settled, None, options, started);
    Ok((audit, timings, notices, parse))
}

/// Gives `results` (of a few accounts) their lines in the snapshot, each
/// account's from its own part of the file, read alone (see [`locate`]).
fn attach_batch_lines(
    file: &crate::snapshot::SnapshotFile,
    parts: &std::collections::HashMap<String, locate::AccountPart>,
    results: &mut [RuleResult],
) -> Result<(), crate::snapshot::SnapshotError> {
    // Stable: the results of one account keep their order.
    results.sort_by(|a, b| a.account.cmp(&b.account));
    for account in results.chunk_by_mut(|a, b| a.account == b.account) {
        match parts.get(account[0].account.as_str()) {
            Some(part) => locate::attach_lines_in(&file.read(part.start, part.end)?, part.line, account),
            None => account.iter_mut().for_each(|r| r.snapshot_line = None),
        }
    }
    Ok(())
}

/// A failure to write the results to, or read them back from, the temporary directory.
fn spill_error(e: std::io::Error) -> anyhow::Error {
    anyhow::anyhow!(
        "cannot spill the audit's results to a temporary file in {} (set TMPDIR to a directory with room): {e}",
        std::env::temp_dir().display()
    )
}

/// Judged results on their way to the reports: waived as they arrive (the
/// waivers' bookkeeping kept for the whole run), then held in memory
/// ([`audit`]) or written to a [`SpillWriter`] batch by batch ([`audit_file`]).
struct Settled<'p> {
    waivers: waivers::Tracker<'p>,
    spill: Option<SpillWriter>,
    held: Vec<RuleResult>,
}

impl<'p> Settled<'p> {
    fn held(run: &Run<'p>, options: &AuditOptions) -> Settled<'p> {
        let rule_ids = waivers::RuleIds {
            evaluated: run.rules.iter().map(|r| r.id()).collect(),
            known: run.pack.rules.iter().map(|r| r.id()).collect(),
        };
        Settled { waivers: waivers::Tracker::new(&run.config.waivers, options.today, &rule_ids), spill: None, held: Vec::new() }
    }

    fn spilled(run: &Run<'p>, options: &AuditOptions) -> Settled<'p> {
        Settled { spill: Some(SpillWriter::new()), ..Settled::held(run, options) }
    }

    fn add(&mut self, mut results: Vec<RuleResult>) -> std::io::Result<()> {
        self.waivers.apply(&mut results);
        match &mut self.spill {
            Some(spill) => spill.push(results),
            None => {
                self.held.extend(results);
                Ok(())
            }
        }
    }
}

/// One audit's evaluation: the rules selected, the engine with the pack and
/// the configuration, and what every account is judged with.
struct Run<'p> {
    pack: &'p Pack,
    config: &'p Config,
    rules: Vec<&'p Rule>,
    engine: regorus::Engine,
    derived: Derived<'p>,
    vm: Option<VmPack>,
    used: EngineChoice,
    vm_fallback: Option<String>,
    stopped: interpreter::StoppedRules,
    /// Rules the pack refused to evaluate (they reach a recursive function),
    /// with the message of their `error` results.
    refused: std::collections::BTreeMap<String, String>,
    /// Accounts only `errors` or an organization discovery mention, judged as empty accounts.
    unreachable: Vec<Account>,
    schema_version: u32,
    metadata: crate::snapshot::Metadata,
}

impl<'p> Run<'p> {
    /// `ids`: the snapshot's accounts in file order; `context` gathered from
    /// them, to which the failed calls (the snapshot's and those of selected
    /// accounts never collected) are added here.
    fn new(
        snapshot: &Snapshot,
        ids: &[String],
        context: &mut SnapshotContext,
        pack: &'p Pack,
        config: &'p Config,
        options: &AuditOptions,
        engine_choice: EngineChoice,
    ) -> Run<'p> {
        let rules: Vec<&Rule> = pack
            .rules
            .iter()
            .filter(|r| !r.meta.custom.deprecated)
            .filter(|r| options.only_rules.as_ref().is_none_or(|ids| ids.iter().any(|id| id == r.id())))
            .collect();
        let config_data = config_data(config, snapshot);
        let engine = engine_with_config(pack, &config_data);
        let missing = never_collected(snapshot, ids);
        context.add_errors(snapshot.errors.iter().chain(&missing));
        // Checked before any work by the audit command; a bad value here keeps the default.
        let derived = Derived::with_budget(
            &pack.required_patterns,
            derived::audit_budget().unwrap_or(derived::DEFAULT_AUDIT_PAIRS * crate::filter_pattern::PAIR_WORK),
        );
        let packages: Vec<&str> = rules.iter().map(|r| r.package.as_str()).collect();
        let mut vm_fallback = None;
        let vm = match engine_choice {
            // The VM compiles the whole pack at once; a refused rule must not be compiled or run.
            EngineChoice::Vm if !pack.refused.is_empty() => {
                vm_fallback = Some("a rule is not evaluated (it reaches a recursive function)".to_owned());
                None
            }
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
        let unreachable = unreachable_accounts(snapshot, ids);
        let refused: std::collections::BTreeMap<String, String> = pack
            .refused
            .iter()
            .filter(|(id, _)| rules.iter().any(|r| r.id() == id.as_str()))
            .map(|(id, m)| (id.clone(), m.clone()))
            .collect();
        Run {
            pack,
            config,
            rules,
            engine,
            derived,
            vm,
            used,
            vm_fallback,
            stopped: interpreter::StoppedRules::new(&refused),
            refused,
            unreachable,
            schema_version: snapshot.schema_version,
            metadata: snapshot.metadata.clone(),
        }
    }

    /// Judges `accounts` on every core; the results in no particular order
    /// ([`Run::finish`] sorts them).
    fn judge(&self, context: &SnapshotContext, accounts: &[&Account], progress: &EvalProgress) -> Vec<RuleResult> {
        let (rules, engine, derived, vm, stopped) = (&self.rules, &self.engine, &self.derived, &self.vm, &self.stopped);
        let _memory_limit = memory::Limit::set(self.pack.rule_memory_mib << 20);
        eval_pool().install(|| {
            accounts
                .par_iter()
                .copied()
                .map_init(
                    || vm.as_ref().and_then(|pack| pack.machine().ok()),
                    |machine, account| {
                        let judged = match context.account_input(self.schema_version, &self.metadata, account, derived) {
                            Err(message) => judge::judge(rules, context, account, rules.iter().map(|_| Err(message.clone())).collect()),
                            Ok(input) => {
                                let values = match (vm, machine) {
                                    (Some(pack), Some(machine)) => memory::shared(|| pack.run(machine, input.clone())),
                                    _ => None,
                                };
                                match values {
                                    Some(values) => judge::judge(rules, context, account, values.into_iter().map(Ok).collect()),
                                    None => interpreter::evaluate_account(engine, rules, context, account, input, stopped),
                                }
                            }
                        };
                        progress.account_done();
                        judged
                    },
                )
                .flatten_iter()
                .collect()
        })
    }

    /// The waivers' warnings, lines in the snapshot (`snapshot_text`, for
    /// results held in memory), the results' order, and the audit.
    fn finish(
        self,
        snapshot: &Snapshot,
        ids: &[String],
        settled: Settled<'_>,
        snapshot_text: Option<&str>,
        options: &AuditOptions,
        started: Instant,
    ) -> (Audit, EvalTimings, Vec<String>) {
        let Settled { waivers: tracker, spill, held: mut results } = settled;
        let warnings = tracker.warnings();
        let mut notices: Vec<String> = warnings.iter().map(|w| w.message.clone()).collect();
        notices.extend(duplicate_accounts(ids));
        if self.derived.skipped() > 0 {
            notices.push(format!(
                "the audit's filter-pattern coverage budget ({} comparisons at their most complex; TRAILAUDIT_FILTER_BUDGET_PAIRS) \
                 was spent: {} metric filter / CIS pattern comparison(s) were not made, and the monitoring results that needed \
                 them are errors (\"not analysed\"), not verdicts",
                derived::audit_budget().unwrap_or(derived::DEFAULT_AUDIT_PAIRS * crate::filter_pattern::PAIR_WORK)
                    / crate::filter_pattern::PAIR_WORK,
                self.derived.skipped()
            ));
        }
        notices.extend(self.refused.iter().map(|(id, message)| format!("{id}: {message}")));
        if let Some(text) = snapshot_text {
            locate::attach_lines(text, &mut results);
        }
        results.sort_by(crate::finding::report_order);
        let audit = Audit {
            metadata: snapshot.metadata.clone(),
            snapshot_path: options.snapshot_path.clone(),
            rules: self.rules.into_iter().cloned().collect(),
            results,
            spill: spill.map(SpillWriter::finish),
            fail_on: options.fail_on.into(),
            account_ids: {
                let mut ids: Vec<String> = ids.iter().cloned().chain(self.unreachable.iter().map(|a| a.account_id.clone())).collect();
                ids.sort();
                ids.dedup();
                ids
            },
            framework: None,
            warnings,
            baseline: None,
            missing_permissions: missing_permissions(snapshot),
        };
        let timings = EvalTimings { evaluate: started.elapsed(), engine: self.used, vm_fallback: self.vm_fallback };
        // Freeing the configured engine, its modules' analysis node by node,
        // was a twentieth of an audit of a fixture: nothing needs to wait for it.
        // Where no thread can be had, the closure, engine and all, is dropped here.
        let engine = self.engine;
        let _ = std::thread::Builder::new().spawn(move || drop(engine));
        (audit, timings, notices)
    }
}

/// The `input` each account is judged with, by account id, and the engine
/// holding the pack and `config`: for profiling a Rego expression on real
/// inputs (`bench/rules.rs`), outside an audit.
pub fn account_inputs(snapshot: &Snapshot, pack: &Pack, config: &Config) -> (regorus::Engine, Vec<(String, regorus::Value)>) {
    let engine = engine_with_config(pack, &config_data(config, snapshot));
    let ids: Vec<String> = snapshot.accounts.iter().map(|a| a.account_id.clone()).collect();
    let missing = never_collected(snapshot, &ids);
    let mut context = SnapshotContext::of_accounts(&snapshot.accounts);
    context.add_errors(snapshot.errors.iter().chain(&missing));
    let derived = Derived::new(&pack.required_patterns);
    let unreachable = unreachable_accounts(snapshot, &ids);
    let inputs = snapshot
        .accounts
        .iter()
        .chain(&unreachable)
        .map(|account| {
            let input = context
                .account_input(snapshot.schema_version, &snapshot.metadata, account, &derived)
                .expect("no memory limit is set outside an audit");
            (account.account_id.clone(), input)
        })
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

/// A notice for each account the snapshot holds more than once (`ids`: its accounts, in order).
fn duplicate_accounts(ids: &[String]) -> Vec<String> {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for id in ids {
        *counts.entry(id.as_str()).or_default() += 1;
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

/// Defined with the pack, whose recursion check is what bounds the depth.
pub use crate::pack::EVAL_STACK_BYTES;

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

fn unreachable_accounts(snapshot: &Snapshot, ids: &[String]) -> Vec<Account> {
    let known: std::collections::HashSet<&str> = ids.iter().map(String::as_str).collect();
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
fn never_collected(snapshot: &Snapshot, ids: &[String]) -> Vec<crate::snapshot::CollectionError> {
    let Some(scope) = &snapshot.organization else { return Vec::new() };
    let seen: std::collections::HashSet<&str> =
        ids.iter().map(String::as_str).chain(snapshot.errors.iter().map(|e| e.account_id.as_str())).collect();
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
