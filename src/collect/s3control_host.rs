//! Host rewrite for s3control behind an endpoint override.
//!
//! s3control's endpoint rules put the account id in front of the host
//! (`123456789012.127.0.0.1:5000`). Against AWS that is a real name; against a
//! local endpoint it does not resolve, so the prefix is removed before signing (the host is signed).

use aws_sdk_s3control::config::interceptors::BeforeTransmitInterceptorContextMut;
use aws_sdk_s3control::config::{ConfigBag, Intercept, RuntimeComponents};

#[derive(Debug)]
pub(crate) struct StripAccountHostPrefix {
    pub account_id: String,
}

impl Intercept for StripAccountHostPrefix {
    fn name(&self) -> &'static str {
        "trailaudit::StripAccountHostPrefix"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), aws_sdk_s3control::error::BoxError> {
        let request = context.request_mut();
        let prefix = format!("://{}.", self.account_id);
        let uri = request.uri().to_owned();
        if let Some(at) = uri.find(&prefix) {
            let rewritten = format!("{}://{}", &uri[..at], &uri[at + prefix.len()..]);
            request.set_uri(rewritten)?;
        }
        Ok(())
    }
}
