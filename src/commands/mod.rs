//! One module per subcommand: each turns parsed arguments into work and an exit code.

mod audit;
mod diff;
mod live;
mod merge;
mod permissions;
mod policy_test;
mod rules;
mod shell;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;

use crate::cli::{Cli, Command};
use crate::config::Config;
use crate::finding::Outcome;
use crate::pack::{Pack, PackSource};

static QUIET: AtomicBool = AtomicBool::new(false);
static NO_COLOR: AtomicBool = AtomicBool::new(false);

/// `--quiet`: no progress, warnings or notes on stderr.
pub(crate) fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Colour in the text report: asked for (no `--no-color`, no `NO_COLOR`) and a terminal to show it.
pub(crate) fn color(to_terminal: bool) -> bool {
    to_terminal && !NO_COLOR.load(Ordering::Relaxed) && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Runs the command line; `Ok(code)` is the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    QUIET.store(cli.quiet, Ordering::Relaxed);
    NO_COLOR.store(cli.no_color, Ordering::Relaxed);
    match cli.command {
        Command::Audit(args) => audit::run(args),
        Command::Collect(args) => live::collect_only(args),
        Command::Rules(args) => rules::run(args),
        Command::Frameworks(args) => rules::frameworks(args),
        Command::Test(args) => policy_test::run(args),
        Command::Schema => {
            emit(&crate::snapshot::json_schema(), None)?;
            Ok(Outcome::Clean)
        }
        Command::Diff(args) => diff::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Permissions(args) => permissions::run(args),
        Command::Completions(args) => shell::completions(args.shell),
        Command::Man => shell::man(),
    }
}

/// The message of an error that ends the run: the error and its causes joined
/// by `: `, each said once (an error whose text already quotes its source, as
/// `cannot read snapshot F: No such file or directory` does, is not followed by
/// that source again).
pub fn error_message(err: &anyhow::Error) -> String {
    crate::collect::causes(err.as_ref())
}

/// Fails before any work when a file to be written lies in a directory that
/// does not exist: a live collection can take minutes, and should not end in
/// "cannot write". The wording is [`crate::fsutil::write_atomic`]'s.
pub(crate) fn check_output_dirs<'a>(paths: impl IntoIterator<Item = &'a Path>) -> anyhow::Result<()> {
    for path in paths {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => continue,
        };
        if !dir.is_dir() {
            let what = if dir.exists() { "is not a directory" } else { "does not exist" };
            anyhow::bail!("cannot write {}: directory {} {what}", path.display(), dir.display());
        }
    }
    Ok(())
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
            // On write and on flush: a closed pipe loses the rest of the output, an error.
            write(&mut out).and_then(|()| out.flush()).map_err(crate::fsutil::write_error).context("cannot write to stdout")
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
    stderr_is_terminal && !ci && !quiet()
}

#[cfg(test)]
mod tests {
    #[test]
    fn error_messages_say_each_cause_once() {
        // An error whose message already quotes its source (as a `#[source]` field of a
        // thiserror message would): anyhow's chain says it twice, error_message once.
        #[derive(Debug, thiserror::Error)]
        #[error("cannot read snapshot x.json: {source}")]
        struct Quoting {
            source: std::io::Error,
        }
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory (os error 2)");
        let err = anyhow::Error::new(Quoting { source: io });
        assert_eq!(format!("{err:#}").matches("No such file").count(), 2, "anyhow's chain repeats the source");
        assert_eq!(super::error_message(&err), "cannot read snapshot x.json: No such file or directory (os error 2)");
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory (os error 2)");
        let err = anyhow::Error::new(crate::snapshot::SnapshotError::Io { path: "x.json".into(), cause: io });
        assert_eq!(super::error_message(&err), "cannot read snapshot x.json: No such file or directory (os error 2)");
        let err = anyhow::anyhow!("inner cause").context("outer");
        assert_eq!(super::error_message(&err), "outer: inner cause");
    }

    #[test]
    fn no_color_flag_turns_colour_off() {
        assert!(!super::color(false), "never without a terminal");
        super::NO_COLOR.store(true, std::sync::atomic::Ordering::Relaxed);
        let with_flag = super::color(true);
        super::NO_COLOR.store(false, std::sync::atomic::Ordering::Relaxed);
        assert!(!with_flag, "--no-color wins over a terminal");
        let no_color_env = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        assert_eq!(super::color(true), !no_color_env, "a terminal gets colour unless NO_COLOR is set");
    }

    #[test]
    fn progress_only_on_a_terminal_outside_ci() {
        assert!(super::show_progress(true, false));
        assert!(!super::show_progress(false, false));
        assert!(!super::show_progress(true, true));
        assert!(!super::show_progress(false, true));
    }
}
