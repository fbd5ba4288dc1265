//! The [`schema`] helpers for `sea-orm-migration`'s `SchemaManager`.
//!
//! ```no_run
//! # mod user {
//! #     use sea_orm::entity::prelude::*;
//! #     use soft_delete_core::prelude::*;
//! #     #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
//! #     #[sea_orm(table_name = "user")]
//! #     #[soft_delete(unique(email))]
//! #     pub struct Model {
//! #         #[sea_orm(primary_key)]
//! #         pub id: i32,
//! #         pub email: String,
//! #         pub deleted_at: Option<DateTimeUtc>,
//! #     }
//! #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
//! #     pub enum Relation {}
//! #     impl ActiveModelBehavior for ActiveModel {}
//! # }
//! use sea_orm_migration::prelude::*;
//! use soft_delete_core::migration;
//!
//! pub struct MakeUsersSoftDeletable;
//!
//! impl MigrationName for MakeUsersSoftDeletable {
//!     fn name(&self) -> &str {
//!         "m20260101_000001_soft_delete_users"
//!     }
//! }
//!
//! #[async_trait::async_trait]
//! impl MigrationTrait for MakeUsersSoftDeletable {
//!     async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
//!         migration::add_marker_column::<user::Entity>(manager).await?;
//!         migration::create_active_unique_indexes::<user::Entity>(manager).await?;
//!         migration::create_active_index::<user::Entity>(manager, "idx_user_active", &[]).await
//!     }
//!
//!     async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
//!         migration::drop_active_index::<user::Entity>(manager, "idx_user_active").await?;
//!         migration::drop_active_unique_indexes::<user::Entity>(manager).await?;
//!         migration::drop_marker_column::<user::Entity>(manager).await
//!     }
//! }
//! ```

use sea_orm::DbErr;
use sea_orm::sea_query::{Alias, Index, Table};
use sea_orm_migration::SchemaManager;

use crate::entity::HasDeletionTime;
use crate::entity::SoftDeleteEntity;
use crate::schema;

/// Adds the marker column with the type the entity's field needs on this backend.
pub async fn add_marker_column<E: SoftDeleteEntity>(
    manager: &SchemaManager<'_>,
) -> Result<(), DbErr> {
    manager
        .alter_table(schema::add_marker_column::<E>(
            manager.get_database_backend(),
        ))
        .await
}

/// Gives the marker and `touch` columns microsecond precision where the backend needs it (see
/// [`schema::precision_fixes`]): run it after creating the table with SeaORM's types, so that
/// every stamp round-trips unchanged on MySQL and MariaDB too.
pub async fn fix_timestamp_precision<E: SoftDeleteEntity>(
    manager: &SchemaManager<'_>,
) -> Result<(), DbErr> {
    for fix in schema::precision_fixes::<E>(manager.get_database_backend()) {
        manager.alter_table(fix).await?;
    }
    Ok(())
}

/// Drops the marker column.
pub async fn drop_marker_column<E: SoftDeleteEntity>(
    manager: &SchemaManager<'_>,
) -> Result<(), DbErr> {
    manager.alter_table(schema::drop_marker_column::<E>()).await
}

/// Creates an index on active rows by `columns` (see [`schema::active_index`]).
pub async fn create_active_index<E: SoftDeleteEntity>(
    manager: &SchemaManager<'_>,
    name: &str,
    columns: &[E::Column],
) -> Result<(), DbErr> {
    let backend = manager.get_database_backend();
    manager
        .create_index(schema::active_index::<E>(name, columns, backend))
        .await
}

/// Drops an index made by [`create_active_index`]; it must go before the marker column does.
pub async fn drop_active_index<E: SoftDeleteEntity>(
    manager: &SchemaManager<'_>,
    name: &str,
) -> Result<(), DbErr> {
    manager
        .drop_index(Index::drop().name(name).table(E::default()).to_owned())
        .await
}

/// Creates the index that makes each batch of a purge read only the trash (see
/// [`schema::purge_index`]); nothing on MySQL and MariaDB, where no index helps.
pub async fn create_purge_index<E: HasDeletionTime>(
    manager: &SchemaManager<'_>,
    name: &str,
) -> Result<(), DbErr> {
    match schema::purge_index::<E>(name, manager.get_database_backend()) {
        Some(index) => manager.create_index(index).await,
        None => Ok(()),
    }
}

/// Drops an index made by [`create_purge_index`]; nothing on MySQL and MariaDB.
pub async fn drop_purge_index<E: HasDeletionTime>(
    manager: &SchemaManager<'_>,
    name: &str,
) -> Result<(), DbErr> {
    if schema::purge_index::<E>(name, manager.get_database_backend()).is_none() {
        return Ok(());
    }
    drop_active_index::<E>(manager, name).await
}

/// Creates the indexes that enforce every `#[soft_delete(unique(..))]` key.
pub async fn create_active_unique_indexes<E: SoftDeleteEntity>(
    manager: &SchemaManager<'_>,
) -> Result<(), DbErr> {
    schema::create_active_unique_indexes::<E, _>(manager.get_connection()).await
}

/// Drops what [`create_active_unique_indexes`] created.
pub async fn drop_active_unique_indexes<E: SoftDeleteEntity>(
    manager: &SchemaManager<'_>,
) -> Result<(), DbErr> {
    let backend = manager.get_database_backend();
    for key in E::UNIQUE_KEYS {
        let mut drop = Index::drop();
        drop.name(schema::unique_index_name::<E>(key))
            .table(E::default());
        manager.drop_index(drop).await?;
    }
    let generated = <E::Marker as crate::MarkerStrategy>::KIND.unique_needs_generated_column();
    if backend == sea_orm::DbBackend::MySql && generated && !E::UNIQUE_KEYS.is_empty() {
        let drop_flag = Table::alter()
            .table(E::default())
            .drop_column(Alias::new(schema::ACTIVE_FLAG_COLUMN))
            .to_owned();
        manager.alter_table(drop_flag).await?;
    }
    Ok(())
}
