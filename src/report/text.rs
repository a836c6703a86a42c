//! The terminal report, in triage order: the summary (counts by status and
//! severity, what decided the exit code, missing permissions), then the
//! findings most severe first with their fix, failures of one shared cause as
//! one finding; passes counted (listed with `--show-passes`); the framework's
//! controls, fixed results and warnings after; a closing summary line.
//! Colour only when asked (a TTY).

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::escape::terminal as esc;
use super::triage_order::{self, Finding};
use crate::finding::ControlStatus;
use crate::finding::{Audit, RuleResult, Severity, Status};

struct Painter {
    color: bool,
}

impl Painter {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color { format!("{}{text}{}", style.render(), style.render_reset()) } else { text.to_owned() }
    }
    fn status(&self, status: Status) -> String {
        let (label, color) = match status {
            Status::Pass => ("PASS", AnsiColor::Green),
            Status::Fail => ("FAIL", AnsiColor::Red),
            Status::Error => ("ERROR", AnsiColor::Yellow),
            Status::Waived => ("WAIVED", AnsiColor::Blue),
        };
        self.paint(Style::new().fg_color(Some(color.into())).bold(), &format!("{label:<6}"))
    }
    fn severity(&self, severity: Severity) -> String {
        let label = format!("{:<8}", severity.as_str().to_uppercase());
        match severity {
            Severity::Critical | Severity::High => self.paint(Style::new().fg_color(Some(AnsiColor::Red.into())).bold(), &label),
            Severity::Medium => self.paint(Style::new().fg_color(Some(AnsiColor::Yellow.into())).bold(), &label),
            Severity::Low | Severity::Info => self.paint(Style::new().bold(), &label),
        }
    }
}

/// The fix of an `error` finding when calls were denied: its rule's
/// remediation is for a failure, not for data that was never read.
pub(super) const ERROR_FIX: &str =
    "not judged: where the message names a denied call, grant the missing permissions above and collect again";

/// Indentation of a result's message and of remediation lines.
const INDENT: &str = "         ";

pub fn render(audit: &Audit, color: bool, show_passes: bool) -> String {
    let p = Painter { color };
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} account(s), {} region(s), collected {}",
        p.paint(bold, "trailaudit"),
        audit.account_ids.len(),
        audit.metadata.regions.len(),
        audit.metadata.collected_at.format("%Y-%m-%d %H:%M UTC")
    );
    summary(&mut out, audit, &p);

    let findings = triage_order::findings(audit);
    if findings.is_empty() {
        let _ = writeln!(out, "\nNo findings: every examined subject passes.");
    } else {
        let groups: Vec<&Finding<'_>> = findings.iter().filter(|f| f.cause.is_some()).collect();
        let grouped: usize = groups.iter().map(|f| f.results.len()).sum();
        let note = match groups.len() {
            0 => String::new(),
            1 => format!("; {grouped} results sharing one cause shown as one finding"),
            n => format!("; {grouped} results sharing {n} causes shown as {n} findings"),
        };
        let _ = writeln!(out, "\n{} {}, most severe first{note}", p.paint(bold, "Findings:"), findings.len());
        for f in &findings {
            finding(&mut out, audit, f, &p);
        }
    }
    passes(&mut out, audit, show_passes, &p);

    if let Some(f) = &audit.framework {
        let _ = writeln!(out, "\n{}", p.paint(bold, &f.title));
        for c in &f.controls {
            let label = match c.status {
                ControlStatus::Pass => p.status(Status::Pass),
                ControlStatus::Fail => p.status(Status::Fail),
                ControlStatus::Error => p.status(Status::Error),
                ControlStatus::Waived => p.status(Status::Waived),
                ControlStatus::NotCovered => p.paint(dim, "NOT COVERED"),
                ControlStatus::NoSubjects => p.paint(dim, "NO SUBJECTS"),
                ControlStatus::Manual => p.paint(dim, "MANUAL"),
            };
            let mut detail = c.note.clone().unwrap_or_else(|| format!("rules {}", c.rules.join(", ")));
            if c.manual.is_some() && c.status != ControlStatus::Manual {
                detail.push_str("; manual in the benchmark");
            }
            let _ = writeln!(out, "  {:<14} {label} {}  {}", c.id, c.title, p.paint(dim, &detail));
        }
    }
    if let Some(b) = &audit.baseline
        && !b.fixed.is_empty()
    {
        let _ = writeln!(out, "\n{}", p.paint(bold, "Fixed since the baseline"));
        for f in &b.fixed {
            let region = f.region.as_deref().unwrap_or("global");
            let _ = writeln!(out, "  FIXED  {} {} {} {}", esc(&f.rule_id), esc(&f.account), esc(region), esc(&f.resource));
        }
    }
    if let Some(b) = &audit.baseline
        && !b.out_of_window.is_empty()
    {
        let since = b.window_start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let _ = writeln!(out, "\n{}", p.paint(bold, &format!("Out of the event-history window (events before {since}; still open)")));
        for o in &b.out_of_window {
            let f = &o.finding;
            let region = f.region.as_deref().unwrap_or("global");
            let _ = writeln!(out, "  OUT OF WINDOW  {} {} {} {}", esc(&f.rule_id), esc(&f.account), esc(region), esc(&f.resource));
        }
    }
    if !audit.warnings.is_empty() {
        let _ = writeln!(out, "\n{}", p.paint(bold, "Warnings"));
        for w in &audit.warnings {
            let _ = writeln!(out, "  {} {}", p.paint(Style::new().fg_color(Some(AnsiColor::Yellow.into())), "WARN"), esc(&w.message));
        }
    }
    let s = audit.summary();
    let _ = writeln!(
        out,
        "\nSummary: {} passed, {} failed, {} error, {} waived ({} results; fail-on {}; exit {})",
        s.by_status.pass,
        s.by_status.fail,
        s.by_status.error,
        s.by_status.waived,
        s.total,
        audit.fail_on,
        audit.outcome().code()
    );
    out
}

/// The head of the report: what a person needs before any finding.
fn summary(out: &mut String, audit: &Audit, p: &Painter) {
    let c = triage_order::counts(audit);
    let _ = writeln!(
        out,
        "\nResults:  {} failed, {} error, {} waived, {} passed ({} results of {} rules)",
        c.by_status.fail,
        c.by_status.error,
        c.by_status.waived,
        c.by_status.pass,
        c.total,
        audit.rules.len()
    );
    let by_severity: Vec<String> = Severity::ALL.iter().map(|s| format!("{} {s}", c.failing_by_severity[s])).collect();
    let _ = writeln!(out, "Failing:  {}", by_severity.join(", "));
    match audit.fail_on.severity() {
        Some(s) => {
            let _ = writeln!(out, "Fail-on:  {s}: {} failing at or above it", c.at_or_above);
        }
        None => {
            let _ = writeln!(out, "Fail-on:  none: findings are reported, never fail the run");
        }
    }
    if let Some(counts) = audit.summary().baseline {
        let window = if counts.out_of_window > 0 { format!(", {} out of the window", counts.out_of_window) } else { String::new() };
        let _ = writeln!(out, "Baseline: {} new failing, {} unchanged, {} fixed{window}", counts.new, counts.unchanged, counts.fixed);
    }
    if let Some(line) = triage_order::missing_permissions_line(audit) {
        let _ = writeln!(out, "{line}");
    }
    if !audit.warnings.is_empty() {
        let _ = writeln!(out, "Warnings: {} (listed at the end)", audit.warnings.len());
    }
    let _ = writeln!(out, "{}", p.paint(Style::new().bold(), &triage_order::exit_reason(audit)));
}

fn subject_line(out: &mut String, p: &Painter, r: &RuleResult, message: &str) {
    let region = r.region.as_deref().unwrap_or("global");
    let state = r.baseline.map_or(String::new(), |b| format!("[{}] ", b.as_str()));
    let _ = writeln!(out, "  {} {state}{} {} {}", p.status(r.status), esc(&r.account), esc(region), esc(&r.resource));
    let _ = writeln!(out, "{INDENT}{}", esc(message));
    if let Some(w) = &r.waiver {
        let _ = writeln!(out, "{INDENT}waived until {} (owner {}): {}", w.expires.as_deref().unwrap_or("-"), esc(&w.owner), esc(&w.reason));
    }
}

/// `Fix:` and `CLI:` lines; remediation text is the pack's (Markdown: its
/// bold marks are dropped), escaped for the terminal all the same.
fn fix_lines(out: &mut String, console: &str, cli: &str) {
    let console = console.split_whitespace().collect::<Vec<_>>().join(" ").replace("**", "");
    let _ = writeln!(out, "  Fix:   {}", esc(&console));
    for (i, line) in cli.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
        let _ = writeln!(out, "  {}{}", if i == 0 { "CLI:   " } else { "       " }, esc(line));
    }
}

fn finding(out: &mut String, audit: &Audit, f: &Finding<'_>, p: &Painter) {
    let bold = Style::new().bold();
    match &f.cause {
        None => {
            let rule = f.rules.first();
            let id = rule.map_or_else(|| f.results[0].rule_id.clone(), |r| r.id().to_owned());
            let title = rule.map_or("", |r| r.meta.title.as_str());
            let _ = writeln!(out, "\n{} {} {}", p.severity(f.severity), p.paint(bold, &id), esc(title));
            for r in &f.results {
                subject_line(out, p, r, &r.message);
            }
            match rule {
                // An error is fixed by collecting what is missing, not by the rule's remediation.
                _ if f.status == Status::Error && !audit.missing_permissions.is_empty() => {
                    let _ = writeln!(out, "  Fix:   {ERROR_FIX}");
                }
                Some(rule) if f.status == Status::Fail => {
                    fix_lines(out, &rule.meta.custom.remediation.console, &rule.meta.custom.remediation.cli);
                }
                _ => {}
            }
        }
        Some(cause) => {
            let ids: Vec<&str> = f.rules.iter().map(|r| r.id()).collect();
            let _ = writeln!(
                out,
                "\n{} {}  {}",
                p.severity(f.severity),
                p.paint(bold, &esc(&cause.title)),
                if f.status == Status::Error {
                    format!("({} rules not judged)", ids.len())
                } else {
                    format!("(one cause, {} failing rules)", ids.len())
                }
            );
            let _ = writeln!(out, "  rules:    {}", ids.join(", "));
            let controls: Vec<String> = f.controls().into_iter().map(|(k, ids)| format!("{k} {}", ids.join(", "))).collect();
            if !controls.is_empty() {
                let _ = writeln!(out, "  controls: {}", esc(&controls.join("; ")));
            }
            for r in f.subjects() {
                let key = (r.account.clone(), r.region.clone(), r.resource.clone());
                let detail = cause.details.get(&key).map_or(r.message.as_str(), String::as_str);
                subject_line(out, p, r, detail);
            }
            for (n, id) in cause.fixed_by.iter().enumerate() {
                match audit.rule(id) {
                    Some(rule) => {
                        let _ = writeln!(out, "  Fix the cause ({}), {} {}:", n + 1, rule.id(), esc(&rule.meta.title));
                        fix_lines(out, &rule.meta.custom.remediation.console, &rule.meta.custom.remediation.cli);
                    }
                    None => {
                        let _ = writeln!(out, "  Fix the cause ({}): the steps of {}, `trailaudit rules {}`", n + 1, esc(id), esc(id));
                    }
                }
            }
            if f.status == Status::Error {
                if !audit.missing_permissions.is_empty() {
                    let _ = writeln!(out, "  Fix:   {ERROR_FIX}");
                }
            } else {
                let _ = writeln!(
                    out,
                    "  Then each rule's own steps: `trailaudit rules {}` (and likewise for the others)",
                    ids.first().unwrap_or(&"")
                );
            }
        }
    }
}

/// Passes counted (or listed with `--show-passes`) and the rules with no subjects.
fn passes(out: &mut String, audit: &Audit, show_passes: bool, p: &Painter) {
    // Counted from the tally: a spilled audit's listed results hold passes only with --show-passes.
    let tally = audit.tally();
    let rules: Vec<&str> = tally.by_rule.iter().filter(|(_, c)| c.pass > 0).map(|(id, _)| id.as_str()).collect();
    if tally.by_status.pass > 0 {
        let hint = if show_passes { "" } else { "; --show-passes lists them" };
        let _ =
            writeln!(out, "\n{} {} results of {} rules{hint}", p.paint(Style::new().bold(), "Passed:"), tally.by_status.pass, rules.len());
        if show_passes {
            for r in audit.results.iter().filter(|r| r.status == Status::Pass) {
                let region = r.region.as_deref().unwrap_or("global");
                let _ =
                    writeln!(out, "  {} {} {} {} {}", p.status(r.status), esc(&r.rule_id), esc(&r.account), esc(region), esc(&r.resource));
                let _ = writeln!(out, "{INDENT}{}", esc(&r.message));
            }
        } else {
            let _ = writeln!(out, "  {}", rules.join(", "));
        }
    }
    let none = triage_order::no_subjects(audit);
    if !none.is_empty() {
        let _ = writeln!(
            out,
            "{} {} (nothing in this snapshot for them to judge)",
            p.paint(Style::new().bold(), "No subjects:"),
            none.join(", ")
        );
    }
}
