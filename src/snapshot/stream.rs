//! A snapshot read account by account: the `accounts` array is visited one
//! element at a time and each [`Account`] is handed to a callback, which keeps
//! what it needs and drops the rest, so no reader holds every account at once.
//!
//! [`SnapshotSeed`] reads the document exactly as `#[derive(Deserialize)]` on
//! [`Snapshot`] does (`deny_unknown_fields`, the same defaults, the same
//! messages for an unknown, missing or repeated field), so every loader error
//! keeps its wording, JSON path, line and column; `super::load` reads every
//! snapshot through it, whole (`parse_str`) or streamed (`parse_str_streaming`).
//! Read from a file ([`Counted`]), it also notes where each account's bytes
//! are ([`AccountSpan`]), so an account can be read again alone, later,
//! without the file's text being held.

use std::cell::Cell;
use std::fmt;

use serde::de::{DeserializeSeed, Error, MapAccess, SeqAccess, Visitor};

use super::model::{Account, CollectionError, Metadata, OrganizationScope, Snapshot};

/// What is done with each account read, in file order; an `Err` stops the
/// reading with that message at the account's position.
pub type AccountSink<'s> = dyn FnMut(Account) -> Result<(), String> + 's;

/// The field names of [`Snapshot`], in declaration order (serde's "expected one of").
const FIELDS: &[&str] = &["schema_version", "metadata", "organization", "accounts", "errors"];

/// Reads a [`Snapshot`] whose `accounts` go to `sink` (the snapshot returned
/// has none), and, with `spans`, notes where each account is.
pub struct SnapshotSeed<'a, 's> {
    pub sink: &'a mut AccountSink<'s>,
    pub spans: Option<SpanLog<'a>>,
}

/// Where one account of the `accounts` array is in the text: its bytes
/// (`start..end`, from its `{` to just after its `}`) and the line `start` is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountSpan {
    pub start: u64,
    pub end: u64,
    pub line: usize,
}

/// How far a [`Counted`] reader has been read: bytes (an offset in the
/// text) and line breaks among them.
#[derive(Debug, Default)]
pub struct Position {
    pub at: Cell<u64>,
    pub lines: Cell<usize>,
}

/// A buffered reader that counts what it hands out into a [`Position`].
/// serde_json's `from_reader` takes its bytes one at a time and looks one
/// byte ahead at most, so when an account's reading starts, the position is
/// just past the account's first byte, and when it ends, just past its last.
pub struct Counted<'p, R> {
    inner: R,
    position: &'p Position,
    buf: Box<[u8]>,
    /// What of `buf` is read from `inner` (`..filled`) and handed out (`..at`).
    at: usize,
    filled: usize,
}

impl<'p, R: std::io::Read> Counted<'p, R> {
    pub fn new(inner: R, position: &'p Position) -> Counted<'p, R> {
        Counted { inner, position, buf: vec![0; 1 << 16].into_boxed_slice(), at: 0, filled: 0 }
    }
}

impl<R: std::io::Read> std::io::Read for Counted<'_, R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.filled {
            self.filled = self.inner.read(&mut self.buf)?;
            self.at = 0;
        }
        let n = out.len().min(self.filled - self.at);
        let read = &self.buf[self.at..self.at + n];
        out[..n].copy_from_slice(read);
        self.at += n;
        self.position.at.set(self.position.at.get() + n as u64);
        self.position.lines.set(self.position.lines.get() + read.iter().filter(|&&b| b == b'\n').count());
        Ok(n)
    }
}

/// Where account spans are noted: the reader's position, and the spans so far.
pub struct SpanLog<'a> {
    pub position: &'a Position,
    pub spans: &'a mut Vec<AccountSpan>,
}

impl SpanLog<'_> {
    fn reborrow(&mut self) -> SpanLog<'_> {
        SpanLog { position: self.position, spans: &mut *self.spans }
    }
}

impl<'de> DeserializeSeed<'de> for SnapshotSeed<'_, '_> {
    type Value = Snapshot;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Snapshot, D::Error> {
        d.deserialize_struct("Snapshot", FIELDS, self)
    }
}

impl<'de> Visitor<'de> for SnapshotSeed<'_, '_> {
    type Value = Snapshot;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("struct Snapshot")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Snapshot, A::Error> {
        let mut schema_version: Option<u32> = None;
        let mut metadata: Option<Metadata> = None;
        let mut organization: Option<Option<OrganizationScope>> = None;
        let mut accounts_seen = false;
        let mut errors: Option<Vec<CollectionError>> = None;
        let mut spans = self.spans;
        while let Some(key) = map.next_key::<Field>()? {
            match key {
                Field::SchemaVersion if schema_version.is_some() => return Err(A::Error::duplicate_field("schema_version")),
                Field::SchemaVersion => schema_version = Some(map.next_value()?),
                Field::Metadata if metadata.is_some() => return Err(A::Error::duplicate_field("metadata")),
                Field::Metadata => metadata = Some(map.next_value()?),
                Field::Organization if organization.is_some() => return Err(A::Error::duplicate_field("organization")),
                Field::Organization => organization = Some(map.next_value()?),
                Field::Accounts if accounts_seen => return Err(A::Error::duplicate_field("accounts")),
                Field::Accounts => {
                    map.next_value_seed(AccountsSeed { sink: &mut *self.sink, spans: spans.as_mut().map(SpanLog::reborrow) })?;
                    accounts_seen = true;
                }
                Field::Errors if errors.is_some() => return Err(A::Error::duplicate_field("errors")),
                Field::Errors => errors = Some(map.next_value()?),
            }
        }
        let schema_version = schema_version.ok_or_else(|| A::Error::missing_field("schema_version"))?;
        let metadata = metadata.ok_or_else(|| A::Error::missing_field("metadata"))?;
        if !accounts_seen {
            return Err(A::Error::missing_field("accounts"));
        }
        Ok(Snapshot {
            schema_version,
            metadata,
            organization: organization.unwrap_or_default(),
            accounts: Vec::new(),
            errors: errors.unwrap_or_default(),
        })
    }

    /// serde's derive also reads a struct from an array of its fields in order;
    /// the loader refuses a document that is not an object before it gets here,
    /// but a nested reader would not, so the same is accepted.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Snapshot, A::Error> {
        let mut spans = self.spans;
        let schema_version = seq.next_element()?.ok_or_else(|| A::Error::invalid_length(0, &"struct Snapshot with 5 elements"))?;
        let metadata = seq.next_element()?.ok_or_else(|| A::Error::invalid_length(1, &"struct Snapshot with 5 elements"))?;
        let organization = seq.next_element()?.ok_or_else(|| A::Error::invalid_length(2, &"struct Snapshot with 5 elements"))?;
        seq.next_element_seed(AccountsSeed { sink: &mut *self.sink, spans: spans.as_mut().map(SpanLog::reborrow) })?
            .ok_or_else(|| A::Error::invalid_length(3, &"struct Snapshot with 5 elements"))?;
        let errors = seq.next_element()?.ok_or_else(|| A::Error::invalid_length(4, &"struct Snapshot with 5 elements"))?;
        Ok(Snapshot { schema_version, metadata, organization, accounts: Vec::new(), errors })
    }
}

/// A key of the snapshot object (unknown keys are refused, as `deny_unknown_fields` does).
enum Field {
    SchemaVersion,
    Metadata,
    Organization,
    Accounts,
    Errors,
}

impl<'de> serde::Deserialize<'de> for Field {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Field, D::Error> {
        struct FieldVisitor;
        impl Visitor<'_> for FieldVisitor {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("field identifier")
            }
            fn visit_str<E: Error>(self, v: &str) -> Result<Field, E> {
                Ok(match v {
                    "schema_version" => Field::SchemaVersion,
                    "metadata" => Field::Metadata,
                    "organization" => Field::Organization,
                    "accounts" => Field::Accounts,
                    "errors" => Field::Errors,
                    other => return Err(E::unknown_field(other, FIELDS)),
                })
            }
        }
        d.deserialize_identifier(FieldVisitor)
    }
}

/// The `accounts` array, each element read as an [`Account`] and given to the sink.
struct AccountsSeed<'a, 's> {
    sink: &'a mut AccountSink<'s>,
    spans: Option<SpanLog<'a>>,
}

impl<'de> DeserializeSeed<'de> for AccountsSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for AccountsSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        match self.spans {
            None => {
                while let Some(account) = seq.next_element::<Account>()? {
                    (self.sink)(account).map_err(A::Error::custom)?;
                }
            }
            Some(mut log) => {
                while let Some(account) = seq.next_element_seed(SpannedAccount { log: log.reborrow() })? {
                    (self.sink)(account).map_err(A::Error::custom)?;
                }
            }
        }
        Ok(())
    }
}

/// One account, its span noted once it is read.
struct SpannedAccount<'a> {
    log: SpanLog<'a>,
}

impl<'de> DeserializeSeed<'de> for SpannedAccount<'_> {
    type Value = Account;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Account, D::Error> {
        use serde::Deserialize;
        // The account's first byte (`{`) has been looked at already: it is counted.
        let start = self.log.position.at.get().saturating_sub(1);
        let line = self.log.position.lines.get() + 1;
        let account = Account::deserialize(d)?;
        self.log.spans.push(AccountSpan { start, end: self.log.position.at.get(), line });
        Ok(account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed's reading of `text`, accounts kept, or its error.
    fn by_seed(text: &str) -> Result<Snapshot, String> {
        let mut accounts = Vec::new();
        let mut sink = |a: Account| {
            accounts.push(a);
            Ok(())
        };
        let mut de = serde_json::Deserializer::from_str(text);
        let mut snapshot = SnapshotSeed { sink: &mut sink, spans: None }.deserialize(&mut de).map_err(|e| e.to_string())?;
        de.end().map_err(|e| e.to_string())?;
        snapshot.accounts = accounts;
        Ok(snapshot)
    }

    const METADATA: &str = r#"{"tool": {"name": "trailaudit", "version": "0.1.0"}, "collected_at": "2026-11-20T09:00:00Z",
        "partition": "aws", "regions": ["us-east-1"], "settings": {"event_history_days": 7, "event_history_max_events": 1000}}"#;

    /// The same value, or the same message (line and column included), as
    /// `#[derive(Deserialize)]` on `Snapshot`, for good and malformed documents.
    #[test]
    fn reads_as_the_derived_deserializer_does() {
        let fixture = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/organization/snapshot.json")).unwrap();
        let m = METADATA;
        let docs = [
            fixture.clone(),
            format!(r#"{{"schema_version": 1, "metadata": {m}, "accounts": [{{"account_id": "1"}}, {{"account_id": "2"}}]}}"#),
            format!(r#"{{"schema_version": 1, "metadata": {m}, "accounts": [], "errors": [], "organization": null}}"#),
            format!(r#"{{"schema_version": 1, "metadata": {m}, "accounts": [], "extra": 1}}"#),
            format!(r#"{{"schema_version": 1, "metadata": {m}}}"#),
            format!(r#"{{"metadata": {m}, "accounts": []}}"#),
            r#"{"schema_version": 1, "accounts": []}"#.to_owned(),
            format!(r#"{{"schema_version": 1, "metadata": {m}, "accounts": [], "accounts": []}}"#),
            format!(r#"{{"schema_version": 1, "schema_version": 1, "metadata": {m}, "accounts": []}}"#),
            format!(r#"{{"schema_version": "1", "metadata": {m}, "accounts": []}}"#),
            format!(r#"{{"schema_version": 1, "metadata": {m}, "accounts": {{}}}}"#),
            format!(r#"{{"schema_version": 1, "metadata": {m}, "accounts": [{{"account_id": 7}}]}}"#),
            format!(r#"{{"schema_version": 1, "metadata": {m}, "accounts": [{{"account_id": "1", "trails": []}}]}}"#),
            format!(r#"{{"schema_version": 1, "metadata": {m}, "accounts": [], "errors": {{}}}}"#),
            format!(r#"{{"schema_version": 1, "metadata": {m}, "accounts": [{{"account_id": "1"}}"#),
            r#"[1, 2]"#.to_owned(),
            r#"{"schema_version": 1, "#.to_owned(),
        ];
        for doc in &docs {
            let derived = serde_json::from_str::<Snapshot>(doc).map_err(|e| e.to_string());
            assert_eq!(by_seed(doc), derived, "{doc}");
        }
        assert_eq!(by_seed(&fixture).unwrap().accounts.len(), 2);
    }

    /// A sink's error stops the reading at that account, with the sink's message.
    #[test]
    fn a_sink_error_stops_the_reading_where_it_is() {
        let m = METADATA;
        let doc = format!(
            "{{\"schema_version\": 1, \"metadata\": {m},\n \"accounts\": [{{\"account_id\": \"1\"}},\n {{\"account_id\": \"2\"}}]}}"
        );
        let mut seen = Vec::new();
        let mut sink = |a: Account| {
            seen.push(a.account_id.clone());
            if a.account_id == "2" { Err("no second account".to_owned()) } else { Ok(()) }
        };
        let err = SnapshotSeed { sink: &mut sink, spans: None }.deserialize(&mut serde_json::Deserializer::from_str(&doc)).unwrap_err();
        // Line 4 (METADATA holds a line break), just after the second account.
        assert_eq!(err.to_string(), "no second account at line 4 column 21");
        assert_eq!(seen, ["1", "2"]);
    }

    /// Read from a reader, each account's span is its own text (from `{` to
    /// `}`) and the line it starts on, whatever the layout around it.
    #[test]
    fn spans_are_each_accounts_own_bytes_and_line() {
        let m = METADATA;
        let fixture = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/organization/snapshot.json")).unwrap();
        let docs = [
            fixture,
            format!(
                "{{\"schema_version\": 1, \"metadata\": {m},\n \"accounts\": [{{\"account_id\": \"1\"}},\n\n {{\"account_id\": \"2\", \"trails\": {{}}}}  ]}}"
            ),
            format!(
                "{{\"accounts\":[\n\t{{\"account_id\":\"é1\"}} ,{{ \"account_id\" : \"2\" }}\n],\"schema_version\":1,\"metadata\":{m}}}"
            ),
        ];
        for doc in &docs {
            let position = Position::default();
            let mut spans = Vec::new();
            let mut accounts = Vec::new();
            let mut sink = |a: Account| {
                accounts.push(a);
                Ok(())
            };
            let reader = Counted::new(doc.as_bytes(), &position);
            let mut de = serde_json::Deserializer::from_reader(reader);
            SnapshotSeed { sink: &mut sink, spans: Some(SpanLog { position: &position, spans: &mut spans }) }.deserialize(&mut de).unwrap();
            de.end().unwrap();
            assert_eq!(spans.len(), accounts.len());
            assert!(!spans.is_empty());
            for (span, account) in spans.iter().zip(&accounts) {
                let text = &doc[span.start as usize..span.end as usize];
                assert!(text.starts_with('{') && text.ends_with('}'), "{text}");
                assert_eq!(&serde_json::from_str::<Account>(text).unwrap(), account);
                assert_eq!(span.line, doc[..span.start as usize].matches('\n').count() + 1);
            }
        }
    }
}
