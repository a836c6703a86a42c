//! Accounts spooled to a temporary file as the collector finishes them, so
//! that an organization collection holds the accounts in flight in memory,
//! not every account collected so far; the snapshot file is then written from
//! the spool, accounts sorted by id, one account read back at a time.

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Mutex;

use super::document::{self, AccountSource};
use super::load::SnapshotError;
use super::model::{Account, CollectionError, Metadata, OrganizationScope};

pub struct AccountSpool {
    file: Mutex<BufWriter<File>>,
    /// (account id, offset, length) of each account's compact JSON.
    index: Mutex<Vec<(String, u64, u64)>>,
    end: Mutex<u64>,
}

impl AccountSpool {
    /// A spool in the system's temporary directory; the file is unlinked at
    /// once, so nothing is left behind whatever happens to the process.
    pub fn new() -> std::io::Result<AccountSpool> {
        let file = tempfile::tempfile()?;
        Ok(AccountSpool { file: Mutex::new(BufWriter::new(file)), index: Mutex::new(Vec::new()), end: Mutex::new(0) })
    }

    /// Appends one finished account. An account already spooled (a
    /// `--role-arn` of the calling account's own role collects it twice) is
    /// not written again: the snapshot keeps its first copy, so it can be
    /// read back (the loader refuses an account twice). `Ok(false)` then.
    pub fn push(&self, account: &Account) -> std::io::Result<bool> {
        let bytes = serde_json::to_vec(account).map_err(std::io::Error::from)?;
        let mut file = self.file.lock().expect("spool lock");
        let mut end = self.end.lock().expect("spool lock");
        let mut index = self.index.lock().expect("spool lock");
        if index.iter().any(|(id, _, _)| *id == account.account_id) {
            return Ok(false);
        }
        file.write_all(&bytes)?;
        index.push((account.account_id.clone(), *end, bytes.len() as u64));
        *end += bytes.len() as u64;
        Ok(true)
    }

    pub fn len(&self) -> usize {
        self.index.lock().expect("spool lock").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes the snapshot document to `path` (atomically), accounts sorted by id.
    pub fn write_file(
        self,
        path: &Path,
        metadata: &Metadata,
        organization: Option<&OrganizationScope>,
        errors: &[CollectionError],
    ) -> Result<(), SnapshotError> {
        let write_error = |cause| SnapshotError::Write { path: path.to_owned(), cause };
        let mut file = self.file.into_inner().expect("spool lock").into_inner().map_err(|e| write_error(e.into_error()))?;
        file.flush().map_err(write_error)?;
        let mut index = self.index.into_inner().expect("spool lock");
        index.sort_by(|a, b| a.0.cmp(&b.0));
        let source = Reader { file: Mutex::new(file), index };
        crate::fsutil::write_atomic_with(path, |out| document::write(out, metadata, organization, &source, errors)).map_err(write_error)
    }
}

struct Reader {
    file: Mutex<File>,
    index: Vec<(String, u64, u64)>,
}

impl AccountSource for Reader {
    fn len(&self) -> usize {
        self.index.len()
    }

    fn account(&self, i: usize) -> Result<Account, String> {
        let (id, offset, len) = &self.index[i];
        let mut file = self.file.lock().expect("spool lock");
        let mut bytes = vec![0; *len as usize];
        file.seek(SeekFrom::Start(*offset)).and_then(|_| file.read_exact(&mut bytes)).map_err(|e| format!("spooled account {id}: {e}"))?;
        serde_json::from_slice(&bytes).map_err(|e| format!("spooled account {id}: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{SCHEMA_VERSION, Snapshot};

    fn account(id: &str) -> Account {
        serde_json::from_value(serde_json::json!({"account_id": id, "trails": {}, "buckets": {}})).unwrap()
    }

    /// The spooled file is byte for byte what `write_file` writes for the same snapshot.
    #[test]
    fn an_account_spooled_twice_is_kept_once() {
        let spool = AccountSpool::new().unwrap();
        assert!(spool.push(&account("111111111111")).unwrap());
        assert!(spool.push(&account("222222222222")).unwrap());
        assert!(!spool.push(&account("111111111111")).unwrap(), "the second copy is refused");
        assert_eq!(spool.len(), 2);
    }

    #[test]
    fn spooled_snapshot_equals_the_in_memory_one() {
        let spool = AccountSpool::new().unwrap();
        for id in ["333333333333", "111111111111", "222222222222"] {
            spool.push(&account(id)).unwrap();
        }
        assert_eq!(spool.len(), 3);
        let dir = tempfile::tempdir().unwrap();
        let spooled = dir.path().join("spooled.json");
        let metadata = Metadata::example();
        spool.write_file(&spooled, &metadata, None, &[]).unwrap();

        let snapshot = Snapshot {
            schema_version: SCHEMA_VERSION,
            metadata,
            organization: None,
            accounts: ["111111111111", "222222222222", "333333333333"].map(account).into(),
            errors: Vec::new(),
        };
        let direct = dir.path().join("direct.json");
        crate::snapshot::write_file(&snapshot, &direct).unwrap();
        assert_eq!(std::fs::read_to_string(&spooled).unwrap(), std::fs::read_to_string(&direct).unwrap());
    }
}
