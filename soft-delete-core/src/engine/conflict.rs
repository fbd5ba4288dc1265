//! Refusing a restore that would give an active row's unique key to a second active row.
//!
//! Every restore checks first, whatever brings the row back: the call itself, a cascade to a
//! child, or `with_ancestors()`. The check cannot see a concurrent restore that has not committed
//! yet; the unique index then refuses the second write, and that refusal is reported as the same
//! [`Error::RestoreConflict`].

use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, IdenStatic, ModelTrait, QueryFilter,
    QuerySelect, QueryTrait, Select, SqlErr, Statement,
};

use crate::entity::{SoftDeleteEntity, active_in};
use crate::error::{Error, key_text};
use crate::session::{ErasedConnection, HookConnection};

/// One `SELECT` per declared unique key: does any of the trashed rows about to be restored
/// (`rows`, a condition on `E`'s table) hold a key that an active row already has? A second
/// `SELECT`, on the error path only, names that active row.
pub(crate) async fn check_rows<E, C>(db: &C, rows: Condition) -> Result<(), Error>
where
    E: SoftDeleteEntity,
    C: ConnectionTrait,
{
    for key in E::UNIQUE_KEYS {
        let restored = holding_a_taken_key::<E>(rows.clone(), key).one(db).await?;
        let Some(restored) = restored else { continue };
        let active_row = key
            .iter()
            .fold(E::objects(), |select, column| {
                select.filter(column.eq(restored.get(*column)))
            })
            .one(db)
            .await?;
        return Err(Error::RestoreConflict {
            table: E::default().table_name(),
            columns: columns_of::<E>(key),
            restored_key: Some(key_text(restored.get_primary_key_value())),
            active_key: active_row.map(|row| key_text(row.get_primary_key_value())),
        });
    }
    Ok(())
}

/// The first of the trashed rows matching `rows` whose `key` an active row holds: the check's
/// `SELECT` for one key.
pub(crate) fn holding_a_taken_key<E: SoftDeleteEntity>(
    rows: Condition,
    key: &[E::Column],
) -> Select<E> {
    let active = Alias::new("sd_active");
    let mut holder = Query::select();
    holder
        .expr(Expr::val(1))
        .from_as(E::default(), active.clone())
        .and_where(active_in::<E>(active.clone()));
    for column in key {
        holder.and_where(Expr::col((active.clone(), *column)).equals((E::default(), *column)));
    }
    E::find().filter(rows).filter(Expr::exists(holder))
}

/// The statements [`check_rows`] sends when no key is taken: one `SELECT` per unique key.
pub(crate) fn check_statements<E: SoftDeleteEntity>(
    rows: Condition,
    backend: DbBackend,
) -> Vec<Statement> {
    E::UNIQUE_KEYS
        .iter()
        .map(|key| {
            // `one()` sends the select with `LIMIT 1`.
            holding_a_taken_key::<E>(rows.clone(), key)
                .limit(1)
                .build(backend)
        })
        .collect()
}

/// [`check_rows`] through a type-erased connection, as cascade edges hold it.
pub(crate) async fn check_rows_on<E: SoftDeleteEntity>(
    rows: Condition,
    db: &dyn ErasedConnection,
) -> Result<(), Error> {
    if E::UNIQUE_KEYS.is_empty() {
        return Ok(());
    }
    check_rows::<E, _>(&HookConnection::new(db), rows).await
}

fn columns_of<E: SoftDeleteEntity>(key: &[E::Column]) -> Vec<&'static str> {
    key.iter().map(|column| column.as_str()).collect()
}

/// The unique keys of `E`, as column names.
pub(crate) fn unique_keys<E: SoftDeleteEntity>() -> Vec<Vec<&'static str>> {
    E::UNIQUE_KEYS
        .iter()
        .map(|key| columns_of::<E>(key))
        .collect()
}

/// A restore's write of `table` failed: a unique violation there is a [`Error::RestoreConflict`]
/// (the key is found by its index name, [`unique_index_name_on`](crate::schema::unique_index_name_on),
/// or SQLite's column list).
pub(crate) fn restore_failed(
    error: DbErr,
    table: &'static str,
    keys: &[Vec<&'static str>],
) -> Error {
    let Some(SqlErr::UniqueConstraintViolation(message)) = error.sql_err() else {
        return Error::Database(error);
    };
    let named = |key: &&Vec<&'static str>| {
        let index = crate::identifiers::unique_index_name_of(table, key);
        let sqlite: Vec<String> = key
            .iter()
            .map(|column| format!("{table}.{column}"))
            .collect();
        message.contains(&index) || message.ends_with(&sqlite.join(", "))
    };
    let columns = keys
        .iter()
        .find(named)
        .or(if keys.len() == 1 { keys.first() } else { None })
        .cloned()
        .unwrap_or_default();
    Error::RestoreConflict {
        table,
        columns,
        restored_key: None,
        active_key: None,
    }
}
