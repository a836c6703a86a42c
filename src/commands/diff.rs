//! `trailaudit diff OLD NEW`: load both snapshots, compare them (`crate::drift`), render.

use super::emit;
use crate::cli::{DiffArgs, DiffFormat};
use crate::drift;
use crate::finding::Outcome;

pub fn run(args: DiffArgs) -> anyhow::Result<Outcome> {
    super::check_paths(&[("OLD", Some(&args.old)), ("NEW", Some(&args.new))], &[("--output", args.output.as_deref())])?;
    let report = drift::compare_files(&args.old, &args.new)?;
    let text = match args.format {
        DiffFormat::Text => drift::text(&report),
        DiffFormat::Json => report.to_json(),
        DiffFormat::Markdown => drift::markdown(&report),
    };
    emit(&text, args.output.as_deref())?;
    Ok(report.exit_code())
}
