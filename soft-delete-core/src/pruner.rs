//! Scheduled purging of expired trash: Laravel's `model:prune`, as a task of your service or a
//! one-shot call from a cron job.
//!
//! A [`Pruner`] knows, per entity, how long trashed rows are kept. Each *pass* purges every
//! entity's trash deleted before `now - retention` with [`PurgeTrash`](crate::PurgeTrash), in
//! its bounded batches, one entity after the other. [`Pruner::run_until`] runs a pass every
//! interval until a shutdown future completes; [`Pruner::run_once`] runs one pass.
//!
//! Progress goes to [`tracing`](https://docs.rs/tracing) under the target
//! `soft_delete_core::pruner`: a `DEBUG` event per batch (`table`, `batch`, `rows`, `total`), an
//! `INFO` event per entity (`table`, `rows`, `batches`, `elapsed_ms`, or `ERROR` with the error)
//! and per pass (`rows`, `entities`, `stopped`).
//!
//! ```
//! # mod post {
//! #     use sea_orm::entity::prelude::*;
//! #     use soft_delete_core::prelude::*;
//! #     #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
//! #     #[sea_orm(table_name = "post")]
//! #     pub struct Model {
//! #         #[sea_orm(primary_key)]
//! #         pub id: i32,
//! #         pub title: String,
//! #         pub deleted_at: Option<DateTimeUtc>,
//! #     }
//! #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
//! #     pub enum Relation {}
//! #     impl ActiveModelBehavior for ActiveModel {}
//! # }
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), soft_delete_core::Error> {
//! # let db = sea_orm::Database::connect("sqlite::memory:").await?;
//! # soft_delete_core::schema::create_table::<post::Entity, _>(&db).await?;
//! # sea_orm::ConnectionTrait::execute_unprepared(&db, "INSERT INTO post (id, title) VALUES (1, 'old'), (2, 'new')").await?;
//! use std::time::Duration;
//! use chrono::{TimeDelta, Utc};
//! use soft_delete_core::clock::{self, ManualClock};
//! use soft_delete_core::pruner::Pruner;
//! use soft_delete_core::prelude::*;
//!
//! let long_ago = ManualClock::new(Utc::now() - TimeDelta::days(45));
//! clock::with_clock(long_ago, post::Entity::soft_delete_by_id(1).exec(&db)).await?;
//! post::Entity::soft_delete_by_id(2).exec(&db).await?;
//!
//! let pruner = Pruner::new(db)
//!     .retain::<post::Entity>(TimeDelta::days(30))
//!     .every(Duration::from_secs(3600));
//!
//! // From a cron job: one pass.
//! let report = pruner.run_once().await;
//! assert_eq!(report.rows_removed(), 1);
//! report.into_result()?;
//!
//! // In a service: a pass now and every hour after, until shutdown.
//! let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
//! let task = tokio::spawn(pruner.run_until(async { let _ = stopped.await; }));
//! stop.send(()).ok();
//! task.await.expect("the pruner task does not panic");
//! # Ok(())
//! # }
//! ```
//!
//! Passes of one pruner (and of its clones) never overlap: a pass waits for the one running to
//! end, and a scheduled pass that comes due while another runs starts after it. Passes of
//! *different* pruners, in other processes for example, may run at the same time; that is safe,
//! since each batch deletes only expired trash, but the second one may stop early (a batch
//! that comes back short ends a purge) and leave the rest to its next pass.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use tokio::sync::{Mutex, Notify};

use crate::clock;
use crate::entity::HasDeletionTime;
use crate::error::Error;
use crate::ext::SoftDeleteEntityExt;
use crate::purge::{DEFAULT_PURGE_BATCH, PurgeProgress};
use crate::session::TransactionalConnection;

/// The default time between the starts of two scheduled passes: one hour.
pub const DEFAULT_PRUNE_INTERVAL: Duration = Duration::from_secs(3600);

/// A deadline that does not come: about 30 years.
const FAR_FUTURE: Duration = Duration::from_secs(30 * 365 * 24 * 3600);

type PurgeFuture<'a> = Pin<Box<dyn Future<Output = Result<PurgeProgress, Error>> + Send + 'a>>;

/// What one entity's purge is given.
struct PurgeRun {
    cutoff: DateTime<Utc>,
    batch_size: u64,
    table: &'static str,
    shared: Arc<Shared>,
}

/// One entity and its retention.
struct Retained<C> {
    table: &'static str,
    retention: TimeDelta,
    purge: for<'a> fn(&'a C, PurgeRun) -> PurgeFuture<'a>,
}

impl<C> Clone for Retained<C> {
    fn clone(&self) -> Self {
        Self {
            table: self.table,
            retention: self.retention,
            purge: self.purge,
        }
    }
}

/// What the clones of a pruner share.
#[derive(Default)]
struct Shared {
    /// Held for the whole of a pass.
    pass: Mutex<()>,
    /// Set once shutdown was asked for; checked before every batch.
    stopping: AtomicBool,
    /// Wakes the schedule from its sleep on shutdown.
    wake: Notify,
    /// Called after every batch, with the table's name.
    on_batch: Option<Box<dyn Fn(&'static str, PurgeProgress) + Send + Sync>>,
}

impl Shared {
    fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wakes the schedules sleeping now (clones may each run one), and `notify_one` keeps a
        // permit for a sleep that has not started yet (which also sees the flag first).
        self.wake.notify_waiters();
        self.wake.notify_one();
    }

    fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }
}

/// Purges expired trash of several entities, once or on a schedule (see the
/// [module documentation](self)).
///
/// Cloning is cheap; clones share the guarantee that passes never overlap, and a shutdown.
pub struct Pruner<C> {
    db: Arc<C>,
    entities: Vec<Retained<C>>,
    batch_size: u64,
    interval: Duration,
    shared: Arc<Shared>,
}

impl<C> Clone for Pruner<C> {
    fn clone(&self) -> Self {
        Self {
            db: Arc::clone(&self.db),
            entities: self.entities.clone(),
            batch_size: self.batch_size,
            interval: self.interval,
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<C> fmt::Debug for Pruner<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pruner")
            .field(
                "entities",
                &self
                    .entities
                    .iter()
                    .map(|entity| (entity.table, entity.retention))
                    .collect::<Vec<_>>(),
            )
            .field("batch_size", &self.batch_size)
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

impl<C: TransactionalConnection + Send + Sync + 'static> Pruner<C> {
    /// A pruner of nothing yet over `db`, with batches of [`DEFAULT_PURGE_BATCH`] rows and a pass
    /// every [`DEFAULT_PRUNE_INTERVAL`].
    pub fn new(db: C) -> Self {
        Self {
            db: Arc::new(db),
            entities: Vec::new(),
            batch_size: DEFAULT_PURGE_BATCH,
            interval: DEFAULT_PRUNE_INTERVAL,
            shared: Arc::default(),
        }
    }

    /// Keeps `E`'s trashed rows for `retention` after their deletion time; older ones are
    /// purged, with their cascade descendants (see [`PurgeTrash`](crate::PurgeTrash)).
    /// Entities are purged in the order they are added: add children before their parents when
    /// both have a retention, so that a parent's purge finds fewer descendants to remove.
    pub fn retain<E: HasDeletionTime>(mut self, retention: TimeDelta) -> Self {
        self.entities.push(Retained {
            table: E::default().table_name(),
            retention,
            purge: purge_entity::<E, C>,
        });
        self
    }

    /// Rows per batch (at least 1; default [`DEFAULT_PURGE_BATCH`]).
    pub fn batch_size(mut self, rows: u64) -> Self {
        self.batch_size = Ord::max(rows, 1);
        self
    }

    /// The time between the starts of two scheduled passes (default
    /// [`DEFAULT_PRUNE_INTERVAL`]). A pass that takes longer delays the next one; passes never
    /// pile up.
    pub fn every(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Called after every batch with the entity's table name and its purge's progress so far,
    /// besides the `tracing` events: for metrics, or a progress bar.
    ///
    /// # Panics
    ///
    /// When called on a pruner that has been cloned: clones share their callback.
    pub fn on_batch(
        mut self,
        callback: impl Fn(&'static str, PurgeProgress) + Send + Sync + 'static,
    ) -> Self {
        Arc::get_mut(&mut self.shared)
            .expect("on_batch is set before the pruner is cloned")
            .on_batch = Some(Box::new(callback));
        self
    }

    /// Runs one pass now, after any pass of this pruner (or its clones) that is running: each
    /// entity's expired trash is purged in batches. An entity whose purge fails does not stop
    /// the others; the report holds every outcome.
    ///
    /// Once this pruner or a clone has been shut down ([`run_until`](Self::run_until)), a pass
    /// purges nothing and reports `stopped`.
    pub async fn run_once(&self) -> PruneReport {
        let _pass = self.shared.pass.lock().await;
        self.pass().await
    }

    /// Runs one pass now, as [`run_once`](Self::run_once), stopping after the batch in flight
    /// when `shutdown` completes first (no batch is cut off; what was purged stays purged). The
    /// report then says `stopped` and counts every row the pass purged: what a command-line
    /// purge prints when it is interrupted.
    ///
    /// Like [`run_until`](Self::run_until), a shutdown stops this pruner and its clones for good.
    pub async fn run_once_until(&self, shutdown: impl Future<Output = ()> + Send) -> PruneReport {
        let pass = self.run_once();
        tokio::pin!(pass);
        tokio::select! {
            biased;
            () = shutdown => {
                tracing::info!(target: "soft_delete_core::pruner", "pruner stopping");
                self.shared.stop();
                pass.await
            }
            report = &mut pass => report,
        }
    }

    /// Runs a pass at once and then every interval until `shutdown` completes. On shutdown, a
    /// running pass stops after its batch in flight (no batch is cut off; what was purged stays
    /// purged) and no further pass starts. Errors are reported through `tracing` and the next
    /// pass runs as scheduled.
    ///
    /// With axum or hyper, pass the same kind of future as to their graceful shutdown; see the
    /// [module documentation](self).
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send) {
        let schedule = self.schedule();
        tokio::pin!(schedule);
        // Shutdown first: whenever the schedule waits, for the database or for its next pass, a
        // shutdown that has come is seen before the schedule goes on.
        tokio::select! {
            biased;
            () = shutdown => {
                tracing::info!(target: "soft_delete_core::pruner", "pruner stopping");
                self.shared.stop();
                schedule.await;
            }
            () = &mut schedule => {}
        }
    }

    async fn schedule(&self) {
        loop {
            // A pass that came due at once still lets `run_until` look at its shutdown first.
            tokio::task::yield_now().await;
            if self.shared.is_stopping() {
                return;
            }
            let started = tokio::time::Instant::now();
            let _ = self.run_once().await;
            if self.shared.is_stopping() {
                return;
            }
            // An interval past what the timer can add (`Duration::MAX`) means "not again".
            let due = started
                .checked_add(self.interval)
                .unwrap_or_else(|| started + FAR_FUTURE);
            tokio::select! {
                () = tokio::time::sleep_until(due) => {}
                () = self.shared.wake.notified() => {}
            }
        }
    }

    async fn pass(&self) -> PruneReport {
        let now = clock::now();
        let mut report = PruneReport {
            entities: Vec::with_capacity(self.entities.len()),
            stopped: false,
        };
        for entity in &self.entities {
            if self.shared.is_stopping() {
                report.stopped = true;
                break;
            }
            let cutoff = now - entity.retention;
            let started = Instant::now();
            let run = PurgeRun {
                cutoff,
                batch_size: self.batch_size,
                table: entity.table,
                shared: Arc::clone(&self.shared),
            };
            let outcome = (entity.purge)(&self.db, run).await;
            let elapsed = started.elapsed();
            match &outcome {
                Ok(done) => tracing::info!(
                    target: "soft_delete_core::pruner",
                    table = entity.table,
                    rows = done.rows_removed,
                    batches = done.batches,
                    elapsed_ms = elapsed.as_millis() as u64,
                    %cutoff,
                    "purged expired trash"
                ),
                Err(error) => tracing::error!(
                    target: "soft_delete_core::pruner",
                    table = entity.table,
                    %error,
                    %cutoff,
                    "purging expired trash failed"
                ),
            }
            report.entities.push(EntityPrune {
                table: entity.table,
                cutoff,
                elapsed,
                outcome,
            });
        }
        report.stopped |= self.shared.is_stopping();
        tracing::info!(
            target: "soft_delete_core::pruner",
            rows = report.rows_removed(),
            entities = report.entities.len(),
            failed = report.failures().count(),
            stopped = report.stopped,
            "pruning pass done"
        );
        report
    }
}

fn purge_entity<E: HasDeletionTime, C: TransactionalConnection + Send + Sync>(
    db: &C,
    run: PurgeRun,
) -> PurgeFuture<'_> {
    let PurgeRun {
        cutoff,
        batch_size,
        table,
        shared,
    } = run;
    let stop = Arc::clone(&shared);
    let mut last_rows = 0;
    let purge = E::purge_trash(cutoff)
        .batch_size(batch_size)
        .stop_when(move || stop.is_stopping())
        .on_progress(move |progress| {
            tracing::debug!(
                target: "soft_delete_core::pruner",
                table,
                batch = progress.batches,
                rows = progress.rows_removed - last_rows,
                total = progress.rows_removed,
                "purged a batch"
            );
            last_rows = progress.rows_removed;
            if let Some(callback) = &shared.on_batch {
                callback(table, progress);
            }
        });
    Box::pin(purge.exec(db))
}

/// What a pass did, per entity in the pruner's order.
#[derive(Debug)]
#[non_exhaustive]
pub struct PruneReport {
    /// One entry per entity the pass reached.
    pub entities: Vec<EntityPrune>,
    /// Whether shutdown was asked for during the pass (or before it): an entity's purge may
    /// have stopped between batches and later entities may not have been reached, or the
    /// shutdown came after the last batch and the pass is complete anyway.
    pub stopped: bool,
}

impl PruneReport {
    /// Rows removed in all entities (cascade descendants of purged rows not counted).
    pub fn rows_removed(&self) -> u64 {
        self.entities
            .iter()
            .filter_map(|entity| entity.outcome.as_ref().ok())
            .map(|done| done.rows_removed)
            .sum()
    }

    /// The entities whose purge failed, with their errors.
    pub fn failures(&self) -> impl Iterator<Item = (&'static str, &Error)> {
        self.entities.iter().filter_map(|entity| {
            entity
                .outcome
                .as_ref()
                .err()
                .map(|error| (entity.table, error))
        })
    }

    /// The report, or the first entity's error: for a cron job that should exit non-zero.
    pub fn into_result(self) -> Result<Self, Error> {
        let first_error = self.failures().next().map(|(_, error)| error.clone());
        match first_error {
            Some(error) => Err(error),
            None => Ok(self),
        }
    }
}

/// One entity's part of a pass.
#[derive(Debug)]
#[non_exhaustive]
pub struct EntityPrune {
    /// The entity's table name.
    pub table: &'static str,
    /// Rows trashed before this time were expired.
    pub cutoff: DateTime<Utc>,
    /// How long the purge took.
    pub elapsed: Duration,
    /// Its batches and rows, or the error that ended it (the batches before it stay done).
    pub outcome: Result<PurgeProgress, Error>,
}
