//! Property tests over hostile input (issue 15, item 4), with `proptest`.
//!
//! * Every report format over arbitrary strings: the noncompliant fixture with
//!   generated text in every string field and map key the loader accepts
//!   (names, ARNs, bucket names, event fields, error messages, tags), plus
//!   waivers with generated reason, owner and resource, is audited and rendered
//!   in every format. JSON and SARIF must stay valid JSON (SARIF also to
//!   serde-sarif's model) and carry the strings unchanged; JUnit must parse
//!   with a strict XML parser (roxmltree); Markdown, read by a CommonMark + GFM
//!   parser (pulldown-cmark), must hold the strings as plain text (no HTML,
//!   link, image, emphasis or code made of them); terminal text must hold no
//!   control, bidirectional-control or noncharacter code point.
//! * The snapshot loader, the configuration and waiver loader and the METADATA
//!   parser never panic on arbitrary or mutated input, and their errors say
//!   where (file:line:column, JSON path, or line).
//! * stderr never carries a raw escape sequence from a snapshot key or from
//!   waiver text (defect 12), checked on the binary.
//!
//! Case counts default to small numbers so that `cargo test` stays fast;
//! `PROPTEST_CASES=10000 cargo test --test properties` runs longer. Failures
//! are saved under `proptest-regressions/` and replayed first by later runs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use serde_json::Value as Json;
use trailaudit::config::{Config, Waiver};
use trailaudit::evaluate::{AuditOptions, audit};
use trailaudit::finding::Severity;
use trailaudit::pack::{Pack, PackSource};
use trailaudit::report::{Format, RenderOptions, render};

#[path = "support/mutation.rs"]
mod mutation;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `PROPTEST_CASES` when set, else `default`; failures are kept in
/// `proptest-regressions/properties.txt` (committed) and replayed first.
fn cases(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    let persistence = proptest::test_runner::FileFailurePersistence::Direct("proptest-regressions/properties.txt");
    ProptestConfig { cases, failure_persistence: Some(Box::new(persistence)), ..ProptestConfig::default() }
}

// ------------------------------------------------------- hostile strings

/// Pieces that have broken a format somewhere: terminal controls (CSI, OSC 8
/// hyperlinks, C1 CSI, BEL, NUL), bidirectional overrides, XML-forbidden
/// characters and noncharacters, markup of XML, HTML and Markdown, JSON escapes.
const PIECES: &[&str] = &[
    "\u{0}",
    "\u{7}",
    "\u{8}",
    "\u{1b}[31m",
    "\u{1b}[2J",
    "\u{1b}]8;;https://evil.example/\u{7}link\u{1b}]8;;\u{7}",
    "\u{9b}31m",
    "\u{85}",
    "\u{7f}",
    "\u{202e}",
    "\u{2066}",
    "\u{200f}",
    "\u{feff}",
    "\u{fffe}",
    "\u{ffff}",
    "\u{1fffe}",
    "\u{10ffff}",
    "\u{fdd0}",
    "\n",
    "\r\n",
    "\t",
    "<",
    ">",
    "&",
    "&amp;",
    "&#x1b;",
    "]]>",
    "<![CDATA[",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<!--",
    "\"",
    "'",
    "\\",
    "\\u0000",
    "`",
    "```",
    "*",
    "**bold**",
    "_",
    "__u__",
    "~~s~~",
    "[link](https://evil.example)",
    "![img](https://evil.example/x.png)",
    "<https://evil.example>",
    "|",
    "# ",
    "- ",
    "1. ",
    "> ",
    "---",
    "$(id)",
    "%s%n",
    "é",
    "🦀",
    "a",
    " ",
];

/// Markers around each generated string let the checks find it again.
const OPEN: char = '⟦';
const CLOSE: char = '⟧';

fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => proptest::sample::select(PIECES).prop_map(str::to_owned),
        1 => any::<char>().prop_filter("no marker", |c| *c != OPEN && *c != CLOSE).prop_map(String::from),
    ];
    proptest::collection::vec(piece, 0..6).prop_map(|v| v.concat())
}

/// Whether `c` may never reach a terminal or a report raw.
fn dangerous(c: char) -> bool {
    let n = c as u32;
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
        || (0xFDD0..=0xFDEF).contains(&n)
        || n & 0xFFFE == 0xFFFE
}

/// The characters of `original` a reader must still see: all but the
/// dangerous ones (which are escaped, in a form each format chooses) and line
/// breaks (which a one-line cell turns into spaces).
fn visible(original: &str) -> Vec<char> {
    original.chars().filter(|c| !dangerous(*c) && !c.is_whitespace()).collect()
}

/// Whether `needle` appears in `hay` in order (other characters between).
fn subsequence(needle: &[char], hay: &str) -> bool {
    let mut it = hay.chars();
    needle.iter().all(|n| it.any(|h| h == *n))
}

/// Every `⟦i:...⟧` in `text`: (i, what is between the colon and `⟧`).
fn marked(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(OPEN) {
        rest = &rest[start + OPEN.len_utf8()..];
        let Some(colon) = rest.find(':') else { break };
        let Ok(i) = rest[..colon].parse::<usize>() else { continue };
        let Some(end) = rest.find(CLOSE) else { break };
        if end > colon {
            out.push((i, rest[colon + 1..end].to_owned()));
        }
    }
    out
}

// ------------------------------------------ the fixture with strings swapped

/// Where a generated string can go in a snapshot document.
#[derive(Debug, Clone)]
enum Slot {
    /// A string value, by JSON pointer (through the original keys).
    Value(String),
    /// A key, by the pointer of its object and its original name.
    Key(String, String),
}

fn escape_pointer(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn slots(value: &Json, pointer: &str, out: &mut Vec<Slot>) {
    match value {
        Json::String(_) => out.push(Slot::Value(pointer.to_owned())),
        Json::Array(items) => items.iter().enumerate().for_each(|(i, v)| slots(v, &format!("{pointer}/{i}"), out)),
        Json::Object(map) => {
            for (k, v) in map {
                out.push(Slot::Key(pointer.to_owned(), k.clone()));
                slots(v, &format!("{pointer}/{}", escape_pointer(k)), out);
            }
        }
        _ => {}
    }
}

/// Puts `text` into `slot` of `doc` (see [`order`] for the order slots must be filled in).
fn put(doc: &mut Json, slot: &Slot, text: &str) {
    match slot {
        Slot::Value(p) => *doc.pointer_mut(p).expect("slot exists") = Json::String(text.to_owned()),
        Slot::Key(p, key) => {
            let map = doc.pointer_mut(p).and_then(Json::as_object_mut).expect("object exists");
            let value = map.remove(key).expect("key exists");
            map.insert(text.to_owned(), value);
        }
    }
}

/// Pointers name the original keys: values go first, then keys from the
/// deepest object out (a deep object's pointer passes through shallower keys).
fn order(slots: &mut [Slot]) {
    slots.sort_by_key(|s| match s {
        Slot::Value(p) => (0, 0, p.clone()),
        Slot::Key(p, k) => (1, usize::MAX - p.matches('/').count(), format!("{p}/{k}")),
    });
}

struct Fixture {
    doc: Json,
    /// Slots where any string is accepted by the loader, each alone and all together.
    free: Vec<Slot>,
    pack: Pack,
}

fn parses(doc: &Json) -> bool {
    trailaudit::snapshot::parse_str(&doc.to_string(), Path::new("hostile.json")).is_ok()
}

/// The noncompliant fixture, and which of its strings and keys accept any
/// text (not enum values, dates, struct field names, ...), found by trying a
/// probe in each and then keeping what also works together.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let text = std::fs::read_to_string(root().join("fixtures/noncompliant/snapshot.json")).expect("fixture");
        let doc: Json = serde_json::from_str(&text).expect("fixture is JSON");
        let mut all = Vec::new();
        slots(&doc, "", &mut all);
        let probe = |i: usize| format!("{OPEN}{i}:<probe>\u{1b}[0m{CLOSE}");
        let mut free: Vec<Slot> = all
            .into_iter()
            .enumerate()
            .filter(|(i, s)| {
                let mut d = doc.clone();
                put(&mut d, s, &probe(*i));
                parses(&d)
            })
            .map(|(_, s)| s)
            .collect();
        order(&mut free);
        // Keep those that also work together (greedily, in order).
        let mut kept: Vec<Slot> = Vec::new();
        let mut joint = doc.clone();
        for s in free {
            let mut d = joint.clone();
            put(&mut d, &s, &probe(kept.len()));
            if parses(&d) {
                joint = d;
                kept.push(s);
            }
        }
        let pack = Pack::load(&PackSource { builtin: true, dirs: vec![] }).expect("built-in pack");
        Fixture { doc, free: kept, pack }
    })
}

#[test]
fn the_fixture_offers_many_free_strings() {
    let f = fixture();
    let keys = f.free.iter().filter(|s| matches!(s, Slot::Key(..))).count();
    let values = f.free.len() - keys;
    // Trail and bucket names, ARNs (as values and as map keys), tags, event fields, error messages.
    assert!(values >= 40 && keys >= 5, "{values} values, {keys} keys: {:?}", f.free);
}

/// Every report of the fixture with `strings` swapped in, and the waivers.
fn reports(strings: &[String], waiver_text: &[String; 3]) -> (Vec<String>, [String; 5]) {
    let f = fixture();
    let mut doc = f.doc.clone();
    let mut originals = Vec::new();
    for (i, slot) in f.free.iter().enumerate() {
        let s = &strings[i % strings.len()];
        put(&mut doc, slot, &format!("{OPEN}{i}:{s}{CLOSE}"));
        originals.push(s.clone());
    }
    let text = doc.to_string();
    let snapshot = trailaudit::snapshot::parse_str(&text, Path::new("hostile.json"))
        .unwrap_or_else(|e| panic!("the loader refused strings it accepted one by one: {e}"));
    let n = originals.len();
    let [reason, owner, resource] = waiver_text;
    let mut config = Config::default();
    // One waiver that applies (every CT-005 result), one expired, one stale.
    for (k, (rule, glob, expires)) in
        [("CT-005", "*".to_owned(), "2099-12-31"), ("CT-004", "*".to_owned(), "2020-01-01"), ("CT-006", resource.clone(), "2099-12-31")]
            .into_iter()
            .enumerate()
    {
        config.waivers.push(Waiver {
            rule: rule.into(),
            resource: if k == 2 { format!("{OPEN}{}:{glob}{CLOSE}", n + 2) } else { glob },
            account: None,
            reason: format!("{OPEN}{}:{reason}{CLOSE}", n),
            owner: format!("{OPEN}{}:{owner}{CLOSE}", n + 1),
            expires: expires.parse().unwrap(),
        });
    }
    originals.extend([reason.clone(), owner.clone(), resource.clone()]);
    let (result, _, _) = audit(&snapshot, Some(&text), &f.pack, &config, &audit_options());
    let plain = RenderOptions::default();
    let out = [Format::Json, Format::Sarif, Format::Junit, Format::Markdown, Format::Text].map(|fmt| render(&result, fmt, &plain));
    (originals, out)
}

fn json_strings(v: &Json, out: &mut Vec<String>) {
    match v {
        Json::String(s) => out.push(s.clone()),
        Json::Array(a) => a.iter().for_each(|x| json_strings(x, out)),
        Json::Object(m) => m.iter().for_each(|(k, x)| {
            out.push(k.clone());
            json_strings(x, out)
        }),
        _ => {}
    }
}

/// JSON must carry every generated string exactly.
fn check_json(name: &str, text: &str, originals: &[String]) -> Result<Json, TestCaseError> {
    let value: Json = serde_json::from_str(text).map_err(|e| TestCaseError::fail(format!("{name} is not JSON: {e}")))?;
    let mut strings = Vec::new();
    json_strings(&value, &mut strings);
    let mut seen = BTreeSet::new();
    for s in &strings {
        for (i, inner) in marked(s) {
            prop_assert!(i < originals.len(), "{name}: marker {i} out of range");
            // A string may carry a generated one inside a longer message; it must be whole.
            let whole = format!("{OPEN}{i}:{}{CLOSE}", originals[i]);
            prop_assert!(s.contains(&whole), "{name}: {:?} arrives as {:?}", originals[i], inner);
            seen.insert(i);
        }
    }
    prop_assert!(seen.len() >= 5, "{name}: only {} generated strings reached the report", seen.len());
    Ok(value)
}

/// Plain text fields of a format: what a reader sees. Each generated string
/// in them must keep its visible characters, with nothing dangerous left.
/// `whitespace` says which of tab, newline and carriage return may appear raw.
fn check_visible(name: &str, texts: &[String], originals: &[String], whitespace: &[char]) -> Result<(), TestCaseError> {
    let mut seen = 0;
    for t in texts {
        if let Some(c) = t.chars().find(|c| dangerous(*c) && !whitespace.contains(c)) {
            prop_assert!(false, "{name}: raw {:?} in {:?}", c, t);
        }
        for (i, inner) in marked(t) {
            prop_assert!(subsequence(&visible(&originals[i]), &inner), "{name}: {:?} arrives as {:?}", originals[i], inner);
            seen += 1;
        }
    }
    prop_assert!(seen >= 5, "{name}: only {seen} generated strings reached the report");
    Ok(())
}

fn check_junit(xml: &str, originals: &[String]) -> Result<(), TestCaseError> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| TestCaseError::fail(format!("JUnit is not well-formed XML: {e}")))?;
    let mut texts = Vec::new();
    for node in doc.descendants() {
        texts.extend(node.attributes().map(|a| a.value().to_owned()));
        if node.is_text() {
            texts.push(node.text().unwrap_or_default().to_owned());
        }
    }
    check_visible("JUnit", &texts, originals, &['\n', '\t', '\r'])
}

/// `<details><summary>Each rule's own steps (N rules)</summary>` and `</details>`, as
/// `report::markdown` writes them around a shared-cause finding's per-rule steps.
fn own_markup(html: &str) -> bool {
    let line = html.trim();
    line == "</details>"
        || line
            .strip_prefix("<details><summary>")
            .and_then(|rest| rest.strip_suffix("</summary>"))
            .is_some_and(|summary| !summary.contains('<') && !summary.contains('>'))
}

/// The audit both format tests run: a fixed day (waiver expiry does not move
/// with the calendar), the snapshot named as the hostile file, no progress.
fn audit_options() -> AuditOptions {
    AuditOptions {
        fail_on: Severity::Low,
        only_rules: None,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
        snapshot_path: Some(PathBuf::from("hostile.json")),
        progress: false,
    }
}

fn check_markdown(md: &str, originals: &[String]) -> Result<(), TestCaseError> {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut stack: Vec<Tag> = Vec::new();
    let mut cells = Vec::new();
    let mut cell = String::new();
    let has_marker = |t: &str| t.contains(OPEN) || t.contains(CLOSE);
    for event in Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS) {
        match event {
            Event::Start(tag) => {
                if matches!(tag, Tag::Link { .. } | Tag::Image { .. }) {
                    prop_assert!(false, "a link or image in the Markdown report: {:?}", tag);
                }
                stack.push(tag);
            }
            Event::End(end) => {
                stack.pop();
                if matches!(end, TagEnd::TableCell | TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_)) {
                    cells.push(std::mem::take(&mut cell));
                }
            }
            Event::Text(t) => {
                let styled = stack.iter().any(|t| matches!(t, Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::CodeBlock(_)));
                prop_assert!(!(styled && has_marker(&t)), "generated text styled ({:?}): {:?}", stack, t);
                cell.push_str(&t);
            }
            Event::Code(t) => {
                prop_assert!(!has_marker(&t), "generated text in a code span: {:?}", t);
                cell.push_str(&t);
            }
            // The report's own collapsible block (the steps of each rule a shared-cause finding
            // breaks) is the only HTML allowed: fixed markup, no generated text in it.
            Event::Html(h) if own_markup(&h) && !has_marker(&h) => {}
            Event::Html(h) | Event::InlineHtml(h) => prop_assert!(false, "raw HTML in the Markdown report: {:?}", h),
            Event::SoftBreak | Event::HardBreak => cell.push(' '),
            _ => {}
        }
    }
    check_visible("Markdown", &cells, originals, &['\n'])
}

proptest! {
    #![proptest_config(cases(12))]

    #[test]
    fn every_format_survives_hostile_strings(
        strings in proptest::collection::vec(hostile(), 1..24),
        (reason, owner, resource) in (hostile(), hostile(), hostile().prop_map(|s| s.replace(['*', '?', '[', ']', '{', '}', '\\', '!'], ""))),
    ) {
        let (originals, [json, sarif, junit, markdown, text]) = reports(&strings, &[reason, owner, resource]);
        check_json("JSON", &json, &originals)?;
        let value = check_json("SARIF", &sarif, &originals)?;
        serde_json::from_value::<serde_sarif::sarif::Sarif>(value).map_err(|e| TestCaseError::fail(format!("SARIF does not fit the schema: {e}")))?;
        check_junit(&junit, &originals)?;
        check_markdown(&markdown, &originals)?;
        check_visible("text", &text.split('\n').map(str::to_owned).collect::<Vec<_>>(), &originals, &[])?;
    }
}

// ------------------------------------------------------------- the loaders

/// Random edits of `text`: delete a range, insert a character (biased to the
/// format's syntax), duplicate a range, truncate.
fn mutate(text: &'static str, syntax: &'static [char]) -> impl Strategy<Value = String> {
    let ch = prop_oneof![4 => proptest::sample::select(syntax), 1 => any::<char>()];
    let edit = (0..4u8, any::<usize>(), any::<usize>(), ch);
    proptest::collection::vec(edit, 1..5).prop_map(move |edits| mutation::apply(text, &edits, 64))
}

fn leak(path: &str) -> &'static str {
    Box::leak(std::fs::read_to_string(root().join(path)).expect("fixture").into_boxed_str())
}

const JSON_SYNTAX: &[char] = &['{', '}', '[', ']', '"', ':', ',', '\\', '0', '-', 'e', '.', 'n', 't', ' ', '\u{1b}', '\u{feff}'];
const YAML_SYNTAX: &[char] =
    &[':', '-', ' ', '\n', '\t', '#', '&', '*', '!', '|', '>', '\'', '"', '[', ']', '{', '}', ',', '?', '%', '@', '\u{1b}'];

/// A snapshot error names the file and, when the text is the problem, a
/// position inside it and a JSON path.
fn snapshot_error_is_located(text: &str, e: &trailaudit::snapshot::SnapshotError) -> Result<(), TestCaseError> {
    use trailaudit::snapshot::SnapshotError;
    let shown = e.to_string();
    prop_assert!(shown.starts_with("hostile.json"), "{shown}");
    match e {
        SnapshotError::Invalid { line, column, json_path, message, .. } => {
            prop_assert!(*line >= 1 && *line <= text.split('\n').count() + 1, "line {line} of {shown}");
            prop_assert!(*column <= text.len() + 1, "{shown}");
            prop_assert!(json_path.starts_with('$') && !message.is_empty(), "{shown}");
        }
        SnapshotError::NotASnapshot { line, column, message, .. } => {
            prop_assert!(*line >= 1 && *line <= text.split('\n').count() + 1, "line {line} of {shown}");
            prop_assert!(*column >= 1 && *column <= text.len() + 1, "{shown}");
            prop_assert!(!message.is_empty(), "{shown}");
        }
        SnapshotError::DuplicateAccount { json_path, .. } => prop_assert!(json_path.starts_with('$'), "{shown}"),
        SnapshotError::UnknownVersion { .. } => {}
        other => prop_assert!(false, "reading text cannot fail with {other:?}"),
    }
    Ok(())
}

fn config_error_is_located(text: &str, e: &trailaudit::config::ConfigError) -> Result<(), TestCaseError> {
    use trailaudit::config::ConfigError;
    let shown = e.to_string();
    match e {
        ConfigError::Invalid { line, message, .. } => {
            prop_assert!(shown.starts_with("trailaudit.yaml:"), "{shown}");
            prop_assert!(*line >= 1 && *line <= text.split('\n').count() + 1, "line {line} of {shown}");
            prop_assert!(!message.is_empty(), "{shown}");
        }
        other => prop_assert!(false, "parsing text cannot fail with {other:?}"),
    }
    Ok(())
}

fn metadata_error_is_located(text: &str, e: &trailaudit::pack::metadata::MetaError) -> Result<(), TestCaseError> {
    prop_assert!(e.line >= 1 && e.line <= text.split('\n').count() + 1, "line {} of {:?}", e.line, e.message);
    prop_assert!(!e.message.is_empty());
    Ok(())
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn snapshot_loader_never_panics_on_arbitrary_text(text in prop_oneof![any::<String>(), "[{}\\[\\]\":,0-9a-z\\\\ \n-]{0,80}"]) {
        if let Err(e) = trailaudit::snapshot::parse_str(&text, Path::new("hostile.json")) {
            snapshot_error_is_located(&text, &e)?;
        }
    }

    #[test]
    fn snapshot_loader_never_panics_on_mutated_snapshots(
        text in prop_oneof![
            mutate(leak("fixtures/noncompliant/snapshot.json"), JSON_SYNTAX),
            mutate(leak("fixtures/partial_collection/snapshot.json"), JSON_SYNTAX),
        ]
    ) {
        if let Err(e) = trailaudit::snapshot::parse_str(&text, Path::new("hostile.json")) {
            snapshot_error_is_located(&text, &e)?;
        }
    }

    #[test]
    fn config_loader_never_panics(
        text in prop_oneof![
            any::<String>(),
            "[a-z_:\\- \n\\[\\]{}'\"#&*!|>0-9]{0,80}",
            mutate(leak("fixtures/noncompliant/waivers.yaml"), YAML_SYNTAX),
            mutate(leak("fixtures/advanced_selectors/trailaudit.yaml"), YAML_SYNTAX),
        ]
    ) {
        if let Err(e) = Config::parse(&text, Path::new("trailaudit.yaml")) {
            config_error_is_located(&text, &e)?;
        }
    }

    #[test]
    fn metadata_parser_never_panics(
        text in prop_oneof![
            any::<String>().prop_map(|s| format!("# METADATA\n# {s}\npackage x\n")),
            mutate(leak("policies/cloudtrail/log_file_validation.rego"), YAML_SYNTAX),
            mutate(leak("policies/monitoring/root_usage.rego"), YAML_SYNTAX),
        ]
    ) {
        if let Err(e) = trailaudit::pack::metadata::parse_metadata(&text) {
            metadata_error_is_located(&text, &e)?;
        }
    }
}

/// Every node of `value` by JSON pointer.
fn pointers(value: &Json, pointer: &str, out: &mut Vec<String>) {
    out.push(pointer.to_owned());
    match value {
        Json::Array(items) => items.iter().enumerate().for_each(|(i, v)| pointers(v, &format!("{pointer}/{i}"), out)),
        Json::Object(map) => map.iter().for_each(|(k, v)| pointers(v, &format!("{pointer}/{}", escape_pointer(k)), out)),
        _ => {}
    }
}

/// A structural edit of a snapshot document: a node replaced by another
/// kind of value, a boundary number, a copy of another node, emptied, or removed.
#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, Json),
    CopyFrom(usize, usize),
    Remove(usize),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let value = prop_oneof![
        Just(Json::Null),
        Just(Json::Bool(true)),
        Just(serde_json::json!(0)),
        Just(serde_json::json!(-1)),
        Just(serde_json::json!(u64::MAX)),
        Just(serde_json::json!(i64::MIN)),
        Just(serde_json::json!(1e308)),
        Just(serde_json::json!(0.5)),
        Just(serde_json::json!("")),
        Just(serde_json::json!("1970-01-01T00:00:00Z")),
        Just(serde_json::json!("9999-12-31T23:59:59Z")),
        Just(serde_json::json!([])),
        Just(serde_json::json!({})),
        hostile().prop_map(Json::String),
    ];
    let edit = prop_oneof![
        3 => (any::<usize>(), value).prop_map(|(i, v)| Edit::Replace(i, v)),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::CopyFrom(a, b)),
        2 => any::<usize>().prop_map(Edit::Remove),
    ];
    proptest::collection::vec(edit, 1..4)
}

fn apply(doc: &mut Json, edit: &Edit) {
    let mut all = Vec::new();
    pointers(doc, "", &mut all);
    let pick = |i: usize| all[i % all.len()].clone();
    match edit {
        Edit::Replace(i, v) => *doc.pointer_mut(&pick(*i)).expect("node") = v.clone(),
        Edit::CopyFrom(to, from) => {
            let v = doc.pointer(&pick(*from)).expect("node").clone();
            *doc.pointer_mut(&pick(*to)).expect("node") = v;
        }
        Edit::Remove(i) => {
            let p = pick(*i);
            let Some((parent, last)) = p.rsplit_once('/') else { return };
            let last = last.replace("~1", "/").replace("~0", "~");
            match doc.pointer_mut(parent) {
                Some(Json::Object(m)) => {
                    m.remove(&last);
                }
                Some(Json::Array(a)) => {
                    if let Ok(i) = last.parse::<usize>() {
                        a.remove(i);
                    }
                }
                _ => {}
            }
        }
    }
}

proptest! {
    #![proptest_config(cases(48))]

    /// A structurally edited snapshot either fails to load with a located
    /// error, or loads and is audited and reported without a panic.
    #[test]
    fn edited_snapshots_load_with_a_located_error_or_audit(
        base in proptest::sample::select(&["fixtures/noncompliant/snapshot.json", "fixtures/partial_collection/snapshot.json", "fixtures/organization/snapshot.json"][..]),
        edits in edits(),
    ) {
        let mut doc: Json = serde_json::from_str(leak(base)).expect("fixture");
        for e in &edits {
            apply(&mut doc, e);
        }
        let text = serde_json::to_string_pretty(&doc).expect("serialises");
        match trailaudit::snapshot::parse_str(&text, Path::new("hostile.json")) {
            Err(e) => snapshot_error_is_located(&text, &e)?,
            Ok(snapshot) => {
                let (result, _, _) = audit(&snapshot, Some(&text), &fixture().pack, &Config::default(), &audit_options());
                // (A snapshot without accounts loads and audits to no result at all,
                // exit 0: reported to the snapshot loader's owner, not judged here.)
                prop_assert!(snapshot.accounts.is_empty() || !result.results.is_empty(), "an audit of {} account(s) with no result", snapshot.accounts.len());
                for format in [Format::Json, Format::Sarif, Format::Junit, Format::Markdown, Format::Text] {
                    render(&result, format, &RenderOptions::default());
                }
            }
        }
    }
}

// --------------------------------------------- stderr (issue 15, defect 12)

fn stderr_of(args: &[&str]) -> (Option<i32>, String) {
    let out = assert_cmd::Command::cargo_bin("trailaudit").unwrap().args(args).output().unwrap();
    (out.status.code(), String::from_utf8(out.stderr).unwrap())
}

fn assert_no_raw_controls(stderr: &str) {
    assert!(!stderr.chars().any(|c| dangerous(c) && c != '\n'), "raw control characters on stderr: {stderr:?}");
}

#[test]
fn a_hostile_snapshot_key_reaches_stderr_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("snapshot.json");
    let text = leak("fixtures/no_trail/snapshot.json").replacen('{', "{\"\\u001b[2J\\u001b]0;pwned\\u0007\\u202eevil\": 1,", 1);
    std::fs::write(&path, text).unwrap();
    let (code, stderr) = stderr_of(&["audit", "--snapshot", path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("unknown field"), "{stderr}");
    assert!(stderr.contains("\\u{1b}[2J\\u{1b}]0;pwned\\u{7}\\u{202e}evil"), "shown, escaped: {stderr}");
    assert_no_raw_controls(&stderr);
}

#[test]
fn hostile_waiver_text_reaches_stderr_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("trailaudit.yaml");
    // YAML's "\e" is ESC: an expired waiver and a stale one, both printed as warnings.
    std::fs::write(
        &config,
        "waivers:\n  - rule: CT-004\n    resource: \"*\"\n    reason: \"\\e[2Jgone\\a\"\n    owner: \"\\e]0;t\\a\\u202Eteam\"\n    expires: 2020-01-01\n  - rule: CT-006\n    resource: \"arn:aws:s3:::\\e7none\"\n    reason: r\n    owner: \"\\x9b1m\"\n    expires: 2099-12-31\n",
    )
    .unwrap();
    let snapshot = root().join("fixtures/noncompliant/snapshot.json");
    let (code, stderr) =
        stderr_of(&["audit", "--snapshot", snapshot.to_str().unwrap(), "--config", config.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("expired") && stderr.contains("stale"), "{stderr}");
    assert!(stderr.contains("\\u{1b}[2Jgone\\u{7}") && stderr.contains("\\u{1b}7none") && stderr.contains("\\u{9b}1m"), "{stderr}");
    assert_no_raw_controls(&stderr);
}

#[test]
fn a_hostile_config_key_reaches_stderr_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("trailaudit.yaml");
    std::fs::write(&config, "\"\\e[31mfail_on\": low\n").unwrap();
    let snapshot = root().join("fixtures/noncompliant/snapshot.json");
    let (code, stderr) = stderr_of(&["audit", "--snapshot", snapshot.to_str().unwrap(), "--config", config.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("\\u{1b}[31mfail_on"), "{stderr}");
    assert_no_raw_controls(&stderr);
}
