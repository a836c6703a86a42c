//! A finite partition of one field's possible values.
//!
//! Two values that every test on the field (from both patterns being compared)
//! answers alike are interchangeable, so checking one representative per class
//! decides the question for all values. The classes are: the field absent;
//! `null`, booleans and objects when some test can tell them apart; each
//! constant string; each combination of wildcards a string can match at once;
//! "some other string"; and numbers around each numeric constant.
//!
//! Wildcard combinations are exact because a wildcard is only a prefix
//! (`p*`), suffix (`*s`) or infix (`*m*`): a set of them is matched together by
//! `P…M1…M2…S` (longest prefix, infixes, longest suffix, glued by a character
//! no literal contains) whenever anything matches them together, and that
//! string matches no other wildcard except those every such string must match.

use std::collections::BTreeSet;

use super::{Glob, Test, Value};

/// Above this many wildcard classes on one field the partition is cut short
/// and the comparison reported as undecided rather than guessed.
const MAX_GLOB_CLASSES: usize = 4096;

/// Wildcard tests (one construction, of every wildcard, per candidate set)
/// allowed per field: what 4096 classes of 40 wildcards can cost, so that
/// hostile patterns with a hundred wildcards are cut short in bounded time too.
const MAX_GLOB_WORK: usize = (MAX_GLOB_CLASSES + 1) * 40 * 40;

/// One class of values, with a readable name for reports.
#[derive(Debug, Clone)]
pub(crate) struct Rep {
    pub(crate) value: Value,
    pub(crate) label: String,
}

/// The classes of one field, and whether the list is complete.
pub(crate) struct Partition {
    pub(crate) reps: Vec<Rep>,
    pub(crate) complete: bool,
}

/// Label of the "any string no test names" class.
pub(crate) const OTHER: &str = "<other>";

pub(crate) fn partition(tests: &[&Test]) -> Partition {
    let mut reps = Vec::new();
    let mut exact: Vec<String> = Vec::new();
    let mut globs: Vec<Glob> = Vec::new();
    let mut numbers: Vec<f64> = Vec::new();
    let (mut null, mut bools, mut not_exists) = (false, false, false);
    for test in tests {
        match test {
            Test::Eq(lit) | Test::Ne(lit) => {
                match &lit.glob {
                    Glob::Exact(s) => push_unique(&mut exact, s.clone()),
                    Glob::Any => {}
                    g => push_unique(&mut globs, g.clone()),
                }
                numbers.extend(lit.number);
            }
            Test::Num(_, n) => numbers.push(*n),
            Test::IsNull => null = true,
            Test::IsBool(_) => bools = true,
            Test::NotExists => not_exists = true,
        }
    }
    // A character no literal contains: it glues wildcard parts together and
    // stands alone for "some other string". The literals hold finitely many
    // characters, so the search always ends.
    let sep = ['…', '¦']
        .into_iter()
        .chain(('\u{1}'..).filter(|c| !c.is_whitespace()))
        .find(|c| !exact.iter().any(|s| s.contains(*c)) && !globs.iter().any(|g| glob_text(g).contains(*c)))
        .unwrap_or('\u{fffd}');

    for s in &exact {
        reps.push(Rep { value: Value::Str(s.clone()), label: s.clone() });
    }
    let (glob_reps, complete) = glob_classes(&globs, &exact, sep);
    reps.extend(glob_reps);
    reps.push(Rep { value: Value::Str(sep.to_string()), label: OTHER.to_owned() });

    if !numbers.is_empty() {
        numbers.sort_by(f64::total_cmp);
        numbers.dedup();
        // One number below all constants, each constant, one between each
        // two, one above all. `n - 1.0` equals `n` for large `n` (1e300), and
        // `n + (next - n) / 2` overflows when they are far apart, so those
        // fall back on the adjacent float and on halving first.
        let below = |n: f64| if n - 1.0 < n { n - 1.0 } else { n.next_down() };
        let above = |n: f64| if n + 1.0 > n { n + 1.0 } else { n.next_up() };
        let between = |a: f64, b: f64| {
            let mid = a + (b - a) / 2.0;
            if mid.is_finite() { mid } else { a / 2.0 + b / 2.0 }
        };
        let mut points = vec![below(numbers[0])];
        for (i, n) in numbers.iter().enumerate() {
            points.push(*n);
            points.push(numbers.get(i + 1).map_or(above(*n), |next| between(*n, *next)));
        }
        // Past the largest finite number there is no number an event can carry.
        points.retain(|n| n.is_finite());
        reps.extend(points.into_iter().map(|n| Rep { value: Value::Num(n), label: format!("{n} (number)") }));
    }
    if null {
        reps.push(Rep { value: Value::Null, label: "null".into() });
    }
    if bools {
        reps.push(Rep { value: Value::Bool(true), label: "true".into() });
        reps.push(Rep { value: Value::Bool(false), label: "false".into() });
    }
    // An object (or, without the tests above, null or a boolean) fails every
    // comparison; the absent field differs from it only under NOT EXISTS.
    if not_exists {
        reps.push(Rep { value: Value::Composite, label: "<object>".into() });
    }
    reps.push(Rep { value: Value::Absent, label: "<absent>".into() });
    Partition { reps, complete }
}

fn push_unique<T: PartialEq>(v: &mut Vec<T>, item: T) {
    if !v.contains(&item) {
        v.push(item);
    }
}

fn glob_text(g: &Glob) -> &str {
    match g {
        Glob::Exact(s) | Glob::Prefix(s) | Glob::Suffix(s) | Glob::Infix(s) => s,
        Glob::Any => "",
    }
}

/// One representative per realisable set of matched wildcards (the empty set
/// is the "other" class, added by the caller).
fn glob_classes(globs: &[Glob], exact: &[String], sep: char) -> (Vec<Rep>, bool) {
    let mut seen: BTreeSet<Vec<bool>> = BTreeSet::new();
    let mut out = Vec::new();
    let mut queue: Vec<Vec<bool>> = Vec::new();
    for i in 0..globs.len() {
        let mut want = vec![false; globs.len()];
        want[i] = true;
        queue.push(want);
    }
    let mut work = 0usize;
    while let Some(want) = queue.pop() {
        work += globs.len();
        if seen.len() >= MAX_GLOB_CLASSES || work > MAX_GLOB_WORK {
            return (out, false);
        }
        let Some((rep, class)) = construct(globs, &want, exact, sep) else { continue };
        if !seen.insert(class.clone()) {
            continue;
        }
        out.push(rep);
        for j in 0..globs.len() {
            if !class[j] {
                let mut next = class.clone();
                next[j] = true;
                if !seen.contains(&next) {
                    queue.push(next);
                }
            }
        }
    }
    (out, true)
}

/// The least string matching every wanted wildcard, and the set it matches;
/// `None` when no string matches them all (two prefixes that disagree).
fn construct(globs: &[Glob], want: &[bool], exact: &[String], sep: char) -> Option<(Rep, Vec<bool>)> {
    let (mut prefix, mut suffix, mut infixes) = (String::new(), String::new(), Vec::new());
    for (g, _) in globs.iter().zip(want).filter(|(_, w)| **w) {
        match g {
            Glob::Prefix(p) => prefix = longer_chain(&prefix, p, |a, b| a.starts_with(b))?,
            Glob::Suffix(s) => suffix = longer_chain(&suffix, s, |a, b| a.ends_with(b))?,
            Glob::Infix(m) if !infixes.contains(m) => infixes.push(m.clone()),
            _ => {}
        }
    }
    let mut spaced = prefix.clone();
    spaced.push(sep);
    for m in &infixes {
        spaced.push_str(m);
        spaced.push(sep);
    }
    spaced.push_str(&suffix);
    let class: Vec<bool> = globs.iter().map(|g| g.matches(&spaced)).collect();
    let compact = format!("{prefix}{}{suffix}", infixes.concat());
    let compact_class: Vec<bool> = globs.iter().map(|g| g.matches(&compact)).collect();
    let rep = if compact_class == class && !exact.contains(&compact) {
        Rep { label: compact.clone(), value: Value::Str(compact) }
    } else {
        Rep { label: spaced.replace(sep, "…"), value: Value::Str(spaced) }
    };
    Some((rep, class))
}

/// Of two prefixes (or suffixes), the longer, if one extends the other.
fn longer_chain(a: &str, b: &str, extends: impl Fn(&str, &str) -> bool) -> Option<String> {
    if extends(a, b) {
        Some(a.to_owned())
    } else if extends(b, a) {
        Some(b.to_owned())
    } else {
        None
    }
}
