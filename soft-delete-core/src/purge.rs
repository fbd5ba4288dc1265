//! Emptying the trash of rows deleted before a retention cutoff, in bounded batches.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{
    DeleteStatement, Expr, ExprTrait, Order, Query, SelectStatement, ValueTuple,
};
use sea_orm::{
    ConnectionTrait, DbBackend, Iterable, ModelTrait, PrimaryKeyToColumn, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::clock;
use crate::engine::executor::{self, Operation, compound_reason};
use crate::engine::force_delete::force_delete;
use crate::entity::SoftDeleteEntity;
use crate::error::Error;
use crate::hook_context::Origin;
use crate::keys;
use crate::marker::HasDeletionTime;
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
            // Truncated exactly like every stamp, so that `stamp < cutoff` means the same on
            // every backend whatever precision each keeps.
            cutoff: clock::to_storage_precision(cutoff),
            batch_size: DEFAULT_PURGE_BATCH,
            on_progress: None,
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

    /// The `DELETE` each batch sends on `backend`.
    pub fn batch_statement(&self, backend: DbBackend) -> DeleteStatement {
        let expired = self.expired();
        let mut delete = Query::delete();
        delete.from_table(E::default());
        match backend {
            // MariaDB and MySQL reject LIMIT inside `IN (subquery)` and a subquery on the table
            // being deleted from, but accept ORDER BY and LIMIT on the DELETE itself.
            DbBackend::MySql => {
                delete.and_where(expired).limit(self.batch_size);
                for key in E::PrimaryKey::iter() {
                    delete.order_by((E::default(), key.into_column()), Order::Asc);
                }
            }
            // PostgreSQL has no DELETE .. LIMIT: pick the batch's keys in a subquery.
            _ => {
                let mut batch = SelectStatement::new();
                batch
                    .from(E::default())
                    .and_where(expired)
                    .limit(self.batch_size);
                for key in E::PrimaryKey::iter() {
                    batch.column((E::default(), key.into_column()));
                    batch.order_by((E::default(), key.into_column()), Order::Asc);
                }
                let keys =
                    E::PrimaryKey::iter().map(|key| Expr::col((E::default(), key.into_column())));
                // The condition again on the DELETE itself: PostgreSQL re-checks it on a row a
                // concurrent restore changed while the DELETE waited, and the subquery's
                // snapshot would still call that row expired.
                delete
                    .and_where(Expr::tuple(keys).in_subquery(batch))
                    .and_where(self.expired());
            }
        }
        delete
    }

    /// Runs batches until the expired trash is empty. On error, the batches before it stay done.
    ///
    /// For an entity with a cascade graph each batch is a transaction of its own that reads the
    /// batch's keys, then deletes their descendants (of any state), deepest first, and the rows
    /// themselves: a parent is never removed while its children remain.
    pub async fn exec<C: TransactionalConnection>(self, db: &C) -> Result<PurgeProgress, Error> {
        self.run(
            db,
            move |batch| async move { executor::exec(&batch, db).await },
        )
        .await
    }

    /// Runs the batches on a connection that cannot open a transaction: it fails with
    /// [`Error::NeedsTransaction`], having sent nothing, when the entity has cascades or hooks
    /// (each batch is then a transaction of its own).
    pub async fn exec_without_transaction<C: ConnectionTrait>(
        self,
        db: &C,
    ) -> Result<PurgeProgress, Error> {
        self.run(db, move |batch| async move {
            executor::exec_without_transaction(&batch, db).await
        })
        .await
    }

    /// Runs `purge` on batches until one picks fewer rows than a full batch.
    async fn run<C, F, Fut>(self, db: &C, mut purge: F) -> Result<PurgeProgress, Error>
    where
        C: ConnectionTrait,
        F: FnMut(PurgeBatch<E>) -> Fut,
        Fut: Future<Output = Result<(u64, u64), Error>>,
    {
        // A graph, or hooks that need the keys: each batch names its keys.
        let with_descendants = compound_reason::<E>(false)?.is_some();
        let batch_size = if with_descendants {
            Ord::min(self.batch_size, keys::keys_per_statement::<E>() as u64)
        } else {
            self.batch_size
        };
        let batch = PurgeBatch::<E> {
            statement: self.batch_statement(db.get_database_backend()),
            expired: self.expired(),
            size: batch_size,
            entity: PhantomData,
        };
        // Owned, so the future holds no borrow of the (not `Sync`) callback across awaits.
        let mut on_progress = self.on_progress;
        let mut progress = PurgeProgress {
            batches: 0,
            rows_removed: 0,
        };
        loop {
            let (picked, removed) = purge(batch.clone()).await?;
            progress.batches += 1;
            progress.rows_removed += removed;
            if let Some(callback) = &mut on_progress {
                callback(progress);
            }
            if picked < batch_size {
                return Ok(progress);
            }
        }
    }

    fn expired(&self) -> Expr {
        E::deleted_before(self.cutoff)
    }
}

/// One batch of a purge: the rows it picked and the rows it removed (the picked rows and, in
/// a tree, their descendant nodes).
struct PurgeBatch<E> {
    /// The batch as one `DELETE`, for an entity without cascades or hooks.
    statement: DeleteStatement,
    /// Trashed before the cutoff.
    expired: Expr,
    size: u64,
    entity: PhantomData<fn() -> E>,
}

impl<E> Clone for PurgeBatch<E> {
    fn clone(&self) -> Self {
        Self {
            statement: self.statement.clone(),
            expired: self.expired.clone(),
            size: self.size,
            entity: PhantomData,
        }
    }
}

impl<E: SoftDeleteEntity> Operation for PurgeBatch<E> {
    type Entity = E;
    type Output = (u64, u64);
    const NAME: &'static str = "purge_trash";

    fn compound_reason(&self, _: &impl ConnectionTrait) -> Result<Option<&'static str>, Error> {
        compound_reason::<E>(false)
    }

    async fn run_alone<C: ConnectionTrait>(&self, db: &C) -> Result<Option<(u64, u64)>, Error> {
        let removed = db.execute(&self.statement).await?.rows_affected();
        Ok(Some((removed, removed)))
    }

    /// Reads the batch's keys (locked, so that no restore brings a picked row back before it is
    /// deleted), then force-deletes those rows and their descendants.
    async fn run<C: ConnectionTrait>(&self, txn: &C) -> Result<(u64, u64), Error> {
        let mut batch = E::find().filter(self.expired.clone()).limit(self.size);
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
        if keys.is_empty() {
            return Ok((0, 0));
        }
        let filters = Filters::new().with(keys::keys_condition::<E>(&keys, backend));
        let changed = force_delete::<E, _>(txn, &filters, Origin::Purge).await?;
        let table = E::default().table_name();
        let in_tree: u64 = changed
            .cascaded
            .iter()
            .filter(|(name, _)| *name == table)
            .map(|(_, rows)| rows)
            .sum();
        Ok((keys.len() as u64, changed.rows + in_tree))
    }
}
