//! `trailaudit merge`: joins snapshots — the shards of one organization-wide
//! collection (`collect --organization --shard K/N`), or accounts collected
//! apart — into one snapshot that audits as if it had been collected at once.
//!
//! ## The rules
//! - **Schema version**: all parts are read by the one loader, which accepts
//!   only [`SCHEMA_VERSION`](crate::snapshot::SCHEMA_VERSION); a part of another
//!   version is refused, naming it and the first part.
//! - **Accounts**: the union, sorted by id like the collector writes them. An
//!   account in two parts must be the same there (equal `Account` values, as a
//!   part given twice is); otherwise the merge is refused, naming the account
//!   and both files. Sharded collection takes each account into one shard.
//! - **Errors**: every part's failed calls, sorted and deduplicated as the
//!   collector does, so an account that failed in its shard stays `error`.
//! - **Organization**: every organization named anywhere (a part's
//!   `organization` scope, an account's `organization`) must be the same id
//!   with the same management account. Scopes must agree on where the discovery
//!   ran (`discovered_from`), the delegated administrators and the
//!   `selected_accounts` (all shards are shares of one selection); the skipped
//!   accounts are unioned, and so are the shard indices, under the same
//!   `shards.count`. When every index 1..=count is present (or a part held
//!   every share), `shards` is dropped: the merge holds all of them, as an
//!   unsharded run does. A part without a scope (say, an account collected with
//!   `--role-arn`) may join a scoped one only if every account it names is in
//!   `selected_accounts`.
//! - **`metadata.collected_at`**: the earliest of the parts. An unsharded run
//!   stamps the time it starts and measures every delivery age from it, though
//!   it reads its last account minutes later; shards started together are one
//!   such run. Parts further apart than `--max-skew-minutes` (default 60) are
//!   refused: delivery ages of the later parts would be understated by that much.
//! - **`metadata.regions`**: the union. Parts that cover different regions are
//!   merged with a warning, since accounts are then judged in regions they
//!   were not read in.
//! - **`metadata.partition`** and **`metadata.settings`** (event history days
//!   and cap: what the history can prove) must be equal.
//! - **`metadata.tool`**: the first part's; a part collected by another
//!   name or version gives a warning, not an error (the schema is the same).
//!
//! ## Memory
//! Parts are read one at a time: each is parsed whole (so malformed input gets
//! the loader's `file:line:column` error), its metadata and errors kept, and for
//! each account only its id and where it lies in the file. Writing reads each
//! account back from its file in id order and streams it into the output, so a
//! merge holds the largest part once, not every account of every part.

mod output;
mod reconcile;
mod spans;
#[cfg(test)]
mod tests;

use std::fs::File;
use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::load::{SnapshotError, parse_str};
use super::model::{Account, CollectionError, Metadata, OrganizationScope, SCHEMA_VERSION, Snapshot};
use reconcile::{Part, Reconciler};

/// How far apart the parts' `collected_at` may be, by default.
pub const DEFAULT_MAX_SKEW_MINUTES: u32 = 60;

/// Why snapshots could not be merged. Every variant names the files concerned.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error(transparent)]
    Load(#[from] SnapshotError),
    #[error("nothing to merge: name at least one snapshot")]
    NoInput,
    #[error(
        "cannot merge snapshots of different schema versions: {first} has schema_version {SCHEMA_VERSION}, {other} has \
         schema_version {found} (this trailaudit reads and writes {SCHEMA_VERSION}); re-collect {other}"
    )]
    SchemaVersions { first: PathBuf, other: PathBuf, found: String },
    #[error("cannot merge snapshots of different {what}: {first} has {first_value}, {other} has {other_value}")]
    Conflict { what: String, first: String, first_value: String, other: String, other_value: String },
    #[error(
        "account {account_id} is in {} and in {}, and differs between them: a snapshot holds each account once; \
         leave one of the files out, or collect the account in one shard only",
        first.display(),
        other.display()
    )]
    DuplicateAccount { account_id: String, first: PathBuf, other: PathBuf },
    #[error(
        "{} was collected at {earliest_at} and {} at {latest_at}, {minutes} minutes later (at most {max_skew_minutes}, \
         --max-skew-minutes): delivery ages are measured from the earliest time, so the parts must be collected together; \
         re-collect, or raise --max-skew-minutes",
        earliest.display(),
        latest.display()
    )]
    Skew { earliest: PathBuf, earliest_at: DateTime<Utc>, latest: PathBuf, latest_at: DateTime<Utc>, minutes: i64, max_skew_minutes: u32 },
    #[error(
        "{} has no organization scope and holds account {account_id}, which the discovery of organization {organization_id} \
         in {} did not select (organization.selected_accounts); collect it with the organization, or merge it separately",
        file.display(),
        scope_file.display()
    )]
    NotSelected { file: PathBuf, account_id: String, scope_file: PathBuf, organization_id: String },
    #[error("cannot write merged snapshot {}: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
}

/// Options of a merge.
#[derive(Debug, Clone)]
pub struct MergeOptions {
    /// Most minutes between the earliest and the latest part's `collected_at`.
    pub max_skew_minutes: u32,
}

impl Default for MergeOptions {
    fn default() -> Self {
        MergeOptions { max_skew_minutes: DEFAULT_MAX_SKEW_MINUTES }
    }
}

/// Snapshots checked and joined, ready to be written (accounts stay in their files until then).
pub struct Merge {
    metadata: Metadata,
    organization: Option<OrganizationScope>,
    errors: Vec<CollectionError>,
    /// One per account, sorted by id, unique.
    accounts: Vec<AccountRef>,
    sources: Vec<Source>,
    warnings: Vec<String>,
}

/// Where one account of the merge lies.
struct AccountRef {
    account_id: String,
    source: usize,
    span: Range<usize>,
}

/// A part's content, kept open for reading accounts back. A regular file is
/// re-read (a rename over it, e.g. `--output` naming an input, leaves the open
/// file as it was); anything else (a pipe) cannot be, so its text is kept.
struct Source {
    path: PathBuf,
    content: Content,
}

enum Content {
    File(File),
    Text(String),
}

/// Checks and joins the snapshots at `paths`, in that order (the first part is
/// the reference later parts are compared with).
pub fn merge_files(paths: &[PathBuf], options: &MergeOptions) -> Result<Merge, MergeError> {
    let mut reconciler = Reconciler::new(options.max_skew_minutes);
    let mut sources = Vec::with_capacity(paths.len());
    let mut accounts = Vec::new();
    for (position, path) in paths.iter().enumerate() {
        let (source, snapshot, spans) = read_part(path, paths.first().filter(|_| position > 0))?;
        // Destructured whole, so that a field added to the snapshot cannot be forgotten here.
        let Snapshot { schema_version: _, metadata, organization, accounts: parsed, errors } = snapshot;
        let index = sources.len();
        accounts.extend(parsed.iter().zip(spans).map(|(account, span)| AccountRef {
            account_id: account.account_id.clone(),
            source: index,
            span,
        }));
        let account_orgs = parsed.iter().map(|a| (a.account_id.as_str(), a.organization.as_ref())).collect();
        reconciler.add(Part { path, metadata, organization, accounts: account_orgs, errors })?;
        sources.push(source);
    }
    let reconciled = reconciler.finish()?;
    let mut merge = Merge {
        metadata: reconciled.metadata,
        organization: reconciled.organization,
        errors: reconciled.errors,
        accounts: Vec::new(),
        sources,
        warnings: reconciled.warnings,
    };
    merge.accounts = merge.unique_accounts(accounts)?;
    Ok(merge)
}

/// Reads and validates one part; `first` is the part others are compared with
/// (`None` for the first part itself).
fn read_part(path: &Path, first: Option<&PathBuf>) -> Result<(Source, Snapshot, Vec<Range<usize>>), MergeError> {
    let io = |cause| SnapshotError::Io { path: path.to_owned(), cause };
    let file = File::open(path).map_err(io)?;
    let mut text = String::new();
    let limit = super::load::max_snapshot_bytes();
    (&file).take(limit.saturating_add(1)).read_to_string(&mut text).map_err(io)?;
    if text.len() as u64 > limit {
        return Err(SnapshotError::TooLarge { path: path.to_owned(), limit }.into());
    }
    let snapshot = match parse_str(&text, path) {
        Ok(snapshot) => snapshot,
        Err(SnapshotError::UnknownVersion { found, .. }) if first.is_some() => {
            return Err(MergeError::SchemaVersions { first: first.cloned().unwrap_or_default(), other: path.to_owned(), found });
        }
        Err(e) => return Err(e.into()),
    };
    let spans = spans::account_spans(&text)
        .ok()
        .filter(|spans| spans.len() == snapshot.accounts.len())
        .ok_or_else(|| io(std::io::Error::other("the accounts array could not be located in the text that parsed")))?;
    let regular = file.metadata().is_ok_and(|m| m.is_file());
    let content = if regular { Content::File(file) } else { Content::Text(text) };
    Ok((Source { path: path.to_owned(), content }, snapshot, spans))
}

impl Merge {
    /// Sorts the accounts by id and keeps one of each: a duplicate must equal
    /// the first part's copy.
    fn unique_accounts(&self, mut accounts: Vec<AccountRef>) -> Result<Vec<AccountRef>, MergeError> {
        accounts.sort_by(|a, b| a.account_id.cmp(&b.account_id).then(a.source.cmp(&b.source)));
        let mut unique: Vec<AccountRef> = Vec::with_capacity(accounts.len());
        let mut kept: Option<Account> = None; // the last unique account, read once a duplicate needs it
        for entry in accounts {
            let Some(last) = unique.last().filter(|last| last.account_id == entry.account_id) else {
                kept = None;
                unique.push(entry);
                continue;
            };
            let first = match kept.take() {
                Some(account) => account,
                None => self.read_account(last).map_err(|source| self.reread_error(last, source))?,
            };
            let other = self.read_account(&entry).map_err(|source| self.reread_error(&entry, source))?;
            if first != other {
                return Err(MergeError::DuplicateAccount {
                    account_id: entry.account_id,
                    first: self.sources[last.source].path.clone(),
                    other: self.sources[entry.source].path.clone(),
                });
            }
            kept = Some(first);
        }
        Ok(unique)
    }

    fn reread_error(&self, entry: &AccountRef, source: std::io::Error) -> MergeError {
        MergeError::Load(SnapshotError::Io { path: self.sources[entry.source].path.clone(), cause: source })
    }

    /// Reads one account back from its part.
    fn read_account(&self, entry: &AccountRef) -> std::io::Result<Account> {
        use std::io::{Seek, SeekFrom};
        let source = &self.sources[entry.source];
        let mut buffer;
        let bytes = match &source.content {
            Content::Text(text) => &text.as_bytes()[entry.span.clone()],
            Content::File(file) => {
                let mut file = file; // `&File` reads and seeks
                buffer = vec![0; entry.span.len()];
                file.seek(SeekFrom::Start(entry.span.start as u64))?;
                file.read_exact(&mut buffer)?;
                &buffer[..]
            }
        };
        let changed =
            |why: String| std::io::Error::other(format!("account {} changed while merging ({why}); merge again", entry.account_id));
        let account: Account = serde_json::from_slice(bytes).map_err(|e| changed(e.to_string()))?;
        if account.account_id != entry.account_id {
            return Err(changed(format!("found account {} in its place", account.account_id)));
        }
        Ok(account)
    }

    /// Things the merge went on despite: differing tool versions or regions, missing shards.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    pub fn organization(&self) -> Option<&OrganizationScope> {
        self.organization.as_ref()
    }

    pub fn errors(&self) -> &[CollectionError] {
        &self.errors
    }

    /// Ids of the merged accounts, sorted.
    pub fn account_ids(&self) -> impl Iterator<Item = &str> {
        self.accounts.iter().map(|a| a.account_id.as_str())
    }

    /// Writes the merged snapshot atomically, in the collector's format.
    pub fn write_file(&self, path: &Path) -> Result<(), MergeError> {
        crate::fsutil::write_atomic_with(path, |out| self.write(out)).map_err(|source| MergeError::Write { path: path.to_owned(), source })
    }
}
