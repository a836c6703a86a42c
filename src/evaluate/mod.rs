//! Runs the pack on a snapshot: per account, per rule, with failures of one
//! rule isolated from the others.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::Deserialize;
use serde_json::Value as Json;

use super::input::SnapshotContext;
use super::pack::Pack;
use super::progress::EvalProgress;
use super::result::{Audit, Rule, RuleResult};
use super::types::{Severity, Status};
use super::vm::VmPack;
use super::{locate, scope, waivers};
use crate::config::Config;
use crate::snapshot::{Account, Snapshot};

/// What a rule's `results` set must contain, one object per subject.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegoResult {
    status: RegoStatus,
    resource: String,
    #[serde(default)]
    region: Option<String>,
    message: String,
    #[serde(default)]
    evidence: Option<Json>,
    #[serde(default)]
    depends_on: Vec<String>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum RegoStatus {
    Pass,
    Fail,
    /// The rule itself cannot judge the subject from what the snapshot holds
    /// (e.g. a truncated event history proves no absence).
    Error,
}

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
    let context = SnapshotContext::new(snapshot);
    let packages: Vec<&str> = rules.iter().map(|r| r.package.as_str()).collect();
    let mut vm_fallback = None;
    let vm = match engine_choice {
        EngineChoice::Vm => match VmPack::compile(&engine, &packages, regorus::Value::from(config_data)) {
            Ok(vm) => Some(vm),
            Err(e) => {
                vm_fallback = Some(first_line(&format!("{e:#}")));
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
    let accounts: Vec<&Account> = snapshot.accounts.iter().chain(&unreachable).collect();
    let progress = EvalProgress::new(options.progress, accounts.len());
    let mut results: Vec<RuleResult> = accounts
        .par_iter()
        .copied()
        .map_init(
            || vm.as_ref().and_then(|pack| pack.machine().ok()),
            |machine, account| {
                let input = context.account_input(snapshot, account, &pack.requirements);
                let values = match (&vm, machine) {
                    (Some(pack), Some(machine)) => pack.run(machine, input.clone()),
                    _ => None,
                };
                let judged = match values {
                    Some(values) => judge(&rules, &context, account, values.into_iter().map(Ok).collect()),
                    None => evaluate_account(&engine, &rules, &context, account, input),
                };
                progress.account_done();
                judged
            },
        )
        .flatten_iter()
        .collect();
    progress.finish();

    let rule_ids =
        waivers::RuleIds { evaluated: rules.iter().map(|r| r.id()).collect(), known: pack.rules.iter().map(|r| r.id()).collect() };
    let warnings = waivers::apply(&config.waivers, &mut results, options.today, &rule_ids);
    let notices: Vec<String> = warnings.iter().map(|w| w.message.clone()).collect();
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
        fail_on: options.fail_on,
        account_ids: {
            let mut ids: Vec<String> = snapshot.accounts.iter().chain(&unreachable).map(|a| a.account_id.clone()).collect();
            ids.sort();
            ids
        },
        framework: None,
        warnings,
        baseline: None,
    };
    (audit, EvalTimings { evaluate: started.elapsed(), engine: used, vm_fallback }, notices)
}

/// The `input` each account is judged with, by account id, and the engine
/// holding the pack and `config`: for profiling a Rego expression on real
/// inputs (`bench/rules.rs`), outside an audit.
pub fn account_inputs(snapshot: &Snapshot, pack: &Pack, config: &Config) -> (regorus::Engine, Vec<(String, regorus::Value)>) {
    let engine = engine_with_config(pack, &config_data(config, snapshot));
    let context = SnapshotContext::new(snapshot);
    let unreachable = unreachable_accounts(snapshot);
    let inputs = snapshot
        .accounts
        .iter()
        .chain(&unreachable)
        .map(|account| (account.account_id.clone(), context.account_input(snapshot, account, &pack.requirements)))
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

/// Accounts named by failed calls but absent from `accounts`, as empty accounts.
fn unreachable_accounts(snapshot: &Snapshot) -> Vec<Account> {
    let known: std::collections::HashSet<&str> = snapshot.accounts.iter().map(|a| a.account_id.as_str()).collect();
    let mut ids: Vec<&str> =
        snapshot.errors.iter().map(|e| e.account_id.as_str()).filter(|id| !id.is_empty() && !known.contains(id)).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter()
        .map(|id| serde_json::from_value(serde_json::json!({ "account_id": id })).expect("an account needs only its id"))
        .collect()
}

/// The interpreter's run of one account.
fn evaluate_account(
    base: &regorus::Engine,
    rules: &[&Rule],
    context: &SnapshotContext,
    account: &Account,
    input: regorus::Value,
) -> Vec<RuleResult> {
    let mut engine = base.clone();
    engine.set_input(input);
    // One query for the whole pack lets regorus compute shared library rules
    // once per account; if anything in it fails, evaluate rule by rule so the
    // failure stays with the rule that caused it.
    let values: Vec<Result<regorus::Value, String>> = match run_all(&mut engine, rules) {
        Some(values) => values.into_iter().map(Ok).collect(),
        None => rules.iter().map(|rule| run_rule(&mut engine, rule)).collect(),
    };
    judge(rules, context, account, values)
}

/// Turns each rule's `results` (or the reason it has none) into results, and
/// lets failed API calls turn the ones they affect into errors.
fn judge(rules: &[&Rule], context: &SnapshotContext, account: &Account, values: Vec<Result<regorus::Value, String>>) -> Vec<RuleResult> {
    let errors = context.errors_of(&account.account_id);
    let mut out = Vec::new();
    for (value, rule) in values.into_iter().zip(rules) {
        let (mut results, depends_on) = match value.and_then(|v| parse_results(v, rule, &account.account_id)) {
            Ok(pair) => pair,
            Err(message) => (vec![rule_failure(rule, &account.account_id, message)], Vec::new()),
        };
        scope::apply(rule, &account.account_id, errors, &mut results, &depends_on);
        out.extend(results);
    }
    out
}

/// Evaluates every rule's `results` in one query; `None` if the query fails
/// or any rule's results are undefined.
fn run_all(engine: &mut regorus::Engine, rules: &[&Rule]) -> Option<Vec<regorus::Value>> {
    if rules.is_empty() {
        return Some(Vec::new());
    }
    let query = combined_query(rules.iter().map(|r| r.package.as_str()));
    let results = engine.eval_query(query, false).ok()?;
    let value = results.result.first()?.expressions.first()?.value.clone();
    let items: Vec<regorus::Value> = value.as_array().ok()?.to_vec();
    (items.len() == rules.len()).then_some(items)
}

/// `[data.<a>.results,\n data.<b>.results, ...]`, one rule per line: regorus
/// refuses lines longer than 1,024 columns, and a one-line query over a pack of
/// two dozen rules passes that, which silently sent every account down the
/// slow rule-by-rule path (shared library rules recomputed for every rule).
pub(super) fn combined_query<'a>(packages: impl Iterator<Item = &'a str>) -> String {
    let refs: Vec<String> = packages.map(|p| format!("data.{p}.results")).collect();
    format!("[\n{}\n]", refs.join(",\n"))
}

type Evaluated = (Vec<RuleResult>, Vec<Vec<String>>);

/// Evaluates `data.<package>.results` alone.
fn run_rule(engine: &mut regorus::Engine, rule: &Rule) -> Result<regorus::Value, String> {
    engine
        .eval_rule(format!("data.{}.results", rule.package))
        .map_err(|e| format!("rule failed at run time: {}", first_line(&format!("{e:#}"))))
}

/// Checks a rule's `results` against the contract and turns it into results.
fn parse_results(value: regorus::Value, rule: &Rule, account_id: &str) -> Result<Evaluated, String> {
    let items: Vec<regorus::Value> = match value {
        regorus::Value::Undefined => return Err("`results` is undefined (a rule must always report its subjects)".into()),
        regorus::Value::Set(set) => set.iter().cloned().collect(),
        regorus::Value::Array(items) => items.iter().cloned().collect(),
        other => return Err(format!("`results` must be a set of objects, got {}", kind_of(&other))),
    };
    let mut results = Vec::with_capacity(items.len());
    let mut depends_on = Vec::with_capacity(items.len());
    for item in items {
        let json = serde_json::to_value(&item).map_err(|e| format!("result cannot be read: {e}"))?;
        let parsed: RegoResult = serde_json::from_value(json.clone())
            .map_err(|e| format!("result {json} has the wrong shape: {e} (see docs/writing-rules.md)"))?;
        results.push(RuleResult {
            rule_id: rule.id().to_owned(),
            status: match parsed.status {
                RegoStatus::Pass => Status::Pass,
                RegoStatus::Fail => Status::Fail,
                RegoStatus::Error => Status::Error,
            },
            severity: rule.severity(),
            account: account_id.to_owned(),
            region: parsed.region,
            resource: parsed.resource,
            message: parsed.message,
            evidence: parsed.evidence.unwrap_or_else(|| Json::Object(Default::default())),
            waiver: None,
            snapshot_line: None,
            baseline: None,
        });
        depends_on.push(parsed.depends_on);
    }
    Ok((results, depends_on))
}

fn rule_failure(rule: &Rule, account_id: &str, message: String) -> RuleResult {
    RuleResult {
        rule_id: rule.id().to_owned(),
        status: Status::Error,
        severity: rule.severity(),
        account: account_id.to_owned(),
        region: None,
        resource: super::types::account_resource(account_id),
        message,
        evidence: serde_json::json!({ "policy": rule.source_path }),
        waiver: None,
        snapshot_line: None,
        baseline: None,
    }
}

fn first_line(text: &str) -> String {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

fn kind_of(value: &regorus::Value) -> &'static str {
    match value {
        regorus::Value::Null => "null",
        regorus::Value::Bool(_) => "a boolean",
        regorus::Value::Number(_) => "a number",
        regorus::Value::String(_) => "a string",
        regorus::Value::Object(_) => "an object",
        _ => "another kind of value",
    }
}

#[cfg(test)]
mod tests {
    use super::combined_query;

    /// A pack far larger than one query line may hold still evaluates in one query.
    #[test]
    fn combined_query_of_a_large_pack_parses() {
        let packages: Vec<String> = (0..200).map(|i| format!("trailaudit.some_category.a_rather_long_rule_name_{i:03}")).collect();
        let mut engine = crate::policy::pack::new_engine();
        for p in &packages {
            engine.add_policy(format!("{p}.rego"), format!("package {p}\n\nresults := {{\"n\": 1}}\n")).unwrap();
        }
        let query = combined_query(packages.iter().map(String::as_str));
        assert!(query.len() > 1024);
        let value = engine.eval_query(query, false).unwrap().result[0].expressions[0].value.clone();
        assert_eq!(value.as_array().unwrap().len(), 200);
    }
}
