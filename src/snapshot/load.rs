//! Reading and writing snapshot files, with errors that say where.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::model::{SCHEMA_VERSION, Snapshot};

/// Why a snapshot could not be read. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("cannot read snapshot {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}:{line}:{column}: invalid snapshot at `{json_path}`: {message}")]
    Invalid { path: PathBuf, json_path: String, line: usize, column: usize, message: String },
    #[error(
        "{path}: unsupported schema_version {found} (this trailaudit reads schema_version {SCHEMA_VERSION}); \
         re-collect the snapshot or upgrade trailaudit"
    )]
    UnknownVersion { path: PathBuf, found: String },
    #[error("cannot write snapshot {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

/// Reads and validates a snapshot file.
pub fn load_file(path: &Path) -> Result<(Snapshot, String), SnapshotError> {
    let text = std::fs::read_to_string(path).map_err(|source| SnapshotError::Io { path: path.to_owned(), source })?;
    let snapshot = parse_str(&text, path)?;
    Ok((snapshot, text))
}

/// Parses snapshot text; `path` is only used in error messages.
pub fn parse_str(text: &str, path: &Path) -> Result<Snapshot, SnapshotError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed: Result<Snapshot, _> = serde_path_to_error::deserialize(&mut de);
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
    .map_err(|source| SnapshotError::Write { path: path.to_owned(), source })
}
