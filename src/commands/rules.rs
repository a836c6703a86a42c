//! `trailaudit rules [ID]`: the catalogue, or one rule in full; and
//! `trailaudit frameworks [KEY]`: the frameworks, their controls and the rules
//! mapped to each.

use std::fmt::Write;

use super::{emit, load_pack};
use crate::catalogue;
use crate::cli::{CatalogueFormat, FrameworksArgs, RulesArgs};
use crate::finding::Rule;
use crate::pack::frameworks::{self, Framework};

pub fn run(args: RulesArgs) -> anyhow::Result<u8> {
    let pack = load_pack(&args.policy.policy_dirs)?;
    let text = match &args.id {
        Some(id) => {
            let rule = pack
                .rules
                .iter()
                .find(|r| r.id().eq_ignore_ascii_case(id))
                .ok_or_else(|| anyhow::anyhow!("no rule `{id}` in the pack (`trailaudit rules` lists them)"))?;
            match args.format {
                CatalogueFormat::Json => {
                    let mut out = serde_json::to_string_pretty(&serde_json::json!({
                        "id": rule.id(), "source": rule.source_path, "title": rule.meta.title,
                        "description": rule.meta.description, "custom": rule.meta.custom,
                    }))
                    .expect("metadata serializes");
                    out.push('\n');
                    out
                }
                CatalogueFormat::Text | CatalogueFormat::Markdown => one_rule(rule),
            }
        }
        None => match args.format {
            CatalogueFormat::Text => catalogue::text(&pack.rules),
            CatalogueFormat::Json => catalogue::json(&pack.rules),
            CatalogueFormat::Markdown => catalogue::markdown(&pack.rules),
        },
    };
    emit(&text, None)?;
    Ok(0)
}

/// Everything METADATA says about one rule, for a person fixing its finding.
fn one_rule(rule: &Rule) -> String {
    let m = &rule.meta;
    let c = &m.custom;
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::new();
    let _ = writeln!(out, "{} {}", rule.id(), m.title);
    let _ = writeln!(out, "severity:    {}", c.severity);
    let _ = writeln!(out, "judges:      one result per {}", c.subject);
    let _ = writeln!(out, "source:      {}:{}", rule.source_path, rule.metadata_line);
    if c.deprecated {
        let _ = writeln!(out, "deprecated:  kept so its id stays taken; not evaluated");
    }
    let _ = writeln!(out, "\n{}", flat(&m.description));
    let _ = writeln!(out, "\nFrameworks:");
    if c.frameworks.is_empty() {
        let _ = writeln!(out, "  (none)");
    }
    for (key, ids) in &c.frameworks {
        let _ = writeln!(out, "  {key}: {}", ids.join(", "));
    }
    let _ = writeln!(out, "\nRequires (a failed call makes its results `error`):");
    for action in &c.requires {
        let _ = writeln!(out, "  {action}");
    }
    let _ = writeln!(out, "\nRemediation (console):\n  {}", flat(&c.remediation.console));
    let _ = writeln!(out, "\nRemediation (CLI):");
    for line in c.remediation.cli.lines().filter(|l| !l.trim().is_empty()) {
        let _ = writeln!(out, "  {}", line.trim());
    }
    if !m.related_resources.is_empty() {
        let _ = writeln!(out, "\nSee:");
        for r in &m.related_resources {
            let _ = writeln!(out, "  {}", r.url());
        }
    }
    out
}

pub fn frameworks(args: FrameworksArgs) -> anyhow::Result<u8> {
    let pack = load_pack(&args.policy.policy_dirs)?;
    let all = frameworks::builtin();
    let chosen: Vec<&Framework> = match &args.key {
        Some(key) => vec![all.iter().find(|f| &f.key == key).ok_or_else(|| {
            let known: Vec<&str> = all.iter().map(|f| f.key.as_str()).collect();
            anyhow::anyhow!("unknown framework `{key}` (known: {})", known.join(", "))
        })?],
        None => all.iter().collect(),
    };
    let live: Vec<&Rule> = pack.rules.iter().filter(|r| !r.meta.custom.deprecated).collect();
    let rules_of = |f: &Framework, control: &str| -> Vec<String> {
        live.iter()
            .filter(|r| r.meta.custom.frameworks.get(&f.key).is_some_and(|ids| ids.iter().any(|id| id == control)))
            .map(|r| r.id().to_owned())
            .collect()
    };
    let text = match args.format {
        CatalogueFormat::Json => {
            let value: Vec<serde_json::Value> = chosen
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "key": f.key, "title": f.title, "url": f.url,
                        "controls": f.controls.iter().map(|c| serde_json::json!({
                            "id": c.id, "title": c.title, "rules": rules_of(f, &c.id), "not_covered": c.not_covered, "manual": c.manual,
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let mut out = serde_json::to_string_pretty(&value).expect("frameworks serialize");
            out.push('\n');
            out
        }
        CatalogueFormat::Text | CatalogueFormat::Markdown => {
            let mut out = String::new();
            for (i, f) in chosen.iter().enumerate() {
                let covered = f.controls.iter().filter(|c| !rules_of(f, &c.id).is_empty()).count();
                if i > 0 {
                    out.push('\n');
                }
                let _ = writeln!(out, "{}  {} ({covered} of {} controls judged)", f.key, f.title, f.controls.len());
                for c in &f.controls {
                    let rules = rules_of(f, &c.id);
                    let mapped = match (rules.is_empty(), &c.manual) {
                        (true, Some(manual)) => format!("manual: {manual}"),
                        (true, None) => format!("not covered: {}", c.not_covered.as_deref().unwrap_or("no rule of the pack serves it")),
                        (false, Some(_)) => format!("{}; manual in the benchmark", rules.join(", ")),
                        (false, None) => rules.join(", "),
                    };
                    let _ = writeln!(out, "  {:<14} {}  [{mapped}]", c.id, c.title);
                }
            }
            let _ = writeln!(out, "\n`trailaudit audit --framework KEY` judges one framework with a per-control summary.");
            out
        }
    };
    emit(&text, None)?;
    Ok(0)
}
