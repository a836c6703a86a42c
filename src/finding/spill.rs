//! Results kept on disk instead of in memory: an audit of a snapshot file
//! writes each judged batch of accounts to a temporary file as a sorted run,
//! and the reports read them back merged, one result at a time, in report
//! order ([`report_order`]). At 1,000 accounts an audit has about 120,000
//! results (a 120 MB JSON report), at 10,000 about 1.2 million: held until the
//! reports were written they were most of the audit's memory.
//!
//! What whole-run summaries need is counted as results go by ([`Tally`]):
//! counts per status, per rule and per failing severity (and baseline state).
//!
//! A run is serde_json, one compact result per line: it round-trips the
//! evidence (a JSON value) byte for byte, and a compact line never holds a raw
//! newline, so a line is a result.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap};
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;

use super::audit::StatusCounts;
use super::baseline::{BaselineMarks, BaselineState};
use super::result::RuleResult;
use super::vocabulary::{FailOn, Severity, Status};

/// The order of every report: rule, account, region, resource, status. Equal
/// keys keep the order they were judged in (a stable sort, and a merge that
/// takes the earlier run first).
pub fn report_order(a: &RuleResult, b: &RuleResult) -> Ordering {
    (&a.rule_id, &a.account, &a.region, &a.resource, a.status).cmp(&(&b.rule_id, &b.account, &b.region, &b.resource, b.status))
}

/// What whole-run summaries need from the results, counted once: by status,
/// by rule and status (the Markdown rules table, per-control verdicts), and
/// failing results by severity and baseline state (the summary, the exit code).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    pub total: usize,
    pub by_status: StatusCounts,
    pub by_rule: BTreeMap<String, StatusCounts>,
    /// `fail` results per (severity, baseline state).
    fails: BTreeMap<(Severity, Option<BaselineState>), usize>,
}

impl Tally {
    pub fn of<'a>(results: impl IntoIterator<Item = &'a RuleResult>) -> Tally {
        let mut tally = Tally::default();
        for r in results {
            tally.add(r);
        }
        tally
    }

    pub fn add(&mut self, r: &RuleResult) {
        self.total += 1;
        self.by_status.add(r.status);
        match self.by_rule.get_mut(&r.rule_id) {
            Some(counts) => counts.add(r.status),
            None => {
                let mut counts = StatusCounts::default();
                counts.add(r.status);
                self.by_rule.insert(r.rule_id.clone(), counts);
            }
        }
        if r.status == Status::Fail {
            *self.fails.entry((r.severity, r.baseline)).or_default() += 1;
        }
    }

    /// `fail` results of `severity`.
    pub fn failed(&self, severity: Severity) -> usize {
        self.fails.iter().filter(|((s, _), _)| *s == severity).map(|(_, n)| n).sum()
    }

    /// `fail` results in `state` against the baseline.
    pub fn failed_in(&self, state: BaselineState) -> usize {
        self.fails.iter().filter(|((_, b), _)| *b == Some(state)).map(|(_, n)| n).sum()
    }

    /// Is there a `fail` result at or above `fail_on` that decides exit code 1
    /// (with `only_new`, `--fail-on-new`: one not unchanged since the baseline)?
    pub fn deciding_fail(&self, fail_on: FailOn, only_new: bool) -> bool {
        self.deciding(fail_on, only_new) > 0
    }

    /// How many `fail` results decide exit code 1 ([`Tally::deciding_fail`]).
    pub fn deciding(&self, fail_on: FailOn, only_new: bool) -> usize {
        self.fails
            .iter()
            .filter(|((sev, state), _)| fail_on.fails(*sev) && (!only_new || *state != Some(BaselineState::Unchanged)))
            .map(|(_, n)| n)
            .sum()
    }

    /// The results of rule `id` with `status`.
    pub fn of_rule(&self, id: &str, status: Status) -> usize {
        self.by_rule.get(id).map_or(0, |c| c.get(status))
    }
}

/// Results held in memory before the first run is written to disk: a small
/// audit (a bundled fixture has about a hundred results) never touches the
/// disk, so it also runs where there is no writable temporary directory (the
/// container image: a read-only root, no `/tmp`); about 20,000 results are a
/// few tens of MB, a sixth of a 1,000-account audit.
pub const HOLD_RESULTS: usize = 20_000;

/// One sorted run of results: in memory until [`HOLD_RESULTS`] is passed, then in a file.
enum Run {
    Memory(Vec<RuleResult>),
    File(PathBuf),
}

/// Where judged batches go: each batch becomes one sorted run, held in memory
/// until [`HOLD_RESULTS`] results are held, then written, with those before
/// it, to a temporary directory (`TMPDIR`), removed when the [`Spill`] is dropped.
pub struct SpillWriter {
    dir: Option<tempfile::TempDir>,
    runs: Vec<Run>,
    held: usize,
    /// Results held in memory before they go to disk ([`HOLD_RESULTS`]).
    hold: usize,
    tally: Tally,
}

impl SpillWriter {
    /// Makes nothing yet: the directory is made when the first run goes to disk.
    pub fn new() -> SpillWriter {
        SpillWriter::holding(HOLD_RESULTS)
    }

    /// A writer that goes to disk once more than `hold` results are held.
    fn holding(hold: usize) -> SpillWriter {
        SpillWriter { dir: None, runs: Vec::new(), held: 0, hold, tally: Tally::default() }
    }

    /// Sorts `batch` in report order and keeps it as one run.
    pub fn push(&mut self, mut batch: Vec<RuleResult>) -> io::Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        batch.sort_by(report_order);
        for r in &batch {
            self.tally.add(r);
        }
        self.held += batch.len();
        self.runs.push(Run::Memory(batch));
        if self.held > self.hold {
            self.write_held()?;
        }
        Ok(())
    }

    /// Writes every run held in memory to its file (the directory made on first use).
    fn write_held(&mut self) -> io::Result<()> {
        let dir = match &self.dir {
            Some(dir) => dir.path().to_owned(),
            None => {
                let dir = tempfile::Builder::new().prefix("trailaudit-results-").tempdir()?;
                let path = dir.path().to_owned();
                self.dir = Some(dir);
                path
            }
        };
        for (i, run) in self.runs.iter_mut().enumerate() {
            let Run::Memory(results) = run else { continue };
            let path = dir.join(format!("run-{i:05}.jsonl"));
            let mut out = BufWriter::with_capacity(1 << 16, File::create(&path)?);
            for r in results.iter() {
                serde_json::to_writer(&mut out, r)?;
                out.write_all(b"\n")?;
            }
            out.flush()?;
            *run = Run::File(path);
        }
        self.held = 0;
        Ok(())
    }

    pub fn finish(self) -> Spill {
        Spill { inner: Arc::new(Inner { _dir: self.dir, runs: self.runs }), tally: self.tally, marks: None }
    }
}

impl Default for SpillWriter {
    fn default() -> Self {
        SpillWriter::new()
    }
}

struct Inner {
    /// Holds the directory, if one was needed (deleted on drop).
    _dir: Option<tempfile::TempDir>,
    runs: Vec<Run>,
}

/// A run being read back.
enum RunReader<'a> {
    Memory(std::slice::Iter<'a, RuleResult>),
    File(std::io::Lines<BufReader<File>>),
}

impl RunReader<'_> {
    fn next_result(&mut self) -> io::Result<Option<RuleResult>> {
        match self {
            RunReader::Memory(results) => Ok(results.next().cloned()),
            RunReader::File(lines) => match lines.next() {
                None => Ok(None),
                Some(line) => Ok(Some(serde_json::from_str(&line?)?)),
            },
        }
    }
}

/// The results of an audit on disk, read back in report order by [`Spill::for_each`].
#[derive(Clone)]
pub struct Spill {
    inner: Arc<Inner>,
    tally: Tally,
    /// Set by the baseline comparison: every non-pass result read back is marked `new` or `unchanged`.
    marks: Option<Arc<BaselineMarks>>,
}

impl fmt::Debug for Spill {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Spill").field("runs", &self.inner.runs.len()).field("results", &self.tally.total).finish()
    }
}

/// Two spills are equal when they are the same files (an audit compared with its clone).
impl PartialEq for Spill {
    fn eq(&self, other: &Spill) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner) && self.marks.is_some() == other.marks.is_some()
    }
}

/// One run's next result, ordered for a min-heap: the smallest key first,
/// the earlier run on equal keys.
struct Head {
    result: RuleResult,
    run: usize,
}

impl PartialEq for Head {
    fn eq(&self, other: &Head) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Head {}
impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Head) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Head {
    fn cmp(&self, other: &Head) -> Ordering {
        report_order(&other.result, &self.result).then_with(|| other.run.cmp(&self.run))
    }
}

impl Spill {
    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    pub fn len(&self) -> usize {
        self.tally.total
    }

    pub fn is_empty(&self) -> bool {
        self.tally.total == 0
    }

    /// Marks every result read from now on against the baseline, and counts
    /// failing results by baseline state; returns the fingerprints of the
    /// non-pass results (what "fixed" is judged against).
    pub fn mark(&mut self, marks: BaselineMarks) -> io::Result<std::collections::BTreeSet<String>> {
        self.marks = Some(Arc::new(marks));
        let mut tally = Tally::default();
        let mut current = std::collections::BTreeSet::new();
        self.for_each(&mut |r| {
            tally.add(r);
            if r.baseline.is_some() {
                current.insert(r.fingerprint());
            }
            Ok(())
        })?;
        self.tally = tally;
        Ok(current)
    }

    /// Calls `f` on every result, in report order. A run that cannot be read
    /// back (the temporary directory was cleaned under the audit) is an error, never a shorter report.
    pub fn for_each(&self, f: &mut dyn FnMut(&RuleResult) -> io::Result<()>) -> io::Result<()> {
        let mut readers: Vec<RunReader<'_>> = self
            .inner
            .runs
            .iter()
            .map(|run| match run {
                Run::Memory(results) => Ok(RunReader::Memory(results.iter())),
                Run::File(p) => File::open(p).map(|f| RunReader::File(BufReader::with_capacity(1 << 15, f).lines())),
            })
            .collect::<io::Result<_>>()?;
        let next = |readers: &mut Vec<RunReader<'_>>, run: usize| -> io::Result<Option<Head>> {
            match readers[run].next_result()? {
                None => Ok(None),
                Some(mut result) => {
                    if let Some(marks) = &self.marks {
                        marks.mark(&mut result);
                    }
                    Ok(Some(Head { result, run }))
                }
            }
        };
        let mut heap = BinaryHeap::with_capacity(readers.len());
        for run in 0..readers.len() {
            if let Some(head) = next(&mut readers, run)? {
                heap.push(head);
            }
        }
        let mut read = 0;
        while let Some(Head { result, run }) = heap.pop() {
            f(&result)?;
            read += 1;
            if let Some(head) = next(&mut readers, run)? {
                heap.push(head);
            }
        }
        if read != self.tally.total {
            return Err(io::Error::other(format!("the results spill holds {read} results, {} were written", self.tally.total)));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(rule: &str, account: &str, resource: &str, status: Status, message: &str) -> RuleResult {
        RuleResult {
            rule_id: rule.into(),
            status,
            severity: Severity::High,
            account: account.into(),
            region: Some("us-east-1".into()),
            resource: resource.into(),
            message: message.into(),
            evidence: serde_json::json!({"n": 1.5, "big": u64::MAX, "s": "a\nb\"", "z": [], "a": {"k": null}}),
            waiver: None,
            snapshot_line: Some(3),
            baseline: None,
        }
    }

    /// Batches in any order come back as one stable sort of all of them would
    /// give, whether the runs are all on disk, all in memory, or some of each.
    #[test]
    fn runs_merge_into_the_order_of_one_stable_sort() {
        for hold in [0, 50, usize::MAX] {
            let mut all = Vec::new();
            let mut writer = SpillWriter::holding(hold);
            for batch in 0..5 {
                let mut results = Vec::new();
                for i in 0..40 {
                    let account = format!("{:012}", (i * 7 + batch * 3) % 11);
                    let rule = format!("CT-{:03}", (i * 13 + batch) % 4);
                    let status = if i % 3 == 0 { Status::Fail } else { Status::Pass };
                    // Equal keys in several batches: told apart by the message.
                    results.push(result(&rule, &account, &format!("arn:r{}", i % 5), status, &format!("b{batch} i{i}")));
                }
                all.extend(results.clone());
                writer.push(results).unwrap();
            }
            all.sort_by(report_order);
            let spill = writer.finish();
            let on_disk = spill.inner.runs.iter().filter(|r| matches!(r, Run::File(_))).count();
            assert_eq!(on_disk, [5, 4, 0][[0, 50, usize::MAX].iter().position(|h| *h == hold).unwrap()], "hold {hold}");
            assert_eq!(spill.inner._dir.is_some(), on_disk > 0, "a directory only when a run went to disk");
            let mut read = Vec::new();
            spill
                .for_each(&mut |r| {
                    read.push(r.clone());
                    Ok(())
                })
                .unwrap();
            assert_eq!(read, all, "hold {hold}");
            assert_eq!(spill.tally(), &Tally::of(&all));
            assert_eq!(spill.len(), 200);
        }
    }

    /// A small audit needs no temporary directory: it runs where none can be made.
    #[test]
    fn a_small_audit_never_touches_the_disk() {
        let mut writer = SpillWriter::new();
        writer.push(vec![result("CT-001", "1", "r", Status::Pass, "m")]).unwrap();
        let spill = writer.finish();
        assert!(spill.inner._dir.is_none());
        assert!(matches!(spill.inner.runs[..], [Run::Memory(_)]));
    }

    /// A run removed under the audit is an error, not a report with fewer results.
    #[test]
    fn a_lost_run_is_an_error() {
        let mut writer = SpillWriter::holding(0);
        writer.push(vec![result("CT-001", "1", "r", Status::Pass, "m")]).unwrap();
        writer.push(vec![result("CT-002", "1", "r", Status::Pass, "m")]).unwrap();
        let spill = writer.finish();
        let Run::File(path) = &spill.inner.runs[1] else { panic!("hold 0 writes every run") };
        std::fs::write(path, "").unwrap();
        let err = spill.for_each(&mut |_| Ok(())).unwrap_err();
        assert!(err.to_string().contains("holds 1 results, 2 were written"), "{err}");
    }
}
