//! Bulk operations on the rows matching some filters. Without a cascade graph, unique keys or
//! cascade parents each is one statement; with them, one transaction of its own (a savepoint
//! inside the caller's) with one more statement per edge or key, never one per row.

use std::borrow::Cow;
use std::marker::PhantomData;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::IntoCondition;
use sea_orm::{ConnectionTrait, DbBackend, QueryTrait, Statement, Value};

use crate::audit;
use crate::clock;
use crate::clock::ClockSource;
use crate::engine::executor::{self, Operation, compound_reason};
use crate::engine::{conflict, force_delete, plan, restore, soft_delete, statements};
use crate::entity::{SoftDeleteEntity, trashed_condition};
use crate::error::Error;
use crate::graph::Graph;
use crate::hook_context::Origin;
use crate::marker::MarkerStrategy;
use crate::session::TransactionalConnection;
use crate::values::{CascadeCounts, Changed, Filters, Stamp};

/// What a bulk soft delete did.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SoftDeleteResult {
    /// Rows of the entity itself moved to the trash by this call (rows already there are not
    /// counted).
    pub rows_affected: u64,
    /// The time of the operation as the entity's marker records it: the timestamp written to
    /// every one of them, truncated to whole seconds or milliseconds for an epoch marker. Cascaded
    /// rows and `touch` columns get the operation's time as their own markers keep it.
    pub deleted_at: DateTime<Utc>,
    /// Rows trashed by the cascade, per table.
    pub cascaded: CascadeCounts,
}

/// What a bulk restore or force delete did.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BulkResult {
    /// Rows of the entity itself restored, or removed, by this call.
    pub rows_affected: u64,
    /// Rows restored or removed in other tables: cascaded children, or restored ancestors.
    pub cascaded: CascadeCounts,
}

impl From<Changed> for BulkResult {
    fn from(changed: Changed) -> Self {
        BulkResult {
            rows_affected: changed.rows,
            cascaded: changed.cascaded,
        }
    }
}

/// Builder of `UPDATE .. SET deleted_at = <now> WHERE <filters> AND deleted_at IS NULL`, plus
/// one `UPDATE` per edge of the entity's cascade graph.
///
/// Made by `Entity::soft_delete_many()`. Without filters it trashes every active row.
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
/// use sea_orm::ColumnTrait;
///
/// let done = product::Entity::soft_delete_many()
///     .filter(product::Column::Price.gt(100))
///     .exec(&db)
///     .await?;
/// assert_eq!(done.rows_affected, 1); // the desk, stamped with `done.deleted_at`
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
#[must_use = "a builder does nothing until `.exec(db)`"]
pub struct SoftDeleteMany<E> {
    filters: Filters,
    at: Option<DateTime<Utc>>,
    actor: Option<Value>,
    /// The operation's batch id, drawn when the builder is made so that `statements()` shows
    /// the one `exec` writes.
    batch: Option<i64>,
    entity: PhantomData<E>,
}

impl<E: SoftDeleteEntity> SoftDeleteMany<E> {
    pub(crate) fn new() -> Self {
        Self {
            filters: Filters::new(),
            at: None,
            actor: None,
            batch: E::batch_column().map(|_| soft_delete::new_batch_id()),
            entity: PhantomData,
        }
    }

    /// Adds a condition; all conditions must hold (`AND`), as with SeaORM's `filter`.
    pub fn filter<F: IntoCondition>(mut self, filter: F) -> Self {
        self.filters.add(filter);
        self
    }

    /// Stamps the rows with `at` (truncated to microseconds) instead of the clock's time.
    pub fn at(mut self, at: DateTime<Utc>) -> Self {
        self.at = Some(clock::to_storage_precision(at));
        self
    }

    /// Records `actor` in the `#[soft_delete(deleted_by = ..)]` column (instead of the task's
    /// actor, see [`audit::with_actor`](crate::audit::with_actor)).
    pub fn by(mut self, actor: impl Into<Value>) -> Self {
        self.actor = Some(actor.into());
        self
    }

    /// The SQL of the entity's own `UPDATE`, the first write `exec` sends (with hooks, `exec`
    /// names the keys it read instead of the filters). The clock is read now unless `at` was
    /// given, and the actor is the one in scope now (see [`audit::with_actor`]).
    pub fn build(&self, backend: DbBackend) -> Statement {
        let stamp = self.stamp(self.at.unwrap_or_else(clock::now));
        statements::soft_delete_statement::<E>(Cow::Borrowed(&self.filters), &stamp).build(backend)
    }

    /// Every statement `exec` sends, in order, besides the transaction's own (`BEGIN`,
    /// `SAVEPOINT`, `COMMIT`): the entity's own `UPDATE`, then one per edge of its cascade graph
    /// (a tree's is sent again until it changes no row), all with the batch id this builder
    /// drew, which its `exec` writes. The clock is read now unless `at` was given, and the actor
    /// is the one in scope now; `exec` reads both again when it runs. Fails with
    /// [`Error::StatementsDependOnData`] when the entity or any table its cascade reaches has
    /// hooks, or with `clock = database` and no `at`.
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
    /// #         pub deleted_at: Option<DateTimeUtc>,
    /// #     }
    /// #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    /// #     pub enum Relation {}
    /// #     impl ActiveModelBehavior for ActiveModel {}
    /// # }
    /// use chrono::{TimeZone, Utc};
    /// use sea_orm::DbBackend;
    ///
    /// let at = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
    /// let statements = product::Entity::soft_delete_many()
    ///     .at(at)
    ///     .statements(DbBackend::Postgres)?;
    /// assert_eq!(
    ///     statements[0].to_string(),
    ///     r#"UPDATE "product" SET "deleted_at" = '2026-01-02 03:04:05.000000 +00:00' WHERE "product"."deleted_at" IS NULL"#
    /// );
    /// # Ok::<(), soft_delete_core::Error>(())
    /// ```
    pub fn statements(&self, backend: DbBackend) -> Result<Vec<Statement>, Error> {
        if self.at.is_none() && E::CLOCK == ClockSource::Database {
            return Err(Error::StatementsDependOnData {
                operation: <Self as Operation>::NAME,
                table: E::default().table_name(),
                reason: "its time is read from the database when it runs",
            });
        }
        let stamp = self.stamp(self.at.unwrap_or_else(clock::now));
        plan::soft_delete::<E>(<Self as Operation>::NAME, &self.filters, &stamp, backend)
    }

    /// What the operation writes at `at`.
    fn stamp(&self, at: DateTime<Utc>) -> Stamp {
        Stamp {
            at,
            batch: self.batch,
            actor: audit::operation_actor(self.actor.clone()),
        }
    }

    /// Runs the operation (preceded by a read of the server's clock for entities declared
    /// `clock = database`), in a transaction it opens when it sends several statements.
    pub async fn exec<C: TransactionalConnection>(self, db: &C) -> Result<SoftDeleteResult, Error> {
        executor::exec(self, db).await
    }

    /// Runs the operation on a connection that cannot open a transaction (an
    /// `ActiveModelBehavior` hook's `C: ConnectionTrait`): it fails with
    /// [`Error::NeedsTransaction`], having sent nothing, when the entity has cascades or hooks.
    pub async fn exec_without_transaction<C: ConnectionTrait>(
        self,
        db: &C,
    ) -> Result<SoftDeleteResult, Error> {
        executor::exec_without_transaction(self, db).await
    }
}

impl<E: SoftDeleteEntity> Operation for SoftDeleteMany<E> {
    type Entity = E;
    type Output = SoftDeleteResult;
    const NAME: &'static str = "soft_delete_many";

    fn compound_reason(&self, _: &impl ConnectionTrait) -> Result<Option<&'static str>, Error> {
        compound_reason::<E>(false)
    }

    /// Without hooks or cascades the operation is the one `UPDATE` of [`Self::build`], which
    /// takes the builder's conditions instead of a copy of them.
    async fn run_alone_owned<C: ConnectionTrait>(
        self,
        db: &C,
    ) -> Result<Result<SoftDeleteResult, Self>, Error> {
        let at = clock::deletion_time(E::CLOCK, self.at, db).await?;
        let stamp = self.stamp(at);
        let update = statements::soft_delete_statement::<E>(Cow::Owned(self.filters), &stamp);
        Ok(Ok(SoftDeleteResult {
            rows_affected: update.exec(db).await?.rows_affected,
            deleted_at: E::Marker::stored_time(at),
            cascaded: CascadeCounts::new(),
        }))
    }

    async fn run<C: ConnectionTrait>(&self, db: &C) -> Result<SoftDeleteResult, Error> {
        let at = clock::deletion_time(E::CLOCK, self.at, db).await?;
        let changed =
            soft_delete::soft_delete::<E, _>(db, &self.filters, &self.stamp(at), Origin::Bulk)
                .await?;
        Ok(SoftDeleteResult {
            rows_affected: changed.rows,
            deleted_at: E::Marker::stored_time(at),
            cascaded: changed.cascaded,
        })
    }
}

/// Builder of `UPDATE .. SET deleted_at = NULL WHERE <filters> AND deleted_at IS NOT NULL`,
/// plus the checks and cascades the entity needs.
///
/// Made by `Entity::restore_many()`. Without filters it empties the whole trash back.
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
/// use sea_orm::ColumnTrait;
///
/// product::Entity::soft_delete_many().exec(&db).await?;
/// let back = product::Entity::restore_many()
///     .filter(product::Column::Name.eq("lamp"))
///     .exec(&db)
///     .await?;
/// assert_eq!(back.rows_affected, 1);
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
#[must_use = "a builder does nothing until `.exec(db)`"]
pub struct RestoreMany<E> {
    filters: Filters,
    with_ancestors: bool,
    at: Option<DateTime<Utc>>,
    entity: PhantomData<E>,
}

impl<E: SoftDeleteEntity> RestoreMany<E> {
    pub(crate) fn new() -> Self {
        Self {
            filters: Filters::new(),
            with_ancestors: false,
            at: None,
            entity: PhantomData,
        }
    }

    /// Adds a condition; all conditions must hold (`AND`).
    pub fn filter<F: IntoCondition>(mut self, filter: F) -> Self {
        self.filters.add(filter);
        self
    }

    /// Also restores the trashed cascade parents of the restored rows, up to the roots (and
    /// only that path), instead of refusing with [`Error::ParentTrashed`].
    pub fn with_ancestors(mut self) -> Self {
        self.with_ancestors = true;
        self
    }

    /// Writes `at` (truncated to microseconds) to the `touch` columns of the restored rows
    /// instead of the clock's time.
    pub fn at(mut self, at: DateTime<Utc>) -> Self {
        self.at = Some(clock::to_storage_precision(at));
        self
    }

    /// The SQL of the entity's own `UPDATE`, as `exec` writes it (with hooks, `exec` names the
    /// keys it read instead of the filters). Without `at`, a `touch` column shows the clock's
    /// time now; an invalid cascade graph, which `exec` refuses, shows as no graph.
    pub fn build(&self, backend: DbBackend) -> Statement {
        let leaf = Graph::of::<E>().map_or(true, |graph| graph.is_empty());
        let at = self.time().unwrap_or_default();
        statements::restore_statement::<E>(Cow::Borrowed(&self.filters), leaf, at).build(backend)
    }

    /// Every statement `exec` sends when it restores (a refusal stops earlier), in order,
    /// besides the transaction's own (`BEGIN`, `SAVEPOINT`, `COMMIT`): the locks and checks of
    /// the cascade parents, one `SELECT` per unique key, the entity's own `UPDATE`, each cascade
    /// edge's checks and `UPDATE` (a tree's are sent again until they change no row) and the
    /// statements that clear the batches of restored rows. A `touch` column gets `at`, else the
    /// clock's time when this is called (`exec` reads the clock again). Fails with
    /// [`Error::StatementsDependOnData`] when the entity or any table its cascade reaches has
    /// hooks, with `with_ancestors()`, for cascade parents on MySQL and MariaDB, and for a
    /// `touch` column with `clock = database` and no `at`.
    pub fn statements(&self, backend: DbBackend) -> Result<Vec<Statement>, Error> {
        let at = self.time()?;
        plan::restore::<E>(
            <Self as Operation>::NAME,
            &self.filters,
            self.with_ancestors,
            at,
            self.at.is_some(),
            backend,
        )
    }

    /// The time the restore writes to `touch` columns, where there are any: `at`, else the
    /// clock's now.
    fn time(&self) -> Result<Option<DateTime<Utc>>, Error> {
        let now = || self.at.unwrap_or_else(clock::now);
        Ok(restore::restore_touches::<E>()?.then(now))
    }

    /// Runs the operation. It fails, having changed nothing, with [`Error::RestoreConflict`]
    /// when a restored row would duplicate an active row's `#[soft_delete(unique(..))]` key,
    /// and with [`Error::ParentTrashed`] when a restored row's cascade parent is in the trash.
    pub async fn exec<C: TransactionalConnection>(self, db: &C) -> Result<BulkResult, Error> {
        executor::exec(self, db).await
    }

    /// Runs the operation on a connection that cannot open a transaction: it fails with
    /// [`Error::NeedsTransaction`], having sent nothing, when the entity has cascades, hooks,
    /// unique keys or cascade parents.
    pub async fn exec_without_transaction<C: ConnectionTrait>(
        self,
        db: &C,
    ) -> Result<BulkResult, Error> {
        executor::exec_without_transaction(self, db).await
    }
}

impl<E: SoftDeleteEntity> Operation for RestoreMany<E> {
    type Entity = E;
    type Output = BulkResult;
    const NAME: &'static str = "restore_many";

    fn compound_reason(&self, _: &impl ConnectionTrait) -> Result<Option<&'static str>, Error> {
        compound_reason::<E>(true)
    }

    /// Without hooks, cascades, unique keys or cascade parents the operation is the one
    /// `UPDATE` of [`Self::build`], which takes the builder's conditions instead of a copy.
    async fn run_alone_owned<C: ConnectionTrait>(
        self,
        db: &C,
    ) -> Result<Result<BulkResult, Self>, Error> {
        let at = restore::restore_time::<E, _>(self.at, db).await?;
        let update = statements::restore_statement::<E>(Cow::Owned(self.filters), true, at);
        let restored = update.exec(db).await.map_err(|error| {
            conflict::restore_failed(
                error,
                E::default().table_name(),
                &conflict::unique_keys::<E>(),
            )
        })?;
        Ok(Ok(BulkResult {
            rows_affected: restored.rows_affected,
            cascaded: CascadeCounts::new(),
        }))
    }

    async fn run<C: ConnectionTrait>(&self, db: &C) -> Result<BulkResult, Error> {
        Ok(restore::restore::<E, _>(
            db,
            &self.filters,
            self.with_ancestors,
            self.at,
            Origin::Bulk,
        )
        .await?
        .into())
    }
}

/// Builder of `DELETE FROM .. WHERE <filters>`: a real delete of active and trashed rows alike,
/// and of their cascade descendants first.
///
/// Made by `Entity::force_delete_many()`. Without filters it empties the table.
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
/// product::Entity::soft_delete_by_id(1).exec(&db).await?;
/// let purged = product::Entity::force_delete_many().only_trashed().exec(&db).await?;
/// assert_eq!(purged.rows_affected, 1); // only the trashed pen is gone for good
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
#[must_use = "a builder does nothing until `.exec(db)`"]
pub struct ForceDeleteMany<E> {
    filters: Filters,
    entity: PhantomData<E>,
}

impl<E: SoftDeleteEntity> ForceDeleteMany<E> {
    pub(crate) fn new() -> Self {
        Self {
            filters: Filters::new(),
            entity: PhantomData,
        }
    }

    /// Adds a condition; all conditions must hold (`AND`).
    pub fn filter<F: IntoCondition>(mut self, filter: F) -> Self {
        self.filters.add(filter);
        self
    }

    /// Restricts the delete to rows already in the trash, as purging does.
    pub fn only_trashed(self) -> Self {
        self.filter(trashed_condition::<E>())
    }

    /// The SQL of the entity's own `DELETE`, the last statement `exec` sends (with hooks,
    /// `exec` names the keys it read instead of the filters).
    pub fn build(&self, backend: DbBackend) -> Statement {
        statements::delete_statement::<E>(Cow::Borrowed(&self.filters)).build(backend)
    }

    /// Every statement `exec` sends, in order, besides the transaction's own: the `DELETE`s of
    /// the descendants, deepest table first, then the entity's own. Fails with
    /// [`Error::StatementsDependOnData`] when the entity or any table its cascade reaches has
    /// hooks, and for a tree (its depth decides how many levels are deleted).
    pub fn statements(&self, backend: DbBackend) -> Result<Vec<Statement>, Error> {
        plan::force_delete::<E>(<Self as Operation>::NAME, &self.filters, backend)
    }

    /// Runs the operation, in a transaction it opens when it sends several statements.
    pub async fn exec<C: TransactionalConnection>(self, db: &C) -> Result<BulkResult, Error> {
        executor::exec(self, db).await
    }

    /// Runs the operation on a connection that cannot open a transaction: it fails with
    /// [`Error::NeedsTransaction`], having sent nothing, when the entity has cascades or hooks.
    pub async fn exec_without_transaction<C: ConnectionTrait>(
        self,
        db: &C,
    ) -> Result<BulkResult, Error> {
        executor::exec_without_transaction(self, db).await
    }
}

impl<E: SoftDeleteEntity> Operation for ForceDeleteMany<E> {
    type Entity = E;
    type Output = BulkResult;
    const NAME: &'static str = "force_delete_many";

    fn compound_reason(&self, _: &impl ConnectionTrait) -> Result<Option<&'static str>, Error> {
        compound_reason::<E>(false)
    }

    async fn run<C: ConnectionTrait>(&self, db: &C) -> Result<BulkResult, Error> {
        Ok(
            force_delete::force_delete::<E, _>(db, &self.filters, Origin::Bulk)
                .await?
                .into(),
        )
    }
}
