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

/// Where a call went: the fields of a [`CollectionError`] that are not about the error.
#[derive(Clone, Debug)]
pub(crate) struct CallSite<'a> {
    pub service: &'static str,
    pub operation: &'static str,
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
    let (error_code, message) = match err {
        SdkError::ServiceError(e) => {
            let code = e.err().code().map(str::to_owned).unwrap_or_else(|| format!("HTTP{}", e.raw().status().as_u16()));
            let message = e.err().message().map(str::to_owned).unwrap_or_else(|| chain(e.err()));
            (code, message)
        }
        SdkError::TimeoutError(_) => ("Timeout".to_owned(), "the call timed out".to_owned()),
        SdkError::DispatchFailure(_) => ("Dispatch".to_owned(), chain(err)),
        SdkError::ResponseError(_) => ("ResponseError".to_owned(), chain(err)),
        SdkError::ConstructionFailure(_) => ("ConstructionFailure".to_owned(), chain(err)),
        _ => ("Unknown".to_owned(), chain(err)),
    };
    let kind = if UNSUPPORTED_CODES.contains(&error_code.as_str()) { ErrorKind::Unsupported } else { ErrorKind::Failed };
    CollectionError {
        service: site.service.to_owned(),
        operation: site.operation.to_owned(),
        account_id: site.account_id.to_owned(),
        region: site.region.map(str::to_owned),
        resource: site.resource.map(str::to_owned),
        error_code,
        message: single_line(&message),
        kind,
    }
}

/// The error with its causes, one line.
fn chain(err: &dyn std::error::Error) -> String {
    causes(err)
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
