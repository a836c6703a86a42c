//! A snapshot read account by account: the `accounts` array is visited one
//! element at a time and each [`Account`] is handed to a callback, which keeps
//! what it needs and drops the rest, so no reader holds every account at once.
//!
//! [`SnapshotSeed`] reads the document exactly as `#[derive(Deserialize)]` on
//! [`Snapshot`] does (`deny_unknown_fields`, the same defaults, the same
//! messages for an unknown, missing or repeated field), so every loader error
//! keeps its wording, JSON path, line and column; `super::load` reads every
//! snapshot through it, whole (`parse_str`) or streamed (`parse_str_streaming`).

use std::fmt;

use serde::de::{DeserializeSeed, Error, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::model::{Account, CollectionError, Metadata, OrganizationScope, Snapshot};

/// What is done with each account read, in file order; an `Err` stops the
/// reading with that message at the account's position.
pub type AccountSink<'s> = dyn FnMut(Account) -> Result<(), String> + 's;

/// The field names of [`Snapshot`], in declaration order (serde's "expected one of").
const FIELDS: &[&str] = &["schema_version", "metadata", "organization", "accounts", "errors"];

/// Reads a [`Snapshot`] whose `accounts` go to `sink` (the snapshot returned
/// has none).
pub struct SnapshotSeed<'a, 's> {
    pub sink: &'a mut AccountSink<'s>,
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
                    map.next_value_seed(AccountsSeed { sink: &mut *self.sink })?;
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
        let schema_version = seq.next_element()?.ok_or_else(|| A::Error::invalid_length(0, &"struct Snapshot with 5 elements"))?;
        let metadata = seq.next_element()?.ok_or_else(|| A::Error::invalid_length(1, &"struct Snapshot with 5 elements"))?;
        let organization = seq.next_element()?.ok_or_else(|| A::Error::invalid_length(2, &"struct Snapshot with 5 elements"))?;
        seq.next_element_seed(AccountsSeed { sink: &mut *self.sink })?
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
        while let Some(account) = seq.next_element::<Account>()? {
            (self.sink)(account).map_err(A::Error::custom)?;
        }
        Ok(())
    }
}

/// Reads only the `accounts` of a snapshot already checked by the loader,
/// each given to `sink` in file order (a second pass over the same text: the
/// other fields are skipped, not built).
pub fn for_each_account(text: &str, sink: &mut AccountSink<'_>) -> Result<(), serde_json::Error> {
    struct Accounts<'a, 's> {
        sink: &'a mut AccountSink<'s>,
    }
    impl<'de> Visitor<'de> for Accounts<'_, '_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a snapshot object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if key == "accounts" {
                    map.next_value_seed(AccountsSeed { sink: &mut *self.sink })?;
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(())
        }
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut de = serde_json::Deserializer::from_str(text);
    serde::Deserializer::deserialize_map(&mut de, Accounts { sink })?;
    de.end()
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
        let mut snapshot = SnapshotSeed { sink: &mut sink }.deserialize(&mut de).map_err(|e| e.to_string())?;
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
        let err = SnapshotSeed { sink: &mut sink }.deserialize(&mut serde_json::Deserializer::from_str(&doc)).unwrap_err();
        // Line 4 (METADATA holds a line break), just after the second account.
        assert_eq!(err.to_string(), "no second account at line 4 column 21");
        assert_eq!(seen, ["1", "2"]);
        let mut again = Vec::new();
        for_each_account(&doc, &mut |a| {
            again.push(a.account_id);
            Ok(())
        })
        .unwrap();
        assert_eq!(again, ["1", "2"]);
    }
}
