//! Telling "gone" (trashed) from "missing" (never there, or force-deleted), so that a service can
//! answer 200, 410 or 404.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, PrimaryKeyTrait};

use crate::entity::SoftDeleteEntity;
use crate::keys::RowKey;
use crate::marker::MarkerStrategy;

/// What a lookup by primary key found.
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
/// use soft_delete_core::RowState;
///
/// // What a handler answers: 200, 410 Gone or 404.
/// let status = |state: &RowState<product::Model>| match state {
///     RowState::Active(_) => 200,
///     RowState::Trashed { .. } => 410,
///     RowState::Missing => 404,
/// };
/// product::Entity::soft_delete_by_id(3).exec(&db).await?;
/// assert_eq!(status(&product::Entity::lookup_by_id(1).one(&db).await?), 200);
/// assert_eq!(status(&product::Entity::lookup_by_id(3).one(&db).await?), 410);
/// assert_eq!(status(&product::Entity::lookup_by_id(4).one(&db).await?), 404);
/// # Ok(())
/// # }
/// ```
///
/// `T` is what the marker tells about a deletion: the time in UTC for timestamp and epoch
/// markers, `()` for flags, which record none.
#[derive(Clone, Debug, PartialEq)]
pub enum RowState<M, T = DateTime<Utc>> {
    /// The row exists and is active.
    Active(M),
    /// The row is in the trash.
    Trashed {
        /// The row as stored.
        row: M,
        /// When it was deleted, in UTC (`()` for a flag marker).
        deleted_at: T,
    },
    /// No row has this primary key.
    Missing,
}

/// One `SELECT` by primary key that sees the trash. Made by `Entity::lookup_by_id(key)`.
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
/// use soft_delete_core::RowState;
///
/// product::Entity::soft_delete_by_id(2).exec(&db).await?;
/// assert!(matches!(product::Entity::lookup_by_id(1).one(&db).await?, RowState::Active(_)));
/// assert!(matches!(product::Entity::lookup_by_id(2).one(&db).await?, RowState::Trashed { .. }));
/// assert!(matches!(product::Entity::lookup_by_id(9).one(&db).await?, RowState::Missing));
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
#[must_use = "a lookup does nothing until `.one(db)`"]
pub struct LookupById<E> {
    key: RowKey<E>,
}

impl<E: SoftDeleteEntity> LookupById<E> {
    pub(crate) fn new<K>(key: K) -> Self
    where
        K: Into<<E::PrimaryKey as PrimaryKeyTrait>::ValueType>,
    {
        Self {
            key: RowKey::of_id(key),
        }
    }

    /// Runs the lookup. It fails only when the database does, so the error is SeaORM's.
    pub async fn one<C: ConnectionTrait>(
        self,
        db: &C,
    ) -> Result<RowState<E::Model, <E::Marker as MarkerStrategy>::TrashedAt>, DbErr> {
        let Some(row) = crate::scope::library(self.key.find_row(db)).await? else {
            return Ok(RowState::Missing);
        };
        Ok(match E::trashed_at(&row) {
            Some(deleted_at) => RowState::Trashed { row, deleted_at },
            None => RowState::Active(row),
        })
    }
}
