//! Per-account pacing: throttling slows the account that was throttled, not
//! the whole collection, and not by more than it needs.
//!
//! AWS throttles per account and region (and API). The SDK's standard retry
//! backs off the throttled call itself; this spaces out the *next* calls of
//! the same account after throttling was seen, so sustained throttling slows
//! the client instead of feeding retries. Throttling doubles the spacing
//! between the starts of the account's calls (from [`MIN_SPACING`] up to
//! [`MAX_SPACING`]), at most once per [`WINDOW`] (or per current spacing, when
//! longer): a burst of throttling answers to calls sent together is one
//! signal, as in TCP's congestion control. Each attempt that is answered
//! without throttling shrinks the spacing by a quarter, and every [`QUIET`]
//! period without throttling halves it, until it is gone. So brief throttling
//! (one answer per operation, say) costs milliseconds, while throttling that
//! goes on, where few attempts get through, keeps doubling it. An account
//! never throttled is never delayed, and the wait happens before a call is
//! sent, outside its `--call-timeout`.
//!
//! The signal comes from [`ThrottleSignal`], an interceptor on every client of
//! the account that runs the client's own retry classifiers on each attempt.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_sts::config::interceptors::FinalizerInterceptorContextRef;
use aws_sdk_sts::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_runtime_api::client::retries::classifiers::{ClassifyRetry, RetryAction, RetryReason};
use aws_smithy_types::retry::ErrorKind;

/// Spacing after the first throttling answer.
pub(crate) const MIN_SPACING: Duration = Duration::from_millis(50);
/// Most spacing between two call starts of one account (sustained throttling).
pub(crate) const MAX_SPACING: Duration = Duration::from_secs(2);
/// Throttling answers closer together than this (or than the current spacing)
/// raise the spacing once.
pub(crate) const WINDOW: Duration = Duration::from_millis(500);
/// A period without throttling that halves the spacing.
pub(crate) const QUIET: Duration = Duration::from_secs(2);

#[derive(Default)]
struct State {
    /// Current spacing between call starts; zero = no pacing.
    spacing: Duration,
    /// Earliest start of the next call.
    next: Option<Instant>,
    /// Last throttling answer or decay step.
    changed: Option<Instant>,
    /// When throttling last raised the spacing.
    raised: Option<Instant>,
    /// Throttling answers seen.
    throttles: u64,
}

/// One account's pacing state.
#[derive(Default)]
pub(crate) struct Pacer(Mutex<State>);

impl fmt::Debug for Pacer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pacer")
    }
}

impl Pacer {
    /// A throttling answer was received.
    pub(crate) fn throttled(&self, now: Instant) {
        let mut s = self.0.lock().expect("pacer lock");
        s.throttles += 1;
        // Quiet periods count from the last throttling answer.
        s.changed = Some(now);
        let window = WINDOW.max(s.spacing);
        if s.raised.is_some_and(|raised| now.saturating_duration_since(raised) < window) {
            return;
        }
        s.spacing = (s.spacing * 2).clamp(MIN_SPACING, MAX_SPACING);
        s.raised = Some(now);
    }

    /// An attempt was answered without throttling.
    pub(crate) fn succeeded(&self) {
        let mut s = self.0.lock().expect("pacer lock");
        if s.spacing.is_zero() {
            return;
        }
        s.spacing = s.spacing * 3 / 4;
        if s.spacing < MIN_SPACING {
            s.spacing = Duration::ZERO;
            s.next = None;
        }
    }

    /// Reserves the start of one call: how long to wait before sending it.
    pub(crate) fn reserve(&self, now: Instant) -> Duration {
        let mut s = self.0.lock().expect("pacer lock");
        if s.spacing.is_zero() {
            return Duration::ZERO;
        }
        // Decay: halve per quiet period since the last change.
        if let Some(changed) = s.changed {
            let quiet_periods = (now.saturating_duration_since(changed).as_millis() / QUIET.as_millis()) as u32;
            if quiet_periods > 0 {
                s.spacing = s.spacing.checked_div(2u32.saturating_pow(quiet_periods)).unwrap_or_default();
                s.changed = Some(now);
                if s.spacing < MIN_SPACING {
                    s.spacing = Duration::ZERO;
                    s.next = None;
                    return Duration::ZERO;
                }
            }
        }
        let start = s.next.map_or(now, |next| next.max(now));
        s.next = Some(start + s.spacing);
        start - now
    }

    /// Throttling answers seen so far.
    #[cfg(test)]
    pub(crate) fn throttles(&self) -> u64 {
        self.0.lock().expect("pacer lock").throttles
    }
}

/// Waits for the account's next call slot (no wait unless it was throttled).
pub(crate) async fn pace(pacer: &Pacer) {
    let wait = pacer.reserve(Instant::now());
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
}

/// Tells a [`Pacer`] (and `--stats`) about every attempt the client's retry
/// classifiers call throttling (the codes in the SDK's list, HTTP 429).
#[derive(Clone)]
pub(crate) struct ThrottleSignal {
    pub pacer: Arc<Pacer>,
    pub service: &'static str,
    pub recorder: super::stats::Recorder,
}

impl fmt::Debug for ThrottleSignal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ThrottleSignal")
    }
}

impl Intercept for ThrottleSignal {
    fn name(&self) -> &'static str {
        "trailaudit::ThrottleSignal"
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        runtime_components: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), aws_sdk_sts::error::BoxError> {
        if !context.inner().is_failed() {
            self.pacer.succeeded();
            return Ok(());
        }
        let throttled = runtime_components.retry_classifiers().any(|classifier| {
            matches!(
                classifier.classify_retry(context.inner()),
                RetryAction::RetryIndicated(RetryReason::RetryableError { kind: ErrorKind::ThrottlingError, .. })
            )
        });
        if throttled {
            self.pacer.throttled(Instant::now());
            self.recorder.throttled(self.service);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_never_throttled_is_never_delayed() {
        let pacer = Pacer::default();
        let now = Instant::now();
        for i in 0..100 {
            assert_eq!(pacer.reserve(now + Duration::from_millis(i)), Duration::ZERO);
        }
    }

    #[test]
    fn a_burst_of_throttling_is_one_signal() {
        let pacer = Pacer::default();
        let now = Instant::now();
        // 24 calls sent together, all throttled.
        for i in 0..24 {
            pacer.throttled(now + Duration::from_millis(i));
        }
        assert_eq!(pacer.throttles(), 24);
        // Calls started at the same instant are spaced MIN_SPACING apart.
        assert_eq!(pacer.reserve(now), Duration::ZERO);
        assert_eq!(pacer.reserve(now), MIN_SPACING);
        assert_eq!(pacer.reserve(now), MIN_SPACING * 2);
    }

    #[test]
    fn sustained_throttling_doubles_the_spacing_up_to_the_cap() {
        let pacer = Pacer::default();
        let start = Instant::now();
        // Throttled every 500 ms for 10 s.
        let mut now = start;
        for _ in 0..20 {
            pacer.throttled(now);
            now += WINDOW;
        }
        let first = pacer.reserve(now);
        let second = pacer.reserve(now);
        assert_eq!(second - first, MAX_SPACING, "sustained throttling is capped at MAX_SPACING");
        // Throttling while the spacing is long raises it at most once per spacing.
        let pacer = Pacer::default();
        pacer.throttled(start); // 50 ms
        pacer.throttled(start + WINDOW); // 100 ms
        pacer.throttled(start + WINDOW + Duration::from_millis(10)); // same window: still 100 ms
        assert_eq!(pacer.reserve(start + WINDOW * 2), Duration::ZERO);
        assert_eq!(pacer.reserve(start + WINDOW * 2), Duration::from_millis(100));
    }

    #[test]
    fn answers_without_throttling_shrink_the_spacing() {
        let pacer = Pacer::default();
        let now = Instant::now();
        pacer.throttled(now); // 50 ms
        pacer.throttled(now + WINDOW); // 100 ms
        pacer.succeeded(); // 75 ms
        assert_eq!(pacer.reserve(now + WINDOW), Duration::ZERO);
        assert_eq!(pacer.reserve(now + WINDOW), Duration::from_millis(75));
        pacer.succeeded(); // 56 ms
        pacer.succeeded(); // 42 ms: below the minimum, no pacing
        assert_eq!(pacer.reserve(now + WINDOW), Duration::ZERO);
        assert_eq!(pacer.reserve(now + WINDOW), Duration::ZERO);
    }

    #[test]
    fn quiet_periods_halve_the_spacing_until_it_is_gone() {
        let pacer = Pacer::default();
        let now = Instant::now();
        for i in 0..3 {
            pacer.throttled(now + WINDOW * i); // 50, 100, 200 ms
        }
        let last = now + WINDOW * 2;
        let t1 = last + QUIET;
        assert_eq!(pacer.reserve(t1), Duration::ZERO);
        assert_eq!(pacer.reserve(t1), Duration::from_millis(100), "one quiet period halves 200 ms");
        let t2 = t1 + QUIET * 2;
        assert_eq!(pacer.reserve(t2), Duration::ZERO);
        assert_eq!(pacer.reserve(t2), Duration::ZERO, "two more quiet periods take 100 ms below the minimum: no pacing");
    }
}
