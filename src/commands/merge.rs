//! `trailaudit merge A.json B.json ... --output ALL.json`: join snapshots (`crate::snapshot::merge`), write, say what was joined.

use crate::cli::MergeArgs;
use crate::finding::Outcome;
use crate::snapshot::merge::{MergeOptions, merge_files};

pub fn run(args: MergeArgs) -> anyhow::Result<Outcome> {
    let merge = merge_files(&args.snapshots, &MergeOptions { max_skew_minutes: args.max_skew_minutes })?;
    merge.write_file(&args.output)?;
    for warning in merge.warnings().iter().filter(|_| !super::quiet()) {
        eprintln!("trailaudit: warning: {}", crate::report::escape_message(&warning.to_string()));
    }
    let failed = merge.errors().iter().filter(|e| e.kind.is_gap()).count();
    let shards = match merge.organization().and_then(|o| o.shards.as_ref()) {
        Some(s) => format!(", shard(s) {:?} of {}", s.indices, s.count),
        None => String::new(),
    };
    if super::quiet() {
        return Ok(Outcome::Clean);
    }
    eprintln!(
        "trailaudit: merged {} snapshot(s) into {} ({} account(s), {} region(s), {} failed call(s){shards})",
        args.snapshots.len(),
        args.output.display(),
        merge.account_ids().count(),
        merge.metadata().regions.len(),
        failed
    );
    Ok(Outcome::Clean)
}
