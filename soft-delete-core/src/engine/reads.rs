//! Reads the engine makes before it writes: the keys of the rows a hooked operation changes.

use sea_orm::sea_query::{Condition, ValueTuple};
use sea_orm::{ModelTrait, QueryFilter, QuerySelect};

use crate::entity::SoftDeleteEntity;
use crate::error::Error;
use crate::session::{ErasedConnection, HookConnection};

/// Primary keys of `E`'s rows matching `rows`, read with `FOR UPDATE` (SQLite has no row locks;
/// its transactions lock the database instead).
pub(crate) async fn locked_keys<E: SoftDeleteEntity>(
    rows: Condition,
    db: &dyn ErasedConnection,
) -> Result<Vec<ValueTuple>, Error> {
    let models = E::find()
        .filter(rows)
        .lock_exclusive()
        .all(&HookConnection::new(db))
        .await?;
    Ok(models
        .iter()
        .map(ModelTrait::get_primary_key_value)
        .collect())
}
