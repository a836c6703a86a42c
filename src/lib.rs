//! trailaudit: audit how AWS CloudTrail is set up, as policy-as-code.
//!
//! The pipeline is [`collect`] (AWS SDK) → [`snapshot`] (versioned JSON) →
//! [`policy`] (Rego via regorus) → [`report`] (SARIF, JSON, terminal, Markdown).
//! Everything is in the library so it can be tested without the binary;
//! `main.rs` only maps a result to an exit code. [`drift`] compares two
//! snapshots (`trailaudit diff`).

pub mod catalogue;
pub mod cli;
pub mod collect;
pub mod commands;
pub mod config;
pub mod drift;
pub mod fsutil;
pub mod policy;
pub mod report;
pub mod snapshot;
