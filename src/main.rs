//! The `trailaudit` binary: parse arguments, run, map the result to an exit code.
//! Everything else lives in the library.

#![deny(clippy::unwrap_used)]

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

// The global allocator is regorus's mimalloc (regorus's `allocator-memory-limits`
// feature, which installs it): regorus allocates often and briefly, where glibc's
// malloc and free were a quarter of an audit's profile, and this one also counts the
// live bytes that bound rule evaluation (`--rule-memory-mib`, src/evaluate/memory.rs).

/// Transparent huge pages off for this process. mimalloc asks for them
/// (`MADV_HUGEPAGE`) on the arena it reserves, so every 2 MiB stretch of it
/// that is touched at all becomes resident whole: with them, the offline audit
/// of `fixtures/compliant` peaked at 51 MB instead of 40 MB (debug build,
/// `/usr/bin/time -v`), and the small heaps of the live audit's threads are
/// spread the same way. Pages touched before `main` keep what they got; a
/// process started from here (a `credential_process`) inherits the setting.
#[cfg(target_os = "linux")]
fn no_transparent_huge_pages() {
    // SAFETY: prctl(PR_SET_THP_DISABLE) takes integers and sets a flag of this
    // process; when it fails (a kernel without it) the default stays.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn main() -> ExitCode {
    #[cfg(target_os = "linux")]
    no_transparent_huge_pages();
    // SAFETY: first thing in `main`, before any other thread exists.
    unsafe { trailaudit::quiet_library_backtraces() };
    trailaudit::fsutil::note_closed_stdout();
    // Usage errors exit 2 with clap's message, uncoloured with --no-color (clap reads NO_COLOR itself).
    let mut command = trailaudit::cli::Cli::command();
    if std::env::args_os().any(|a| a == "--no-color") {
        command = command.color(clap::ColorChoice::Never);
    }
    let cli = trailaudit::cli::Cli::from_arg_matches(&command.get_matches()).unwrap_or_else(|e| e.exit());
    match trailaudit::commands::run(cli) {
        Ok(outcome) => ExitCode::from(outcome),
        Err(err) => {
            // The chain can quote untrusted text (a snapshot's unknown key).
            eprintln!("trailaudit: error: {}", trailaudit::report::escape_message(&trailaudit::commands::error_message(&err)));
            ExitCode::from(trailaudit::finding::Outcome::BadInput)
        }
    }
}
