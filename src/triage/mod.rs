//! What happens to results after evaluation and before reporting: waivers
//! accept failures for a while, a baseline marks what is new, and a framework
//! summary turns results into per-control verdicts. Each step only adds marks
//! defined in [`crate::finding`]; none changes what a rule said.

pub mod baseline;
pub mod frameworks;
pub mod waivers;

pub use baseline::{Baseline, BaselineError};
