//! The `trailaudit` binary: parse arguments, run, map the result to an exit code.
//! Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;

/// regorus allocates often and briefly (values, scopes, path strings): glibc's
/// malloc and free were a quarter of an audit's profile.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // SAFETY: first thing in `main`, before any other thread exists.
    unsafe { trailaudit::quiet_library_backtraces() };
    trailaudit::fsutil::note_closed_stdout();
    let cli = trailaudit::cli::Cli::parse(); // usage errors exit 2 with clap's message
    match trailaudit::commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("trailaudit: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
