//! The collector's one way of reading a paginated call: every page handed to
//! a closure, the first failed page ending the read. [`Ctx::pages`] records
//! that failure like any failed call; [`each_page`] hands it back, for the
//! organization discovery that reports its failures its own way.

use std::ops::ControlFlow;

use aws_sdk_sts::error::SdkError;
use aws_smithy_async::future::pagination_stream::PaginationStream;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::context::Ctx;
use crate::snapshot::actions::Action;

/// What the closure given a page says: `()` reads on, [`ControlFlow::Break`]
/// stops before the next page (the item looked for was found).
pub(crate) trait PageStep {
    fn stop(self) -> bool;
}

impl PageStep for () {
    fn stop(self) -> bool {
        false
    }
}

impl PageStep for ControlFlow<()> {
    fn stop(self) -> bool {
        self.is_break()
    }
}

/// Reads pages until the last one, a stop, or the first error, which is
/// returned. What `each` took from earlier pages stays with the caller.
pub(crate) async fn each_page<T, E, S: PageStep>(mut pages: PaginationStream<Result<T, E>>, mut each: impl FnMut(T) -> S) -> Result<(), E> {
    while let Some(page) = pages.next().await {
        if each(page?).stop() {
            break;
        }
    }
    Ok(())
}

impl Ctx {
    /// [`each_page`], with a failed page recorded against `action` (as
    /// [`Ctx::fail`] records any call). `false` when a page failed: the caller
    /// decides whether what the earlier pages gave stands (a partial list of
    /// alarms) or is unknown (`None`).
    pub(crate) async fn pages<T, E, S: PageStep>(
        &self,
        action: Action,
        region: Option<&str>,
        resource: Option<&str>,
        pages: PaginationStream<Result<T, SdkError<E>>>,
        each: impl FnMut(T) -> S,
    ) -> bool
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        match each_page(pages, each).await {
            Ok(()) => true,
            Err(err) => {
                self.fail(action, region, resource, &err);
                false
            }
        }
    }
}
