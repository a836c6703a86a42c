//! The process exit codes an audit maps to.

/// Documented process exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 0: nothing failing at or above `--fail-on`, no errors.
    Clean = 0,
    /// 1: at least one failing result at or above `--fail-on`.
    Failed = 1,
    /// 2: bad usage or bad input (not produced by an audit).
    BadInput = 2,
    /// 3: error results (incomplete collection or a broken rule), nothing failing.
    Incomplete = 3,
}
