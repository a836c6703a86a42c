//! Recursive functions, found on regorus's own parse of the pack.
//!
//! Rego forbids recursion (OPA rejects it at compile time). regorus 0.14
//! detects a rule that depends on itself while evaluating, but not a function
//! that calls itself: `f(n) := f(n + 1)` recurses in the interpreter until the
//! thread's stack overflows, which aborts the whole process. So the pack's
//! call graph of functions is checked here, and a cycle is a problem naming the
//! function's file and line.
//!
//! `trailaudit audit` does not refuse such a pack: [`refused_packages`] finds
//! the rules whose evaluation can reach a recursive function (an
//! over-approximation on references between packages: a reference that is not
//! static, `data.trailaudit.lib[x]`, reaches every package under its static
//! prefix), and those rules are never evaluated: their results are `error`
//! naming the function's file and line, the rest of the report is complete.
//! `trailaudit test` refuses the pack (exit 2) with the same problem: a test
//! run is the policy author's check, with no report to keep complete.

use std::collections::{BTreeMap, BTreeSet};

use regorus::unstable::{Expr, Literal, Module, Query, Rule, RuleHead};

use super::PackProblem;

/// One function of the pack: where it is defined, and the functions it calls.
#[derive(Debug, Default)]
struct Function {
    path: String,
    line: u32,
    package: String,
    calls: BTreeSet<String>,
}

/// The pack's functions, and for each package the paths its rules and
/// functions refer to (resolved: without `data.`, imports replaced).
struct Graph {
    functions: BTreeMap<String, Function>,
    references: BTreeMap<String, BTreeSet<String>>,
}

fn graph(engine: &mut regorus::Engine) -> Graph {
    let mut functions: BTreeMap<String, Function> = BTreeMap::new();
    let mut references: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
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
        let resolve = |call: String| match call.strip_prefix("data.") {
            Some(rest) => rest.to_owned(),
            None if call == "data" => String::new(),
            None => {
                let (head, tail) = call.split_once('.').map_or((call.as_str(), None), |(h, t)| (h, Some(t)));
                match (imports.get(head), tail) {
                    (Some(target), Some(tail)) => format!("{target}.{tail}"),
                    (Some(target), None) => target.clone(),
                    (None, _) => format!("{package}.{call}"),
                }
            }
        };
        let mut refs = Vec::new();
        for rule in &module.policy {
            rule_exprs(rule, &mut |e| visit(e, Mode::References, &mut refs));
            let Rule::Spec { head: RuleHead::Func { refr, .. }, .. } = rule.as_ref() else { continue };
            let Some(name) = path_of(refr) else { continue };
            let full = format!("{package}.{name}");
            let mut raw = Vec::new();
            rule_exprs(rule, &mut |e| visit(e, Mode::Calls, &mut raw));
            let entry = functions.entry(full.clone()).or_default();
            entry.path.clone_from(refr.span().source.file());
            entry.line = refr.span().line;
            entry.package.clone_from(&package);
            calls.push((full, raw.into_iter().map(resolve).collect()));
        }
        references.entry(package.clone()).or_default().extend(refs.into_iter().map(resolve));
    }
    for (name, callees) in calls {
        // Calls to builtins and to rules are not edges of the graph.
        let known: Vec<String> = callees.into_iter().filter(|c| functions.contains_key(c)).collect();
        functions.get_mut(&name).expect("registered above").calls.extend(known);
    }
    Graph { functions, references }
}

/// Calls `f` on every expression of `rule` that is not inside another.
fn rule_exprs(rule: &Rule, f: &mut dyn FnMut(&Expr)) {
    let Rule::Spec { head, bodies, .. } = rule else {
        if let Rule::Default { value, .. } = rule {
            f(value);
        }
        return;
    };
    match head {
        RuleHead::Func { args, assign, .. } => {
            args.iter().for_each(|a| f(a));
            if let Some(assign) = assign {
                f(&assign.value);
            }
        }
        RuleHead::Compr { refr, assign, .. } => {
            f(refr);
            if let Some(assign) = assign {
                f(&assign.value);
            }
        }
        RuleHead::Set { refr, key, .. } => {
            f(refr);
            if let Some(key) = key {
                f(key);
            }
        }
    }
    for body in bodies {
        if let Some(assign) = &body.assign {
            f(&assign.value);
        }
        query_exprs(&body.query, f);
    }
}

/// The problem of a function in a cycle: its file, line and the cycle.
fn cycle_problem(functions: &BTreeMap<String, Function>, start: &str, cycle: &[String]) -> PackProblem {
    let f = &functions[start];
    let shown: Vec<String> = cycle.iter().map(|c| format!("data.{c}")).collect();
    PackProblem {
        path: f.path.clone(),
        line: f.line as usize,
        message: format!(
            "function `data.{start}` is recursive ({}): Rego does not allow recursion, \
             and evaluating it would overflow the stack",
            shown.join(" -> ")
        ),
    }
}

/// Every cycle of function calls in the loaded modules, one problem per cycle
/// (at the first function of the cycle, in name order).
pub(super) fn problems(engine: &mut regorus::Engine) -> Vec<PackProblem> {
    let Graph { functions, .. } = graph(engine);
    let mut problems = Vec::new();
    let mut reported: BTreeSet<String> = BTreeSet::new();
    for start in functions.keys() {
        if reported.contains(start) {
            continue;
        }
        if let Some(cycle) = cycle_through(&functions, start) {
            problems.push(cycle_problem(&functions, start, &cycle));
            reported.extend(cycle);
        }
    }
    problems
}

/// Every package of the loaded modules whose rules can reach a recursive
/// function (through references to other packages, over-approximated), with
/// the problem of the first such function it reaches, in name order.
pub(super) fn refused_packages(engine: &mut regorus::Engine) -> BTreeMap<String, PackProblem> {
    let Graph { functions, references } = graph(engine);
    // The packages holding a function in a cycle, with the first such function's problem.
    let mut tainted: BTreeMap<&str, PackProblem> = BTreeMap::new();
    for (name, f) in &functions {
        if tainted.contains_key(f.package.as_str()) {
            continue;
        }
        if let Some(cycle) = cycle_through(&functions, name) {
            tainted.insert(f.package.as_str(), cycle_problem(&functions, name, &cycle));
        }
    }
    if tainted.is_empty() {
        return BTreeMap::new();
    }
    let packages: Vec<&str> = references.keys().map(String::as_str).collect();
    // A reference reaches the package it is inside of, and every package inside it.
    let reaches = |path: &str, package: &str| {
        path.is_empty()
            || path == package
            || path.strip_prefix(package).is_some_and(|rest| rest.starts_with('.'))
            || package.strip_prefix(path).is_some_and(|rest| rest.starts_with('.'))
    };
    let mut refused = BTreeMap::new();
    for &start in &packages {
        let mut seen: BTreeSet<&str> = BTreeSet::from([start]);
        let mut queue = vec![start];
        let mut found: Option<&PackProblem> = None;
        while let Some(package) = queue.pop() {
            if let Some(problem) = tainted.get(package) {
                found = Some(found.map_or(problem, |f| f.min(problem)));
            }
            for path in &references[package] {
                for &next in &packages {
                    if reaches(path, next) && seen.insert(next) {
                        queue.push(next);
                    }
                }
            }
        }
        if let Some(problem) = found {
            refused.insert(start.to_owned(), problem.clone());
        }
    }
    refused
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

/// What [`visit`] collects: the functions called, or every path referred to
/// (called or read; for a reference that is not static, its static prefix).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Calls,
    References,
}

/// Calls `f` on every top-level expression of `query`.
fn query_exprs(query: &Query, f: &mut dyn FnMut(&Expr)) {
    for stmt in &query.stmts {
        match &stmt.literal {
            Literal::SomeVars { .. } => {}
            Literal::SomeIn { key, value, collection, .. } => {
                if let Some(key) = key {
                    f(key);
                }
                f(value);
                f(collection);
            }
            Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => f(expr),
            Literal::Every { domain, query, .. } => {
                f(domain);
                query_exprs(query, f);
            }
        }
        for with in &stmt.with_mods {
            f(&with.refr);
            f(&with.r#as);
        }
    }
}

/// The longest static prefix of a reference: `a.b` for `a.b[x].c`.
fn static_prefix(expr: &Expr) -> Option<String> {
    match expr {
        Expr::RefBrack { refr, .. } | Expr::RefDot { refr, .. } => path_of(expr).or_else(|| static_prefix(refr)),
        _ => path_of(expr),
    }
}

fn visit(expr: &Expr, mode: Mode, out: &mut Vec<String>) {
    if mode == Mode::References && matches!(expr, Expr::RefDot { .. } | Expr::RefBrack { .. }) {
        // The whole static prefix, not each shorter one (`lib` of `lib.events.x`
        // would reach every library); then what the chain computes.
        out.extend(static_prefix(expr));
        let mut link = expr;
        loop {
            match link {
                Expr::RefDot { refr, .. } => link = refr,
                Expr::RefBrack { refr, index, .. } => {
                    visit(index, mode, out);
                    link = refr;
                }
                Expr::Var { .. } => return,
                other => return visit(other, mode, out),
            }
        }
    }
    let mut rec = |e: &Expr| visit(e, mode, out);
    match expr {
        Expr::Call { fcn, params, .. } => {
            if let Some(name) = path_of(fcn) {
                out.push(name);
            } else if mode == Mode::References {
                visit(fcn, mode, out);
            }
            for p in params {
                visit(p, mode, out);
            }
        }
        Expr::Var { span, .. } if mode == Mode::References => out.push(span.text().to_owned()),
        Expr::Array { items, .. } | Expr::Set { items, .. } => items.iter().for_each(|i| rec(i)),
        Expr::Object { fields, .. } => {
            for (_, k, v) in fields {
                rec(k);
                rec(v);
            }
        }
        Expr::ArrayCompr { term, query, .. } | Expr::SetCompr { term, query, .. } => {
            rec(term);
            query_exprs(query, &mut rec);
        }
        Expr::ObjectCompr { key, value, query, .. } => {
            rec(key);
            rec(value);
            query_exprs(query, &mut rec);
        }
        Expr::UnaryExpr { expr, .. } => rec(expr),
        Expr::RefDot { refr, .. } => rec(refr),
        Expr::RefBrack { refr, index, .. } => {
            rec(refr);
            rec(index);
        }
        Expr::BinExpr { lhs, rhs, .. }
        | Expr::BoolExpr { lhs, rhs, .. }
        | Expr::ArithExpr { lhs, rhs, .. }
        | Expr::AssignExpr { lhs, rhs, .. } => {
            rec(lhs);
            rec(rhs);
        }
        Expr::Membership { key, value, collection, .. } => {
            if let Some(key) = key {
                rec(key);
            }
            rec(value);
            rec(collection);
        }
        #[allow(unreachable_patterns)]
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::pack::{Pack, PackSource};

    /// `Pack::from_files` skips the walk for the built-in files alone on the
    /// strength of this test.
    #[test]
    fn the_builtin_pack_reaches_no_recursive_function() {
        let mut pack = Pack::load(&PackSource { builtin: true, dirs: Vec::new() }).expect("built-in pack loads");
        assert!(pack.refused.is_empty());
        let refused = super::refused_packages(&mut pack.engine);
        assert!(refused.is_empty(), "{:?}", refused.values().map(|p| p.message.clone()).collect::<Vec<_>>());
    }
}
