//! The instance soft delete as a statement text built once per entity and backend: only its
//! values change between calls, so building the `UPDATE .. RETURNING` again for every row
//! (SeaORM's query builder, the condition tree, the `RETURNING` list) cost a third of the
//! client's work in a loop of instance soft deletes.
//!
//! The text is made by the ordinary builder on the first call, and kept only if the values
//! that call computes directly (the `SET` values in order, then the key) are exactly the
//! values the builder bound: a shape this module does not foresee falls back to the builder for
//! good instead of binding values in the wrong places. A call with an enum value (PostgreSQL
//! casts each to its type in the text) always goes through the builder.

use std::any::TypeId;
use std::borrow::Cow;
use std::sync::Arc;

use sea_orm::sea_query::{Query, Values};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, FromQueryResult, Iterable, QueryTrait, Statement,
    Value,
};

use crate::engine::statements::{soft_delete_statement, trashed_values};
use crate::entity::SoftDeleteEntity;
use crate::error::Error;
use crate::keys::RowKey;
use crate::memo::Memo;
use crate::values::Stamp;

/// Per entity and backend: the statement text, or `None` when the builder's values did not
/// come in the order this module computes them.
static SOFT_DELETE_ONE: Memo<(TypeId, &'static str), Option<Arc<str>>> = Memo::new();

/// Soft-deletes the active row `key` with `stamp` in one `UPDATE .. RETURNING` and returns the
/// row as stored, or `None` when no active row had that key. `db` must support `RETURNING`.
pub(crate) async fn soft_delete_one<E, C>(
    db: &C,
    key: &RowKey<E>,
    stamp: &Stamp,
) -> Result<Option<E::Model>, Error>
where
    E: SoftDeleteEntity,
    C: ConnectionTrait,
{
    let backend = db.get_database_backend();
    let mut values: Vec<Value> = trashed_values::<E>(stamp)
        .into_iter()
        .map(|(_, value)| value)
        .collect();
    values.extend_from_slice(key.values());
    // PostgreSQL binds an enum value with a cast the builder writes next to its placeholder,
    // per value: a text made for one value cannot take another (or a typed NULL) in its place.
    if values.iter().any(|value| matches!(value, Value::Enum(_))) {
        return run::<E, _>(db, built_statement::<E>(key, stamp, backend)).await;
    }
    let cache_key = (TypeId::of::<E>(), backend.as_str());
    let text = match SOFT_DELETE_ONE.get(&cache_key) {
        Some(text) => text,
        None => {
            let built = built_statement::<E>(key, stamp, backend);
            let text = (built.values.as_ref() == Some(&Values(values.clone())))
                .then(|| Arc::<str>::from(built.sql));
            SOFT_DELETE_ONE.insert(cache_key, text.clone());
            text
        }
    };
    let statement = match text {
        Some(text) => Statement::from_sql_and_values(backend, &*text, values),
        None => built_statement::<E>(key, stamp, backend),
    };
    run::<E, _>(db, statement).await
}

/// Runs the `UPDATE .. RETURNING` and decodes the row it returned, if any.
async fn run<E: SoftDeleteEntity, C: ConnectionTrait>(
    db: &C,
    statement: Statement,
) -> Result<Option<E::Model>, Error> {
    let Some(row) = db.query_one_raw(statement).await? else {
        return Ok(None);
    };
    Ok(Some(E::Model::from_query_result(&row, "")?))
}

/// The statement as the builder makes it, with the `RETURNING` list SeaORM's
/// `exec_with_returning` adds.
fn built_statement<E: SoftDeleteEntity>(
    key: &RowKey<E>,
    stamp: &Stamp,
    backend: DbBackend,
) -> Statement {
    let mut update = soft_delete_statement::<E>(Cow::Owned(key.filters()), stamp).into_query();
    update.returning(Query::returning().exprs(
        E::Column::iter().map(|column| column.select_as(column.into_returning_expr(backend))),
    ));
    backend.build(&update)
}
