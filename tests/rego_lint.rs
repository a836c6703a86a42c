//! The built-in pack passes the Rego lint (`trailaudit::pack::lint`: line length,
//! `_private` library helpers, unused imports). `scripts/rego-lint.sh` runs this test.

use trailaudit::pack::lint::{MAX_LINE, lint};
use trailaudit::pack::{Pack, PackSource};

/// Libraries other branches are rewriting, whose helpers are not yet renamed
/// `_private`; they still get the line-length and import checks.
const PRIVATE_NAMES_PENDING: &[&str] = &["lib/monitoring.rego"];

#[test]
fn the_builtin_pack_passes_the_rego_lint() {
    let pack = Pack::load(&PackSource { builtin: true, dirs: vec![] }).unwrap_or_else(|e| panic!("{e}"));
    let problems = lint(&pack.files, PRIVATE_NAMES_PENDING);
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(text.is_empty(), "{} Rego lint problem(s) (line limit {MAX_LINE}):\n{}", text.len(), text.join("\n"));
    let pending = lint(&pack.files, &[]).len();
    println!("Rego lint: {} files clean; {pending} helper name(s) in {PRIVATE_NAMES_PENDING:?} still to make private", pack.files.len());
}
