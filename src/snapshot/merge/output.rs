//! Writing a merge: the snapshot document in the collector's format
//! ([`write_file`](crate::snapshot::write_file): pretty JSON, same field order),
//! with the accounts read back from their parts one at a time as they are written.

use super::Merge;
use crate::snapshot::document::{self, AccountSource};
use crate::snapshot::model::Account;

impl AccountSource for Merge {
    fn len(&self) -> usize {
        self.accounts.len()
    }

    fn account(&self, i: usize) -> Result<Account, String> {
        let entry = &self.accounts[i];
        self.read_account(entry).map_err(|e| format!("{}: {e}", self.sources[entry.source].path.display()))
    }
}

impl Merge {
    /// Writes the merged snapshot to `out` (a newline ends it, as in the collector's files).
    pub fn write(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        document::write(out, &self.metadata, self.organization.as_ref(), self, &self.errors)
    }
}
