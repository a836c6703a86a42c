//! The binary as the CLI tests run it: from the repository root, with no
//! endpoint override leaking in from the environment and no colour. Included
//! with `#[path]` by tests that need nothing else of `support` (so they do not
//! compile the AWS SDK clients the collector tests seed moto with).
#![allow(dead_code)]

use std::path::Path;

use assert_cmd::Command;

pub fn trailaudit() -> Command {
    let mut cmd = Command::cargo_bin("trailaudit").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).env_remove("AWS_ENDPOINT_URL").env("NO_COLOR", "1");
    cmd
}

/// The recorded snapshot of `fixtures/NAME`, relative to the repository root.
pub fn fixture(name: &str) -> String {
    format!("fixtures/{name}/snapshot.json")
}

/// Writes `text` to `dir/rel` (creating directories); the path written.
pub fn write(dir: &Path, rel: &str, text: &str) -> String {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}
