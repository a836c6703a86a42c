//! Selector coverage: which data events each trail's event selectors capture,
//! for each S3 bucket, DynamoDB table and Lambda function of an account, and
//! for all S3 buckets at once (`input.derived.coverage`).
//!
//! Why in Rust: judging selectors is the same work for every rule that asks
//! "is this resource's data logged?", and in Rego it was a walk over
//! buckets × trails × selectors × field selectors per account, one of the
//! costliest parts of the pack (bench/README.md). These are *facts* about what
//! a selector selects, nothing more: whether a trail logs, whether it covers
//! the resource's region, which trails an account counts and what a rule
//! concludes stay in Rego (`policies/lib/data_events.rego`,
//! `policies/lib/all_buckets.rego`).
//!
//! How selectors are read (the CloudTrail API reference, AdvancedFieldSelector,
//! describes each operator as "includes" or "excludes" events):
//! - Basic selectors: a `DataResources` value is an ARN prefix; it covers a
//!   whole bucket exactly when it is a prefix of `arn:<partition>:s3:::<bucket>/`
//!   (`arn:aws:s3` and `arn:aws:s3:::` cover all buckets; `arn:aws:s3:::b/logs/`
//!   covers part of b only). For tables and functions a value is the
//!   resource's ARN or the whole service (`arn:aws:dynamodb`, `arn:aws:lambda`,
//!   with or without a trailing colon).
//! - Advanced selectors are OR-ed, the field selectors of one selector AND-ed.
//!   Within one field selector the positive operators (Equals, StartsWith,
//!   EndsWith) are OR-ed inclusions (every value when there is none) and the
//!   negative ones (NotEquals, NotStartsWith, NotEndsWith) exclusions that
//!   must all hold. A field we cannot reason about (`userIdentity.arn`, ...)
//!   narrows the selector, so it proves no coverage.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::snapshot::{Account, AdvancedEventSelector, EventSelectors, FieldSelector, Trail};

/// A half of the data events of a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Read,
    Write,
}

const MODES: [Mode; 2] = [Mode::Read, Mode::Write];

impl Mode {
    /// The `readOnly` field's value for events of this mode.
    fn read_only_value(self) -> &'static str {
        match self {
            Mode::Read => "true",
            Mode::Write => "false",
        }
    }
}

/// S3 object-level API operations CloudTrail records as data events, by mode.
const S3_READ_NAMES: [&str; 10] = [
    "GetObject",
    "GetObjectAcl",
    "GetObjectAttributes",
    "GetObjectLegalHold",
    "GetObjectRetention",
    "GetObjectTagging",
    "GetObjectTorrent",
    "HeadObject",
    "ListParts",
    "SelectObjectContent",
];
const S3_WRITE_NAMES: [&str; 15] = [
    "AbortMultipartUpload",
    "CompleteMultipartUpload",
    "CopyObject",
    "CreateMultipartUpload",
    "DeleteObject",
    "DeleteObjects",
    "DeleteObjectTagging",
    "PutObject",
    "PutObjectAcl",
    "PutObjectLegalHold",
    "PutObjectRetention",
    "PutObjectTagging",
    "RestoreObject",
    "UploadPart",
    "UploadPartCopy",
];

const S3_OBJECT: &str = "AWS::S3::Object";
const DYNAMODB_TABLE: &str = "AWS::DynamoDB::Table";
const LAMBDA_FUNCTION: &str = "AWS::Lambda::Function";

/// Trail ARN → the modes its selectors capture (only trails that capture some).
pub type ByTrail = BTreeMap<String, Vec<Mode>>;

/// `input.derived.coverage` of one account. Every trail the account's input
/// holds is judged (its own and organization trails seen in it, and the
/// organization trails of other accounts in `input.context`), with the
/// selectors `trails.full` would read; the rules pick the trails that count.
#[derive(Debug, Default, PartialEq, Serialize)]
pub struct Coverage {
    /// Bucket name → trails whose selectors capture every read (write) data
    /// event on every object of the bucket.
    pub s3_buckets: BTreeMap<String, ByTrail>,
    /// Trails whose selectors capture every read (write) S3 object data event
    /// of every current and future bucket (CIS 3.8/3.9, Security Hub S3.22/S3.23).
    pub all_s3_buckets: ByTrail,
    /// Table ARN → trails capturing its read (write) data events.
    pub dynamodb_tables: BTreeMap<String, ByTrail>,
    /// Function ARN → trails capturing its read (write) data events (invocations are writes).
    pub lambda_functions: BTreeMap<String, ByTrail>,
}

/// The coverage facts of `account`. `org_trails` is the snapshot's
/// organization trails by ARN, with their owner's account id and record.
pub fn of_account(partition: &str, account: &Account, org_trails: &BTreeMap<String, (String, Trail)>) -> Coverage {
    let trails = judged_trails(account, org_trails);
    let all_prefix = format!("arn:{partition}:s3:::");
    let all_values = [format!("arn:{partition}:s3"), all_prefix.clone()];
    let mut coverage = Coverage::default();
    for (arn, selectors) in trails.iter().filter_map(|(arn, s)| Some((arn, (*s)?))) {
        let modes = modes_where(|mode| captures_all_buckets(selectors, mode, &all_values, &all_prefix));
        if !modes.is_empty() {
            coverage.all_s3_buckets.insert((*arn).to_owned(), modes);
        }
    }
    for bucket in account.buckets.values() {
        let prefix = format!("{all_prefix}{}/", bucket.name);
        let by_trail = by_trail(&trails, |selectors, mode| captures_bucket(selectors, mode, &prefix));
        coverage.s3_buckets.insert(bucket.name.clone(), by_trail);
    }
    for (resources, kind, out) in [
        (&account.dynamodb_tables, DYNAMODB_TABLE, &mut coverage.dynamodb_tables),
        (&account.lambda_functions, LAMBDA_FUNCTION, &mut coverage.lambda_functions),
    ] {
        for r in resources.iter().flat_map(BTreeMap::values) {
            out.insert(r.arn.clone(), by_trail(&trails, |selectors, mode| captures_other(selectors, kind, &r.arn, mode)));
        }
    }
    coverage
}

/// The coverage facts as a Rego value; `Err` when regorus refuses them (its
/// memory limit), which leaves the account unjudged rather than uncovered.
pub fn value(coverage: &Coverage) -> Result<regorus::Value, String> {
    let text = serde_json::to_string(coverage).expect("coverage facts always serialize");
    regorus::Value::from_json_str(&text).map_err(|e| format!("account not evaluated: its selector coverage facts could not be built: {e}"))
}

/// Every trail of the input, keyed as the input keys it, with the selectors
/// `lib/trails.rego`'s `full(t)` reads: a member's record of another account's
/// organization trail without status is read through its owner's record.
fn judged_trails<'a>(
    account: &'a Account,
    org_trails: &'a BTreeMap<String, (String, Trail)>,
) -> BTreeMap<&'a str, Option<&'a EventSelectors>> {
    let others = move |arn: &str| org_trails.get(arn).filter(|(owner, _)| *owner != account.account_id).map(|(_, t)| t);
    let mut trails: BTreeMap<&str, Option<&EventSelectors>> = account
        .trails
        .iter()
        .map(|(arn, t)| {
            let record = if t.status.is_none() { others(&t.arn).unwrap_or(t) } else { t };
            (arn.as_str(), record.event_selectors.as_ref())
        })
        .collect();
    for (arn, (owner, t)) in org_trails {
        if *owner != account.account_id && !account.trails.contains_key(arn) {
            trails.insert(arn.as_str(), t.event_selectors.as_ref());
        }
    }
    trails
}

fn modes_where(mut captured: impl FnMut(Mode) -> bool) -> Vec<Mode> {
    MODES.into_iter().filter(|m| captured(*m)).collect()
}

fn by_trail(trails: &BTreeMap<&str, Option<&EventSelectors>>, captures: impl Fn(&EventSelectors, Mode) -> bool) -> ByTrail {
    trails
        .iter()
        .filter_map(|(arn, selectors)| {
            let selectors = (*selectors)?;
            let modes = modes_where(|mode| captures(selectors, mode));
            (!modes.is_empty()).then(|| ((*arn).to_owned(), modes))
        })
        .collect()
}

fn read_write_allows(read_write_type: &str, mode: Mode) -> bool {
    matches!((read_write_type, mode), ("All", _) | ("ReadOnly", Mode::Read) | ("WriteOnly", Mode::Write))
}

/// Basic selectors' data resources of `kind` whose read/write type includes `mode`.
fn basic_values<'a>(selectors: &'a EventSelectors, kind: &'a str, mode: Mode) -> impl Iterator<Item = &'a str> {
    selectors
        .event_selectors
        .iter()
        .filter(move |s| read_write_allows(&s.read_write_type, mode))
        .flat_map(|s| &s.data_resources)
        .filter(move |d| d.resource_type == kind)
        .flat_map(|d| d.values.iter().map(String::as_str))
}

/// An advanced selector of data events of some resource type (it names both
/// `eventCategory` and `resources.type`), the only kind that can capture them.
fn data_selectors(selectors: &EventSelectors) -> impl Iterator<Item = &AdvancedEventSelector> {
    selectors.advanced_event_selectors.iter().filter(|a| has(a, "eventCategory") && has(a, "resources.type"))
}

fn has(a: &AdvancedEventSelector, field: &str) -> bool {
    a.field_selectors.iter().any(|f| f.field == field)
}

/// Whether the field selector lets `value` through: included by a positive
/// operator (every value when it has none), excluded by no negative one.
fn admits(f: &FieldSelector, value: &str) -> bool {
    let open = f.equals.is_empty() && f.starts_with.is_empty() && f.ends_with.is_empty();
    let included = open
        || f.equals.iter().any(|x| x == value)
        || f.starts_with.iter().any(|p| value.starts_with(p.as_str()))
        || f.ends_with.iter().any(|x| value.ends_with(x.as_str()));
    let excluded = f.not_equals.iter().any(|x| x == value)
        || f.not_starts_with.iter().any(|p| value.starts_with(p.as_str()))
        || f.not_ends_with.iter().any(|x| value.ends_with(x.as_str()));
    included && !excluded
}

/// Whether an S3 field selector lets every S3 object data event of `mode`
/// through on its field. `resources.ARN` is judged per bucket
/// ([`arn_admits_prefix`]); any field not listed here narrows the selector.
fn s3_field_admits(f: &FieldSelector, mode: Mode) -> bool {
    let all = |values: &[&str]| values.iter().all(|v| admits(f, v));
    match f.field.as_str() {
        "eventCategory" => admits(f, "Data"),
        "resources.type" => admits(f, S3_OBJECT),
        "eventSource" => admits(f, "s3.amazonaws.com"),
        "readOnly" => admits(f, mode.read_only_value()),
        "eventName" => match mode {
            Mode::Read => all(&S3_READ_NAMES),
            Mode::Write => all(&S3_WRITE_NAMES),
        },
        "resources.ARN" => true,
        _ => false,
    }
}

/// Whether the advanced selector admits every S3 object data event of `mode`
/// on every field but `resources.ARN`.
fn s3_selector_admits(a: &AdvancedEventSelector, mode: Mode) -> bool {
    a.field_selectors.iter().all(|f| s3_field_admits(f, mode))
}

/// The ARN prefixes a `resources.ARN` field selector includes: its StartsWith
/// values, or every ARN when it has no positive operator (an Equals or
/// EndsWith names objects, never a whole bucket).
fn arn_includes(f: &FieldSelector) -> &[String] {
    static EVERY: [String; 1] = [String::new()];
    if f.equals.is_empty() && f.starts_with.is_empty() && f.ends_with.is_empty() { &EVERY } else { &f.starts_with }
}

/// Whether a `resources.ARN` field selector admits every object ARN
/// `<prefix><any key>`: a prefix of `prefix` is included, and no exclusion can
/// match an object under it (a NotEndsWith can match any bucket's objects).
fn arn_admits_prefix(f: &FieldSelector, prefix: &str) -> bool {
    arn_includes(f).iter().any(|v| prefix.starts_with(v.as_str()))
        && f.not_ends_with.is_empty()
        && f.not_starts_with.iter().all(|v| !prefix.starts_with(v.as_str()) && !v.starts_with(prefix))
        && f.not_equals.iter().all(|v| !v.starts_with(prefix))
}

/// Every object of the bucket whose objects' ARNs start with `prefix`.
fn captures_bucket(selectors: &EventSelectors, mode: Mode, prefix: &str) -> bool {
    basic_values(selectors, S3_OBJECT, mode).any(|v| prefix.starts_with(v))
        || data_selectors(selectors).any(|a| {
            s3_selector_admits(a, mode)
                && a.field_selectors.iter().filter(|f| f.field == "resources.ARN").all(|f| arn_admits_prefix(f, prefix))
        })
}

/// Every object of every current and future bucket: a basic value spelling
/// "all buckets" (`all_values`), or an advanced selector whose
/// `resources.ARN` field selectors exclude nothing and include only prefixes
/// of `arn:<partition>:s3:::` (a prefix naming one bucket is not all of them).
fn captures_all_buckets(selectors: &EventSelectors, mode: Mode, all_values: &[String; 2], all_prefix: &str) -> bool {
    basic_values(selectors, S3_OBJECT, mode).any(|v| all_values.iter().any(|a| a.as_str() == v))
        || data_selectors(selectors).any(|a| {
            s3_selector_admits(a, mode)
                && a.field_selectors.iter().filter(|f| f.field == "resources.ARN").all(|f| {
                    f.not_starts_with.is_empty()
                        && f.not_equals.is_empty()
                        && f.not_ends_with.is_empty()
                        && arn_includes(f).iter().any(|v| all_prefix.starts_with(v.as_str()))
                })
        })
}

/// A DynamoDB table's or Lambda function's data events of `mode`.
fn captures_other(selectors: &EventSelectors, kind: &str, arn: &str, mode: Mode) -> bool {
    let source = if kind == DYNAMODB_TABLE { "dynamodb.amazonaws.com" } else { "lambda.amazonaws.com" };
    basic_values(selectors, kind, mode).any(|v| basic_value_covers(v, arn))
        || data_selectors(selectors).any(|a| {
            a.field_selectors.iter().all(|f| match f.field.as_str() {
                "eventCategory" => admits(f, "Data"),
                "resources.type" => admits(f, kind),
                "eventSource" => admits(f, source),
                "readOnly" => admits(f, mode.read_only_value()),
                "resources.ARN" => admits(f, arn),
                _ => false,
            })
        })
}

/// A basic value names the resource, or the whole service of the partition
/// (`arn:aws:lambda`, or `arn:aws:lambda:`).
fn basic_value_covers(value: &str, arn: &str) -> bool {
    let service = value.strip_suffix(':').unwrap_or(value);
    value == arn || (service.split(':').count() == 3 && arn.strip_prefix(service).is_some_and(|rest| rest.starts_with(':')))
}

#[cfg(test)]
mod tests {
    use serde_json::{Value as Json, json};

    use super::Mode::{Read, Write};
    use super::*;

    const TARN: &str = "arn:aws:cloudtrail:us-east-1:111111111111:trail/data";

    fn trail(selectors: Json) -> Json {
        json!({
            "name": "data", "arn": TARN, "home_region": "us-east-1", "is_multi_region_trail": true,
            "is_organization_trail": false, "include_global_service_events": true,
            "log_file_validation_enabled": true, "status": {"is_logging": true}, "event_selectors": selectors,
        })
    }

    fn account(trail: Json, buckets: &[&str]) -> Account {
        serde_json::from_value(json!({
            "account_id": "111111111111",
            "trails": {TARN: trail},
            "buckets": buckets.iter().map(|b| (b.to_string(), json!({"name": b, "arn": format!("arn:aws:s3:::{b}"), "region": "us-east-1"}))).collect::<serde_json::Map<_, _>>(),
        }))
        .expect("test account parses")
    }

    fn basic(rw: &str, kind: &str, values: &[&str]) -> Json {
        json!({"EventSelectors": [{"ReadWriteType": rw, "IncludeManagementEvents": true, "DataResources": [{"Type": kind, "Values": values}]}], "AdvancedEventSelectors": []})
    }

    fn objects(rw: &str, values: &[&str]) -> Json {
        basic(rw, S3_OBJECT, values)
    }

    /// An advanced S3 object selector with `extra` field selectors.
    fn advanced(extra: Json) -> Json {
        let mut fields =
            vec![json!({"Field": "eventCategory", "Equals": ["Data"]}), json!({"Field": "resources.type", "Equals": [S3_OBJECT]})];
        fields.extend(extra.as_array().expect("a list").iter().cloned());
        json!({"EventSelectors": [], "AdvancedEventSelectors": [{"Name": "s3", "FieldSelectors": fields}]})
    }

    /// The modes the trail's selectors capture for bucket `b`.
    fn bucket_modes(selectors: Json, b: &str) -> Vec<Mode> {
        let c = of_account("aws", &account(trail(selectors), &[b]), &BTreeMap::new());
        c.s3_buckets[b].get(TARN).cloned().unwrap_or_default()
    }

    fn all_modes(selectors: Json) -> Vec<Mode> {
        let c = of_account("aws", &account(trail(selectors), &[]), &BTreeMap::new());
        c.all_s3_buckets.get(TARN).cloned().unwrap_or_default()
    }

    /// The cases of policies/lib/data_events_test.rego and
    /// policies/bucket/sensitive_bucket_data_events_test.rego, whose inputs
    /// state these facts.
    #[test]
    fn basic_selectors_cover_a_bucket_by_arn_prefix() {
        assert_eq!(bucket_modes(objects("All", &["arn:aws:s3"]), "b"), [Read, Write]);
        assert_eq!(bucket_modes(objects("All", &["arn:aws:s3:::"]), "b"), [Read, Write]);
        assert_eq!(bucket_modes(objects("ReadOnly", &["arn:aws:s3:::b/"]), "b"), [Read]);
        assert_eq!(bucket_modes(objects("WriteOnly", &["arn:aws:s3:::b"]), "b"), [Write]);
        assert_eq!(bucket_modes(objects("All", &["arn:aws:s3:::b/logs/"]), "b"), []);
        assert_eq!(bucket_modes(objects("All", &["arn:aws:s3:::other/"]), "b"), []);
        // Another resource type does not count for objects.
        assert_eq!(bucket_modes(basic("All", DYNAMODB_TABLE, &["arn:aws:dynamodb"]), "b"), []);
    }

    #[test]
    fn advanced_selectors_cover_a_bucket_by_what_they_select() {
        assert_eq!(bucket_modes(advanced(json!([])), "b"), [Read, Write]);
        assert_eq!(bucket_modes(advanced(json!([{"Field": "readOnly", "Equals": ["true"]}])), "b"), [Read]);
        assert_eq!(bucket_modes(advanced(json!([{"Field": "readOnly", "Equals": ["false"]}])), "b"), [Write]);
        assert_eq!(bucket_modes(advanced(json!([{"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::b/"]}])), "b"), [Read, Write]);
        assert_eq!(bucket_modes(advanced(json!([{"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::other/"]}])), "b"), []);
        // An Equals names one object, not the bucket.
        assert_eq!(bucket_modes(advanced(json!([{"Field": "resources.ARN", "Equals": ["arn:aws:s3:::b/"]}])), "b"), []);
        // Exclusions: of the bucket, of a prefix inside it, of an object in it, of any suffix.
        let excluded = |op: &str, v: &str| bucket_modes(advanced(json!([{"Field": "resources.ARN", op: [v]}])), "b");
        assert_eq!(excluded("NotStartsWith", "arn:aws:s3:::b/"), []);
        assert_eq!(excluded("NotStartsWith", "arn:aws:s3:::b/tmp/"), []);
        assert_eq!(excluded("NotStartsWith", "arn:aws:s3:::other/"), [Read, Write]);
        assert_eq!(excluded("NotEquals", "arn:aws:s3:::b/key"), []);
        assert_eq!(excluded("NotEquals", "arn:aws:s3:::other/key"), [Read, Write]);
        assert_eq!(excluded("NotEndsWith", ".tmp"), []);
        // eventName must let every operation of the mode through.
        assert_eq!(bucket_modes(advanced(json!([{"Field": "eventName", "NotEquals": ["GetObject"]}])), "b"), [Write]);
        assert_eq!(bucket_modes(advanced(json!([{"Field": "eventName", "StartsWith": ["Get", "Head", "List", "Select"]}])), "b"), [Read]);
        assert_eq!(bucket_modes(advanced(json!([{"Field": "eventSource", "Equals": ["s3.amazonaws.com"]}])), "b"), [Read, Write]);
        // A field the library cannot reason about narrows the selector: no proof of coverage.
        assert_eq!(bucket_modes(advanced(json!([{"Field": "userIdentity.arn", "Equals": ["arn:aws:iam::111111111111:role/x"]}])), "b"), []);
        // Without eventCategory and resources.type a selector selects no data events.
        let management = json!({"EventSelectors": [], "AdvancedEventSelectors": [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}]});
        assert_eq!(bucket_modes(management, "b"), []);
        let wrong_type = json!({"EventSelectors": [], "AdvancedEventSelectors": [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type", "Equals": [DYNAMODB_TABLE]}]}]});
        assert_eq!(bucket_modes(wrong_type, "b"), []);
    }

    /// The cases of policies/bucket/all_buckets_{read,write}_data_events_test.rego.
    #[test]
    fn all_buckets_needs_a_selector_of_every_bucket() {
        assert_eq!(all_modes(objects("All", &["arn:aws:s3"])), [Read, Write]);
        assert_eq!(all_modes(objects("ReadOnly", &["arn:aws:s3:::"])), [Read]);
        assert_eq!(all_modes(objects("WriteOnly", &["arn:aws:s3"])), [Write]);
        // Naming buckets, even every bucket of the account, is not every future bucket.
        assert_eq!(all_modes(objects("All", &["arn:aws:s3:::b/"])), []);
        assert_eq!(all_modes(objects("All", &["arn:aws:s3:::b"])), []);
        assert_eq!(all_modes(advanced(json!([]))), [Read, Write]);
        assert_eq!(all_modes(advanced(json!([{"Field": "readOnly", "Equals": ["true"]}]))), [Read]);
        assert_eq!(all_modes(advanced(json!([{"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::"]}]))), [Read, Write]);
        assert_eq!(all_modes(advanced(json!([{"Field": "resources.ARN", "StartsWith": ["arn:aws:s3"]}]))), [Read, Write]);
        assert_eq!(all_modes(advanced(json!([{"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::b/"]}]))), []);
        assert_eq!(all_modes(advanced(json!([{"Field": "resources.ARN", "NotStartsWith": ["arn:aws:s3:::b/"]}]))), []);
        assert_eq!(all_modes(advanced(json!([{"Field": "resources.ARN", "NotEndsWith": [".tmp"]}]))), []);
        assert_eq!(all_modes(advanced(json!([{"Field": "eventName", "Equals": ["PutObject"]}]))), []);
        assert_eq!(all_modes(advanced(json!([{"Field": "readOnly", "Equals": ["false"]}]))), [Write]);
        assert_eq!(all_modes(advanced(json!([{"Field": "resources.ARN", "NotStartsWith": ["arn:aws:s3:::scratch/"]}]))), []);
        assert_eq!(
            all_modes(advanced(json!([{"Field": "userIdentity.arn", "NotStartsWith": ["arn:aws:sts::111111111111:assumed-role/etl"]}]))),
            []
        );
        assert_eq!(all_modes(advanced(json!([{"Field": "eventName", "NotEquals": ["GetObject"]}]))), [Write]);
        assert_eq!(all_modes(advanced(json!([{"Field": "eventName", "NotEquals": ["DeleteObject"]}]))), [Read]);
        let ddb = json!({"EventSelectors": [], "AdvancedEventSelectors": [{"Name": "ddb", "FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type", "Equals": [DYNAMODB_TABLE]}]}]});
        assert_eq!(all_modes(ddb), []);
        // One all-bucket selector among narrower ones is enough.
        let mixed = json!({"EventSelectors": [], "AdvancedEventSelectors": [
            {"Name": "one bucket", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
                {"Field": "resources.type", "Equals": [S3_OBJECT]}, {"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::payroll/"]}]},
            {"Name": "all buckets", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type", "Equals": [S3_OBJECT]}]},
        ]});
        assert_eq!(all_modes(mixed), [Read, Write]);
        // The snapshot's partition spells "all buckets"; another partition's spelling is not it.
        let c = of_account("aws-us-gov", &account(trail(objects("All", &["arn:aws-us-gov:s3"])), &[]), &BTreeMap::new());
        assert_eq!(c.all_s3_buckets[TARN], [Read, Write]);
        let c = of_account("aws-cn", &account(trail(objects("All", &["arn:aws:s3"])), &[]), &BTreeMap::new());
        assert!(c.all_s3_buckets.is_empty());
    }

    fn other_modes(selectors: Json, kind: &str, arn: &str) -> Vec<Mode> {
        let mut a = account(trail(selectors), &[]);
        let listed = Some(BTreeMap::from([(
            arn.to_owned(),
            serde_json::from_value(json!({"name": "x", "arn": arn, "region": "us-east-1"})).expect("resource"),
        )]));
        if kind == DYNAMODB_TABLE {
            a.dynamodb_tables = listed;
        } else {
            a.lambda_functions = listed;
        }
        let c = of_account("aws", &a, &BTreeMap::new());
        let out = if kind == DYNAMODB_TABLE { &c.dynamodb_tables } else { &c.lambda_functions };
        out[arn].get(TARN).cloned().unwrap_or_default()
    }

    /// The cases of policies/data_events/sensitive_{table,function}_data_events_test.rego.
    #[test]
    fn tables_and_functions_are_covered_by_their_arn_or_the_whole_service() {
        let table = "arn:aws:dynamodb:us-east-1:111111111111:table/payments";
        let function = "arn:aws:lambda:us-east-1:111111111111:function:acme-payments";
        assert_eq!(other_modes(basic("All", DYNAMODB_TABLE, &[table]), DYNAMODB_TABLE, table), [Read, Write]);
        assert_eq!(other_modes(basic("ReadOnly", DYNAMODB_TABLE, &["arn:aws:dynamodb"]), DYNAMODB_TABLE, table), [Read]);
        assert_eq!(other_modes(basic("All", DYNAMODB_TABLE, &["arn:aws:dynamodb:"]), DYNAMODB_TABLE, table), [Read, Write]);
        // A region-wide prefix is neither the table nor the service.
        assert_eq!(other_modes(basic("All", DYNAMODB_TABLE, &["arn:aws:dynamodb:us-east-1"]), DYNAMODB_TABLE, table), []);
        assert_eq!(other_modes(basic("All", DYNAMODB_TABLE, &[&format!("{table}-old")]), DYNAMODB_TABLE, table), []);
        assert_eq!(other_modes(basic("All", LAMBDA_FUNCTION, &["arn:aws:lambda"]), LAMBDA_FUNCTION, function), [Read, Write]);
        assert_eq!(other_modes(basic("All", LAMBDA_FUNCTION, &["arn:aws:lambda"]), DYNAMODB_TABLE, table), []);
        let adv = |kind: &str, extra: Json| {
            let mut fields =
                vec![json!({"Field": "eventCategory", "Equals": ["Data"]}), json!({"Field": "resources.type", "Equals": [kind]})];
            fields.extend(extra.as_array().expect("a list").iter().cloned());
            json!({"EventSelectors": [], "AdvancedEventSelectors": [{"FieldSelectors": fields}]})
        };
        assert_eq!(other_modes(adv(DYNAMODB_TABLE, json!([])), DYNAMODB_TABLE, table), [Read, Write]);
        assert_eq!(other_modes(adv(DYNAMODB_TABLE, json!([{"Field": "readOnly", "Equals": ["false"]}])), DYNAMODB_TABLE, table), [Write]);
        assert_eq!(
            other_modes(adv(DYNAMODB_TABLE, json!([{"Field": "resources.ARN", "Equals": [table]}])), DYNAMODB_TABLE, table),
            [Read, Write]
        );
        assert_eq!(other_modes(adv(DYNAMODB_TABLE, json!([{"Field": "resources.ARN", "NotEquals": [table]}])), DYNAMODB_TABLE, table), []);
        assert_eq!(
            other_modes(
                adv(
                    LAMBDA_FUNCTION,
                    json!([{"Field": "resources.ARN", "StartsWith": ["arn:aws:lambda:us-east-1:111111111111:function:acme-"]}])
                ),
                LAMBDA_FUNCTION,
                function
            ),
            [Read, Write]
        );
        assert_eq!(
            other_modes(
                adv(LAMBDA_FUNCTION, json!([{"Field": "eventSource", "Equals": ["lambda.amazonaws.com"]}])),
                LAMBDA_FUNCTION,
                function
            ),
            [Read, Write]
        );
        assert_eq!(other_modes(adv(LAMBDA_FUNCTION, json!([{"Field": "eventName", "Equals": ["Invoke"]}])), LAMBDA_FUNCTION, function), []);
        assert_eq!(other_modes(adv(DYNAMODB_TABLE, json!([])), LAMBDA_FUNCTION, function), []);
        assert_eq!(other_modes(basic("WriteOnly", DYNAMODB_TABLE, &["arn:aws:dynamodb"]), DYNAMODB_TABLE, table), [Write]);
        // A basic value is one table's ARN, not a prefix.
        let payments = "arn:aws:dynamodb:us-east-1:111111111111:table/payments";
        assert_eq!(other_modes(basic("All", DYNAMODB_TABLE, &[payments]), DYNAMODB_TABLE, &format!("{payments}-eu")), []);
        assert_eq!(other_modes(adv(DYNAMODB_TABLE, json!([{"Field": "eventName", "Equals": ["PutItem"]}])), DYNAMODB_TABLE, table), []);
        assert_eq!(other_modes(adv(DYNAMODB_TABLE, json!([{"Field": "readOnly", "Equals": ["true"]}])), DYNAMODB_TABLE, table), [Read]);
        assert_eq!(other_modes(adv(LAMBDA_FUNCTION, json!([])), LAMBDA_FUNCTION, function), [Read, Write]);
        assert_eq!(other_modes(basic("All", LAMBDA_FUNCTION, &["arn:aws:lambda:"]), LAMBDA_FUNCTION, function), [Read, Write]);
        assert_eq!(other_modes(basic("All", S3_OBJECT, &["arn:aws:s3"]), LAMBDA_FUNCTION, function), []);
        assert_eq!(
            other_modes(adv(LAMBDA_FUNCTION, json!([{"Field": "eventSource", "Equals": ["s3.amazonaws.com"]}])), LAMBDA_FUNCTION, function),
            []
        );
    }

    /// A member's record of its organization's trail has no status or
    /// selectors; the owner's record (in context) decides, as `trails.full` does.
    #[test]
    fn organization_trails_are_judged_with_their_owners_selectors() {
        let org = "arn:aws:cloudtrail:us-east-1:999999999999:trail/org";
        let mut owner: Trail = serde_json::from_value(trail(objects("All", &["arn:aws:s3"]))).expect("trail");
        owner.arn = org.to_owned();
        owner.is_organization_trail = true;
        let mut shadow = owner.clone();
        shadow.status = None;
        shadow.event_selectors = None;
        let org_trails = BTreeMap::from([(org.to_owned(), ("999999999999".to_owned(), owner.clone()))]);
        let mut a = account(trail(objects("All", &[])), &["b"]);
        a.trails.insert(org.to_owned(), shadow);
        let c = of_account("aws", &a, &org_trails);
        assert_eq!(c.s3_buckets["b"].keys().map(String::as_str).collect::<Vec<_>>(), [org]);
        assert_eq!(c.all_s3_buckets[org], [Read, Write]);
        // Seen only in context, the same.
        let a = account(trail(objects("All", &[])), &["b"]);
        assert_eq!(of_account("aws", &a, &org_trails).s3_buckets["b"][org], [Read, Write]);
        // The owner's own account judges its own record, not the context's.
        let mut own = account(trail(objects("All", &[])), &["b"]);
        own.account_id = "999999999999".to_owned();
        assert!(of_account("aws", &own, &org_trails).s3_buckets["b"].is_empty());
    }

    /// What the rules read: names, ARNs and modes as strings.
    #[test]
    fn facts_serialize_as_the_schema_describes() {
        let c = of_account("aws", &account(trail(objects("ReadOnly", &["arn:aws:s3"])), &["b"]), &BTreeMap::new());
        assert_eq!(
            serde_json::to_value(&c).expect("serializes"),
            json!({
                "s3_buckets": {"b": {TARN: ["read"]}},
                "all_s3_buckets": {TARN: ["read"]},
                "dynamodb_tables": {},
                "lambda_functions": {},
            })
        );
    }
}
