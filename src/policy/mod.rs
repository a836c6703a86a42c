//! The policy engine: loads the Rego pack (built-in and user directories),
//! evaluates it on a snapshot with regorus, and turns what the rules say into
//! pass / fail / error / waived results.

pub mod metadata;
pub mod result;
pub mod types;

pub use metadata::{Remediation, RuleMeta};
pub use baseline::{Baseline, BaselineComparison, BaselineError, BaselineState, FixedResult};
pub use result::{AppliedWaiver, Audit, BaselineCounts, Outcome, Rule, RuleResult, Summary, fingerprint};
pub use waivers::{WaiverRef, Warning, WarningKind};
pub use types::{Severity, Status, SubjectKind, account_resource, region_resource};

pub mod baseline;
pub mod evaluate;
pub mod frameworks;
mod input;
mod locate;
pub mod pack;
pub mod rego_tests;
mod scope;
mod waivers;

pub use evaluate::{AuditOptions, EvalTimings, audit};
pub use pack::{Pack, PackError, PackSource};
