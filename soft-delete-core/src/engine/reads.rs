//! Reads the engine makes before it writes: the keys of the rows a hooked operation changes.

use sea_orm::sea_query::{Alias, Condition, Expr, IntoValueTuple, Query, ValueTuple};
use sea_orm::{
    ConnectionTrait, DbBackend, EntityTrait, Iterable, PrimaryKeyToColumn, PrimaryKeyTrait,
    QueryFilter, QuerySelect, TryFromU64,
};

use crate::entity::SoftDeleteEntity;
use crate::error::Error;
use crate::keys;
use crate::session::{ErasedConnection, HookConnection};

/// Primary keys of `E`'s rows matching `rows`, read with `FOR UPDATE` (SQLite has no row locks;
/// its transactions lock the database instead).
pub(crate) async fn locked_keys<E: SoftDeleteEntity>(
    rows: Condition,
    db: &dyn ErasedConnection,
) -> Result<Vec<ValueTuple>, Error> {
    let db = HookConnection::new(db);
    if let Some(keys) = locked_integer_keys::<E>(rows.clone(), &db).await? {
        return Ok(keys);
    }
    // The key columns only: decoding whole models of 100,000 rows cost more than the update.
    let mut select = E::find().select_only().filter(rows);
    for key in E::PrimaryKey::iter() {
        select = select.column(key.into_column());
    }
    let keys: Vec<<E::PrimaryKey as PrimaryKeyTrait>::ValueType> =
        select.lock_exclusive().into_tuple().all(&db).await?;
    Ok(keys
        .into_iter()
        .map(IntoValueTuple::into_value_tuple)
        .collect())
}

/// The name of the one column the aggregated read returns.
const KEY_LIST: &str = "sd_keys";

/// [`locked_keys`] as one row: on SQLite and PostgreSQL, a single-column integer key is read as
/// one comma-separated list (`group_concat` / `string_agg` over the locked rows). Row by row,
/// reading 100,000 keys cost several times the `UPDATE` they were read for (on SQLite every row
/// crosses sqlx's worker channel on its own). `None` where this does not apply, and for a
/// key the type is not built from here (a negative one): the caller then reads row by row.
async fn locked_integer_keys<E: SoftDeleteEntity>(
    rows: Condition,
    db: &HookConnection<'_>,
) -> Result<Option<Vec<ValueTuple>>, Error> {
    let backend = db.get_database_backend();
    let columns: Vec<E::Column> = E::PrimaryKey::iter()
        .map(PrimaryKeyToColumn::into_column)
        .collect();
    let [column] = columns[..] else {
        return Ok(None);
    };
    if !matches!(backend, DbBackend::Sqlite | DbBackend::Postgres) || !integer_key_type::<E>() {
        return Ok(None);
    }
    let mut select = Query::select();
    if backend == DbBackend::Postgres {
        // `FOR UPDATE` is not allowed with an aggregate; it is in a subquery the aggregate reads.
        let locked = Alias::new("sd_locked");
        let mut inner = Query::select();
        inner
            .column((E::default(), column))
            .from(E::default())
            .cond_where(rows)
            .lock_exclusive();
        select
            .expr_as(
                Expr::cust_with_expr(
                    "string_agg(($1)::text, ',')",
                    Expr::col((locked.clone(), column)),
                ),
                Alias::new(KEY_LIST),
            )
            .from_subquery(inner, locked);
    } else {
        select
            .expr_as(
                Expr::cust_with_expr("group_concat(?)", Expr::col((E::default(), column))),
                Alias::new(KEY_LIST),
            )
            .from(E::default())
            .cond_where(rows);
    }
    let Some(row) = ConnectionTrait::query_one(db, &select).await? else {
        return Ok(Some(Vec::new()));
    };
    let list: Option<String> = row.try_get("", KEY_LIST)?;
    let mut keys = Vec::new();
    for number in list
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .filter(|n| !n.is_empty())
    {
        let Ok(number) = number.parse::<u64>() else {
            return Ok(None);
        };
        let Ok(key) =
            <<E::PrimaryKey as PrimaryKeyTrait>::ValueType as TryFromU64>::try_from_u64(number)
        else {
            return Ok(None);
        };
        keys.push(key.into_value_tuple());
    }
    Ok(Some(keys))
}

/// Whether `E`'s key is one integer column, whose values the key type is built from.
fn integer_key_type<E: EntityTrait>() -> bool {
    <<E::PrimaryKey as PrimaryKeyTrait>::ValueType as TryFromU64>::try_from_u64(1)
        .is_ok_and(|key| keys::integer_key(&key.into_value_tuple()).is_some())
}
