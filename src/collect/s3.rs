//! S3: the buckets trails deliver to (full posture) and, depending on
//! [`BucketScope`], every bucket of the account with its region and tags, so
//! that rules can tell which buckets are sensitive (by name or tag) and need
//! data events. Account-level Block Public Access comes from s3control.

use std::collections::BTreeMap;

use aws_sdk_s3::Client;

use super::context::Ctx;
use super::errors::code;
use crate::snapshot::actions::Action;
use crate::snapshot::{
    AclGrant, Bucket, BucketAcl, BucketLogging, BucketVersioning, EncryptionRule, LifecycleRule, ObjectLock, PublicAccessBlock,
};

/// Which buckets besides the trails' own buckets the snapshot lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BucketScope {
    /// Every bucket from ListBuckets, with region and tags only (two cheap calls
    /// per bucket); trail buckets additionally get their full posture.
    #[default]
    AllBuckets,
    /// Only the buckets trails deliver to (no ListBuckets call).
    TrailBucketsOnly,
}

/// ListBuckets (paginated): bucket names with the region AWS reports, if any.
pub(crate) async fn list_buckets(ctx: &Ctx) -> Option<Vec<(String, Option<String>)>> {
    let _permit = ctx.permit().await;
    let home = ctx.home_region();
    let client = ctx.s3(&home);
    let mut names = Vec::new();
    let pages = client.list_buckets().into_paginator().send();
    let complete = ctx
        .pages(Action::S3ListBuckets, None, None, pages, |page| {
            names.extend(page.buckets().iter().filter_map(|b| Some((b.name()?.to_owned(), b.bucket_region().map(str::to_owned)))))
        })
        .await;
    if !complete {
        return None;
    }
    ctx.tick(&home, "s3 buckets");
    Some(names)
}

/// One bucket: location and tags always; the rest when `full` (trail buckets).
pub(crate) async fn bucket(ctx: &Ctx, name: String, known_region: Option<String>, full: bool) -> Bucket {
    let arn = format!("arn:{}:s3:::{name}", ctx.partition);
    let home = ctx.home_region();
    let region = match known_region {
        Some(r) => Some(r),
        None => location(ctx, &ctx.s3(&home), &name, &arn).await,
    };
    let client = ctx.s3(region.as_deref().unwrap_or(&home));
    let mut bucket = Bucket {
        name: name.clone(),
        arn: arn.clone(),
        region,
        policy: None,
        policy_is_public: None,
        acl: None,
        public_access_block: None,
        logging: None,
        versioning: None,
        object_lock: None,
        encryption: None,
        tags: BTreeMap::new(),
        lifecycle_rules: None,
    };
    let c = &client;
    let (tags, posture) =
        tokio::join!(tags(ctx, c, &name, &arn), async { if full { Some(posture(ctx, c, &name, &arn).await) } else { None } });
    bucket.tags = tags;
    if let Some(p) = posture {
        bucket.policy = p.policy;
        bucket.policy_is_public = p.policy_is_public;
        bucket.acl = p.acl;
        bucket.public_access_block = p.public_access_block;
        bucket.logging = p.logging;
        bucket.versioning = p.versioning;
        bucket.object_lock = p.object_lock;
        bucket.encryption = p.encryption;
        bucket.lifecycle_rules = p.lifecycle_rules;
    }
    ctx.tick(bucket.region.as_deref().unwrap_or(&home), "s3 bucket");
    bucket
}

async fn location(ctx: &Ctx, client: &Client, name: &str, arn: &str) -> Option<String> {
    let _permit = ctx.permit().await;
    match client.get_bucket_location().bucket(name).send().await {
        // An empty constraint is us-east-1; `EU` is the legacy name of eu-west-1.
        Ok(out) => Some(match out.location_constraint().map(|c| c.as_str()) {
            None | Some("") => "us-east-1".to_owned(),
            Some("EU") => "eu-west-1".to_owned(),
            Some(other) => other.to_owned(),
        }),
        Err(err) => {
            ctx.fail(Action::S3GetBucketLocation, None, Some(arn), &err);
            None
        }
    }
}

async fn tags(ctx: &Ctx, client: &Client, name: &str, arn: &str) -> BTreeMap<String, String> {
    let _permit = ctx.permit().await;
    match client.get_bucket_tagging().bucket(name).send().await {
        Ok(out) => out.tag_set().iter().map(|t| (t.key().to_owned(), t.value().to_owned())).collect(),
        Err(err) if code(&err) == Some("NoSuchTagSet") => BTreeMap::new(),
        Err(err) => {
            ctx.fail(Action::S3GetBucketTagging, None, Some(arn), &err);
            BTreeMap::new()
        }
    }
}

#[derive(Default)]
struct Posture {
    policy: Option<serde_json::Value>,
    policy_is_public: Option<bool>,
    acl: Option<BucketAcl>,
    public_access_block: Option<PublicAccessBlock>,
    logging: Option<BucketLogging>,
    versioning: Option<BucketVersioning>,
    object_lock: Option<ObjectLock>,
    encryption: Option<Vec<EncryptionRule>>,
    lifecycle_rules: Option<Vec<LifecycleRule>>,
}

/// The nine posture getters, concurrently; "not configured" answers
/// (NoSuchBucketPolicy and friends) are values, not errors.
async fn posture(ctx: &Ctx, c: &Client, name: &str, arn: &str) -> Posture {
    let (policy, status, acl, pab, logging, versioning, lock, encryption, lifecycle) = tokio::join!(
        async {
            let _p = ctx.permit().await;
            c.get_bucket_policy().bucket(name).send().await
        },
        async {
            let _p = ctx.permit().await;
            c.get_bucket_policy_status().bucket(name).send().await
        },
        async {
            let _p = ctx.permit().await;
            c.get_bucket_acl().bucket(name).send().await
        },
        async {
            let _p = ctx.permit().await;
            c.get_public_access_block().bucket(name).send().await
        },
        async {
            let _p = ctx.permit().await;
            c.get_bucket_logging().bucket(name).send().await
        },
        async {
            let _p = ctx.permit().await;
            c.get_bucket_versioning().bucket(name).send().await
        },
        async {
            let _p = ctx.permit().await;
            c.get_object_lock_configuration().bucket(name).send().await
        },
        async {
            let _p = ctx.permit().await;
            c.get_bucket_encryption().bucket(name).send().await
        },
        async {
            let _p = ctx.permit().await;
            c.get_bucket_lifecycle_configuration().bucket(name).send().await
        },
    );
    let res = Some(arn);
    let mut p = Posture::default();
    match policy {
        Ok(out) => match out.policy().map(serde_json::from_str::<serde_json::Value>) {
            Some(Ok(doc)) => p.policy = Some(doc),
            Some(Err(e)) => ctx.push(super::errors::invalid_response("s3", "GetBucketPolicy", &ctx.account_id, res, &e)),
            None => {}
        },
        Err(err) if code(&err) == Some("NoSuchBucketPolicy") => {}
        Err(err) => ctx.fail(Action::S3GetBucketPolicy, None, res, &err),
    }
    match status {
        Ok(out) => p.policy_is_public = out.policy_status().and_then(|s| s.is_public()),
        // No policy at all: AWS answers NoSuchBucketPolicy here too, and such a bucket's policy is not public.
        Err(err) if code(&err) == Some("NoSuchBucketPolicy") => p.policy_is_public = Some(false),
        Err(err) => ctx.fail(Action::S3GetBucketPolicyStatus, None, res, &err),
    }
    match acl {
        Ok(out) => {
            p.acl = Some(BucketAcl {
                owner_id: out.owner().and_then(|o| o.id()).map(str::to_owned),
                grants: out
                    .grants()
                    .iter()
                    .filter_map(|g| {
                        let grantee = g.grantee()?;
                        Some(AclGrant {
                            grantee_type: grantee.r#type().as_str().to_owned(),
                            grantee_uri: grantee.uri().map(str::to_owned),
                            grantee_id: grantee.id().map(str::to_owned),
                            permission: g.permission()?.as_str().to_owned(),
                        })
                    })
                    .collect(),
            })
        }
        Err(err) => ctx.fail(Action::S3GetBucketAcl, None, res, &err),
    }
    match pab {
        Ok(out) => {
            p.public_access_block = out.public_access_block_configuration().map(|c| PublicAccessBlock {
                block_public_acls: c.block_public_acls().unwrap_or(false),
                ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
                block_public_policy: c.block_public_policy().unwrap_or(false),
                restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
            })
        }
        Err(err) if code(&err) == Some("NoSuchPublicAccessBlockConfiguration") => {}
        Err(err) => ctx.fail(Action::S3GetPublicAccessBlock, None, res, &err),
    }
    match logging {
        Ok(out) => {
            p.logging = out.logging_enabled().map(|l| BucketLogging {
                target_bucket: l.target_bucket().to_owned(),
                target_prefix: Some(l.target_prefix().to_owned()).filter(|s| !s.is_empty()),
            })
        }
        Err(err) => ctx.fail(Action::S3GetBucketLogging, None, res, &err),
    }
    match versioning {
        Ok(out) => {
            p.versioning = Some(BucketVersioning {
                status: out.status().map(|s| s.as_str().to_owned()),
                mfa_delete: out.mfa_delete().map(|s| s.as_str().to_owned()),
            })
        }
        Err(err) => ctx.fail(Action::S3GetBucketVersioning, None, res, &err),
    }
    match lock {
        Ok(out) => {
            p.object_lock = out.object_lock_configuration().map(|c| {
                let retention = c.rule().and_then(|r| r.default_retention());
                ObjectLock {
                    enabled: c.object_lock_enabled().is_some_and(|e| e.as_str() == "Enabled"),
                    default_retention_mode: retention.and_then(|r| r.mode()).map(|m| m.as_str().to_owned()),
                    default_retention_days: retention.and_then(|r| r.days()).and_then(|d| u32::try_from(d).ok()),
                    default_retention_years: retention.and_then(|r| r.years()).and_then(|y| u32::try_from(y).ok()),
                }
            })
        }
        Err(err) if code(&err) == Some("ObjectLockConfigurationNotFoundError") => {}
        Err(err) => ctx.fail(Action::S3GetObjectLockConfiguration, None, res, &err),
    }
    match encryption {
        Ok(out) => {
            p.encryption = out.server_side_encryption_configuration().map(|c| {
                c.rules()
                    .iter()
                    .filter_map(|r| {
                        let d = r.apply_server_side_encryption_by_default()?;
                        Some(EncryptionRule {
                            sse_algorithm: d.sse_algorithm().as_str().to_owned(),
                            kms_master_key_id: d.kms_master_key_id().map(str::to_owned),
                            bucket_key_enabled: r.bucket_key_enabled(),
                        })
                    })
                    .collect()
            })
        }
        Err(err) if code(&err) == Some("ServerSideEncryptionConfigurationNotFoundError") => {}
        Err(err) => ctx.fail(Action::S3GetBucketEncryption, None, res, &err),
    }
    match lifecycle {
        Ok(out) => p.lifecycle_rules = Some(out.rules().iter().map(lifecycle_rule).collect()),
        // No lifecycle configuration: nothing expires, which is a value, not a failure.
        Err(err) if code(&err) == Some("NoSuchLifecycleConfiguration") => p.lifecycle_rules = Some(Vec::new()),
        Err(err) => ctx.fail(Action::S3GetBucketLifecycleConfiguration, None, res, &err),
    }
    p
}

/// A lifecycle rule's scope (filter, `And` operator or the legacy prefix) and
/// the actions that delete objects.
fn lifecycle_rule(r: &aws_sdk_s3::types::LifecycleRule) -> LifecycleRule {
    let filter = r.filter();
    let and = filter.and_then(|f| f.and());
    let mut tags: BTreeMap<String, String> =
        and.map(|a| a.tags()).unwrap_or_default().iter().map(|t| (t.key().to_owned(), t.value().to_owned())).collect();
    if let Some(t) = filter.and_then(|f| f.tag()) {
        tags.insert(t.key().to_owned(), t.value().to_owned());
    }
    #[allow(deprecated)]
    let legacy_prefix = r.prefix();
    let prefix = filter.and_then(|f| f.prefix()).or_else(|| and.and_then(|a| a.prefix())).or(legacy_prefix).unwrap_or_default();
    let expiration = r.expiration();
    LifecycleRule {
        id: r.id().map(str::to_owned),
        status: r.status().as_str().to_owned(),
        prefix: prefix.to_owned(),
        tags,
        object_size_greater_than: filter
            .and_then(|f| f.object_size_greater_than())
            .or_else(|| and.and_then(|a| a.object_size_greater_than())),
        object_size_less_than: filter.and_then(|f| f.object_size_less_than()).or_else(|| and.and_then(|a| a.object_size_less_than())),
        expiration_days: expiration.and_then(|e| e.days()),
        expiration_date: super::cloudtrail::time(expiration.and_then(|e| e.date())),
        noncurrent_version_expiration_days: r.noncurrent_version_expiration().and_then(|n| n.noncurrent_days()),
    }
}

/// Account-level Block Public Access (s3control GetPublicAccessBlock);
/// NoSuchPublicAccessBlockConfiguration means "not configured".
pub(crate) async fn account_public_access_block(ctx: &Ctx) -> Option<PublicAccessBlock> {
    let _permit = ctx.permit().await;
    let home = ctx.home_region();
    let result = ctx.s3control(&home).get_public_access_block().account_id(&ctx.account_id).send().await;
    ctx.tick(&home, "s3control");
    match result {
        Ok(out) => out.public_access_block_configuration().map(|c| PublicAccessBlock {
            block_public_acls: c.block_public_acls().unwrap_or(false),
            ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
            block_public_policy: c.block_public_policy().unwrap_or(false),
            restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
        }),
        Err(err) if code(&err) == Some("NoSuchPublicAccessBlockConfiguration") => None,
        Err(err) => {
            ctx.fail(Action::S3ControlGetPublicAccessBlock, None, None, &err);
            None
        }
    }
}
