//! The built-in pack passes the Rego lint (`trailaudit::pack::lint`: line length,
//! `_private` library helpers, unused imports). `scripts/rego-lint.sh` runs this test.

use trailaudit::pack::lint::{MAX_LINE, lint};
use trailaudit::pack::{Pack, PackSource};

#[test]
fn the_builtin_pack_passes_the_rego_lint() {
    let pack = Pack::load(&PackSource { builtin: true, dirs: vec![] }).unwrap_or_else(|e| panic!("{e}"));
    // Every library is checked in full: no exemption from the private-name check is left.
    let problems = lint(&pack.files, &[]);
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(text.is_empty(), "{} Rego lint problem(s) (line limit {MAX_LINE}):\n{}", text.len(), text.join("\n"));
    println!("Rego lint: {} files clean", pack.files.len());
}
