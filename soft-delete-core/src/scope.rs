//! Who is sending a statement, as the leak guard needs to know: this library (whose force delete,
//! purge and engine reads are meant to reach the trash), or application code, perhaps inside an
//! `allow_trashed` / `allow_hard_delete` block.
//!
//! The scope is a thread-local set while the scoped future is polled and restored after, so it
//! follows the future across threads and ends with it; futures it spawns are not in it. (Not a
//! `tokio::task_local!`: its value is fixed when the future is created, so that
//! `allow_trashed(allow_hard_delete(f))` would allow only hard deletes. Here each scope changes
//! the enclosing access when polled, so scopes compose.)

#[cfg(feature = "guard")]
use std::cell::Cell;
use std::future::Future;
#[cfg(feature = "guard")]
use std::pin::Pin;
#[cfg(feature = "guard")]
use std::task::{Context, Poll};

#[cfg(feature = "guard")]
/// What the statements sent now may do without being reported.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Access {
    /// Sent by this library's own operations: nothing is reported.
    pub(crate) library: bool,
    /// Reads and writes of trashed rows are intended.
    pub(crate) trashed: bool,
    /// Hard deletes are intended.
    pub(crate) hard_delete: bool,
}

#[cfg(feature = "guard")]
thread_local! {
    static CURRENT: Cell<Access> = const {
        Cell::new(Access { library: false, trashed: false, hard_delete: false })
    };
}

#[cfg(feature = "guard")]
/// The access of the statement being sent.
pub(crate) fn current() -> Access {
    CURRENT.with(Cell::get)
}

#[cfg(feature = "guard")]
/// `future`, polled with the access `change` makes of the enclosing one.
pub(crate) fn scoped<F: Future>(future: F, change: fn(Access) -> Access) -> Scoped<F> {
    Scoped { future, change }
}

/// The library's own statements: nothing it sends is reported.
#[cfg(feature = "guard")]
pub(crate) fn library<F: Future>(future: F) -> impl Future<Output = F::Output> {
    scoped(future, |access| Access {
        library: true,
        ..access
    })
}

/// Without the guard nobody asks, and the scope costs nothing.
#[cfg(not(feature = "guard"))]
pub(crate) fn library<F: Future>(future: F) -> F {
    future
}

/// Application code called by the library (hooks): checked again, with the allowances of the
/// application code around the operation.
#[cfg(feature = "guard")]
pub(crate) fn application<F: Future>(future: F) -> impl Future<Output = F::Output> {
    scoped(future, |access| Access {
        library: false,
        ..access
    })
}

#[cfg(not(feature = "guard"))]
pub(crate) fn application<F: Future>(future: F) -> F {
    future
}

#[cfg(feature = "guard")]
pin_project_lite::pin_project! {
    /// A future polled within a scope. It holds the future in place: boxing it cost an
    /// operation a large allocation and a copy of its state (S2: ~1,000 client instructions).
    #[derive(Debug)]
    pub struct Scoped<F> {
        #[pin]
        future: F,
        change: fn(Access) -> Access,
    }
}

#[cfg(feature = "guard")]
impl<F: Future> Future for Scoped<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let outer = current();
        let _restore = Restore(outer);
        CURRENT.with(|current| current.set((this.change)(outer)));
        this.future.poll(cx)
    }
}

#[cfg(feature = "guard")]
/// Puts the enclosing access back, also when the future panics.
struct Restore(Access);

#[cfg(feature = "guard")]
impl Drop for Restore {
    fn drop(&mut self) {
        CURRENT.with(|current| current.set(self.0));
    }
}

#[cfg(all(test, feature = "guard"))]
mod tests {
    use super::*;

    fn trashed(access: Access) -> Access {
        Access {
            trashed: true,
            ..access
        }
    }

    fn library(access: Access) -> Access {
        Access {
            library: true,
            ..access
        }
    }

    fn application(access: Access) -> Access {
        Access {
            library: false,
            ..access
        }
    }

    #[tokio::test]
    async fn scopes_nest_and_end_with_their_future() {
        assert_eq!(current(), Access::default());
        let seen = scoped(
            async {
                let outer = current();
                let inner = scoped(scoped(async { current() }, application), library).await;
                (outer, inner, current())
            },
            trashed,
        )
        .await;
        let allowed = Access {
            trashed: true,
            ..Access::default()
        };
        assert_eq!(seen.0, allowed);
        assert_eq!(
            seen.1, allowed,
            "application code inside the library keeps the allowance"
        );
        assert_eq!(seen.2, allowed);
        assert_eq!(current(), Access::default());
    }

    #[tokio::test]
    async fn nested_allowances_add_up() {
        fn hard_delete(access: Access) -> Access {
            Access {
                hard_delete: true,
                ..access
            }
        }
        let inner = scoped(async { current() }, hard_delete);
        let seen = scoped(inner, trashed).await;
        assert!(seen.trashed && seen.hard_delete, "{seen:?}");
    }

    #[tokio::test]
    async fn a_scope_is_left_between_polls() {
        let (sender, receiver) = tokio::sync::oneshot::channel::<()>();
        let waiting = tokio::spawn(scoped(
            async move {
                receiver.await.ok();
                current()
            },
            trashed,
        ));
        tokio::task::yield_now().await;
        assert_eq!(current(), Access::default());
        sender.send(()).ok();
        assert!(waiting.await.expect("task").trashed);
    }
}
