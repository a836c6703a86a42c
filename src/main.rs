//! The `trailaudit` binary: parse arguments, run, map the result to an exit code.
//! Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = trailaudit::cli::Cli::parse(); // usage errors exit 2 with clap's message
    match trailaudit::commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("trailaudit: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
