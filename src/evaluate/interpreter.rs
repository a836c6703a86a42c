//! The pack on regorus's tree-walking interpreter, the default engine: one
//! query for the whole pack per account, and rule by rule when that fails, so
//! a failure stays with the rule that caused it.

use super::input::SnapshotContext;
use super::judge::{first_line, judge};
use super::query::combined_query;
use crate::finding::{Rule, RuleResult};
use crate::snapshot::Account;

/// The interpreter's run of one account.
pub(super) fn evaluate_account(
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

/// Evaluates `data.<package>.results` alone.
fn run_rule(engine: &mut regorus::Engine, rule: &Rule) -> Result<regorus::Value, String> {
    engine.eval_rule(format!("data.{}.results", rule.package)).map_err(|e| run_time_failure(&e))
}

/// What a rule's failure at run time reads as in its `error` result; a rule
/// stopped by the execution timer says so, with the bound.
pub(super) fn run_time_failure(err: &anyhow::Error) -> String {
    crate::pack::timeout_message(err).unwrap_or_else(|| format!("rule failed at run time: {}", first_line(&format!("{err:#}"))))
}
