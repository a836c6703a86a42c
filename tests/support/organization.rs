//! An AWS Organization seeded in moto, as `--organization` discovers it: moto's
//! default account 123456789012 is the management account; it creates OUs and
//! member accounts (moto hands out random 12-digit ids), moves some into OUs,
//! registers a delegated administrator (see [`DELEGATED_SERVICE`]), closes one account, and
//! owns a multi-region organization trail that delivers to a bucket in the
//! log-archive account.
//!
//! moto behaviours relied on (shared/reference/moto.md, moto/organizations and
//! moto/sts models of 5.2.5):
//! - `CreateAccount` creates the account's role named by `RoleName` and maps the
//!   account to the organization, so `DescribeOrganization` answers in members.
//! - `sts:AssumeRole` into `arn:aws:iam::<id>:role/<name>` returns keys of that
//!   account whether or not the role exists (tests/support/deny_proxy.rs
//!   stands in for a refusal).
//! - S3 bucket names are global: the management account's `CreateTrail` finds
//!   the log-archive account's bucket (cross-account access is on by default).
//! - A member's `DescribeTrails` shows **no** shadow copy of the organization
//!   trail (AWS shows one in every member).

use std::collections::BTreeMap;

use aws_sdk_organizations::types::{AccountStatus, CreateAccountState};

use super::seed::{ACCOUNT, Seeder};

/// The member role `--member-role` names; moto creates it in every account it creates.
pub const MEMBER_ROLE: &str = "TrailAuditMember";
/// The management account: moto's default account.
pub const MANAGEMENT: &str = ACCOUNT;
/// Home region of the organization trail.
pub const HOME: &str = "us-east-1";
/// The organization trail's name.
pub const TRAIL: &str = "org";
/// The log-archive bucket the organization trail writes to.
pub const BUCKET: &str = "org-trail-logs";
/// The bucket of the log-archive bucket's access logs.
pub const ACCESS_LOGS: &str = "org-access-logs";

/// The service the security account is delegated administrator for. AWS would
/// have `cloudtrail.amazonaws.com`; moto 5.2.5's RegisterDelegatedAdministrator
/// accepts only six services (config-multiaccountsetup, guardduty,
/// access-analyzer, macie, servicecatalog, ssm) and refuses CloudTrail with
/// InvalidInputException, so the test registers GuardDuty.
pub const DELEGATED_SERVICE: &str = "guardduty.amazonaws.com";

/// One account of the seeded organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgAccount {
    pub id: String,
    pub name: String,
    /// OU ids from the root down to the account's parent (`ou-...` only; empty = under the root).
    pub ou_path: Vec<String>,
}

/// What [`seed`] created, for assertions.
#[derive(Debug, Clone)]
pub struct SeededOrganization {
    pub id: String,
    pub root_id: String,
    /// OU name → id: `Security` and `Workloads` under the root, `Prod` under `Workloads`.
    pub ous: BTreeMap<String, String>,
    /// Every ACTIVE account, the management account included, keyed by id.
    pub accounts: BTreeMap<String, OrgAccount>,
    pub log_archive: String,
    /// Registered as delegated administrator for [`DELEGATED_SERVICE`].
    pub delegated_admin: String,
    /// Closed (moto: SUSPENDED at once): discovery must skip it.
    pub suspended: String,
    pub trail_arn: String,
}

impl SeededOrganization {
    /// Active account ids, sorted.
    pub fn active_ids(&self) -> Vec<String> {
        self.accounts.keys().cloned().collect()
    }

    /// Active member accounts (not management, not log-archive, not the delegated administrator).
    pub fn plain_members(&self) -> Vec<String> {
        self.accounts
            .keys()
            .filter(|id| ![MANAGEMENT, self.log_archive.as_str(), self.delegated_admin.as_str()].contains(&id.as_str()))
            .cloned()
            .collect()
    }
}

/// `arn:aws:iam::<account>:role/TrailAuditMember`.
pub fn member_role_arn(account: &str) -> String {
    format!("arn:aws:iam::{account}:role/{MEMBER_ROLE}")
}

/// Seeds the organization with `members` plain member accounts besides the
/// management, log-archive, security (delegated administrator) and one closed
/// account, and the compliant organization trail (see [`organization_trail`]).
pub async fn seed(management: &Seeder, members: usize) -> SeededOrganization {
    assert_eq!(management.account().await, MANAGEMENT, "the seeder must act in moto's default account");
    let orgs = management.organizations();
    let org = orgs
        .create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .expect("create organization");
    let org_id = org.organization().and_then(|o| o.id()).expect("organization id").to_owned();
    let roots = orgs.list_roots().send().await.expect("list roots");
    let root_id = roots.roots()[0].id().expect("root id").to_owned();

    let mut ous: BTreeMap<String, String> = BTreeMap::new();
    for (name, parent) in [("Security", None), ("Workloads", None), ("Prod", Some("Workloads"))] {
        let parent_id = parent.map_or(root_id.clone(), |p: &str| ous[p].clone());
        let ou = orgs.create_organizational_unit().parent_id(&parent_id).name(name).send().await.expect("create OU");
        ous.insert(name.to_owned(), ou.organizational_unit().and_then(|o| o.id()).expect("OU id").to_owned());
    }

    let mut accounts = BTreeMap::new();
    accounts.insert(MANAGEMENT.to_owned(), OrgAccount { id: MANAGEMENT.to_owned(), name: "master".to_owned(), ou_path: vec![] });
    let security_path = vec![ous["Security"].clone()];
    let log_archive = create_account(management, &root_id, "log-archive", &security_path).await;
    let delegated_admin = create_account(management, &root_id, "security", &security_path).await;
    for account in [&log_archive, &delegated_admin] {
        accounts.insert(account.id.clone(), account.clone());
    }
    for i in 0..members {
        // A third under Workloads/Prod, a third under Workloads, a third under the root.
        let path = match i % 3 {
            0 => vec![ous["Workloads"].clone(), ous["Prod"].clone()],
            1 => vec![ous["Workloads"].clone()],
            _ => vec![],
        };
        let account = create_account(management, &root_id, &format!("member-{i:02}"), &path).await;
        accounts.insert(account.id.clone(), account);
    }
    let suspended = create_account(management, &root_id, "retired", &[]).await.id;
    orgs.close_account().account_id(&suspended).send().await.expect("close account");
    orgs.enable_aws_service_access().service_principal("cloudtrail.amazonaws.com").send().await.expect("trusted access for CloudTrail");
    orgs.register_delegated_administrator()
        .account_id(&delegated_admin.id)
        .service_principal(DELEGATED_SERVICE)
        .send()
        .await
        .expect("register delegated administrator");

    let archive = management.assume(&member_role_arn(&log_archive.id)).await;
    let trail_arn = organization_trail(management, &archive, &org_id).await;
    SeededOrganization {
        id: org_id,
        root_id,
        ous,
        accounts,
        log_archive: log_archive.id,
        delegated_admin: delegated_admin.id,
        suspended,
        trail_arn,
    }
}

/// Creates an account whose role is [`MEMBER_ROLE`] and moves it under the
/// last OU of `ou_path` (the path is only recorded; its OUs must exist).
async fn create_account(management: &Seeder, root_id: &str, name: &str, ou_path: &[String]) -> OrgAccount {
    let orgs = management.organizations();
    let created = orgs
        .create_account()
        .account_name(name)
        .email(format!("{name}@example.com"))
        .role_name(MEMBER_ROLE)
        .send()
        .await
        .expect("create account");
    let status = created.create_account_status().expect("create account status");
    assert_eq!(status.state(), Some(&CreateAccountState::Succeeded), "moto creates accounts at once");
    let id = status.account_id().expect("new account id").to_owned();
    if let Some(parent) = ou_path.last() {
        orgs.move_account().account_id(&id).source_parent_id(root_id).destination_parent_id(parent).send().await.expect("move account");
    }
    OrgAccount { id, name: name.to_owned(), ou_path: ou_path.to_vec() }
}

/// The organization trail: in the log-archive account the private trail bucket
/// [`BUCKET`] (cloudtrail.amazonaws.com may write under `AWSLogs/<management>/`
/// and `AWSLogs/<organization id>/`, Block Public Access on, versioned,
/// access-logged); in the management account a KMS key, the log group with a
/// metric filter, alarm, SNS topic and subscriber, and the multi-region
/// organization trail [`TRAIL`] homed in [`HOME`], logging, validating log files.
pub async fn organization_trail(management: &Seeder, archive: &Seeder, org_id: &str) -> String {
    archive
        .trail_bucket(
            BUCKET,
            ACCESS_LOGS,
            &[format!("arn:aws:s3:::{BUCKET}/AWSLogs/{MANAGEMENT}/*"), format!("arn:aws:s3:::{BUCKET}/AWSLogs/{org_id}/*")],
        )
        .await;
    let key_arn = management.trail_key(HOME, TRAIL).await;
    let group_arn = management.monitoring(HOME, TRAIL).await;
    management.logging_trail(HOME, TRAIL, BUCKET, &key_arn, &group_arn, true).await
}

/// Stops the organization trail's logging (in the management account).
pub async fn stop_logging(management: &Seeder, trail_arn: &str) {
    management.cloudtrail(HOME).stop_logging().name(trail_arn).send().await.expect("stop logging");
}

/// Makes the log-archive bucket public: Block Public Access removed, and a
/// policy statement letting anyone (`"Principal": "*"`) read its objects.
pub async fn make_bucket_public(archive: &Seeder) {
    let s3 = archive.s3();
    s3.delete_public_access_block().bucket(BUCKET).send().await.expect("delete PAB");
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"AWSCloudTrailWrite","Effect":"Allow","Principal":{{"Service":"cloudtrail.amazonaws.com"}},"Action":"s3:PutObject","Resource":"arn:aws:s3:::{BUCKET}/AWSLogs/*"}},{{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{BUCKET}/*"}}]}}"#
    );
    s3.put_bucket_policy().bucket(BUCKET).policy(policy).send().await.expect("public policy");
}

/// Sanity check of the seeding through Organizations itself: the accounts
/// ListAccounts reports ACTIVE are exactly [`SeededOrganization::accounts`].
pub async fn assert_listed(management: &Seeder, org: &SeededOrganization) {
    let pages = management.organizations().list_accounts().into_paginator().send().collect::<Vec<_>>().await;
    let mut active: Vec<String> = pages
        .into_iter()
        .flat_map(|page| page.expect("list accounts").accounts.unwrap_or_default())
        .filter(|a| a.status() == Some(&AccountStatus::Active))
        .map(|a| a.id().expect("account id").to_owned())
        .collect();
    active.sort();
    assert_eq!(active, org.active_ids(), "moto's ListAccounts");
}
