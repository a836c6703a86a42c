//! Recursive functions, refused when the pack loads.
//!
//! Rego forbids recursion (OPA rejects it at compile time). regorus 0.14
//! detects a rule that depends on itself while evaluating, but not a function
//! that calls itself: `f(n) := f(n + 1)` recurses in the interpreter until the
//! thread's stack overflows, which aborts the whole process. So the pack's
//! call graph of functions is checked here, on regorus's own parse of every
//! module, and a cycle is a pack problem naming the function's file and line.

use std::collections::{BTreeMap, BTreeSet};

use regorus::unstable::{Expr, Literal, Module, Query, Rule, RuleHead};

use super::PackProblem;

/// One function of the pack: where it is defined, and the functions it calls.
#[derive(Debug, Default)]
struct Function {
    path: String,
    line: u32,
    calls: BTreeSet<String>,
}

/// Every cycle of function calls in the loaded modules, one problem per cycle
/// (at the first function of the cycle, in name order).
pub(super) fn problems(engine: &mut regorus::Engine) -> Vec<PackProblem> {
    let mut functions: BTreeMap<String, Function> = BTreeMap::new();
    let mut calls: Vec<(String, Vec<String>)> = Vec::new();
    for module in engine.get_modules().iter() {
        let module: &Module = module;
        let package = path_of(&module.package.refr).unwrap_or_default();
        let package = package.strip_prefix("data.").unwrap_or(&package).to_owned();
        let imports: BTreeMap<String, String> = module
            .imports
            .iter()
            .filter_map(|i| {
                let target = path_of(&i.refr)?;
                let alias = match &i.r#as {
                    Some(span) => span.text().to_owned(),
                    None => target.rsplit('.').next()?.to_owned(),
                };
                Some((alias, target.strip_prefix("data.").unwrap_or(&target).to_owned()))
            })
            .collect();
        for rule in &module.policy {
            let Rule::Spec { head: RuleHead::Func { refr, args, assign, .. }, bodies, .. } = rule.as_ref() else { continue };
            let Some(name) = path_of(refr) else { continue };
            let full = format!("{package}.{name}");
            let mut raw = Vec::new();
            for arg in args {
                expr_calls(arg, &mut raw);
            }
            if let Some(assign) = assign {
                expr_calls(&assign.value, &mut raw);
            }
            for body in bodies {
                if let Some(assign) = &body.assign {
                    expr_calls(&assign.value, &mut raw);
                }
                query_calls(&body.query, &mut raw);
            }
            let resolved = raw
                .into_iter()
                .map(|call| match call.strip_prefix("data.") {
                    Some(rest) => rest.to_owned(),
                    None => {
                        let (head, tail) = call.split_once('.').map_or((call.as_str(), None), |(h, t)| (h, Some(t)));
                        match (imports.get(head), tail) {
                            (Some(target), Some(tail)) => format!("{target}.{tail}"),
                            (Some(target), None) => target.clone(),
                            (None, _) => format!("{package}.{call}"),
                        }
                    }
                })
                .collect();
            let entry = functions.entry(full.clone()).or_default();
            entry.path.clone_from(refr.span().source.file());
            entry.line = refr.span().line;
            calls.push((full, resolved));
        }
    }
    for (name, callees) in calls {
        // Calls to builtins and to rules are not edges of the graph.
        let known: Vec<String> = callees.into_iter().filter(|c| functions.contains_key(c)).collect();
        functions.get_mut(&name).expect("registered above").calls.extend(known);
    }
    let mut problems = Vec::new();
    let mut reported: BTreeSet<String> = BTreeSet::new();
    for start in functions.keys() {
        if reported.contains(start) {
            continue;
        }
        if let Some(cycle) = cycle_through(&functions, start) {
            let f = &functions[start];
            let shown: Vec<String> = cycle.iter().map(|c| format!("data.{c}")).collect();
            problems.push(PackProblem {
                path: f.path.clone(),
                line: f.line as usize,
                message: format!(
                    "function `data.{start}` is recursive ({}): Rego does not allow recursion, \
                     and evaluating it would overflow the stack",
                    shown.join(" -> ")
                ),
            });
            reported.extend(cycle);
        }
    }
    problems
}

/// A path of calls from `start` back to `start`, if there is one.
fn cycle_through(functions: &BTreeMap<String, Function>, start: &str) -> Option<Vec<String>> {
    // Depth-first with an explicit stack: (function, index of the next callee).
    let mut stack: Vec<(&str, std::collections::btree_set::Iter<'_, String>)> = vec![(start, functions[start].calls.iter())];
    let mut seen: BTreeSet<&str> = BTreeSet::from([start]);
    while let Some((_, callees)) = stack.last_mut() {
        match callees.next() {
            Some(next) if next == start => {
                let mut path: Vec<String> = stack.iter().map(|(f, _)| (*f).to_owned()).collect();
                path.push(start.to_owned());
                return Some(path);
            }
            Some(next) => {
                if seen.insert(next.as_str()) {
                    stack.push((next.as_str(), functions[next.as_str()].calls.iter()));
                }
            }
            None => {
                stack.pop();
            }
        }
    }
    None
}

/// `a.b.c` for a reference made of a variable and fields; `None` otherwise.
fn path_of(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Var { span, .. } => Some(span.text().to_owned()),
        Expr::RefDot { refr, field, .. } => Some(format!("{}.{}", path_of(refr)?, field.0.text())),
        Expr::RefBrack { refr, index, .. } => match index.as_ref() {
            Expr::String { value, .. } => Some(format!("{}.{}", path_of(refr)?, value.as_string().ok()?)),
            _ => None,
        },
        _ => None,
    }
}

fn query_calls(query: &Query, out: &mut Vec<String>) {
    for stmt in &query.stmts {
        match &stmt.literal {
            Literal::SomeVars { .. } => {}
            Literal::SomeIn { key, value, collection, .. } => {
                if let Some(key) = key {
                    expr_calls(key, out);
                }
                expr_calls(value, out);
                expr_calls(collection, out);
            }
            Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => expr_calls(expr, out),
            Literal::Every { domain, query, .. } => {
                expr_calls(domain, out);
                query_calls(query, out);
            }
        }
        for with in &stmt.with_mods {
            expr_calls(&with.r#as, out);
        }
    }
}

fn expr_calls(expr: &Expr, out: &mut Vec<String>) {
    match expr {
        Expr::Call { fcn, params, .. } => {
            if let Some(name) = path_of(fcn) {
                out.push(name);
            }
            for p in params {
                expr_calls(p, out);
            }
        }
        Expr::Array { items, .. } | Expr::Set { items, .. } => items.iter().for_each(|i| expr_calls(i, out)),
        Expr::Object { fields, .. } => {
            for (_, k, v) in fields {
                expr_calls(k, out);
                expr_calls(v, out);
            }
        }
        Expr::ArrayCompr { term, query, .. } | Expr::SetCompr { term, query, .. } => {
            expr_calls(term, out);
            query_calls(query, out);
        }
        Expr::ObjectCompr { key, value, query, .. } => {
            expr_calls(key, out);
            expr_calls(value, out);
            query_calls(query, out);
        }
        Expr::UnaryExpr { expr, .. } => expr_calls(expr, out),
        Expr::RefDot { refr, .. } => expr_calls(refr, out),
        Expr::RefBrack { refr, index, .. } => {
            expr_calls(refr, out);
            expr_calls(index, out);
        }
        Expr::BinExpr { lhs, rhs, .. }
        | Expr::BoolExpr { lhs, rhs, .. }
        | Expr::ArithExpr { lhs, rhs, .. }
        | Expr::AssignExpr { lhs, rhs, .. } => {
            expr_calls(lhs, out);
            expr_calls(rhs, out);
        }
        Expr::Membership { key, value, collection, .. } => {
            if let Some(key) = key {
                expr_calls(key, out);
            }
            expr_calls(value, out);
            expr_calls(collection, out);
        }
        #[allow(unreachable_patterns)]
        _ => {}
    }
}
