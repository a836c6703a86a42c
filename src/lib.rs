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
