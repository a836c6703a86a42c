//! Progress of an audit on stderr: accounts judged out of all of them.
//!
//! A fixture audits in milliseconds and a 1,000-account organization in
//! seconds, so the line appears only once evaluation has run for half a second:
//! short audits leave stderr untouched. Whether to show it at all is the
//! caller's choice (a terminal, outside CI: see `commands::show_progress`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long evaluation runs before its progress is drawn.
const QUIET_FOR: Duration = Duration::from_millis(500);

pub(crate) struct EvalProgress {
    bar: Option<ProgressBar>,
    started: Instant,
    drawn: AtomicBool,
}

impl EvalProgress {
    /// Draws on stderr (after [`QUIET_FOR`]) when `show`, else does nothing.
    pub(crate) fn new(show: bool, accounts: usize) -> EvalProgress {
        let bar = show.then(|| {
            let bar = ProgressBar::with_draw_target(Some(accounts as u64), ProgressDrawTarget::hidden());
            bar.set_style(
                ProgressStyle::with_template("evaluating {pos}/{len} accounts  {elapsed} elapsed, about {eta} left")
                    .expect("static template"),
            );
            bar
        });
        EvalProgress { bar, started: Instant::now(), drawn: AtomicBool::new(false) }
    }

    /// One account judged.
    pub(crate) fn account_done(&self) {
        let Some(bar) = &self.bar else { return };
        bar.inc(1);
        if !self.drawn.load(Ordering::Relaxed) && self.started.elapsed() >= QUIET_FOR && !self.drawn.swap(true, Ordering::Relaxed) {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// Removes the line, so reports and the summary start on a clean stderr.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    #[cfg(test)]
    fn position(&self) -> Option<u64> {
        self.bar.as_ref().map(ProgressBar::position)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_accounts_and_starts_drawing_only_after_a_while() {
        // indicatif draws nothing where stderr is not a terminal, as under `cargo test`.
        let progress = EvalProgress::new(true, 3);
        progress.account_done();
        assert_eq!(progress.position(), Some(1));
        assert!(!progress.drawn.load(Ordering::Relaxed), "a short evaluation draws nothing");
        std::thread::sleep(QUIET_FOR);
        progress.account_done();
        assert!(progress.drawn.load(Ordering::Relaxed), "a long one shows its progress");
        assert_eq!(progress.position(), Some(2));
        progress.finish();
    }

    #[test]
    fn hidden_keeps_nothing() {
        let progress = EvalProgress::new(false, 3);
        progress.account_done();
        assert_eq!(progress.position(), None);
        assert!(!progress.drawn.load(Ordering::Relaxed));
    }
}
