//! The memory bound of rule evaluation (`--rule-memory-mib`).
//!
//! regorus's `allocator-memory-limits` makes its mimalloc the global allocator
//! and counts the process's live bytes; the interpreter and the VM compare the
//! count with one process-wide limit at their check points (every few steps,
//! and inside the builtins that build large values such as `numbers.range`),
//! and stop with [`regorus::LimitError::MemoryLimitExceeded`] past it.
//!
//! The limit is process-wide, not per thread, so while an audit evaluates it is
//! set to the live bytes when evaluation starts (the snapshot, the pack) plus
//! the budget. A rule that builds a huge value stops the evaluations running
//! beside it too while it is over the limit; so every regorus call runs under
//! [`bounded`]: a call stopped for memory is run again *alone* (no other
//! evaluation running, the limit re-based on what is live then). An innocent
//! rule then succeeds; a rule that needs more than the budget by itself is
//! stopped again, and only its results become `error`.

use std::sync::{Mutex, RwLock};

/// Held shared by every bounded regorus call, exclusively by a call run alone.
static EVALUATIONS: RwLock<()> = RwLock::new(());

/// Audits evaluating now, and their largest budget in bytes.
static ACTIVE: Mutex<(usize, u64)> = Mutex::new((0, 0));

/// Bytes live in the whole process now (as far as threads have published
/// their counts: each holds back less than 1 MiB).
fn live_bytes() -> u64 {
    regorus_mimalloc::global_allocation_stats_snapshot().allocated
}

/// The memory limit in force while it lives: live bytes now plus `budget`
/// bytes. Nested or concurrent audits (tests) keep the largest budget; the
/// limit is lifted when the last one ends.
#[must_use = "the limit is lifted when the guard is dropped"]
pub(super) struct Limit(());

impl Limit {
    pub(super) fn set(budget: u64) -> Limit {
        let mut active = ACTIVE.lock().unwrap_or_else(|e| e.into_inner());
        active.0 += 1;
        active.1 = active.1.max(budget);
        let limit = live_bytes().saturating_add(active.1);
        if regorus::global_memory_limit().is_none_or(|now| now < limit) {
            regorus::set_global_memory_limit(Some(limit));
        }
        Limit(())
    }
}

impl Drop for Limit {
    fn drop(&mut self) {
        let mut active = ACTIVE.lock().unwrap_or_else(|e| e.into_inner());
        active.0 -= 1;
        if active.0 == 0 {
            active.1 = 0;
            regorus::set_global_memory_limit(None);
        }
    }
}

/// Whether regorus stopped `err`'s evaluation at the memory limit.
pub(super) fn is_memory_error(err: &anyhow::Error) -> bool {
    err.chain().any(|c| matches!(c.downcast_ref::<regorus::LimitError>(), Some(regorus::LimitError::MemoryLimitExceeded { .. })))
        || format!("{err:#}").contains("execution exceeded memory limit")
}

/// The budget in force, in MiB, for messages.
pub(super) fn budget_mib() -> u64 {
    ACTIVE.lock().unwrap_or_else(|e| e.into_inner()).1 >> 20
}

/// Runs `op` (a regorus call whose failure is handled elsewhere: the VM's,
/// re-run on the interpreter) beside the other evaluations, never beside one
/// run alone.
pub(super) fn shared<T>(op: impl FnOnce() -> T) -> T {
    let _shared = EVALUATIONS.read().unwrap_or_else(|e| e.into_inner());
    op()
}

/// Runs one regorus call `op` beside the other evaluations; if it was stopped
/// at the memory limit, runs it again alone, with the limit re-based on the
/// bytes live then, and returns that outcome.
pub(super) fn bounded<T>(mut op: impl FnMut() -> anyhow::Result<T>) -> anyhow::Result<T> {
    let first = {
        let _shared = EVALUATIONS.read().unwrap_or_else(|e| e.into_inner());
        op()
    };
    match first {
        Err(e) if is_memory_error(&e) => {
            let _alone = EVALUATIONS.write().unwrap_or_else(|e| e.into_inner());
            let budget = ACTIVE.lock().unwrap_or_else(|e| e.into_inner()).1;
            if budget > 0 {
                regorus::set_global_memory_limit(Some(live_bytes().saturating_add(budget)));
            }
            op()
        }
        other => other,
    }
}
