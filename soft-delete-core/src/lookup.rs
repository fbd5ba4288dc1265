//! Telling "gone" (trashed) from "missing" (never there, or force-deleted), so that a service can
//! answer 200, 410 or 404.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, PrimaryKeyTrait};

use crate::entity::SoftDeleteEntity;
use crate::instance::RowKey;
use crate::timestamp::DeletionTimestamp;

/// What a lookup by primary key found.
#[derive(Clone, Debug, PartialEq)]
pub enum RowState<M> {
    /// The row exists and is active.
    Active(M),
    /// The row is in the trash.
    Trashed {
        /// The row as stored.
        row: M,
        /// When it was deleted, in UTC.
        deleted_at: DateTime<Utc>,
    },
    /// No row has this primary key.
    Missing,
}

/// One `SELECT` by primary key that sees the trash. Made by `Entity::lookup_by_id(key)`.
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
    pub async fn one<C: ConnectionTrait>(self, db: &C) -> Result<RowState<E::Model>, DbErr> {
        let Some(row) = self.key.find_row(db).await? else {
            return Ok(RowState::Missing);
        };
        let deleted_at = E::deleted_at(&row).map(DeletionTimestamp::to_utc);
        Ok(match deleted_at {
            Some(deleted_at) => RowState::Trashed { row, deleted_at },
            None => RowState::Active(row),
        })
    }
}
