//! DynamoDB tables and Lambda functions, for the data-event rules on sensitive
//! tables and functions (CT-018, CT-019): listed per region only when the
//! configuration names some, with their tags only when it selects by tag (one
//! call per resource).

use crate::snapshot::actions::Action;
use std::collections::BTreeMap;

use super::context::Ctx;
use crate::snapshot::DataEventResource;

/// What to list of one kind of resource.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Listing {
    /// Not at all (the configuration names none).
    #[default]
    Off,
    /// Names and ARNs (the configuration selects by name or ARN only).
    Names,
    /// Names, ARNs and tags.
    WithTags,
}

/// ListTables (paginated) in one region, then ListTagsOfResource per table
/// when asked; `None` when the listing failed (recorded).
pub(crate) async fn dynamodb_tables(ctx: &Ctx, region: &str, listing: Listing) -> Option<Vec<DataEventResource>> {
    let client = ctx.dynamodb(region);
    let mut names = Vec::new();
    {
        let _permit = ctx.permit().await;
        let mut pages = client.list_tables().into_paginator().send();
        while let Some(page) = pages.next().await {
            match page {
                Ok(page) => names.extend(page.table_names().iter().cloned()),
                Err(err) => {
                    ctx.tick(region, "dynamodb");
                    ctx.fail(Action::DynamoDbListTables, Some(region), None, &err);
                    return None;
                }
            }
        }
    }
    ctx.tick(region, "dynamodb");
    let tables = names.into_iter().map(|name| {
        let arn = format!("arn:{}:dynamodb:{region}:{}:table/{name}", ctx.partition, ctx.account_id);
        let client = &client;
        async move {
            let tags = if listing == Listing::WithTags { table_tags(ctx, client, region, &arn).await } else { None };
            DataEventResource { name, arn, region: region.to_owned(), tags }
        }
    });
    Some(super::join::join_all(tables).await)
}

async fn table_tags(ctx: &Ctx, client: &aws_sdk_dynamodb::Client, region: &str, arn: &str) -> Option<BTreeMap<String, String>> {
    let _permit = ctx.permit().await;
    let mut tags = BTreeMap::new();
    let mut token: Option<String> = None;
    loop {
        match client.list_tags_of_resource().resource_arn(arn).set_next_token(token.take()).send().await {
            Ok(out) => {
                tags.extend(out.tags().iter().map(|t| (t.key().to_owned(), t.value().to_owned())));
                match out.next_token() {
                    Some(next) if !next.is_empty() => token = Some(next.to_owned()),
                    _ => return Some(tags),
                }
            }
            Err(err) => {
                ctx.fail(Action::DynamoDbListTagsOfResource, Some(region), Some(arn), &err);
                return None;
            }
        }
    }
}

/// ListFunctions (paginated) in one region, then ListTags per function when
/// asked; `None` when the listing failed (recorded).
pub(crate) async fn lambda_functions(ctx: &Ctx, region: &str, listing: Listing) -> Option<Vec<DataEventResource>> {
    let client = ctx.lambda(region);
    let mut listed = Vec::new();
    {
        let _permit = ctx.permit().await;
        let mut pages = client.list_functions().into_paginator().send();
        while let Some(page) = pages.next().await {
            match page {
                Ok(page) => listed
                    .extend(page.functions().iter().filter_map(|f| Some((f.function_name()?.to_owned(), f.function_arn()?.to_owned())))),
                Err(err) => {
                    ctx.tick(region, "lambda");
                    ctx.fail(Action::LambdaListFunctions, Some(region), None, &err);
                    return None;
                }
            }
        }
    }
    ctx.tick(region, "lambda");
    let functions = listed.into_iter().map(|(name, arn)| {
        let client = &client;
        async move {
            let tags = if listing == Listing::WithTags { function_tags(ctx, client, region, &arn).await } else { None };
            DataEventResource { name, arn, region: region.to_owned(), tags }
        }
    });
    Some(super::join::join_all(functions).await)
}

async fn function_tags(ctx: &Ctx, client: &aws_sdk_lambda::Client, region: &str, arn: &str) -> Option<BTreeMap<String, String>> {
    let _permit = ctx.permit().await;
    match client.list_tags().resource(arn).send().await {
        Ok(out) => Some(out.tags().map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default()),
        Err(err) => {
            ctx.fail(Action::LambdaListTags, Some(region), Some(arn), &err);
            None
        }
    }
}

/// Every region's resources, keyed by ARN; `None` when not listed at all.
/// A region whose listing failed contributes nothing (its failure is recorded,
/// and turns the region's results into errors).
pub(crate) fn by_arn(listing: Listing, per_region: Vec<Option<Vec<DataEventResource>>>) -> Option<BTreeMap<String, DataEventResource>> {
    (listing != Listing::Off).then(|| per_region.into_iter().flatten().flatten().map(|r| (r.arn.clone(), r)).collect())
}
