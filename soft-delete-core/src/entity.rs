//! The trait `#[derive(SoftDelete)]` implements: what a soft-deletable table is (its marker,
//! batch and audit columns, unique keys, clock, hooks and cascade children) and the finders.
//! The operations on it are in [`SoftDeleteEntityExt`](crate::SoftDeleteEntityExt).

use sea_orm::sea_query::{Condition, Expr, ExprTrait, IntoIden};
use sea_orm::{EntityTrait, PrimaryKeyTrait, QueryFilter, Select, UpdateMany, Value};

use chrono::{DateTime, Utc};

use crate::clock::ClockSource;
use crate::edge::CascadeEdge;
use crate::hook_context::DynHooks;
use crate::marker::{MarkerStrategy, RecordsTime};
use crate::memo::EntityFacts;

/// A SeaORM entity whose rows are soft-deleted. Implemented by `#[derive(SoftDelete)]`.
///
/// The derive also generates every provided method here, and every operation of
/// [`SoftDeleteEntityExt`](crate::SoftDeleteEntityExt), as an inherent function of `Entity`, so
/// `product::Entity::objects()` needs no import; the traits are for generic code.
///
/// ```
/// # mod product {
/// #     use sea_orm::entity::prelude::*;
/// #     use soft_delete_core::prelude::*;
/// #     #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
/// #     #[sea_orm(table_name = "product")]
/// #     pub struct Model {
/// #         #[sea_orm(primary_key)]
/// #         pub id: i32,
/// #         pub name: String,
/// #         pub price: i64,
/// #         pub deleted_at: Option<DateTimeUtc>,
/// #     }
/// #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #     pub enum Relation {}
/// #     impl ActiveModelBehavior for ActiveModel {}
/// # }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), soft_delete_core::Error> {
/// # let db = sea_orm::Database::connect("sqlite::memory:").await?;
/// # soft_delete_core::schema::create_table::<product::Entity, _>(&db).await?;
/// # sea_orm::ConnectionTrait::execute_unprepared(&db, "INSERT INTO product (id, name, price) VALUES (1, 'pen', 2), (2, 'desk', 150), (3, 'lamp', 40)").await?;
/// use sea_orm::{ConnectionTrait, DbErr};
/// use soft_delete_core::SoftDeleteEntity;
///
/// // Code generic over every soft-deletable entity.
/// async fn trash_size<E: SoftDeleteEntity, C: ConnectionTrait>(db: &C) -> Result<usize, DbErr> {
///     Ok(E::deleted_objects().all(db).await?.len())
/// }
///
/// product::Entity::soft_delete_many().exec(&db).await?;
/// assert_eq!(trash_size::<product::Entity, _>(&db).await?, 3);
/// # Ok(())
/// # }
/// ```
pub trait SoftDeleteEntity: EntityTrait + Wiring {
    /// How the marker column records the state: [`Timestamp<T>`](crate::marker::Timestamp) for
    /// an `Option<T>` field, or a flag or epoch strategy from [`marker`](crate::marker).
    type Marker: MarkerStrategy;

    /// The marker column, whatever its strategy: `deleted_at` by default.
    fn marker_column() -> Self::Column;

    /// The marker field of a model.
    fn marker(model: &Self::Model) -> &<Self::Marker as MarkerStrategy>::Field;

    /// `None` for an active row; for a trashed one, what its marker tells about the deletion
    /// (the time in UTC, or `()` for a flag).
    fn trashed_at(model: &Self::Model) -> Option<<Self::Marker as MarkerStrategy>::TrashedAt> {
        Self::Marker::trashed_at(Self::marker(model))
    }

    /// Whether this copy of a row is in the trash.
    fn is_trashed(model: &Self::Model) -> bool {
        Self::trashed_at(model).is_some()
    }

    /// Keys unique among active rows, from `#[soft_delete(unique(..))]`: restores check them,
    /// and `schema::create_active_unique_indexes` enforces them.
    const UNIQUE_KEYS: &'static [&'static [Self::Column]] = &[];

    /// Where deletion timestamps come from, from `#[soft_delete(clock = ..)]`.
    const CLOCK: ClockSource = ClockSource::Application;

    /// Whether SeaORM's own calls on the entity (`find`, `delete_many`, `model.delete`, ..)
    /// hide and soft-delete, from `#[soft_delete(default_scope)]`.
    const DEFAULT_SCOPE: bool = false;

    /// The batch column (`#[soft_delete(batch)]` or `deleted_batch`), which records which
    /// operation trashed a row; every entity in a cascade graph has one.
    fn batch_column() -> Option<Self::Column> {
        None
    }

    /// The `touch` column and the value it gets for an operation at `at`.
    fn touch_value(at: DateTime<Utc>) -> Option<(Self::Column, Value)> {
        let _ = at;
        None
    }

    /// The `deleted_by` column and its typed NULL.
    fn deleted_by_column() -> Option<(Self::Column, Value)> {
        None
    }

    /// Active rows only: `deleted_at IS NULL`.
    fn objects() -> Select<Self> {
        Self::find().filter(active_condition::<Self>())
    }

    /// The trash: `deleted_at IS NOT NULL`.
    fn deleted_objects() -> Select<Self> {
        Self::find().filter(trashed_condition::<Self>())
    }

    /// Every row, active or trashed: SeaORM's `find()` with
    /// `deleted_at IS NULL OR deleted_at IS NOT NULL`, a condition true for every row that says
    /// in the SQL that the trash is meant (the [leak guard](crate::guide::leaks) reads it so).
    fn all_objects() -> Select<Self> {
        Self::find().filter(any_state_condition::<Self>())
    }

    /// The active row with this primary key, if there is one: `find_by_id` without the trash.
    fn find_active_by_id<K>(key: K) -> Select<Self>
    where
        K: Into<<Self::PrimaryKey as PrimaryKeyTrait>::ValueType>,
    {
        Self::find_by_id(key).filter(active_condition::<Self>())
    }

    /// The row with this primary key, active or trashed: `find_by_id` with the condition of
    /// [`all_objects`](Self::all_objects), so the SQL says the trash is meant.
    fn find_any_by_id<K>(key: K) -> Select<Self>
    where
        K: Into<<Self::PrimaryKey as PrimaryKeyTrait>::ValueType>,
    {
        Self::find_by_id(key).filter(any_state_condition::<Self>())
    }

    /// SeaORM's `update_many()` restricted to active rows, so a bulk edit never rewrites the
    /// trash. Every SeaORM `UpdateMany` method (`col_expr`, `set`, `filter`, `exec`) applies.
    fn update_many_active() -> UpdateMany<Self> {
        Self::update_many().filter(active_condition::<Self>())
    }
}

/// How the engine reaches an entity's hooks and cascade children, which it knows only as erased
/// objects. Not public API: `#[derive(SoftDelete)]` implements it next to [`SoftDeleteEntity`],
/// which describes the table itself.
#[doc(hidden)]
pub trait Wiring {
    /// The entity's hooks, from `#[soft_delete(hooks)]`.
    fn hooks() -> Option<&'static dyn DynHooks> {
        None
    }

    /// The children declared with `#[soft_delete(cascade(..))]`.
    fn cascade_edges() -> Vec<&'static dyn CascadeEdge> {
        Vec::new()
    }

    /// The entity's own [`EntityFacts`] (a `static` the derive writes); without them, the
    /// engine works the facts out on every call.
    fn facts() -> Option<&'static EntityFacts> {
        None
    }
}

/// `deleted_at IS NULL`, qualified with the entity's table name; for a flag or epoch marker the
/// strategy's equivalent (`deleted = FALSE`, `active = TRUE`, `deleted_at = 0`).
///
/// ```
/// # mod product {
/// #     use sea_orm::entity::prelude::*;
/// #     use soft_delete_core::prelude::*;
/// #     #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
/// #     #[sea_orm(table_name = "product")]
/// #     pub struct Model {
/// #         #[sea_orm(primary_key)]
/// #         pub id: i32,
/// #         pub name: String,
/// #         pub price: i64,
/// #         pub deleted_at: Option<DateTimeUtc>,
/// #     }
/// #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #     pub enum Relation {}
/// #     impl ActiveModelBehavior for ActiveModel {}
/// # }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), soft_delete_core::Error> {
/// # let db = sea_orm::Database::connect("sqlite::memory:").await?;
/// # soft_delete_core::schema::create_table::<product::Entity, _>(&db).await?;
/// # sea_orm::ConnectionTrait::execute_unprepared(&db, "INSERT INTO product (id, name, price) VALUES (1, 'pen', 2), (2, 'desk', 150), (3, 'lamp', 40)").await?;
/// use sea_orm::{EntityTrait, QueryFilter};
/// use soft_delete_core::active_condition;
///
/// product::Entity::soft_delete_by_id(1).exec(&db).await?;
/// let active = product::Entity::find()
///     .filter(active_condition::<product::Entity>())
///     .all(&db)
///     .await?;
/// assert_eq!(active.len(), 2);
/// # Ok(())
/// # }
/// ```
pub fn active_condition<E: SoftDeleteEntity>() -> Expr {
    active_in::<E>(E::default())
}

/// `deleted_at IS NOT NULL` (or the strategy's equivalent), qualified with the entity's table
/// name.
pub fn trashed_condition<E: SoftDeleteEntity>() -> Expr {
    trashed_in::<E>(E::default())
}

/// [`active_condition`] on `table`, which may be an alias of `E`'s table.
pub(crate) fn active_in<E: SoftDeleteEntity>(table: impl IntoIden) -> Expr {
    E::Marker::KIND.active(Expr::col((table.into_iden(), E::marker_column())))
}

/// [`trashed_condition`] on `table`, which may be an alias of `E`'s table.
pub(crate) fn trashed_in<E: SoftDeleteEntity>(table: impl IntoIden) -> Expr {
    E::Marker::KIND.trashed(Expr::col((table.into_iden(), E::marker_column())))
}

/// `deleted_at IS NULL OR deleted_at IS NOT NULL`: true for every row, and the SQL of
/// [`SoftDeleteEntity::all_objects`], which says in the statement that the trash is meant (the
/// leak guard reads it so, and so does a reader of the query log).
pub fn any_state_condition<E: SoftDeleteEntity>() -> Condition {
    Condition::any()
        .add(active_condition::<E>())
        .add(trashed_condition::<E>())
}

/// Implemented by `#[derive(SoftDelete)]` when the derive has a time for each trashed row: the
/// marker's own (timestamps, epochs) or, for a flag, the `touch` column. Purging by age needs it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` records no deletion time, so its trash cannot be purged by age",
    label = "no deletion time: a flag marker without a `touch` column",
    note = "declare a `touch` column, which a soft delete sets to the deletion time: \
            `#[soft_delete(touch = updated_at)]`; or use a timestamp or epoch marker"
)]
pub trait HasDeletionTime: SoftDeleteEntity {
    /// The condition "trashed before `cutoff`".
    fn deleted_before(cutoff: DateTime<Utc>) -> Expr;
}

/// [`HasDeletionTime::deleted_before`] of an entity whose marker records time.
#[doc(hidden)]
pub fn deleted_before_by_marker<E>(cutoff: DateTime<Utc>) -> Expr
where
    E: SoftDeleteEntity,
    E::Marker: RecordsTime,
{
    E::Marker::deleted_before(Expr::col((E::default(), E::marker_column())), cutoff)
}

/// [`HasDeletionTime::deleted_before`] of an entity with a flag marker and a `touch` column,
/// which a soft delete sets to the deletion time: trashed, and touched before `cutoff`.
#[doc(hidden)]
pub fn deleted_before_by_touch<E: SoftDeleteEntity>(cutoff: DateTime<Utc>) -> Expr {
    let trashed = trashed_condition::<E>();
    match E::touch_value(cutoff) {
        Some((touch, cutoff)) => {
            trashed.and(Expr::col((E::default(), touch)).lt(Expr::val(cutoff)))
        }
        // The derive implements this only for entities with a `touch` column.
        None => crate::marker::constant(false),
    }
}
