//! A blog service written the way SeaORM's examples write one (its axum example's `service`
//! crate): an entity, a migration, and `Query` / `Mutation` functions that take `&DbConn`.
//! `tests/crud.rs` is its CRUD test.

pub mod entity;
pub mod migration;
pub mod service;

use sea_orm::{Database, DatabaseConnection, DbErr};
use sea_orm_migration::MigratorTrait;

/// Connects and migrates, as the application's `main` does.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut db = Database::connect(url).await?;
    // Reports, as a tracing warning, any statement that would show or destroy trashed posts.
    soft_delete_core::guard::observe(&mut db);
    migration::Migrator::up(&db, None).await?;
    Ok(db)
}
