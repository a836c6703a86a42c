//! The policy engine: loads the Rego pack (built-in and user directories),
//! evaluates it on a snapshot with regorus, and turns what the rules say into
//! pass / fail / error / waived results.

pub mod metadata;
pub mod result;
pub mod types;

pub use baseline::{Baseline, BaselineComparison, BaselineError, BaselineState, FixedResult};
pub use metadata::{Remediation, RuleMeta};
pub use result::{AppliedWaiver, Audit, BaselineCounts, Outcome, Rule, RuleResult, Summary, fingerprint};
pub use types::{Severity, Status, SubjectKind, account_resource, region_resource};
pub use waivers::{WaiverRef, Warning, WarningKind};

pub mod baseline;
pub mod derived;
pub mod evaluate;
pub mod filter_pattern;
pub mod frameworks;
mod input;
mod locate;
pub mod pack;
mod progress;
pub mod rego_tests;
mod scope;
mod vm;
mod waivers;

pub use evaluate::{AuditOptions, EngineChoice, EvalTimings, account_inputs, audit, audit_with_engine};
pub use pack::{Pack, PackError, PackSource};
