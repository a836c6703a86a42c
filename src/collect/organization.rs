//! Organization discovery (`--organization`): read the AWS Organization from
//! the management account or a delegated administrator, choose the accounts
//! to collect (`--ou`, `--accounts`, `--exclude-accounts`, `--shard`), and give
//! each its organization context (id, management account, name, status, OU
//! path, delegated administrators).
//!
//! The organization's structure is read once, walking the tree from the root
//! (`ListRoots`, then per parent `ListOrganizationalUnitsForParent` and
//! `ListAccountsForParent`): that yields every account's OU path in one call
//! per OU rather than one `ListParents` per account.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use anyhow::{Context as _, bail};
use aws_sdk_organizations::types::AccountStatus;
use globset::{Glob, GlobSet, GlobSetBuilder};

use super::context::Ctx;
use super::pages::each_page;
use crate::snapshot::actions::Action;
use crate::snapshot::{DelegatedAdministrator, Organization, OrganizationScope, OrganizationalUnit, Shards, SkippedAccount};

/// How to discover and select the organization's accounts.
#[derive(Debug, Clone, Default)]
pub struct OrganizationOptions {
    /// Role assumed in every member: `arn:{partition}:iam::{account}:role/{member_role}`.
    pub member_role: String,
    /// `sts:AssumeRole` external id, when the member role requires one.
    pub external_id: Option<String>,
    /// Only accounts under these OUs (`ou-...` or the root `r-...`), at any depth.
    pub ous: Vec<String>,
    /// Only these accounts: ids or globs (`1111*`); empty = all.
    pub accounts: Vec<String>,
    /// Never these accounts: ids or globs.
    pub exclude_accounts: Vec<String>,
    /// This run's share of the selected accounts.
    pub shard: Option<Shard>,
}

/// `--shard K/N`: share `index` (1-based) of `count`. An account belongs to
/// share `(id mod N) + 1`, so the split depends on the account id alone: the
/// same account lands in the same share whatever else the organization holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let (k, n) = s.split_once('/').ok_or_else(|| format!("`{s}` is not K/N (e.g. 2/3)"))?;
        let index: u32 = k.trim().parse().map_err(|_| format!("`{k}` in `{s}` is not a share number"))?;
        let count: u32 = n.trim().parse().map_err(|_| format!("`{n}` in `{s}` is not a number of shares"))?;
        if count == 0 || index == 0 || index > count {
            return Err(format!("`{s}`: K must be between 1 and N, and N at least 1"));
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// Does `account_id` belong to this share?
    pub fn holds(&self, account_id: &str) -> bool {
        shard_of(account_id, self.count) == self.index
    }
}

/// The share (1-based) of `count` an account id falls in. Ids are 12 digits;
/// anything else is hashed by its bytes so the split stays total.
pub fn shard_of(account_id: &str, count: u32) -> u32 {
    let n =
        account_id.parse::<u64>().unwrap_or_else(|_| account_id.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))));
    (n % u64::from(count.max(1))) as u32 + 1
}

/// One account chosen for collection.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub account_id: String,
    pub organization: Organization,
}

/// What discovery found: the scope recorded in the snapshot, the accounts of
/// this run's share (the caller among them when it is in the share), and
/// every account's context (for the caller when it is not in the share).
#[derive(Debug)]
pub(crate) struct Discovery {
    pub scope: OrganizationScope,
    pub members: Vec<Member>,
}

/// An account as ListAccounts reports it, with its OU path from the tree walk.
struct Listed {
    name: Option<String>,
    status: String,
    ou_path: Vec<OrganizationalUnit>,
}

/// Reads the organization and selects the accounts. Failures to read the
/// organization itself or its account list end the run (there is nothing to
/// audit without them); a failed tree walk without `--ou` only loses OU paths
/// and is recorded as a failed call.
pub(crate) async fn discover(ctx: &Ctx, options: &OrganizationOptions) -> anyhow::Result<Discovery> {
    let client = ctx.organizations();
    let described = client.describe_organization().send().await.map_err(|e| sdk_error(Action::OrganizationsDescribeOrganization, e)).with_context(|| {
        format!(
            "--organization: cannot read the organization from account {}; run from the management account or a delegated administrator",
            ctx.account_id
        )
    })?;
    let org = described.organization().context("organizations:DescribeOrganization returned no organization")?;
    let id = org.id().context("organizations:DescribeOrganization returned no organization id")?.to_owned();
    let management = org.master_account_id().context("organizations:DescribeOrganization returned no management account id")?.to_owned();

    let mut listed: BTreeMap<String, Listed> = BTreeMap::new();
    let pages = client.list_accounts().into_paginator().send();
    each_page(pages, |page| {
        for a in page.accounts() {
            let Some(account_id) = a.id() else { continue };
            let status = a.status().map_or_else(|| "UNKNOWN".to_owned(), |s| s.as_str().to_owned());
            listed.insert(account_id.to_owned(), Listed { name: a.name().map(str::to_owned), status, ou_path: Vec::new() });
        }
    })
    .await
    .map_err(|e| sdk_error(Action::OrganizationsListAccounts, e))
    .context("--organization: cannot list the organization's accounts")?;

    match walk_tree(&client, &mut listed).await {
        Ok(()) => {}
        Err((operation, message)) if options.ous.is_empty() => {
            ctx.push(organizations_error(ctx, operation, &message));
        }
        Err((operation, message)) => bail!("--ou: cannot read the organization's structure ({operation}: {message})"),
    }
    let delegated = delegated_administrators(ctx, &client).await;

    let include = globs("--accounts", &options.accounts)?;
    let exclude = globs("--exclude-accounts", &options.exclude_accounts)?;
    for ou in &options.ous {
        let known = listed.values().any(|l| l.ou_path.iter().any(|p| &p.id == ou));
        if !known {
            bail!("--ou {ou}: no account of organization {id} is under that organizational unit (or it does not exist)");
        }
    }

    let mut selected = Vec::new();
    let mut skipped = Vec::new();
    for (account_id, l) in &listed {
        let is_caller = *account_id == ctx.account_id;
        let skip =
            |reason: String| SkippedAccount { account_id: account_id.clone(), name: l.name.clone(), status: l.status.clone(), reason };
        if is_caller {
            // The calling account is always included: it holds the organization's
            // view (and, as management account, the organization trail).
            selected.push(account_id.clone());
        } else if l.status != AccountStatus::Active.as_str() {
            skipped.push(skip(l.status.to_lowercase().replace('_', " ")));
        } else if let Some(pattern) = exclude.as_ref().and_then(|g| first_match(g, &options.exclude_accounts, account_id)) {
            skipped.push(skip(format!("excluded by --exclude-accounts {pattern}")));
        } else if include.as_ref().is_some_and(|g| !g.is_match(account_id)) {
            skipped.push(skip("not matched by --accounts".to_owned()));
        } else if !options.ous.is_empty() && !l.ou_path.iter().any(|p| options.ous.contains(&p.id)) {
            skipped.push(skip(format!("not under --ou {}", options.ous.join(", "))));
        } else {
            selected.push(account_id.clone());
        }
    }
    if !listed.contains_key(&ctx.account_id) {
        bail!("--organization: the calling account {} is not in organization {id}'s account list", ctx.account_id);
    }

    let context = |account_id: &str| {
        let l = &listed[account_id];
        Organization {
            id: id.clone(),
            management_account_id: management.clone(),
            account_name: l.name.clone(),
            account_status: Some(l.status.clone()),
            ou_path: l.ou_path.clone(),
            delegated_administrators: delegated.clone(),
        }
    };
    let members = selected
        .iter()
        .filter(|a| options.shard.is_none_or(|s| s.holds(a)))
        .map(|a| Member { account_id: a.clone(), organization: context(a) })
        .collect();
    let scope = OrganizationScope {
        id: id.clone(),
        management_account_id: management.clone(),
        discovered_from: ctx.account_id.clone(),
        delegated_administrators: delegated.clone(),
        selected_accounts: selected,
        skipped_accounts: skipped,
        shards: options.shard.map(|s| Shards { count: s.count, indices: vec![s.index] }),
    };
    Ok(Discovery { scope, members })
}

/// An account's organization as the account itself sees it
/// (`organizations:DescribeOrganization`, which every member may call), for
/// collections of named accounts: it tells the rules which account is the
/// management account, so that a member is judged through its organization
/// trail. `None` when the account is in no organization; a failure is
/// recorded and also gives `None`.
pub(crate) async fn membership(ctx: &Ctx) -> Option<Organization> {
    use aws_sdk_organizations::operation::describe_organization::DescribeOrganizationError;
    let _permit = ctx.permit().await;
    match ctx.organizations().describe_organization().send().await {
        Ok(out) => {
            let org = out.organization()?;
            Some(Organization {
                id: org.id()?.to_owned(),
                management_account_id: org.master_account_id()?.to_owned(),
                account_name: None,
                account_status: None,
                ou_path: Vec::new(),
                delegated_administrators: Vec::new(),
            })
        }
        Err(e) if matches!(e.as_service_error(), Some(DescribeOrganizationError::AwsOrganizationsNotInUseException(_))) => None,
        Err(e) => {
            ctx.fail(Action::OrganizationsDescribeOrganization, None, None, &e);
            None
        }
    }
}

/// Fills each listed account's OU path (root first). Returns the failing
/// operation and its message on error.
async fn walk_tree(client: &aws_sdk_organizations::Client, listed: &mut BTreeMap<String, Listed>) -> Result<(), (Action, String)> {
    let mut roots = Vec::new();
    let pages = client.list_roots().into_paginator().send();
    each_page(pages, |page| {
        roots.extend(
            page.roots()
                .iter()
                .filter_map(|r| r.id().map(|id| OrganizationalUnit { id: id.to_owned(), name: r.name().map(str::to_owned) })),
        )
    })
    .await
    .map_err(|e| (Action::OrganizationsListRoots, display(&e)))?;
    // Depth-first over (parent, path to it); organizations are at most 5 OU levels deep.
    let mut stack: Vec<(String, Vec<OrganizationalUnit>)> = roots.into_iter().map(|r| (r.id.clone(), vec![r])).collect();
    while let Some((parent, path)) = stack.pop() {
        let pages = client.list_accounts_for_parent().parent_id(&parent).into_paginator().send();
        each_page(pages, |page| {
            for a in page.accounts() {
                if let Some(l) = a.id().and_then(|id| listed.get_mut(id)) {
                    l.ou_path = path.clone();
                }
            }
        })
        .await
        .map_err(|e| (Action::OrganizationsListAccountsForParent, display(&e)))?;
        let pages = client.list_organizational_units_for_parent().parent_id(&parent).into_paginator().send();
        each_page(pages, |page| {
            for ou in page.organizational_units() {
                let Some(ou_id) = ou.id() else { continue };
                let mut child = path.clone();
                child.push(OrganizationalUnit { id: ou_id.to_owned(), name: ou.name().map(str::to_owned) });
                stack.push((ou_id.to_owned(), child));
            }
        })
        .await
        .map_err(|e| (Action::OrganizationsListOrganizationalUnitsForParent, display(&e)))?;
    }
    Ok(())
}

/// Delegated administrators and the services each administers. Only the
/// management account and a delegated administrator for Organizations may
/// read them; a failure is recorded like any failed call.
async fn delegated_administrators(ctx: &Ctx, client: &aws_sdk_organizations::Client) -> Vec<DelegatedAdministrator> {
    let mut ids = BTreeSet::new();
    let pages = client.list_delegated_administrators().into_paginator().send();
    let listed = each_page(pages, |page| ids.extend(page.delegated_administrators().iter().filter_map(|d| d.id().map(str::to_owned))));
    if let Err(e) = listed.await {
        ctx.push(organizations_error(ctx, Action::OrganizationsListDelegatedAdministrators, &display(&e)));
        return Vec::new();
    }
    let mut out = Vec::new();
    for account_id in ids {
        let mut principals = Vec::new();
        let pages = client.list_delegated_services_for_account().account_id(&account_id).into_paginator().send();
        // On a failed page the services read so far stand (the failure is recorded).
        let read = each_page(pages, |page| {
            principals.extend(page.delegated_services().iter().filter_map(|s| s.service_principal().map(str::to_owned)))
        });
        if let Err(e) = read.await {
            ctx.push(organizations_error(ctx, Action::OrganizationsListDelegatedServicesForAccount, &display(&e)));
        }
        principals.sort();
        out.push(DelegatedAdministrator { account_id, service_principals: principals });
    }
    out
}

fn globs(flag: &str, patterns: &[String]) -> anyhow::Result<Option<GlobSet>> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut set = GlobSetBuilder::new();
    for p in patterns {
        set.add(Glob::new(p).with_context(|| format!("{flag}: `{p}` is not a valid account id or glob"))?);
    }
    Ok(Some(set.build().with_context(|| format!("{flag}: invalid patterns"))?))
}

fn first_match<'a>(set: &GlobSet, patterns: &'a [String], account_id: &str) -> Option<&'a str> {
    set.matches(account_id).first().map(|&i| patterns[i].as_str())
}

fn display<E: std::error::Error + 'static>(e: &E) -> String {
    super::errors::causes(e).chars().filter(|c| !c.is_control()).take(500).collect()
}

fn sdk_error<E: std::error::Error + Send + Sync + 'static>(action: Action, e: E) -> anyhow::Error {
    anyhow::anyhow!("{action} failed: {}", display(&e))
}

fn organizations_error(ctx: &Ctx, action: Action, message: &str) -> crate::snapshot::CollectionError {
    let error_code = message.split(':').next().unwrap_or("Failed").trim().to_owned();
    crate::snapshot::CollectionError {
        service: action.service().to_owned(),
        operation: action.operation().to_owned(),
        account_id: ctx.account_id.clone(),
        region: None,
        resource: None,
        error_code: if error_code.is_empty() || error_code.contains(' ') { "Failed".to_owned() } else { error_code },
        message: message.to_owned(),
        kind: crate::snapshot::ErrorKind::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_parses_k_of_n_and_rejects_nonsense() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 2, count: 3 }));
        for bad in ["0/3", "4/3", "1/0", "3", "a/b", "1/-2"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_account_falls_in_exactly_one_share() {
        let ids: Vec<String> = (0..100u64).map(|i| format!("{:012}", 100_000_000_000 + i * 7919)).collect();
        let mut per_share = [0usize; 3];
        for id in &ids {
            let holders: Vec<u32> = (1..=3).filter(|&k| Shard { index: k, count: 3 }.holds(id)).collect();
            assert_eq!(holders.len(), 1, "{id}");
            per_share[holders[0] as usize - 1] += 1;
        }
        // Close to even for consecutive-ish ids.
        assert!(per_share.iter().all(|&n| (25..=42).contains(&n)), "{per_share:?}");
        assert_eq!(shard_of("123456789012", 1), 1);
    }

    #[test]
    fn globs_match_ids_and_name_the_pattern() {
        let patterns = vec!["1111*".to_owned(), "222222222222".to_owned()];
        let set = globs("--accounts", &patterns).unwrap().unwrap();
        assert_eq!(first_match(&set, &patterns, "111100000000"), Some("1111*"));
        assert_eq!(first_match(&set, &patterns, "222222222222"), Some("222222222222"));
        assert_eq!(first_match(&set, &patterns, "333333333333"), None);
        assert!(globs("--accounts", &["[".to_owned()]).unwrap_err().to_string().contains("`[`"));
    }
}
