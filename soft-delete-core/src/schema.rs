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
//! Other [marker strategies](crate::marker) change the column and the conditions:
//!
//! | strategy | column | active-row condition | unique among active rows |
//! |---|---|---|---|
//! | flag | `boolean NOT NULL DEFAULT FALSE` | `deleted = FALSE` | as for timestamps, with that condition |
//! | active flag | `boolean NOT NULL DEFAULT TRUE` | `active = TRUE` | as for timestamps, with that condition |
//! | epoch | `bigint NOT NULL DEFAULT 0` | `deleted_at = 0` | a plain unique index on `(columns.., deleted_at)` on every backend: active rows all hold 0, trashed rows their deletion time |
//!
//! The migration helpers take the marker as a column name, which means a timestamp marker, or
//! as a [`MarkerColumn`] for the other strategies.
//!
//! SeaORM's `Schema::sync()` does not know partial unique indexes: on SQLite it silently drops
//! them, and on PostgreSQL it fails trying to drop them as constraints. Do not combine
//! `sync()` with these indexes; create them from migrations or [`create_table`].

use sea_orm::sea_query::{
    Alias, ColumnDef, ConditionalStatement, DynIden, Expr, Index, IndexCreateStatement, IntoIden,
    Table, TableAlterStatement, TableCreateStatement,
};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Iterable, PrimaryKeyToColumn, Schema};

use crate::entity::HasDeletionTime;
use crate::entity::SoftDeleteEntity;
use crate::marker::{MarkerKind, MarkerStrategy};

/// The generated column that MySQL and MariaDB unique keys use to ignore trashed rows.
pub const ACTIVE_FLAG_COLUMN: &str = "sd_active";

/// A marker column by name, with its strategy: what the migration helpers need to know about a
/// marker that is not a nullable timestamp.
///
/// ```
/// use sea_orm::{DbBackend, DeriveIden};
/// use soft_delete_core::MarkerKind;
/// use soft_delete_core::schema::{self, MarkerColumn};
///
/// #[derive(DeriveIden)]
/// enum Account {
///     Table,
///     Email,
///     Deleted,
/// }
///
/// let deleted = MarkerColumn::new(Account::Deleted, MarkerKind::Flag);
/// let column = deleted.column_def(DbBackend::Postgres);
/// let index = schema::active_unique_index_on(Account::Table, deleted, [Account::Email], DbBackend::Postgres);
/// assert_eq!(
///     DbBackend::Postgres.build(&index).to_string(),
///     r#"CREATE UNIQUE INDEX "sd_uq_account_email" ON "account" ("email") WHERE "deleted" = FALSE"#
/// );
/// # let _ = column;
/// ```
#[derive(Clone, Debug)]
pub struct MarkerColumn {
    column: DynIden,
    kind: MarkerKind,
}

impl MarkerColumn {
    /// The marker `column`, recording the state as `kind` says.
    pub fn new(column: impl IntoIden, kind: MarkerKind) -> Self {
        Self {
            column: column.into_iden(),
            kind,
        }
    }

    /// `E`'s marker column.
    pub fn of<E: SoftDeleteEntity>() -> Self {
        Self::new(E::marker_column(), <E::Marker as MarkerStrategy>::KIND)
    }

    /// The column's definition for `Table::create()` or `ALTER TABLE .. ADD COLUMN`: see
    /// [`marker_column`] for a timestamp; `boolean NOT NULL DEFAULT FALSE` for a flag,
    /// `DEFAULT TRUE` for an active flag, and `bigint NOT NULL DEFAULT 0` for an epoch, so that
    /// a row inserted without the column is active.
    pub fn column_def(&self, backend: DbBackend) -> ColumnDef {
        let mut column = ColumnDef::new(self.column.clone());
        match self.kind {
            MarkerKind::Timestamp => return marker_column(self.column.clone(), backend),
            MarkerKind::Flag => column.boolean().default(false),
            MarkerKind::ActiveFlag => column.boolean().default(true),
            MarkerKind::EpochSeconds | MarkerKind::EpochMillis => {
                column.big_integer().default(0_i64)
            }
        };
        column.not_null().to_owned()
    }

    /// The condition "this row is active", on the unqualified column.
    pub fn active(&self) -> sea_orm::sea_query::Expr {
        self.kind.active(Expr::col(self.column.clone()))
    }

    /// The condition "this row is trashed", on the unqualified column.
    pub fn trashed(&self) -> sea_orm::sea_query::Expr {
        self.kind.trashed(Expr::col(self.column.clone()))
    }
}

/// A marker column name, which means a timestamp marker, or a [`MarkerColumn`].
pub trait IntoMarkerColumn {
    /// The marker, with its strategy.
    fn into_marker_column(self) -> MarkerColumn;
}

impl<T: IntoIden> IntoMarkerColumn for T {
    fn into_marker_column(self) -> MarkerColumn {
        MarkerColumn::new(self, MarkerKind::Timestamp)
    }
}

impl IntoMarkerColumn for MarkerColumn {
    fn into_marker_column(self) -> MarkerColumn {
        self
    }
}

/// The marker column's definition on `backend`.
pub fn marker_column_def<E: SoftDeleteEntity>(backend: DbBackend) -> ColumnDef {
    match (<E::Marker as MarkerStrategy>::KIND, backend) {
        (MarkerKind::Timestamp, DbBackend::MySql) => ColumnDef::new(E::marker_column())
            .custom(Alias::new("DATETIME(6)"))
            .null()
            .to_owned(),
        (MarkerKind::Timestamp, _) => Schema::new(backend).get_column_def::<E>(E::marker_column()),
        _ => MarkerColumn::of::<E>().column_def(backend),
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
        .drop_column(E::marker_column())
        .to_owned()
}

/// The `ALTER TABLE` that gives a timestamp marker column microsecond precision, where the
/// backend needs one (MySQL and MariaDB, after `Schema::create_table_from_entity`); `None`
/// elsewhere and for other strategies.
pub fn marker_precision_fix<E: SoftDeleteEntity>(
    backend: DbBackend,
) -> Option<TableAlterStatement> {
    let timestamp = <E::Marker as MarkerStrategy>::KIND == MarkerKind::Timestamp;
    (timestamp && backend == DbBackend::MySql).then(|| {
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
    active_index_on(
        name,
        E::default(),
        MarkerColumn::of::<E>(),
        columns.iter().copied(),
        backend,
    )
}

/// The index that makes each batch of [`purge_trash`](crate::PurgeTrash) read only the trash,
/// named `name`. A purge walks the primary key upwards through the expired trash; on PostgreSQL
/// and SQLite this partial index `(key.., deleted_at) WHERE <trashed>` holds the trash alone, in
/// key order, with the deletion time (the marker, or the `touch` column of a flag), so that a
/// batch reads its own rows of it and no others.
///
/// `None` on MySQL and MariaDB: without partial indexes, an index on the deletion time cannot
/// be read in key order, and measured it only slowed the purge (the optimiser picked it for the
/// batches, sorting every remaining expired key once per batch, and every `DELETE` had one more
/// index to maintain); InnoDB's clustered primary key serves the batches best.
///
/// ```
/// # mod post {
/// #     use sea_orm::entity::prelude::*;
/// #     use soft_delete_core::prelude::*;
/// #     #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
/// #     #[sea_orm(table_name = "post")]
/// #     pub struct Model {
/// #         #[sea_orm(primary_key)]
/// #         pub id: i32,
/// #         pub deleted_at: Option<DateTimeUtc>,
/// #     }
/// #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #     pub enum Relation {}
/// #     impl ActiveModelBehavior for ActiveModel {}
/// # }
/// use sea_orm::DbBackend;
/// use soft_delete_core::schema;
///
/// let index = schema::purge_index::<post::Entity>("post_trash", DbBackend::Postgres);
/// assert_eq!(
///     index.map(|index| DbBackend::Postgres.build(&index).to_string()).as_deref(),
///     Some(r#"CREATE INDEX "post_trash" ON "post" ("id", "deleted_at") WHERE "deleted_at" IS NOT NULL"#)
/// );
/// assert!(schema::purge_index::<post::Entity>("post_trash", DbBackend::MySql).is_none());
/// ```
pub fn purge_index<E: HasDeletionTime>(
    name: &str,
    backend: DbBackend,
) -> Option<IndexCreateStatement> {
    if backend == DbBackend::MySql {
        return None;
    }
    let time = if <E::Marker as MarkerStrategy>::KIND.records_time() {
        E::marker_column()
    } else {
        // A flag marker without `touch` has no deletion time and no `HasDeletionTime`.
        E::touch_value(chrono::DateTime::UNIX_EPOCH)
            .map_or_else(E::marker_column, |(column, _)| column)
    };
    let mut index = Index::create();
    index.name(name).table(E::default());
    for key in E::PrimaryKey::iter() {
        index.col(key.into_column());
    }
    index.col(time).and_where(MarkerColumn::of::<E>().trashed());
    Some(index)
}

/// The statement that makes `key` unique among active rows on `backend`. On MySQL and MariaDB
/// it needs the generated column of [`add_active_flag_column`] (once per table), which
/// [`active_unique_indexes`] and [`create_active_unique_indexes`] add.
pub fn active_unique_index<E: SoftDeleteEntity>(
    key: &[E::Column],
    backend: DbBackend,
) -> IndexCreateStatement {
    active_unique_index_on(
        E::default(),
        MarkerColumn::of::<E>(),
        key.iter().copied(),
        backend,
    )
}

/// Everything that makes each of `E`'s `#[soft_delete(unique(..))]` keys unique among active
/// rows on `backend`, in order: on MySQL and MariaDB the generated column first, then one index
/// per key.
///
/// Run it once per table: on MySQL and MariaDB a second run fails on the existing `sd_active`
/// column. A later migration that adds a key creates only its index
/// ([`active_unique_index`] / [`active_unique_index_on`]).
pub fn active_unique_indexes<E: SoftDeleteEntity>(backend: DbBackend) -> Vec<SchemaStatement> {
    let mut statements = Vec::new();
    if E::UNIQUE_KEYS.is_empty() {
        return statements;
    }
    if let Some(flag) = add_active_flag_column(E::default(), MarkerColumn::of::<E>(), backend) {
        statements.push(SchemaStatement::Alter(flag));
    }
    for key in E::UNIQUE_KEYS {
        statements.push(SchemaStatement::Index(active_unique_index::<E>(
            key, backend,
        )));
    }
    statements
}

/// `sd_uq_<table>_<columns>`, as the unique index for `key` is named.
pub fn unique_index_name<E: SoftDeleteEntity>(key: &[E::Column]) -> String {
    unique_index_name_on(E::default(), key.iter().copied())
}

// Migrations in sea-orm-migration's idiom: built from names (the `DeriveIden` enums sea-orm-cli
// scaffolds), not from today's entity, so that a migration written once keeps meaning the same.

/// The marker column for `Table::create()` or `ALTER TABLE .. ADD COLUMN`, for a marker field of
/// type `Option<DateTimeUtc>`, `Option<DateTimeWithTimeZone>` or `Option<DateTimeLocal>`:
/// nullable `timestamp with time zone` on PostgreSQL, SeaORM's timestamp text on SQLite, and
/// `DATETIME(6)` on MySQL and MariaDB, whose `timestamp` would keep whole seconds only.
///
/// ```
/// use sea_orm::sea_query::{ColumnDef, Table};
/// use sea_orm::{DbBackend, DeriveIden};
/// use soft_delete_core::schema;
///
/// #[derive(DeriveIden)] // as sea-orm-cli scaffolds migrations
/// enum Post {
///     Table,
///     Id,
///     DeletedAt,
///     DeletedBatch,
/// }
///
/// let backend = DbBackend::MySql; // `manager.get_database_backend()` in a migration
/// let create = Table::create()
///     .table(Post::Table)
///     .col(ColumnDef::new(Post::Id).integer().not_null().primary_key())
///     .col(schema::marker_column(Post::DeletedAt, backend))
///     .col(schema::batch_column(Post::DeletedBatch))
///     .to_owned();
/// assert_eq!(
///     backend.build(&create).to_string(),
///     "CREATE TABLE `post` ( `id` int NOT NULL PRIMARY KEY, \
///      `deleted_at` DATETIME(6) NULL, `deleted_batch` bigint NULL )"
/// );
/// ```
pub fn marker_column(name: impl IntoIden, backend: DbBackend) -> ColumnDef {
    let mut column = ColumnDef::new(name);
    match backend {
        DbBackend::MySql => column.custom(Alias::new("DATETIME(6)")),
        _ => column.timestamp_with_time_zone(),
    };
    column.null().to_owned()
}

/// [`marker_column`] for a naive marker field (`Option<DateTime>`): `timestamp` without time
/// zone on PostgreSQL.
pub fn naive_marker_column(name: impl IntoIden, backend: DbBackend) -> ColumnDef {
    let mut column = ColumnDef::new(name);
    match backend {
        DbBackend::MySql => column.custom(Alias::new("DATETIME(6)")),
        _ => column.timestamp(),
    };
    column.null().to_owned()
}

/// The cascade batch column (`Option<i64>`, `deleted_batch` or `#[soft_delete(batch)]`):
/// nullable `bigint` on every backend.
pub fn batch_column(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).big_integer().null().to_owned()
}

/// An index named `name` on `table` that serves queries on active rows by `columns`: partial
/// (`WHERE marker IS NULL`, or the strategy's condition) on PostgreSQL and SQLite, on
/// `(marker, columns..)` on MySQL and MariaDB, which have no partial indexes.
pub fn active_index_on<C: IntoIden>(
    name: &str,
    table: impl IntoIden,
    marker: impl IntoMarkerColumn,
    columns: impl IntoIterator<Item = C>,
    backend: DbBackend,
) -> IndexCreateStatement {
    let marker = marker.into_marker_column();
    let mut index = Index::create();
    index.name(name).table(table);
    if backend == DbBackend::MySql {
        index.col(marker.column.clone());
    } else {
        index.and_where(marker.active());
    }
    let mut has_columns = false;
    for column in columns {
        index.col(column);
        has_columns = true;
    }
    // An index needs a column: with none given, a partial index holds the marker, which makes
    // counting active rows an index-only scan, as `(marker)` does on MySQL and MariaDB.
    if !has_columns && backend != DbBackend::MySql {
        index.col(marker.column.clone());
    }
    index
}

/// The unique index that makes `key` unique among the active rows of `table`, named
/// `sd_uq_<table>_<columns>`: partial on PostgreSQL and SQLite; on MySQL and MariaDB over
/// `(key.., sd_active)`, the column of [`add_active_flag_column`] / [`active_flag_column`],
/// which must exist first. For an epoch marker, a plain unique index over `(key.., marker)` on
/// every backend: active rows all hold 0, so they collide; trashed rows collide only when they
/// share a key and were trashed in the same second (millisecond).
///
/// ```
/// use sea_orm::{DbBackend, DeriveIden};
/// use soft_delete_core::schema;
///
/// #[derive(DeriveIden)]
/// enum User {
///     Table,
///     Email,
///     DeletedAt,
/// }
///
/// let sql = |backend: DbBackend| {
///     backend
///         .build(&schema::active_unique_index_on(User::Table, User::DeletedAt, [User::Email], backend))
///         .to_string()
/// };
/// assert_eq!(
///     sql(DbBackend::Postgres),
///     r#"CREATE UNIQUE INDEX "sd_uq_user_email" ON "user" ("email") WHERE "deleted_at" IS NULL"#
/// );
/// assert_eq!(
///     sql(DbBackend::MySql),
///     "CREATE UNIQUE INDEX `sd_uq_user_email` ON `user` (`email`, `sd_active`)"
/// );
/// ```
pub fn active_unique_index_on<C: IntoIden>(
    table: impl IntoIden,
    marker: impl IntoMarkerColumn,
    key: impl IntoIterator<Item = C>,
    backend: DbBackend,
) -> IndexCreateStatement {
    let table = table.into_iden();
    let key: Vec<DynIden> = key.into_iter().map(IntoIden::into_iden).collect();
    let name = unique_index_name_on(table.clone(), key.iter().cloned());
    active_unique_index_named(&name, table, marker, key, backend)
}

/// [`active_unique_index_on`] under a name of your own, for a naming scheme the database
/// already follows. A restore that the index refuses is reported as
/// [`Error::RestoreConflict`](crate::Error::RestoreConflict) either way; with a name of your own
/// its `columns` are known only when the entity declares one unique key (the derived name is
/// how the key is recognised in the database's message).
pub fn active_unique_index_named<C: IntoIden>(
    name: &str,
    table: impl IntoIden,
    marker: impl IntoMarkerColumn,
    key: impl IntoIterator<Item = C>,
    backend: DbBackend,
) -> IndexCreateStatement {
    let marker = marker.into_marker_column();
    let mut index = Index::create();
    index.name(name).table(table).unique();
    for column in key {
        index.col(column);
    }
    if !marker.kind.unique_needs_generated_column() {
        index.col(marker.column);
    } else if backend == DbBackend::MySql {
        index.col(Alias::new(ACTIVE_FLAG_COLUMN));
    } else {
        index.and_where(marker.active());
    }
    index
}

/// The name of the unique index for `key` on `table`: `sd_uq_<table>_<columns>` (the columns
/// joined by `_`) when that fits in [`MAX_IDENTIFIER_BYTES`]; otherwise its first 54 bytes, `_`
/// and 8 hex digits of a hash of the whole name (64-bit FNV-1a, folded to 32 bits), so that two
/// keys whose names share the first 63 bytes still get two indexes. The derivation is fixed: a
/// migration written today finds its index in every later release.
///
/// ```
/// use soft_delete_core::schema;
///
/// assert_eq!(schema::unique_index_name_on("user", ["email"]), "sd_uq_user_email");
/// let long = schema::unique_index_name_on(
///     "organization_membership_invitations",
///     ["organization_identifier", "invited_email_address"],
/// );
/// assert_eq!(long, "sd_uq_organization_membership_invitations_organization_220e7cd6");
/// assert!(long.len() <= schema::MAX_IDENTIFIER_BYTES);
/// // A second key that shares the first 63 bytes gets an index of its own.
/// let normalized = schema::unique_index_name_on(
///     "organization_membership_invitations",
///     ["organization_identifier", "invited_email_address_normalized"],
/// );
/// assert_ne!(normalized, long);
/// ```
pub fn unique_index_name_on<C: IntoIden>(
    table: impl IntoIden,
    key: impl IntoIterator<Item = C>,
) -> String {
    let columns: Vec<String> = key
        .into_iter()
        .map(|column| column.into_iden().to_string())
        .collect();
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    crate::identifiers::unique_index_name_of(&table.into_iden().to_string(), &columns)
}

pub use crate::identifiers::MAX_IDENTIFIER_BYTES;

/// The generated column `sd_active` that MySQL and MariaDB unique indexes on active rows use
/// (1 for active rows, NULL for trashed ones, and NULLs never collide), for `Table::create()`;
/// `None` on PostgreSQL and SQLite, which need none, and for an epoch marker.
pub fn active_flag_column(marker: impl IntoMarkerColumn, backend: DbBackend) -> Option<ColumnDef> {
    let marker = marker.into_marker_column();
    (backend == DbBackend::MySql && marker.kind.unique_needs_generated_column()).then(|| {
        let active = Expr::case(marker.active(), 1);
        // MariaDB allows no NULL / NOT NULL clause on a generated column.
        ColumnDef::new(Alias::new(ACTIVE_FLAG_COLUMN))
            .tiny_integer()
            .generated(active, true)
            .to_owned()
    })
}

/// `ALTER TABLE .. ADD COLUMN sd_active ..` (see [`active_flag_column`]) for an existing table:
/// a plain `ADD COLUMN`, valid on MySQL 8 and MariaDB alike. `None` on PostgreSQL and SQLite.
pub fn add_active_flag_column(
    table: impl IntoIden,
    marker: impl IntoMarkerColumn,
    backend: DbBackend,
) -> Option<TableAlterStatement> {
    active_flag_column(marker, backend)
        .map(|column| Table::alter().table(table).add_column(column).to_owned())
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

/// Creates the indexes that enforce every `#[soft_delete(unique(..))]` key of `E` (see
/// [`active_unique_indexes`]).
pub async fn create_active_unique_indexes<E, C>(db: &C) -> Result<(), DbErr>
where
    E: SoftDeleteEntity,
    C: ConnectionTrait,
{
    for statement in active_unique_indexes::<E>(db.get_database_backend()) {
        statement.execute(db).await?;
    }
    Ok(())
}

/// `Schema::create_table_from_entity`, with a flag or epoch marker given the default of
/// [`MarkerColumn::column_def`], so that a row inserted without the marker is active.
pub fn create_table_statement<E: SoftDeleteEntity>(backend: DbBackend) -> TableCreateStatement {
    let generated = Schema::new(backend).create_table_from_entity(E::default());
    if <E::Marker as MarkerStrategy>::KIND == MarkerKind::Timestamp {
        return generated;
    }
    // sea-query gives no mutable access to a statement's columns: copy it with the marker's
    // definition replaced.
    let marker = sea_orm::IdenStatic::as_str(&E::marker_column()).to_owned();
    let mut table = Table::create();
    if let Some(name) = generated.get_table_name() {
        table.table(name.clone());
    }
    if let Some(comment) = generated.get_comment() {
        table.comment(comment);
    }
    for column in generated.get_columns() {
        if column.get_column_name() == marker {
            table.col(marker_column_def::<E>(backend));
        } else {
            table.col(column.clone());
        }
    }
    for index in generated.get_indexes() {
        table.index(&mut index.clone());
    }
    for foreign_key in generated.get_foreign_key_create_stmts() {
        table.foreign_key(&mut foreign_key.clone());
    }
    table
}

/// Creates `E`'s table from the entity, as `Schema::create_table_from_entity` does, with the
/// timestamp columns fixed by [`precision_fixes`] and the unique keys of
/// [`create_active_unique_indexes`].
///
/// ```
/// # mod account {
/// #     use sea_orm::entity::prelude::*;
/// #     use soft_delete_core::prelude::*;
/// #     #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
/// #     #[sea_orm(table_name = "account")]
/// #     #[soft_delete(unique(email))]
/// #     pub struct Model {
/// #         #[sea_orm(primary_key)]
/// #         pub id: i32,
/// #         pub email: String,
/// #         pub deleted_at: Option<DateTimeUtc>,
/// #     }
/// #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #     pub enum Relation {}
/// #     impl ActiveModelBehavior for ActiveModel {}
/// # }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), sea_orm::DbErr> {
/// use sea_orm::{ConnectionTrait, Database};
/// use soft_delete_core::schema;
///
/// let db = Database::connect("sqlite::memory:").await?;
/// schema::create_table::<account::Entity, _>(&db).await?;
/// db.execute_unprepared("INSERT INTO account (email, deleted_at) VALUES ('ada@example.com', '2026-01-01T00:00:00Z')").await?;
/// // The trashed row does not hold the address: only active rows are unique.
/// db.execute_unprepared("INSERT INTO account (email) VALUES ('ada@example.com')").await?;
/// let taken = db.execute_unprepared("INSERT INTO account (email) VALUES ('ada@example.com')").await;
/// assert!(taken.is_err());
/// # Ok(())
/// # }
/// ```
pub async fn create_table<E, C>(db: &C) -> Result<(), DbErr>
where
    E: SoftDeleteEntity,
    C: ConnectionTrait,
{
    let backend = db.get_database_backend();
    db.execute(&create_table_statement::<E>(backend)).await?;
    for fix in precision_fixes::<E>(backend) {
        db.execute(&fix).await?;
    }
    create_active_unique_indexes::<E, C>(db).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::sea_query::Alias;

    fn sql(backend: DbBackend, marker: MarkerColumn) -> (String, Option<String>) {
        let index = active_unique_index_on(
            Alias::new("note"),
            marker.clone(),
            [Alias::new("code")],
            backend,
        );
        let flag = add_active_flag_column(Alias::new("note"), marker, backend);
        (
            backend.build(&index).to_string(),
            flag.map(|alter| backend.build(&alter).to_string()),
        )
    }

    #[test]
    fn an_active_index_without_columns_indexes_the_marker() {
        let sql = |backend: DbBackend| {
            let index = active_index_on(
                "idx_note_active",
                Alias::new("note"),
                Alias::new("deleted_at"),
                Vec::<Alias>::new(),
                backend,
            );
            backend.build(&index).to_string()
        };
        assert_eq!(
            sql(DbBackend::Sqlite),
            r#"CREATE INDEX "idx_note_active" ON "note" ("deleted_at") WHERE "deleted_at" IS NULL"#
        );
        assert_eq!(
            sql(DbBackend::Postgres),
            r#"CREATE INDEX "idx_note_active" ON "note" ("deleted_at") WHERE "deleted_at" IS NULL"#
        );
        assert_eq!(
            sql(DbBackend::MySql),
            "CREATE INDEX `idx_note_active` ON `note` (`deleted_at`)"
        );
    }

    #[test]
    fn an_epoch_key_is_a_plain_composite_unique_index_everywhere() {
        for backend in [DbBackend::Postgres, DbBackend::Sqlite, DbBackend::MySql] {
            let epoch = MarkerColumn::new(Alias::new("deleted_at"), MarkerKind::EpochSeconds);
            let (index, flag) = sql(backend, epoch);
            assert!(index.contains("UNIQUE INDEX"), "{index}");
            assert!(!index.contains("WHERE"), "no partial index: {index}");
            assert!(index.contains("deleted_at"), "{index}");
            assert_eq!(flag, None, "no generated column");
        }
    }

    #[test]
    fn a_flag_key_is_partial_or_uses_the_generated_column() {
        let flag = || MarkerColumn::new(Alias::new("deleted"), MarkerKind::Flag);
        let (index, _) = sql(DbBackend::Postgres, flag());
        assert!(index.ends_with(r#"WHERE "deleted" = FALSE"#), "{index}");
        let (index, generated) = sql(DbBackend::MySql, flag());
        assert!(index.contains("`sd_active`"), "{index}");
        let generated = generated.unwrap_or_default();
        assert!(
            generated.contains("CASE WHEN (`deleted` = FALSE) THEN 1 END"),
            "{generated}"
        );
        let active = MarkerColumn::new(Alias::new("active"), MarkerKind::ActiveFlag);
        let (index, _) = sql(DbBackend::Sqlite, active);
        assert!(index.ends_with(r#"WHERE "active" = TRUE"#), "{index}");
    }

    #[test]
    fn flag_and_epoch_columns_default_to_active() {
        let column = |kind| {
            let mut table = Table::create();
            table
                .table(Alias::new("note"))
                .col(MarkerColumn::new(Alias::new("m"), kind).column_def(DbBackend::Postgres));
            DbBackend::Postgres.build(&table).to_string()
        };
        assert!(column(MarkerKind::Flag).contains(r#""m" bool NOT NULL DEFAULT FALSE"#));
        assert!(column(MarkerKind::ActiveFlag).contains("DEFAULT TRUE"));
        assert!(column(MarkerKind::EpochMillis).contains(r#""m" bigint NOT NULL DEFAULT 0"#));
        assert!(column(MarkerKind::Timestamp).contains("NULL"));
    }
}
