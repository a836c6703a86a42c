//! The pack on regorus's tree-walking interpreter, the default engine: one
//! query for the whole pack per account, and rule by rule when that fails, so
//! a failure stays with the rule that caused it.

use super::input::SnapshotContext;
use super::judge::{first_line, judge};
use super::query::combined_query;
use crate::finding::{Rule, RuleResult};
use crate::snapshot::Account;

/// Rules stopped during this audit (by regorus's execution timer or its
/// memory limit), by rule id, with why and on which account, and the rules
/// the pack refused to evaluate (they reach a recursive function). A rule that ran
/// away on one account is not run again on the others (it would cost the
/// timeout, or the memory budget, on every account of an organization): its
/// results there are `error`, saying where it was stopped.
#[derive(Debug)]
pub(super) struct StoppedRules(std::sync::Mutex<std::collections::BTreeMap<String, String>>);

impl StoppedRules {
    /// Starting with `refused`: rules never to evaluate, with the message of their results.
    pub(super) fn new(refused: &std::collections::BTreeMap<String, String>) -> StoppedRules {
        StoppedRules(std::sync::Mutex::new(refused.clone()))
    }
    fn get(&self, id: &str) -> Option<String> {
        self.0.lock().expect("stopped rules lock").get(id).cloned()
    }
    fn insert(&self, id: &str, account: &str, stop: Stop) {
        let why = match stop {
            Stop::Time => "it ran longer than the rule timeout (--rule-timeout)",
            Stop::Memory => "it needed more memory than --rule-memory-mib",
        };
        self.0
            .lock()
            .expect("stopped rules lock")
            .entry(id.to_owned())
            .or_insert_with(|| format!("rule not evaluated: {why} on account {account} and was stopped there"));
    }
}

/// Which of regorus's limits stopped an evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Time,
    Memory,
}

/// The interpreter's run of one account.
pub(super) fn evaluate_account(
    base: &regorus::Engine,
    rules: &[&Rule],
    context: &SnapshotContext,
    account: &Account,
    input: regorus::Value,
    stopped: &StoppedRules,
) -> Vec<RuleResult> {
    let mut engine = base.clone();
    engine.set_input(input);
    let earlier: Vec<Option<String>> = rules.iter().map(|r| stopped.get(r.id())).collect();
    let live: Vec<&Rule> = rules.iter().zip(&earlier).filter(|(_, e)| e.is_none()).map(|(r, _)| *r).collect();
    // One query for the whole pack lets regorus compute shared library rules
    // once per account; if anything in it fails, evaluate rule by rule so the
    // failure stays with the rule that caused it.
    let mut values = match super::memory::bounded(|| run_all(&mut engine, &live)).ok().flatten() {
        Some(values) => values.into_iter().map(Ok).collect::<Vec<_>>(),
        None => live
            .iter()
            .map(|rule| {
                run_rule(&mut engine, rule).map_err(|(message, stop)| {
                    if let Some(stop) = stop {
                        stopped.insert(rule.id(), &account.account_id, stop);
                    }
                    message
                })
            })
            .collect(),
    }
    .into_iter();
    let values: Vec<Result<regorus::Value, String>> = earlier
        .iter()
        .map(|e| match e {
            Some(message) => Err(message.clone()),
            None => values.next().expect("one value per rule evaluated"),
        })
        .collect();
    judge(rules, context, account, values)
}

/// Evaluates every rule's `results` in one query; `Ok(None)` if the query
/// fails or any rule's results are undefined (`Err` only for the memory
/// limit, so that [`super::memory::bounded`] runs it again alone).
fn run_all(engine: &mut regorus::Engine, rules: &[&Rule]) -> anyhow::Result<Option<Vec<regorus::Value>>> {
    if rules.is_empty() {
        return Ok(Some(Vec::new()));
    }
    let query = combined_query(rules.iter().map(|r| r.package.as_str()));
    let results = match engine.eval_query(query, false) {
        Ok(results) => results,
        Err(e) if super::memory::is_memory_error(&e) => return Err(e),
        Err(_) => return Ok(None),
    };
    let Some(value) = results.result.first().and_then(|r| r.expressions.first()).map(|e| e.value.clone()) else { return Ok(None) };
    let Ok(items) = value.as_array() else { return Ok(None) };
    Ok((items.len() == rules.len()).then(|| items.to_vec()))
}

/// Evaluates `data.<package>.results` alone (again alone in the process if
/// the memory limit stopped it beside other evaluations); `Err` says why
/// not, and which limit stopped it, if one did.
fn run_rule(engine: &mut regorus::Engine, rule: &Rule) -> Result<regorus::Value, (String, Option<Stop>)> {
    super::memory::bounded(|| engine.eval_rule(format!("data.{}.results", rule.package))).map_err(|e| {
        if super::memory::is_memory_error(&e) {
            return (memory_message(), Some(Stop::Memory));
        }
        match crate::pack::timeout_message(&e) {
            Some(message) => (message, Some(Stop::Time)),
            None => (format!("rule failed at run time: {}", first_line(&format!("{e:#}"))), None),
        }
    })
}

fn memory_message() -> String {
    format!(
        "rule stopped: its evaluation needed more than the memory budget of {} MiB (--rule-memory-mib); \
         a comprehension over a large range, or a value built without bound?",
        super::memory::budget_mib()
    )
}
