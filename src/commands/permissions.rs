//! `trailaudit permissions`: the IAM policy the collector needs, derived from
//! the actions it calls (`snapshot::actions::ALL`, which a test keeps equal to
//! the collector's call sites).

use crate::cli::PermissionsArgs;
use crate::finding::Outcome;
use crate::snapshot::actions;

pub fn run(args: PermissionsArgs) -> anyhow::Result<Outcome> {
    let policy = actions::iam_policy(args.member_role.as_deref(), &args.partition);
    let text = serde_json::to_string_pretty(&policy).expect("a policy always serializes");
    super::emit(&format!("{text}\n"), None)?;
    Ok(Outcome::Clean)
}
