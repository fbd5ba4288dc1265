//! Reads the engine makes before it writes: the keys of the rows a hooked operation changes.

use sea_orm::sea_query::{Condition, IntoValueTuple, ValueTuple};
use sea_orm::{Iterable, PrimaryKeyToColumn, PrimaryKeyTrait, QueryFilter, QuerySelect};

use crate::entity::SoftDeleteEntity;
use crate::error::Error;
use crate::session::{ErasedConnection, HookConnection};

/// Primary keys of `E`'s rows matching `rows`, read with `FOR UPDATE` (SQLite has no row locks;
/// its transactions lock the database instead).
pub(crate) async fn locked_keys<E: SoftDeleteEntity>(
    rows: Condition,
    db: &dyn ErasedConnection,
) -> Result<Vec<ValueTuple>, Error> {
    // The key columns only: decoding whole models of 100,000 rows cost more than the update.
    let mut select = E::find().select_only().filter(rows);
    for key in E::PrimaryKey::iter() {
        select = select.column(key.into_column());
    }
    let keys: Vec<<E::PrimaryKey as PrimaryKeyTrait>::ValueType> = select
        .lock_exclusive()
        .into_tuple()
        .all(&HookConnection::new(db))
        .await?;
    Ok(keys
        .into_iter()
        .map(IntoValueTuple::into_value_tuple)
        .collect())
}
