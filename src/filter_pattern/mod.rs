//! CloudWatch Logs filter patterns (JSON form), judged by the events they match.
//!
//! CIS 4.1–4.15 ask for a metric filter with a given pattern. Comparing pattern
//! text would fail filters that are written differently but catch the same
//! events, and pass nothing that is merely reformatted. Here a pattern is
//! parsed ([`parse`]) into a boolean expression over event fields, and
//! [`misses`] says exactly which events a required pattern matches that a
//! candidate does not ([`coverage`] explains how that stays finite).
//!
//! How a comparison treats a field's value follows the CloudWatch Logs User
//! Guide (see [`parse`] for the source): a selector must point at a value node
//! (a string or a number); when it points at an object or array, neither `=`
//! nor `!=` matches. We read the same for a field that is absent, `null` or a
//! boolean: `$.x != "Yes"` does not match an event without `x` (use
//! `NOT EXISTS` for that), which is why the guide offers `IS NULL`,
//! `NOT EXISTS` and `IS TRUE`/`IS FALSE` as separate tests. Numeric operators
//! (`<`, `>`, `<=`, `>=`) match numbers only; `=`/`!=` with a numeric literal
//! also compare numbers numerically (`$.errorCode = 400`).

mod coverage;
mod parse;
mod partition;

pub use coverage::{Miss, PAIR_WORK, misses, misses_with_work};
pub use parse::ParseError;

/// A parsed JSON filter pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    pub(crate) expr: Expr,
    ambiguous: bool,
}

impl Pattern {
    /// Parses the pattern text exactly as CloudWatch Logs stores it.
    pub fn parse(text: &str) -> Result<Pattern, ParseError> {
        parse::parse(text)
    }

    /// The pattern mixes `&&` and `||` without parentheses. It still has one
    /// meaning (`&&` binds tighter, as the CloudWatch Logs guide states), but
    /// readers often take it the other way, so it deserves a warning.
    pub fn is_ambiguous(&self) -> bool {
        self.ambiguous
    }

    /// Whether the pattern matches one concrete event (`field` gives the value
    /// at a normalised selector such as `userIdentity.type`).
    pub fn matches(&self, field: &dyn Fn(&str) -> Value) -> bool {
        self.expr.matches(field)
    }
}

/// A boolean expression over event fields, flattened (no `And` directly in
/// an `And`, no `Or` in an `Or`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Atom(Atom),
}

impl Expr {
    fn matches(&self, field: &dyn Fn(&str) -> Value) -> bool {
        match self {
            Expr::And(items) => items.iter().all(|e| e.matches(field)),
            Expr::Or(items) => items.iter().any(|e| e.matches(field)),
            Expr::Atom(atom) => atom.test.matches(&field(&atom.field)),
        }
    }

    /// Every atom, in order of appearance.
    pub(crate) fn atoms(&self) -> Vec<&Atom> {
        let mut out = Vec::new();
        self.collect_atoms(&mut out);
        out
    }

    fn collect_atoms<'a>(&'a self, out: &mut Vec<&'a Atom>) {
        match self {
            Expr::And(items) | Expr::Or(items) => items.iter().for_each(|e| e.collect_atoms(out)),
            Expr::Atom(atom) => out.push(atom),
        }
    }
}

/// One test on one field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Atom {
    /// Normalised selector without `$.`: `userIdentity.type`, `users[0].id`.
    pub(crate) field: String,
    pub(crate) test: Test,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Test {
    Eq(Literal),
    Ne(Literal),
    Num(NumOp, f64),
    IsNull,
    NotExists,
    IsBool(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumOp {
    Lt,
    Le,
    Gt,
    Ge,
}

impl Test {
    pub(crate) fn matches(&self, value: &Value) -> bool {
        match (self, value) {
            (Test::Eq(lit), Value::Str(s)) => lit.glob.matches(s),
            (Test::Eq(lit), Value::Num(n)) => lit.matches_number(*n),
            (Test::Ne(lit), Value::Str(s)) => !lit.glob.matches(s),
            (Test::Ne(lit), Value::Num(n)) => !lit.matches_number(*n),
            (Test::Num(op, c), Value::Num(n)) => match op {
                NumOp::Lt => n < c,
                NumOp::Le => n <= c,
                NumOp::Gt => n > c,
                NumOp::Ge => n >= c,
            },
            (Test::IsNull, Value::Null) => true,
            (Test::NotExists, Value::Absent) => true,
            (Test::IsBool(b), Value::Bool(v)) => b == v,
            _ => false,
        }
    }
}

/// The right-hand side of `=` / `!=`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Literal {
    /// As written, without quotes.
    pub(crate) text: String,
    pub(crate) glob: Glob,
    /// The value as a number, when it is one (and has no wildcard).
    pub(crate) number: Option<f64>,
}

impl Literal {
    /// Quotes do not matter: `"AccessDenied*"` is the same wildcard as `AccessDenied*`.
    pub(crate) fn new(text: String) -> Literal {
        let glob = Glob::of(&text);
        let number = matches!(glob, Glob::Exact(_)).then(|| parse_number(&text)).flatten();
        Literal { text, glob, number }
    }

    fn matches_number(&self, n: f64) -> bool {
        matches!(self.glob, Glob::Any) || self.number == Some(n)
    }
}

/// A documented JSON-pattern number: optional sign, digits, optional
/// decimals, optional exponent (no `inf`/`nan`, which Rust would accept).
fn parse_number(text: &str) -> Option<f64> {
    let digits = text.trim_start_matches(['+', '-']);
    let ok = !digits.is_empty()
        && digits.chars().next().is_some_and(|c| c.is_ascii_digit())
        && digits.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
    if !ok {
        return None;
    }
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// A string value with `*` at its start and/or end (an inner `*` is literal).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Glob {
    Exact(String),
    /// `p*`
    Prefix(String),
    /// `*s`
    Suffix(String),
    /// `*m*`
    Infix(String),
    /// `*`
    Any,
}

impl Glob {
    fn of(text: &str) -> Glob {
        if text.chars().all(|c| c == '*') && !text.is_empty() {
            return Glob::Any;
        }
        match (text.strip_prefix('*'), text.strip_suffix('*')) {
            (Some(_), Some(_)) => Glob::Infix(text[1..text.len() - 1].to_owned()),
            (Some(rest), None) => Glob::Suffix(rest.to_owned()),
            (None, Some(rest)) => Glob::Prefix(rest.to_owned()),
            (None, None) => Glob::Exact(text.to_owned()),
        }
    }

    pub(crate) fn matches(&self, s: &str) -> bool {
        match self {
            Glob::Exact(e) => s == e,
            Glob::Prefix(p) => s.starts_with(p.as_str()),
            Glob::Suffix(x) => s.ends_with(x.as_str()),
            Glob::Infix(m) => s.contains(m.as_str()),
            Glob::Any => true,
        }
    }
}

/// A field's value in one event, as the tests see it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// The selector names nothing in the event.
    Absent,
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    /// An object or array: no comparison applies to it.
    Composite,
}

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
