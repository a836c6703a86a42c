//! The snapshot: one versioned JSON document, the contract between the
//! collector and the policies. See [`model`] for the wire format.

pub mod actions;
mod document;
mod load;
pub mod merge;
pub mod model;
pub mod spool;
pub mod stream;

pub use load::{
    DEFAULT_MAX_SNAPSHOT_MIB, SnapshotError, SnapshotFile, dedup_accounts, load_file, load_file_indexed, max_snapshot_bytes, parse_str,
    parse_str_streaming, set_max_snapshot_mib, write_file,
};
pub use model::*;

/// The JSON Schema of [`Snapshot`], as committed in `docs/snapshot.schema.json`.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Snapshot);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema always serializes");
    text.push('\n');
    text
}
