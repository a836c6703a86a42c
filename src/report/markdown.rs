//! The Markdown report, for CI job summaries (`$GITHUB_STEP_SUMMARY`), in
//! triage order: the summary (what decided the exit code, counts by status
//! and severity, missing permissions), the findings most severe first with
//! their complete fix (console steps and the CLI commands), failures of one
//! shared cause as one finding; then the framework's controls, the rules
//! table and the results fixed since the baseline. Every string that comes
//! from AWS goes through [`escape::markdown`].

use std::fmt::Write;

use super::escape::markdown as md;
use super::triage_order::{self, Finding};
use crate::finding::{Audit, ControlStatus, Outcome, Rule, RuleResult, Severity, Status};

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

/// The rows of findings, passes and fixed results that fit under a size cap.
/// GitHub refuses a job summary over 1 MiB, and an organisation's failures
/// can fill more: the rows that fit are listed, the rest counted. `reserved`
/// is the room kept for what must follow whole (the rules table).
struct Budget {
    limit: Option<usize>,
    reserved: usize,
    omitted_findings: usize,
    omitted_passes: usize,
    omitted_fixed: usize,
}

impl Budget {
    /// Does a row of `len` bytes still fit after `out`?
    fn fits(&self, out: &str, len: usize) -> bool {
        self.limit.is_none_or(|max| out.len() + len + self.reserved + NOTE_ROOM <= max)
    }
}

/// `max_bytes` caps the report (`--markdown-max-bytes`); `None` lists
/// everything. Findings come most severe first, so what a cap leaves out is
/// the least severe.
pub fn render(audit: &Audit, max_bytes: Option<usize>, show_passes: bool) -> String {
    let full = render_within(audit, None, show_passes);
    match max_bytes {
        Some(max) if full.len() > max => render_within(audit, Some(max), show_passes),
        _ => full,
    }
}

/// A fenced code block that `text` cannot close early.
fn code_block(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}sh\n{}\n{fence}\n", text.trim_end())
}

/// `Fix:` with the console steps (the pack's own Markdown), then the CLI commands.
fn fix_text(console: &str, cli: &str) -> String {
    let mut fix = format!("\nFix: {}\n", console.trim().replace('\n', " "));
    if !cli.trim().is_empty() {
        fix.push('\n');
        fix.push_str(&code_block(cli));
    }
    fix
}

fn render_within(audit: &Audit, max_bytes: Option<usize>, show_passes: bool) -> String {
    let mut budget = Budget { limit: max_bytes, reserved: 0, omitted_findings: 0, omitted_passes: 0, omitted_fixed: 0 };
    let mut out = head(audit);
    let tail = tables(audit);
    budget.reserved = tail.len();

    let findings = triage_order::findings(audit);
    // Rows: a grouped finding has one per subject, for all its rules.
    let finding_rows: usize = findings.iter().map(|f| if f.cause.is_some() { f.subjects().len() } else { f.results.len() }).sum();
    if findings.is_empty() {
        out.push_str("No findings: every examined subject passes.\n");
    } else {
        out.push_str("## Findings\n");
        for f in &findings {
            finding(&mut out, &audit.rules, audit.missing_permissions.is_empty(), f, &mut budget);
        }
    }
    passes(&mut out, audit, show_passes, &mut budget);
    out.push_str(&tail);
    budget.reserved = 0;
    fixed_section(&mut out, audit, &mut budget);
    out_of_window_section(&mut out, audit, &mut budget);
    omitted_note(&mut out, &budget, finding_rows, max_bytes);
    out
}

/// Verdict, what decided the exit code, counts by status and severity.
fn head(audit: &Audit) -> String {
    let c = triage_order::counts(audit);
    let mut out = String::new();
    let verdict = match audit.outcome() {
        Outcome::Clean => "✅ compliant",
        Outcome::Failed => "❌ failing",
        Outcome::Incomplete | Outcome::BadInput => "⚠️ incomplete",
    };
    let _ = writeln!(out, "# trailaudit: {verdict}\n");
    let _ = writeln!(
        out,
        "{} account(s), {} region(s), snapshot collected {}.\n",
        audit.account_ids.len(),
        audit.metadata.regions.len(),
        audit.metadata.collected_at.format("%Y-%m-%d %H:%M UTC")
    );
    let _ = writeln!(out, "**{}**\n", md(&triage_order::exit_reason(audit)));
    out.push_str(
        "| failed | errors | waived | passed | rules | fail-on | failing at or above fail-on |\n|---:|---:|---:|---:|---:|---|---:|\n",
    );
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} | {} |\n",
        c.by_status.fail,
        c.by_status.error,
        c.by_status.waived,
        c.by_status.pass,
        audit.rules.len(),
        audit.fail_on,
        if audit.fail_on.severity().is_some() { c.at_or_above.to_string() } else { "–".to_owned() }
    );
    let severities: Vec<&str> = Severity::ALL.iter().map(|s| s.as_str()).collect();
    let _ = writeln!(out, "Failing by severity:\n\n| {} |", severities.join(" | "));
    let _ = writeln!(out, "|{}", "---:|".repeat(severities.len()));
    let counts: Vec<String> = Severity::ALL.iter().map(|s| c.failing_by_severity[s].to_string()).collect();
    let _ = writeln!(out, "| {} |\n", counts.join(" | "));
    if let Some(line) = triage_order::missing_permissions_line(audit) {
        let _ = writeln!(out, "⚠️ {}\n", md(&line));
    }
    if let (Some(b), Some(counts)) = (&audit.baseline, audit.summary().baseline) {
        let _ = writeln!(
            out,
            "Compared with baseline {}: **{} new** failing, {} unchanged, {} fixed{}{}.\n",
            md(&b.path.display().to_string()),
            counts.new,
            counts.unchanged,
            counts.fixed,
            if counts.out_of_window > 0 {
                format!(", {} out of the event-history window (still open)", counts.out_of_window)
            } else {
                String::new()
            },
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
    out
}

fn row(r: &RuleResult, message: &str) -> String {
    format!(
        "| {}{} | {} | {} | {} | {} |\n",
        icon(r.status),
        r.baseline.map_or(String::new(), |b| format!(" ({})", b.as_str())),
        md(&r.account),
        md(r.region.as_deref().unwrap_or("global")),
        md(&r.resource),
        md(message)
    )
}

const TABLE_HEAD: &str = "| status | account | region | resource | message |\n|---|---|---|---|---|\n";

fn finding(out: &mut String, rules: &[Rule], none_missing: bool, f: &Finding<'_>, budget: &mut Budget) {
    let (heading, rows, fix): (String, Vec<String>, String) = match &f.cause {
        None => {
            let rule = f.rules.first();
            let id = rule.map_or_else(|| f.results[0].rule_id.clone(), |r| r.id().to_owned());
            let title = rule.map_or(String::new(), |r| md(&r.meta.title));
            let heading = format!("\n### {id} {title} ({})\n\n{TABLE_HEAD}", f.severity);
            let rows = f.results.iter().map(|r| row(r, &r.message)).collect();
            let fix = match rule {
                // An error is fixed by collecting what is missing, not by the rule's remediation.
                _ if f.status == Status::Error && !none_missing => format!("\nFix: {}.\n", super::text::ERROR_FIX),
                Some(rule) if f.status == Status::Fail => {
                    fix_text(&rule.meta.custom.remediation.console, &rule.meta.custom.remediation.cli)
                }
                _ => String::new(),
            };
            (heading, rows, fix)
        }
        Some(cause) => {
            let ids: Vec<&str> = f.rules.iter().map(|r| r.id()).collect();
            let controls: Vec<String> = f.controls().into_iter().map(|(k, ids)| format!("{} {}", md(k), md(&ids.join(", ")))).collect();
            let what = if f.status == Status::Error {
                format!("{} rules not judged", ids.len())
            } else {
                format!("one cause of {} failing rules", ids.len())
            };
            let mut heading = format!("\n### {} ({}; {what})\n\nRules: {}.", md(&cause.title), f.severity, ids.join(", "));
            if !controls.is_empty() {
                let _ = write!(heading, " Controls: {}.", controls.join("; "));
            }
            heading.push_str("\n\n");
            heading.push_str(TABLE_HEAD);
            let rows = f
                .subjects()
                .into_iter()
                .map(|r| {
                    let key = (r.account.clone(), r.region.clone(), r.resource.clone());
                    row(r, cause.details.get(&key).map_or(r.message.as_str(), String::as_str))
                })
                .collect();
            let mut fix = String::new();
            for (n, id) in cause.fixed_by.iter().enumerate() {
                match rules.iter().find(|r| r.id() == id) {
                    Some(rule) => {
                        let r = &rule.meta.custom.remediation;
                        let _ = writeln!(
                            fix,
                            "\nFix the cause ({}), **{}** {}: {}\n",
                            n + 1,
                            rule.id(),
                            md(&rule.meta.title),
                            r.console.trim().replace('\n', " ")
                        );
                        fix.push_str(&code_block(&r.cli));
                    }
                    None => {
                        let _ = writeln!(fix, "\nFix the cause ({}): the steps of {}, `trailaudit rules {}`.", n + 1, md(id), md(id));
                    }
                }
            }
            if f.status == Status::Error {
                if !none_missing {
                    let _ = writeln!(fix, "\nFix: {}.", super::text::ERROR_FIX);
                }
            } else {
                let _ = writeln!(fix, "\n<details><summary>Each rule's own steps ({} rules)</summary>\n", ids.len());
                for rule in &f.rules {
                    let r = &rule.meta.custom.remediation;
                    let _ = writeln!(fix, "**{}** {}: {}\n", rule.id(), md(&rule.meta.title), r.console.trim().replace('\n', " "));
                    fix.push_str(&code_block(&r.cli));
                    fix.push('\n');
                }
                fix.push_str("</details>\n");
            }
            (heading, rows, fix)
        }
    };
    let mut listed = String::new();
    for r in rows {
        if budget.omitted_findings > 0 || !budget.fits(out, heading.len() + listed.len() + r.len() + fix.len()) {
            budget.omitted_findings += 1;
            continue;
        }
        listed.push_str(&r);
    }
    if !listed.is_empty() {
        out.push_str(&heading);
        out.push_str(&listed);
        out.push_str(&fix);
    }
}

/// Passing results, listed only with `--show-passes` (the rules table counts them).
fn passes(out: &mut String, audit: &Audit, show_passes: bool, budget: &mut Budget) {
    if !show_passes {
        return;
    }
    let passing: Vec<&RuleResult> = audit.results.iter().filter(|r| r.status == Status::Pass).collect();
    if passing.is_empty() {
        return;
    }
    let heading = "\n## Passes\n\n| rule | account | region | resource | message |\n|---|---|---|---|---|\n";
    let rows = passing.iter().map(|r| subject_row(&r.rule_id, &r.account, r.region.as_deref(), &r.resource, &r.message));
    budget.omitted_passes += budgeted_table(out, budget, heading, rows, budget.omitted_passes > 0);
}

/// One `| rule | account | region | resource | message |` row, every cell escaped.
fn subject_row(rule_id: &str, account: &str, region: Option<&str>, resource: &str, message: &str) -> String {
    format!("| {} | {} | {} | {} | {} |\n", md(rule_id), md(account), md(region.unwrap_or("global")), md(resource), md(message))
}

/// Appends `heading` and as many `rows` as the size budget leaves room for
/// (none once one did not fit, or when `omitting` already); nothing when no
/// row fits. Returns how many rows were left out.
fn budgeted_table(out: &mut String, budget: &Budget, heading: &str, rows: impl Iterator<Item = String>, omitting: bool) -> usize {
    let mut listed = String::new();
    let mut omitted = 0;
    for row in rows {
        if omitting || omitted > 0 || !budget.fits(out, heading.len() + listed.len() + row.len()) {
            omitted += 1;
            continue;
        }
        listed.push_str(&row);
    }
    if !listed.is_empty() {
        out.push_str(heading);
        out.push_str(&listed);
    }
    omitted
}

/// The framework's controls (with `--framework`) and one row per rule: always whole.
fn tables(audit: &Audit) -> String {
    let mut out = String::new();
    if let Some(f) = &audit.framework {
        let _ = writeln!(out, "\n## {}\n", md(&f.title));
        out.push_str("| control | title | status | rules |\n|---|---|---|---|\n");
        for c in &f.controls {
            let status = match c.status {
                ControlStatus::Pass => "✅ pass",
                ControlStatus::Fail => "❌ fail",
                ControlStatus::Error => "⚠️ error",
                ControlStatus::Waived => "💤 waived",
                ControlStatus::NotCovered => "➖ not covered",
                ControlStatus::NoSubjects => "➖ no subjects",
                ControlStatus::Manual => "✋ manual",
            };
            let mut rules = c.note.clone().map_or_else(|| c.rules.join(", "), |n| md(&n));
            if c.manual.is_some() && c.status != ControlStatus::Manual {
                rules.push_str(" (manual in the benchmark)");
            }
            let _ = writeln!(out, "| {} | {} | {status} | {rules} |", md(&c.id), md(&c.title));
        }
    }
    out.push_str(
        "\n## Rules\n\n| rule | severity | title | result | failed | errors | waived | passed |\n|---|---|---|---|---:|---:|---:|---:|\n",
    );
    let tally = audit.tally();
    for rule in &audit.rules {
        let count = |st: Status| tally.of_rule(rule.id(), st);
        let (fail, error, waived, pass) = (count(Status::Fail), count(Status::Error), count(Status::Waived), count(Status::Pass));
        let result = if fail > 0 {
            icon(Status::Fail)
        } else if error > 0 {
            icon(Status::Error)
        } else if waived > 0 {
            icon(Status::Waived)
        } else if pass > 0 {
            icon(Status::Pass)
        } else {
            "➖ no subjects"
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {result} | {fail} | {error} | {waived} | {pass} |",
            rule.id(),
            rule.severity(),
            md(&rule.meta.title),
        );
    }
    out
}

/// Says what the size cap left out, and where to find it.
fn omitted_note(out: &mut String, budget: &Budget, findings: usize, max_bytes: Option<usize>) {
    if budget.omitted_findings == 0 && budget.omitted_fixed == 0 && budget.omitted_passes == 0 {
        return;
    }
    let passes = if budget.omitted_passes > 0 { format!(", {} passes", budget.omitted_passes) } else { String::new() };
    let _ = writeln!(
        out,
        "\n> **Not listed: {} of {findings} findings{passes} and {} fixed or out-of-window results**, to keep this report under {} bytes \
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
    let heading = "\n## Fixed since the baseline\n\n| rule | account | region | resource | baseline message |\n|---|---|---|---|---|\n";
    let rows = b.fixed.iter().map(|f| subject_row(&f.rule_id, &f.account, f.region.as_deref(), &f.resource, &f.message));
    budget.omitted_fixed += budgeted_table(out, budget, heading, rows, budget.omitted_fixed > 0);
}

/// Baseline event findings older than this snapshot's event-history window
/// (only with `--baseline`): not seen, so not fixed. Budgeted with the fixed rows.
fn out_of_window_section(out: &mut String, audit: &Audit, budget: &mut Budget) {
    let Some(b) = &audit.baseline else { return };
    if b.out_of_window.is_empty() {
        return;
    }
    let heading = format!(
        "\n## Out of the event-history window\n\nBaseline findings about events before {}, which this snapshot's event history does not reach: \
         not fixed, still open.\n\n| rule | account | region | resource | baseline message |\n|---|---|---|---|---|\n",
        b.window_start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    let rows = b.out_of_window.iter().map(|o| {
        let f = &o.finding;
        subject_row(&f.rule_id, &f.account, f.region.as_deref(), &f.resource, &f.message)
    });
    budget.omitted_fixed += budgeted_table(out, budget, &heading, rows, budget.omitted_fixed > 0);
}

#[cfg(test)]
mod tests {
    use super::{Budget, NOTE_ROOM, budgeted_table};

    fn budget(limit: Option<usize>) -> Budget {
        Budget { limit, reserved: 0, omitted_findings: 0, omitted_passes: 0, omitted_fixed: 0 }
    }

    fn rows() -> impl Iterator<Item = String> {
        ["| a |\n", "| b |\n", "| c |\n"].into_iter().map(String::from)
    }

    #[test]
    fn a_capped_table_lists_what_fits_then_counts_every_later_row() {
        let heading = "H\n";
        // Room for the heading and two rows of six bytes, not the third.
        let b = budget(Some(NOTE_ROOM + heading.len() + 12));
        let mut out = String::new();
        assert_eq!(budgeted_table(&mut out, &b, heading, rows(), false), 1);
        assert_eq!(out, "H\n| a |\n| b |\n");

        let mut out = String::new();
        assert_eq!(budgeted_table(&mut out, &budget(None), heading, rows(), false), 0);
        assert_eq!(out, "H\n| a |\n| b |\n| c |\n");
    }

    #[test]
    fn a_table_after_an_omission_is_counted_not_written() {
        let mut out = String::new();
        assert_eq!(budgeted_table(&mut out, &budget(None), "H\n", rows(), true), 3);
        assert!(out.is_empty(), "no heading without rows: {out:?}");
    }
}
