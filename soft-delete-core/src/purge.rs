//! Emptying the trash of rows deleted before a retention cutoff, in bounded batches.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{
    Condition, DeleteStatement, Expr, ExprTrait, IntoValueTuple, Order, Query, SelectStatement,
    ValueTuple,
};
use sea_orm::{
    ConnectionTrait, DbBackend, EntityTrait, IdenStatic, Iterable, ModelTrait, PrimaryKeyToColumn,
    PrimaryKeyTrait, QueryFilter, QueryOrder, QueryResult, QuerySelect, TryGetableMany,
};

use crate::clock;
use crate::engine::executor::{self, Operation, compound_reason};
use crate::engine::force_delete::force_delete;
use crate::engine::statements::any_of_subquery;
use crate::entity::HasDeletionTime;
use crate::entity::SoftDeleteEntity;
use crate::error::Error;
use crate::hook_context::Origin;
use crate::keys;
use crate::session::TransactionalConnection;
use crate::values::Filters;

/// How far a purge has got, reported after every batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PurgeProgress {
    /// Batches run so far.
    pub batches: u64,
    /// Rows removed so far.
    pub rows_removed: u64,
}

/// Builder of a purge: repeated `DELETE`s of at most `batch_size` trashed rows deleted before
/// the cutoff, lowest primary keys first, until none is left. Made by `Entity::purge_trash(cutoff)`.
///
/// Each batch is one statement, so one transaction of its own when `db` is a connection: a long
/// purge never holds locks on the whole trash, and an interrupted one keeps what it removed.
/// Memory stays constant whatever the size of the table. Active rows, and rows trashed at or
/// after the cutoff, are never touched.
///
/// ```
/// # mod product {
/// #     use sea_orm::entity::prelude::*;
/// #     use soft_delete_core::prelude::*;
/// #     #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
/// #     #[sea_orm(table_name = "product")]
/// #     pub struct Model {
/// #         #[sea_orm(primary_key)]
/// #         pub id: i32,
/// #         pub name: String,
/// #         pub price: i64,
/// #         pub deleted_at: Option<DateTimeUtc>,
/// #     }
/// #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #     pub enum Relation {}
/// #     impl ActiveModelBehavior for ActiveModel {}
/// # }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), soft_delete_core::Error> {
/// # let db = sea_orm::Database::connect("sqlite::memory:").await?;
/// # soft_delete_core::schema::create_table::<product::Entity, _>(&db).await?;
/// # sea_orm::ConnectionTrait::execute_unprepared(&db, "INSERT INTO product (id, name, price) VALUES (1, 'pen', 2), (2, 'desk', 150), (3, 'lamp', 40)").await?;
/// use chrono::{TimeDelta, Utc};
/// use soft_delete_core::clock::{self, ManualClock};
///
/// let long_ago = ManualClock::new(Utc::now() - TimeDelta::days(90));
/// clock::with_clock(long_ago, product::Entity::soft_delete_by_id(1).exec(&db)).await?;
/// product::Entity::soft_delete_by_id(2).exec(&db).await?; // trashed just now: kept
///
/// let done = product::Entity::purge_trash(Utc::now() - TimeDelta::days(30)).exec(&db).await?;
/// assert_eq!(done.rows_removed, 1);
/// # Ok(())
/// # }
/// ```
#[must_use = "a builder does nothing until `.exec(db)`"]
pub struct PurgeTrash<E> {
    cutoff: DateTime<Utc>,
    batch_size: u64,
    on_progress: Option<Box<dyn FnMut(PurgeProgress) + Send>>,
    stop_when: Option<Box<dyn Fn() -> bool + Send>>,
    entity: PhantomData<E>,
}

impl<E> fmt::Debug for PurgeTrash<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PurgeTrash")
            .field("cutoff", &self.cutoff)
            .field("batch_size", &self.batch_size)
            .finish_non_exhaustive()
    }
}

/// The default number of rows per batch.
pub const DEFAULT_PURGE_BATCH: u64 = 1_000;

impl<E: HasDeletionTime> PurgeTrash<E> {
    pub(crate) fn new(cutoff: DateTime<Utc>) -> Self {
        Self {
            // Every stamp is a whole microsecond, so rounding the cutoff up to one keeps
            // `stamp < cutoff` exact on every backend: a stamp 500 ns before the cutoff is
            // before it (truncating would keep that row).
            cutoff: clock::round_up_to_storage_precision(cutoff),
            batch_size: DEFAULT_PURGE_BATCH,
            on_progress: None,
            stop_when: None,
            entity: PhantomData,
        }
    }

    /// Rows per batch (at least 1; default [`DEFAULT_PURGE_BATCH`]).
    pub fn batch_size(mut self, rows: u64) -> Self {
        self.batch_size = Ord::max(rows, 1);
        self
    }

    /// Called after every batch, for long purges.
    pub fn on_progress(mut self, callback: impl FnMut(PurgeProgress) + Send + 'static) -> Self {
        self.on_progress = Some(Box::new(callback));
        self
    }

    /// Asked before every batch: when it answers `true`, the purge returns what it has done so
    /// far without starting another batch (a batch in flight always finishes). This is how a
    /// `Pruner` ([retention](crate::guide::retention#scheduled-purging-the-pruner)) stops cleanly on shutdown.
    pub fn stop_when(mut self, stop: impl Fn() -> bool + Send + 'static) -> Self {
        self.stop_when = Some(Box::new(stop));
        self
    }

    /// The `DELETE` the first batch sends on `backend`; each later one also names only keys
    /// after the last batch's (see [`exec`](Self::exec)).
    pub fn batch_statement(&self, backend: DbBackend) -> DeleteStatement {
        delete_statement::<E>(self.expired(), self.batch_size, &Resume::Start, backend)
    }

    /// Runs batches until the expired trash is empty, or a batch comes back short (see below).
    /// On error, the batches before it stay done.
    ///
    /// The batches walk the primary key upwards (keyset progress): each starts after the keys
    /// the batch before it removed (from its `RETURNING` on PostgreSQL and SQLite when the key is
    /// one integer column, else from a read of the first expired key left after a full batch),
    /// so no batch walks again over rows an earlier one passed, and the purge stops after a
    /// batch that was not full. With the index of
    /// [`schema::purge_index`](crate::schema::purge_index) a batch reads only the trash, in key
    /// order.
    ///
    /// Rows that other transactions change while the purge runs are left to the next purge: a
    /// row trashed with a time before the cutoff behind the batches (a backdated soft delete,
    /// an import), and the rest of the expired trash when a concurrent restore or delete takes
    /// rows out of a batch while it waits for them, which makes that batch come back short.
    ///
    /// For an entity with a cascade graph each batch is a transaction of its own that reads the
    /// batch's keys, then deletes their descendants (of any state), deepest first, and the rows
    /// themselves: a parent is never removed while its children remain.
    pub async fn exec<C: TransactionalConnection>(self, db: &C) -> Result<PurgeProgress, Error> {
        self.run(move |batch| async move { executor::exec(batch, db).await })
            .await
    }

    /// Runs the batches on a connection that cannot open a transaction: it fails with
    /// [`Error::NeedsTransaction`], having sent nothing, when the entity has cascades or hooks
    /// (each batch is then a transaction of its own).
    pub async fn exec_without_transaction<C: ConnectionTrait>(
        self,
        db: &C,
    ) -> Result<PurgeProgress, Error> {
        self.run(move |batch| async move { executor::exec_without_transaction(batch, db).await })
            .await
    }

    /// Runs `purge` on batches until no expired row is left. A batch that comes back short does
    /// not end the pass by itself: a concurrent restore can take rows out of a batch while more
    /// expired rows follow it, so the batch looks for the next expired row before it says so.
    async fn run<F, Fut>(self, mut purge: F) -> Result<PurgeProgress, Error>
    where
        F: FnMut(PurgeBatch<E>) -> Fut,
        Fut: Future<Output = Result<BatchDone, Error>>,
    {
        // A graph, or hooks that need the keys: each batch names its keys.
        let with_descendants = compound_reason::<E>(false)?.is_some();
        let batch_size = if with_descendants {
            Ord::min(self.batch_size, keys::keys_per_statement::<E>() as u64)
        } else {
            self.batch_size
        };
        let mut batch = PurgeBatch::<E> {
            expired: self.expired(),
            size: batch_size,
            resume: Resume::Start,
            entity: PhantomData,
        };
        // Owned, so the future holds no borrow of the (not `Sync`) callback across awaits.
        let mut on_progress = self.on_progress;
        let stop_when = self.stop_when;
        let mut progress = PurgeProgress {
            batches: 0,
            rows_removed: 0,
        };
        loop {
            if stop_when.as_ref().is_some_and(|stop| stop()) {
                return Ok(progress);
            }
            let done = purge(batch.clone()).await?;
            progress.batches += 1;
            progress.rows_removed += done.removed;
            if let Some(callback) = &mut on_progress {
                callback(progress);
            }
            match done.next {
                // A batch that removed nothing and would start the next one where it started
                // itself cannot make progress this pass.
                Some(resume) if done.removed == 0 && resume == batch.resume => {
                    return Ok(progress);
                }
                Some(resume) => batch.resume = resume,
                None => return Ok(progress),
            }
        }
    }

    fn expired(&self) -> Expr {
        E::deleted_before(self.cutoff)
    }
}

/// Where a batch starts in primary-key order.
#[derive(Clone, Debug, PartialEq)]
enum Resume {
    Start,
    /// At this key (the first expired key a `DELETE` batch left).
    From(ValueTuple),
    /// After this key (the last key a batch that read its keys removed).
    After(ValueTuple),
}

impl Resume {
    fn condition<E: EntityTrait>(&self) -> Option<Expr> {
        match self {
            Self::Start => None,
            Self::From(key) => Some(keys::keys_from::<E>(key, true)),
            Self::After(key) => Some(keys::keys_from::<E>(key, false)),
        }
    }
}

/// The `DELETE` of one batch: the first `size` expired rows from `resume` in key order.
fn delete_statement<E: SoftDeleteEntity>(
    expired: Expr,
    size: u64,
    resume: &Resume,
    backend: DbBackend,
) -> DeleteStatement {
    let mut picked = Condition::all().add(expired.clone());
    if let Some(from) = resume.condition::<E>() {
        picked = picked.add(from);
    }
    let mut delete = Query::delete();
    delete.from_table(E::default());
    match backend {
        // MariaDB and MySQL reject LIMIT inside `IN (subquery)` and a subquery on the table
        // being deleted from, but accept ORDER BY and LIMIT on the DELETE itself.
        DbBackend::MySql => {
            delete.cond_where(picked).limit(size);
            for key in E::PrimaryKey::iter() {
                delete.order_by((E::default(), key.into_column()), Order::Asc);
            }
        }
        // PostgreSQL has no DELETE .. LIMIT: pick the batch's keys in a subquery.
        _ => {
            let mut batch = SelectStatement::new();
            batch.from(E::default()).cond_where(picked).limit(size);
            for key in E::PrimaryKey::iter() {
                batch.column((E::default(), key.into_column()));
                batch.order_by((E::default(), key.into_column()), Order::Asc);
            }
            let mut keys: Vec<Expr> = E::PrimaryKey::iter()
                .map(|key| Expr::col((E::default(), key.into_column())))
                .collect();
            let picked = match (backend, keys.len()) {
                // `IN (subquery)` lets PostgreSQL's planner join the batch's keys to the table,
                // and it chose a hash join over the whole table, several times slower than
                // looking the batch's keys up (S8 in `BENCHMARKS.md`). An array of the keys,
                // computed once, is looked up by the primary key.
                (DbBackend::Postgres, 1) => any_of_subquery(keys.remove(0), batch),
                _ => Expr::tuple(keys).in_subquery(batch),
            };
            // The condition again on the DELETE itself: PostgreSQL re-checks it on a row a
            // concurrent restore changed while the DELETE waited, and the subquery's
            // snapshot would still call that row expired.
            delete.and_where(picked).and_where(expired);
        }
    }
    delete
}

/// The highest of the keys in `rows` (one key per row, as `RETURNING` gave them), when the key
/// is one integer column.
fn highest_integer_key<E: EntityTrait>(rows: &[QueryResult]) -> Option<ValueTuple> {
    let columns: Vec<String> = E::PrimaryKey::iter()
        .map(|key| key.into_column().as_str().to_owned())
        .collect();
    let mut highest: Option<(i64, ValueTuple)> = None;
    for row in rows {
        let key = <E::PrimaryKey as PrimaryKeyTrait>::ValueType::try_get_many(row, "", &columns)
            .ok()?
            .into_value_tuple();
        let (number, _) = keys::integer_key(&key)?;
        if highest.as_ref().is_none_or(|(top, _)| number > *top) {
            highest = Some((number, key));
        }
    }
    highest.map(|(_, key)| key)
}

/// What one batch did: the rows it removed (the rows it picked and, in a tree, their
/// descendant nodes), and where the next batch starts while expired rows are left.
struct BatchDone {
    removed: u64,
    next: Option<Resume>,
}

/// One batch of a purge.
struct PurgeBatch<E> {
    /// Trashed before the cutoff.
    expired: Expr,
    size: u64,
    resume: Resume,
    entity: PhantomData<fn() -> E>,
}

impl<E> Clone for PurgeBatch<E> {
    fn clone(&self) -> Self {
        Self {
            expired: self.expired.clone(),
            size: self.size,
            resume: self.resume.clone(),
            entity: PhantomData,
        }
    }
}

impl<E: SoftDeleteEntity> PurgeBatch<E> {
    /// The first expired key at or after where this batch started: after a full `DELETE`
    /// batch, where the next one starts. One short read along the key (or the purge index),
    /// and `None` ends the purge without a `DELETE` that would find nothing.
    async fn first_expired_key<C: ConnectionTrait>(
        &self,
        db: &C,
    ) -> Result<Option<ValueTuple>, Error> {
        let mut probe = E::find().select_only().filter(self.expired.clone());
        if let Some(from) = self.resume.condition::<E>() {
            probe = probe.filter(from);
        }
        for key in E::PrimaryKey::iter() {
            probe = probe
                .column(key.into_column())
                .order_by_asc(key.into_column());
        }
        let key: Option<<E::PrimaryKey as PrimaryKeyTrait>::ValueType> =
            probe.into_tuple().one(db).await?;
        Ok(key.map(IntoValueTuple::into_value_tuple))
    }
}

impl<E: SoftDeleteEntity> Operation for PurgeBatch<E> {
    type Entity = E;
    type Output = BatchDone;
    const NAME: &'static str = "purge_trash";

    fn compound_reason(&self, _: &impl ConnectionTrait) -> Result<Option<&'static str>, Error> {
        compound_reason::<E>(false)
    }

    /// One `DELETE`. Where it can return the keys it removed (PostgreSQL, SQLite) and they are
    /// integers, a full batch is followed by one that starts after the highest; otherwise by a
    /// read of the first expired key left. A short batch is followed by that read too: it ends
    /// the purge only when nothing expired is left.
    async fn run_alone<C: ConnectionTrait>(&self, db: &C) -> Result<Option<BatchDone>, Error> {
        let backend = db.get_database_backend();
        let mut delete =
            delete_statement::<E>(self.expired.clone(), self.size, &self.resume, backend);
        let (removed, highest) = if backend != DbBackend::MySql && db.support_returning() {
            for key in E::PrimaryKey::iter() {
                delete.returning_col(key.into_column());
            }
            let rows = db.query_all(&delete).await?;
            (rows.len() as u64, highest_integer_key::<E>(&rows))
        } else {
            (db.execute(&delete).await?.rows_affected(), None)
        };
        let next = if removed < self.size {
            self.first_expired_key(db).await?.map(Resume::From)
        } else if let Some(highest) = highest {
            Some(Resume::After(highest))
        } else {
            self.first_expired_key(db).await?.map(Resume::From)
        };
        Ok(Some(BatchDone { removed, next }))
    }

    /// Reads the batch's keys (locked, so that no restore brings a picked row back before it is
    /// deleted), then force-deletes those rows and their descendants.
    async fn run<C: ConnectionTrait>(&self, txn: &C) -> Result<BatchDone, Error> {
        let mut batch = E::find().filter(self.expired.clone()).limit(self.size);
        if let Some(from) = self.resume.condition::<E>() {
            batch = batch.filter(from);
        }
        for key in E::PrimaryKey::iter() {
            batch = batch.order_by_asc(key.into_column());
        }
        let backend = txn.get_database_backend();
        if backend != DbBackend::Sqlite {
            batch = batch.lock_exclusive();
        }
        let keys: Vec<ValueTuple> = batch
            .all(txn)
            .await?
            .iter()
            .map(ModelTrait::get_primary_key_value)
            .collect();
        let Some(last) = keys.last().cloned() else {
            return Ok(BatchDone {
                removed: 0,
                next: self.first_expired_key(txn).await?.map(Resume::From),
            });
        };
        let filters = Filters::new().with(keys::keys_condition::<E>(&keys, backend));
        let changed = force_delete::<E, _>(txn, &filters, Origin::Purge).await?;
        let table = E::default().table_name();
        let in_tree = changed.cascaded.get(table);
        // A short pick (PostgreSQL skips rows a concurrent restore changed while it waited for
        // their lock) ends the purge only when nothing expired is left.
        let next = if (keys.len() as u64) < self.size {
            self.first_expired_key(txn).await?.map(Resume::From)
        } else {
            Some(Resume::After(last))
        };
        Ok(BatchDone {
            removed: changed.rows + in_tree,
            next,
        })
    }
}
