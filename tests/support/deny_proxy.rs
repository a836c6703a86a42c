//! A loopback proxy in front of moto that refuses `sts:AssumeRole` into one
//! role, as AWS does when the role is missing or does not trust the caller,
//! and forwards every other request and response byte for byte: a
//! [`FaultProxy`] with one rule.
//!
//! Why: moto's AssumeRole never checks that the role exists (moto/sts/models.py:
//! "the role does not need to exist"), so a member without the audit role
//! cannot be built in moto itself. The refusal is STS's query-protocol error,
//! HTTP 403 `AccessDenied`.

use std::sync::Arc;

use super::fault_proxy::{Fault, FaultProxy, Protocol, Rule, Times, protocol_error};

pub struct DenyProxy {
    pub port: u16,
    pub url: String,
    proxy: FaultProxy,
}

impl DenyProxy {
    /// Listens on a free port of 127.0.0.1, forwarding to 127.0.0.1:`upstream_port`
    /// and refusing AssumeRole whose `RoleArn` is `denied_role_arn`.
    pub fn start(upstream_port: u16, denied_role_arn: &str) -> DenyProxy {
        let message = format!(
            "User: arn:aws:iam::123456789012:user/trailaudit is not authorized to perform: sts:AssumeRole on resource: {denied_role_arn}"
        );
        let refusal = protocol_error(Protocol::Query, 403, "AccessDenied", &message);
        let rule = Rule::new("sts", "AssumeRole", Fault::Raw(Arc::new(refusal)), Times::Always).with_form("RoleArn", denied_role_arn);
        let proxy = FaultProxy::start(upstream_port, vec![rule]);
        DenyProxy { port: proxy.port, url: proxy.url.clone(), proxy }
    }

    /// AssumeRole requests refused so far.
    pub fn denied(&self) -> usize {
        self.proxy.injected()
    }

    /// Requests forwarded to moto so far.
    pub fn forwarded(&self) -> usize {
        self.proxy.forwarded()
    }
}
