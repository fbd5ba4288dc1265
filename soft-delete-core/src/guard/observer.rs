//! Leak reports where the application holds a plain `DatabaseConnection` and cannot swap in a
//! [`GuardedConnection`](super::GuardedConnection) (every SeaORM example, Loco's `AppContext`):
//! SeaORM calls its metric callback after each statement, so the observer sees every statement
//! the connection sends and reports the leaks among them, as the guard's warn mode does. It runs
//! after the statement: it reports, it cannot refuse.

use std::sync::Arc;

use sea_orm::metric::Info;
use sea_orm::{ConnectionTrait, DatabaseConnection};

use super::{Guard, GuardMode, Leak, remember_write};

/// The observer [`observe`] installed: the leaks it has reported.
#[derive(Clone, Debug)]
pub struct LeakObserver {
    guard: Arc<Guard>,
}

impl LeakObserver {
    /// Every distinct leak reported so far, on the connection and its transactions: for a test
    /// that runs the application's workload and asserts none.
    pub fn leaks(&self) -> Vec<Leak> {
        self.guard.reported_leaks()
    }
}

/// Reports every leak `db` (and each transaction begun on it afterwards) sends, with a `tracing`
/// warning once per statement text, as [`GuardMode::Warn`] does. It replaces a metric callback
/// already set on `db`; [`observe_after`] keeps one. Set it before cloning `db`: SeaORM keeps
/// the callback per clone.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), sea_orm::DbErr> {
/// let mut db = sea_orm::Database::connect("sqlite::memory:").await?;
/// let observer = soft_delete_core::guard::observe(&mut db);
/// // ... the application runs on `db` as before ...
/// assert!(observer.leaks().is_empty());
/// # Ok(())
/// # }
/// ```
pub fn observe(db: &mut DatabaseConnection) -> LeakObserver {
    observe_after(db, |_: &Info<'_>| {})
}

/// [`observe`], calling `previous` (the metric callback the application sets: timings, logs)
/// first for each statement.
pub fn observe_after<F>(db: &mut DatabaseConnection, previous: F) -> LeakObserver
where
    F: Fn(&Info<'_>) + Send + Sync + 'static,
{
    let guard = Arc::new(Guard::new(GuardMode::Warn));
    let backend = db.get_database_backend();
    let reads_back = !db.support_returning();
    let watching = Arc::clone(&guard);
    db.set_metric_callback(move |info: &Info<'_>| {
        previous(info);
        if !info.failed {
            watching.observe(info.statement, backend, reads_back);
        }
    });
    LeakObserver { guard }
}

impl Guard {
    /// Checks a statement that ran. SeaORM's read-back of a row it just wrote (backends without
    /// `RETURNING`) comes next on the same thread, in the same poll: the thread stands for the
    /// task here, since a callback has no waker to tell tasks apart.
    fn observe(
        &self,
        statement: &sea_orm::Statement,
        backend: sea_orm::DbBackend,
        reads_back: bool,
    ) {
        let task = this_thread();
        // Warn mode reports and never refuses; what is left to do is to remember a write.
        if let Ok(Some(verdict)) =
            self.check(&statement.sql, statement.values.as_ref(), backend, task)
            && reads_back
            && let Some(row) = &verdict.writes_one_row
        {
            remember_write(self, task, row, statement, None);
        }
    }
}

/// A number for the current thread, distinct from every other live thread's.
fn this_thread() -> usize {
    thread_local! {
        static MARK: u8 = const { 0 };
    }
    MARK.with(|mark| mark as *const u8 as usize)
}
