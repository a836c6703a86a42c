//! Property tests of the filter-pattern parser and of [`misses`].
//!
//! * The parser never panics: on arbitrary text, and on valid patterns with
//!   random edits; what it accepts covers itself.
//! * Differential: patterns are generated from the grammar of `parse.rs`
//!   (`&&`, `||`, parentheses, `=`/`!=` with quoted or bare strings, leading and
//!   trailing `*`, numbers with `<`/`<=`/`>`/`>=`, `IS NULL|TRUE|FALSE`,
//!   `NOT EXISTS`, selectors with `.name` and `[N]`), rendered to text with
//!   random spacing, parentheses and keyword case, and judged twice: by the
//!   library (`parse` + `misses`) and by the brute-force matcher below, which
//!   evaluates the generated tree itself (its own reading of the documented
//!   semantics, its own glob and number matching) over every combination of
//!   candidate field values it can think of. The two must agree on every
//!   atom's verdict for every value, on "covered" (no event the brute force
//!   finds), and every miss the library reports must be a real one: the
//!   required pattern matches its witness and the candidate does not, whatever
//!   the fields the witness leaves open hold.
//!
//! Case counts: `PROPTEST_CASES` (default below); failures are saved in
//! `proptest-regressions/filter_pattern/proptests.txt` and replayed first.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use proptest::prelude::*;
use proptest::test_runner::Config;

use super::{Pattern, Value, misses};

#[path = "../../tests/support/mutation.rs"]
mod mutation;

/// Fields the generator uses: (selector as written, normalised name).
const FIELDS: [(&str, &str); 3] = [("$.eventName", "eventName"), ("$.user.type", "user.type"), ("$.items[0][1]", "items[0][1]")];

/// Strings literals are made of: overlaps (`ab`/`ba`), a shared letter, text
/// that needs quoting, and the characters the partition glues classes with.
const WORDS: &[&str] = &["a", "b", "ab", "ba", "aab", "x y", "&&", "a\"b", "a\\b", "a*b", "", "é", "…", "¦b", "\u{1}"];
/// Number literals, as written: signs, decimals, exponents, magnitudes where
/// `n - 1 == n`, and both ends of the float range.
const NUMBERS: &[&str] =
    &["0", "1", "-1", "2.5", "+3", "1e1", "-0.5", "1e300", "-1e300", "1e301", "1.7976931348623157e308", "-1.7976931348623157e308"];

// ---------------------------------------------------------------- the tree

#[derive(Debug, Clone)]
enum Lit {
    /// A string literal: text as the pattern means it (stars included) and
    /// whether to write it quoted.
    Text { text: String, quoted: bool },
    /// A number literal as written.
    Number(&'static str),
}

impl Lit {
    fn text(&self) -> &str {
        match self {
            Lit::Text { text, .. } => text,
            Lit::Number(n) => n,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone)]
enum Op {
    Eq(Lit),
    Ne(Lit),
    Num(Cmp, &'static str),
    IsNull,
    IsBool(bool),
    NotExists,
}

#[derive(Debug, Clone)]
struct GenAtom {
    field: usize,
    op: Op,
    /// Keyword spelling: upper, lower or mixed case.
    case: u8,
}

#[derive(Debug, Clone)]
enum Tree {
    Atom(GenAtom, bool),
    And(Vec<Tree>, bool),
    Or(Vec<Tree>, bool),
}

// ------------------------------------------------------- brute-force side

/// A field's value in an event, as the brute force models it.
#[derive(Debug, Clone, PartialEq)]
enum V {
    Absent,
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Object,
}

/// The documented number syntax: optional sign, digits, optional decimals,
/// optional exponent; finite.
fn number_of(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > start
    };
    if !digits(&mut i) {
        return None;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return None;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// `*` at the very start and/or end is a wildcard, anywhere else a letter; a
/// text of stars only matches everything. Written as a search over where the
/// fixed part may sit, not by cases.
fn glob(pattern: &str, s: &str) -> bool {
    if !pattern.is_empty() && pattern.chars().all(|c| c == '*') {
        return true;
    }
    let open_start = pattern.starts_with('*');
    let body = if open_start { &pattern[1..] } else { pattern };
    let open_end = body.ends_with('*') && !(body.is_empty());
    let body = if open_end { &body[..body.len() - 1] } else { body };
    (0..=s.len())
        .filter(|&at| s.is_char_boundary(at))
        .any(|at| s[at..].starts_with(body) && (open_start || at == 0) && (open_end || at + body.len() == s.len()))
}

fn eval_atom(atom: &GenAtom, v: &V) -> bool {
    let has_star = |l: &Lit| l.text().starts_with('*') || l.text().ends_with('*');
    let equals = |l: &Lit, v: &V| match v {
        V::Str(s) => Some(glob(l.text(), s)),
        V::Num(n) => {
            let all_stars = !l.text().is_empty() && l.text().chars().all(|c| c == '*');
            Some(all_stars || (!has_star(l) && number_of(l.text()) == Some(*n)))
        }
        _ => None,
    };
    match (&atom.op, v) {
        (Op::Eq(l), v) => equals(l, v) == Some(true),
        (Op::Ne(l), v) => equals(l, v) == Some(false),
        (Op::Num(cmp, text), V::Num(n)) => {
            let c = number_of(text).expect("the generator writes numbers");
            match cmp {
                Cmp::Lt => *n < c,
                Cmp::Le => *n <= c,
                Cmp::Gt => *n > c,
                Cmp::Ge => *n >= c,
            }
        }
        (Op::IsNull, V::Null) => true,
        (Op::IsBool(b), V::Bool(x)) => b == x,
        (Op::NotExists, V::Absent) => true,
        _ => false,
    }
}

fn eval(tree: &Tree, event: &[V]) -> bool {
    match tree {
        Tree::Atom(a, _) => eval_atom(a, &event[a.field]),
        Tree::And(items, _) => items.iter().all(|t| eval(t, event)),
        Tree::Or(items, _) => items.iter().any(|t| eval(t, event)),
    }
}

fn atoms<'a>(tree: &'a Tree, out: &mut Vec<&'a GenAtom>) {
    match tree {
        Tree::Atom(a, _) => out.push(a),
        Tree::And(items, _) | Tree::Or(items, _) => items.iter().for_each(|t| atoms(t, out)),
    }
}

/// Every value the brute force tries for field `f`: the special values,
/// numbers at, around and between every constant, and strings built from the
/// literals (as written, without their stars, glued in pairs and triples with
/// and without a letter no literal uses), plus every short string over `a`, `b`, `*`.
fn candidates(f: usize, atoms: &[&GenAtom]) -> Vec<V> {
    let mut out = vec![V::Absent, V::Null, V::Bool(true), V::Bool(false), V::Object];
    let mut numbers = vec![0.0, 1.0, -1.0, 0.5, f64::MAX, -f64::MAX];
    let mut pieces: Vec<String> = vec![String::new(), "z".into()];
    for atom in atoms.iter().filter(|a| a.field == f) {
        let text = match &atom.op {
            Op::Eq(l) | Op::Ne(l) => l.text(),
            Op::Num(_, n) => n,
            _ => continue,
        };
        if let Some(n) = number_of(text) {
            numbers.extend([n, n - 1.0, n + 1.0, n - 0.5, n + 0.5, n.next_up(), n.next_down(), n / 2.0, -n]);
        }
        let core = text.strip_prefix('*').unwrap_or(text);
        let core = core.strip_suffix('*').unwrap_or(core);
        for p in [text, core] {
            if !pieces.iter().any(|q| q == p) {
                pieces.push(p.to_owned());
            }
        }
    }
    let sorted = {
        let mut s: Vec<f64> = numbers.iter().copied().filter(|n| n.is_finite()).collect();
        s.sort_by(f64::total_cmp);
        s
    };
    for w in sorted.windows(2) {
        numbers.push(w[0] / 2.0 + w[1] / 2.0);
    }
    out.extend(numbers.into_iter().filter(|n| n.is_finite()).map(V::Num));
    let mut strings: Vec<String> = Vec::new();
    for a in &pieces {
        for b in &pieces {
            strings.push(format!("{a}{b}"));
            for c in &pieces {
                strings.push(format!("{a}{b}{c}"));
                strings.push(format!("{a}z{b}z{c}"));
            }
        }
    }
    let alphabet = ["a", "b", "*"];
    let mut short = vec![String::new()];
    for _ in 0..3 {
        let longer: Vec<String> = short.iter().flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}"))).collect();
        strings.extend(longer.iter().cloned());
        short = longer;
    }
    strings.sort();
    strings.dedup();
    out.extend(strings.into_iter().map(V::Str));
    out
}

/// Keeps one value per distinct verdict vector of the field's atoms: values
/// every atom answers alike are interchangeable for the brute force.
fn distinct(values: Vec<V>, f: usize, atoms: &[&GenAtom]) -> Vec<V> {
    let mut seen: BTreeMap<Vec<bool>, V> = BTreeMap::new();
    for v in values {
        let key: Vec<bool> = atoms.iter().filter(|a| a.field == f).map(|a| eval_atom(a, &v)).collect();
        seen.entry(key).or_insert(v);
    }
    seen.into_values().collect()
}

fn to_library(v: &V) -> Value {
    match v {
        V::Absent => Value::Absent,
        V::Null => Value::Null,
        V::Bool(b) => Value::Bool(*b),
        V::Num(n) => Value::Num(*n),
        V::Str(s) => Value::Str(s.clone()),
        V::Object => Value::Composite,
    }
}

fn from_library(v: &Value) -> V {
    match v {
        Value::Absent => V::Absent,
        Value::Null => V::Null,
        Value::Bool(b) => V::Bool(*b),
        Value::Num(n) => V::Num(*n),
        Value::Str(s) => V::Str(s.clone()),
        Value::Composite => V::Object,
    }
}

/// Every combination of one value per field.
fn events(domains: &[Vec<V>]) -> Vec<Vec<V>> {
    domains.iter().fold(vec![Vec::new()], |acc, domain| {
        acc.iter().flat_map(|prefix| domain.iter().map(move |v| [prefix.clone(), vec![v.clone()]].concat())).collect()
    })
}

// -------------------------------------------------------------- rendering

fn keyword(word: &str, case: u8) -> String {
    match case % 3 {
        0 => word.to_owned(),
        1 => word.to_lowercase(),
        _ => word.chars().enumerate().map(|(i, c)| if i % 2 == 0 { c } else { c.to_ascii_lowercase() }).collect(),
    }
}

fn render_lit(l: &Lit) -> String {
    match l {
        Lit::Number(n) => (*n).to_owned(),
        Lit::Text { text, quoted } => {
            let bare = !text.is_empty() && text.chars().all(|c| c.is_alphanumeric() || "*.-_".contains(c));
            if *quoted || !bare { format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\"")) } else { text.clone() }
        }
    }
}

fn render(tree: &Tree, sp: &str, out: &mut String) {
    let (items, joiner, paren) = match tree {
        Tree::Atom(a, paren) => {
            if *paren {
                write!(out, "({sp}").unwrap();
            }
            let field = FIELDS[a.field].0;
            match &a.op {
                Op::Eq(l) => write!(out, "{field}{sp}={sp}{}", render_lit(l)),
                Op::Ne(l) => write!(out, "{field}{sp}!={sp}{}", render_lit(l)),
                Op::Num(c, n) => {
                    let op = match c {
                        Cmp::Lt => "<",
                        Cmp::Le => "<=",
                        Cmp::Gt => ">",
                        Cmp::Ge => ">=",
                    };
                    write!(out, "{field}{sp}{op}{sp}{n}")
                }
                Op::IsNull => write!(out, "{field} {} {}", keyword("IS", a.case), keyword("NULL", a.case)),
                Op::IsBool(b) => write!(out, "{field} {} {}", keyword("IS", a.case), keyword(if *b { "TRUE" } else { "FALSE" }, a.case)),
                Op::NotExists => write!(out, "{field} {} {}", keyword("NOT", a.case), keyword("EXISTS", a.case)),
            }
            .unwrap();
            if *paren {
                write!(out, "{sp})").unwrap();
            }
            return;
        }
        Tree::And(items, paren) => (items, "&&", *paren),
        Tree::Or(items, paren) => (items, "||", *paren),
    };
    if paren {
        write!(out, "({sp}").unwrap();
    }
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            write!(out, "{sp}{joiner}{sp}").unwrap();
        }
        // `&&` binds tighter than `||`: an `||` inside `&&` needs its parentheses.
        let forced = joiner == "&&" && matches!(item, Tree::Or(_, false));
        if forced {
            out.push('(');
        }
        render(item, sp, out);
        if forced {
            out.push(')');
        }
    }
    if paren {
        write!(out, "{sp})").unwrap();
    }
}

fn text_of(tree: &Tree, spaced: bool) -> String {
    let sp = if spaced { " " } else { "" };
    let mut out = format!("{{{sp}");
    render(tree, sp, &mut out);
    write!(out, "{sp}}}").unwrap();
    out
}

// ------------------------------------------------------------- strategies

fn lit() -> impl Strategy<Value = Lit> {
    prop_oneof![
        3 => (proptest::sample::select(WORDS), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(w, lead, trail, quoted)| {
            let text = format!("{}{w}{}", if lead { "*" } else { "" }, if trail { "*" } else { "" });
            Lit::Text { text, quoted }
        }),
        1 => Just(Lit::Text { text: "*".into(), quoted: false }),
        1 => proptest::sample::select(NUMBERS).prop_map(Lit::Number),
        1 => proptest::sample::select(NUMBERS).prop_map(|n| Lit::Text { text: n.to_owned(), quoted: true }),
    ]
}

fn atom() -> impl Strategy<Value = GenAtom> {
    let cmp = prop_oneof![Just(Cmp::Lt), Just(Cmp::Le), Just(Cmp::Gt), Just(Cmp::Ge)];
    let op = prop_oneof![
        4 => lit().prop_map(Op::Eq),
        3 => lit().prop_map(Op::Ne),
        2 => (cmp, proptest::sample::select(NUMBERS)).prop_map(|(c, n)| Op::Num(c, n)),
        1 => Just(Op::IsNull),
        1 => any::<bool>().prop_map(Op::IsBool),
        1 => Just(Op::NotExists),
    ];
    (0..FIELDS.len(), op, any::<u8>()).prop_map(|(field, op, case)| GenAtom { field, op, case })
}

fn tree() -> impl Strategy<Value = Tree> {
    let leaf = (atom(), proptest::bool::weighted(0.3)).prop_map(|(a, p)| Tree::Atom(a, p));
    leaf.prop_recursive(3, 6, 3, |inner| {
        prop_oneof![
            (proptest::collection::vec(inner.clone(), 2..=3), proptest::bool::weighted(0.3)).prop_map(|(v, p)| Tree::And(v, p)),
            (proptest::collection::vec(inner, 2..=3), proptest::bool::weighted(0.3)).prop_map(|(v, p)| Tree::Or(v, p)),
        ]
    })
}

fn count(tree: &Tree) -> usize {
    let mut v = Vec::new();
    atoms(tree, &mut v);
    v.len()
}

/// Replaces the `n`-th atom (in order of appearance) with `with`.
fn replace(tree: &Tree, n: &mut usize, with: &GenAtom) -> Tree {
    match tree {
        Tree::Atom(a, p) => {
            let out = if *n == 0 { Tree::Atom(with.clone(), *p) } else { Tree::Atom(a.clone(), *p) };
            *n = n.wrapping_sub(1);
            out
        }
        Tree::And(items, p) => Tree::And(items.iter().map(|t| replace(t, n, with)).collect(), *p),
        Tree::Or(items, p) => Tree::Or(items.iter().map(|t| replace(t, n, with)).collect(), *p),
    }
}

/// A candidate close to `required`: itself, one atom changed, widened by an
/// `||`, narrowed by an `&&`; or unrelated.
fn pair() -> impl Strategy<Value = (Tree, Tree)> {
    tree().prop_flat_map(|required| {
        let r = required.clone();
        let near = (0..5u8, any::<usize>(), atom(), tree()).prop_map(move |(kind, i, a, other)| match kind {
            0 => r.clone(),
            1 => replace(&r, &mut (i % count(&r)), &a),
            2 => Tree::Or(vec![r.clone(), Tree::Atom(a, false)], false),
            3 => Tree::And(vec![r.clone(), Tree::Atom(a, false)], true),
            _ => other,
        });
        (Just(required), near)
    })
}

/// Arbitrary text, biased towards the pattern alphabet.
fn noise() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[{}()$.\\[\\]0-9a-z=!<>&|\"\\\\* \t\n-]{0,60}", "\\{[ ($.a-z0-9=!<>&|\"*)]{0,60}\\}",]
}

/// A valid pattern with a few random edits (delete, insert, duplicate, truncate).
fn mutated() -> impl Strategy<Value = String> {
    let edit = (
        0..4u8,
        any::<usize>(),
        any::<usize>(),
        proptest::sample::select(&['{', '}', '(', ')', '"', '\\', '$', '.', '[', ']', '=', '!', '<', '&', '|', '*', ' ', 'é', '\u{0}'][..]),
    );
    (tree(), any::<bool>(), proptest::collection::vec(edit, 1..4))
        .prop_map(|(t, spaced, edits)| mutation::apply(&text_of(&t, spaced), &edits, usize::MAX))
}

fn config() -> Config {
    // 256 cases unless PROPTEST_CASES says otherwise (about 2 s per property in a debug build).
    Config { cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256), ..Config::default() }
}

/// Whatever the text, parsing returns, and an error points inside it (or just past its end).
fn parse_is_total(text: &str) -> Result<(), TestCaseError> {
    match Pattern::parse(text) {
        Ok(p) => {
            let own = misses(&p, &p);
            prop_assert!(own.iter().all(|m| m.is_undecided()), "{text:?} does not cover itself: {own:?}");
        }
        Err(e) => {
            let len = text.chars().count();
            prop_assert!(e.position >= 1 && e.position <= len.min(super::parse::MAX_CHARS) + 1, "{text:?}: {e}");
            prop_assert!(!e.expected.is_empty() && !e.found.is_empty(), "{text:?}: {e}");
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn parse_never_panics_on_arbitrary_text(text in noise()) {
        parse_is_total(&text)?;
    }

    #[test]
    fn parse_never_panics_on_mutated_patterns(text in mutated()) {
        parse_is_total(&text)?;
    }

    #[test]
    fn generated_patterns_parse_to_what_was_generated((tree, spaced) in (tree(), any::<bool>())) {
        let text = text_of(&tree, spaced);
        let parsed = Pattern::parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        let mut mine = Vec::new();
        atoms(&tree, &mut mine);
        let theirs = parsed.expr.atoms();
        prop_assert_eq!(theirs.len(), mine.len(), "{}", text);
        for (a, t) in mine.iter().zip(&theirs) {
            prop_assert_eq!(&t.field, FIELDS[a.field].1, "{}", text);
            for v in candidates(a.field, &[a]) {
                prop_assert_eq!(t.test.matches(&to_library(&v)), eval_atom(a, &v), "{} on {:?} in {}", FIELDS[a.field].1, v, text);
            }
        }
    }

    #[test]
    fn misses_agree_with_brute_force(((required, candidate), spaced) in (pair(), any::<bool>())) {
        let (rt, ct) = (text_of(&required, spaced), text_of(&candidate, !spaced));
        let r = Pattern::parse(&rt).map_err(|e| TestCaseError::fail(format!("{rt}: {e}")))?;
        let c = Pattern::parse(&ct).map_err(|e| TestCaseError::fail(format!("{ct}: {e}")))?;
        let mut all = Vec::new();
        atoms(&required, &mut all);
        atoms(&candidate, &mut all);
        let domains: Vec<Vec<V>> = (0..FIELDS.len()).map(|f| {
            if all.iter().any(|a| a.field == f) { distinct(candidates(f, &all), f, &all) } else { vec![V::Absent] }
        }).collect();
        let every_event = events(&domains);
        // The library's matcher agrees with the brute force on every event.
        for e in &every_event {
            let lookup = |name: &str| FIELDS.iter().position(|(_, n)| *n == name).map_or(Value::Absent, |i| to_library(&e[i]));
            prop_assert_eq!(r.matches(&lookup), eval(&required, e), "{} on {:?}", rt, e);
            prop_assert_eq!(c.matches(&lookup), eval(&candidate, e), "{} on {:?}", ct, e);
        }
        let counterexample = every_event.iter().find(|e| eval(&required, e) && !eval(&candidate, e));
        let reported = misses(&c, &r);
        prop_assert!(reported.iter().all(|m| !m.is_undecided()), "small patterns are decided: {} vs {}", ct, rt);
        if let Some(e) = counterexample {
            prop_assert!(!reported.is_empty(), "{} misses {:?} of {} but is called covering", ct, e, rt);
        }
        for miss in &reported {
            // Fields the witness leaves open may hold anything: try every value.
            let fixed: Vec<Option<V>> = FIELDS.iter().map(|(_, n)| miss.witness.iter().find(|(f, _)| f == n).map(|(_, v)| from_library(v))).collect();
            let open: Vec<Vec<V>> = fixed.iter().zip(&domains).map(|(f, d)| f.clone().map_or(d.clone(), |v| vec![v])).collect();
            for e in events(&open) {
                prop_assert!(eval(&required, &e) && !eval(&candidate, &e), "{} vs {}: reported miss {} is not one: {:?}", ct, rt, miss, e);
            }
        }
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let text = format!("{{{}$.a = 1{}}}", "(".repeat(100_000), ")".repeat(100_000));
    // Refused for length before any recursion, at the first character past the limit.
    let e = Pattern::parse(&text).unwrap_err();
    assert_eq!(e.position, super::parse::MAX_CHARS + 1, "{e}");
    assert!(e.to_string().contains("1024 characters"), "{e}");
    // Within the length limit, nesting is bounded too.
    let depth = 300;
    let text = format!("{{{}$.a = 1{}}}", "(".repeat(depth), ")".repeat(depth));
    let e = Pattern::parse(&text).unwrap_err();
    assert_eq!(e.position, 2 + super::parse::MAX_NESTING, "{e}");
    assert!(e.expected.contains("nested parentheses"), "{e}");
    let ok = format!("{{{}$.a = 1{}}}", "(".repeat(super::parse::MAX_NESTING), ")".repeat(super::parse::MAX_NESTING));
    assert!(Pattern::parse(&ok).is_ok());
}

#[test]
fn far_apart_and_huge_numbers_keep_every_class() {
    // `1e300 - 1 == 1e300`: the class below the constant was lost, so a
    // pattern that only catches huge numbers was said to cover `< 1e300`.
    let missed = |c: &str, r: &str| misses(&Pattern::parse(c).unwrap(), &Pattern::parse(r).unwrap());
    assert!(!missed("{ $.n > 1e301 }", "{ $.n < 1e300 }").is_empty());
    assert!(!missed("{ $.n >= 1e301 }", "{ $.n > 1e300 }").is_empty());
    // Between -MAX and MAX the midpoint overflowed to -inf.
    assert!(!missed("{ $.n <= -1.7976931348623157e308 || $.n >= 1.7976931348623157e308 }", "{ $.n > -1.7976931348623157e308 }").is_empty());
    assert!(missed("{ $.n > -1e300 }", "{ $.n > -1e300 }").is_empty());
}

#[test]
fn the_other_string_class_survives_literals_holding_every_separator() {
    // When the literals held every character once tried as a separator, the
    // last one (U+0003) was used anyway, so "some other string" contained it,
    // matched `*\u{3}*`, and the strings without it (here `z`) had no class:
    // the candidate was called covering although it misses them.
    let candidate = Pattern::parse("{ $.a = \"…¦\u{1}\u{2}\" }").unwrap();
    let required = Pattern::parse("{ $.a != \"*\u{3}*\" }").unwrap();
    let found = misses(&candidate, &required);
    assert!(!found.is_empty(), "strings without U+0003 are missed");
    let z = |f: &str| if f == "a" { Value::Str("z".into()) } else { Value::Absent };
    assert!(required.matches(&z) && !candidate.matches(&z));
}

/// The largest patterns CloudWatch stores, built to be costly (a hundred
/// wildcards on one field; eighty-six fields in alternating `&&`/`||`), are
/// compared within the work budget: the answer is "undecided" rather than a
/// claim, and it comes in about a second in a debug build (the limit below
/// leaves room for a loaded machine; an unbounded search takes minutes).
#[test]
fn the_costliest_patterns_within_the_limits_are_judged_in_bounded_time() {
    let build = |term: &dyn Fn(usize) -> String, joiner: &dyn Fn(usize) -> &'static str| {
        let mut text = String::from("{");
        let mut i = 0;
        while text.len() < super::parse::MAX_CHARS - 25 {
            if i > 0 {
                text.push_str(joiner(i));
            }
            text.push_str(&term(i));
            i += 1;
        }
        text.push('}');
        text
    };
    let globs = build(&|i| format!("$.a=*{i:x}*"), &|_| "||");
    let fields = build(&|i| format!("$.f{i}!=x{i}"), &|i| if i % 2 == 0 { "||" } else { "&&" });
    let cis = Pattern::parse("{ ($.eventName = ConsoleLogin) && ($.additionalEventData.MFAUsed != Yes) }").unwrap();
    for text in [globs, fields] {
        let p = Pattern::parse(&text).unwrap();
        let started = std::time::Instant::now();
        let own = misses(&p, &p);
        assert!(own.iter().all(|m| m.is_undecided()) && !own.is_empty(), "too large to decide, and said so");
        assert!(!misses(&cis, &p).is_empty());
        assert!(!misses(&p, &cis).is_empty());
        let took = started.elapsed();
        assert!(took < std::time::Duration::from_secs(30), "{} characters took {took:?}", text.len());
    }
}
