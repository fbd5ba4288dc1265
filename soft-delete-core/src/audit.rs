//! Audit columns written by the same statement as the state change: `touch = <field>` sets an
//! `updated_at`-style column to the operation's timestamp on soft delete and restore, and
//! `deleted_by = <field>` records who trashed a row (cleared on restore).
//!
//! The actor comes from the call (`.by(actor)` on the soft-delete builders) or, failing that,
//! from the task ([`with_actor`]); with neither, `deleted_by` is written NULL.

use std::future::Future;

use chrono::{DateTime, Utc};
use sea_orm::Value;

use crate::timestamp::DeletionTimestamp;

tokio::task_local! {
    static TASK_ACTOR: Value;
}

/// Runs `future` with `actor` as the `deleted_by` value of every soft delete in it that is not
/// given one with `.by(..)`. Like the clock, the scope covers this future only.
///
/// ```
/// mod memo {
///     use sea_orm::entity::prelude::*;
///     use soft_delete_core::prelude::*;
///
///     #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
///     #[sea_orm(table_name = "memo")]
///     #[soft_delete(deleted_by = deleted_by)]
///     pub struct Model {
///         #[sea_orm(primary_key)]
///         pub id: i32,
///         pub deleted_by: Option<String>,
///         pub deleted_at: Option<DateTimeUtc>,
///     }
/// #   #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #   pub enum Relation {}
/// #   impl ActiveModelBehavior for ActiveModel {}
/// }
/// # use sea_orm::ConnectionTrait;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), soft_delete_core::Error> {
/// # let db = sea_orm::Database::connect("sqlite::memory:").await?;
/// # soft_delete_core::schema::create_table::<memo::Entity, _>(&db).await?;
/// # db.execute_unprepared("INSERT INTO memo (id) VALUES (1), (2)").await?;
/// use soft_delete_core::audit;
///
/// // A request handler scopes the signed-in user once.
/// let memo = audit::with_actor("ada", memo::Entity::soft_delete_by_id(1).exec(&db)).await?;
/// assert_eq!(memo.deleted_by.as_deref(), Some("ada"));
/// let memo = memo.restore(&db).await?;
/// assert_eq!(memo.deleted_by, None, "cleared on restore");
/// # Ok(())
/// # }
/// ```
pub async fn with_actor<F: Future>(actor: impl Into<Value>, future: F) -> F::Output {
    TASK_ACTOR.scope(actor.into(), future).await
}

/// The actor for one operation: the call's, else the task's.
pub(crate) fn operation_actor(explicit: Option<Value>) -> Option<Value> {
    explicit.or_else(|| TASK_ACTOR.try_with(Clone::clone).ok())
}

/// A type an audit `touch` column can have: a supported timestamp, or an `Option` of one.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a `touch` column",
    label = "a `touch` column holds a timestamp of the same kinds as the deletion marker, optionally in an `Option`"
)]
pub trait TouchTimestamp {
    /// The value to write for an operation at `at`.
    fn touch_value(at: DateTime<Utc>) -> Value;
}

macro_rules! touch_timestamp {
    ($($timestamp:ty),* $(,)?) => {$(
        // Not listed in errors: the list would change with the `with-time` feature.
        #[diagnostic::do_not_recommend]
        impl TouchTimestamp for $timestamp {
            fn touch_value(at: DateTime<Utc>) -> Value {
                <$timestamp as DeletionTimestamp>::from_utc(at).into_value()
            }
        }

        #[diagnostic::do_not_recommend]
        impl TouchTimestamp for Option<$timestamp> {
            fn touch_value(at: DateTime<Utc>) -> Value {
                <$timestamp as DeletionTimestamp>::from_utc(at).into_value()
            }
        }
    )*};
}

touch_timestamp!(
    DateTime<Utc>,
    DateTime<chrono::FixedOffset>,
    DateTime<chrono::Local>,
    chrono::NaiveDateTime,
);

#[cfg(feature = "with-time")]
touch_timestamp!(time::OffsetDateTime, time::PrimitiveDateTime);
