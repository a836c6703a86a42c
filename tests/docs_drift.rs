//! Generated documents stay in step with the code that generates them.
//! To refresh after an intended change: `UPDATE_DOCS=1 cargo test --test docs_drift`.

use std::path::Path;

fn check(path: &str, generated: &str) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&file, generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        committed == generated,
        "{path} is out of date with the code; regenerate it with `UPDATE_DOCS=1 cargo test --test docs_drift` and review the diff"
    );
}

#[test]
fn snapshot_schema_is_current() {
    check("docs/snapshot.schema.json", &trailaudit::snapshot::json_schema());
}

#[test]
fn rule_catalogue_is_current() {
    let pack = trailaudit::pack::Pack::load(&trailaudit::pack::PackSource { builtin: true, dirs: vec![] }).unwrap();
    check("docs/rules.md", &trailaudit::catalogue::markdown(&pack.rules));
}
