//! How the parts' metadata, organization scopes and errors become one: what
//! must agree, what is unioned, and what is only warned about. The rules are
//! listed in the module documentation of [`super`].

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::MergeError;
use crate::snapshot::model::{CollectionError, Metadata, Organization, OrganizationScope, Shards};

/// Accumulates the parts in the order they are given; the first part that
/// has a value is the reference the later ones are compared with.
pub(super) struct Reconciler {
    max_skew_minutes: u32,
    reference: Option<(PathBuf, Metadata)>,
    earliest: Option<(PathBuf, DateTime<Utc>)>,
    latest: Option<(PathBuf, DateTime<Utc>)>,
    regions: BTreeSet<String>,
    /// The first organization named anywhere: where (for messages), id, management account.
    identity: Option<(String, String, String)>,
    scope: Option<ScopeUnion>,
    /// Parts without an organization scope, with every account they name.
    unscoped: Vec<(PathBuf, BTreeSet<String>)>,
    errors: Vec<CollectionError>,
    warnings: Vec<String>,
}

/// The organization scopes seen so far, joined.
struct ScopeUnion {
    path: PathBuf,
    scope: OrganizationScope,
    /// Some part held every share (no `shards`): so does the merge.
    complete: bool,
    /// The first part's `shards.count`, and every index seen.
    shard_count: Option<(PathBuf, u32)>,
    indices: BTreeSet<u32>,
}

/// What one part contributes besides its accounts' contents.
pub(super) struct Part<'a> {
    pub path: &'a Path,
    pub metadata: Metadata,
    pub organization: Option<OrganizationScope>,
    /// Each account's id and organization context.
    pub accounts: Vec<(&'a str, Option<&'a Organization>)>,
    pub errors: Vec<CollectionError>,
}

/// The reconciled snapshot head.
pub(super) struct Reconciled {
    pub metadata: Metadata,
    pub organization: Option<OrganizationScope>,
    pub errors: Vec<CollectionError>,
    pub warnings: Vec<String>,
}

impl Reconciler {
    pub fn new(max_skew_minutes: u32) -> Reconciler {
        Reconciler {
            max_skew_minutes,
            reference: None,
            earliest: None,
            latest: None,
            regions: BTreeSet::new(),
            identity: None,
            scope: None,
            unscoped: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
        }
    }

    pub fn add(&mut self, part: Part<'_>) -> Result<(), MergeError> {
        let Part { path, metadata, organization, accounts, errors } = part;
        for (account_id, org) in &accounts {
            if let Some(org) = org {
                self.same_organization(format!("{} (account {account_id})", path.display()), &org.id, &org.management_account_id)?;
            }
        }
        match organization {
            Some(scope) => {
                self.same_organization(format!("{} (organization)", path.display()), &scope.id, &scope.management_account_id)?;
                self.add_scope(path, scope)?;
            }
            None => {
                let named = accounts.iter().map(|(id, _)| *id).chain(errors.iter().map(|e| e.account_id.as_str()));
                self.unscoped.push((path.to_owned(), named.filter(|id| !id.is_empty()).map(str::to_owned).collect()));
            }
        }
        self.add_metadata(path, metadata)?;
        self.errors.extend(errors);
        Ok(())
    }

    /// Every mention of an organization, in any part, names the same one.
    fn same_organization(&mut self, origin: String, id: &str, management: &str) -> Result<(), MergeError> {
        match &self.identity {
            None => self.identity = Some((origin, id.to_owned(), management.to_owned())),
            Some((first, first_id, first_management)) if first_id != id || first_management != management => {
                return Err(MergeError::Conflict {
                    what: "organizations".into(),
                    first: first.clone(),
                    first_value: format!("{first_id} (management account {first_management})"),
                    other: origin,
                    other_value: format!("{id} (management account {management})"),
                });
            }
            Some(_) => {}
        }
        Ok(())
    }

    fn add_scope(&mut self, path: &Path, scope: OrganizationScope) -> Result<(), MergeError> {
        let Some(union) = &mut self.scope else {
            let mut union = ScopeUnion {
                path: path.to_owned(),
                complete: scope.shards.is_none(),
                shard_count: scope.shards.as_ref().map(|s| (path.to_owned(), s.count)),
                indices: scope.shards.iter().flat_map(|s| s.indices.iter().copied()).collect(),
                scope,
            };
            union.scope.skipped_accounts.sort();
            union.scope.skipped_accounts.dedup();
            self.scope = Some(union);
            return Ok(());
        };
        // Destructured whole, so that a field added to the scope cannot be forgotten here.
        let OrganizationScope {
            id: _,
            management_account_id: _,
            discovered_from,
            delegated_administrators,
            selected_accounts,
            skipped_accounts,
            shards,
        } = scope;
        let first = &union.path;
        let first_scope = &union.scope;
        if discovered_from != first_scope.discovered_from {
            return Err(conflict("organization.discovered_from", first, &first_scope.discovered_from, path, &discovered_from));
        }
        if delegated_administrators != first_scope.delegated_administrators {
            let ids = |d: &[crate::snapshot::DelegatedAdministrator]| {
                d.iter().map(|a| format!("{} {:?}", a.account_id, a.service_principals)).collect::<Vec<_>>().join(", ")
            };
            return Err(conflict(
                "organization.delegated_administrators",
                first,
                &ids(&first_scope.delegated_administrators),
                path,
                &ids(&delegated_administrators),
            ));
        }
        if selected_accounts != first_scope.selected_accounts {
            let (ours, theirs) = set_difference(&first_scope.selected_accounts, &selected_accounts);
            return Err(MergeError::Conflict {
                what: "account selections (organization.selected_accounts; the shards come from different discoveries)".into(),
                first: first.display().to_string(),
                first_value: format!("{} accounts{ours}", first_scope.selected_accounts.len()),
                other: path.display().to_string(),
                other_value: format!("{} accounts{theirs}", selected_accounts.len()),
            });
        }
        union.scope.skipped_accounts.extend(skipped_accounts);
        union.scope.skipped_accounts.sort();
        union.scope.skipped_accounts.dedup();
        match shards {
            None => union.complete = true,
            Some(Shards { count, indices }) => {
                match &union.shard_count {
                    None => union.shard_count = Some((path.to_owned(), count)),
                    Some((first, first_count)) if *first_count != count => {
                        return Err(conflict("shard counts (organization.shards.count)", first, first_count, path, &count));
                    }
                    Some(_) => {}
                }
                union.indices.extend(indices);
            }
        }
        Ok(())
    }

    fn add_metadata(&mut self, path: &Path, metadata: Metadata) -> Result<(), MergeError> {
        // Destructured whole, so that a field added to the metadata cannot be forgotten here.
        let Metadata { tool, collected_at, partition, regions, settings } = metadata;
        let regions_set: BTreeSet<String> = regions.iter().cloned().collect();
        if let Some((first, reference)) = &self.reference {
            if partition != reference.partition {
                return Err(conflict("partitions (metadata.partition)", first, &reference.partition, path, &partition));
            }
            if settings != reference.settings {
                let show = |s: &crate::snapshot::CollectionSettings| serde_json::to_string(s).expect("settings serialize");
                return Err(MergeError::Conflict {
                    what: "collection settings (metadata.settings: what the event history can prove)".into(),
                    first: first.display().to_string(),
                    first_value: show(&reference.settings),
                    other: path.display().to_string(),
                    other_value: show(&settings),
                });
            }
            if tool != reference.tool {
                self.warnings.push(format!(
                    "{} was collected by {} {} and {} by {} {}; the merged snapshot records {} {} (the first file's)",
                    first.display(),
                    reference.tool.name,
                    reference.tool.version,
                    path.display(),
                    tool.name,
                    tool.version,
                    reference.tool.name,
                    reference.tool.version
                ));
            }
            let reference_regions: BTreeSet<String> = reference.regions.iter().cloned().collect();
            if regions_set != reference_regions {
                self.warnings.push(format!(
                    "{} covers regions [{}] and {} covers [{}]; the merged snapshot covers their union, so some accounts \
                     are judged in regions they were not collected in: collect every shard with the same --regions",
                    first.display(),
                    reference.regions.join(", "),
                    path.display(),
                    regions.join(", ")
                ));
            }
        } else {
            self.reference = Some((path.to_owned(), Metadata { tool, collected_at, partition, regions, settings }));
        }
        self.regions.extend(regions_set);
        if self.earliest.as_ref().is_none_or(|(_, t)| collected_at < *t) {
            self.earliest = Some((path.to_owned(), collected_at));
        }
        if self.latest.as_ref().is_none_or(|(_, t)| collected_at > *t) {
            self.latest = Some((path.to_owned(), collected_at));
        }
        Ok(())
    }

    pub fn finish(self) -> Result<Reconciled, MergeError> {
        let Reconciler { max_skew_minutes, reference, earliest, latest, regions, identity: _, scope, unscoped, mut errors, mut warnings } =
            self;
        let (_, reference) = reference.ok_or(MergeError::NoInput)?;
        let (earliest_path, earliest_at) = earliest.expect("set with the reference");
        let (latest_path, latest_at) = latest.expect("set with the reference");
        let minutes = (latest_at - earliest_at).num_minutes();
        if minutes > i64::from(max_skew_minutes) {
            return Err(MergeError::Skew {
                earliest: earliest_path,
                earliest_at,
                latest: latest_path,
                latest_at,
                minutes,
                max_skew_minutes,
            });
        }
        let organization = match scope {
            None => None,
            Some(union) => Some(finish_scope(union, &unscoped, &mut warnings)?),
        };
        errors.sort();
        errors.dedup();
        let metadata = Metadata { collected_at: earliest_at, regions: regions.into_iter().collect(), ..reference };
        Ok(Reconciled { metadata, organization, errors, warnings })
    }
}

/// The joined scope: unscoped parts must hold selected accounts only, and the
/// shares present decide whether `shards` stays.
fn finish_scope(
    union: ScopeUnion,
    unscoped: &[(PathBuf, BTreeSet<String>)],
    warnings: &mut Vec<String>,
) -> Result<OrganizationScope, MergeError> {
    let ScopeUnion { path, mut scope, complete, shard_count, indices } = union;
    let selected: BTreeSet<&str> = scope.selected_accounts.iter().map(String::as_str).collect();
    for (file, accounts) in unscoped {
        if let Some(outside) = accounts.iter().find(|id| !selected.contains(id.as_str())) {
            return Err(MergeError::NotSelected {
                file: file.clone(),
                account_id: outside.clone(),
                scope_file: path,
                organization_id: scope.id,
            });
        }
    }
    scope.shards = match shard_count {
        Some((_, count)) if !complete && !(1..=count).all(|i| indices.contains(&i)) => {
            let missing: Vec<String> = (1..=count).filter(|i| !indices.contains(i)).map(|i| i.to_string()).collect();
            warnings.push(format!(
                "the merged snapshot holds shard(s) {} of {count}; shard(s) {} are missing, and their accounts are judged as \
                 not collected (every result `error`) until they are merged in",
                indices.iter().map(u32::to_string).collect::<Vec<_>>().join(", "),
                missing.join(", ")
            ));
            Some(Shards { count, indices: indices.into_iter().collect() })
        }
        _ => None,
    };
    Ok(scope)
}

fn conflict(
    what: &str,
    first: &Path,
    first_value: &impl std::fmt::Display,
    other: &Path,
    other_value: &impl std::fmt::Display,
) -> MergeError {
    MergeError::Conflict {
        what: what.to_owned(),
        first: first.display().to_string(),
        first_value: first_value.to_string(),
        other: other.display().to_string(),
        other_value: other_value.to_string(),
    }
}

/// `" (only here: a, b, ...)"` for each side of two differing lists of ids.
fn set_difference(a: &[String], b: &[String]) -> (String, String) {
    let (a, b): (BTreeSet<&String>, BTreeSet<&String>) = (a.iter().collect(), b.iter().collect());
    let only = |x: &BTreeSet<&String>, y: &BTreeSet<&String>| {
        let ids: Vec<&str> = x.difference(y).map(|s| s.as_str()).collect();
        match ids.len() {
            0 => String::new(),
            n if n <= 5 => format!(" (only there: {})", ids.join(", ")),
            n => format!(" (only there: {}, and {} more)", ids[..5].join(", "), n - 5),
        }
    };
    (only(&a, &b), only(&b, &a))
}
