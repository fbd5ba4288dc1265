//! The object-safe view of one cascade edge: what the engine asks of a `parent -> child` link
//! between two tables it knows only by their `TypeId`. The typed implementation is
//! [`engine::typed_edge`](crate::engine::typed_edge).

use std::any::TypeId;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{
    Condition, DeleteStatement, SelectStatement, UpdateStatement, ValueTuple,
};
use sea_orm::{DbBackend, Statement};

use crate::error::Error;
use crate::hook_context::DynHooks;
use crate::session::{BoxFuture, ErasedConnection};
use crate::values::Stamp;

/// One `parent -> child` edge of a cascade graph, with the statements it contributes.
#[doc(hidden)]
pub trait CascadeEdge: Send + Sync + 'static {
    fn parent_type(&self) -> TypeId;
    fn child_type(&self) -> TypeId;
    fn parent_table(&self) -> &'static str;
    fn child_table(&self) -> &'static str;
    /// The child's own edges.
    fn child_edges(&self) -> Vec<&'static dyn CascadeEdge>;
    /// Children of the parent rows matching `parent`: a condition on the child table.
    fn children_of(&self, parent: Condition, backend: DbBackend) -> Result<Condition, Error>;
    /// Parents of the child rows matching `child`: a condition on the parent table.
    fn parents_of(&self, child: Condition, backend: DbBackend) -> Result<Condition, Error>;
    /// The active children of the parent rows stamped with `batch`.
    fn stamp_condition(&self, batch: i64, backend: DbBackend) -> Result<Condition, Error>;
    /// Trashes the active children of the parent rows stamped with the stamp's batch.
    fn stamp_children(&self, stamp: &Stamp, backend: DbBackend) -> Result<UpdateStatement, Error>;
    /// The trashed children that share their batch with a parent row this call restores:
    /// `parents` names those parents before the change (`None`: the active parents that still
    /// carry a batch, that is, the ones restored earlier in this call).
    fn restore_condition(
        &self,
        parents: Option<Condition>,
        backend: DbBackend,
    ) -> Result<Condition, Error>;
    /// The child entity's hooks.
    fn child_hooks(&self) -> Option<&'static dyn DynHooks>;
    /// The parent entity's hooks.
    fn parent_hooks(&self) -> Option<&'static dyn DynHooks>;
    /// Primary keys of the child rows matching `rows`, read with a lock.
    fn child_keys<'a>(
        &'a self,
        rows: Condition,
        db: &'a dyn ErasedConnection,
    ) -> BoxFuture<'a, Result<Vec<ValueTuple>, Error>>;
    /// Primary keys of the parent rows matching `rows`, read with a lock.
    fn parent_keys<'a>(
        &'a self,
        rows: Condition,
        db: &'a dyn ErasedConnection,
    ) -> BoxFuture<'a, Result<Vec<ValueTuple>, Error>>;
    /// Restores the children of [`restore_condition`](Self::restore_condition); `clear_batch`
    /// also clears theirs, for children that no further edge matches by it.
    fn restore_children(
        &self,
        parents: Option<Condition>,
        at: Option<DateTime<Utc>>,
        clear_batch: bool,
        backend: DbBackend,
    ) -> Result<UpdateStatement, Error>;
    /// Whether the child table has a `touch` column.
    fn touches(&self) -> bool;
    /// Whether the parent table has a `touch` column.
    fn parent_touches(&self) -> bool;
    /// Clears the batch of the child table's active rows.
    fn clear_child_batches(&self) -> UpdateStatement;
    /// Deletes the child rows matching `child`.
    fn delete_children(&self, child: Condition) -> DeleteStatement;
    /// Restores the parent rows matching `parent`, without cascading.
    fn restore_parents(&self, parent: Condition, at: Option<DateTime<Utc>>) -> UpdateStatement;
    /// Trashed parent rows: a condition on the parent table.
    fn trashed_parents(&self) -> Condition;
    /// Locks the parents of the child rows matching `child` (`FOR SHARE`, `FOR UPDATE` when
    /// `exclusive`): while the lock holds, no cascade can trash them. PostgreSQL locks them in
    /// one statement. InnoDB would also lock the child rows a subquery reads, and the restore's
    /// own `UPDATE` of those rows would then upgrade the lock, which deadlocks two restores of
    /// one row; MySQL and MariaDB first read the parents' keys, then lock the parents by key.
    /// SQLite has no row locks: its `BEGIN IMMEDIATE` keeps every other writer out.
    fn lock_parents<'a>(
        &'a self,
        child: Condition,
        exclusive: bool,
        db: &'a dyn ErasedConnection,
    ) -> BoxFuture<'a, Result<(), Error>>;
    /// PostgreSQL's lock of [`CascadeEdge::lock_parents`]: one locking `SELECT` of the parents
    /// of the child rows matching `child`.
    fn parent_lock(
        &self,
        child: Condition,
        exclusive: bool,
        backend: DbBackend,
    ) -> Result<SelectStatement, Error>;
    /// The `SELECT`s of [`CascadeEdge::check_child_conflicts`] when no key is taken.
    fn child_conflict_statements(&self, rows: Condition, backend: DbBackend) -> Vec<Statement>;
    /// Whether any child row matches `rows`.
    fn any_child<'a>(
        &'a self,
        rows: Condition,
        db: &'a dyn ErasedConnection,
    ) -> BoxFuture<'a, Result<bool, Error>>;
    /// Refuses, with `RestoreConflict`, to restore child rows matching `rows` whose unique key
    /// an active child row holds.
    fn check_child_conflicts<'a>(
        &'a self,
        rows: Condition,
        db: &'a dyn ErasedConnection,
    ) -> BoxFuture<'a, Result<(), Error>>;
    /// The same for parent rows matching `rows`.
    fn check_parent_conflicts<'a>(
        &'a self,
        rows: Condition,
        db: &'a dyn ErasedConnection,
    ) -> BoxFuture<'a, Result<(), Error>>;
    /// The child's unique keys, as column names.
    fn child_unique_keys(&self) -> Vec<Vec<&'static str>>;
    /// The parent's unique keys, as column names.
    fn parent_unique_keys(&self) -> Vec<Vec<&'static str>>;

    /// A tree: parent and child are the same entity.
    fn is_self_referencing(&self) -> bool {
        self.parent_type() == self.child_type()
    }
}
