//! Which events a required pattern matches that a candidate does not.
//!
//! Every field either pattern names gets a finite partition of its values
//! ([`super::partition`]); an event is then a choice of one class per field,
//! and `misses` searches those choices for events where the required pattern
//! is true and the candidate false. The search assigns the required pattern's
//! fields first, in order of appearance, and evaluates both patterns with three-valued logic
//! after each step: it prunes as soon as the required pattern is certainly
//! false or the candidate certainly true, and stops as soon as the candidate is
//! certainly false, so each miss names only the fields that decide it
//! (`eventName=DeleteGroupPolicy`, or `errorCode=AccessDenied,
//! sourceIPAddress=<other>`).

use std::fmt;

use super::partition::{Partition, partition};
use super::{Atom, Expr, Pattern, Value};

/// Search steps allowed per comparison before answering "undecided", for
/// patterns of up to [`BUDGET_ATOMS`] atoms together (every CIS pair). Each step
/// evaluates both patterns, so larger pairs get proportionally fewer steps:
/// the work, not the step count, is what stays bounded (a 1024-character
/// pattern of 100 atoms took seconds per comparison with a fixed step count).
const BUDGET: usize = 500_000;
const BUDGET_ATOMS: usize = 40;

/// A class of events the required pattern matches and the candidate misses.
#[derive(Debug, Clone, PartialEq)]
pub struct Miss {
    /// (field, value class) pairs that pick the events out.
    parts: Vec<(String, String)>,
    /// The comparison was too large to finish; nothing is claimed covered.
    undecided: bool,
    /// One concrete missed event (fields not listed may take any value).
    pub(crate) witness: Vec<(String, Value)>,
}

impl Miss {
    /// The deciding fields and their values, e.g. `[("eventName", "DeleteGroupPolicy")]`.
    pub fn parts(&self) -> &[(String, String)] {
        &self.parts
    }

    /// The comparison ran out of budget: nothing is claimed either way.
    pub fn is_undecided(&self) -> bool {
        self.undecided
    }
}

impl fmt::Display for Miss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.undecided {
            return f.write_str("<patterns too complex to compare: coverage not established>");
        }
        if self.parts.is_empty() {
            return f.write_str("<any event>");
        }
        for (i, (field, value)) in self.parts.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{field}={value}")?;
        }
        Ok(())
    }
}

/// The most work one comparison does (see [`BUDGET`]), in the units of
/// [`misses_with_work`]: steps times the atoms each step evaluates.
pub const PAIR_WORK: u64 = (BUDGET * BUDGET_ATOMS) as u64;

/// The events `required` matches and `candidate` does not; empty when the
/// candidate catches at least everything the required pattern catches.
pub fn misses(candidate: &Pattern, required: &Pattern) -> Vec<Miss> {
    misses_with_work(candidate, required).0
}

/// [`misses`], and the work the comparison did: search steps times the atoms
/// of the two patterns (at least [`BUDGET_ATOMS`]), at most [`PAIR_WORK`]
/// (plus one step): what an audit-wide budget adds up.
pub fn misses_with_work(candidate: &Pattern, required: &Pattern) -> (Vec<Miss>, u64) {
    let atoms = (required.expr.atoms().len() + candidate.expr.atoms().len()).max(BUDGET_ATOMS);
    let mut fields: Vec<&str> = Vec::new();
    for atom in required.expr.atoms().into_iter().chain(candidate.expr.atoms()) {
        if !fields.contains(&atom.field.as_str()) {
            fields.push(&atom.field);
        }
    }
    let all_atoms: Vec<&Atom> = required.expr.atoms().into_iter().chain(candidate.expr.atoms()).collect();
    let partitions: Vec<Partition> =
        fields.iter().map(|f| partition(&all_atoms.iter().filter(|a| a.field == *f).map(|a| &a.test).collect::<Vec<_>>())).collect();
    let mut search = Search {
        required: compile(&required.expr, &fields, &partitions),
        candidate: compile(&candidate.expr, &fields, &partitions),
        sizes: partitions.iter().map(|p| p.reps.len()).collect(),
        assign: vec![None; fields.len()],
        steps: 0,
        budget: BUDGET * BUDGET_ATOMS / atoms,
        found: Vec::new(),
        out_of_budget: false,
    };
    search.walk(0);
    let incomplete = search.out_of_budget || partitions.iter().any(|p| !p.complete);
    let mut out: Vec<Miss> = search
        .found
        .into_iter()
        .map(|(named, full)| Miss {
            parts: named.into_iter().map(|(i, r)| (fields[i].to_owned(), partitions[i].reps[r].label.clone())).collect(),
            undecided: false,
            witness: full.into_iter().map(|(i, r)| (fields[i].to_owned(), partitions[i].reps[r].value.clone())).collect(),
        })
        .collect();
    if incomplete {
        out.push(Miss { parts: Vec::new(), undecided: true, witness: Vec::new() });
    }
    (out, (search.steps as u64).saturating_mul(atoms as u64))
}

/// (field index, class index) pairs.
type Assignment = Vec<(usize, usize)>;

/// An expression whose atoms are truth tables over their field's classes.
enum Compiled {
    And(Vec<Compiled>),
    Or(Vec<Compiled>),
    Atom { field: usize, truth: Vec<bool> },
}

fn compile(expr: &Expr, fields: &[&str], partitions: &[Partition]) -> Compiled {
    match expr {
        Expr::And(items) => Compiled::And(items.iter().map(|e| compile(e, fields, partitions)).collect()),
        Expr::Or(items) => Compiled::Or(items.iter().map(|e| compile(e, fields, partitions)).collect()),
        Expr::Atom(atom) => {
            let field = fields.iter().position(|f| *f == atom.field).expect("every atom's field is listed");
            let truth = partitions[field].reps.iter().map(|r| atom.test.matches(&r.value)).collect();
            Compiled::Atom { field, truth }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tri {
    False,
    True,
    Unknown,
}

impl Tri {
    fn definite(self) -> Option<bool> {
        match self {
            Tri::True => Some(true),
            Tri::False => Some(false),
            Tri::Unknown => None,
        }
    }
}

impl Compiled {
    /// Kleene evaluation under a partial assignment (class index per field).
    fn eval(&self, assign: &[Option<usize>]) -> Tri {
        match self {
            Compiled::Atom { field, truth } => match assign[*field] {
                Some(class) if truth[class] => Tri::True,
                Some(_) => Tri::False,
                None => Tri::Unknown,
            },
            Compiled::And(items) => {
                let mut result = Tri::True;
                for item in items {
                    match item.eval(assign) {
                        Tri::False => return Tri::False,
                        Tri::Unknown => result = Tri::Unknown,
                        Tri::True => {}
                    }
                }
                result
            }
            Compiled::Or(items) => {
                let mut result = Tri::False;
                for item in items {
                    match item.eval(assign) {
                        Tri::True => return Tri::True,
                        Tri::Unknown => result = Tri::Unknown,
                        Tri::False => {}
                    }
                }
                result
            }
        }
    }
}

struct Search {
    required: Compiled,
    candidate: Compiled,
    /// Number of classes per field.
    sizes: Vec<usize>,
    assign: Vec<Option<usize>>,
    steps: usize,
    /// Steps allowed (see [`BUDGET`]).
    budget: usize,
    /// Each miss as (field index, class index) pairs: the naming ones, and
    /// a full witness.
    found: Vec<(Assignment, Assignment)>,
    out_of_budget: bool,
}

impl Search {
    fn spend(&mut self) -> bool {
        self.steps += 1;
        if self.steps > self.budget {
            self.out_of_budget = true;
        }
        !self.out_of_budget
    }

    fn assigned(&self) -> Assignment {
        self.assign.iter().enumerate().filter_map(|(i, a)| a.map(|c| (i, c))).collect()
    }

    /// Fields `depth..` are unassigned.
    fn walk(&mut self, depth: usize) {
        if !self.spend() {
            return;
        }
        let required = self.required.eval(&self.assign);
        let candidate = self.candidate.eval(&self.assign);
        if required == Tri::False || candidate == Tri::True {
            return;
        }
        if candidate == Tri::False {
            // Name the events by what is fixed so far, if the required
            // pattern can still match some of them.
            let named = self.assigned();
            if self.exists(depth, |r, _| r) {
                self.found.push((named, self.assigned()));
            }
            self.clear(depth);
            return;
        }
        if required == Tri::True {
            // The required pattern matches whatever comes next; the fewest
            // further fields that make the candidate fail name the missed events.
            if self.shortest(depth, |_, c| c.map(|c| !c)) {
                let full = self.assigned();
                self.found.push((full.clone(), full));
            }
            self.clear(depth);
            return;
        }
        for class in 0..self.sizes[depth] {
            self.assign[depth] = Some(class);
            self.walk(depth + 1);
        }
        self.assign[depth] = None;
    }

    /// Whether some assignment of fields `depth..` makes `goal` true, where
    /// `goal(required, candidate)` maps a definite value to `Some(bool)`.
    /// On success the assignment is left in place (the caller clears it).
    fn exists(&mut self, depth: usize, goal: impl Fn(Option<bool>, Option<bool>) -> Option<bool> + Copy) -> bool {
        let found = self.exists_from(depth, goal);
        if !found {
            self.clear(depth);
        }
        found
    }

    fn exists_from(&mut self, depth: usize, goal: impl Fn(Option<bool>, Option<bool>) -> Option<bool> + Copy) -> bool {
        if !self.spend() {
            return false;
        }
        match goal(self.required.eval(&self.assign).definite(), self.candidate.eval(&self.assign).definite()) {
            Some(done) => return done,
            None if depth >= self.sizes.len() => return false,
            None => {}
        }
        for class in 0..self.sizes[depth] {
            self.assign[depth] = Some(class);
            if self.exists_from(depth + 1, goal) {
                return true;
            }
        }
        self.assign[depth] = None;
        false
    }

    /// Like [`Self::exists`], but assigns as few of fields `depth..` as
    /// possible (iterative deepening; an unassigned field stays "any value").
    fn shortest(&mut self, depth: usize, goal: impl Fn(Option<bool>, Option<bool>) -> Option<bool> + Copy) -> bool {
        for limit in 0..=self.sizes.len().saturating_sub(depth) {
            if self.limited(depth, limit, goal) {
                return true;
            }
            if self.out_of_budget {
                break;
            }
        }
        self.clear(depth);
        false
    }

    fn limited(&mut self, from: usize, limit: usize, goal: impl Fn(Option<bool>, Option<bool>) -> Option<bool> + Copy) -> bool {
        if !self.spend() {
            return false;
        }
        if let Some(done) = goal(self.required.eval(&self.assign).definite(), self.candidate.eval(&self.assign).definite()) {
            return done;
        }
        if limit == 0 {
            return false;
        }
        for field in from..self.sizes.len() {
            for class in 0..self.sizes[field] {
                self.assign[field] = Some(class);
                if self.limited(field + 1, limit - 1, goal) {
                    return true;
                }
            }
            self.assign[field] = None;
        }
        false
    }

    fn clear(&mut self, depth: usize) {
        for a in &mut self.assign[depth..] {
            *a = None;
        }
    }
}
