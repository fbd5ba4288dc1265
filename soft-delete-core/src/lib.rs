//! Soft deletion for [SeaORM](https://www.sea-ql.org/SeaORM/) 2.
//!
//! Add `#[derive(SoftDelete)]` to an entity's `Model` that has a nullable timestamp
//! `deleted_at: Option<DateTimeUtc>`. "Delete" then means "move to the trash": the timestamp is
//! set instead of running `DELETE`, and the finders you use for ordinary queries hide the trash.
//! A schema that marks trashed rows with a boolean, a reversed "active" flag or a Unix epoch
//! integer keeps its column: see [`marker`] for the strategies and how each is declared.
//!
//! ```
//! mod product {
//!     use sea_orm::entity::prelude::*;
//!     use soft_delete_core::prelude::*;
//!
//!     #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
//!     #[sea_orm(table_name = "product")]
//!     pub struct Model {
//!         #[sea_orm(primary_key)]
//!         pub id: i32,
//!         pub name: String,
//!         pub price: i64,
//!         pub deleted_at: Option<DateTimeUtc>,
//!     }
//!
//!     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
//!     pub enum Relation {}
//!
//!     impl ActiveModelBehavior for ActiveModel {}
//! }
//!
//! use sea_orm::{ActiveModelTrait, ColumnTrait, Database, PaginatorTrait, QueryFilter, Set};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), soft_delete_core::Error> {
//! let db = Database::connect("sqlite::memory:").await?;
//! soft_delete_core::schema::create_table::<product::Entity, _>(&db).await?;
//! for (name, price) in [("pen", 2), ("desk", 150), ("lamp", 40)] {
//!     product::ActiveModel { name: Set(name.into()), price: Set(price), ..Default::default() }
//!         .insert(&db)
//!         .await?;
//! }
//!
//! // Bulk soft delete: one UPDATE that stamps only active rows.
//! let deleted = product::Entity::soft_delete_many()
//!     .filter(product::Column::Price.gt(100))
//!     .exec(&db)
//!     .await?;
//! assert_eq!(deleted.rows_affected, 1);
//!
//! assert_eq!(product::Entity::objects().count(&db).await?, 2);
//! assert_eq!(product::Entity::deleted_objects().count(&db).await?, 1);
//! assert_eq!(product::Entity::all_objects().count(&db).await?, 3);
//!
//! // Instance operations return the row as the database stores it.
//! let desk = product::Entity::deleted_objects().one(&db).await?.expect("desk is in the trash");
//! assert!(desk.is_deleted());
//! let desk = desk.restore(&db).await?;
//! assert!(!desk.is_deleted());
//! # Ok(())
//! # }
//! ```
//!
//! # What the derive generates
//!
//! On `Entity`, as inherent functions (no trait import needed), backed by [`SoftDeleteEntity`]
//! (the finders) and [`SoftDeleteEntityExt`] (the operations), which generic code imports:
//!
//! | call | what it does |
//! |---|---|
//! | `objects()` | `Select<Entity>` of active rows (`deleted_at IS NULL`) |
//! | `deleted_objects()` | `Select<Entity>` of the trash (`deleted_at IS NOT NULL`) |
//! | `all_objects()` | `Select<Entity>` of every row |
//! | `find_active_by_id(key)` | `find_by_id` restricted to active rows |
//! | `update_many_active()` | SeaORM's `UpdateMany` restricted to active rows |
//! | `soft_delete_many()` | [`SoftDeleteMany`]: one `UPDATE .. SET deleted_at = ? WHERE .. AND deleted_at IS NULL` |
//! | `restore_many()` | [`RestoreMany`]: one `UPDATE .. SET deleted_at = NULL WHERE .. AND deleted_at IS NOT NULL` |
//! | `force_delete_many()` | [`ForceDeleteMany`]: one real `DELETE` |
//! | `soft_delete_by_id(key)`, `restore_by_id(key)` | [`SoftDeleteOne`], [`RestoreOne`]: return the row as stored |
//! | `force_delete_by_id(key)` | [`ForceDeleteOne`] |
//! | `lookup_by_id(key)` | [`LookupById`]: [`RowState`] `Active`, `Trashed` or `Missing` |
//! | `purge_trash(cutoff)` | [`PurgeTrash`]: batched delete of trash older than `cutoff` |
//!
//! On `Model`: `is_deleted()`, and `soft_delete(db)`, `restore(db)`, `force_delete(db)`.
//!
//! The finders are plain SeaORM `Select`s, so `filter`, `order_by`, `paginate`, `count`, joins
//! and the rest keep working. The SQL they produce can be inspected without a database:
//!
//! ```
//! # mod product {
//! #     use sea_orm::entity::prelude::*;
//! #     use soft_delete_core::prelude::*;
//! #     #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
//! #     #[sea_orm(table_name = "product")]
//! #     pub struct Model {
//! #         #[sea_orm(primary_key)]
//! #         pub id: i32,
//! #         pub deleted_at: Option<DateTimeUtc>,
//! #     }
//! #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
//! #     pub enum Relation {}
//! #     impl ActiveModelBehavior for ActiveModel {}
//! # }
//! use sea_orm::{DbBackend, QueryTrait};
//!
//! assert_eq!(
//!     product::Entity::deleted_objects().build(DbBackend::Postgres).to_string(),
//!     r#"SELECT "product"."id", "product"."deleted_at" FROM "product" WHERE "product"."deleted_at" IS NOT NULL"#
//! );
//! ```
//!
//! # Guarantees
//!
//! - Every write carries the row state in its `WHERE`: re-deleting keeps the original
//!   timestamp, restoring an active row changes nothing, and `rows_affected` counts real state
//!   changes only, even under concurrent callers.
//! - One timestamp per operation, from the [`clock`] in scope for the task (the system UTC clock
//!   by default), truncated to microseconds so that what is returned equals what is stored.
//! - An operation that sends several statements runs them in one transaction it opens, or in a
//!   savepoint when `db` is already a transaction; on error nothing of it remains.
//! - Calls racing from different connections and pools keep these promises: a restore locks the
//!   cascade parents it checks, so no active row is left under a trashed parent; every answer is
//!   one that running the racing calls one after the other would give; a deadlock that InnoDB
//!   still reports is an error for which [`Error::is_retryable`] is true, with nothing applied.
//!   SQLite transactions are `BEGIN IMMEDIATE`, so a pool on a file waits instead of failing.
//! - No operation has a size limit: keys that must be sent travel in chunks of
//!   [`MAX_KEYS_PER_STATEMENT`], and everything else is set-based.
//!
//! # What still sees the trash
//!
//! SeaORM has no global query hook, so its own entry points are unchanged: `Entity::find()`,
//! `find_by_id`, `find_related`, the loaders and `update_many()` include trashed rows, and
//! `delete_many()`, `delete_by_id()` and `Model::delete` hard-delete. Use the functions above,
//! the active-only relation helpers ([`FindRelatedActive`], [`SelectActiveRelated`],
//! [`SoftDeleteFilter`]) and, in `before_delete`, [`hard_delete_denied`]. With the `guard`
//! feature, the `guard` module's `GuardedConnection` finds the calls that forgot: it wraps the
//! connection and refuses (or logs) every statement that would show trashed rows, rewrite them
//! or hard-delete.
//!
//! # The guide
//!
//! The [`guide`] covers each topic with examples that run as doc tests: the statements each
//! operation sends, connections and transactions, marker strategies, the schema helpers and keys
//! unique among active rows, purging and the pruner, relations, cascades, concurrency, the leak
//! guard, [`hooks`] and [`audit`] columns, adopting the crate in an existing application, and the
//! example service.

#![cfg_attr(docsrs, feature(doc_cfg))]

// Leaves: values and object-safe traits that know no entity.
pub mod audit;
pub mod clock;
mod edge;
mod error;
mod hook_context;
mod identifiers;
mod keys;
#[cfg(feature = "guard")]
mod leak;
mod memo;
mod scope;
mod session;
mod timestamp;
mod values;

// The model: how a marker column records the state, what a soft-deletable table is, its hooks,
// and the cascade graph between tables.
mod entity;
mod graph;
mod hook_trait;
pub mod marker;
pub mod tables;

// The engine: statements, steps, the three state changes and the executor.
mod engine;

// The API: builders, finders on relations, schema and migration helpers.
mod bulk;
mod default_scope;
mod ext;
#[cfg(feature = "guard")]
#[cfg_attr(docsrs, doc(cfg(feature = "guard")))]
pub mod guard;
pub mod guide;
mod instance;
mod lookup;
#[cfg(feature = "migration")]
#[cfg_attr(docsrs, doc(cfg(feature = "migration")))]
pub mod migration;
#[cfg(feature = "pruner")]
#[cfg_attr(docsrs, doc(cfg(feature = "pruner")))]
pub mod pruner;
mod purge;
mod relations;
pub mod schema;

/// Hooks that see, veto and follow every state change: soft delete, restore and force delete,
/// whatever the call (instance, by id, bulk, cascade or purge).
///
/// Opt in with `#[soft_delete(hooks)]` and implement [`SoftDeleteHooks`] for the entity. Each
/// hook gets the primary keys of the rows that change state and the operation's transaction:
/// a `before_*` error vetoes the operation and nothing changes; `after_*` runs in the same
/// transaction, so its error rolls the whole operation back.
///
/// With hooks, an operation first reads the keys of the rows it will change, with a locking read
/// (`SELECT .. FOR UPDATE`; SQLite's transactions lock the whole database instead), and then
/// changes exactly those rows. Without hooks nothing is read and statement counts are unchanged.
pub mod hooks {
    pub use crate::hook_context::{HookContext, Origin};
    pub use crate::hook_trait::SoftDeleteHooks;
    pub use crate::session::{HookConnection, HookSavepoint};
}

pub use bulk::{BulkResult, ForceDeleteMany, RestoreMany, SoftDeleteMany, SoftDeleteResult};
pub use clock::ClockSource;
pub use default_scope::ScopedDelete;
pub use entity::HasDeletionTime;
pub use entity::{SoftDeleteEntity, active_condition, any_state_condition, trashed_condition};
pub use error::{Error, is_retryable};
pub use ext::SoftDeleteEntityExt;
pub use graph::HasBatchColumn;
pub use hook_context::{HookContext, Origin};
pub use hook_trait::SoftDeleteHooks;
pub use instance::{ForceDeleteOne, Outcome, RestoreOne, SoftDeleteOne};
pub use keys::MAX_KEYS_PER_STATEMENT;
pub use lookup::{LookupById, RowState};
pub use marker::{MarkerKind, MarkerStrategy};
pub use purge::{DEFAULT_PURGE_BATCH, PurgeProgress, PurgeTrash};
pub use relations::{
    FindRelatedActive, SelectActiveRelated, SoftDeleteFilter, active_condition_in, active_join,
    hard_delete_denied,
};
pub use session::{HookSavepoint, TransactionalConnection};
/// Makes a SeaORM entity soft-deletable: derive it next to `DeriveEntityModel` on the `Model`.
///
/// It generates, as inherent functions on `Entity`, the finders `objects()`,
/// `deleted_objects()`, `all_objects()` and the operations listed in the [crate docs](crate),
/// all backed by the [`SoftDeleteEntity`] impl it writes (and [`SoftDeleteEntityExt`],
/// implemented for every such entity); on `Model`, `is_deleted()`, `soft_delete(db)`,
/// `restore(db)` and `force_delete(db)`. Misuse is a compile error at the offending token.
///
/// # Attribute reference
///
/// | where | attribute | meaning |
/// |---|---|---|
/// | field | (none) on `deleted_at`, or `#[soft_delete]` on another field | the deletion marker: `Option<T>` of a timestamp type |
/// | field | `#[soft_delete(batch)]` (or a field named `deleted_batch`) | the cascade batch column, `Option<i64>` |
/// | struct | `cascade(Child, ..)` | soft delete, restore, force delete and purge follow to these children |
/// | struct | `unique(column, ..)` | the columns are unique among active rows; restores check them |
/// | struct | `clock = database` / `clock = application` | where timestamps come from (default: the application) |
/// | struct | `touch = field` | a timestamp column set to the operation's time on soft delete and restore |
/// | struct | `deleted_by = field` | an `Option<T>` column that records who trashed the row |
/// | struct | `hooks` | the entity implements [`SoftDeleteHooks`] |
/// | struct | `crate = path` | where soft-delete-core is, when renamed or re-exported |
///
/// ## The marker: `deleted_at`, or `#[soft_delete]`
///
/// A field named `deleted_at` is the marker unless another field is marked `#[soft_delete]`.
/// SeaORM's `column_name` and `enum_name` are respected.
///
/// ```
/// mod note {
///     use sea_orm::entity::prelude::*;
///     use soft_delete_core::prelude::*;
///
///     #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
///     #[sea_orm(table_name = "note")]
///     pub struct Model {
///         #[sea_orm(primary_key)]
///         pub id: i32,
///         #[soft_delete]
///         #[sea_orm(column_name = "archived_on")]
///         pub archived_at: Option<DateTimeUtc>,
///     }
/// #   #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #   pub enum Relation {}
/// #   impl ActiveModelBehavior for ActiveModel {}
/// }
/// use sea_orm::{DbBackend, QueryTrait};
///
/// let sql = note::Entity::objects().build(DbBackend::Sqlite).to_string();
/// assert!(sql.ends_with(r#"WHERE "note"."archived_on" IS NULL"#), "{sql}");
/// ```
///
/// ## `cascade(..)` and `#[soft_delete(batch)]`
///
/// Every entity of a cascade graph has a batch column, and each parent implements SeaORM's
/// `Related<Child>`. One soft delete trashes the descendants with one `UPDATE` per edge; a
/// restore brings back exactly what it trashed.
///
/// ```
/// mod folder {
///     use sea_orm::entity::prelude::*;
///     use soft_delete_core::prelude::*;
///
///     #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
///     #[sea_orm(table_name = "folder")]
///     #[soft_delete(cascade(super::file::Entity))]
///     pub struct Model {
///         #[sea_orm(primary_key)]
///         pub id: i32,
///         pub deleted_at: Option<DateTimeUtc>,
///         #[soft_delete(batch)]
///         pub trash_batch: Option<i64>,
///     }
///
///     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
///     pub enum Relation {
///         #[sea_orm(has_many = "super::file::Entity")]
///         File,
///     }
///
///     impl Related<super::file::Entity> for Entity {
///         fn to() -> RelationDef {
///             Relation::File.def()
///         }
///     }
/// #   impl ActiveModelBehavior for ActiveModel {}
/// }
///
/// mod file {
///     use sea_orm::entity::prelude::*;
///     use soft_delete_core::prelude::*;
///
///     #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
///     #[sea_orm(table_name = "file")]
///     pub struct Model {
///         #[sea_orm(primary_key)]
///         pub id: i32,
///         pub folder_id: i32,
///         pub deleted_at: Option<DateTimeUtc>,
///         pub deleted_batch: Option<i64>,
///     }
/// #   #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #   pub enum Relation {
/// #       #[sea_orm(belongs_to = "super::folder::Entity", from = "Column::FolderId", to = "super::folder::Column::Id")]
/// #       Folder,
/// #   }
/// #   impl Related<super::folder::Entity> for Entity {
/// #       fn to() -> RelationDef { Relation::Folder.def() }
/// #   }
/// #   impl ActiveModelBehavior for ActiveModel {}
/// }
/// # use sea_orm::{ActiveModelTrait, ConnectionTrait, Database, PaginatorTrait, Set};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), sea_orm::DbErr> {
/// # let db = Database::connect("sqlite::memory:").await?;
/// # soft_delete_core::schema::create_table::<folder::Entity, _>(&db).await?;
/// # soft_delete_core::schema::create_table::<file::Entity, _>(&db).await?;
/// # db.execute_unprepared("INSERT INTO folder (id) VALUES (1); INSERT INTO file (id, folder_id) VALUES (1, 1), (2, 1)").await?;
///
/// let trashed = folder::Entity::soft_delete_by_id(1).exec(&db).await?;
/// assert!(trashed.is_deleted());
/// assert_eq!(file::Entity::deleted_objects().count(&db).await?, 2);
/// trashed.restore(&db).await?;
/// assert_eq!(file::Entity::objects().count(&db).await?, 2);
/// # Ok(())
/// # }
/// ```
///
/// ## `unique(..)`
///
/// Keys unique among active rows: [`schema::create_table`] (or the migration helpers) makes the
/// indexes, and a restore into a taken key fails with [`Error::RestoreConflict`].
///
/// ```
/// mod account {
///     use sea_orm::entity::prelude::*;
///     use soft_delete_core::prelude::*;
///
///     #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
///     #[sea_orm(table_name = "account")]
///     #[soft_delete(unique(email), unique(org_id, handle))]
///     pub struct Model {
///         #[sea_orm(primary_key)]
///         pub id: i32,
///         pub email: String,
///         pub org_id: i32,
///         pub handle: String,
///         pub deleted_at: Option<DateTimeUtc>,
///     }
/// #   #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #   pub enum Relation {}
/// #   impl ActiveModelBehavior for ActiveModel {}
/// }
/// use soft_delete_core::SoftDeleteEntity;
///
/// assert_eq!(account::Entity::UNIQUE_KEYS.len(), 2);
/// ```
///
/// ## `clock = database`
///
/// Each operation reads the server's time first (one extra `SELECT`), so that several
/// application servers agree on one clock.
///
/// ```
/// mod event {
///     use sea_orm::entity::prelude::*;
///     use soft_delete_core::prelude::*;
///
///     #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
///     #[sea_orm(table_name = "event")]
///     #[soft_delete(clock = database)]
///     pub struct Model {
///         #[sea_orm(primary_key)]
///         pub id: i32,
///         pub deleted_at: Option<DateTimeUtc>,
///     }
/// #   #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #   pub enum Relation {}
/// #   impl ActiveModelBehavior for ActiveModel {}
/// }
/// use soft_delete_core::{ClockSource, SoftDeleteEntity};
///
/// assert_eq!(event::Entity::CLOCK, ClockSource::Database);
/// ```
///
/// ## `touch = field` and `deleted_by = field`
///
/// Audit columns, written by the same statement as the state change: `touch` gets the
/// operation's time on soft delete and restore, `deleted_by` the actor (from `.by(..)` or
/// [`audit::with_actor`]), cleared on restore.
///
/// ```
/// mod memo {
///     use sea_orm::entity::prelude::*;
///     use soft_delete_core::prelude::*;
///
///     #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
///     #[sea_orm(table_name = "memo")]
///     #[soft_delete(touch = updated_at, deleted_by = deleted_by)]
///     pub struct Model {
///         #[sea_orm(primary_key)]
///         pub id: i32,
///         pub updated_at: DateTimeUtc,
///         pub deleted_by: Option<String>,
///         pub deleted_at: Option<DateTimeUtc>,
///     }
/// #   #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #   pub enum Relation {}
/// #   impl ActiveModelBehavior for ActiveModel {}
/// }
/// use sea_orm::DbBackend;
///
/// let sql = memo::Entity::soft_delete_many().by("ada").build(DbBackend::Postgres).to_string();
/// assert!(sql.contains(r#""updated_at" = "#) && sql.contains(r#""deleted_by" = 'ada'"#), "{sql}");
/// ```
///
/// ## `hooks`
///
/// The entity implements [`SoftDeleteHooks`]; every operation, whatever its origin, calls it
/// with the keys of the rows that change state, inside the operation's transaction.
///
/// ```
/// mod invoice {
///     use sea_orm::entity::prelude::*;
///     use soft_delete_core::prelude::*;
///     use soft_delete_core::{Error, HookContext, SoftDeleteHooks};
///
///     #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
///     #[sea_orm(table_name = "invoice")]
///     #[soft_delete(hooks)]
///     pub struct Model {
///         #[sea_orm(primary_key)]
///         pub id: i32,
///         pub deleted_at: Option<DateTimeUtc>,
///     }
/// #   #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #   pub enum Relation {}
/// #   impl ActiveModelBehavior for ActiveModel {}
///
///     impl SoftDeleteHooks for Entity {
///         async fn before_force_delete(_: &HookContext<'_>) -> Result<(), Error> {
///             Err(Error::vetoed("invoices are kept for ten years"))
///         }
///     }
/// }
/// # use sea_orm::{ConnectionTrait, Database};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), soft_delete_core::Error> {
/// # let db = Database::connect("sqlite::memory:").await?;
/// # soft_delete_core::schema::create_table::<invoice::Entity, _>(&db).await?;
/// # db.execute_unprepared("INSERT INTO invoice (id) VALUES (1)").await?;
///
/// let refused = invoice::Entity::force_delete_by_id(1).exec(&db).await;
/// assert!(matches!(refused, Err(soft_delete_core::Error::Vetoed(_))));
/// # Ok(())
/// # }
/// ```
///
/// ## `crate = path`
///
/// The expansion names `::soft_delete_core`; a crate that renames the dependency or re-exports
/// it says where it is (as a path, or a string as serde takes it).
///
/// ```
/// mod platform {
///     pub mod soft_delete {
///         pub use soft_delete_core::*;
///     }
/// }
///
/// mod product {
///     use sea_orm::entity::prelude::*;
///     use soft_delete_core::prelude::*;
///
///     #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
///     #[sea_orm(table_name = "product")]
///     #[soft_delete(crate = crate::platform::soft_delete)]
///     pub struct Model {
///         #[sea_orm(primary_key)]
///         pub id: i32,
///         pub deleted_at: Option<DateTimeUtc>,
///     }
/// #   #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #   pub enum Relation {}
/// #   impl ActiveModelBehavior for ActiveModel {}
/// }
/// fn main() {
///     let _ = product::Entity::objects();
/// }
/// ```
#[doc(inline)]
pub use soft_delete_derive::SoftDelete;
pub use timestamp::DeletionTimestamp;
pub use values::CascadeCounts;

/// Glob-import next to `sea_orm::entity::prelude::*`: no name here clashes with SeaORM's.
pub mod prelude {
    pub use crate::{
        BulkResult, FindRelatedActive, Outcome, RowState, SelectActiveRelated, SoftDelete,
        SoftDeleteEntity, SoftDeleteEntityExt, SoftDeleteFilter, SoftDeleteResult,
        TransactionalConnection,
    };
}

/// Not public API: the paths the derive's expansion uses.
#[doc(hidden)]
pub mod __private {
    pub use crate::audit::TouchTimestamp;
    pub use crate::default_scope::{find_linked, find_related};
    pub use crate::edge::CascadeEdge;
    pub use crate::engine::typed_edge::edge;
    pub use crate::entity::Wiring;
    pub use crate::entity::{deleted_before_by_marker, deleted_before_by_touch};
    pub use crate::graph::{RegisteredParent, assert_batch_type};
    pub use crate::hook_context::DynHooks;
    pub use crate::hook_trait::hooks_of;
    pub use crate::marker::TimestampMarker;
    pub use crate::memo::EntityFacts;
    pub use crate::tables::{RegisteredTable, describe};
    pub use crate::timestamp::{TimeMarkersEnabled, assert_time_markers_enabled};
    pub use chrono;
    pub use inventory;
    pub use sea_orm;
    pub use std::vec::Vec;
}
