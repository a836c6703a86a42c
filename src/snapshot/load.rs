//! Reading and writing snapshot files, with errors that say where.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::model::{Account, SCHEMA_VERSION, Snapshot};
use super::stream::{AccountSink, AccountSpan, Counted, Position, SnapshotSeed, SpanLog};

/// Why a snapshot could not be read. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    // `cause`, not `source`: the message already says it, and a chained
    // source would print it a second time (`{err:#}`).
    #[error("cannot read snapshot {path}: {cause}")]
    Io { path: PathBuf, cause: std::io::Error },
    #[error(
        "{path}: the snapshot is larger than the limit of {limit} bytes; raise it with --max-snapshot-mib \
         or TRAILAUDIT_MAX_SNAPSHOT_MIB if the file is genuine"
    )]
    TooLarge { path: PathBuf, limit: u64 },
    #[error("{path}:{line}:{column}: not UTF-8 text: invalid byte 0x{byte:02x} at byte offset {offset}")]
    NotUtf8 { path: PathBuf, line: usize, column: usize, offset: usize, byte: u8 },
    #[error("{path}:{line}:{column}: {message}")]
    NotASnapshot { path: PathBuf, line: usize, column: usize, message: String },
    #[error("{path}: invalid snapshot at `{json_path}`: account {account_id} appears twice (also at `{first}`); an account is judged once")]
    DuplicateAccount { path: PathBuf, json_path: String, first: String, account_id: String },
    #[error("{path}:{line}:{column}: invalid snapshot at `{json_path}`: {message}")]
    Invalid { path: PathBuf, json_path: String, line: usize, column: usize, message: String },
    #[error(
        "{path}: unsupported schema_version {found} (this trailaudit reads schema_version {SCHEMA_VERSION}); \
         re-collect the snapshot or upgrade trailaudit"
    )]
    UnknownVersion { path: PathBuf, found: String },
    #[error("cannot write snapshot {path}: {cause}")]
    Write { path: PathBuf, cause: std::io::Error },
}

/// The largest snapshot file read, unless raised: 1 GiB. A snapshot of an
/// organization of a thousand accounts with full event history is a few
/// hundred MiB; the bound keeps `--snapshot /dev/zero` (or a runaway file)
/// from taking all memory.
pub const DEFAULT_MAX_SNAPSHOT_MIB: u64 = 1024;

static MAX_SNAPSHOT_MIB: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Raises (or lowers) the bound of [`load_file`] for this process (`--max-snapshot-mib`).
pub fn set_max_snapshot_mib(mib: u64) {
    MAX_SNAPSHOT_MIB.store(mib, std::sync::atomic::Ordering::Relaxed);
}

/// The bound in bytes: `--max-snapshot-mib`, else `TRAILAUDIT_MAX_SNAPSHOT_MIB`, else the default.
pub fn max_snapshot_bytes() -> u64 {
    let set = MAX_SNAPSHOT_MIB.load(std::sync::atomic::Ordering::Relaxed);
    let mib = if set > 0 {
        set
    } else {
        std::env::var("TRAILAUDIT_MAX_SNAPSHOT_MIB")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .filter(|&m| m > 0)
            .unwrap_or(DEFAULT_MAX_SNAPSHOT_MIB)
    };
    mib.saturating_mul(1 << 20)
}

/// Reads and validates a snapshot file (at most [`max_snapshot_bytes`]).
pub fn load_file(path: &Path) -> Result<(Snapshot, String), SnapshotError> {
    let text = read_bounded(path)?;
    let snapshot = parse_str(&text, path)?;
    Ok((snapshot, text))
}

/// The file as text, refusing more than the size bound (a regular file is
/// measured first; a device or pipe is read up to the bound), invalid UTF-8
/// (with the byte offset), and a leading UTF-8 byte-order mark is dropped.
fn read_bounded(path: &Path) -> Result<String, SnapshotError> {
    let file = std::fs::File::open(path).map_err(|cause| SnapshotError::Io { path: path.to_owned(), cause })?;
    read_bounded_from(file, path)
}

/// [`read_bounded`] of a file already open (a pipe is read by whoever opened it).
fn read_bounded_from(file: std::fs::File, path: &Path) -> Result<String, SnapshotError> {
    use std::io::Read;
    let limit = max_snapshot_bytes();
    let io = |cause| SnapshotError::Io { path: path.to_owned(), cause };
    if let Ok(meta) = file.metadata() {
        if meta.is_dir() {
            return Err(io(std::io::Error::other("it is a directory")));
        }
        if meta.is_file() && meta.len() > limit {
            return Err(SnapshotError::TooLarge { path: path.to_owned(), limit });
        }
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(SnapshotError::TooLarge { path: path.to_owned(), limit });
    }
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let (line, column) = position(&bytes[..offset]);
        SnapshotError::NotUtf8 { path: path.to_owned(), line, column, offset, byte: bytes[offset] }
    })
}

/// 1-based line and column (in characters) just after `before`.
fn position(before: &[u8]) -> (usize, usize) {
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let last = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[last..]).chars().count() + 1;
    (line, column)
}

/// Parses snapshot text; `path` is only used in error messages.
pub fn parse_str(text: &str, path: &Path) -> Result<Snapshot, SnapshotError> {
    let mut accounts = Vec::new();
    let mut snapshot = parse_str_streaming(text, path, &mut |account| {
        accounts.push(account);
        Ok(())
    })?;
    snapshot.accounts = accounts;
    Ok(snapshot)
}

/// A snapshot file checked by [`load_file_indexed`], and where each of its
/// accounts is: an account is read again alone ([`SnapshotFile::account`]),
/// or any part of the text ([`SnapshotFile::read`]), without the file's text
/// being held. Offsets are in the text (a leading byte-order mark not counted).
pub struct SnapshotFile {
    path: PathBuf,
    source: Source,
    /// Each account of `accounts`, in file order.
    pub spans: Vec<AccountSpan>,
    /// The text's length in bytes.
    pub len: u64,
}

/// Where the text is read from: the file itself, or (a pipe or a device,
/// which cannot be read twice) the text as read once.
enum Source {
    File { file: std::fs::File, bom: u64 },
    Text(String),
}

impl Source {
    /// A reader of the text from byte `offset` on (unbuffered).
    fn reader(&self, offset: u64) -> std::io::Result<Box<dyn std::io::Read + '_>> {
        use std::io::Seek;
        match self {
            Source::File { file, bom } => {
                let mut file = file;
                file.seek(std::io::SeekFrom::Start(bom + offset))?;
                Ok(Box::new(file))
            }
            Source::Text(text) => Ok(Box::new(text.as_bytes().get(offset as usize..).unwrap_or_default())),
        }
    }
}

impl SnapshotFile {
    /// The text from byte `start` to byte `end`.
    pub fn read(&self, start: u64, end: u64) -> Result<String, SnapshotError> {
        use std::io::Read;
        let io = |cause| SnapshotError::Io { path: self.path.clone(), cause };
        let mut bytes = Vec::with_capacity(end.saturating_sub(start) as usize);
        self.source.reader(start).map_err(io)?.take(end.saturating_sub(start)).read_to_end(&mut bytes).map_err(io)?;
        if (bytes.len() as u64) < end.saturating_sub(start) {
            return Err(io(std::io::Error::other("the file is shorter than when it was checked (was it changed during the audit?)")));
        }
        String::from_utf8(bytes).map_err(|_| io(std::io::Error::other("the file changed during the audit (not UTF-8 text any more)")))
    }

    /// The `i`-th account of `accounts`, read again from its own bytes.
    pub fn account(&self, i: usize) -> Result<Account, SnapshotError> {
        let span = self.spans[i];
        let text = self.read(span.start, span.end)?;
        serde_json::from_str(&text).map_err(|e| SnapshotError::NotASnapshot {
            path: self.path.clone(),
            line: span.line + e.line() - 1,
            column: e.column(),
            message: format!(
                "cannot read the snapshot a second time (was it changed during the audit?): {}",
                strip_position(&e.to_string())
            ),
        })
    }
}

/// How much of a file is read at a time by the first pass of [`load_file_indexed`].
const PIECE: usize = 1 << 20;

/// Reads and validates a snapshot file as [`load_file`] does, handing each
/// account to `each` instead of keeping it (in file order; `each` may have
/// seen accounts of a file then refused, so it should only gather), and
/// without holding the text: a first read checks the file's size and
/// encoding and gives its text, piece by piece, to `observe`; a second
/// parses it, noting where each account is; a third looks for repeated keys.
/// A file refused is read again whole, as [`load_file`] reads it, so that
/// every error is the loader's own, with its line and column.
pub fn load_file_indexed(
    path: &Path,
    each: &mut AccountSink<'_>,
    observe: &mut dyn FnMut(&str),
) -> Result<(Snapshot, SnapshotFile), SnapshotError> {
    // The text of a pipe is held: read again, the pipe would wait for a writer.
    let refused = |source: Option<&Source>| -> SnapshotError {
        let err = match source {
            Some(Source::Text(text)) => parse_str_streaming(text, path, &mut |_| Ok(())).map(drop),
            _ => read_bounded(path).and_then(|text| parse_str_streaming(&text, path, &mut |_| Ok(())).map(drop)),
        };
        // Refused once and accepted now: the file changed between two reads.
        err.err().unwrap_or_else(|| SnapshotError::Io {
            path: path.to_owned(),
            cause: std::io::Error::other("the file changed while it was read"),
        })
    };
    let Some((source, len, lead)) = scan_file(path, observe)? else { return Err(refused(None)) };
    // A document that is not an object gets the loader's own message.
    if lead.first != Some('{') {
        return Err(refused(Some(&source)));
    }
    let position = Position { at: std::cell::Cell::new(lead.skip), lines: Default::default() };
    let mut spans = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    let parsed = {
        let reader = source.reader(lead.skip).map_err(|cause| SnapshotError::Io { path: path.to_owned(), cause })?;
        let mut de = serde_json::Deserializer::from_reader(Counted::new(reader, &position));
        let mut sink = |account: Account| {
            ids.push(account.account_id.clone());
            each(account)
        };
        use serde::de::DeserializeSeed;
        SnapshotSeed { sink: &mut sink, spans: Some(SpanLog { position: &position, spans: &mut spans }) }
            .deserialize(&mut de)
            .and_then(|snapshot| de.end().map(|()| snapshot))
    };
    let unique = || -> Result<(), serde_json::Error> {
        let reader = source.reader(lead.skip).map_err(<serde_json::Error as serde::de::Error>::custom)?;
        let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::with_capacity(1 << 16, reader));
        <unique::Unique as serde::Deserialize>::deserialize(&mut de)?;
        de.end()
    };
    let snapshot = match parsed {
        Ok(snapshot) if snapshot.schema_version == SCHEMA_VERSION && unique().is_ok() => snapshot,
        _ => return Err(refused(Some(&source))),
    };
    check_accounts(&ids, path)?;
    Ok((snapshot, SnapshotFile { path: path.to_owned(), source, spans, len }))
}

/// The start of a text: a second byte-order mark skipped (the first is
/// dropped as the file is read), whitespace, and the first other character.
#[derive(Default)]
struct Lead {
    started: bool,
    skip: u64,
    first: Option<char>,
}

impl Lead {
    fn feed(&mut self, piece: &str) {
        if self.first.is_some() {
            return;
        }
        for c in piece.chars() {
            if !self.started {
                self.started = true;
                if c == '\u{feff}' {
                    self.skip = c.len_utf8() as u64;
                    continue;
                }
            }
            if !c.is_whitespace() {
                self.first = Some(c);
                return;
            }
        }
    }
}

/// The first read of [`load_file_indexed`]: the file's text given to
/// `observe` in pieces, and what it will be read from again, the text's
/// length and its [`Lead`]; `None` when [`read_bounded`] would refuse it
/// (too large, not UTF-8), an error when it cannot be read at all. A pipe
/// or a device is read whole, as [`load_file`] does, since it cannot be
/// read twice.
fn scan_file(path: &Path, observe: &mut dyn FnMut(&str)) -> Result<Option<(Source, u64, Lead)>, SnapshotError> {
    use std::io::Read;
    let limit = max_snapshot_bytes();
    let io = |cause| SnapshotError::Io { path: path.to_owned(), cause };
    let file = std::fs::File::open(path).map_err(io)?;
    let regular = file.metadata().is_ok_and(|meta| meta.is_file());
    let mut lead = Lead::default();
    if !regular {
        let text = read_bounded_from(file, path)?;
        lead.feed(&text);
        observe(&text);
        let len = text.len() as u64;
        return Ok(Some((Source::Text(text), len, lead)));
    }
    if file.metadata().is_ok_and(|meta| meta.len() > limit) {
        return Ok(None);
    }
    let mut reader = (&file).take(limit.saturating_add(1));
    let mut buf: Vec<u8> = Vec::with_capacity(PIECE + 4);
    let (mut read, mut len, mut bom) = (0u64, 0u64, None);
    loop {
        let held = buf.len();
        buf.resize(held + PIECE, 0);
        let n = loop {
            match reader.read(&mut buf[held..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io(e)),
            }
        };
        buf.truncate(held + n);
        read += n as u64;
        if read > limit {
            return Ok(None);
        }
        let eof = n == 0;
        if bom.is_none() {
            if buf.len() < 3 && !eof {
                continue;
            }
            bom = Some(if buf.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 });
            buf.drain(..bom.unwrap_or(0) as usize);
        }
        let Some(chunk) = buf.utf8_chunks().next() else {
            // Nothing held (a byte-order mark alone was read so far).
            if eof {
                break;
            }
            continue;
        };
        let valid = chunk.valid();
        // A character cut by the end of the piece is completed by the next one.
        let cut = !eof && valid.len() + chunk.invalid().len() == buf.len();
        if !chunk.invalid().is_empty() && !cut {
            return Ok(None);
        }
        lead.feed(valid);
        observe(valid);
        len += valid.len() as u64;
        let used = valid.len();
        buf.drain(..used);
        if eof {
            break;
        }
    }
    Ok(Some((Source::File { file, bom: bom.unwrap_or(0) }, len, lead)))
}

/// [`parse_str`] with each account handed to `each`, in file order, as it is
/// read, and not kept: the snapshot returned has no accounts. The same checks
/// and errors as [`parse_str`] (which reads through this); `each` may have seen
/// accounts of a document that is then refused, so it should only gather.
pub fn parse_str_streaming(text: &str, path: &Path, each: &mut AccountSink<'_>) -> Result<Snapshot, SnapshotError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // A snapshot is one JSON object; say so for an array or a scalar instead
    // of serde's "invalid type" about a struct.
    let start = text.len() - text.trim_start().len();
    match text[start..].chars().next() {
        Some('{') | None => {}
        Some(c) => {
            let (line, column) = position(&text.as_bytes()[..start]);
            let what = match c {
                '[' => "a JSON array".to_owned(),
                '"' => "a JSON string".to_owned(),
                c if c.is_ascii_digit() || c == '-' => "a JSON number".to_owned(),
                c if c.is_control() => format!("the control character U+{:04X}", c as u32),
                c => format!("`{}`", c.escape_debug()),
            };
            return Err(SnapshotError::NotASnapshot {
                path: path.to_owned(),
                line,
                column,
                message: format!(
                    "this is not a snapshot: a snapshot is a JSON object (`{{\"schema_version\": 1, ...}}`), this file starts with {what}"
                ),
            });
        }
    }
    let mut ids: Vec<String> = Vec::new();
    let snapshot = parse_object(text, path, &mut |account| {
        ids.push(account.account_id.clone());
        each(account)
    })?;
    check_unique(text, path)?;
    check_accounts(&ids, path)?;
    Ok(snapshot)
}

/// Keeps the first copy of each account of a snapshot just collected (a
/// `--role-arn` of the calling account's own role collects it twice), so the
/// snapshot written can be audited again; one message per account dropped.
pub fn dedup_accounts(snapshot: &mut Snapshot) -> Vec<String> {
    let mut counts: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    snapshot.accounts.retain(|a| {
        let n = counts.entry(a.account_id.clone()).or_default();
        *n += 1;
        *n == 1
    });
    counts
        .into_iter()
        .filter(|&(_, n)| n > 1)
        .map(|(id, n)| {
            format!("account {id} was collected {n} times (a --role-arn of the calling account itself?); its first copy is kept, and judged once")
        })
        .collect()
}

/// Refuses an account that appears twice in `accounts`: it would be judged,
/// and counted, twice.
fn check_accounts(ids: &[String], path: &Path) -> Result<(), SnapshotError> {
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, id) in ids.iter().enumerate() {
        if let Some(first) = seen.insert(id.as_str(), i) {
            return Err(SnapshotError::DuplicateAccount {
                path: path.to_owned(),
                json_path: format!("$.accounts[{i}].account_id"),
                first: format!("$.accounts[{first}]"),
                account_id: id.clone(),
            });
        }
    }
    Ok(())
}

/// Refuses an object with the same key twice, anywhere in the document.
/// serde_json keeps the last copy silently: a duplicated trail ARN could hide
/// the failing copy of the trail behind a compliant one.
fn check_unique(text: &str, path: &Path) -> Result<(), SnapshotError> {
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize::<_, unique::Unique>(&mut de).map(drop).map_err(|err| {
        let inner = err.inner();
        SnapshotError::Invalid {
            path: path.to_owned(),
            json_path: json_path(err.path()),
            line: inner.line(),
            column: inner.column(),
            message: strip_position(&inner.to_string()),
        }
    })
}

/// A document walked only to find objects with a key twice.
mod unique {
    use std::collections::HashSet;
    use std::fmt;

    use serde::de::{Deserialize, Deserializer, Error, MapAccess, SeqAccess, Visitor};

    pub struct Unique;

    impl<'de> Deserialize<'de> for Unique {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(UniqueVisitor)
        }
    }

    struct UniqueVisitor;

    impl<'de> Visitor<'de> for UniqueVisitor {
        type Value = Unique;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_bool<E>(self, _: bool) -> Result<Unique, E> {
            Ok(Unique)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Unique, E> {
            Ok(Unique)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Unique, E> {
            Ok(Unique)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Unique, E> {
            Ok(Unique)
        }
        fn visit_str<E>(self, _: &str) -> Result<Unique, E> {
            Ok(Unique)
        }
        fn visit_unit<E>(self) -> Result<Unique, E> {
            Ok(Unique)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Unique, A::Error> {
            while seq.next_element::<Unique>()?.is_some() {}
            Ok(Unique)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Unique, A::Error> {
            let mut seen: HashSet<String> = HashSet::new();
            while let Some(key) = map.next_key::<String>()? {
                if seen.contains(&key) {
                    return Err(A::Error::custom(format!(
                        "duplicate key {}: JSON objects in a snapshot must not repeat a key (only one copy would be read)",
                        serde_json::Value::from(key)
                    )));
                }
                map.next_value::<Unique>()?;
                seen.insert(key);
            }
            Ok(Unique)
        }
    }
}

fn parse_object(text: &str, path: &Path, each: &mut AccountSink<'_>) -> Result<Snapshot, SnapshotError> {
    use serde::de::DeserializeSeed;
    let mut de = serde_json::Deserializer::from_str(text);
    let mut track = serde_path_to_error::Track::new();
    let parsed: Result<Snapshot, _> = SnapshotSeed { sink: each, spans: None }
        .deserialize(serde_path_to_error::Deserializer::new(&mut de, &mut track))
        .map_err(|e| serde_path_to_error::Error::new(track.path(), e));
    if parsed.is_ok()
        && let Err(e) = de.end()
    {
        return Err(SnapshotError::Invalid {
            path: path.to_owned(),
            json_path: "$".into(),
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        });
    }
    match parsed {
        Ok(snapshot) if snapshot.schema_version == SCHEMA_VERSION => Ok(snapshot),
        Ok(snapshot) => Err(SnapshotError::UnknownVersion { path: path.to_owned(), found: snapshot.schema_version.to_string() }),
        Err(err) => {
            // A document from another version usually fails on some field first:
            // say that the version is the problem, not the field.
            if let Some(found) = probe_version(text)
                && found != SCHEMA_VERSION
            {
                return Err(SnapshotError::UnknownVersion { path: path.to_owned(), found: found.to_string() });
            }
            let inner = err.inner();
            let json_path = json_path(err.path());
            Err(SnapshotError::Invalid {
                path: path.to_owned(),
                json_path,
                line: inner.line(),
                column: inner.column(),
                message: strip_position(&inner.to_string()),
            })
        }
    }
}

/// A JSONPath for people: `$.accounts[0].trails["arn:aws:..."].name`. Map keys
/// that are not plain identifiers (ARNs, regions) are bracketed and quoted, so
/// the path can be pasted into `jq`.
fn json_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::from("$");
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key }
                if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                out.push('.');
                out.push_str(key);
            }
            Segment::Map { key } | Segment::Enum { variant: key } => {
                out.push_str(&format!("[{}]", serde_json::Value::from(key.as_str())));
            }
            Segment::Unknown => out.push_str(".?"),
        }
    }
    out
}

/// serde_json appends " at line L column C"; we print the position up front instead.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

fn probe_version(text: &str) -> Option<serde_json::Value> {
    #[derive(Deserialize)]
    struct Probe {
        schema_version: Option<serde_json::Value>,
    }
    serde_json::from_str::<Probe>(text).ok()?.schema_version
}

/// Writes a snapshot atomically (temporary file in the same directory, then rename).
pub fn write_file(snapshot: &Snapshot, path: &Path) -> Result<(), SnapshotError> {
    crate::fsutil::write_atomic_with(path, |out| {
        serde_json::to_writer_pretty(&mut *out, snapshot)?;
        out.write_all(b"\n")
    })
    .map_err(|cause| SnapshotError::Write { path: path.to_owned(), cause })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(id: &str) -> crate::snapshot::Account {
        serde_json::from_value(serde_json::json!({ "account_id": id })).unwrap()
    }

    /// Defect 10 (issue 15): an account collected twice is kept once, with a message.
    #[test]
    fn an_account_collected_twice_is_kept_once() {
        let mut snapshot = Snapshot {
            schema_version: SCHEMA_VERSION,
            metadata: crate::snapshot::Metadata::example(),
            organization: None,
            accounts: vec![account("111111111111"), account("222222222222"), account("111111111111")],
            errors: Vec::new(),
        };
        let notices = dedup_accounts(&mut snapshot);
        let ids: Vec<&str> = snapshot.accounts.iter().map(|a| a.account_id.as_str()).collect();
        assert_eq!(ids, ["111111111111", "222222222222"]);
        assert_eq!(notices.len(), 1);
        assert!(notices[0].starts_with("account 111111111111 was collected 2 times"), "{}", notices[0]);
        // What is written can be read back: no account twice.
        let text = serde_json::to_string(&snapshot).unwrap();
        parse_str(&text, Path::new("s.json")).unwrap();
    }
}
