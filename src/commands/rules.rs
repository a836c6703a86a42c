//! `trailaudit rules`: the catalogue.

use super::{emit, load_pack};
use crate::catalogue;
use crate::cli::{CatalogueFormat, RulesArgs};

pub fn run(args: RulesArgs) -> anyhow::Result<u8> {
    let pack = load_pack(&args.policy.policy_dirs)?;
    let text = match args.format {
        CatalogueFormat::Text => catalogue::text(&pack.rules),
        CatalogueFormat::Json => catalogue::json(&pack.rules),
        CatalogueFormat::Markdown => catalogue::markdown(&pack.rules),
    };
    emit(&text, None)?;
    Ok(0)
}
