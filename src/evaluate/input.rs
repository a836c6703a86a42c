//! Builds what a rule sees: one account's view of the snapshot.
//!
//! Rules run once per account, which keeps the cost linear in accounts and
//! lets accounts be evaluated in parallel. The little a rule needs from other
//! accounts is passed in `input.context`, precomputed once per snapshot.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::derived::Derived;
use crate::snapshot::{Account, Alarm, CollectionError, LogGroup, Metadata, SnsTopic, Trail};

/// Facts that cross account boundaries, gathered once per snapshot, one
/// account at a time ([`SnapshotContext::add_account`]), so that a snapshot
/// read as a stream need not hold its accounts: what is kept of each is what
/// other accounts' rules read (its organization trails, the buckets its trails
/// write to, the names of the buckets it holds, and, for a management account,
/// its log groups, alarms and topics).
#[derive(Debug, Default)]
pub struct SnapshotContext {
    /// Organization trails by ARN, as their owning account collected them.
    org_trails: BTreeMap<String, (String, Trail)>,
    /// Bucket name → trails (any account) that write to it.
    trail_buckets: BTreeMap<String, Vec<TrailRef>>,
    /// Every account id read.
    known: std::collections::HashSet<String>,
    /// Management accounts named by another account's organization.
    referenced: std::collections::BTreeSet<String>,
    /// The monitoring parts of management accounts, by id (see [`SnapshotContext::add_account`]).
    management: BTreeMap<String, ManagementParts>,
    /// Bucket name → accounts whose record holds it (an organization run
    /// reads a trail bucket in the account that owns it).
    bucket_holders: BTreeMap<String, Vec<String>>,
    /// Failed calls by account id, sorted out once rather than searched for
    /// every account and rule (that grew with accounts × failures).
    errors: HashMap<String, Vec<CollectionError>>,
}

/// What member accounts' rules read of their management account.
#[derive(Debug, Clone)]
struct ManagementParts {
    log_groups: BTreeMap<String, LogGroup>,
    alarms: BTreeMap<String, Alarm>,
    sns_topics: BTreeMap<String, SnsTopic>,
    /// The same, as `input.context.management_account`, converted once: every
    /// member of the organization reads it (regorus values are
    /// reference-counted, so each member's input shares it).
    value: regorus::Value,
}

#[derive(Debug, Clone, Serialize)]
struct TrailRef {
    trail_arn: String,
    account_id: String,
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
    trail_buckets: BTreeMap<&'a str, &'a [TrailRef]>,
    /// For each bucket this account's own trails deliver to and that this
    /// account does not hold: the accounts of the snapshot that do. A bucket
    /// missing here and from `account.buckets` was read nowhere.
    trail_bucket_holders: BTreeMap<&'a str, &'a [String]>,
    // `management_account` is added to the value afterwards ([`ManagementParts::value`]).
}

/// What a member account is monitored through: an organization trail
/// delivers to a log group of the management account, whose filters,
/// alarms and topics the monitoring rules then judge.
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

impl SnapshotContext {
    /// Adds failed calls (the snapshot's, and those the evaluation adds:
    /// selected accounts never collected), in order.
    pub fn add_errors<'e>(&mut self, errors: impl IntoIterator<Item = &'e CollectionError>) {
        for error in errors {
            self.errors.entry(error.account_id.clone()).or_default().push(error.clone());
        }
    }

    /// A context of every account of `accounts` (read whole, in order).
    pub fn of_accounts(accounts: &[Account]) -> Self {
        let mut ctx = SnapshotContext::default();
        for account in accounts {
            ctx.add_account(account);
        }
        for id in ctx.missing_management() {
            if let Some(account) = accounts.iter().rev().find(|a| a.account_id == id) {
                ctx.add_management(account);
            }
        }
        ctx
    }

    /// Gathers what other accounts' rules read of `account`. Its monitoring
    /// parts are kept when it names itself its organization's management
    /// account; a management account that does not is found by
    /// [`SnapshotContext::missing_management`] and added in a second pass.
    /// A later copy of an account replaces an earlier one's parts, as a map
    /// of accounts by id would.
    pub fn add_account(&mut self, account: &Account) {
        let id = account.account_id.as_str();
        let manager = account.organization.as_ref().map(|o| o.management_account_id.as_str());
        // A later copy of an account whose parts are kept replaces them, as
        // in a map of accounts by id.
        if manager == Some(id) || self.management.contains_key(id) {
            self.add_management(account);
        }
        if let Some(manager) = manager.filter(|m| *m != id) {
            self.referenced.insert(manager.to_owned());
        }
        self.known.insert(id.to_owned());
        for name in account.buckets.keys() {
            self.bucket_holders.entry(name.clone()).or_default().push(id.to_owned());
        }
        for (arn, trail) in &account.trails {
            // A trail is recorded authoritatively by the account that owns it.
            if arn_account(arn) != Some(id) {
                continue;
            }
            if trail.is_organization_trail {
                self.org_trails.insert(arn.clone(), (id.to_owned(), trail.clone()));
            }
            if let Some(bucket) = &trail.s3_bucket_name {
                self.trail_buckets.entry(bucket.clone()).or_default().push(TrailRef { trail_arn: arn.clone(), account_id: id.to_owned() });
            }
        }
    }

    /// Management accounts named by other accounts, present in the snapshot,
    /// whose monitoring parts were not kept (they do not name themselves as
    /// management account): read them again with [`SnapshotContext::add_management`].
    pub fn missing_management(&self) -> Vec<String> {
        self.referenced.iter().filter(|m| self.known.contains(m.as_str()) && !self.management.contains_key(m.as_str())).cloned().collect()
    }

    /// Keeps the log groups, alarms and topics of a management account.
    pub fn add_management(&mut self, account: &Account) {
        let view = ManagementAccount {
            account_id: &account.account_id,
            log_groups: &account.log_groups,
            alarms: &account.alarms,
            sns_topics: &account.sns_topics,
        };
        let text = serde_json::to_string(&view).expect("snapshot types always serialize");
        // Snapshot strings are valid JSON strings, so this only fails on a
        // number regorus refuses, which the snapshot's own parse has refused first.
        let value = regorus::Value::from_json_str(&text).unwrap_or(regorus::Value::Null);
        self.management.insert(
            account.account_id.clone(),
            ManagementParts {
                log_groups: account.log_groups.clone(),
                alarms: account.alarms.clone(),
                sns_topics: account.sns_topics.clone(),
                value,
            },
        );
    }

    /// The failed calls recorded for `account_id`, in snapshot order.
    pub fn errors_of(&self, account_id: &str) -> &[CollectionError] {
        self.errors.get(account_id).map_or(&[], Vec::as_slice)
    }

    /// The management account of `account`'s organization, when it is
    /// another account present in the snapshot.
    fn management_account(&self, account: &Account) -> Option<(&str, &ManagementParts)> {
        let id = account.organization.as_ref()?.management_account_id.as_str();
        (id != account.account_id).then(|| self.management.get_key_value(id).map(|(id, parts)| (id.as_str(), parts))).flatten()
    }

    /// The document rules see as `input` when judging `account`, with
    /// `derived` (facts computed in Rust, see `derived.rs`) added as a
    /// ready-made Rego value.
    /// `Err` when the input alone is over the memory budget (`--rule-memory-mib`).
    pub fn account_input(
        &self,
        schema_version: u32,
        metadata: &Metadata,
        account: &Account,
        derived: &Derived<'_>,
    ) -> Result<regorus::Value, String> {
        let management = self.management_account(account);
        let organization_trails = self
            .org_trails
            .iter()
            .filter(|(_, (owner, _))| *owner != account.account_id)
            .map(|(arn, (owner, trail))| (arn.as_str(), OrgTrail { account_id: owner, trail }))
            .collect();
        let trail_buckets = account
            .buckets
            .keys()
            .filter_map(|name| self.trail_buckets.get_key_value(name.as_str()))
            .map(|(name, refs)| (name.as_str(), refs.as_slice()))
            .collect();
        let trail_bucket_holders = account
            .trails
            .iter()
            .filter(|(arn, _)| arn_account(arn) == Some(account.account_id.as_str()))
            .filter_map(|(_, t)| t.s3_bucket_name.as_deref())
            .filter(|name| !account.buckets.contains_key(*name))
            .filter_map(|name| self.bucket_holders.get_key_value(name))
            .map(|(name, holders)| (name.as_str(), holders.as_slice()))
            .collect();
        let input = AccountInput {
            schema_version,
            metadata,
            account,
            errors: self.errors_of(&account.account_id).iter().collect(),
            context: Context { organization_trails, trail_buckets, trail_bucket_holders },
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
            if let Some(Ok(context)) = map.get_mut(&regorus::Value::from("context")).map(regorus::Value::as_object_mut) {
                let parts = management.map_or(regorus::Value::Null, |(_, m)| m.value.clone());
                context.insert(regorus::Value::from("management_account"), parts);
            }
            let management = management.map(|(id, m)| super::derived::monitoring::Holder {
                account_id: id,
                log_groups: &m.log_groups,
                alarms: &m.alarms,
                sns_topics: &m.sns_topics,
            });
            let mut facts = derived.for_account(account, management);
            if let Ok(facts) = facts.as_object_mut() {
                let coverage = super::derived::coverage::of_account(&metadata.partition, account, &self.org_trails);
                facts.insert(regorus::Value::from("coverage"), super::derived::coverage::value(&coverage)?);
            }
            map.insert(regorus::Value::from("derived"), facts);
        }
        Ok(value)
    }
}
