//! Call accounting: every SDK client carries a [`Counter`] interceptor, so the
//! figures in `--stats` are the requests actually sent, retries included.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_sts::config::interceptors::{BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef};
use aws_sdk_sts::config::{ConfigBag, Intercept, RuntimeComponents};

/// API calls per service, retries and wall time of one collection.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CollectStats {
    /// Operations started, per service prefix (`cloudtrail`, `s3`, ...).
    pub calls: BTreeMap<String, u64>,
    /// HTTP attempts beyond the first, per service (the SDK's retries).
    pub retries: BTreeMap<String, u64>,
    /// Operations per `account/region` (`-` for global calls).
    pub calls_per_account_region: BTreeMap<String, u64>,
    /// Attempts AWS answered with throttling, per service.
    pub throttled: BTreeMap<String, u64>,
    pub wall_time: Duration,
}

impl CollectStats {
    pub fn total_calls(&self) -> u64 {
        self.calls.values().sum()
    }
    pub fn total_retries(&self) -> u64 {
        self.retries.values().sum()
    }
    pub fn total_throttled(&self) -> u64 {
        self.throttled.values().sum()
    }
}

impl fmt::Display for CollectStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "API calls: {} ({} retries) in {:.3} s", self.total_calls(), self.total_retries(), self.wall_time.as_secs_f64())?;
        writeln!(f, "Throttled attempts: {}", self.total_throttled())?;
        for (service, n) in &self.calls {
            let retries = self.retries.get(service).copied().unwrap_or(0);
            writeln!(f, "  {service:<12} {n:>6} calls {retries:>4} retries")?;
        }
        for (scope, n) in &self.calls_per_account_region {
            writeln!(f, "  {scope:<28} {n:>6} calls")?;
        }
        Ok(())
    }
}

#[derive(Default)]
struct Tally {
    calls: BTreeMap<String, u64>,
    attempts: BTreeMap<String, u64>,
    per_scope: BTreeMap<String, u64>,
    throttled: BTreeMap<String, u64>,
}

/// Shared tally behind all [`Counter`] interceptors of one collection.
#[derive(Clone, Default)]
pub(crate) struct Recorder(Arc<Mutex<Tally>>);

impl Recorder {
    pub(crate) fn counter(&self, service: &'static str, scope: String) -> Counter {
        Counter { service, scope, recorder: self.clone() }
    }

    /// One attempt of `service` was answered with throttling.
    pub(crate) fn throttled(&self, service: &str) {
        *self.0.lock().expect("stats lock").throttled.entry(service.to_owned()).or_default() += 1;
    }

    pub(crate) fn finish(&self, wall_time: Duration) -> CollectStats {
        let tally = self.0.lock().expect("stats lock");
        let retries = tally.attempts.iter().map(|(s, a)| (s.clone(), a.saturating_sub(tally.calls.get(s).copied().unwrap_or(0)))).collect();
        CollectStats {
            calls: tally.calls.clone(),
            retries,
            calls_per_account_region: tally.per_scope.clone(),
            throttled: tally.throttled.clone(),
            wall_time,
        }
    }
}

/// Counts operations (before serialization, once per call) and attempts
/// (before transmit, once per HTTP try) for one service client.
#[derive(Clone)]
pub(crate) struct Counter {
    service: &'static str,
    scope: String,
    recorder: Recorder,
}

impl fmt::Debug for Counter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Counter({})", self.service)
    }
}

impl Intercept for Counter {
    fn name(&self) -> &'static str {
        "trailaudit::Counter"
    }

    fn read_before_execution(
        &self,
        _: &BeforeSerializationInterceptorContextRef<'_>,
        _: &mut ConfigBag,
    ) -> Result<(), aws_sdk_sts::error::BoxError> {
        let mut tally = self.recorder.0.lock().expect("stats lock");
        *tally.calls.entry(self.service.to_owned()).or_default() += 1;
        *tally.per_scope.entry(self.scope.clone()).or_default() += 1;
        Ok(())
    }

    fn read_before_transmit(
        &self,
        _: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), aws_sdk_sts::error::BoxError> {
        let mut tally = self.recorder.0.lock().expect("stats lock");
        *tally.attempts.entry(self.service.to_owned()).or_default() += 1;
        Ok(())
    }
}
