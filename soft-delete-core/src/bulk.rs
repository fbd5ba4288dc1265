//! Bulk operations: each is one statement whose `WHERE` carries the rows' current state, so
//! concurrent callers never re-stamp or resurrect a row, and `rows_affected` counts only the
//! rows that changed state.

use std::marker::PhantomData;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Expr, IntoCondition};
use sea_orm::{
    ConnectionTrait, DbBackend, DeleteMany, QueryFilter, QueryTrait, Statement, TransactionTrait,
    UpdateMany,
};

use crate::entity::{SoftDeleteEntity, active_condition, trashed_condition};
use crate::error::Error;
use crate::timestamp::DeletionTimestamp;
use crate::{clock, conflict};

/// The conditions a builder accumulates with `filter`, all of which must hold.
#[derive(Clone, Debug)]
pub(crate) struct Filters(Condition);

impl Filters {
    pub(crate) fn new() -> Self {
        Self(Condition::all())
    }

    pub(crate) fn with<F: IntoCondition>(mut self, filter: F) -> Self {
        self.add(filter);
        self
    }

    fn add<F: IntoCondition>(&mut self, filter: F) {
        self.0 = std::mem::replace(&mut self.0, Condition::all()).add(filter.into_condition());
    }

    /// Adds the conditions to `query`; none at all adds no `WHERE TRUE`.
    pub(crate) fn apply<Q: QueryFilter>(&self, query: Q) -> Q {
        if self.0.is_empty() {
            query
        } else {
            query.filter(self.0.clone())
        }
    }
}

/// What a bulk soft delete did.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SoftDeleteResult {
    /// Rows moved to the trash by this call (rows already there are not counted).
    pub rows_affected: u64,
    /// The timestamp written to every one of them.
    pub deleted_at: DateTime<Utc>,
}

/// What a bulk restore or force delete did.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BulkResult {
    /// Rows restored, or removed, by this call.
    pub rows_affected: u64,
}

/// Builder of `UPDATE .. SET deleted_at = <now> WHERE <filters> AND deleted_at IS NULL`.
///
/// Made by `Entity::soft_delete_many()`. Without filters it trashes every active row.
#[derive(Debug)]
#[must_use = "a builder does nothing until `.exec(db)`"]
pub struct SoftDeleteMany<E> {
    filters: Filters,
    at: Option<DateTime<Utc>>,
    entity: PhantomData<E>,
}

impl<E: SoftDeleteEntity> SoftDeleteMany<E> {
    pub(crate) fn new() -> Self {
        Self {
            filters: Filters::new(),
            at: None,
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

    /// The SQL this builder sends, for inspection; the clock is read now unless `at` was given.
    pub fn build(&self, backend: DbBackend) -> Statement {
        let at = self.at.unwrap_or_else(clock::now);
        self.update(at).build(backend)
    }

    /// Runs the `UPDATE` (preceded by a read of the server's clock for entities declared
    /// `clock = database`).
    pub async fn exec<C: ConnectionTrait>(self, db: &C) -> Result<SoftDeleteResult, Error> {
        let at = clock::operation_time::<E, _>(self.at, db).await?;
        let result = self.update(at).exec(db).await?;
        Ok(SoftDeleteResult {
            rows_affected: result.rows_affected,
            deleted_at: at,
        })
    }

    fn update(&self, at: DateTime<Utc>) -> UpdateMany<E> {
        soft_delete_statement::<E>(&self.filters, at)
    }
}

/// Builder of `UPDATE .. SET deleted_at = NULL WHERE <filters> AND deleted_at IS NOT NULL`.
///
/// Made by `Entity::restore_many()`. Without filters it empties the whole trash back.
#[derive(Debug)]
#[must_use = "a builder does nothing until `.exec(db)`"]
pub struct RestoreMany<E> {
    filters: Filters,
    entity: PhantomData<E>,
}

impl<E: SoftDeleteEntity> RestoreMany<E> {
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

    /// The SQL this builder sends, for inspection.
    pub fn build(&self, backend: DbBackend) -> Statement {
        restore_statement::<E>(&self.filters).build(backend)
    }

    /// Runs the `UPDATE`. For an entity with `#[soft_delete(unique(..))]` keys it first checks,
    /// in the same transaction, that no restored row would duplicate an active row's key, and
    /// fails with [`Error::RestoreConflict`] having changed nothing.
    pub async fn exec<C>(self, db: &C) -> Result<BulkResult, Error>
    where
        C: ConnectionTrait + TransactionTrait,
    {
        if E::UNIQUE_KEYS.is_empty() {
            let result = restore_statement::<E>(&self.filters).exec(db).await?;
            return Ok(BulkResult {
                rows_affected: result.rows_affected,
            });
        }
        let txn = db.begin().await?;
        let outcome = async {
            conflict::check_restore::<E, _>(&txn, &self.filters).await?;
            let result = restore_statement::<E>(&self.filters).exec(&txn).await?;
            Ok(BulkResult {
                rows_affected: result.rows_affected,
            })
        }
        .await;
        crate::instance::finish(txn, outcome).await
    }
}

/// Builder of `DELETE FROM .. WHERE <filters>`: a real delete of active and trashed rows alike.
///
/// Made by `Entity::force_delete_many()`. Without filters it empties the table.
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

    /// The SQL this builder sends, for inspection.
    pub fn build(&self, backend: DbBackend) -> Statement {
        self.delete().build(backend)
    }

    /// Runs the `DELETE`.
    pub async fn exec<C: ConnectionTrait>(self, db: &C) -> Result<BulkResult, Error> {
        let result = self.delete().exec(db).await?;
        Ok(BulkResult {
            rows_affected: result.rows_affected,
        })
    }

    fn delete(&self) -> DeleteMany<E> {
        self.filters.apply(E::delete_many())
    }
}

pub(crate) fn soft_delete_statement<E: SoftDeleteEntity>(
    filters: &Filters,
    at: DateTime<Utc>,
) -> UpdateMany<E> {
    let stamp = E::Timestamp::from_utc(at).into_value();
    let update = E::update_many().col_expr(E::deleted_at_column(), Expr::val(stamp));
    filters.apply(update).filter(active_condition::<E>())
}

pub(crate) fn restore_statement<E: SoftDeleteEntity>(filters: &Filters) -> UpdateMany<E> {
    let null = Expr::val(E::Timestamp::null_value());
    let update = E::update_many().col_expr(E::deleted_at_column(), null);
    filters.apply(update).filter(trashed_condition::<E>())
}
