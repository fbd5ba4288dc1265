//! Operations on one row, named by its primary key (composite keys included).
//!
//! Soft delete and restore return the row as stored, even when the caller's copy was stale.
//! Where the backend has `UPDATE .. RETURNING` (PostgreSQL; SQLite with SeaORM's
//! `sqlite-use-returning-for-3_35`) and the entity has no cascades or hooks (for a restore, also
//! no unique keys or cascade parents), that is one statement; otherwise the state change and a
//! read-back run inside one transaction they open (a savepoint when `db` is already a
//! transaction).

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use sea_orm::{
    ConnectionTrait, EntityTrait, ModelTrait, PrimaryKeyTrait, QueryFilter, QuerySelect,
    UpdateMany, Value,
};

use crate::clock;
use crate::engine::executor::{self, Operation, compound_reason};
use crate::engine::{force_delete, prepared, restore, soft_delete, statements};
use crate::entity::SoftDeleteEntity;
use crate::error::Error;
use crate::keys::RowKey;
use crate::session::TransactionalConnection;

/// Runs `change`, an `UPDATE .. RETURNING` of at most one row, and returns that row.
async fn returning_first<E: EntityTrait, C: ConnectionTrait>(
    change: UpdateMany<E>,
    db: &C,
) -> Result<Option<E::Model>, Error> {
    Ok(change.exec_with_returning(db).await?.into_iter().next())
}

impl<E: EntityTrait> RowKey<E> {
    /// Reads the row back inside the operation's transaction.
    async fn read<C: ConnectionTrait>(&self, db: &C) -> Result<E::Model, Error> {
        self.find_row(db).await?.ok_or_else(|| self.not_found())
    }

    /// Reads the row back, locked until the operation's transaction ends (SQLite's `BEGIN
    /// IMMEDIATE` already keeps other writers out).
    async fn read_locked<C: ConnectionTrait>(&self, db: &C) -> Result<E::Model, Error> {
        let select = E::find().filter(self.condition());
        let select = match db.get_database_backend() {
            sea_orm::DbBackend::Sqlite => select,
            _ => select.lock_exclusive(),
        };
        select.one(db).await?.ok_or_else(|| self.not_found())
    }

    /// Runs `change()`, one `UPDATE .. RETURNING` of this row, returning the changed row. When
    /// it changed nothing the row was already in the target state (`wanted`), or is missing; the
    /// row is then read. A concurrent call may have changed it between the two statements; the
    /// read row then contradicts the no-op, and the change is tried again. `None` when that kept
    /// happening: the caller then locks the row in a transaction.
    async fn change_returning<C, F, Fut>(
        &self,
        change: F,
        wanted: impl Fn(&E::Model) -> bool,
        db: &C,
    ) -> Result<Option<Outcome<E::Model>>, Error>
    where
        C: ConnectionTrait,
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<Option<E::Model>, Error>>,
    {
        const ATTEMPTS: usize = 3;
        for _ in 0..ATTEMPTS {
            if let Some(row) = change().await? {
                return Ok(Some(Outcome { row, changed: true }));
            }
            let row = self.read(db).await?;
            if wanted(&row) {
                return Ok(Some(Outcome {
                    row,
                    changed: false,
                }));
            }
        }
        Ok(None)
    }

    /// Runs `operation` in the transaction `db` and returns the row as it left it. When the
    /// operation changed nothing, the row is read with a lock; if a concurrent call changed it
    /// after the operation's `UPDATE` (it no longer is as `wanted`), the operation runs again,
    /// now against a locked row, so that the result is that of running after that call.
    async fn settle<C, F, Fut>(
        &self,
        db: &C,
        operation: F,
        wanted: impl Fn(&E::Model) -> bool,
    ) -> Result<Outcome<E::Model>, Error>
    where
        C: ConnectionTrait,
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<u64, Error>>,
    {
        let mut changed = operation().await? > 0;
        if !changed {
            let row = self.read_locked(db).await?;
            if wanted(&row) {
                return Ok(Outcome {
                    row,
                    changed: false,
                });
            }
            changed = operation().await? > 0;
        }
        Ok(Outcome {
            row: self.read(db).await?,
            changed,
        })
    }
}

/// Soft-deletes one row and returns it as stored. Made by `Entity::soft_delete_by_id(key)`,
/// `SoftDeleteOne::<Entity>::of(&model)`, or called through `model.soft_delete(db)`.
///
/// A row already in the trash is left untouched and returned with its original timestamp.
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
/// use soft_delete_core::SoftDeleteOne;
///
/// let pen = product::Entity::soft_delete_by_id(1).exec(&db).await?;
/// assert!(pen.is_deleted());
/// // Again: nothing changes, and the outcome says so without another statement.
/// let again = SoftDeleteOne::<product::Entity>::of(&pen).exec_with_outcome(&db).await?;
/// assert!(!again.changed);
/// assert_eq!(again.row.deleted_at, pen.deleted_at);
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
#[must_use = "a builder does nothing until `.exec(db)`"]
pub struct SoftDeleteOne<E> {
    key: RowKey<E>,
    at: Option<DateTime<Utc>>,
    actor: Option<Value>,
}

impl<E: SoftDeleteEntity> SoftDeleteOne<E> {
    /// The row with this primary key.
    pub fn by_id<K>(key: K) -> Self
    where
        K: Into<<E::PrimaryKey as PrimaryKeyTrait>::ValueType>,
    {
        Self {
            key: RowKey::of_id(key),
            at: None,
            actor: None,
        }
    }

    /// The row `model` was read from (only its primary key is used).
    pub fn of(model: &E::Model) -> Self {
        Self {
            key: RowKey::of_model(model),
            at: None,
            actor: None,
        }
    }

    /// Stamps the row with `at` (truncated to microseconds) instead of the clock's time.
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

    /// Runs the operation. [`Error::RowNotFound`] when no such row exists.
    pub async fn exec<C: TransactionalConnection>(self, db: &C) -> Result<E::Model, Error> {
        Ok(self.exec_with_outcome(db).await?.row)
    }

    /// Runs the operation and tells whether it moved the row to the trash
    /// ([`Outcome::changed`]) or found it there already, without another statement.
    pub async fn exec_with_outcome<C: TransactionalConnection>(
        self,
        db: &C,
    ) -> Result<Outcome<E::Model>, Error> {
        executor::exec(self, db).await
    }

    /// Runs the operation on a connection that cannot open a transaction (an
    /// `ActiveModelBehavior` hook's `C: ConnectionTrait`) as one `UPDATE .. RETURNING`. It
    /// fails with [`Error::NeedsTransaction`], having changed nothing, when the entity has
    /// cascades or hooks, or the backend has no `RETURNING` (MySQL, MariaDB).
    pub async fn exec_without_transaction<C: ConnectionTrait>(
        self,
        db: &C,
    ) -> Result<E::Model, Error> {
        Ok(executor::exec_without_transaction(self, db).await?.row)
    }
}

impl<E: SoftDeleteEntity> Operation for SoftDeleteOne<E> {
    type Entity = E;
    type Output = Outcome<E::Model>;
    const NAME: &'static str = "soft_delete_by_id";

    fn compound_reason(&self, db: &impl ConnectionTrait) -> Result<Option<&'static str>, Error> {
        Ok(compound_reason::<E>(false)?.or_else(|| without_returning(db)))
    }

    async fn run_alone<C: ConnectionTrait>(&self, db: &C) -> Result<Option<Self::Output>, Error> {
        let at = clock::deletion_time(E::CLOCK, self.at, db).await?;
        let stamp = soft_delete::stamp::<E>(at, self.actor.clone());
        let change = || prepared::soft_delete_one(db, &self.key, &stamp);
        self.key.change_returning(change, is_trashed::<E>, db).await
    }

    /// On a backend without `RETURNING` (MySQL, MariaDB), for an entity without hooks or
    /// cascades: the row is read and locked first, then updated, and returned with the values the
    /// `UPDATE` wrote. A failure of either statement has changed nothing, so no savepoint is
    /// needed; reading the row back after the `UPDATE`, as the transaction's way does, would
    /// leave the change in the caller's transaction if that read failed.
    async fn run_in_callers_transaction<C: ConnectionTrait>(
        &self,
        db: &C,
    ) -> Result<Option<Self::Output>, Error> {
        if db.support_returning() || compound_reason::<E>(false)?.is_some() {
            return Ok(None);
        }
        let at = clock::deletion_time(E::CLOCK, self.at, db).await?;
        let mut row = self.key.read_locked(db).await?;
        if E::is_trashed(&row) {
            return Ok(Some(Outcome {
                row,
                changed: false,
            }));
        }
        let stamp = soft_delete::stamp::<E>(at, self.actor.clone());
        let written = statements::trashed_values::<E>(&stamp);
        let update = statements::soft_delete_statement::<E>(Cow::Owned(self.key.filters()), &stamp);
        let changed = update.exec(db).await?.rows_affected;
        // The row is locked: the `UPDATE` found it active, as the read did.
        debug_assert_eq!(changed, 1, "the locked active row is updated");
        for (column, value) in written {
            row.try_set(column, value)?;
        }
        Ok(Some(Outcome { row, changed: true }))
    }

    async fn run<C: ConnectionTrait>(&self, txn: &C) -> Result<Self::Output, Error> {
        let at = clock::deletion_time(E::CLOCK, self.at, txn).await?;
        let filters = self.key.filters();
        let operation = || async {
            let stamp = soft_delete::stamp::<E>(at, self.actor.clone());
            let changed =
                soft_delete::soft_delete::<E, _>(txn, &filters, &stamp, self.key.origin).await?;
            Ok(changed.rows)
        };
        self.key.settle(txn, operation, is_trashed::<E>).await
    }
}

/// Restores one row from the trash and returns it as stored. Made by
/// `Entity::restore_by_id(key)`, `RestoreOne::<Entity>::of(&model)`, or called through
/// `model.restore(db)`.
///
/// An active row is left untouched and returned as it is.
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
/// let desk = product::Entity::soft_delete_by_id(2).exec(&db).await?;
/// let desk = desk.restore(&db).await?;
/// assert!(!desk.is_deleted());
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
#[must_use = "a builder does nothing until `.exec(db)`"]
pub struct RestoreOne<E> {
    key: RowKey<E>,
    with_ancestors: bool,
}

impl<E: SoftDeleteEntity> RestoreOne<E> {
    /// The row with this primary key.
    pub fn by_id<K>(key: K) -> Self
    where
        K: Into<<E::PrimaryKey as PrimaryKeyTrait>::ValueType>,
    {
        Self {
            key: RowKey::of_id(key),
            with_ancestors: false,
        }
    }

    /// The row `model` was read from (only its primary key is used).
    pub fn of(model: &E::Model) -> Self {
        Self {
            key: RowKey::of_model(model),
            with_ancestors: false,
        }
    }

    /// Also restores the row's trashed cascade parents, up to the roots, instead of refusing
    /// with [`Error::ParentTrashed`].
    pub fn with_ancestors(mut self) -> Self {
        self.with_ancestors = true;
        self
    }

    /// Runs the operation. [`Error::RowNotFound`] when no such row exists; see
    /// [`RestoreMany::exec`](crate::RestoreMany::exec) for the checks that can refuse it.
    pub async fn exec<C: TransactionalConnection>(self, db: &C) -> Result<E::Model, Error> {
        Ok(self.exec_with_outcome(db).await?.row)
    }

    /// Runs the operation and tells whether it brought the row back ([`Outcome::changed`]) or
    /// found it active already, without another statement.
    pub async fn exec_with_outcome<C: TransactionalConnection>(
        self,
        db: &C,
    ) -> Result<Outcome<E::Model>, Error> {
        executor::exec(self, db).await
    }

    /// Runs the operation on a connection that cannot open a transaction as one
    /// `UPDATE .. RETURNING`. It fails with [`Error::NeedsTransaction`], having changed nothing,
    /// when the entity has cascades, hooks, unique keys or cascade parents, with
    /// [`with_ancestors`](Self::with_ancestors), or when the backend has no `RETURNING`.
    pub async fn exec_without_transaction<C: ConnectionTrait>(
        self,
        db: &C,
    ) -> Result<E::Model, Error> {
        Ok(executor::exec_without_transaction(self, db).await?.row)
    }
}

impl<E: SoftDeleteEntity> Operation for RestoreOne<E> {
    type Entity = E;
    type Output = Outcome<E::Model>;
    const NAME: &'static str = "restore_by_id";

    fn compound_reason(&self, db: &impl ConnectionTrait) -> Result<Option<&'static str>, Error> {
        let with_ancestors = self
            .with_ancestors
            .then_some("with_ancestors() locks the parent rows");
        Ok(compound_reason::<E>(true)?
            .or(with_ancestors)
            .or_else(|| without_returning(db)))
    }

    async fn run_alone<C: ConnectionTrait>(&self, db: &C) -> Result<Option<Self::Output>, Error> {
        let change = restore::simple_restore::<E, _>(db, &self.key.filters()).await?;
        let change = || returning_first(change.clone(), db);
        self.key.change_returning(change, is_active::<E>, db).await
    }

    async fn run<C: ConnectionTrait>(&self, txn: &C) -> Result<Self::Output, Error> {
        let filters = self.key.filters();
        let operation = || async {
            let changed =
                restore::restore::<E, _>(txn, &filters, self.with_ancestors, None, self.key.origin)
                    .await?;
            Ok(changed.rows)
        };
        self.key.settle(txn, operation, is_active::<E>).await
    }
}

/// Permanently deletes one row, active or trashed, and its cascade descendants. Made by
/// `Entity::force_delete_by_id(key)`, `ForceDeleteOne::<Entity>::of(&model)`, or called through
/// `model.force_delete(db)`.
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
/// use soft_delete_core::Error;
///
/// product::Entity::force_delete_by_id(3).exec(&db).await?;
/// let again = product::Entity::force_delete_by_id(3).exec(&db).await;
/// assert!(matches!(again, Err(Error::RowNotFound { .. })));
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
#[must_use = "a builder does nothing until `.exec(db)`"]
pub struct ForceDeleteOne<E> {
    key: RowKey<E>,
    only_trashed: bool,
}

impl<E: SoftDeleteEntity> ForceDeleteOne<E> {
    /// The row with this primary key.
    pub fn by_id<K>(key: K) -> Self
    where
        K: Into<<E::PrimaryKey as PrimaryKeyTrait>::ValueType>,
    {
        Self {
            key: RowKey::of_id(key),
            only_trashed: false,
        }
    }

    /// The row `model` was read from (only its primary key is used).
    pub fn of(model: &E::Model) -> Self {
        Self {
            key: RowKey::of_model(model),
            only_trashed: false,
        }
    }

    /// Deletes the row only while it is in the trash, decided in the `DELETE` itself: a row
    /// restored since a trash-bin page offered "delete forever" stays, with its descendants, and
    /// the call fails with [`Error::NotInTrash`]. What a trash bin's button should call.
    pub fn only_trashed(mut self) -> Self {
        self.only_trashed = true;
        self
    }

    /// Runs the `DELETE`, after those of the row's cascade descendants.
    /// [`Error::RowNotFound`] when no such row exists.
    pub async fn exec<C: TransactionalConnection>(self, db: &C) -> Result<(), Error> {
        executor::exec(self, db).await
    }

    /// Runs the `DELETE` on a connection that cannot open a transaction: it fails with
    /// [`Error::NeedsTransaction`], having sent nothing, when the entity has cascades or hooks.
    pub async fn exec_without_transaction<C: ConnectionTrait>(self, db: &C) -> Result<(), Error> {
        executor::exec_without_transaction(self, db).await
    }
}

impl<E: SoftDeleteEntity> Operation for ForceDeleteOne<E> {
    type Entity = E;
    type Output = ();
    const NAME: &'static str = "force_delete_by_id";

    fn compound_reason(&self, _: &impl ConnectionTrait) -> Result<Option<&'static str>, Error> {
        compound_reason::<E>(false)
    }

    async fn run<C: ConnectionTrait>(&self, db: &C) -> Result<(), Error> {
        let mut filters = self.key.filters();
        if self.only_trashed {
            filters.add(crate::trashed_condition::<E>());
        }
        let removed = force_delete::force_delete::<E, _>(db, &filters, self.key.origin).await?;
        if removed.rows > 0 {
            return Ok(());
        }
        // Nothing matched: only the error's kind is left to decide.
        if self.only_trashed && self.key.find_row(db).await?.is_some() {
            return Err(self.key.not_in_trash());
        }
        Err(self.key.not_found())
    }
}

/// What a one-row soft delete or restore did: the row as stored, and whether this call changed
/// its state. `changed` is false when the row already was in the state asked for (a soft delete
/// of a trashed row, a restore of an active one): an API can answer 409 for it, as Rails'
/// `discard!` raises.
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
/// use soft_delete_core::RestoreOne;
///
/// let outcome = RestoreOne::<product::Entity>::by_id(1).exec_with_outcome(&db).await?;
/// assert!(!outcome.changed, "the pen was not in the trash"); // an API could answer 409 here
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Outcome<M> {
    /// The row as the database stores it after the call.
    pub row: M,
    /// Whether this call changed the row's state.
    pub changed: bool,
}

/// A one-row operation without a transaction is one `UPDATE .. RETURNING`; on MySQL and
/// MariaDB, which have none, the row is read back in a second statement.
fn without_returning(db: &impl ConnectionTrait) -> Option<&'static str> {
    (!db.support_returning()).then_some(
        "this backend has no `UPDATE .. RETURNING`, so the row is read back in a second statement",
    )
}

fn is_trashed<E: SoftDeleteEntity>(row: &E::Model) -> bool {
    E::is_trashed(row)
}

fn is_active<E: SoftDeleteEntity>(row: &E::Model) -> bool {
    !E::is_trashed(row)
}
