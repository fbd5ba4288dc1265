//! Soft deletion for [SeaORM](https://www.sea-ql.org/SeaORM/) 2.
//!
//! Add `#[derive(SoftDelete)]` to an entity's `Model` that has a nullable timestamp
//! `deleted_at: Option<DateTimeUtc>`. "Delete" then means "move to the trash": the timestamp is
//! set instead of running `DELETE`, and the finders you use for ordinary queries hide the trash.
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
//! On `Entity`, as inherent functions (no trait import needed), all backed by
//! [`SoftDeleteEntity`]:
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
//! [`SoftDeleteFilter`]) and, in `before_delete`, [`hard_delete_denied`].
//!
//! The README covers cascades (`#[soft_delete(cascade(..))]`), keys unique among active rows,
//! the schema helpers, purge, the database clock, [`hooks`] and [`audit`] columns.

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod audit;
mod bulk;
mod cascade;
pub mod clock;
mod conflict;
mod connection;
mod entity;
mod error;
pub mod hooks;
mod instance;
mod keys;
mod lookup;
#[cfg(feature = "migration")]
#[cfg_attr(docsrs, doc(cfg(feature = "migration")))]
pub mod migration;
mod ops;
mod purge;
mod relations;
pub mod schema;
mod timestamp;

pub use bulk::{BulkResult, ForceDeleteMany, RestoreMany, SoftDeleteMany, SoftDeleteResult};
pub use cascade::{CascadeCounts, HasBatchColumn};
pub use clock::ClockSource;
pub use connection::{HookSavepoint, TransactionalConnection};
pub use entity::{SoftDeleteEntity, active_condition, trashed_condition};
pub use error::{Error, is_retryable};
pub use hooks::{HookContext, Origin, SoftDeleteHooks};
pub use instance::{ForceDeleteOne, Outcome, RestoreOne, SoftDeleteOne};
pub use keys::MAX_KEYS_PER_STATEMENT;
pub use lookup::{LookupById, RowState};
pub use purge::{DEFAULT_PURGE_BATCH, PurgeProgress, PurgeTrash};
pub use relations::{
    FindRelatedActive, SelectActiveRelated, SoftDeleteFilter, active_condition_in, active_join,
    hard_delete_denied,
};
pub use soft_delete_derive::SoftDelete;
pub use timestamp::DeletionTimestamp;

/// Glob-import next to `sea_orm::entity::prelude::*`: no name here clashes with SeaORM's.
pub mod prelude {
    pub use crate::{
        FindRelatedActive, RowState, SelectActiveRelated, SoftDelete, SoftDeleteEntity,
        SoftDeleteFilter,
    };
}

/// Not public API: the paths the derive's expansion uses.
#[doc(hidden)]
pub mod __private {
    pub use crate::audit::TouchTimestamp;
    pub use crate::cascade::{CascadeEdge, RegisteredParent, assert_batch_type, edge};
    pub use crate::hooks::{DynHooks, hooks_of};
    pub use crate::timestamp::{TimeMarkersEnabled, assert_time_markers_enabled};
    pub use chrono;
    pub use inventory;
    pub use sea_orm;
}
