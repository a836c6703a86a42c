//! The result model every stage shares: what a rule is, the verdict it gives
//! on one subject ([`RuleResult`]), what an audit gathers ([`Audit`]), the
//! marks triage adds to results (waivers, baseline, per-control summaries),
//! and the exit codes an audit maps to ([`Outcome`]).
//!
//! This module only holds data and the arithmetic on it (counts, outcome,
//! fingerprints): loading rules is [`crate::pack`]'s job, producing results
//! [`crate::evaluate`]'s, marking them [`crate::triage`]'s, rendering them
//! [`crate::report`]'s. It depends on none of them.

mod audit;
mod baseline;
mod framework;
mod outcome;
mod result;
mod rule;
mod spill;
mod vocabulary;
mod waiver;

pub use audit::{Audit, StatusCounts, Summary};
pub(crate) use baseline::finding_kind;
pub use baseline::{BaselineComparison, BaselineCounts, BaselineMarks, BaselineState, FixedResult, OutOfWindowResult};
pub use framework::{ControlStatus, ControlSummary, FrameworkSummary};
pub use outcome::Outcome;
/// What tells apart several results of one rule on one subject (event id, failed call).
pub(crate) use result::distinction as result_distinction;
pub use result::{RuleResult, fingerprint};
pub(crate) use result::{distinction, event_id};
pub use rule::{EventNeed, RelatedResource, Remediation, Rule, RuleCustom, RuleMeta};
pub use spill::{Spill, SpillWriter, Tally, report_order};
pub use vocabulary::{FailOn, Severity, Status, SubjectKind, account_resource, region_resource};
pub use waiver::{AppliedWaiver, WaiverRef, Warning, WarningKind};
