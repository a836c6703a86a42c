//! Embeds the built-in policy pack (`policies/**/*.rego`) and the framework
//! definitions (`policies/frameworks/*.yaml`) in the binary.
//!
//! The list is derived from the files on disk, sorted, so adding a rule never
//! means editing a Rust table.

use std::path::{Path, PathBuf};

fn main() {
    // Read at run time: `env!` would freeze the path of whichever checkout first
    // compiled this script, and a shared target directory would then embed
    // another checkout's policies.
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest_dir.join("policies");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect_ext(&root, "rego", &mut files);
    files.sort();
    let mut out = String::from(
        "/// `(path relative to policies/, source)` of every built-in Rego file, sorted.\npub const BUILTIN_POLICIES: &[(&str, &str)] = &[\n",
    );
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let rel = file.strip_prefix(&root).expect("under policies/").to_string_lossy().replace('\\', "/");
        out.push_str(&format!("    ({rel:?}, include_str!({:?})),\n", file.display().to_string()));
    }
    out.push_str("];\n");
    let mut frameworks = Vec::new();
    collect_ext(&root.join("frameworks"), "yaml", &mut frameworks);
    frameworks.sort();
    out.push_str(
        "/// `(file name, source)` of every built-in framework definition, sorted.\npub const BUILTIN_FRAMEWORKS: &[(&str, &str)] = &[\n",
    );
    for file in &frameworks {
        let name = file.file_name().expect("a file").to_string_lossy();
        out.push_str(&format!("    ({name:?}, include_str!({:?})),\n", file.display().to_string()));
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("builtin_policies.rs");
    std::fs::write(dest, out).expect("write builtin_policies.rs");
}

fn collect_ext(dir: &Path, ext: &str, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        println!("cargo:rerun-if-changed={}", path.display());
        if path.is_dir() {
            collect_ext(&path, ext, files);
        } else if path.extension().is_some_and(|e| e == ext) {
            files.push(path);
        }
    }
}
