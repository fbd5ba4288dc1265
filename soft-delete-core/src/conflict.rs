//! Refusing a restore that would give an active row's unique key to a second active row.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, IdenStatic, ModelTrait, QueryFilter};

use crate::entity::{SoftDeleteEntity, trashed_condition};
use crate::error::{Error, key_text};
use crate::ops::Filters;

/// One `SELECT` per declared unique key: is any trashed row about to be restored (`filters`)
/// holding a key that an active row already has? A second `SELECT`, on the error path only,
/// names that active row.
pub(crate) async fn check_restore<E, C>(db: &C, filters: &Filters) -> Result<(), Error>
where
    E: SoftDeleteEntity,
    C: ConnectionTrait,
{
    for key in E::UNIQUE_KEYS {
        let active = Alias::new("sd_active");
        let mut holder = Query::select();
        holder
            .expr(Expr::val(1))
            .from_as(E::default(), active.clone())
            .and_where(Expr::col((active.clone(), E::deleted_at_column())).is_null());
        for column in *key {
            holder.and_where(Expr::col((active.clone(), *column)).equals((E::default(), *column)));
        }
        let restored = filters
            .apply(E::find())
            .filter(trashed_condition::<E>())
            .filter(Expr::exists(holder))
            .one(db)
            .await?;
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
            columns: key.iter().map(|column| column.as_str()).collect(),
            restored_key: key_text(restored.get_primary_key_value()),
            active_key: active_row.map(|row| key_text(row.get_primary_key_value())),
        });
    }
    Ok(())
}
