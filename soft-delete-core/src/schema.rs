//! Creating a soft-deletable entity's table with a marker column that keeps the precision the
//! library writes.
//!
//! SeaORM's `Schema::create_table_from_entity` declares a `DateTimeUtc` column as `timestamp`
//! on MySQL and MariaDB: whole seconds, so a stored deletion time would differ from the one the
//! library returns. There the marker must be `DATETIME(6) NULL` (or `TIMESTAMP(6) NULL`);
//! PostgreSQL and SQLite keep microseconds with SeaORM's own column types.

use sea_orm::sea_query::{Alias, ColumnDef, Table, TableAlterStatement};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Schema};

use crate::entity::SoftDeleteEntity;

/// The `ALTER TABLE` that gives the marker column microsecond precision, where the backend needs
/// one (MySQL and MariaDB); `None` elsewhere.
pub fn marker_precision_fix<E: SoftDeleteEntity>(
    backend: DbBackend,
) -> Option<TableAlterStatement> {
    match backend {
        DbBackend::MySql => Some(
            Table::alter()
                .table(E::default())
                .modify_column(
                    ColumnDef::new(E::deleted_at_column())
                        .custom(Alias::new("DATETIME(6)"))
                        .null(),
                )
                .to_owned(),
        ),
        _ => None,
    }
}

/// Creates `E`'s table from the entity, as `Schema::create_table_from_entity` does, with the
/// marker column fixed by [`marker_precision_fix`].
pub async fn create_table<E, C>(db: &C) -> Result<(), DbErr>
where
    E: SoftDeleteEntity,
    C: ConnectionTrait,
{
    let backend = db.get_database_backend();
    let schema = Schema::new(backend);
    db.execute(&schema.create_table_from_entity(E::default()))
        .await?;
    if let Some(fix) = marker_precision_fix::<E>(backend) {
        db.execute(&fix).await?;
    }
    Ok(())
}
