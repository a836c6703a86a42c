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

mod event_readers;
pub mod frameworks;
pub mod lint;
pub mod metadata;
mod recursion;
pub mod rego_tests;
mod required_patterns;
pub mod select;

use metadata::parse_metadata;
pub use required_patterns::{REQUIRED_PATTERNS_RULE, RequiredPatterns, RequirementError};

use crate::finding::Rule;

/// Stack of each evaluation thread. regorus's interpreter recurses along the
/// Rego it runs (every rule, function and nested expression is a Rust frame);
/// a rule that can reach a recursive function is never evaluated (see
/// [`recursion`]), so the depth is bounded by the pack's own nesting, and this
/// gives it room far beyond the 2 MiB of a default thread. It is address space,
/// reserved but only touched as deep as the evaluation goes.
pub const EVAL_STACK_BYTES: usize = 256 << 20;

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
        // Line 0: about a file or directory as a whole (unreadable, a symbolic link).
        if self.line == 0 {
            write!(f, "{}: {}", self.path, self.message)
        } else {
            write!(f, "{}:{}: {}", self.path, self.line, self.message)
        }
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
    /// Relative paths of user files that are byte-for-byte copies of built-in
    /// files (the built-in `policies/` given again as a policy directory): they
    /// were skipped, and `trailaudit test DIR` runs the built-in copies' tests.
    pub builtin_copies: Vec<String>,
    /// The bound of one evaluation ([`Pack::set_rule_timeout`]).
    pub rule_timeout: std::time::Duration,
    /// The memory an audit's evaluation may use beyond what is live when it
    /// starts, in MiB: `--rule-memory-mib` (see `evaluate::memory`).
    pub rule_memory_mib: u64,
    /// Rules never evaluated, by id, with why: they can reach a recursive
    /// function (file and line in the message). Their results are `error`.
    pub refused: BTreeMap<String, String>,
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
        let (files, builtin_copies) = read_files(source)?;
        let mut pack = Self::from_files(files)?;
        pack.builtin_copies = builtin_copies;
        Ok(pack)
    }

    pub fn from_files(files: Vec<PolicyFile>) -> Result<Pack, PackError> {
        // Reading the METADATA and parsing the Rego are independent, and each
        // is about a tenth of an audit of a fixture: one runs on a second thread.
        // Where no thread can be had (a container's pids limit), the parse runs here after it.
        let parse = || {
            let mut engine = new_engine();
            let mut problems = Vec::new();
            for file in files.iter().filter(|f| !f.is_test()) {
                if let Err(e) = engine.add_policy(file.display_path.clone(), file.source.clone()) {
                    problems.push(rego_problem(file, &e));
                }
            }
            (engine, problems)
        };
        let ((rules, mut problems), (mut engine, parse_problems)) = std::thread::scope(|scope| {
            let parsing = std::thread::Builder::new().spawn_scoped(scope, parse);
            let mut problems = Vec::new();
            let rules = validate(&files, &mut problems);
            let parsed = match parsing {
                Ok(parsing) => parsing.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(_) => parse(),
            };
            ((rules, problems), parsed)
        });
        problems.extend(parse_problems);
        // A rule that can reach a recursive function is not refused with the
        // pack: it is never evaluated, and its results are errors (see `recursion`).
        // The built-in files alone are the ones embedded at build time, which
        // reach none (`the_builtin_pack_reaches_no_recursive_function`): the
        // walk over their call graph is a twentieth of an audit of a fixture.
        let user_files = files.iter().any(|f| !f.builtin);
        let refused = if problems.is_empty() && user_files { recursion::refused_packages(&mut engine) } else { BTreeMap::new() };
        let refused: BTreeMap<String, String> =
            rules.iter().filter_map(|r| Some((r.id().to_owned(), format!("rule not evaluated: {}", refused.get(&r.package)?)))).collect();
        let required_patterns = if problems.is_empty() {
            match RequiredPatterns::from_pack(&files, &engine) {
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
        Ok(Pack {
            files,
            rules,
            engine,
            required_patterns: Arc::new(required_patterns),
            builtin_copies: Vec::new(),
            rule_timeout: DEFAULT_RULE_TIMEOUT,
            rule_memory_mib: DEFAULT_RULE_MEMORY_MIB,
            refused,
        })
    }

    /// Bounds every later evaluation of this pack (and of its engine's clones)
    /// to `limit`: `--rule-timeout`.
    pub fn set_rule_timeout(&mut self, limit: std::time::Duration) {
        self.rule_timeout = limit;
        self.engine.set_execution_timer_config(timer_config(limit));
    }

    /// Bounds the memory of every later audit's evaluation: `--rule-memory-mib`.
    pub fn set_rule_memory_mib(&mut self, mib: u64) {
        self.rule_memory_mib = mib;
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

/// How long one evaluation (one rule, or the whole pack at once, on one
/// account; one `test_*` rule) may run before regorus stops it: `--rule-timeout`.
/// The built-in pack judges an account of the benchmark in milliseconds; this
/// only stops a runaway rule (a loop over `numbers.range`, say), whose results
/// become `error` for that rule and account.
pub const DEFAULT_RULE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// `--rule-memory-mib`'s default: far above what the built-in pack needs to
/// judge an account (a few MiB on the benchmark's largest one), below what
/// makes a 7 GB CI runner swap. A rule whose evaluation needs more is stopped
/// and its results become `error` for that rule.
pub const DEFAULT_RULE_MEMORY_MIB: u64 = 1024;

/// A regorus engine configured the way trailaudit evaluates: Rego v1, like OPA
/// 1.x, each query bounded by [`DEFAULT_RULE_TIMEOUT`].
pub fn new_engine() -> regorus::Engine {
    let mut engine = regorus::Engine::new();
    engine.set_rego_v0(false);
    engine.set_execution_timer_config(timer_config(DEFAULT_RULE_TIMEOUT));
    engine
}

/// regorus's cooperative timer: the clock is read every `check_interval`
/// steps of the interpreter, which keeps its cost out of the measurements.
pub fn timer_config(limit: std::time::Duration) -> regorus::utils::limits::ExecutionTimerConfig {
    regorus::utils::limits::ExecutionTimerConfig { limit, check_interval: std::num::NonZeroU32::new(256).expect("not zero") }
}

/// The message for an evaluation regorus's execution timer stopped; `None`
/// for any other error.
pub fn timeout_message(err: &anyhow::Error) -> Option<String> {
    let stopped = |limit: std::time::Duration| {
        format!(
            "rule stopped: its evaluation ran longer than the rule timeout of {} s (--rule-timeout); \
             a loop over a large range or a runaway comprehension?",
            limit.as_secs_f64()
        )
    };
    match err.chain().find_map(|c| c.downcast_ref::<regorus::LimitError>()) {
        Some(regorus::LimitError::TimeLimitExceeded { limit, .. }) => Some(stopped(*limit)),
        Some(other) => Some(format!("rule stopped: {other}")),
        None => {
            // regorus may pass the error on as text: "execution exceeded time limit (elapsed=…ns, limit=…ns)".
            let text = format!("{err:#}");
            let rest = &text[text.find("execution exceeded time limit")?..];
            let ns: u64 = rest.split("limit=").nth(1)?.split("ns").next()?.parse().ok()?;
            Some(stopped(std::time::Duration::from_nanos(ns)))
        }
    }
}

/// regorus renders `--> file:line:col` with a snippet; keep it, and pull out the line.
pub(crate) fn rego_problem(file: &PolicyFile, err: &anyhow::Error) -> PackProblem {
    let text = format!("{err:#}");
    let marker = format!("{}:", file.display_path);
    let line = text.find(&marker).and_then(|i| text[i + marker.len()..].split(':').next()?.trim().parse().ok()).unwrap_or(1);
    PackProblem { path: file.display_path.clone(), line, message: format!("invalid Rego: {}", text.trim_end()) }
}

/// The built-in files, then every user directory's `.rego` files. A user file
/// may not replace a built-in one (same relative path, other content): that
/// would let a policy directory, e.g. one a pull request edits, rewrite the
/// libraries and rules the audit is judged by. A byte-identical copy (the
/// built-in `policies/` given again) is recognised and skipped; its relative
/// path is returned second.
fn read_files(source: &PackSource) -> Result<(Vec<PolicyFile>, Vec<String>), PackError> {
    let mut files = Vec::new();
    if source.builtin {
        files.extend(BUILTIN_POLICIES.iter().map(|(rel, text)| PolicyFile {
            display_path: format!("policies/{rel}"),
            rel: (*rel).to_owned(),
            source: (*text).to_owned(),
            builtin: true,
        }));
    }
    let builtin: BTreeMap<String, String> = files.iter().map(|f| (f.rel.clone(), f.source.clone())).collect();
    let mut copies = Vec::new();
    let mut problems = Vec::new();
    for dir in &source.dirs {
        let root = match std::fs::canonicalize(dir) {
            Ok(root) if root.is_dir() => root,
            _ => {
                problems.push(PackProblem {
                    path: dir.display().to_string(),
                    line: 0,
                    message: "policy directory does not exist or is not a directory".into(),
                });
                continue;
            }
        };
        let mut paths = Vec::new();
        let mut visited = std::collections::BTreeSet::from([root.clone()]);
        walk(&Walk { root: &root, shown_root: dir }, dir, &mut visited, &mut paths, &mut problems);
        paths.sort();
        for path in paths {
            let rel = path.strip_prefix(dir).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            let text = match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(e) => {
                    problems.push(PackProblem { path: path.display().to_string(), line: 0, message: format!("cannot read: {e}") });
                    continue;
                }
            };
            let file = PolicyFile { display_path: path.display().to_string(), rel, source: text, builtin: false };
            match builtin.get(&file.rel) {
                Some(original) if *original == file.source => {
                    if !copies.contains(&file.rel) {
                        copies.push(file.rel.clone());
                    }
                }
                Some(_) => problems.push(PackProblem {
                    path: file.display_path.clone(),
                    line: file.declared_package().map_or(1, |(_, line)| line),
                    message: format!(
                        "has the path of the built-in file policies/{} but other content: built-in files cannot be replaced \
                         or extended by a policy directory (see \"Namespaces\" in docs/writing-rules.md)",
                        file.rel
                    ),
                }),
                None => files.push(file),
            }
        }
    }
    if problems.is_empty() { Ok((files, copies)) } else { Err(PackError(problems)) }
}

/// The policy directory being walked: its canonical path (links may not leave
/// it) and the path as given (for messages).
struct Walk<'a> {
    root: &'a Path,
    shown_root: &'a Path,
}

/// Collects the `.rego` files under `dir`, following symbolic links that stay
/// inside the policy directory. A link leading outside it, a broken link, and a
/// directory reached a second time (a link to `.` or to a parent: a loop) are
/// problems, never walked.
fn walk(
    w: &Walk<'_>,
    dir: &Path,
    visited: &mut std::collections::BTreeSet<PathBuf>,
    out: &mut Vec<PathBuf>,
    problems: &mut Vec<PackProblem>,
) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(PackProblem { path: dir.display().to_string(), line: 0, message: format!("cannot read directory: {e}") });
            return;
        }
    };
    let mut entries: Vec<std::fs::DirEntry> = entries.flatten().collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let path = entry.path();
        let problem = |message: String| PackProblem { path: path.display().to_string(), line: 0, message };
        let Ok(file_type) = entry.file_type() else { continue };
        let is_dir = if file_type.is_symlink() {
            let target = match std::fs::canonicalize(&path) {
                Ok(t) => t,
                Err(e) => {
                    problems.push(problem(format!("broken symbolic link: {e}")));
                    continue;
                }
            };
            if !target.starts_with(w.root) {
                problems.push(problem(format!(
                    "symbolic link to {}, outside the policy directory {}: not followed",
                    target.display(),
                    w.shown_root.display()
                )));
                continue;
            }
            target.is_dir()
        } else {
            file_type.is_dir()
        };
        if is_dir {
            let canonical = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            if !visited.insert(canonical.clone()) {
                problems.push(problem(format!(
                    "symbolic link loop: leads to {}, which is already being read (a link to the directory itself, \
                     a parent, or a second link to one directory)",
                    canonical.display()
                )));
                continue;
            }
            walk(w, &path, visited, out, problems);
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
    let builtin_packages: Vec<String> = files.iter().filter(|f| f.builtin).map(PolicyFile::expected_package).collect();
    let event_readers = event_readers::readers(files);
    for file in files {
        let problem = |line: usize, message: String| PackProblem { path: file.display_path.clone(), line, message };
        let expected = file.expected_package();
        match file.declared_package() {
            None => problems.push(problem(1, format!("no `package` declaration (expected `package {expected}`)"))),
            Some((pkg, line)) if pkg != expected => {
                problems.push(problem(line, format!("package `{pkg}` does not match the file's path: expected `package {expected}`")))
            }
            Some((pkg, line)) => {
                if !file.builtin
                    && let Some(reserved) = builtin_packages.iter().find(|b| reserves(b, &pkg))
                {
                    problems.push(problem(
                        line,
                        format!(
                            "package `{pkg}` is in the built-in namespace (`{reserved}`): a policy directory cannot define, \
                             extend or shadow a built-in package (see \"Namespaces\" in docs/writing-rules.md)"
                        ),
                    ));
                }
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
        if block.meta.custom.events.is_empty() && event_readers.contains(&expected) {
            let line = metadata_key_line(&file.source, "requires:").unwrap_or(block.line);
            problems.push(problem(
                line,
                format!(
                    "rule {} reads the event history (input.account.event_history, directly or through a library such as \
                     data.trailaudit.lib.events) but declares no `custom.events`: list the events it detects, so the loader \
                     can check that the collector queries them (see \"Event-history detections\" in docs/writing-rules.md)",
                    block.meta.custom.id
                ),
            ));
        }
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
            let whose = if other_path.starts_with("policies/") && files.iter().any(|f| f.builtin && f.display_path == other_path) {
                " (the id of a built-in rule: built-in rule ids cannot be redefined, see \"Namespaces\" in docs/writing-rules.md)"
            } else {
                ""
            };
            problems.push(problem(id_line, format!("duplicate rule id `{id}`: also used by {other_path}:{other_line}{whose}")));
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

/// Does the built-in package `builtin` keep a user file from declaring `pkg`?
/// It does when they are equal, when `pkg` is a prefix of it (package
/// `trailaudit.lib` could define `result.fail`, i.e. `data.trailaudit.lib.result.fail`)
/// and when `pkg` lies below it.
fn reserves(builtin: &str, pkg: &str) -> bool {
    let below = |a: &str, b: &str| a.len() > b.len() && a.starts_with(b) && a.as_bytes()[b.len()] == b'.';
    builtin == pkg || below(builtin, pkg) || below(pkg, builtin)
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
