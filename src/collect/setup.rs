//! Building the SDK configuration (credentials chain, endpoint, retries,
//! timeouts), identifying each account and discovering regions.

use std::time::Duration;

use anyhow::{Context, bail};
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_account::types::RegionOptStatus;
use aws_sdk_sts::config::SharedHttpClient;
use aws_smithy_http_client::tls::Provider;
use aws_smithy_http_client::tls::rustls_provider::CryptoMode;

use super::CollectOptions;
use super::context::Ctx;
use crate::snapshot::actions::Action;

/// Retries: the SDK's *standard* mode (exponential backoff with full jitter and
/// a retry quota), not *adaptive*. Adaptive mode's client-side rate limiter is
/// shared by every client of a service in the process and, after one
/// throttling answer, makes every later call of that service wait for tokens
/// (seconds to tens of seconds) inside its operation timeout: two throttles on
/// sts:GetCallerIdentity used to fail a whole run after `--call-timeout`, and
/// calls queued behind a throttled one timed out without ever being sent.
/// Sustained throttling slows the collection through [`super::pacing`] instead,
/// per account, and through the backoff of each retried call.
///
/// Five attempts: four retries with backoffs drawn from [0, 1), [0, 2), [0, 4)
/// and [0, 8) seconds; one throttling answer costs under a second.
pub(crate) const MAX_ATTEMPTS: u32 = 5;
/// Backoff of the first retry (upper bound of its jitter), doubling per retry.
pub(crate) const INITIAL_BACKOFF: Duration = Duration::from_secs(1);
/// Cap on one backoff.
pub(crate) const MAX_BACKOFF: Duration = Duration::from_secs(20);

/// The SDK's standard retry settings; when either is set in the environment it
/// wins over [`MAX_ATTEMPTS`] (e.g. `AWS_MAX_ATTEMPTS=1` against an emulator
/// that answers unimplemented calls with HTTP 500, which would be retried).
const RETRY_ENV: [&str; 2] = ["AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE"];

/// The retry configuration of every client (unless [`RETRY_ENV`] is set).
pub(crate) fn retry_config() -> RetryConfig {
    RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS).with_initial_backoff(INITIAL_BACKOFF).with_max_backoff(MAX_BACKOFF)
}

/// Timeouts: `call_timeout` bounds each attempt (one HTTP exchange); the whole
/// operation is bounded by every attempt timing out plus the longest backoffs
/// between them, so a call that is throttled and then answers is never cut
/// short by its own retries. Connecting takes at most 10 seconds.
pub(crate) fn timeout_config(call_timeout: Duration) -> TimeoutConfig {
    TimeoutConfig::builder()
        .operation_attempt_timeout(call_timeout)
        .operation_timeout(operation_bound(call_timeout))
        .connect_timeout(call_timeout.min(Duration::from_secs(10)))
        .build()
}

/// Longest one operation may take: [`MAX_ATTEMPTS`] attempts of `call_timeout`
/// and the largest backoffs between them.
pub(crate) fn operation_bound(call_timeout: Duration) -> Duration {
    let backoffs: Duration = (0..MAX_ATTEMPTS - 1).map(|retry| (INITIAL_BACKOFF * 2u32.pow(retry)).min(MAX_BACKOFF)).sum();
    call_timeout * MAX_ATTEMPTS + backoffs
}

/// The HTTPS client every AWS call goes through: rustls with the ring crypto
/// provider, trusting the system's certificate store (`SSL_CERT_FILE` /
/// `SSL_CERT_DIR` override it). Built here because the SDK's default client
/// would bring in a second crypto library (aws-lc), which the static release
/// builds avoid (Cargo.toml).
pub fn https_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new().tls_provider(Provider::Rustls(CryptoMode::Ring)).build_https()
}

/// An endpoint every AWS call can be sent to: an absolute http(s) URL with a
/// host, no credentials, query or fragment. The error says what is wrong.
pub fn check_endpoint_url(s: &str) -> Result<(), String> {
    // A URL with `@` may hold a password: never quoted.
    let shown = if s.contains('@') { "the URL".to_owned() } else { format!("`{s}`") };
    let url = url::Url::parse(s).map_err(|e| format!("{shown} is not a URL ({e}); expected e.g. http://127.0.0.1:5000"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("the endpoint URL must not carry credentials (user:password@)".to_owned());
    }
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("{shown}: the scheme must be http or https, not `{}`", url.scheme()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("{shown} has no host; expected e.g. http://127.0.0.1:5000"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("{shown}: an endpoint URL has no query or fragment"));
    }
    Ok(())
}

pub(crate) async fn base_config(options: &CollectOptions) -> anyhow::Result<SdkConfig> {
    match &options.endpoint_url {
        Some(url) => check_endpoint_url(url).map_err(|e| anyhow::anyhow!("endpoint URL: {e}"))?,
        None => {
            if let Some(url) = std::env::var_os("AWS_ENDPOINT_URL") {
                check_endpoint_url(&url.to_string_lossy()).map_err(|e| anyhow::anyhow!("AWS_ENDPOINT_URL: {e}"))?;
            }
        }
    }
    if options.call_timeout.is_zero() {
        bail!("the call timeout must be at least 1 second");
    }
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(https_client());
    if RETRY_ENV.iter().all(|v| std::env::var_os(v).is_none()) {
        loader = loader.retry_config(retry_config());
    }
    let mut loader = loader.timeout_config(timeout_config(options.call_timeout));
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let mut sdk = loader.load().await;
    if sdk.credentials_provider().is_none() {
        bail!("no AWS credentials found (environment, profile, SSO, web identity, container or instance metadata)");
    }
    if sdk.region().is_none() {
        match options.regions.as_ref().and_then(|r| r.first()) {
            Some(first) => sdk = sdk.into_builder().region(Region::new(first.clone())).build(),
            None => bail!(
                "no AWS region configured: pass --regions (e.g. --regions us-east-1,eu-west-1), set AWS_REGION, \
                 or give the profile one (aws configure set region us-east-1 --profile NAME)"
            ),
        }
    }
    Ok(sdk)
}

/// Sessions last an hour (the most a chained role allows); the provider
/// renews them before they expire, so a long organization run keeps going.
const SESSION_LENGTH: Duration = Duration::from_secs(3600);

/// The same configuration with credentials from sts:AssumeRole into `role_arn`.
pub(crate) async fn assume_role(base: &SdkConfig, role_arn: &str, external_id: Option<&str>) -> SdkConfig {
    let mut builder = aws_config::sts::AssumeRoleProvider::builder(role_arn).session_name("trailaudit").session_length(SESSION_LENGTH);
    if let Some(id) = external_id {
        builder = builder.external_id(id);
    }
    let provider = builder.configure(base).build().await;
    base.to_builder().credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(provider)).build()
}

/// Whose identity [`identity`] asks for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Whose<'a> {
    /// The credentials the run was started with (`--profile`, else the default chain).
    Caller { profile: Option<&'a str> },
    /// A role assumed from them.
    AssumedRole,
}

/// sts:GetCallerIdentity → (account id, partition). For the caller's own
/// credentials a failure says what to do (sign in, pick a profile, check the
/// network); for an assumed role it says what failed (the role's trust policy is
/// the usual cause, which signing in again does not fix).
pub(crate) async fn identity(ctx_sdk: &SdkConfig, recorder: &super::stats::Recorder, whose: Whose<'_>) -> anyhow::Result<(String, String)> {
    let region = ctx_sdk.region().map(|r| r.to_string()).unwrap_or_default();
    let conf = aws_sdk_sts::config::Builder::from(ctx_sdk).interceptor(recorder.counter("sts", format!("-/{region}"))).build();
    let out = aws_sdk_sts::Client::from_conf(conf).get_caller_identity().send().await.map_err(|e| {
        let message = match whose {
            Whose::Caller { profile } => explain_identity_failure(&e, &region, profile),
            Whose::AssumedRole => format!("sts:GetCallerIdentity failed: {}", super::errors::causes(&e)),
        };
        anyhow::anyhow!(message)
    })?;
    let account = out.account().context("sts:GetCallerIdentity returned no account")?.to_owned();
    let partition = out.arn().and_then(|a| a.split(':').nth(1)).unwrap_or("aws").to_owned();
    Ok((account, partition))
}

/// Error codes with which AWS refuses the credentials themselves.
const EXPIRED_CODES: &[&str] = &["ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"];
const REJECTED_CODES: &[&str] =
    &["InvalidClientTokenId", "SignatureDoesNotMatch", "UnrecognizedClientException", "InvalidAccessKeyId", "AuthFailure"];

/// What to run to get credentials: for a named profile (`--profile`, else
/// `AWS_PROFILE`), that profile's commands.
fn sign_in(profile: Option<&str>) -> String {
    let named = profile.map(str::to_owned).or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()));
    match named {
        Some(p) => format!(
            "sign in with `aws sso login --profile {p}` (IAM Identity Center) or set the profile's keys with \
             `aws configure --profile {p}`, or pick another profile with --profile NAME"
        ),
        None => "sign in first (`aws sso login --profile NAME` for IAM Identity Center, `aws configure` for access keys) \
                 and name the profile with --profile NAME or AWS_PROFILE"
            .to_owned(),
    }
}

/// Why sts:GetCallerIdentity, the first call of every collection, failed, in
/// words that say what to do: sign in, pick a profile, check the network or
/// the endpoint. The causes are each said once and never as a Rust `Debug` dump.
pub(crate) fn explain_identity_failure<E>(
    err: &aws_sdk_sts::error::SdkError<E, aws_sdk_sts::config::http::HttpResponse>,
    region: &str,
    profile: Option<&str>,
) -> String
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
{
    use aws_sdk_sts::error::SdkError;
    let causes = super::errors::causes(err);
    let sign_in = sign_in(profile);
    if credentials_error(err).is_some() {
        return format!("no usable AWS credentials ({}); {sign_in}", credentials_cause(err));
    }
    match err {
        SdkError::ServiceError(e) => {
            let code = e.err().code().unwrap_or("unknown error");
            let message = e.err().message().unwrap_or("");
            if EXPIRED_CODES.contains(&code) {
                format!("the AWS credentials have expired ({code}: {message}); {sign_in}")
            } else if REJECTED_CODES.contains(&code) {
                format!("AWS rejected the credentials ({code}: {message}); check the access key, or {sign_in}")
            } else {
                // Still throttled after every attempt says so ("throttled through every retry (…)").
                format!("sts:GetCallerIdentity failed ({})", super::errors::describe(err))
            }
        }
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => format!(
            "cannot reach AWS STS in region {region} ({causes}); check the network and any HTTPS_PROXY, that --regions names \
             a real region, and --endpoint-url (or AWS_ENDPOINT_URL) when an emulator is meant"
        ),
        _ => format!("sts:GetCallerIdentity failed ({causes})"),
    }
}

/// The credentials error inside an SDK error, if the call failed for want of credentials.
fn credentials_error<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a aws_credential_types::provider::error::CredentialsError> {
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(c) = e.downcast_ref::<aws_credential_types::provider::error::CredentialsError>() {
            return Some(c);
        }
        next = e.source();
    }
    None
}

/// What the credentials chain said, from the credentials error down.
fn credentials_cause(err: &(dyn std::error::Error + 'static)) -> String {
    credentials_error(err).map_or_else(String::new, |c| super::errors::causes(c))
}

/// Enabled regions of the account (account:ListRegions, opt-in respected).
/// On failure the error is recorded and the configured region is used alone.
pub(crate) async fn discover_regions(ctx: &Ctx) -> Vec<String> {
    let home = ctx.home_region();
    let conf = aws_sdk_account::config::Builder::from(&ctx.sdk)
        .interceptor(ctx.shared.recorder.counter("account", format!("{}/-", ctx.account_id)))
        .build();
    let client = aws_sdk_account::Client::from_conf(conf);
    let mut regions = Vec::new();
    for status in [RegionOptStatus::Enabled, RegionOptStatus::EnabledByDefault] {
        let pages = client.list_regions().region_opt_status_contains(status).into_paginator().send();
        let complete = ctx
            .pages(Action::AccountListRegions, None, None, pages, |page| {
                regions.extend(page.regions().iter().filter_map(|r| r.region_name().map(str::to_owned)))
            })
            .await;
        if !complete {
            return vec![home];
        }
    }
    regions.sort();
    regions.dedup();
    if regions.is_empty() { vec![home] } else { regions }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_call_is_bounded_by_its_attempts_and_the_backoffs_between_them() {
        // 5 attempts of 2 s, and backoffs of at most 1 + 2 + 4 + 8 s.
        assert_eq!(operation_bound(Duration::from_secs(2)), Duration::from_secs(10 + 15));
        assert_eq!(operation_bound(Duration::from_secs(30)), Duration::from_secs(150 + 15));
        let timeouts = timeout_config(Duration::from_secs(2));
        assert_eq!(timeouts.operation_attempt_timeout(), Some(Duration::from_secs(2)));
        assert_eq!(timeouts.connect_timeout(), Some(Duration::from_secs(2)));
        let retry = retry_config();
        assert_eq!((retry.mode(), retry.max_attempts()), (aws_config::retry::RetryMode::Standard, MAX_ATTEMPTS));
    }

    #[test]
    fn endpoint_urls_are_absolute_http_urls_with_a_host() {
        for ok in ["http://127.0.0.1:5000", "https://cloudtrail.us-east-1.amazonaws.com", "http://localhost:4566/"] {
            assert_eq!(check_endpoint_url(ok), Ok(()), "{ok}");
        }
        for (bad, why) in [
            ("not a url", "is not a URL"),
            ("127.0.0.1:5000", "is not a URL"),
            ("localhost:5000", "the scheme must be http or https, not `localhost`"),
            ("file:///tmp/x", "the scheme must be http or https"),
            ("http://", "empty host"),
            ("http://u:secret@127.0.0.1", "must not carry credentials"),
            ("http://u:secret@", "the URL is not a URL"),
        ] {
            let err = check_endpoint_url(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
            assert!(!err.contains("secret"), "{err}");
        }
    }

    use aws_sdk_sts::config::http::HttpResponse;
    use aws_sdk_sts::error::{ErrorMetadata, SdkError};
    use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityError;
    use aws_smithy_types::body::SdkBody;

    use super::explain_identity_failure;

    fn refused(code: &str, message: &str) -> SdkError<GetCallerIdentityError, HttpResponse> {
        let err = GetCallerIdentityError::generic(ErrorMetadata::builder().code(code).message(message).build());
        SdkError::service_error(err, HttpResponse::new(403.try_into().unwrap(), SdkBody::empty()))
    }

    #[test]
    fn refused_credentials_say_to_sign_in_again() {
        let expired =
            explain_identity_failure(&refused("ExpiredToken", "The security token included in the request is expired"), "eu-west-1", None);
        assert!(expired.starts_with("the AWS credentials have expired (ExpiredToken: The security token"), "{expired}");
        assert!(expired.contains("aws sso login") && expired.contains("--profile"), "{expired}");
        let named = explain_identity_failure(&refused("ExpiredToken", "expired"), "eu-west-1", Some("prod"));
        assert!(named.contains("`aws sso login --profile prod`") && named.contains("`aws configure --profile prod`"), "{named}");
        let rejected = explain_identity_failure(&refused("InvalidClientTokenId", "The security token is invalid"), "eu-west-1", None);
        assert!(rejected.starts_with("AWS rejected the credentials (InvalidClientTokenId"), "{rejected}");
        let other = explain_identity_failure(&refused("Throttling", "Rate exceeded"), "eu-west-1", None);
        assert_eq!(other, "sts:GetCallerIdentity failed (throttled through every retry (Throttling: Rate exceeded))");
        let denied = explain_identity_failure(&refused("AccessDenied", "not allowed"), "eu-west-1", None);
        assert_eq!(denied, "sts:GetCallerIdentity failed (AccessDenied: not allowed)");
        for text in [expired, rejected, other] {
            assert!(!text.contains("{ ") && !text.contains("ServiceError"), "no Debug dump: {text}");
        }
    }
}
