//! KMS keys used by trails and their log groups: DescribeKey, rotation status
//! (customer-managed symmetric keys only, where AWS supports it) and aliases.

use crate::snapshot::KmsKey;
use crate::snapshot::actions::Action;

use super::context::Ctx;

/// `key` is an ARN, alias ARN or bare key id; bare ids are asked in `default_region`.
pub(crate) async fn key(ctx: &Ctx, key: &str, default_region: &str) -> Option<KmsKey> {
    let region = super::context::arn_region(key).unwrap_or(default_region).to_owned();
    let client = ctx.kms(&region);
    let described = {
        let _permit = ctx.permit().await;
        client.describe_key().key_id(key).send().await
    };
    let meta = match described {
        Ok(out) => out.key_metadata()?.clone(),
        Err(err) => {
            ctx.fail(Action::KmsDescribeKey, Some(&region), Some(key), &err);
            ctx.tick(&region, "kms");
            return None;
        }
    };
    let arn = meta.arn().unwrap_or(key).to_owned();
    let key_manager = meta.key_manager().map(|m| m.as_str().to_owned()).unwrap_or_default();
    let key_spec = meta.key_spec().map(|s| s.as_str().to_owned());
    let rotatable = key_manager == "CUSTOMER" && key_spec.as_deref().is_none_or(|s| s == "SYMMETRIC_DEFAULT");
    let (rotation, aliases) = tokio::join!(
        async {
            if !rotatable {
                return None;
            }
            let _permit = ctx.permit().await;
            match client.get_key_rotation_status().key_id(meta.key_id()).send().await {
                Ok(out) => Some(out.key_rotation_enabled()),
                Err(err) => {
                    ctx.fail(Action::KmsGetKeyRotationStatus, Some(&region), Some(&arn), &err);
                    None
                }
            }
        },
        async {
            let _permit = ctx.permit().await;
            let mut aliases = Vec::new();
            let pages = client.list_aliases().key_id(meta.key_id()).into_paginator().send();
            // On a failed page the aliases read so far stand (the failure is recorded).
            ctx.pages(Action::KmsListAliases, Some(&region), Some(&arn), pages, |page| {
                aliases.extend(page.aliases().iter().filter_map(|a| a.alias_name().map(str::to_owned)))
            })
            .await;
            aliases.sort();
            aliases
        },
    );
    ctx.tick(&region, "kms");
    Some(KmsKey {
        key_id: meta.key_id().to_owned(),
        region,
        key_manager,
        key_state: meta.key_state().map(|s| s.as_str().to_owned()).unwrap_or_default(),
        key_spec,
        rotation_enabled: rotation,
        aliases,
        arn,
    })
}
