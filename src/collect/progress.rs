//! Progress on stderr while collecting: a head line with accounts done / total,
//! accounts with errors so far and the slowest account in flight, then one
//! line per account and region, counting the units of work done there and
//! naming the service last finished (`123456789012 eu-west-1  12 done  kms`);
//! a finished account's lines are removed. Shown only when the caller asks
//! (stderr is a terminal and `CI` is unset, see `commands::live`); otherwise
//! nothing is drawn and nothing is allocated per tick.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

pub(crate) struct Progress {
    multi: Option<MultiProgress>,
    bars: Mutex<BTreeMap<(String, String), ProgressBar>>,
    accounts: Mutex<Accounts>,
}

/// The head line's counts.
#[derive(Default)]
struct Accounts {
    head: Option<ProgressBar>,
    total: usize,
    done: usize,
    with_errors: usize,
    in_flight: BTreeMap<String, Instant>,
}

impl Accounts {
    fn redraw(&self) {
        if let Some(head) = &self.head {
            head.set_message(self.line());
        }
    }

    fn line(&self) -> String {
        let slowest = self
            .in_flight
            .iter()
            .min_by_key(|(_, t)| **t)
            .map(|(a, t)| format!(" · slowest in flight: {a} ({} s)", t.elapsed().as_secs()))
            .unwrap_or_default();
        format!("accounts {}/{} done · {} with errors{slowest}", self.done, self.total, self.with_errors)
    }
}

impl Progress {
    /// Draws on stderr.
    pub(crate) fn stderr() -> Progress {
        Progress::with_target(ProgressDrawTarget::stderr())
    }

    /// Draws nothing and keeps nothing.
    pub(crate) fn hidden() -> Progress {
        Progress { multi: None, bars: Mutex::new(BTreeMap::new()), accounts: Mutex::default() }
    }

    fn with_target(target: ProgressDrawTarget) -> Progress {
        Progress { multi: Some(MultiProgress::with_draw_target(target)), bars: Mutex::new(BTreeMap::new()), accounts: Mutex::default() }
    }

    /// The number of accounts to collect; shows the head line when there are several.
    pub(crate) fn expect_accounts(&self, total: usize) {
        let Some(multi) = &self.multi else { return };
        let mut a = self.accounts.lock().expect("progress lock");
        a.total = total;
        if total > 1 {
            let head = multi.insert(0, ProgressBar::no_length());
            head.set_style(ProgressStyle::with_template("{spinner} {msg}").expect("static template"));
            head.set_message(a.line());
            a.head = Some(head);
        }
    }

    pub(crate) fn account_started(&self, account: &str) {
        if self.multi.is_none() {
            return;
        }
        let mut a = self.accounts.lock().expect("progress lock");
        a.in_flight.insert(account.to_owned(), Instant::now());
        a.redraw();
    }

    /// An account finished (`had_errors`: some call failed); its lines go.
    pub(crate) fn account_finished(&self, account: &str, had_errors: bool) {
        if self.multi.is_none() {
            return;
        }
        {
            let mut bars = self.bars.lock().expect("progress lock");
            let keys: Vec<_> = bars.keys().filter(|(a, _)| a == account).cloned().collect();
            for k in keys {
                if let Some(bar) = bars.remove(&k) {
                    bar.finish_and_clear();
                }
            }
        }
        let mut a = self.accounts.lock().expect("progress lock");
        a.in_flight.remove(account);
        a.done += 1;
        a.with_errors += usize::from(had_errors);
        a.redraw();
    }

    /// An account that could not be reached at all (its role could not be assumed).
    pub(crate) fn account_done(&self, failed: bool) {
        if self.multi.is_none() {
            return;
        }
        let mut a = self.accounts.lock().expect("progress lock");
        a.done += 1;
        a.with_errors += usize::from(failed);
        a.redraw();
    }

    /// One unit of work of `service` finished in `account`/`region`.
    pub(crate) fn tick(&self, account: &str, region: &str, service: &str) {
        let Some(multi) = &self.multi else { return };
        let mut bars = self.bars.lock().expect("progress lock");
        let bar = bars.entry((account.to_owned(), region.to_owned())).or_insert_with(|| {
            let bar = multi.add(ProgressBar::no_length());
            bar.set_style(ProgressStyle::with_template("{spinner} {prefix}  {pos:>4} done  {msg}").expect("static template"));
            bar.set_prefix(format!("{account} {region:<15}"));
            bar
        });
        bar.set_message(service.to_owned());
        bar.inc(1);
        drop(bars);
        self.accounts.lock().expect("progress lock").redraw();
    }

    /// Removes every line (the summary and reports follow on a clean stderr).
    pub(crate) fn finish(&self) {
        for bar in self.bars.lock().expect("progress lock").values() {
            bar.finish_and_clear();
        }
        if let Some(head) = &self.accounts.lock().expect("progress lock").head {
            head.finish_and_clear();
        }
        if let Some(multi) = &self.multi {
            let _ = multi.clear();
        }
    }

    #[cfg(test)]
    fn lines(&self) -> Vec<(String, String, u64, String)> {
        let bars = self.bars.lock().expect("progress lock");
        bars.iter().map(|((a, r), b)| (a.clone(), r.clone(), b.position(), b.message())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_account_and_region_counting_work_and_naming_the_service() {
        let p = Progress::with_target(ProgressDrawTarget::hidden());
        p.tick("111111111111", "us-east-1", "cloudtrail");
        p.tick("111111111111", "us-east-1", "kms");
        p.tick("111111111111", "eu-west-1", "config");
        p.tick("222222222222", "us-east-1", "s3 bucket");
        assert_eq!(
            p.lines(),
            [
                ("111111111111".into(), "eu-west-1".into(), 1, "config".into()),
                ("111111111111".into(), "us-east-1".into(), 2, "kms".into()),
                ("222222222222".into(), "us-east-1".into(), 1, "s3 bucket".into()),
            ]
        );
        p.finish();
    }

    #[test]
    fn head_line_counts_accounts_and_names_the_slowest_in_flight() {
        let p = Progress::with_target(ProgressDrawTarget::hidden());
        p.expect_accounts(3);
        p.account_started("111111111111");
        p.account_started("222222222222");
        p.tick("111111111111", "us-east-1", "cloudtrail");
        p.account_finished("111111111111", true);
        p.account_done(true);
        let line = p.accounts.lock().unwrap().line();
        assert_eq!(line, "accounts 2/3 done · 2 with errors · slowest in flight: 222222222222 (0 s)");
        // A finished account's lines are gone.
        assert!(p.lines().is_empty());
        p.finish();
    }

    #[test]
    fn hidden_keeps_nothing() {
        let p = Progress::hidden();
        p.tick("111111111111", "us-east-1", "cloudtrail");
        assert!(p.lines().is_empty());
    }
}
