//! Builds what a rule sees: one account's view of the snapshot.
//!
//! Rules run once per account, which keeps the cost linear in accounts and
//! lets accounts be evaluated in parallel. The little a rule needs from other
//! accounts is passed in `input.context`, precomputed once per snapshot.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::snapshot::{Account, CollectionError, Metadata, Snapshot, Trail};

/// Facts that cross account boundaries, computed once per snapshot.
#[derive(Debug, Default)]
pub struct SnapshotContext<'a> {
    /// Organization trails by ARN, as their owning account collected them.
    org_trails: BTreeMap<&'a str, (&'a str, &'a Trail)>,
    /// Bucket name → trails (any account) that write to it.
    trail_buckets: BTreeMap<&'a str, Vec<TrailRef<'a>>>,
}

#[derive(Debug, Clone, Serialize)]
struct TrailRef<'a> {
    trail_arn: &'a str,
    account_id: &'a str,
}

#[derive(Serialize)]
struct OrgTrail<'a> {
    account_id: &'a str,
    #[serde(flatten)]
    trail: &'a Trail,
}

#[derive(Serialize)]
struct Context<'a> {
    organization_trails: BTreeMap<&'a str, OrgTrail<'a>>,
    trail_buckets: BTreeMap<&'a str, &'a [TrailRef<'a>]>,
}

#[derive(Serialize)]
struct AccountInput<'a> {
    schema_version: u32,
    metadata: &'a Metadata,
    account: &'a Account,
    errors: Vec<&'a CollectionError>,
    context: Context<'a>,
}

/// The account id inside an ARN (`arn:partition:service:region:ACCOUNT:...`).
pub fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

impl<'a> SnapshotContext<'a> {
    pub fn new(snapshot: &'a Snapshot) -> Self {
        let mut ctx = SnapshotContext::default();
        for account in &snapshot.accounts {
            for (arn, trail) in &account.trails {
                // A trail is recorded authoritatively by the account that owns it.
                if arn_account(arn) != Some(account.account_id.as_str()) {
                    continue;
                }
                if trail.is_organization_trail {
                    ctx.org_trails.insert(arn, (&account.account_id, trail));
                }
                if let Some(bucket) = &trail.s3_bucket_name {
                    ctx.trail_buckets.entry(bucket).or_default().push(TrailRef { trail_arn: arn, account_id: &account.account_id });
                }
            }
        }
        ctx
    }

    /// The document rules see as `input` when judging `account`.
    pub fn account_input(&self, snapshot: &'a Snapshot, account: &'a Account) -> regorus::Value {
        let organization_trails = self
            .org_trails
            .iter()
            .filter(|(_, (owner, _))| *owner != account.account_id)
            .map(|(arn, (owner, trail))| (*arn, OrgTrail { account_id: owner, trail }))
            .collect();
        let trail_buckets = account
            .buckets
            .keys()
            .filter_map(|name| self.trail_buckets.get_key_value(name.as_str()))
            .map(|(name, refs)| (*name, refs.as_slice()))
            .collect();
        let input = AccountInput {
            schema_version: snapshot.schema_version,
            metadata: &snapshot.metadata,
            account,
            errors: snapshot.errors.iter().filter(|e| e.account_id == account.account_id).collect(),
            context: Context { organization_trails, trail_buckets },
        };
        // One JSON string, read by regorus's own deserializer: about half the
        // cost of building a serde_json tree and converting it node by node.
        let text = serde_json::to_string(&input).expect("snapshot types always serialize");
        regorus::Value::from_json_str(&text).expect("JSON written by serde_json reads back")
    }
}
