//! SARIF 2.1.0 for GitHub code scanning, built with the `serde-sarif` types.
//!
//! One result per failing or error subject (passes are not alerts; waived
//! results are emitted with an external suppression so they show as dismissed).
//! Results point at the line of their resource in the audited snapshot, and
//! carry a `partialFingerprints` entry derived from rule, account and resource
//! only, so an alert keeps its identity across runs even when lines move.
//!
//! With `--baseline`, results carry `baselineState` `new` or `unchanged`. Fixed
//! baseline failures are *not* emitted as `absent` results: GitHub code scanning
//! does not read `baselineState` and would open an alert for every such result,
//! and it already closes alerts whose fingerprint no longer appears. The JSON,
//! Markdown, text and JUnit reports list them instead.

use std::collections::BTreeMap;

use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Location, LogicalLocation, Message, MultiformatMessageString, PhysicalLocation, PropertyBag, Region,
    ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultBaselineState, ResultLevel, Run, Sarif, Suppression,
    SupressionKind, Tool, ToolComponent,
};

use crate::finding::{Audit, BaselineState, Rule, RuleResult, Severity, Status};

const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low | Severity::Info => ResultLevel::Note,
    }
}

/// SARIF asks for messages that are sentences.
fn sentence(text: &str) -> String {
    let t = text.trim();
    if t.ends_with('.') || t.ends_with('!') || t.ends_with('?') { t.to_owned() } else { format!("{t}.") }
}

fn descriptor(rule: &Rule) -> ReportingDescriptor {
    let m = &rule.meta;
    let mut tags: Vec<String> = vec!["security".into(), "cloudtrail".into()];
    for (key, ids) in &m.custom.frameworks {
        tags.extend(ids.iter().map(|id| format!("{key}/{id}")));
    }
    let help_text = format!(
        "{}\n\nRemediation (console): {}\n\nRemediation (AWS CLI): {}",
        m.description.trim(),
        m.custom.remediation.console.trim(),
        m.custom.remediation.cli.trim()
    );
    let help_markdown = format!(
        "{}\n\n**Remediation (console).** {}\n\n**Remediation (AWS CLI).**\n\n```sh\n{}\n```\n\nFrameworks: {}",
        m.description.trim(),
        m.custom.remediation.console.trim(),
        m.custom.remediation.cli.trim(),
        m.custom.frameworks.iter().map(|(k, v)| format!("{k} {}", v.join(", "))).collect::<Vec<_>>().join("; ")
    );
    let mut properties = BTreeMap::new();
    properties.insert("security-severity".to_owned(), json!(rule.severity().security_severity()));
    properties.insert("precision".to_owned(), json!("very-high"));
    properties.insert(
        "problem.severity".to_owned(),
        json!(match level(rule.severity()) {
            ResultLevel::Error => "error",
            ResultLevel::Warning => "warning",
            _ => "recommendation",
        }),
    );
    let help_uri = match m.related_resources.first() {
        Some(url) => url.url().to_owned(),
        None => format!("{INFORMATION_URI}/blob/main/docs/rules.md#{}", rule.id().to_lowercase()),
    };
    ReportingDescriptor::builder()
        .id(rule.id().to_owned())
        .name(pascal_name(&rule.package))
        .short_description(MultiformatMessageString::builder().text(sentence(&m.title)).build())
        .full_description(MultiformatMessageString::builder().text(sentence(&m.description)).build())
        .help(MultiformatMessageString::builder().text(help_text).markdown(help_markdown).build())
        .default_configuration(ReportingConfiguration::builder().level(json!(level_name(rule.severity()))).build())
        .help_uri(help_uri)
        .properties(PropertyBag::builder().tags(tags).additional_properties(properties).build())
        .build()
}

fn level_name(severity: Severity) -> &'static str {
    match level(severity) {
        ResultLevel::Error => "error",
        ResultLevel::Warning => "warning",
        _ => "note",
    }
}

/// `trailaudit.cloudtrail.log_file_validation` → `LogFileValidation`.
fn pascal_name(package: &str) -> String {
    let last = package.rsplit('.').next().unwrap_or(package);
    last.split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

/// The audited snapshot as a SARIF artifact URI: relative to the working
/// directory (the repository root in CI) when it lies below it, which is what
/// GitHub code scanning resolves; an absolute `file://` URI otherwise.
fn artifact_uri(audit: &Audit) -> String {
    let Some(path) = &audit.snapshot_path else { return "snapshot.json".to_owned() };
    let relative = if path.is_absolute() {
        std::env::current_dir().ok().and_then(|cwd| path.strip_prefix(cwd).ok().map(std::path::Path::to_path_buf))
    } else {
        Some(path.clone())
    };
    match relative {
        Some(rel) => {
            let text = percent_encode(&rel.to_string_lossy().replace('\\', "/"));
            text.strip_prefix("./").map(str::to_owned).unwrap_or(text)
        }
        None => format!("file://{}", percent_encode(&path.to_string_lossy())),
    }
}

/// Encodes what may not appear raw in a URI path.
fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn result(index: usize, r: &RuleResult, uri: &str) -> SarifResult {
    let text = match r.status {
        Status::Error => sentence(&format!("Could not be judged: {}", r.message.trim_start_matches("cannot be judged: "))),
        _ => sentence(&r.message),
    };
    let region = Region::builder().start_line(r.snapshot_line.unwrap_or(1) as i64).build();
    let physical =
        PhysicalLocation::builder().artifact_location(ArtifactLocation::builder().uri(uri.to_owned()).build()).region(region).build();
    let logical = LogicalLocation::builder()
        .fully_qualified_name(r.resource.clone())
        .name(r.resource.rsplit(['/', ':']).next().unwrap_or(&r.resource).to_owned())
        .kind("resource".to_owned())
        .build();
    let mut properties = BTreeMap::new();
    properties.insert("account".to_owned(), json!(r.account));
    properties.insert("region".to_owned(), json!(r.region));
    properties.insert("status".to_owned(), json!(r.status));
    properties.insert("evidence".to_owned(), r.evidence.clone());
    let mut sarif_result = SarifResult::builder()
        .rule_id(r.rule_id.clone())
        .rule_index(index as i64)
        .level(if r.status == Status::Error { ResultLevel::Error } else { level(r.severity) })
        .message(Message::builder().text(text).build())
        .locations(vec![Location::builder().physical_location(physical).logical_locations(vec![logical]).build()])
        .partial_fingerprints(BTreeMap::from([("trailaudit/v1".to_owned(), r.fingerprint())]))
        .properties(PropertyBag::builder().additional_properties(properties).build())
        .build();
    if let Some(w) = &r.waiver {
        sarif_result.suppressions = Some(vec![
            Suppression::builder()
                .kind(json!(SupressionKind::External.to_string()))
                .justification(format!("{} (owner: {}; waived until {})", w.reason, w.owner, w.expires.as_deref().unwrap_or("-")))
                .build(),
        ]);
    }
    if let Some(state) = r.baseline {
        let state = match state {
            BaselineState::New => ResultBaselineState::New,
            BaselineState::Unchanged => ResultBaselineState::Unchanged,
        };
        sarif_result.baseline_state = Some(json!(state.to_string()));
    }
    sarif_result
}

/// Writes the SARIF log to `out`, a result at a time: the log is serialized
/// with no result, and the results are written into its `"results": []` as
/// they are read, each indented as serde_json's pretty printer would have
/// indented it inside the whole document (a pretty-printed JSON value never
/// holds a raw newline inside a string, so its lines can be re-indented). The
/// bytes are those of serializing the whole log at once.
pub fn write(audit: &Audit, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let uri = artifact_uri(audit);
    let rules: Vec<ReportingDescriptor> = audit.rules.iter().map(descriptor).collect();
    let driver = ToolComponent::builder()
        .name("trailaudit".to_owned())
        .full_name(format!("trailaudit {}", env!("CARGO_PKG_VERSION")))
        .version(env!("CARGO_PKG_VERSION").to_owned())
        .semantic_version(env!("CARGO_PKG_VERSION").to_owned())
        .information_uri(INFORMATION_URI.to_owned())
        .rules(rules)
        .build();
    let run = Run::builder().tool(Tool::builder().driver(driver).build()).results(Vec::<SarifResult>::new()).build();
    let sarif = Sarif::builder().schema(serde_sarif::sarif::SCHEMA_URL.to_owned()).version(json!("2.1.0")).runs(vec![run]).build();
    let skeleton = serde_json::to_string_pretty(&sarif)?;
    // The only unescaped `"results"` key: rule texts are strings, where a quote is `\"`.
    const EMPTY: &str = "\"results\": []";
    let at = skeleton.find(EMPTY).expect("the run has an empty results array") + EMPTY.len() - 1;
    let line_indent = &skeleton[skeleton[..at].rfind('\n').map_or(0, |i| i + 1)..];
    let line_indent = &line_indent[..line_indent.len() - line_indent.trim_start().len()];
    let indent = format!("{line_indent}  ");
    out.write_all(&skeleton.as_bytes()[..at])?;
    let mut first = true;
    audit.for_each_result(&mut |r| {
        if r.status == Status::Pass {
            return Ok(());
        }
        let Some(index) = audit.rules.iter().position(|x| x.id() == r.rule_id) else { return Ok(()) };
        let text = serde_json::to_string_pretty(&result(index, r, &uri))?;
        out.write_all(if first { b"\n" } else { b",\n" })?;
        first = false;
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                out.write_all(b"\n")?;
            }
            out.write_all(indent.as_bytes())?;
            out.write_all(line.as_bytes())?;
        }
        Ok(())
    })?;
    if !first {
        out.write_all(b"\n")?;
        out.write_all(line_indent.as_bytes())?;
    }
    out.write_all(&skeleton.as_bytes()[at..])?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::finding::{RuleResult, Severity, Status};

    fn result(evidence: serde_json::Value) -> RuleResult {
        RuleResult {
            rule_id: "EVT-007".into(),
            status: Status::Fail,
            severity: Severity::High,
            account: "111111111111".into(),
            region: Some("us-east-1".into()),
            resource: "arn:aws:iam::111111111111:root".into(),
            message: "m".into(),
            evidence,
            waiver: None,
            snapshot_line: None,
            baseline: None,
        }
    }

    #[test]
    fn events_on_one_resource_are_distinct_alerts() {
        let a = result(json!({"event_id": "e-1"})).fingerprint();
        let b = result(json!({"event_id": "e-2"})).fingerprint();
        assert_ne!(a, b);
        assert_eq!(a, result(json!({"event_id": "e-1", "other": 1})).fingerprint(), "only the event id counts");
        assert_eq!(a, result(json!({"rule_said": {}, "rule_evidence": {"event_id": "e-1"}})).fingerprint());
    }

    #[test]
    fn other_results_keep_rule_account_resource_identity() {
        assert_eq!(result(json!({"x": 1})).fingerprint(), result(json!({})).fingerprint());
    }
}
