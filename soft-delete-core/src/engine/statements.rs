//! Every SQL statement the engine writes to change rows, and every `SET` list, in one place: a
//! state change of a table looks the same whether it is the operation's own table, a cascaded
//! child or a restored ancestor.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{
    Alias, Condition, DynIden, Expr, ExprTrait, IntoIden, Query, SelectStatement, UpdateStatement,
};
use sea_orm::{
    DbBackend, DeleteMany, Iterable, PrimaryKeyToColumn, QueryFilter, QueryTrait, UpdateMany, Value,
};

use crate::entity::{SoftDeleteEntity, active_condition, trashed_condition};
use crate::marker::MarkerStrategy;
use crate::values::{Filters, Stamp};

/// Adds to `update` the `SET` list of moving `E`'s rows to the trash with `stamp`: the marker,
/// the batch (where `E` has a batch column) and the audit columns.
pub(crate) fn set_trashed<E: SoftDeleteEntity>(update: &mut UpdateStatement, stamp: &Stamp) {
    each_trashed_value::<E>(stamp, |column, value| {
        update.value(column, Expr::val(value));
    });
}

/// The columns [`set_trashed`] sets, with their values, in its order.
pub(crate) fn trashed_values<E: SoftDeleteEntity>(stamp: &Stamp) -> Vec<(E::Column, Value)> {
    let mut values = Vec::new();
    each_trashed_value::<E>(stamp, |column, value| values.push((column, value)));
    values
}

/// Hands `set` each column a soft delete with `stamp` writes, with its value, in order. Not a
/// `Vec`: every bulk soft delete sets these, and collecting them first cost it an allocation.
fn each_trashed_value<E: SoftDeleteEntity>(stamp: &Stamp, mut set: impl FnMut(E::Column, Value)) {
    set(E::marker_column(), E::Marker::trashed_value(stamp.at));
    if let (Some(column), Some(batch)) = (E::batch_column(), stamp.batch) {
        set(column, batch.into());
    }
    if let Some((column, value)) = E::touch_value(stamp.at) {
        set(column, value);
    }
    if let Some((column, null)) = E::deleted_by_column() {
        set(column, stamp.actor.clone().unwrap_or(null));
    }
}

/// Adds to `update` the `SET` list of bringing `E`'s rows back: the marker cleared, the batch
/// too when `clear_batch`, `touch` set to `at` (when the operation has a time) and `deleted_by`
/// cleared.
pub(crate) fn set_restored<E: SoftDeleteEntity>(
    update: &mut UpdateStatement,
    clear_batch: bool,
    at: Option<DateTime<Utc>>,
) {
    update.value(E::marker_column(), Expr::val(E::Marker::active_value()));
    if let (Some(column), true) = (E::batch_column(), clear_batch) {
        update.value(column, Expr::val(Option::<i64>::None));
    }
    for (column, value) in audit_on_restore::<E>(at) {
        update.value(column, Expr::val(value));
    }
}

/// The operation's own soft delete: the active rows matching `filters`.
pub(crate) fn soft_delete_statement<E: SoftDeleteEntity>(
    filters: Cow<'_, Filters>,
    stamp: &Stamp,
) -> UpdateMany<E> {
    let mut update = E::update_many();
    set_trashed::<E>(QueryTrait::query(&mut update), stamp);
    Filters::apply(filters, &mut update);
    update.filter_mut(active_condition::<E>());
    update
}

/// The operation's own restore: the trashed rows matching `filters`.
pub(crate) fn restore_statement<E: SoftDeleteEntity>(
    filters: Cow<'_, Filters>,
    clear_batch: bool,
    at: Option<DateTime<Utc>>,
) -> UpdateMany<E> {
    let mut update = E::update_many();
    set_restored::<E>(QueryTrait::query(&mut update), clear_batch, at);
    Filters::apply(filters, &mut update);
    update.filter_mut(trashed_condition::<E>());
    update
}

/// The operation's own force delete: every row matching `filters`, whatever its state.
pub(crate) fn delete_statement<E: SoftDeleteEntity>(filters: Cow<'_, Filters>) -> DeleteMany<E> {
    let mut delete = E::delete_many();
    Filters::apply(filters, &mut delete);
    delete
}

/// The audit columns a restore of `E` writes: `touch` (when the operation has a time) and a
/// cleared `deleted_by`.
fn audit_on_restore<E: SoftDeleteEntity>(at: Option<DateTime<Utc>>) -> Vec<(E::Column, Value)> {
    let mut columns: Vec<(E::Column, Value)> = at.and_then(E::touch_value).into_iter().collect();
    columns.extend(E::deleted_by_column());
    columns
}

/// `table.batch`, or NULL for an entity without a batch column.
pub(crate) fn batch_of<E: SoftDeleteEntity>() -> Expr {
    match E::batch_column() {
        Some(column) => Expr::col((E::default(), column)),
        None => Expr::val(Option::<i64>::None),
    }
}

/// `UPDATE t SET batch = NULL WHERE deleted_at IS NULL AND batch IS NOT NULL`.
pub(crate) fn clear_batches<E: SoftDeleteEntity>() -> UpdateStatement {
    let mut update = Query::update();
    update.table(E::default());
    if let Some(column) = E::batch_column() {
        update
            .value(column, Expr::val(Option::<i64>::None))
            .and_where(active_condition::<E>())
            .and_where(Expr::col((E::default(), column)).is_not_null());
    }
    update
}

/// `(a, b) IN (SELECT ..)`, or `a IN (..)` for one column.
pub(crate) fn in_subquery(table: DynIden, columns: &[DynIden], subquery: SelectStatement) -> Expr {
    let exprs: Vec<Expr> = columns
        .iter()
        .map(|column| Expr::col((table.clone(), column.clone())))
        .collect();
    match exprs.as_slice() {
        [single] => single.clone().in_subquery(subquery),
        _ => Expr::tuple(exprs).in_subquery(subquery),
    }
}

/// `column = ANY(ARRAY (subquery))`, for PostgreSQL only: the subquery runs once, before the
/// statement, and its keys are looked up by the column's index. Its planner cannot see inside
/// the array and takes it for a handful of values, where `IN (subquery)` lets it join on
/// estimates that can be far off (see the callers). One custom expression: as the right side
/// of `eq` it would be parenthesised, and `= (ANY(..))` is a syntax error.
pub(crate) fn any_of_subquery(column: Expr, subquery: SelectStatement) -> Expr {
    Expr::cust_with_exprs(
        "$1 = ANY(ARRAY $2)",
        [column, Expr::SubQuery(None, Box::new(subquery.into()))],
    )
}

/// MariaDB and MySQL reject a subquery on the table being changed (error 1093) unless it is
/// wrapped in a derived table, which they materialise.
pub(crate) fn portable(
    subquery: SelectStatement,
    columns: &[DynIden],
    backend: DbBackend,
) -> SelectStatement {
    if backend != DbBackend::MySql {
        return subquery;
    }
    let derived = Alias::new("sd_rows");
    let mut wrapper = Query::select();
    for column in columns {
        wrapper.column((derived.clone(), column.clone()));
    }
    wrapper.from_subquery(subquery, derived).to_owned()
}

/// Rows of `E` that are not among `rows` (a condition on `E`'s table): `pk NOT IN (SELECT pk
/// ..)`, which, unlike `NOT (condition)`, stays true where a filtered column is NULL.
pub(crate) fn outside<E: SoftDeleteEntity>(rows: Condition, backend: DbBackend) -> Condition {
    let columns: Vec<DynIden> = E::PrimaryKey::iter()
        .map(|key| key.into_column().into_iden())
        .collect();
    let mut inner = Query::select();
    for column in &columns {
        inner.column((E::default().into_iden(), column.clone()));
    }
    inner.from(E::default()).cond_where(rows);
    let inner = portable(inner, &columns, backend);
    let keys = columns
        .iter()
        .map(|column| Expr::col((E::default().into_iden(), column.clone())));
    Condition::all().add(Expr::tuple(keys).not_in_subquery(inner))
}
