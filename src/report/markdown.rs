//! The Markdown report, for CI job summaries (`$GITHUB_STEP_SUMMARY`). Every
//! string that comes from AWS goes through [`escape::markdown`].

use std::fmt::Write;

use super::escape::markdown as md;
use super::is_finding;
use crate::finding::ControlStatus;
use crate::finding::{Audit, Status};

fn icon(status: Status) -> &'static str {
    match status {
        Status::Pass => "✅ pass",
        Status::Fail => "❌ fail",
        Status::Error => "⚠️ error",
        Status::Waived => "💤 waived",
    }
}

/// Room kept under `max_bytes` for the note that says what was left out.
const NOTE_ROOM: usize = 512;

/// The rows of findings and fixed results that fit under a size cap. GitHub
/// refuses a job summary over 1 MiB, and an organisation's failures can fill
/// more: the rows that fit are listed, the rest counted.
struct Budget {
    limit: Option<usize>,
    omitted_findings: usize,
    omitted_fixed: usize,
}

impl Budget {
    /// Does a row of `len` bytes still fit after `out`?
    fn fits(&self, out: &str, len: usize) -> bool {
        self.limit.is_none_or(|max| out.len() + len + NOTE_ROOM <= max)
    }
}

/// `max_bytes` caps the report (`--markdown-max-bytes`); `None` lists everything.
/// A report that does not fit lists its findings most severe rule first, so
/// what the cap leaves out is the least severe.
pub fn render(audit: &Audit, max_bytes: Option<usize>) -> String {
    let full = render_within(audit, None, false);
    match max_bytes {
        Some(max) if full.len() > max => render_within(audit, Some(max), true),
        _ => full,
    }
}

fn render_within(audit: &Audit, max_bytes: Option<usize>, severest_first: bool) -> String {
    let s = audit.summary();
    let mut budget = Budget { limit: max_bytes, omitted_findings: 0, omitted_fixed: 0 };
    let mut out = String::new();
    let verdict = match audit.outcome() as u8 {
        0 => "✅ compliant",
        1 => "❌ failing",
        _ => "⚠️ incomplete",
    };
    let _ = writeln!(out, "# trailaudit: {verdict}\n");
    let _ = writeln!(
        out,
        "{} account(s), {} region(s), snapshot collected {}.\n",
        audit.account_ids.len(),
        audit.metadata.regions.len(),
        audit.metadata.collected_at.format("%Y-%m-%d %H:%M UTC")
    );
    out.push_str("| passed | failed | errors | waived | fail-on |\n|---:|---:|---:|---:|---|\n");
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} |\n",
        s.by_status["pass"], s.by_status["fail"], s.by_status["error"], s.by_status["waived"], audit.fail_on
    );
    if let (Some(b), Some(counts)) = (&audit.baseline, s.baseline) {
        let _ = writeln!(
            out,
            "Compared with baseline {}: **{} new** failing, {} unchanged, {} fixed{}.\n",
            md(&b.path.display().to_string()),
            counts.new,
            counts.unchanged,
            counts.fixed,
            if b.fail_on_new { " (only new failures fail the run)" } else { "" }
        );
    }
    if !audit.warnings.is_empty() {
        out.push_str("## Warnings\n\n");
        for w in &audit.warnings {
            let _ = writeln!(out, "- ⚠️ {}", md(&w.message));
        }
        out.push('\n');
    }

    if let Some(f) = &audit.framework {
        let _ = writeln!(out, "## {}\n", md(&f.title));
        out.push_str("| control | title | status | rules |\n|---|---|---|---|\n");
        for c in &f.controls {
            let status = match c.status {
                ControlStatus::Pass => "✅ pass",
                ControlStatus::Fail => "❌ fail",
                ControlStatus::Error => "⚠️ error",
                ControlStatus::Waived => "💤 waived",
                ControlStatus::NotCovered => "➖ not covered",
                ControlStatus::NoSubjects => "➖ no subjects",
            };
            let rules = c.note.clone().map_or_else(|| c.rules.join(", "), |n| md(&n));
            let _ = writeln!(out, "| {} | {} | {status} | {rules} |", md(&c.id), md(&c.title));
        }
        out.push('\n');
    }

    out.push_str("## Rules\n\n| rule | severity | title | passed | failed | errors | waived |\n|---|---|---|---:|---:|---:|---:|\n");
    for rule in &audit.rules {
        let count = |st: Status| audit.results.iter().filter(|r| r.rule_id == rule.id() && r.status == st).count();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            rule.id(),
            rule.severity(),
            md(&rule.meta.title),
            count(Status::Pass),
            count(Status::Fail),
            count(Status::Error),
            count(Status::Waived)
        );
    }

    fixed_section(&mut out, audit, &mut budget);
    let findings: Vec<_> = audit.results.iter().filter(|r| is_finding(r.status)).collect();
    if findings.is_empty() {
        out.push_str("\nNo findings: every examined subject passes.\n");
        omitted_note(&mut out, &budget, findings.len(), max_bytes);
        return out;
    }
    out.push_str("\n## Findings\n");
    let mut rules: Vec<_> = audit.rules.iter().collect();
    if severest_first {
        rules.sort_by_key(|r| std::cmp::Reverse(r.severity())); // stable: by id within a severity
    }
    for rule in rules {
        let of_rule: Vec<_> = findings.iter().filter(|r| r.rule_id == rule.id()).collect();
        if of_rule.is_empty() {
            continue;
        }
        let heading = format!(
            "\n### {} {} ({})\n\n| status | account | region | resource | message |\n|---|---|---|---|---|\n",
            rule.id(),
            md(&rule.meta.title),
            rule.severity()
        );
        // Remediation is our own Markdown (rule metadata), not AWS data.
        let fix = format!("\nFix: {}\n", rule.meta.custom.remediation.console.trim().replace('\n', " "));
        let mut rows = String::new();
        let mut listed = 0;
        for r in &of_rule {
            let row = format!(
                "| {}{} | {} | {} | {} | {} |\n",
                icon(r.status),
                r.baseline.map_or(String::new(), |b| format!(" ({})", b.as_str())),
                md(&r.account),
                md(r.region.as_deref().unwrap_or("global")),
                md(&r.resource),
                md(&r.message)
            );
            if budget.omitted_findings > 0 || !budget.fits(&out, heading.len() + rows.len() + row.len() + fix.len()) {
                budget.omitted_findings += 1;
                continue;
            }
            rows.push_str(&row);
            listed += 1;
        }
        if listed > 0 {
            out.push_str(&heading);
            out.push_str(&rows);
            out.push_str(&fix);
        }
    }
    omitted_note(&mut out, &budget, findings.len(), max_bytes);
    out
}

/// Says what the size cap left out, and where to find it.
fn omitted_note(out: &mut String, budget: &Budget, findings: usize, max_bytes: Option<usize>) {
    if budget.omitted_findings == 0 && budget.omitted_fixed == 0 {
        return;
    }
    let _ = writeln!(
        out,
        "\n> **Not listed: {} of {findings} findings and {} fixed results**, to keep this report under {} bytes \
         (`--markdown-max-bytes`; GitHub refuses a job summary over 1 MiB). The counts above include them; \
         the JSON and SARIF reports list them all.",
        budget.omitted_findings,
        budget.omitted_fixed,
        max_bytes.unwrap_or_default()
    );
}

/// Baseline failures that pass now or are gone (only with `--baseline`).
fn fixed_section(out: &mut String, audit: &Audit, budget: &mut Budget) {
    let Some(b) = &audit.baseline else { return };
    if b.fixed.is_empty() {
        return;
    }
    out.push_str("\n## Fixed since the baseline\n\n| rule | account | region | resource | baseline message |\n|---|---|---|---|---|\n");
    for f in &b.fixed {
        let row = format!(
            "| {} | {} | {} | {} | {} |\n",
            md(&f.rule_id),
            md(&f.account),
            md(f.region.as_deref().unwrap_or("global")),
            md(&f.resource),
            md(&f.message)
        );
        if budget.omitted_fixed > 0 || !budget.fits(out, row.len()) {
            budget.omitted_fixed += 1;
            continue;
        }
        out.push_str(&row);
    }
}
