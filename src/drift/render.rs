//! Text and Markdown drift reports (JSON is [`DriftReport::to_json`]). Every
//! string that may come from AWS (names, ARNs, patterns) is escaped for its medium.

use std::fmt::Write;

use super::{Change, DriftReport};
use crate::finding::Outcome;
use crate::report::{escape_markdown as md, escape_terminal as term};

fn path(r: &super::SnapshotRef) -> &str {
    r.path.as_deref().unwrap_or("-")
}

pub fn text(report: &DriftReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "trailaudit diff: {} ({}) → {} ({})",
        term(path(&report.old)),
        report.old.collected_at,
        term(path(&report.new)),
        report.new.collected_at
    );
    let sections: [(&str, &[Change]); 3] =
        [("Drift", &report.drift), ("Improvements", &report.improvements), ("Could not compare", &report.unverifiable)];
    for (title, changes) in sections {
        if changes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title} ({}):", changes.len());
        for c in changes {
            let _ = writeln!(
                out,
                "  [{}] {} {} {}\n      {}",
                c.severity,
                term(&c.account),
                term(c.region.as_deref().unwrap_or("global")),
                term(&c.resource),
                term(&c.message)
            );
            if c.before != "unknown" || c.after != "unknown" {
                let _ = writeln!(out, "      before: {}\n      after:  {}", term(&c.before), term(&c.after));
            }
        }
    }
    let s = &report.summary;
    let _ = writeln!(out, "\n{} drift, {} improvement(s), {} not comparable", s.drift, s.improvements, s.unverifiable);
    out
}

pub fn markdown(report: &DriftReport) -> String {
    let mut out = String::new();
    let verdict = match report.exit_code() {
        Outcome::Clean => "✅ no drift",
        Outcome::Failed => "❌ drift",
        Outcome::Incomplete | Outcome::BadInput => "⚠️ incomplete comparison",
    };
    let _ = writeln!(out, "# trailaudit diff: {verdict}\n");
    let _ = writeln!(
        out,
        "{} (collected {}) → {} (collected {}).\n",
        md(path(&report.old)),
        report.old.collected_at,
        md(path(&report.new)),
        report.new.collected_at
    );
    let s = &report.summary;
    let _ = writeln!(
        out,
        "| drift | improvements | not comparable |\n|---:|---:|---:|\n| {} | {} | {} |",
        s.drift, s.improvements, s.unverifiable
    );
    let sections: [(&str, &[Change]); 3] =
        [("Drift", &report.drift), ("Improvements", &report.improvements), ("Could not compare", &report.unverifiable)];
    for (title, changes) in sections {
        if changes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n## {title}\n");
        out.push_str("| severity | account | region | resource | change | before | after |\n|---|---|---|---|---|---|---|\n");
        for c in changes {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                c.severity,
                md(&c.account),
                md(c.region.as_deref().unwrap_or("global")),
                md(&c.resource),
                md(&c.message),
                md(&c.before),
                md(&c.after)
            );
        }
    }
    if report.drift.is_empty() && report.improvements.is_empty() && report.unverifiable.is_empty() {
        out.push_str("\nNothing that matters changed between the two snapshots.\n");
    }
    out
}
