//! Writing a merge: the snapshot document in the collector's format
//! ([`write_file`](crate::snapshot::write_file): pretty JSON, same field order),
//! with the accounts read back from their parts one at a time as they are written.

use serde::Serialize;
use serde::ser::{Error as _, SerializeSeq, Serializer};

use super::Merge;
use crate::snapshot::model::{CollectionError, Metadata, OrganizationScope, SCHEMA_VERSION};

/// The fields of [`Snapshot`](crate::snapshot::Snapshot), in its order; a test
/// holds the two byte for byte equal.
#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    metadata: &'a Metadata,
    #[serde(skip_serializing_if = "Option::is_none")]
    organization: Option<&'a OrganizationScope>,
    accounts: Accounts<'a>,
    errors: &'a [CollectionError],
}

struct Accounts<'a>(&'a Merge);

impl Serialize for Accounts<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let merge = self.0;
        let mut seq = serializer.serialize_seq(Some(merge.accounts.len()))?;
        for entry in &merge.accounts {
            let account =
                merge.read_account(entry).map_err(|e| S::Error::custom(format!("{}: {e}", merge.sources[entry.source].path.display())))?;
            seq.serialize_element(&account)?;
        }
        seq.end()
    }
}

impl Merge {
    /// Writes the merged snapshot to `out` (a newline ends it, as in the collector's files).
    pub fn write(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let document = Document {
            schema_version: SCHEMA_VERSION,
            metadata: &self.metadata,
            organization: self.organization.as_ref(),
            accounts: Accounts(self),
            errors: &self.errors,
        };
        serde_json::to_writer_pretty(&mut *out, &document).map_err(std::io::Error::from)?;
        out.write_all(b"\n")
    }
}
