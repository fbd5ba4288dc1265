//! Schema for soft-deletable entities: the marker column with the precision the library writes,
//! indexes on active rows, and keys unique among active rows.
//!
//! Each statement is built for a backend, so it can be inspected or run from a migration (the
//! `migration` feature wraps these for `sea-orm-migration`'s `SchemaManager`). Where backends
//! differ:
//!
//! | | PostgreSQL, SQLite | MySQL, MariaDB |
//! |---|---|---|
//! | marker column | SeaORM's type for the field (microseconds) | `DATETIME(6) NULL`: SeaORM's `timestamp` keeps whole seconds |
//! | active-row index | partial index `WHERE deleted_at IS NULL` | index on `(deleted_at, columns..)`: no partial indexes |
//! | unique among active rows | partial unique index `WHERE deleted_at IS NULL` | unique index on `(columns.., sd_active)`, where `sd_active` is a stored generated column, 1 for active rows and NULL for trashed ones; NULLs never collide |
//!
//! SeaORM's `Schema::sync()` does not know partial unique indexes: on SQLite it silently drops
//! them, and on PostgreSQL it fails trying to drop them as constraints. Do not combine
//! `sync()` with these indexes; create them from migrations or [`create_table`].

use sea_orm::sea_query::{
    Alias, ColumnDef, ConditionalStatement, Expr, ExprTrait, Index, IndexCreateStatement, Table,
    TableAlterStatement,
};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, IdenStatic, Schema};

use crate::entity::SoftDeleteEntity;

/// The generated column that MySQL and MariaDB unique keys use to ignore trashed rows.
pub const ACTIVE_FLAG_COLUMN: &str = "sd_active";

/// The marker column's definition on `backend`.
pub fn marker_column_def<E: SoftDeleteEntity>(backend: DbBackend) -> ColumnDef {
    match backend {
        DbBackend::MySql => ColumnDef::new(E::deleted_at_column())
            .custom(Alias::new("DATETIME(6)"))
            .null()
            .to_owned(),
        _ => Schema::new(backend).get_column_def::<E>(E::deleted_at_column()),
    }
}

/// `ALTER TABLE .. ADD COLUMN deleted_at ..`, for making an existing table soft-deletable.
pub fn add_marker_column<E: SoftDeleteEntity>(backend: DbBackend) -> TableAlterStatement {
    Table::alter()
        .table(E::default())
        .add_column(marker_column_def::<E>(backend))
        .to_owned()
}

/// `ALTER TABLE .. DROP COLUMN deleted_at`.
pub fn drop_marker_column<E: SoftDeleteEntity>() -> TableAlterStatement {
    Table::alter()
        .table(E::default())
        .drop_column(E::deleted_at_column())
        .to_owned()
}

/// The `ALTER TABLE` that gives the marker column microsecond precision, where the backend needs
/// one (MySQL and MariaDB, after `Schema::create_table_from_entity`); `None` elsewhere.
pub fn marker_precision_fix<E: SoftDeleteEntity>(
    backend: DbBackend,
) -> Option<TableAlterStatement> {
    (backend == DbBackend::MySql).then(|| {
        Table::alter()
            .table(E::default())
            .modify_column(marker_column_def::<E>(backend))
            .to_owned()
    })
}

/// The `ALTER TABLE`s that give every timestamp column the library writes, the marker and a
/// `touch` column, the microseconds every stamp has, where the backend needs them (MySQL and
/// MariaDB, where SeaORM's `timestamp` keeps whole seconds); none elsewhere.
pub fn precision_fixes<E: SoftDeleteEntity>(backend: DbBackend) -> Vec<TableAlterStatement> {
    if backend != DbBackend::MySql {
        return Vec::new();
    }
    let mut fixes: Vec<TableAlterStatement> =
        marker_precision_fix::<E>(backend).into_iter().collect();
    if let Some((touch, _)) = E::touch_value(chrono::DateTime::<chrono::Utc>::default()) {
        let mut column = Schema::new(backend).get_column_def::<E>(touch);
        column.custom(Alias::new("DATETIME(6)"));
        fixes.push(
            Table::alter()
                .table(E::default())
                .modify_column(column)
                .to_owned(),
        );
    }
    fixes
}

/// An index that serves queries on active rows by `columns`, named `name`.
pub fn active_index<E: SoftDeleteEntity>(
    name: &str,
    columns: &[E::Column],
    backend: DbBackend,
) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(E::default());
    if backend == DbBackend::MySql {
        index.col(E::deleted_at_column());
    } else {
        index.and_where(Expr::col(E::deleted_at_column()).is_null());
    }
    for column in columns {
        index.col(*column);
    }
    index
}

/// The statements that make `key` unique among active rows on `backend`, in order.
pub fn active_unique_index<E: SoftDeleteEntity>(
    key: &[E::Column],
    backend: DbBackend,
) -> Vec<SchemaStatement> {
    let mut index = Index::create();
    index
        .name(unique_index_name::<E>(key))
        .table(E::default())
        .unique();
    for column in key {
        index.col(*column);
    }
    if backend != DbBackend::MySql {
        index.and_where(Expr::col(E::deleted_at_column()).is_null());
        return vec![SchemaStatement::Index(index)];
    }
    let active_flag = Expr::case(Expr::col(E::deleted_at_column()).is_null(), 1);
    let flag_column = Table::alter()
        .table(E::default())
        .add_column_if_not_exists(
            // MariaDB allows no NULL / NOT NULL clause on a generated column.
            ColumnDef::new(Alias::new(ACTIVE_FLAG_COLUMN))
                .tiny_integer()
                .generated(active_flag, true),
        )
        .to_owned();
    index.col(Alias::new(ACTIVE_FLAG_COLUMN));
    vec![
        SchemaStatement::Alter(flag_column),
        SchemaStatement::Index(index),
    ]
}

/// `sd_uq_<table>_<columns>`, as the unique index for `key` is named.
pub fn unique_index_name<E: SoftDeleteEntity>(key: &[E::Column]) -> String {
    let columns: Vec<&str> = key.iter().map(|column| column.as_str()).collect();
    format!("sd_uq_{}_{}", E::default().table_name(), columns.join("_"))
}

/// A schema statement of either kind the helpers produce.
#[derive(Debug, Clone)]
pub enum SchemaStatement {
    /// `ALTER TABLE`.
    Alter(TableAlterStatement),
    /// `CREATE INDEX`.
    Index(IndexCreateStatement),
}

impl SchemaStatement {
    /// Runs the statement.
    pub async fn execute<C: ConnectionTrait>(&self, db: &C) -> Result<(), DbErr> {
        match self {
            SchemaStatement::Alter(alter) => db.execute(alter).await?,
            SchemaStatement::Index(index) => db.execute(index).await?,
        };
        Ok(())
    }

    /// The SQL for `backend`.
    pub fn to_string(&self, backend: DbBackend) -> String {
        match self {
            SchemaStatement::Alter(alter) => backend.build(alter).to_string(),
            SchemaStatement::Index(index) => backend.build(index).to_string(),
        }
    }
}

/// Creates the indexes that enforce every `#[soft_delete(unique(..))]` key of `E`.
pub async fn create_active_unique_indexes<E, C>(db: &C) -> Result<(), DbErr>
where
    E: SoftDeleteEntity,
    C: ConnectionTrait,
{
    let backend = db.get_database_backend();
    for key in E::UNIQUE_KEYS {
        for statement in active_unique_index::<E>(key, backend) {
            statement.execute(db).await?;
        }
    }
    Ok(())
}

/// Creates `E`'s table from the entity, as `Schema::create_table_from_entity` does, with the
/// timestamp columns fixed by [`precision_fixes`] and the unique keys of
/// [`create_active_unique_indexes`].
pub async fn create_table<E, C>(db: &C) -> Result<(), DbErr>
where
    E: SoftDeleteEntity,
    C: ConnectionTrait,
{
    let backend = db.get_database_backend();
    db.execute(&Schema::new(backend).create_table_from_entity(E::default()))
        .await?;
    for fix in precision_fixes::<E>(backend) {
        db.execute(&fix).await?;
    }
    create_active_unique_indexes::<E, C>(db).await
}
