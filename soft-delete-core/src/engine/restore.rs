//! Restore: the trashed rows matching some filters and the descendants the same operations
//! trashed, refused before anything changes when a unique key is taken or a cascade parent is
//! in the trash (unless the parents are restored too).

use std::any::TypeId;
use std::borrow::Cow;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, IntoCondition, Query};
use sea_orm::{
    ConnectionTrait, DbBackend, Iterable, ModelTrait, PrimaryKeyToColumn, QueryFilter, QuerySelect,
    Select, UpdateMany,
};

use crate::clock;
use crate::edge::CascadeEdge;
use crate::engine::conflict;
use crate::engine::statements::{any_of_subquery, clear_batches, outside, restore_statement};
use crate::engine::steps::{Down, Hooked};
use crate::entity::{SoftDeleteEntity, active_condition, trashed_condition};
use crate::error::{Error, key_text};
use crate::graph::{Graph, parent_edges, reached_before_parent};
use crate::hook_context::{self, HookPoint, Origin, Rows};
use crate::values::{CascadeCounts, Changed, Filters};

/// How many refused rows an `Error::ParentTrashed` names.
const MAX_NAMED_ORPHANS: u64 = 10;

/// Restores the trashed rows matching `filters` and the descendants the same operations
/// trashed. Refuses, before changing anything, rows whose unique key an active row holds (theirs,
/// a cascaded child's or a restored ancestor's) and rows whose cascade parent is trashed (unless
/// `with_ancestors`, which restores that parent chain, and only that, first).
///
/// Locks are taken parents first, as a cascading soft delete takes them: the parents' rows are
/// locked before the restored rows are read or written, so that no parent can move to the trash
/// between the check and the commit.
pub(crate) async fn restore<E, C>(
    db: &C,
    filters: &Filters,
    with_ancestors: bool,
    explicit_at: Option<DateTime<Utc>>,
    origin: Origin,
) -> Result<Changed, Error>
where
    E: SoftDeleteEntity,
    C: ConnectionTrait,
{
    let backend = db.get_database_backend();
    let at = restore_time::<E, _>(explicit_at, db).await?;
    let down = Down {
        origin: match origin {
            Origin::Purge => Origin::Purge,
            _ => Origin::Cascade {
                root: E::default().table_name(),
            },
        },
        at,
        before: HookPoint::BeforeRestore,
        after: HookPoint::AfterRestore,
        restoring: true,
    };
    let mut cascaded = CascadeCounts::new();
    if with_ancestors {
        restore_ancestors::<E, _>(db, filters, &down, &mut cascaded).await?;
    } else {
        check_parents::<E, _>(db, filters).await?;
    }
    let restored = filters.condition().add(trashed_condition::<E>());
    conflict::check_rows::<E, _>(db, restored).await?;
    let root = Hooked::<E>::lock(
        db,
        filters,
        trashed_condition::<E>().into_condition(),
        origin,
        at,
    )
    .await?;
    root.run(db, HookPoint::BeforeRestore, None).await?;
    let graph = Graph::of::<E>()?;
    let by_level = !graph.is_empty() && !graph.has_tree();
    let unique_keys = conflict::unique_keys::<E>();
    let mut rows = 0;
    for chunk in root.chunks() {
        // The operation's own rows first: the `UPDATE` locks them, so that a concurrent soft
        // delete of them either committed before or waits, and what follows sees their final
        // state. They keep their batch until their descendants are matched by it.
        rows += restore_statement::<E>(chunk, graph.is_empty(), at)
            .exec(db)
            .await
            .map_err(|error| {
                conflict::restore_failed(error, E::default().table_name(), &unique_keys)
            })?
            .rows_affected;
    }
    if by_level {
        // Then the descendants, deepest table first, each level named through its trashed
        // parents up to the restored rows, each statement clearing its own batch: one
        // statement per table. The restored rows keep their batch: clearing it would cost one
        // more statement and buys nothing, since no trashed row is left that shares it (see
        // `restore_levels`).
        for level in restore_levels::<E>(&graph, backend)?.iter().rev() {
            let statement =
                level
                    .edge
                    .restore_children(Some(level.parents.clone()), at, true, backend)?;
            down.run(
                db,
                level.edge,
                &statement,
                level.rows.clone(),
                &mut cascaded,
            )
            .await?;
        }
    } else if !graph.is_empty() {
        // A tree restores one level per statement, top down, as deep as it goes: the batch
        // tells children which parent restore they belong to; active rows keep none.
        // A leaf's batch is matched by nobody, so its restore clears it at once: on a large
        // leaf table that halves the rows written.
        let is_leaf = |edge: &&dyn CascadeEdge| edge.child_edges().is_empty();
        for edge in &graph.edges {
            let statement = edge.restore_children(None, at, is_leaf(edge), backend)?;
            let rows = edge.restore_condition(None, backend)?;
            down.run(db, *edge, &statement, rows, &mut cascaded).await?;
        }
        db.execute(&clear_batches::<E>()).await?;
        let mut cleared = vec![TypeId::of::<E>()];
        for edge in &graph.edges {
            if !is_leaf(edge) && !cleared.contains(&edge.child_type()) {
                cleared.push(edge.child_type());
                db.execute(&edge.clear_child_batches()).await?;
            }
        }
    }
    root.run(db, HookPoint::AfterRestore, Some(rows)).await?;
    Ok(Changed { rows, cascaded })
}

/// One edge of a restore by levels: the trashed parent rows this call restores (named before
/// anything changes) and the children it restores with them.
pub(crate) struct RestoreLevel {
    pub(crate) edge: &'static dyn CascadeEdge,
    pub(crate) parents: Condition,
    pub(crate) rows: Condition,
}

/// The levels of a restore through a graph without trees, parents first, once `E`'s own rows
/// are restored with their batch kept: each table's restored rows are the trashed rows that
/// share their batch with restored rows of their parent (for `E`, its active rows that carry a
/// batch), named before they change (a table reached twice takes the rows of both paths).
///
/// `E`'s active rows with a batch are this call's restored rows and the roots of earlier
/// restores, which kept theirs. Those earlier roots match nothing: their restore brought back
/// every trashed descendant of theirs with that batch, and a batch id is written by one
/// operation only, so no trashed row shares it any more. A later soft delete overwrites it.
pub(crate) fn restore_levels<E: SoftDeleteEntity>(
    graph: &Graph,
    backend: DbBackend,
) -> Result<Vec<RestoreLevel>, Error> {
    let mut restored: Vec<(TypeId, Condition)> =
        vec![(TypeId::of::<E>(), restored_roots::<E>(backend))];
    let mut levels = Vec::new();
    for edge in &graph.edges {
        let parents = restored
            .iter()
            .find(|(table, _)| *table == edge.parent_type())
            .map(|(_, rows)| rows.clone())
            .ok_or_else(|| reached_before_parent(*edge))?;
        let rows = edge.restore_condition(Some(parents.clone()), backend)?;
        match restored
            .iter_mut()
            .find(|(table, _)| *table == edge.child_type())
        {
            Some((_, all)) => *all = Condition::any().add(all.clone()).add(rows.clone()),
            None => restored.push((edge.child_type(), rows.clone())),
        }
        levels.push(RestoreLevel {
            edge: *edge,
            parents,
            rows,
        });
    }
    Ok(levels)
}

/// `E`'s active rows that carry a batch: [`restore_levels`]' name for the rows this call
/// restored. On PostgreSQL, with a single-column key, written `key = ANY(ARRAY (SELECT key FROM
/// .. WHERE active AND batch IS NOT NULL))`, the same rows: the plain condition is estimated
/// from statistics taken before this call changed those rows (after a mass soft delete, no row
/// is active: an estimate of 1), and on that estimate the descendants' `UPDATE`s probed the
/// children's foreign-key index once per parent row, where a hash join over one scan was
/// faster (scenario S4b in `BENCHMARKS.md`, which has the measurements). The
/// planner takes an array it cannot see into for a handful of values and joins by hash.
fn restored_roots<E: SoftDeleteEntity>(backend: DbBackend) -> Condition {
    let active = Condition::all().add(active_condition::<E>());
    let keys: Vec<E::Column> = E::PrimaryKey::iter()
        .map(PrimaryKeyToColumn::into_column)
        .collect();
    let ([key], Some(batch), DbBackend::Postgres) = (&keys[..], E::batch_column(), backend) else {
        return active;
    };
    let mut roots = Query::select();
    roots
        .column((E::default(), *key))
        .from(E::default())
        .cond_where(active)
        .and_where(Expr::col((E::default(), batch)).is_not_null());
    Condition::all().add(any_of_subquery(Expr::col((E::default(), *key)), roots))
}

/// Refuses to restore trashed rows matching `filters` whose cascade parent (for a tree, a parent
/// node that this call does not restore too) is in the trash, after locking those parents
/// (`FOR SHARE`; SQLite's `BEGIN IMMEDIATE` already keeps every other writer out).
async fn check_parents<E, C>(db: &C, filters: &Filters) -> Result<(), Error>
where
    E: SoftDeleteEntity,
    C: ConnectionTrait,
{
    let backend = db.get_database_backend();
    let restored = filters.condition().add(trashed_condition::<E>());
    for edge in parent_edges(TypeId::of::<E>()) {
        // The parents of every row the filters name, whatever its state now: a row that is
        // active here may be trashed by a cascade before the restore's UPDATE reads it. A tree's
        // parent nodes are often restored by this very call, which would upgrade a shared lock
        // (two such restores would deadlock): those are locked exclusively. `lock_parents`
        // decides per backend (SQLite sends nothing).
        edge.lock_parents(filters.condition(), edge.is_self_referencing(), db)
            .await?;
        let orphans = orphans_of::<E>(edge, &restored, backend)?;
        let orphans = orphans.all(db).await?;
        if !orphans.is_empty() {
            return Err(Error::ParentTrashed {
                table: E::default().table_name(),
                parent_table: edge.parent_table(),
                keys: orphans
                    .iter()
                    .map(|row| key_text(row.get_primary_key_value()))
                    .collect(),
            });
        }
    }
    Ok(())
}

/// The restored rows (`restored`, a condition on `E`) whose parent along `edge` is trashed (for
/// a tree, a parent node that this call does not restore too): the first few, for the error.
pub(crate) fn orphans_of<E: SoftDeleteEntity>(
    edge: &dyn CascadeEdge,
    restored: &Condition,
    backend: DbBackend,
) -> Result<Select<E>, Error> {
    let trashed_parents = if edge.is_self_referencing() {
        edge.trashed_parents()
            .add(outside::<E>(restored.clone(), backend))
    } else {
        edge.trashed_parents()
    };
    let mut orphans = E::find()
        .filter(restored.clone())
        .filter(edge.children_of(trashed_parents, backend)?)
        .limit(MAX_NAMED_ORPHANS);
    if backend == DbBackend::MySql {
        // A locking read reads the latest committed rows, not the snapshot of a caller's
        // REPEATABLE READ transaction. Exclusive, because the restore's UPDATE of the same rows
        // would upgrade a shared lock, and two restores of one row would deadlock.
        orphans = orphans.lock_exclusive();
    }
    Ok(orphans)
}

/// The one `UPDATE` a restore of `filters` is when restoring `E` is not compound (see
/// [`compound_reason`](crate::engine::executor::compound_reason)), preceded by a read of the
/// server clock only where [`restore`] reads it too.
pub(crate) async fn simple_restore<E, C>(db: &C, filters: &Filters) -> Result<UpdateMany<E>, Error>
where
    E: SoftDeleteEntity,
    C: ConnectionTrait,
{
    let at = restore_time::<E, _>(None, db).await?;
    Ok(restore_statement::<E>(Cow::Borrowed(filters), true, at))
}

/// A restore's time (`explicit`, else the entity's clock), read only when some table it may
/// write has a `touch` column (the time is written nowhere else), so that restores otherwise
/// send no extra statement.
pub(crate) async fn restore_time<E, C>(
    explicit: Option<DateTime<Utc>>,
    db: &C,
) -> Result<Option<DateTime<Utc>>, Error>
where
    E: SoftDeleteEntity,
    C: ConnectionTrait,
{
    if !restore_touches::<E>()? {
        return Ok(None);
    }
    Ok(Some(clock::operation_time(E::CLOCK, explicit, db).await?))
}

/// Whether some table a restore of `E` may write has a `touch` column.
pub(crate) fn restore_touches<E: SoftDeleteEntity>() -> Result<bool, Error> {
    let graph = Graph::of::<E>()?;
    Ok(E::touch_value(DateTime::<Utc>::default()).is_some()
        || graph.edges.iter().any(|edge| edge.touches())
        || parent_edges(TypeId::of::<E>())
            .iter()
            .any(|edge| edge.parent_touches()))
}

/// Restores the trashed ancestors of the trashed rows matching `filters`, up to the roots,
/// without cascading down to their other children. A tree is climbed one level per statement
/// until a level restores nothing (an active node's ancestors are active).
async fn restore_ancestors<E, C>(
    db: &C,
    filters: &Filters,
    down: &Down,
    counts: &mut CascadeCounts,
) -> Result<(), Error>
where
    E: SoftDeleteEntity,
    C: ConnectionTrait,
{
    const MAX_STEPS: usize = 1_024;
    let backend = db.get_database_backend();
    // Only rows that this call restores pull their ancestors back: restoring an active row
    // changes nothing, with or without ancestors.
    let restored = filters.condition().add(trashed_condition::<E>());
    // Each level: the rows whose parents are restored, the rows whose parents are locked first
    // (whatever their state, as in `check_parents`, but exclusively, because the parents may be
    // restored next), and the edges up.
    let mut frontier = vec![(
        restored.clone(),
        filters.condition(),
        parent_edges(TypeId::of::<E>()),
    )];
    let mut steps = 0;
    while let Some((rows, locked, edges)) = frontier.pop() {
        for edge in edges {
            steps += 1;
            if steps > MAX_STEPS {
                return Err(Error::InvalidCascade(
                    "the cascade parents form a cycle".into(),
                ));
            }
            edge.lock_parents(locked.clone(), true, db).await?;
            let mut parents = edge.parents_of(rows.clone(), backend)?;
            if edge.parent_type() == TypeId::of::<E>() {
                // A tree node that this call restores itself is no ancestor: restored as one,
                // it would lose its batch and the root restore would skip it.
                parents = parents.add(outside::<E>(restored.clone(), backend));
            }
            let trashed = parents.clone().add(edge.trashed_parents());
            edge.check_parent_conflicts(trashed.clone(), db).await?;
            let keys = if hook_context::reads_keys(edge.parent_hooks()) {
                edge.parent_keys(trashed, db).await?
            } else {
                Vec::new()
            };
            hook_context::run(
                edge.parent_hooks(),
                down.before,
                down.origin,
                Rows {
                    table: edge.parent_table(),
                    keys: &keys,
                    changed: None,
                },
                down.at,
                db,
            )
            .await?;
            let restored = db
                .execute(&edge.restore_parents(parents.clone(), down.at))
                .await
                .map_err(|error| {
                    down.failed(error, edge.parent_table(), edge.parent_unique_keys())
                })?
                .rows_affected();
            hook_context::run(
                edge.parent_hooks(),
                down.after,
                down.origin,
                Rows {
                    table: edge.parent_table(),
                    keys: &keys,
                    changed: Some(restored),
                },
                down.at,
                db,
            )
            .await?;
            counts.add(edge.parent_table(), restored);
            if edge.is_self_referencing() && restored == 0 {
                continue;
            }
            frontier.push((parents.clone(), parents, parent_edges(edge.parent_type())));
        }
    }
    Ok(())
}
