//! One account's collection context: its SDK configuration (credentials
//! included, never printed), per-region clients, the shared concurrency limit,
//! the error list and the progress bar.

use std::sync::{Arc, Mutex};

use aws_config::SdkConfig;
use aws_sdk_sts::error::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use tokio::sync::{Semaphore, SemaphorePermit};

use super::errors::{CallSite, to_collection_error};
use super::pacing::{Pacer, ThrottleSignal};
use super::s3control_host::StripAccountHostPrefix;
use super::stats::Recorder;
use crate::snapshot::CollectionError;
use crate::snapshot::actions::Action;

/// Shared by every account of one collection.
pub(crate) struct Shared {
    pub recorder: Recorder,
    pub limit: Semaphore,
    /// Slots one account may hold at once (see [`Ctx::permit`]).
    pub per_account: usize,
    pub progress: super::progress::Progress,
    /// True when `--endpoint-url` / `AWS_ENDPOINT_URL` sends everything to one endpoint.
    pub endpoint_override: bool,
}

pub(crate) struct Ctx {
    pub sdk: SdkConfig,
    pub account_id: String,
    pub partition: String,
    pub shared: Arc<Shared>,
    /// This account's own bound, below the shared one, so that one account
    /// with many regions and buckets cannot hold every slot while the others wait.
    own_limit: Semaphore,
    /// Spaces this account's calls out after throttling (see [`super::pacing`]).
    pacer: Arc<Pacer>,
    errors: Mutex<Vec<CollectionError>>,
}

macro_rules! client_fn {
    ($name:ident, $krate:ident, $service:literal) => {
        pub(crate) fn $name(&self, region: &str) -> $krate::Client {
            let conf = $krate::config::Builder::from(&self.sdk)
                .region($krate::config::Region::new(region.to_owned()))
                .interceptor(self.shared.recorder.counter($service, self.scope(Some(region))))
                .interceptor(self.throttle_signal($service))
                .retry_classifier(super::errors::UnreadableAnswer)
                .interceptor(super::errors::CompleteXml)
                .retry_partition($krate::config::retry::RetryPartition::new(self.partition_name($service, Some(region))))
                .build();
            $krate::Client::from_conf(conf)
        }
    };
}

impl Ctx {
    pub(crate) fn new(sdk: SdkConfig, account_id: String, partition: String, shared: Arc<Shared>) -> Ctx {
        let own = shared.per_account;
        Ctx { sdk, account_id, partition, shared, own_limit: Semaphore::new(own), pacer: Arc::default(), errors: Mutex::new(Vec::new()) }
    }

    fn scope(&self, region: Option<&str>) -> String {
        format!("{}/{}", self.account_id, region.unwrap_or("-"))
    }

    fn throttle_signal(&self, service: &'static str) -> ThrottleSignal {
        ThrottleSignal { pacer: self.pacer.clone(), service, recorder: self.shared.recorder.clone() }
    }

    /// The SDK keeps one retry quota (token bucket) per retry partition, by
    /// default one per service for the whole process: one account's
    /// throttling would spend every other account's retries. AWS throttles
    /// per account and region, and so does the quota here.
    fn partition_name(&self, service: &str, region: Option<&str>) -> String {
        format!("trailaudit/{service}/{}/{}", self.account_id, region.unwrap_or("-"))
    }

    client_fn!(cloudtrail, aws_sdk_cloudtrail, "cloudtrail");
    client_fn!(logs, aws_sdk_cloudwatchlogs, "logs");
    client_fn!(cloudwatch, aws_sdk_cloudwatch, "cloudwatch");
    client_fn!(sns, aws_sdk_sns, "sns");
    client_fn!(kms, aws_sdk_kms, "kms");
    client_fn!(config, aws_sdk_config, "config");
    client_fn!(dynamodb, aws_sdk_dynamodb, "dynamodb");
    client_fn!(lambda, aws_sdk_lambda, "lambda");
    client_fn!(organizations_in, aws_sdk_organizations, "organizations");

    /// Organizations is a global service, answered in the partition's home region.
    pub(crate) fn organizations(&self) -> aws_sdk_organizations::Client {
        self.organizations_in(&self.home_region())
    }

    /// S3 client for a bucket's region; path-style when an endpoint override is set
    /// (virtual-host names like `bucket.127.0.0.1` do not resolve).
    pub(crate) fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        let conf = aws_sdk_s3::config::Builder::from(&self.sdk)
            .region(aws_sdk_s3::config::Region::new(region.to_owned()))
            .force_path_style(self.shared.endpoint_override)
            .interceptor(self.shared.recorder.counter("s3", self.scope(Some(region))))
            .interceptor(self.throttle_signal("s3"))
            .retry_classifier(super::errors::UnreadableAnswer)
            .interceptor(super::errors::CompleteXml)
            .retry_partition(aws_sdk_s3::config::retry::RetryPartition::new(self.partition_name("s3", Some(region))))
            .build();
        aws_sdk_s3::Client::from_conf(conf)
    }

    /// s3control prefixes the host with the account id; with an endpoint
    /// override that name does not resolve, so the prefix is stripped again.
    pub(crate) fn s3control(&self, region: &str) -> aws_sdk_s3control::Client {
        let mut conf = aws_sdk_s3control::config::Builder::from(&self.sdk)
            .region(aws_sdk_s3control::config::Region::new(region.to_owned()))
            .interceptor(self.shared.recorder.counter("s3control", self.scope(None)))
            .interceptor(self.throttle_signal("s3control"))
            .retry_classifier(super::errors::UnreadableAnswer)
            .interceptor(super::errors::CompleteXml)
            .retry_partition(aws_sdk_s3control::config::retry::RetryPartition::new(self.partition_name("s3control", None)));
        if self.shared.endpoint_override {
            conf = conf.interceptor(StripAccountHostPrefix { account_id: self.account_id.clone() });
        }
        aws_sdk_s3control::Client::from_conf(conf.build())
    }

    /// Waits for a slot of the bounded fan-out (this account's, then the
    /// shared one); held for one unit of work. After throttling, the
    /// account's pacing delays the start first.
    pub(crate) async fn permit(&self) -> (SemaphorePermit<'_>, SemaphorePermit<'_>) {
        super::pacing::pace(&self.pacer).await;
        let own = self.own_limit.acquire().await.expect("the semaphore is never closed");
        (own, self.shared.limit.acquire().await.expect("the semaphore is never closed"))
    }

    /// Records a failed call as data.
    pub(crate) fn fail<E>(&self, action: Action, region: Option<&str>, resource: Option<&str>, err: &SdkError<E>)
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let site = CallSite { action, account_id: &self.account_id, region, resource };
        self.push(to_collection_error(site, err));
    }

    pub(crate) fn push(&self, error: CollectionError) {
        self.errors.lock().expect("errors lock").push(error);
    }

    pub(crate) fn take_errors(&self) -> Vec<CollectionError> {
        std::mem::take(&mut *self.errors.lock().expect("errors lock"))
    }

    /// Marks one unit of work done on the progress display (hidden unless requested).
    pub(crate) fn tick(&self, region: &str, service: &str) {
        self.shared.progress.tick(&self.account_id, region, service);
    }

    /// The region of the account's "global" calls (S3 ListBuckets, s3control).
    pub(crate) fn home_region(&self) -> String {
        self.sdk.region().map(|r| r.to_string()).unwrap_or_else(|| "us-east-1".to_owned())
    }
}

/// `arn:aws:service:region:account:...` → account id, when it has one.
pub(crate) fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

/// `arn:aws:service:region:account:...` → region, when it has one.
pub(crate) fn arn_region(arn: &str) -> Option<&str> {
    arn.split(':').nth(3).filter(|r| !r.is_empty())
}
