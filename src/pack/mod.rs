//! Loading the policy pack: the built-in rules embedded at build time plus
//! user directories, validated file by file.
//!
//! The rule registry is derived from the files: every non-test `.rego` file
//! outside a `lib/` directory is a rule and must carry METADATA, a package that
//! matches its path, a `results` rule and a `_test.rego` beside it. Problems are
//! collected, not stopped at, so one run shows all of them.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub mod frameworks;
pub mod metadata;
pub mod rego_tests;
mod required_patterns;
pub mod select;

use metadata::parse_metadata;
pub use required_patterns::{REQUIRED_PATTERNS_RULE, RequiredPatterns, RequirementError};

use crate::finding::Rule;

include!(concat!(env!("OUT_DIR"), "/builtin_policies.rs"));

/// One `.rego` file of the pack.
#[derive(Debug, Clone)]
pub struct PolicyFile {
    /// Path shown to people: `policies/<rel>` for built-in files, the real path otherwise.
    pub display_path: String,
    /// Path relative to its policy root, with `/` separators.
    pub rel: String,
    pub source: String,
    pub builtin: bool,
}

impl PolicyFile {
    pub fn is_test(&self) -> bool {
        self.rel.ends_with("_test.rego")
    }
    pub fn is_lib(&self) -> bool {
        self.rel.starts_with("lib/") || self.rel.contains("/lib/")
    }
    /// The package this file must declare: `trailaudit.` + directories + stem.
    pub fn expected_package(&self) -> String {
        let stem = self.rel.trim_end_matches(".rego");
        format!("trailaudit.{}", stem.replace('/', "."))
    }
    /// The package the file declares, with the 1-based line.
    pub fn declared_package(&self) -> Option<(String, usize)> {
        self.source.lines().enumerate().find_map(|(i, line)| {
            let rest = line.trim().strip_prefix("package ")?;
            Some((rest.trim().to_owned(), i + 1))
        })
    }
}

/// A problem with one policy file, or with two that clash.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PackProblem {
    pub path: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for PackProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path, self.line, self.message)
    }
}

/// Every problem found while loading a pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackError(pub Vec<PackProblem>);

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "the policy pack is invalid ({} problem{}):", self.0.len(), if self.0.len() == 1 { "" } else { "s" })?;
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "  {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PackError {}

/// A validated pack: its files, its rules, and a regorus engine with every
/// non-test module loaded (clone it per evaluation).
#[derive(Clone)]
pub struct Pack {
    pub files: Vec<PolicyFile>,
    /// Sorted by id.
    pub rules: Vec<Rule>,
    pub engine: regorus::Engine,
    /// The canonical metric-filter patterns, parsed once (shared by clones of the pack).
    pub required_patterns: Arc<RequiredPatterns>,
}

impl fmt::Debug for Pack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pack").field("files", &self.files.len()).field("rules", &self.rules.len()).finish()
    }
}

/// Which files to load.
#[derive(Debug, Clone, Default)]
pub struct PackSource {
    /// Include the embedded built-in pack.
    pub builtin: bool,
    /// User policy directories, walked recursively.
    pub dirs: Vec<PathBuf>,
}

impl Pack {
    /// Loads and validates the built-in pack plus user directories.
    pub fn load(source: &PackSource) -> Result<Pack, PackError> {
        let files = read_files(source)?;
        Self::from_files(files)
    }

    pub fn from_files(files: Vec<PolicyFile>) -> Result<Pack, PackError> {
        let mut problems = Vec::new();
        let rules = validate(&files, &mut problems);
        let mut engine = new_engine();
        for file in files.iter().filter(|f| !f.is_test()) {
            if let Err(e) = engine.add_policy(file.display_path.clone(), file.source.clone()) {
                problems.push(rego_problem(file, &e));
            }
        }
        let required_patterns = if problems.is_empty() {
            match RequiredPatterns::from_engine(&engine) {
                Ok(r) => r,
                Err(e) => {
                    problems.push(requirement_problem(&files, &e));
                    RequiredPatterns::default()
                }
            }
        } else {
            RequiredPatterns::default()
        };
        if !problems.is_empty() {
            problems.sort();
            problems.dedup();
            return Err(PackError(problems));
        }
        Ok(Pack { files, rules, engine, required_patterns: Arc::new(required_patterns) })
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id() == id)
    }
}

/// Points a bad canonical pattern at the line of its key in the library file.
fn requirement_problem(files: &[PolicyFile], err: &RequirementError) -> PackProblem {
    let file = files.iter().rev().find(|f| f.rel == "lib/metric_filters.rego");
    let line = file
        .zip(err.key.as_ref())
        .and_then(|(f, key)| f.source.lines().position(|l| l.contains(&format!("\"{key}\""))))
        .map_or(1, |i| i + 1);
    PackProblem {
        path: file.map_or_else(|| "policies/lib/metric_filters.rego".to_owned(), |f| f.display_path.clone()),
        line,
        message: err.message.clone(),
    }
}

/// A regorus engine configured the way trailaudit evaluates: Rego v1, like OPA 1.x.
pub fn new_engine() -> regorus::Engine {
    let mut engine = regorus::Engine::new();
    engine.set_rego_v0(false);
    engine
}

/// regorus renders `--> file:line:col` with a snippet; keep it, and pull out the line.
pub(crate) fn rego_problem(file: &PolicyFile, err: &anyhow::Error) -> PackProblem {
    let text = format!("{err:#}");
    let marker = format!("{}:", file.display_path);
    let line = text.find(&marker).and_then(|i| text[i + marker.len()..].split(':').next()?.trim().parse().ok()).unwrap_or(1);
    PackProblem { path: file.display_path.clone(), line, message: format!("invalid Rego: {}", text.trim_end()) }
}

fn read_files(source: &PackSource) -> Result<Vec<PolicyFile>, PackError> {
    let mut files = Vec::new();
    if source.builtin {
        files.extend(BUILTIN_POLICIES.iter().map(|(rel, text)| PolicyFile {
            display_path: format!("policies/{rel}"),
            rel: (*rel).to_owned(),
            source: (*text).to_owned(),
            builtin: true,
        }));
    }
    let mut problems = Vec::new();
    for dir in &source.dirs {
        if !dir.is_dir() {
            problems.push(PackProblem {
                path: dir.display().to_string(),
                line: 0,
                message: "policy directory does not exist or is not a directory".into(),
            });
            continue;
        }
        let mut paths = Vec::new();
        walk(dir, &mut paths, &mut problems);
        paths.sort();
        for path in paths {
            let rel = path.strip_prefix(dir).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            match std::fs::read_to_string(&path) {
                Ok(text) => files.push(PolicyFile { display_path: path.display().to_string(), rel, source: text, builtin: false }),
                Err(e) => problems.push(PackProblem { path: path.display().to_string(), line: 0, message: format!("cannot read: {e}") }),
            }
        }
    }
    // A user file with the same path as a built-in one replaces it, so a copy of
    // the pack (e.g. `trailaudit test policies` in this repository) can be
    // edited and tested as a whole.
    let user_rels: std::collections::BTreeSet<String> = files.iter().filter(|f| !f.builtin).map(|f| f.rel.clone()).collect();
    files.retain(|f| !f.builtin || !user_rels.contains(&f.rel));
    if problems.is_empty() { Ok(files) } else { Err(PackError(problems)) }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, problems: &mut Vec<PackProblem>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(PackProblem { path: dir.display().to_string(), line: 0, message: format!("cannot read directory: {e}") });
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out, problems);
        } else if path.extension().is_some_and(|e| e == "rego") {
            out.push(path);
        }
    }
}

/// Checks every file; returns the rules of the files that are valid.
fn validate(files: &[PolicyFile], problems: &mut Vec<PackProblem>) -> Vec<Rule> {
    let mut packages: BTreeMap<String, &PolicyFile> = BTreeMap::new();
    let frameworks = frameworks::builtin();
    let mut rules: Vec<Rule> = Vec::new();
    let mut ids: BTreeMap<String, (String, usize)> = BTreeMap::new();
    for file in files {
        let problem = |line: usize, message: String| PackProblem { path: file.display_path.clone(), line, message };
        let expected = file.expected_package();
        match file.declared_package() {
            None => problems.push(problem(1, format!("no `package` declaration (expected `package {expected}`)"))),
            Some((pkg, line)) if pkg != expected => {
                problems.push(problem(line, format!("package `{pkg}` does not match the file's path: expected `package {expected}`")))
            }
            Some((pkg, line)) => {
                if let Some(other) = packages.insert(pkg.clone(), file) {
                    problems.push(problem(line, format!("package `{pkg}` is also declared by {}", other.display_path)));
                }
            }
        }
        if file.is_test() || file.is_lib() {
            continue;
        }
        let block = match parse_metadata(&file.source) {
            Ok(Some(block)) => block,
            Ok(None) => {
                problems.push(problem(1, "rule file has no `# METADATA` block (files that are not rules belong under lib/)".into()));
                continue;
            }
            Err(e) => {
                problems.push(problem(e.line, e.message));
                continue;
            }
        };
        if !defines_results(&file.source) {
            problems.push(problem(block.line, "rule defines no `results` (see docs/writing-rules.md)".into()));
        }
        let test_path = format!("{}_test.rego", file.display_path.trim_end_matches(".rego"));
        match files.iter().find(|f| f.builtin == file.builtin && f.display_path == test_path) {
            None => {
                problems.push(problem(block.line, format!("rule has no tests: {test_path} is missing")));
            }
            Some(test) if !has_test_rules(&test.source) => {
                problems.push(PackProblem {
                    path: test.display_path.clone(),
                    line: 1,
                    message: "test file defines no `test_*` rule".into(),
                });
            }
            _ => {}
        }
        for (key, controls) in &block.meta.custom.frameworks {
            let Some(framework) = frameworks.iter().find(|f| &f.key == key) else { continue };
            for control in controls {
                if !framework.controls.iter().any(|c| &c.id == control) {
                    let line = metadata_key_line(&file.source, &format!("{key}:")).unwrap_or(block.line);
                    problems.push(problem(line, format!("`{key}` has no control `{control}` (see policies/frameworks/{key}.yaml)")));
                }
            }
        }
        let id = block.meta.custom.id.clone();
        let id_line = metadata_key_line(&file.source, "id:").unwrap_or(block.line);
        if let Some((other_path, other_line)) = ids.insert(id.clone(), (file.display_path.clone(), id_line)) {
            problems.push(problem(id_line, format!("duplicate rule id `{id}`: also used by {other_path}:{other_line}")));
            continue;
        }
        rules.push(Rule {
            package: expected,
            source_path: file.display_path.clone(),
            metadata_line: block.line,
            builtin: file.builtin,
            meta: block.meta,
        });
    }
    rules.sort_by(|a, b| a.id().cmp(b.id()));
    rules
}

fn defines_results(source: &str) -> bool {
    source.lines().any(|l| {
        let l = l.trim_end();
        l.starts_with("results contains") || l.starts_with("results :=") || l.starts_with("results =") || l.starts_with("default results")
    })
}

/// Names of the `test_*` rules a test file defines, in order, without duplicates.
pub fn test_rule_names(source: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for line in source.lines() {
        if !line.starts_with("test_") {
            continue;
        }
        let name: String = line.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

fn has_test_rules(source: &str) -> bool {
    !test_rule_names(source).is_empty()
}

fn metadata_key_line(source: &str, key: &str) -> Option<usize> {
    source.lines().position(|l| l.trim_start_matches('#').trim_start().starts_with(key)).map(|i| i + 1)
}
