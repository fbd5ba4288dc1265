//! The operations on every soft-deletable entity, for generic code: the builders behind the
//! inherent functions the derive generates.

use chrono::{DateTime, Utc};
use sea_orm::PrimaryKeyTrait;

use crate::bulk::{ForceDeleteMany, RestoreMany, SoftDeleteMany};
use crate::entity::HasDeletionTime;
use crate::entity::SoftDeleteEntity;
use crate::instance::{ForceDeleteOne, RestoreOne, SoftDeleteOne};
use crate::lookup::LookupById;
use crate::purge::PurgeTrash;

/// The operations of every [`SoftDeleteEntity`], implemented for all of them: import it (it is
/// in the [`prelude`](crate::prelude)) to call them in code generic over the entity. The derive
/// generates the same functions as inherent functions of `Entity`, which need no import.
///
/// It is separate from [`SoftDeleteEntity`] so that the trait the derive implements describes
/// the table and nothing else; the builders it returns are built on that description.
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
/// # sea_orm::ConnectionTrait::execute_unprepared(&db, "INSERT INTO product (id) VALUES (1), (2)").await?;
/// use soft_delete_core::{SoftDeleteEntity, SoftDeleteEntityExt, TransactionalConnection};
///
/// // Empties the trash of any soft-deletable entity.
/// async fn empty_trash<E: SoftDeleteEntity, C: TransactionalConnection>(
///     db: &C,
/// ) -> Result<u64, soft_delete_core::Error> {
///     Ok(E::force_delete_many().only_trashed().exec(db).await?.rows_affected)
/// }
///
/// product::Entity::soft_delete_by_id(1).exec(&db).await?;
/// assert_eq!(empty_trash::<product::Entity, _>(&db).await?, 1);
/// # Ok(())
/// # }
/// ```
pub trait SoftDeleteEntityExt: SoftDeleteEntity {
    /// Moves the active rows that match the builder's filters to the trash (one `UPDATE`, plus
    /// one per cascade edge).
    fn soft_delete_many() -> SoftDeleteMany<Self> {
        SoftDeleteMany::new()
    }

    /// Brings the trashed rows that match the builder's filters back (one `UPDATE`, plus the
    /// checks and cascade statements the entity needs).
    fn restore_many() -> RestoreMany<Self> {
        RestoreMany::new()
    }

    /// Permanently deletes the rows, active or trashed, that match the builder's filters.
    fn force_delete_many() -> ForceDeleteMany<Self> {
        ForceDeleteMany::new()
    }

    /// Moves the row with this primary key to the trash and returns it as stored.
    fn soft_delete_by_id<K>(key: K) -> SoftDeleteOne<Self>
    where
        K: Into<<Self::PrimaryKey as PrimaryKeyTrait>::ValueType>,
    {
        SoftDeleteOne::by_id(key)
    }

    /// Restores the row with this primary key and returns it as stored.
    fn restore_by_id<K>(key: K) -> RestoreOne<Self>
    where
        K: Into<<Self::PrimaryKey as PrimaryKeyTrait>::ValueType>,
    {
        RestoreOne::by_id(key)
    }

    /// Permanently deletes the row with this primary key.
    fn force_delete_by_id<K>(key: K) -> ForceDeleteOne<Self>
    where
        K: Into<<Self::PrimaryKey as PrimaryKeyTrait>::ValueType>,
    {
        ForceDeleteOne::by_id(key)
    }

    /// Tells an active row, a trashed row and a missing row apart, in one `SELECT`.
    fn lookup_by_id<K>(key: K) -> LookupById<Self>
    where
        K: Into<<Self::PrimaryKey as PrimaryKeyTrait>::ValueType>,
    {
        LookupById::new(key)
    }

    /// Permanently deletes trashed rows deleted before `cutoff`, in bounded batches. Needs a
    /// deletion time: a timestamp or epoch marker, or a flag marker with a `touch` column.
    fn purge_trash(cutoff: DateTime<Utc>) -> PurgeTrash<Self>
    where
        Self: HasDeletionTime,
    {
        PurgeTrash::new(cutoff)
    }
}

impl<E: SoftDeleteEntity> SoftDeleteEntityExt for E {}
