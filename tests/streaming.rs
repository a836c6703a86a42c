//! The audit of a snapshot file read account by account (`evaluate::audit_file`,
//! what `trailaudit audit --snapshot` runs) against the audit of the same
//! snapshot read whole (`evaluate::audit`, what the golden reports pin): the
//! same results, the same reports in every format, the same loader errors.

use std::path::{Path, PathBuf};

use trailaudit::config::Config;
use trailaudit::evaluate::{AuditOptions, EngineChoice, audit, audit_file};
use trailaudit::finding::{Audit, Severity, Status};
use trailaudit::pack::{Pack, PackSource};
use trailaudit::report::{Format, RenderOptions, render};

const FIXTURES: &[&str] = &["advanced_selectors", "compliant", "no_trail", "noncompliant", "organization", "partial_collection"];

const FORMATS: [Format; 7] = [Format::Json, Format::Sarif, Format::Markdown, Format::Text, Format::Junit, Format::Ocsf, Format::Asff];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn options(path: &Path) -> AuditOptions {
    AuditOptions {
        fail_on: Severity::Low,
        only_rules: None,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
        snapshot_path: Some(path.to_owned()),
        progress: false,
    }
}

fn config_of(name: &str) -> Config {
    let path = root().join(format!("fixtures/{name}/trailaudit.yaml"));
    if path.exists() { Config::load(&path).unwrap() } else { Config::default() }
}

/// The file audited both ways.
fn both(path: &Path, pack: &Pack, config: &Config) -> (Audit, Audit) {
    let (snapshot, text) = trailaudit::snapshot::load_file(path).unwrap();
    let whole = audit(&snapshot, Some(&text), pack, config, &options(path)).0;
    let (streamed, _, _, _) = audit_file(path, pack, config, &options(path), EngineChoice::Interpreter).unwrap();
    // The streamed audit's results are spilled to disk; read back, they are the whole audit's.
    assert!(streamed.spill.is_some() && streamed.results.is_empty());
    assert_eq!(streamed.tally().into_owned(), whole.tally().into_owned());
    (whole, streamed)
}

/// A spilled audit with its results read back into memory.
fn held(audit: &Audit) -> Audit {
    audit.held().unwrap().into_owned()
}

#[test]
fn every_fixture_streamed_gives_the_same_audit_and_reports() {
    let pack = Pack::load(&PackSource { builtin: true, dirs: vec![] }).unwrap();
    for name in FIXTURES {
        let path = root().join(format!("fixtures/{name}/snapshot.json"));
        let (whole, streamed) = both(&path, &pack, &config_of(name));
        assert!(!whole.results.is_empty(), "{name}");
        assert_eq!(whole, held(&streamed), "{name}");
        // Every writer reads the spill itself: the same bytes as from memory.
        for format in FORMATS {
            let options = RenderOptions::default();
            assert_eq!(render(&whole, format, &options), render(&streamed, format, &options), "{name} {format:?}");
        }
    }
}

/// A management account that does not say it is one (no `organization` of
/// its own), after the member whose organization names it: the streamed
/// audit finds its log groups, alarms and topics in a second read, and the
/// member is still judged through them.
#[test]
fn a_management_account_read_after_its_member_is_found_for_the_member() {
    let pack = Pack::load(&PackSource { builtin: true, dirs: vec![] }).unwrap();
    let text = std::fs::read_to_string(root().join("fixtures/organization/snapshot.json")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let accounts = doc["accounts"].as_array_mut().unwrap();
    accounts.reverse();
    let management = accounts.iter_mut().find(|a| a["account_id"] == "444444444444").unwrap();
    management.as_object_mut().unwrap().remove("organization");
    assert_eq!(doc["accounts"][0]["account_id"], "555555555555");
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("snapshot.json");
    std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();

    let (whole, streamed) = both(&path, &pack, &Config::default());
    let streamed = held(&streamed);
    assert_eq!(whole, streamed);
    // The member's monitoring is judged in the management account, as in the fixture itself.
    let original = held(&both(&root().join("fixtures/organization/snapshot.json"), &pack, &Config::default()).1);
    let member_mon = |a: &Audit| -> Vec<(String, Status, String)> {
        a.results
            .iter()
            .filter(|r| r.account == "555555555555" && r.rule_id.starts_with("MON-"))
            .map(|r| (r.rule_id.clone(), r.status, r.message.clone()))
            .collect()
    };
    assert_eq!(member_mon(&streamed).len(), 16);
    assert_eq!(member_mon(&streamed), member_mon(&original));
    assert!(member_mon(&streamed).iter().any(|(_, _, m)| m.contains("444444444444")), "{:#?}", member_mon(&streamed));
}

/// A snapshot the loader refuses is refused by the streamed audit with the same error.
#[test]
fn the_streamed_audit_refuses_what_the_loader_refuses() {
    let pack = Pack::load(&PackSource { builtin: true, dirs: vec![] }).unwrap();
    let text = std::fs::read_to_string(root().join("fixtures/organization/snapshot.json")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let first = doc["accounts"][0].clone();
    doc["accounts"].as_array_mut().unwrap().push(first);
    let twice = serde_json::to_string_pretty(&doc).unwrap();
    let cases = [
        ("twice.json", twice),
        ("unknown.json", text.replacen("\"accounts\"", "\"acounts\"", 1)),
        ("bad-account.json", text.replacen("\"account_id\": \"555555555555\"", "\"account_id\": 555555555555", 1)),
        ("truncated.json", text[..text.len() / 2].to_owned()),
    ];
    for (name, body) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, body).unwrap();
        let loader = trailaudit::snapshot::load_file(&path).unwrap_err().to_string();
        let streamed = audit_file(&path, &pack, &Config::default(), &options(&path), EngineChoice::Interpreter).unwrap_err().to_string();
        assert_eq!(loader, streamed, "{name}");
        assert!(loader.starts_with(&path.display().to_string()), "{loader}");
    }
}

/// `--baseline` on a spilled audit: results are marked as they are read back,
/// and every report is the one the audit held in memory gives.
#[test]
fn a_spilled_audit_compared_with_a_baseline_gives_the_same_reports() {
    let pack = Pack::load(&PackSource { builtin: true, dirs: vec![] }).unwrap();
    let path = root().join("fixtures/noncompliant/snapshot.json");
    let (mut whole, mut streamed) = both(&path, &pack, &config_of("noncompliant"));
    let mut report: serde_json::Value = serde_json::from_str(&render(&whole, Format::Json, &RenderOptions::default())).unwrap();
    let results = report["results"].as_array_mut().unwrap();
    // Every other result is in the baseline (the rest are new), and one failure the audit no longer has is fixed.
    let mut kept: Vec<serde_json::Value> = results.iter().step_by(2).cloned().collect();
    let mut gone = kept.iter().find(|r| r["status"] == "fail").unwrap().clone();
    gone["resource"] = "arn:aws:s3:::gone-since".into();
    gone.as_object_mut().unwrap().remove("fingerprint");
    kept.push(gone);
    *results = kept;
    let baseline = trailaudit::triage::Baseline::parse(&report.to_string(), Path::new("base.json")).unwrap();
    baseline.compare(&mut whole, true).unwrap();
    baseline.compare(&mut streamed, true).unwrap();
    let counts = whole.summary().baseline.unwrap();
    assert!(counts.new > 0 && counts.unchanged > 0 && counts.fixed == 1, "{counts:?}");
    assert_eq!(whole.summary(), streamed.summary());
    assert_eq!(whole.outcome(), streamed.outcome());
    assert_eq!(whole, held(&streamed));
    for format in FORMATS {
        let options = RenderOptions::default();
        assert_eq!(render(&whole, format, &options), render(&streamed, format, &options), "{format:?}");
    }
}

/// The streamed audit reads each account again from its own bytes and gives
/// results their lines from their account's part of the file alone: the
/// same lines as the whole text gives, whatever the file's layout (one line,
/// CRLF line ends, a byte-order mark or two, `errors` or `accounts` first,
/// non-ASCII text), and from a pipe, which is read once.
#[test]
fn every_layout_gives_the_lines_of_the_whole_text() {
    let pack = Pack::load(&PackSource { builtin: true, dirs: vec![] }).unwrap();
    let text = std::fs::read_to_string(root().join("fixtures/partial_collection/snapshot.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut reordered = serde_json::Map::new();
    for key in ["errors", "accounts", "organization", "metadata", "schema_version"] {
        if let Some(value) = doc.get(key) {
            reordered.insert(key.to_owned(), value.clone());
        }
    }
    let mut unicode = doc.clone();
    unicode["errors"][0]["message"] = serde_json::json!("ünïcødé \u{2028} … \"account_id\": \"x\"");
    let layouts = [
        ("minified", serde_json::to_string(&doc).unwrap()),
        ("crlf", text.replace('\n', "\r\n")),
        ("bom", format!("\u{feff}{text}")),
        ("two-boms", format!("\u{feff}\u{feff}\n{text}")),
        ("reordered", serde_json::to_string_pretty(&reordered).unwrap()),
        ("unicode", serde_json::to_string_pretty(&unicode).unwrap()),
        ("indented", serde_json::to_string_pretty(&serde_json::json!({"schema_version": doc["schema_version"], "metadata": doc["metadata"], "accounts": doc["accounts"], "errors": doc["errors"]})).unwrap().replace("\n", "\n\n   ")),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in layouts {
        let path = dir.path().join(format!("{name}.json"));
        std::fs::write(&path, body).unwrap();
        let (whole, streamed) = both(&path, &pack, &Config::default());
        // A minified snapshot is one line: every line found is 1; any other layout has lines past the first.
        let past_first = |r: &trailaudit::finding::RuleResult| r.snapshot_line.is_some_and(|l| l > 1);
        let first_only = |r: &trailaudit::finding::RuleResult| r.snapshot_line == Some(1);
        assert!(if name == "minified" { whole.results.iter().any(first_only) } else { whole.results.iter().any(past_first) }, "{name}");
        assert_eq!(whole, held(&streamed), "{name}");
    }

    // A named pipe cannot be read twice: it is read once, into memory.
    let fifo = dir.path().join("pipe.json");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let writer = {
        let (fifo, text) = (fifo.clone(), text.clone());
        std::thread::spawn(move || std::fs::write(fifo, text).unwrap())
    };
    let (streamed, _, _, _) = audit_file(&fifo, &pack, &Config::default(), &options(&fifo), EngineChoice::Interpreter).unwrap();
    writer.join().unwrap();
    let file = dir.path().join("file.json");
    std::fs::write(&file, &text).unwrap();
    let (snapshot, whole_text) = trailaudit::snapshot::load_file(&file).unwrap();
    let whole = audit(&snapshot, Some(&whole_text), &pack, &Config::default(), &options(&fifo)).0;
    assert_eq!(whole, held(&streamed));
}
