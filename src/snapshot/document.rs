//! The snapshot document written piecewise: the fields of [`Snapshot`] in its
//! order, with the accounts produced one at a time as they are written, so a
//! writer holds one account in memory, not all of them. Used by the
//! collector's spool ([`super::spool`]) and by `trailaudit merge`; a test
//! holds the output byte for byte equal to [`write_file`](super::write_file)'s.

use serde::Serialize;
use serde::ser::{Error as _, SerializeSeq, Serializer};

use super::model::{Account, CollectionError, Metadata, OrganizationScope, SCHEMA_VERSION};

/// Produces the accounts in order, one at a time.
pub(crate) trait AccountSource {
    fn len(&self) -> usize;
    /// The `i`-th account; an error is reported with the write.
    fn account(&self, i: usize) -> Result<Account, String>;
}

#[derive(Serialize)]
#[serde(bound = "")]
struct Document<'a, A: AccountSource> {
    schema_version: u32,
    metadata: &'a Metadata,
    #[serde(skip_serializing_if = "Option::is_none")]
    organization: Option<&'a OrganizationScope>,
    accounts: Accounts<'a, A>,
    errors: &'a [CollectionError],
}

struct Accounts<'a, A: AccountSource>(&'a A);

impl<A: AccountSource> Serialize for Accounts<'_, A> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for i in 0..self.0.len() {
            seq.serialize_element(&self.0.account(i).map_err(S::Error::custom)?)?;
        }
        seq.end()
    }
}

/// Writes the snapshot document (pretty JSON and a final newline, as the collector's files).
pub(crate) fn write<A: AccountSource>(
    out: &mut dyn std::io::Write,
    metadata: &Metadata,
    organization: Option<&OrganizationScope>,
    accounts: &A,
    errors: &[CollectionError],
) -> std::io::Result<()> {
    let document = Document { schema_version: SCHEMA_VERSION, metadata, organization, accounts: Accounts(accounts), errors };
    serde_json::to_writer_pretty(&mut *out, &document).map_err(std::io::Error::from)?;
    out.write_all(b"\n")
}
