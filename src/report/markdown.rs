//! The Markdown report, for CI job summaries (`$GITHUB_STEP_SUMMARY`). Every
//! string that comes from AWS goes through [`escape::markdown`].

use std::fmt::Write;

use super::escape::markdown as md;
use super::is_finding;
use crate::policy::frameworks::ControlStatus;
use crate::policy::{Audit, Status};

fn icon(status: Status) -> &'static str {
    match status {
        Status::Pass => "✅ pass",
        Status::Fail => "❌ fail",
        Status::Error => "⚠️ error",
        Status::Waived => "💤 waived",
    }
}

pub fn render(audit: &Audit) -> String {
    let s = audit.summary();
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
    let _ = writeln!(out, "| {} | {} | {} | {} | {} |\n", s.by_status["pass"], s.by_status["fail"], s.by_status["error"], s.by_status["waived"], audit.fail_on);
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

    fixed_section(&mut out, audit);
    let findings: Vec<_> = audit.results.iter().filter(|r| is_finding(r.status)).collect();
    if findings.is_empty() {
        out.push_str("\nNo findings: every examined subject passes.\n");
        return out;
    }
    out.push_str("\n## Findings\n");
    for rule in &audit.rules {
        let of_rule: Vec<_> = findings.iter().filter(|r| r.rule_id == rule.id()).collect();
        if of_rule.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n### {} {} ({})\n", rule.id(), md(&rule.meta.title), rule.severity());
        out.push_str("| status | account | region | resource | message |\n|---|---|---|---|---|\n");
        for r in of_rule {
            let _ = writeln!(
                out,
                "| {}{} | {} | {} | {} | {} |",
                icon(r.status),
                r.baseline.map_or(String::new(), |b| format!(" ({})", b.as_str())),
                md(&r.account),
                md(r.region.as_deref().unwrap_or("global")),
                md(&r.resource),
                md(&r.message)
            );
        }
        // Remediation is our own Markdown (rule metadata), not AWS data.
        let _ = writeln!(out, "\nFix: {}", rule.meta.custom.remediation.console.trim().replace('\n', " "));
    }
    out
}

/// Baseline failures that pass now or are gone (only with `--baseline`).
fn fixed_section(out: &mut String, audit: &Audit) {
    let Some(b) = &audit.baseline else { return };
    if b.fixed.is_empty() {
        return;
    }
    out.push_str("\n## Fixed since the baseline\n\n| rule | account | region | resource | baseline message |\n|---|---|---|---|---|\n");
    for f in &b.fixed {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            md(&f.rule_id),
            md(&f.account),
            md(f.region.as_deref().unwrap_or("global")),
            md(&f.resource),
            md(&f.message)
        );
    }
}
