//! trailaudit: audit how AWS CloudTrail is set up, as policy-as-code.
//!
//! The pipeline is [`collect`] (AWS SDK) → [`snapshot`] (versioned JSON) →
//! [`evaluate`] (the Rego [`pack`] on regorus) → [`triage`] (waivers,
//! baselines, per-control verdicts) → [`report`] (SARIF, JSON, terminal,
//! Markdown, JUnit); [`finding`] is the result model every stage shares, and
//! [`filter_pattern`] the CloudWatch Logs filter-pattern library the
//! evaluation's derived facts use. Everything is in the library so it can be
//! tested without the binary; `main.rs` only maps a result to an exit code.
//! [`drift`] compares two snapshots (`trailaudit diff`).

// Product code says why a value cannot be missing (`expect`) or returns an error;
// unit tests (cfg(test)) may unwrap. tests/, bench/ and build.rs are not product code.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod catalogue;
pub mod cli;
pub mod collect;
pub mod commands;
pub mod config;
pub mod drift;
pub mod evaluate;
pub mod filter_pattern;
pub mod finding;
pub mod fsutil;
pub mod pack;
pub mod report;
pub mod snapshot;
pub mod triage;
pub mod yaml_bounds;

/// regorus builds `anyhow` errors as control flow while it evaluates (a
/// lookup that misses, a type check that fails), and with `RUST_BACKTRACE=1`,
/// common in CI, each one captures a stack backtrace: evaluation ran four
/// times slower (bench/README.md). `RUST_LIB_BACKTRACE=0` turns that off for
/// errors while keeping panic backtraces; setting `RUST_LIB_BACKTRACE=1`
/// keeps them anyway.
///
/// # Safety
/// Changes the environment: call it before any other thread exists (first
/// thing in `main`), as [`std::env::set_var`] requires.
pub unsafe fn quiet_library_backtraces() {
    if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
        // SAFETY: the caller guarantees no other thread reads the environment.
        unsafe { std::env::set_var("RUST_LIB_BACKTRACE", "0") };
    }
}
