//! Builds what a rule sees: one account's view of the snapshot.
//!
//! Rules run once per account, which keeps the cost linear in accounts and
//! lets accounts be evaluated in parallel. The little a rule needs from other
//! accounts is passed in `input.context`, precomputed once per snapshot.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::derived::Derived;
use crate::snapshot::{Account, Alarm, CollectionError, LogGroup, Metadata, Snapshot, SnsTopic, Trail};

/// Facts that cross account boundaries, computed once per snapshot.
#[derive(Debug, Default)]
pub struct SnapshotContext<'a> {
    /// Organization trails by ARN, as their owning account collected them.
    org_trails: BTreeMap<&'a str, (&'a str, &'a Trail)>,
    /// Bucket name → trails (any account) that write to it.
    trail_buckets: BTreeMap<&'a str, Vec<TrailRef<'a>>>,
    /// Accounts by id, to find a member's management account.
    accounts: BTreeMap<&'a str, &'a Account>,
    /// Bucket name → accounts whose record holds it (an organization run
    /// reads a trail bucket in the account that owns it).
    bucket_holders: BTreeMap<&'a str, Vec<&'a str>>,
    /// Failed calls by account id, sorted out once rather than searched for
    /// every account and rule (that grew with accounts × failures).
    errors: HashMap<&'a str, Vec<&'a CollectionError>>,
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
    /// For each bucket this account's own trails deliver to and that this
    /// account does not hold: the accounts of the snapshot that do. A bucket
    /// missing here and from `account.buckets` was read nowhere.
    trail_bucket_holders: BTreeMap<&'a str, &'a [&'a str]>,
    /// What a member account is monitored through: an organization trail
    /// delivers to a log group of the management account, whose filters,
    /// alarms and topics the monitoring rules then judge.
    management_account: Option<ManagementAccount<'a>>,
}

#[derive(Serialize)]
struct ManagementAccount<'a> {
    account_id: &'a str,
    log_groups: &'a BTreeMap<String, LogGroup>,
    alarms: &'a BTreeMap<String, Alarm>,
    sns_topics: &'a BTreeMap<String, SnsTopic>,
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
    /// `extra`: failures the evaluation adds (selected accounts never collected).
    pub fn new(snapshot: &'a Snapshot, extra: &'a [CollectionError]) -> Self {
        let mut ctx = SnapshotContext::default();
        for error in snapshot.errors.iter().chain(extra) {
            ctx.errors.entry(error.account_id.as_str()).or_default().push(error);
        }
        for account in &snapshot.accounts {
            ctx.accounts.insert(&account.account_id, account);
            for name in account.buckets.keys() {
                ctx.bucket_holders.entry(name).or_default().push(&account.account_id);
            }
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

    /// The failed calls recorded for `account_id`, in snapshot order.
    pub fn errors_of(&self, account_id: &str) -> &[&'a CollectionError] {
        self.errors.get(account_id).map_or(&[], Vec::as_slice)
    }

    /// The management account of `account`'s organization, when it is
    /// another account present in the snapshot.
    fn management_account(&self, account: &Account) -> Option<&'a Account> {
        let id = account.organization.as_ref()?.management_account_id.as_str();
        (id != account.account_id).then(|| self.accounts.get(id).copied()).flatten()
    }

    /// The document rules see as `input` when judging `account`, with
    /// `derived` (facts computed in Rust, see `derived.rs`) added as a
    /// ready-made Rego value.
    /// `Err` when the input alone is over the memory budget (`--rule-memory-mib`).
    pub fn account_input(&self, snapshot: &'a Snapshot, account: &'a Account, derived: &Derived<'_>) -> Result<regorus::Value, String> {
        let management = self.management_account(account);
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
        let trail_bucket_holders = account
            .trails
            .iter()
            .filter(|(arn, _)| arn_account(arn) == Some(account.account_id.as_str()))
            .filter_map(|(_, t)| t.s3_bucket_name.as_deref())
            .filter(|name| !account.buckets.contains_key(*name))
            .filter_map(|name| self.bucket_holders.get_key_value(name))
            .map(|(name, holders)| (*name, holders.as_slice()))
            .collect();
        let input = AccountInput {
            schema_version: snapshot.schema_version,
            metadata: &snapshot.metadata,
            account,
            errors: self.errors_of(&account.account_id).to_vec(),
            context: Context {
                organization_trails,
                trail_buckets,
                trail_bucket_holders,
                management_account: management.map(|m| ManagementAccount {
                    account_id: &m.account_id,
                    log_groups: &m.log_groups,
                    alarms: &m.alarms,
                    sns_topics: &m.sns_topics,
                }),
            },
        };
        // One JSON string, read by regorus's own deserializer: about half the
        // cost of building a serde_json tree and converting it node by node.
        let text = serde_json::to_string(&input).expect("snapshot types always serialize");
        // regorus's deserializer stops at the memory limit, like evaluation.
        let mut value = super::memory::bounded(|| regorus::Value::from_json_str(&text)).map_err(|e| {
            format!(
                "account not evaluated: its input alone is over the memory budget (--rule-memory-mib): {}",
                super::judge::first_line(&format!("{e:#}"))
            )
        })?;
        if let Ok(map) = value.as_object_mut() {
            map.insert(regorus::Value::from("derived"), derived.for_account(account, management));
        }
        Ok(value)
    }
}
