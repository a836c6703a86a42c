//! The terminal report: grouped by rule, findings listed, passes counted,
//! one summary line at the end. Colour only when asked (a TTY).

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::escape::terminal as esc;
use super::is_finding;
use crate::finding::ControlStatus;
use crate::finding::{Audit, Status};

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
}

pub fn render(audit: &Audit, color: bool) -> String {
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
    for rule in &audit.rules {
        let results: Vec<_> = audit.results.iter().filter(|r| r.rule_id == rule.id()).collect();
        let count = |s: Status| results.iter().filter(|r| r.status == s).count();
        let _ = writeln!(
            out,
            "\n{} [{}] {}  {}",
            p.paint(bold, rule.id()),
            rule.severity(),
            rule.meta.title,
            p.paint(
                dim,
                &format!(
                    "{} passed, {} failed, {} error, {} waived",
                    count(Status::Pass),
                    count(Status::Fail),
                    count(Status::Error),
                    count(Status::Waived)
                )
            )
        );
        if results.is_empty() {
            let _ = writeln!(out, "  {}", p.paint(dim, "no subjects in this snapshot"));
        }
        for r in results.iter().filter(|r| is_finding(r.status)) {
            let region = r.region.as_deref().unwrap_or("global");
            let state = r.baseline.map_or(String::new(), |b| format!("[{}] ", b.as_str()));
            let _ = writeln!(out, "  {} {state}{} {} {}", p.status(r.status), esc(&r.account), esc(region), esc(&r.resource));
            let _ = writeln!(out, "         {}", esc(&r.message));
            if let Some(w) = &r.waiver {
                let _ = writeln!(
                    out,
                    "         waived until {} (owner {}): {}",
                    w.expires.as_deref().unwrap_or("-"),
                    esc(&w.owner),
                    esc(&w.reason)
                );
            }
        }
    }
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
            };
            let detail = c.note.clone().unwrap_or_else(|| format!("rules {}", c.rules.join(", ")));
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
        s.by_status["pass"],
        s.by_status["fail"],
        s.by_status["error"],
        s.by_status["waived"],
        s.total,
        audit.fail_on,
        audit.outcome() as u8
    );
    if let Some(c) = s.baseline {
        let _ = writeln!(out, "Baseline: {} new failing, {} unchanged, {} fixed", c.new, c.unchanged, c.fixed);
    }
    out
}
