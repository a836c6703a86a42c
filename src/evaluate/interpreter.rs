//! The pack on regorus's tree-walking interpreter, the default engine: one
//! query for the whole pack per account, and rule by rule when that fails, so
//! a failure stays with the rule that caused it.

use super::input::SnapshotContext;
use super::judge::{first_line, judge};
use super::query::combined_query;
use crate::finding::{Rule, RuleResult};
use crate::snapshot::Account;

/// Rules the execution timer stopped during this audit, by rule id, with the
/// account it happened on. A rule that ran away on one account is not run
/// again on the others (it would cost the timeout on every account of an
/// organization): its results there are `error`, saying where it was stopped.
#[derive(Debug, Default)]
pub(super) struct StoppedRules(std::sync::Mutex<std::collections::BTreeMap<String, String>>);

impl StoppedRules {
    fn get(&self, id: &str) -> Option<String> {
        self.0.lock().expect("stopped rules lock").get(id).cloned()
    }
    fn insert(&self, id: &str, account: &str) {
        self.0.lock().expect("stopped rules lock").entry(id.to_owned()).or_insert_with(|| account.to_owned());
    }
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
    let mut values = match run_all(&mut engine, &live) {
        Some(values) => values.into_iter().map(Ok).collect::<Vec<_>>(),
        None => live
            .iter()
            .map(|rule| {
                run_rule(&mut engine, rule).map_err(|(message, timed_out)| {
                    if timed_out {
                        stopped.insert(rule.id(), &account.account_id);
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
            Some(where_) => Err(format!(
                "rule not evaluated: it ran longer than the rule timeout (--rule-timeout) on account {where_} and was stopped there"
            )),
            None => values.next().expect("one value per rule evaluated"),
        })
        .collect();
    judge(rules, context, account, values)
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

/// Evaluates `data.<package>.results` alone; `Err` says why not, and whether
/// the execution timer stopped it.
fn run_rule(engine: &mut regorus::Engine, rule: &Rule) -> Result<regorus::Value, (String, bool)> {
    engine.eval_rule(format!("data.{}.results", rule.package)).map_err(|e| match crate::pack::timeout_message(&e) {
        Some(message) => (message, true),
        None => (format!("rule failed at run time: {}", first_line(&format!("{e:#}"))), false),
    })
}
