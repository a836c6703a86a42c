//! `join_all` for a dynamic number of futures on the current task, so that
//! borrowed state (options, contexts) can be shared without `'static` spawns
//! and without pulling in the `futures` crate for one function.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::Poll;

/// Polls every future until all are done; outputs keep the input order.
pub(crate) async fn join_all<F: Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut pending: Vec<Option<Pin<Box<F>>>> = futures.into_iter().map(|f| Some(Box::pin(f))).collect();
    let mut outputs: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    poll_fn(|cx| {
        let mut all_done = true;
        for (slot, out) in pending.iter_mut().zip(outputs.iter_mut()) {
            if let Some(fut) = slot {
                match fut.as_mut().poll(cx) {
                    Poll::Ready(value) => {
                        *out = Some(value);
                        *slot = None;
                    }
                    Poll::Pending => all_done = false,
                }
            }
        }
        if all_done { Poll::Ready(()) } else { Poll::Pending }
    })
    .await;
    outputs.into_iter().map(|o| o.expect("every future completed")).collect()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn keeps_order_and_runs_concurrently() {
        let in_flight = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let futs = (0..4u64).map(|i| {
            let (in_flight, peak) = (&in_flight, &peak);
            async move {
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(10 * (4 - i))).await;
                in_flight.fetch_sub(1, Ordering::SeqCst);
                i
            }
        });
        assert_eq!(super::join_all(futs).await, vec![0, 1, 2, 3]);
        assert_eq!(peak.load(Ordering::SeqCst), 4, "all four were in flight together");
    }
}
