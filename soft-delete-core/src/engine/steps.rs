//! The steps every state change is made of, shared by the three operations: the operation's own
//! rows (read and locked first when its table has hooks) and one change travelling along the
//! cascade graph with the hooks of each table it reaches.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, UpdateStatement, ValueTuple};
use sea_orm::{ConnectionTrait, DbBackend, DbErr};

use crate::edge::CascadeEdge;
use crate::engine::conflict;
use crate::engine::reads::locked_keys;
use crate::entity::SoftDeleteEntity;
use crate::error::Error;
use crate::hook_context::{self, HookPoint, Origin, Rows};
use crate::keys;
use crate::values::{CascadeCounts, Filters};

/// The root rows of an operation on `E`. With hooks, their keys are read first with a lock and
/// the operation is narrowed to exactly those rows, in chunks of at most
/// [`keys::MAX_KEYS_PER_STATEMENT`] keys; without, nothing is read.
pub(crate) struct Hooked<'f, E> {
    backend: DbBackend,
    filters: &'f Filters,
    keys: Option<Vec<ValueTuple>>,
    origin: Origin,
    at: Option<DateTime<Utc>>,
    entity: std::marker::PhantomData<E>,
}

impl<'f, E: SoftDeleteEntity> Hooked<'f, E> {
    pub(crate) async fn lock<C: ConnectionTrait>(
        db: &C,
        filters: &'f Filters,
        state: Condition,
        origin: Origin,
        at: Option<DateTime<Utc>>,
    ) -> Result<Self, Error> {
        let mut keys = None;
        if hook_context::reads_keys(E::hooks()) {
            let rows = Condition::all().add(filters.condition()).add(state);
            keys = Some(locked_keys::<E>(rows, db).await?);
        }
        Ok(Hooked {
            backend: db.get_database_backend(),
            filters,
            keys,
            origin,
            at,
            entity: std::marker::PhantomData,
        })
    }

    /// The filters of each statement that changes the root rows: the caller's, or the keys read
    /// (and locked) with them, which say the same without repeating the caller's conditions.
    pub(crate) fn chunks(&self) -> Vec<Cow<'f, Filters>> {
        match &self.keys {
            None => vec![Cow::Borrowed(self.filters)],
            Some(keys) => keys::key_conditions::<E>(keys, self.backend)
                .into_iter()
                .map(|condition| Cow::Owned(Filters::new().with(condition)))
                .collect(),
        }
    }

    /// Runs `point` of `E`'s hooks; `changed` is the number of root rows changed, `None`
    /// before the change.
    pub(crate) async fn run<C: ConnectionTrait>(
        &self,
        db: &C,
        point: HookPoint,
        changed: Option<u64>,
    ) -> Result<(), Error> {
        let table = E::default().table_name();
        hook_context::run(
            E::hooks(),
            point,
            self.origin,
            Rows {
                table,
                keys: self.keys.as_deref().unwrap_or_default(),
                changed,
            },
            self.at,
            db,
        )
        .await
    }

    /// The keys read for the hooks, if they were.
    pub(crate) fn keys(&self) -> Option<&[ValueTuple]> {
        self.keys.as_deref()
    }

    pub(crate) fn cascade_origin(&self) -> Origin {
        match self.origin {
            Origin::Purge => Origin::Purge,
            _ => Origin::Cascade {
                root: E::default().table_name(),
            },
        }
    }
}

/// The keys of the child rows a statement is about to change, as their hooks were told.
#[derive(Debug, Default)]
pub(crate) struct ChildKeys {
    /// The keys the hooks were told.
    pub(crate) told: Vec<ValueTuple>,
    /// How many keys read were left out as already told.
    pub(crate) already_told: u64,
}

/// One state change travelling down (or up) a cascade graph, with the hooks of each table.
pub(crate) struct Down {
    pub(crate) origin: Origin,
    pub(crate) at: Option<DateTime<Utc>>,
    pub(crate) before: HookPoint,
    pub(crate) after: HookPoint,
    /// A restore: each table's unique keys are checked before its rows come back.
    pub(crate) restoring: bool,
}

impl Down {
    /// Runs an edge's statement between the child's hooks; a self-referencing edge again until
    /// a run changes nothing, one tree level per run.
    pub(crate) async fn run<C: ConnectionTrait>(
        &self,
        db: &C,
        edge: &dyn CascadeEdge,
        statement: &UpdateStatement,
        rows: Condition,
        counts: &mut CascadeCounts,
    ) -> Result<(), Error> {
        loop {
            if self.restoring {
                edge.check_child_conflicts(rows.clone(), db).await?;
            }
            let keys = self.before_child(db, edge, rows.clone()).await?;
            let changed = db
                .execute(statement)
                .await
                .map_err(|error| self.failed(error, edge.child_table(), edge.child_unique_keys()))?
                .rows_affected();
            self.after_child(db, edge, &keys, changed).await?;
            counts.add(edge.child_table(), changed);
            if changed == 0 || !edge.is_self_referencing() {
                return Ok(());
            }
        }
    }

    /// A statement of this change failed on `table`.
    pub(crate) fn failed(
        &self,
        error: DbErr,
        table: &'static str,
        unique_keys: Vec<Vec<&'static str>>,
    ) -> Error {
        if self.restoring {
            conflict::restore_failed(error, table, &unique_keys)
        } else {
            Error::Database(error)
        }
    }

    pub(crate) async fn before_child<C: ConnectionTrait>(
        &self,
        db: &C,
        edge: &dyn CascadeEdge,
        rows: Condition,
    ) -> Result<Vec<ValueTuple>, Error> {
        Ok(self
            .before_child_except(db, edge, rows, |_| false)
            .await?
            .told)
    }

    /// [`Down::before_child`], telling the hooks of none of the keys `already_told` picks out
    /// (a force delete's own rows that are also nodes of its tree).
    pub(crate) async fn before_child_except<C: ConnectionTrait>(
        &self,
        db: &C,
        edge: &dyn CascadeEdge,
        rows: Condition,
        already_told: impl Fn(&ValueTuple) -> bool,
    ) -> Result<ChildKeys, Error> {
        let Some(child_hooks) = edge.child_hooks() else {
            return Ok(ChildKeys::default());
        };
        let keys = if child_hooks.needs_keys() {
            edge.child_keys(rows, db).await?
        } else {
            Vec::new()
        };
        let read = keys.len();
        let told: Vec<ValueTuple> = keys.into_iter().filter(|key| !already_told(key)).collect();
        hook_context::run(
            Some(child_hooks),
            self.before,
            self.origin,
            Rows {
                table: edge.child_table(),
                keys: &told,
                changed: None,
            },
            self.at,
            db,
        )
        .await?;
        Ok(ChildKeys {
            already_told: (read - told.len()) as u64,
            told,
        })
    }

    pub(crate) async fn after_child<C: ConnectionTrait>(
        &self,
        db: &C,
        edge: &dyn CascadeEdge,
        keys: &[ValueTuple],
        changed: u64,
    ) -> Result<(), Error> {
        hook_context::run(
            edge.child_hooks(),
            self.after,
            self.origin,
            Rows {
                table: edge.child_table(),
                keys,
                changed: Some(changed),
            },
            self.at,
            db,
        )
        .await
    }
}
