//! Turning SDK errors into [`CollectionError`] data.

use aws_sdk_sts::error::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::snapshot::{CollectionError, ErrorKind};

/// Error codes AWS returns for an operation that does not exist in a
/// partition or region (as opposed to one that failed).
const UNSUPPORTED_CODES: &[&str] = &[
    "UnsupportedOperation",
    "UnsupportedOperationException",
    "UnknownOperationException",
    "InvalidAction",
    "OperationNotSupportedException",
];

/// Is this AWS error code, or this HTTP status, a throttling answer? The codes
/// are the SDK's own (`ThrottlingException`, `Throttling`, `SlowDown`,
/// `TooManyRequestsException`, `RequestLimitExceeded`, ...), the ones its
/// retry classifier backs off on.
pub(crate) fn is_throttling(code: Option<&str>, status: u16) -> bool {
    status == 429 || code.is_some_and(|c| aws_runtime::retries::classifiers::THROTTLING_ERRORS.contains(&c))
}

/// One line for an SDK error: `Code: message`, and whether it was throttling
/// (the error text of set-up calls such as sts:GetCallerIdentity).
pub(crate) fn describe<E>(err: &SdkError<E>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let (code, message, throttled) = summary(err);
    if throttled { format!("throttled through every retry ({code}: {message})") } else { format!("{code}: {message}") }
}

/// (error code, message, throttled?) of an SDK error.
fn summary<E>(err: &SdkError<E>) -> (String, String, bool)
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match err {
        // A success status whose body could not be read (cut short, not the
        // document the operation returns): the SDK reports it as an
        // unmodelled service error without a code.
        SdkError::ServiceError(e) if e.err().code().is_none() && e.raw().status().is_success() => {
            let cause = causes(e.err());
            let cause = cause.strip_prefix("unhandled error: ").unwrap_or(&cause);
            ("InvalidResponse".to_owned(), single_line(&format!("the answer could not be read: {cause}")), false)
        }
        SdkError::ServiceError(e) => {
            let status = e.raw().status().as_u16();
            let code = e.err().code().map(str::to_owned).unwrap_or_else(|| format!("HTTP{status}"));
            let message = e.err().message().map(str::to_owned).unwrap_or_else(|| causes(e.err()));
            let throttled = is_throttling(e.err().code(), status);
            (code, single_line(&message), throttled)
        }
        SdkError::TimeoutError(_) => ("Timeout".to_owned(), "the call timed out".to_owned(), false),
        SdkError::DispatchFailure(_) => ("Dispatch".to_owned(), single_line(&causes(err)), false),
        SdkError::ResponseError(_) if incomplete_xml(err).is_some() => {
            let cause = incomplete_xml(err).map(ToString::to_string).unwrap_or_default();
            ("InvalidResponse".to_owned(), single_line(&format!("the answer could not be read: {cause}")), false)
        }
        SdkError::ResponseError(_) => ("ResponseError".to_owned(), single_line(&causes(err)), false),
        SdkError::ConstructionFailure(_) => ("ConstructionFailure".to_owned(), single_line(&causes(err)), false),
        _ => ("Unknown".to_owned(), single_line(&causes(err)), false),
    }
}

/// Where a call went: the fields of a [`CollectionError`] that are not about the error.
#[derive(Clone, Debug)]
pub(crate) struct CallSite<'a> {
    pub action: crate::snapshot::actions::Action,
    pub account_id: &'a str,
    pub region: Option<&'a str>,
    pub resource: Option<&'a str>,
}

/// The AWS error code of an SDK error, or `None` when the service did not answer.
pub(crate) fn code<E: ProvideErrorMetadata>(err: &SdkError<E>) -> Option<&str> {
    match err {
        SdkError::ServiceError(e) => e.err().code(),
        _ => None,
    }
}

pub(crate) fn to_collection_error<E>(site: CallSite<'_>, err: &SdkError<E>) -> CollectionError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let (error_code, message, throttled) = summary(err);
    let (kind, message) = if throttled {
        (ErrorKind::Throttled, format!("throttled through every retry: {message}"))
    } else if UNSUPPORTED_CODES.contains(&error_code.as_str()) {
        (ErrorKind::Unsupported, message)
    } else {
        (ErrorKind::Failed, message)
    };
    CollectionError {
        service: site.action.service().to_owned(),
        operation: site.action.operation().to_owned(),
        account_id: site.account_id.to_owned(),
        region: site.region.map(str::to_owned),
        resource: site.resource.map(str::to_owned),
        error_code,
        message: single_line(&message),
        kind,
    }
}

/// The error and its sources joined by `: `, each text once: the SDK's errors
/// often repeat their source in their own message, and its context formatter
/// (`DisplayErrorContext`) appends the Rust `Debug` form, which is no message.
pub(crate) fn causes(err: &dyn std::error::Error) -> String {
    let mut out = String::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        if !text.is_empty() && !out.contains(&text) {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(&text);
        }
        next = e.source();
    }
    out
}

/// Retries an answer with a success status whose body could not be read
/// (cut short or malformed): the SDK retries a body that breaks off while
/// it is read, but not one that arrives whole and does not parse, and both
/// are a damaged answer rather than the service's verdict.
#[derive(Debug, Default)]
pub(crate) struct UnreadableAnswer;

impl aws_smithy_runtime_api::client::retries::classifiers::ClassifyRetry for UnreadableAnswer {
    fn classify_retry(
        &self,
        ctx: &aws_smithy_runtime_api::client::interceptors::context::InterceptorContext,
    ) -> aws_smithy_runtime_api::client::retries::classifiers::RetryAction {
        use aws_smithy_runtime_api::client::retries::classifiers::RetryAction;
        let failed = matches!(ctx.output_or_error(), Some(Err(_)));
        if failed && ctx.response().is_some_and(|r| r.status().is_success()) {
            RetryAction::transient_error()
        } else {
            RetryAction::NoActionIndicated
        }
    }

    fn name(&self) -> &'static str {
        "trailaudit::UnreadableAnswer"
    }
}

/// Refuses an XML answer that is not a whole document (query-XML services:
/// SNS, CloudWatch, STS; and S3's REST-XML answers). The SDK's XML reader takes the end of the input
/// for the end of the document, so the first half of an answer, correctly
/// framed, reads as a page with fewer items and no error: a verdict on half
/// the data. An answer whose root element does not close is an error here
/// (retried like any unreadable answer, then recorded as `InvalidResponse`).
#[derive(Debug, Default)]
pub(crate) struct CompleteXml;

/// The error [`CompleteXml`] fails an attempt with.
#[derive(Debug)]
pub(crate) struct IncompleteXml(String);

impl std::fmt::Display for IncompleteXml {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the XML document is incomplete: root element `{}` is not closed", self.0)
    }
}

impl std::error::Error for IncompleteXml {}

/// The [`IncompleteXml`] in `err`'s chain of causes, if any.
fn incomplete_xml<'e>(err: &'e (dyn std::error::Error + 'static)) -> Option<&'e IncompleteXml> {
    let mut next = err.source();
    while let Some(e) = next {
        if let Some(found) = e.downcast_ref::<IncompleteXml>() {
            return Some(found);
        }
        next = e.source();
    }
    None
}

/// The root element's name of an XML document that does not end by closing
/// it; `None` for a whole document (or a body that is not XML at all).
pub(crate) fn unclosed_root(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?.trim();
    let mut rest = text;
    // Skip the declaration, processing instructions and comments before the root.
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("<?") {
            rest = &after[after.find("?>")? + 2..];
        } else if let Some(after) = rest.strip_prefix("<!--") {
            rest = &after[after.find("-->")? + 3..];
        } else {
            break;
        }
    }
    let name: String = rest.strip_prefix('<')?.chars().take_while(|c| !c.is_whitespace() && !matches!(c, '>' | '/')).collect();
    if name.is_empty() {
        return None;
    }
    let whole = text.ends_with(&format!("</{name}>"))
        // `<Root/>`: the root closes itself, and it is the whole document.
        || (text.ends_with("/>") && !rest[1..].contains('<'));
    (!whole).then_some(name)
}

impl aws_sdk_sts::config::Intercept for CompleteXml {
    fn name(&self) -> &'static str {
        "trailaudit::CompleteXml"
    }

    fn read_after_deserialization(
        &self,
        context: &aws_sdk_sts::config::interceptors::AfterDeserializationInterceptorContextRef<'_>,
        _: &aws_sdk_sts::config::RuntimeComponents,
        _: &mut aws_sdk_sts::config::ConfigBag,
    ) -> Result<(), aws_sdk_sts::error::BoxError> {
        let response = context.response();
        let xml = response.headers().get("content-type").is_some_and(|t| t.contains("xml"));
        match response.body().bytes() {
            Some(body) if xml && response.status().is_success() => match unclosed_root(body) {
                Some(root) => Err(Box::new(IncompleteXml(root))),
                None => Ok(()),
            },
            _ => Ok(()),
        }
    }
}

/// Messages are kept to one bounded line: they end up in terminals and SARIF.
fn single_line(message: &str) -> String {
    let flat: String = message.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    flat.chars().take(500).collect()
}

/// A response AWS sent but that could not be read (e.g. a policy that is not JSON).
pub(crate) fn invalid_response(
    service: &str,
    operation: &str,
    account_id: &str,
    resource: Option<&str>,
    err: &dyn std::error::Error,
) -> CollectionError {
    CollectionError {
        service: service.to_owned(),
        operation: operation.to_owned(),
        account_id: account_id.to_owned(),
        region: None,
        resource: resource.map(str::to_owned),
        error_code: "InvalidResponse".to_owned(),
        message: single_line(&err.to_string()),
        kind: ErrorKind::Failed,
    }
}

#[cfg(test)]
mod complete_xml_tests {
    use super::unclosed_root;

    #[test]
    fn a_document_cut_short_is_told_from_a_whole_one() {
        let whole = "<?xml version=\"1.0\"?>\n<ListSubscriptionsByTopicResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">\n  <ListSubscriptionsByTopicResult><Subscriptions><member><Protocol>email</Protocol></member></Subscriptions></ListSubscriptionsByTopicResult>\n  <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>\n</ListSubscriptionsByTopicResponse>\n";
        assert_eq!(unclosed_root(whole.as_bytes()), None);
        for cut in [whole.len() / 2, whole.len() - 4, 60] {
            assert_eq!(unclosed_root(&whole.as_bytes()[..cut]).as_deref(), Some("ListSubscriptionsByTopicResponse"), "cut at {cut}");
        }
        assert_eq!(unclosed_root(b"<!-- c --><Empty/>"), None);
        assert_eq!(unclosed_root(b"<Empty a=\"1\" />"), None);
        // Not XML, or empty: not this check's business.
        assert_eq!(unclosed_root(b""), None);
        assert_eq!(unclosed_root(b"{\"a\": 1}"), None);
    }
}
