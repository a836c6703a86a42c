//! One module per subcommand: each turns parsed arguments into work and an exit code.

mod audit;
mod diff;
mod live;
mod merge;
mod permissions;
mod policy_test;
mod rules;

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cli::{Cli, Command};
use crate::config::Config;
use crate::finding::Outcome;
use crate::pack::{Pack, PackSource};

/// Runs the command line; `Ok(code)` is the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Audit(args) => audit::run(args),
        Command::Collect(args) => live::collect_only(args),
        Command::Rules(args) => rules::run(args),
        Command::Test(args) => policy_test::run(args),
        Command::Schema => {
            print!("{}", crate::snapshot::json_schema());
            Ok(Outcome::Clean as u8)
        }
        Command::Diff(args) => diff::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Permissions(args) => permissions::run(args),
    }
}

/// `--config FILE`, else `./trailaudit.yaml` when present, else defaults.
pub(crate) fn load_config(explicit: Option<&Path>) -> anyhow::Result<Config> {
    match explicit {
        Some(path) => Ok(Config::load(path)?),
        None => {
            let default = PathBuf::from("trailaudit.yaml");
            if default.is_file() { Ok(Config::load(&default)?) } else { Ok(Config::default()) }
        }
    }
}

pub(crate) fn load_pack(dirs: &[PathBuf]) -> anyhow::Result<Pack> {
    Pack::load(&PackSource { builtin: true, dirs: dirs.to_vec() }).context("cannot load the policy pack")
}

/// Writes `text` to `path` atomically, or to stdout when `path` is `None`.
pub(crate) fn emit(text: &str, path: Option<&Path>) -> anyhow::Result<()> {
    emit_with(path, |out| out.write_all(text.as_bytes()))
}

/// [`emit`] for output produced as it is written (a large report).
pub(crate) fn emit_with(path: Option<&Path>, write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) -> anyhow::Result<()> {
    match path {
        Some(p) => crate::fsutil::write_atomic_with(p, write).with_context(|| format!("cannot write {}", p.display())),
        None => {
            use std::io::Write;
            crate::fsutil::check_stdout_open().context("cannot write to stdout")?;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            match write(&mut out).and_then(|()| out.flush()) {
                // A closed pipe (`| head`) is the reader's choice, not our failure.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other.context("cannot write to stdout"),
            }
        }
    }
}

/// Refuses (exit 2, before any work) outputs that would overwrite an input or
/// each other: see [`crate::fsutil::check_distinct`]. Options left out are `None`.
pub(crate) fn check_paths(inputs: &[(&str, Option<&Path>)], outputs: &[(&str, Option<&Path>)]) -> anyhow::Result<()> {
    fn named<'a>(list: &[(&'a str, Option<&'a Path>)]) -> Vec<crate::fsutil::Named<'a>> {
        list.iter().filter_map(|&(option, path)| path.map(|path| crate::fsutil::Named { option, path })).collect()
    }
    crate::fsutil::check_distinct(&named(inputs), &named(outputs)).map_err(anyhow::Error::msg)
}

/// The configuration file a run reads: `--config`, else `./trailaudit.yaml` when present.
pub(crate) fn config_path(explicit: Option<&Path>) -> Option<PathBuf> {
    explicit.map(Path::to_path_buf).or_else(|| Some(PathBuf::from("trailaudit.yaml")).filter(|p| p.is_file()))
}

/// Progress goes to stderr only for a person watching it: a terminal, and not
/// a CI job (whose log may be a pseudo-terminal that would fill with redraws).
pub(crate) fn show_progress(stderr_is_terminal: bool, ci: bool) -> bool {
    stderr_is_terminal && !ci
}

#[cfg(test)]
mod tests {
    #[test]
    fn progress_only_on_a_terminal_outside_ci() {
        assert!(super::show_progress(true, false));
        assert!(!super::show_progress(false, false));
        assert!(!super::show_progress(true, true));
        assert!(!super::show_progress(false, true));
    }
}
