//! Structural comparison of event selectors.
//!
//! Basic and advanced selectors are both reduced to [`Clause`]s: "reads (or
//! writes) of this category, on this ARN prefix (or everything), unless these
//! conditions". A clause of the old snapshot that no clause of the new one
//! implies is coverage that went away; the reverse is coverage that was added.
//! This is deliberately conservative: rewriting selectors into an equivalent
//! but differently shaped set may show as a change, never the other way round,
//! and the report says exactly which clause is gone.

use std::collections::BTreeSet;
use std::fmt;

use super::{At, Sink};
use crate::finding::Severity;
use crate::snapshot::{AdvancedEventSelector, EventSelector, EventSelectors, FieldSelector};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Category {
    Management,
    S3Data,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Access {
    Read,
    Write,
}

/// One unit of coverage.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Clause {
    pub category: Category,
    pub access: Access,
    /// ARN prefix the events must start with; `None` = every resource.
    pub prefix: Option<String>,
    /// Further conditions that drop events (`eventSource NotEquals kms.amazonaws.com`, ...).
    pub conditions: BTreeSet<String>,
}

impl Clause {
    /// Whether every event `other` captures, `self` captures too.
    fn implies(&self, other: &Clause) -> bool {
        self.category == other.category
            && self.access == other.access
            && self.conditions.iter().all(|c| other.conditions.contains(c) || other.outside_of(c))
            && match (&self.prefix, &other.prefix) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some(mine), Some(theirs)) => theirs.starts_with(mine.as_str()),
            }
    }

    /// Whether condition `c` of another clause can never drop one of this
    /// clause's events: an ARN exclusion disjoint from this clause's prefix
    /// (a catch-all "every bucket but scratch/" still covers payroll/).
    fn outside_of(&self, c: &str) -> bool {
        let Some(prefix) = &self.prefix else { return false };
        let excluded = c.strip_prefix("resources.ARN NotStartsWith ").or_else(|| c.strip_prefix("resources.ARN NotEquals "));
        excluded.is_some_and(|x| !x.starts_with(prefix.as_str()) && !prefix.starts_with(x))
    }
}

impl fmt::Display for Clause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let access = match self.access {
            Access::Read => "reads",
            Access::Write => "writes",
        };
        match (&self.category, &self.prefix) {
            (Category::Management, _) => write!(f, "management {access}")?,
            (Category::S3Data, None) => write!(f, "S3 object {access} in every bucket")?,
            (Category::S3Data, Some(p)) => write!(f, "S3 object {access} under {p}")?,
        }
        if !self.conditions.is_empty() {
            let list: Vec<&str> = self.conditions.iter().map(String::as_str).collect();
            write!(f, " except where {}", list.join(" and "))?;
        }
        Ok(())
    }
}

/// The coverage of one trail's selectors.
pub(super) fn clauses(selectors: &EventSelectors) -> BTreeSet<Clause> {
    let mut out = BTreeSet::new();
    for s in &selectors.event_selectors {
        basic(s, &mut out);
    }
    for s in &selectors.advanced_event_selectors {
        advanced(s, &mut out);
    }
    out
}

fn accesses(read: bool, write: bool) -> impl Iterator<Item = Access> {
    [(read, Access::Read), (write, Access::Write)].into_iter().filter(|(on, _)| *on).map(|(_, a)| a)
}

fn basic(s: &EventSelector, out: &mut BTreeSet<Clause>) {
    let (read, write) = match s.read_write_type.as_str() {
        "ReadOnly" => (true, false),
        "WriteOnly" => (false, true),
        _ => (true, true),
    };
    for access in accesses(read, write) {
        if s.include_management_events {
            let conditions = s.exclude_management_event_sources.iter().map(|src| format!("eventSource NotEquals {src}")).collect();
            out.insert(Clause { category: Category::Management, access, prefix: None, conditions });
        }
        for resource in s.data_resources.iter().filter(|d| d.resource_type == "AWS::S3::Object") {
            for value in &resource.values {
                let prefix = (!is_all_buckets(value)).then(|| value.clone());
                out.insert(Clause { category: Category::S3Data, access, prefix, conditions: BTreeSet::new() });
            }
        }
    }
}

/// `arn:aws:s3` or `arn:aws:s3:::` (any partition) selects every bucket.
fn is_all_buckets(value: &str) -> bool {
    let v = value.strip_suffix(":::").unwrap_or(value);
    let mut parts = v.split(':');
    matches!((parts.next(), parts.next(), parts.next(), parts.next()), (Some("arn"), Some(_), Some("s3"), None))
}

fn values_of(field: &FieldSelector) -> [(&'static str, &[String]); 6] {
    [
        ("Equals", &field.equals),
        ("StartsWith", &field.starts_with),
        ("EndsWith", &field.ends_with),
        ("NotEquals", &field.not_equals),
        ("NotStartsWith", &field.not_starts_with),
        ("NotEndsWith", &field.not_ends_with),
    ]
}

fn advanced(s: &AdvancedEventSelector, out: &mut BTreeSet<Clause>) {
    let field = |name: &str| s.field_selectors.iter().find(|f| f.field == name);
    let Some(category) = field("eventCategory") else { return };
    let category = if category.equals.iter().any(|v| v == "Management") {
        Category::Management
    } else if category.equals.iter().any(|v| v == "Data")
        && field("resources.type").is_some_and(|t| t.equals.iter().any(|v| v == "AWS::S3::Object"))
    {
        Category::S3Data
    } else {
        return; // other data-event types are outside what drift follows
    };
    let (read, write) = match field("readOnly") {
        Some(f) if f.equals.iter().any(|v| v == "true") || f.not_equals.iter().any(|v| v == "false") => (true, false),
        Some(f) if f.equals.iter().any(|v| v == "false") || f.not_equals.iter().any(|v| v == "true") => (false, true),
        _ => (true, true),
    };
    // resources.ARN StartsWith (else Equals) gives the prefixes; every other
    // condition on any field narrows the clause.
    let arn = field("resources.ARN");
    let prefixes: Vec<Option<String>> = match arn {
        Some(f) if !f.starts_with.is_empty() => f.starts_with.iter().cloned().map(Some).collect(),
        Some(f) if !f.equals.is_empty() => f.equals.iter().cloned().map(Some).collect(),
        _ => vec![None],
    };
    let mut conditions = BTreeSet::new();
    for f in &s.field_selectors {
        if matches!(f.field.as_str(), "eventCategory" | "resources.type" | "readOnly") {
            continue;
        }
        for (op, values) in values_of(f) {
            if values.is_empty() || (f.field == "resources.ARN" && is_prefix_op(op, f)) {
                continue;
            }
            if op.starts_with("Not") {
                // NotX [a, b] excludes a and excludes b: one condition each, so
                // dropping one exclusion reads as widening.
                conditions.extend(values.iter().map(|v| format!("{} {op} {v}", f.field)));
            } else {
                let mut sorted = values.to_vec();
                sorted.sort();
                conditions.insert(format!("{} {op} {}", f.field, sorted.join("|")));
            }
        }
    }
    for access in accesses(read, write) {
        for prefix in &prefixes {
            out.insert(Clause { category, access, prefix: prefix.clone(), conditions: conditions.clone() });
        }
    }
}

/// The resources.ARN operator that supplied the prefixes (not a condition).
fn is_prefix_op(op: &str, f: &FieldSelector) -> bool {
    op == "StartsWith" || (op == "Equals" && f.starts_with.is_empty())
}

/// Reports coverage lost (drift) and gained (improvement) per category.
pub(super) fn compare(management: &At<'_>, s3: &At<'_>, old: &EventSelectors, new: &EventSelectors, sink: &mut Sink) {
    let old = clauses(old);
    let new = clauses(new);
    let lost: Vec<&Clause> = old.iter().filter(|o| !new.iter().any(|n| n.implies(o))).collect();
    let gained: Vec<&Clause> = new.iter().filter(|n| !old.iter().any(|o| o.implies(n))).collect();
    for (category, at, severity, name) in [
        (Category::Management, management, Severity::High, "management events"),
        (Category::S3Data, s3, Severity::Medium, "S3 data events"),
    ] {
        let describe = |set: &BTreeSet<Clause>| join(set.iter().filter(|c| c.category == category));
        let lost_here = join(lost.iter().copied().filter(|c| c.category == category));
        let gained_here = join(gained.iter().copied().filter(|c| c.category == category));
        if !lost_here.is_empty() {
            let message = format!("{name} narrowed; no longer captured: {lost_here}");
            sink.drift.push(at.change(severity, none_if_empty(describe(&old)), none_if_empty(describe(&new)), message));
        }
        if !gained_here.is_empty() {
            let message = format!("{name} widened; now also captured: {gained_here}");
            sink.improvements.push(at.change(Severity::Info, none_if_empty(describe(&old)), none_if_empty(describe(&new)), message));
        }
    }
}

fn join<'a>(clauses: impl Iterator<Item = &'a Clause>) -> String {
    clauses.map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

fn none_if_empty(s: String) -> String {
    if s.is_empty() { "nothing".to_owned() } else { s }
}
