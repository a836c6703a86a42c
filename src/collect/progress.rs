//! Progress on stderr while collecting: one line per account and region,
//! counting the units of work done there and naming the service last finished
//! (`123456789012 eu-west-1  12 done  kms`). Shown only when the caller asks
//! (stderr is a terminal and `CI` is unset, see `commands::live`); otherwise
//! nothing is drawn and nothing is allocated per tick.

use std::collections::BTreeMap;
use std::sync::Mutex;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

pub(crate) struct Progress {
    multi: Option<MultiProgress>,
    bars: Mutex<BTreeMap<(String, String), ProgressBar>>,
}

impl Progress {
    /// Draws on stderr.
    pub(crate) fn stderr() -> Progress {
        Progress::with_target(ProgressDrawTarget::stderr())
    }

    /// Draws nothing and keeps nothing.
    pub(crate) fn hidden() -> Progress {
        Progress { multi: None, bars: Mutex::new(BTreeMap::new()) }
    }

    fn with_target(target: ProgressDrawTarget) -> Progress {
        Progress { multi: Some(MultiProgress::with_draw_target(target)), bars: Mutex::new(BTreeMap::new()) }
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
    }

    /// Removes every line (the summary and reports follow on a clean stderr).
    pub(crate) fn finish(&self) {
        for bar in self.bars.lock().expect("progress lock").values() {
            bar.finish_and_clear();
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
    fn hidden_keeps_nothing() {
        let p = Progress::hidden();
        p.tick("111111111111", "us-east-1", "cloudtrail");
        assert!(p.lines().is_empty());
    }
}
