//! The state changes every builder runs: soft delete, restore and force delete of the rows
//! matching some filters, with the cascades, unique-key checks and parent checks they need.
//!
//! Every write carries the row state in its `WHERE`, so concurrent callers cannot re-stamp or
//! resurrect a row and row counts are real state changes. Functions here take the connection
//! they are given; the builders decide when that must be a transaction of their own.

use std::any::TypeId;

use chrono::{DateTime, Utc};
use sea_orm::Value;
use sea_orm::sea_query::{
    Condition, DynIden, Expr, ExprTrait, IntoCondition, IntoIden, Query, UpdateStatement,
    ValueTuple,
};
use sea_orm::{
    ConnectionTrait, DbBackend, DbErr, DeleteMany, IsolationLevel, Iterable, ModelTrait,
    PrimaryKeyToColumn, QueryFilter, QuerySelect, SqliteTransactionMode, TransactionOptions,
    TransactionSession, UpdateMany,
};

use crate::cascade::{self, CascadeCounts, CascadeEdge, Graph, add_count, clear_batches};
use crate::connection::TransactionalConnection;
use crate::entity::{SoftDeleteEntity, active_condition, trashed_condition};
use crate::error::{Error, key_text};
use crate::hook_runtime::{self, HookPoint, Origin};
use crate::timestamp::DeletionTimestamp;
use crate::{audit, clock, conflict, keys};

/// The conditions a builder accumulates with `filter`, all of which must hold.
#[derive(Clone, Debug)]
pub(crate) struct Filters(Condition);

impl Filters {
    pub(crate) fn new() -> Self {
        Self(Condition::all())
    }

    pub(crate) fn with<F: IntoCondition>(mut self, filter: F) -> Self {
        self.add(filter);
        self
    }

    pub(crate) fn add<F: IntoCondition>(&mut self, filter: F) {
        self.0 = std::mem::replace(&mut self.0, Condition::all()).add(filter.into_condition());
    }

    /// Adds the conditions to `query`; none at all adds no `WHERE TRUE`.
    pub(crate) fn apply<Q: QueryFilter>(&self, query: Q) -> Q {
        if self.0.is_empty() {
            query
        } else {
            query.filter(self.0.clone())
        }
    }

    pub(crate) fn condition(&self) -> Condition {
        self.0.clone()
    }
}

/// Rows the operation changed in its own table, and in each table it cascaded to.
#[derive(Debug, Default)]
pub(crate) struct Changed {
    pub(crate) rows: u64,
    pub(crate) cascaded: CascadeCounts,
}

/// Whether soft-deleting or force-deleting `E` sends more than one statement: a cascade graph,
/// or hooks, which read the rows' keys first.
pub(crate) fn is_compound<E: SoftDeleteEntity>() -> Result<bool, Error> {
    Ok(compound_reason::<E>(false)?.is_some())
}

/// Whether restoring `E` sends more than one statement.
pub(crate) fn restore_is_compound<E: SoftDeleteEntity>() -> Result<bool, Error> {
    Ok(compound_reason::<E>(true)?.is_some())
}

/// Why an operation on `E` sends more than one write statement, and so needs a transaction:
/// `None` when it is one statement. `restore` asks about restoring instead of deleting.
pub(crate) fn compound_reason<E: SoftDeleteEntity>(
    restore: bool,
) -> Result<Option<&'static str>, Error> {
    Ok(if !Graph::of::<E>()?.is_empty() {
        Some("it cascades to other tables")
    } else if E::hooks().is_some() {
        Some("its hooks read the rows' keys first")
    } else if restore && !E::UNIQUE_KEYS.is_empty() {
        Some("it checks the entity's unique keys first")
    } else if restore && !cascade::parent_edges(TypeId::of::<E>()).is_empty() {
        Some("it checks the rows' cascade parents first")
    } else {
        None
    })
}

/// What a soft delete writes besides the rows it picks: one time, one batch, one actor.
#[derive(Clone, Debug)]
pub struct Stamp {
    pub(crate) at: DateTime<Utc>,
    pub(crate) batch: Option<i64>,
    pub(crate) actor: Option<Value>,
}

impl Stamp {
    /// A fresh batch id (when `E` has a batch column) and the operation's actor.
    fn new<E: SoftDeleteEntity>(at: DateTime<Utc>, actor: Option<Value>) -> Self {
        Self {
            at,
            batch: E::batch_column().map(|_| cascade::new_batch_id()),
            actor: audit::operation_actor(actor),
        }
    }
}

pub(crate) fn soft_delete_statement<E: SoftDeleteEntity>(
    filters: &Filters,
    stamp: &Stamp,
) -> UpdateMany<E> {
    let deleted_at = E::Timestamp::from_utc(stamp.at).into_value();
    let mut update = E::update_many().col_expr(E::deleted_at_column(), Expr::val(deleted_at));
    if let (Some(column), Some(batch)) = (E::batch_column(), stamp.batch) {
        update = update.col_expr(column, Expr::val(batch));
    }
    for (column, value) in audit::on_delete::<E>(stamp.at, stamp.actor.as_ref()) {
        update = update.col_expr(column, Expr::val(value));
    }
    filters.apply(update).filter(active_condition::<E>())
}

pub(crate) fn restore_statement<E: SoftDeleteEntity>(
    filters: &Filters,
    clear_batch: bool,
    at: Option<DateTime<Utc>>,
) -> UpdateMany<E> {
    let null = Expr::val(E::Timestamp::null_value());
    let mut update = E::update_many().col_expr(E::deleted_at_column(), null);
    if let (Some(column), true) = (E::batch_column(), clear_batch) {
        update = update.col_expr(column, Expr::val(Option::<i64>::None));
    }
    for (column, value) in audit::on_restore::<E>(at) {
        update = update.col_expr(column, Expr::val(value));
    }
    filters.apply(update).filter(trashed_condition::<E>())
}

/// Trashes the active rows matching `filters` and, down the cascade graph, their active
/// descendants, all with the timestamp `at` and one fresh batch id.
pub(crate) async fn soft_delete<E, C>(
    db: &C,
    filters: &Filters,
    at: DateTime<Utc>,
    actor: Option<Value>,
    origin: Origin,
) -> Result<Changed, Error>
where
    E: SoftDeleteEntity,
    C: ConnectionTrait,
{
    let graph = Graph::of::<E>()?;
    let stamp = Stamp::new::<E>(at, actor);
    let root = Hooked::<E>::lock(
        db,
        filters,
        active_condition::<E>().into_condition(),
        origin,
        Some(at),
    )
    .await?;
    root.run(db, HookPoint::BeforeSoftDelete).await?;
    let mut rows = 0;
    for chunk in root.chunks() {
        rows += soft_delete_statement::<E>(&chunk, &stamp)
            .exec(db)
            .await?
            .rows_affected;
    }
    let mut cascaded = CascadeCounts::new();
    if let Some(batch) = stamp.batch {
        let backend = db.get_database_backend();
        let down = Down {
            origin: root.cascade_origin(),
            at: Some(at),
            before: HookPoint::BeforeSoftDelete,
            after: HookPoint::AfterSoftDelete,
            restoring: false,
        };
        for edge in &graph.edges {
            let statement = edge.stamp_children(&stamp, backend)?;
            let rows = edge.stamp_condition(batch, backend)?;
            down.run(db, *edge, &statement, rows, &mut cascaded).await?;
        }
    }
    root.run(db, HookPoint::AfterSoftDelete).await?;
    Ok(Changed { rows, cascaded })
}

/// The one `UPDATE` a soft delete of `filters` is when `E` is not compound (no cascade graph,
/// no hooks): [`soft_delete`] sends exactly this statement for such an entity.
pub(crate) fn simple_soft_delete<E: SoftDeleteEntity>(
    filters: &Filters,
    at: DateTime<Utc>,
    actor: Option<Value>,
) -> UpdateMany<E> {
    soft_delete_statement::<E>(filters, &Stamp::new::<E>(at, actor))
}

/// The one `UPDATE` a restore of `filters` is when restoring `E` is not compound (see
/// [`restore_is_compound`]), preceded by a read of the server clock only where [`restore`]
/// reads it too.
pub(crate) async fn simple_restore<E, C>(db: &C, filters: &Filters) -> Result<UpdateMany<E>, Error>
where
    E: SoftDeleteEntity,
    C: ConnectionTrait,
{
    let at = restore_time::<E, _>(db).await?;
    Ok(restore_statement::<E>(filters, true, at))
}

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
    origin: Origin,
) -> Result<Changed, Error>
where
    E: SoftDeleteEntity,
    C: ConnectionTrait,
{
    let backend = db.get_database_backend();
    let at = restore_time::<E, _>(db).await?;
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
    root.run(db, HookPoint::BeforeRestore).await?;
    let graph = Graph::of::<E>()?;
    let unique_keys = conflict::unique_keys::<E>();
    let mut rows = 0;
    for chunk in root.chunks() {
        rows += restore_statement::<E>(&chunk, graph.is_empty(), at)
            .exec(db)
            .await
            .map_err(|error| {
                conflict::restore_failed(error, E::default().table_name(), &unique_keys)
            })?
            .rows_affected;
    }
    if !graph.is_empty() {
        // The batch tells children which parent restore they belong to; active rows keep none.
        // A leaf's batch is matched by nobody, so its restore clears it at once: on a large
        // leaf table that halves the rows written.
        let is_leaf = |edge: &&dyn CascadeEdge| edge.child_edges().is_empty();
        for edge in &graph.edges {
            let statement = edge.restore_children(at, is_leaf(edge), backend)?;
            let rows = edge.restore_condition(backend)?;
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
    root.run(db, HookPoint::AfterRestore).await?;
    Ok(Changed { rows, cascaded })
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
    for edge in cascade::parent_edges(TypeId::of::<E>()) {
        // The parents of every row the filters name, whatever its state now: a row that is
        // active here may be trashed by a cascade before the restore's UPDATE reads it. A tree's
        // parent nodes are often restored by this very call, which would upgrade a shared lock
        // (two such restores would deadlock): those are locked exclusively. `lock_parents`
        // decides per backend (SQLite sends nothing).
        edge.lock_parents(filters.condition(), edge.is_self_referencing(), db)
            .await?;
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
            // REPEATABLE READ transaction. Exclusive, because the restore's UPDATE of the same
            // rows would upgrade a shared lock, and two restores of one row would deadlock.
            orphans = orphans.lock_exclusive();
        }
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

/// Deletes the rows matching `filters` for good, their descendants first so that foreign keys
/// never block it and nothing is left dangling; a tree's nodes deepest level first.
pub(crate) async fn force_delete<E, C>(
    db: &C,
    filters: &Filters,
    origin: Origin,
) -> Result<Changed, Error>
where
    E: SoftDeleteEntity,
    C: ConnectionTrait,
{
    let graph = Graph::of::<E>()?;
    let root = Hooked::<E>::lock(db, filters, Condition::all(), origin, None).await?;
    root.run(db, HookPoint::BeforeForceDelete).await?;
    let down = Down {
        origin: root.cascade_origin(),
        at: None,
        before: HookPoint::BeforeForceDelete,
        after: HookPoint::AfterForceDelete,
        restoring: false,
    };
    let mut rows = 0;
    let mut cascaded = CascadeCounts::new();
    for chunk in root.chunks() {
        rows += force_delete_subtree::<E, _>(db, &graph, &chunk, &down, &mut cascaded).await?;
    }
    root.run(db, HookPoint::AfterForceDelete).await?;
    Ok(Changed { rows, cascaded })
}

/// How deep a tree (a self-referencing cascade) may be before the data is taken for a cycle.
const MAX_TREE_DEPTH: usize = 256;

/// The rows of one table that a force delete removes, by tree level (one level unless the table
/// is a tree), and the edges that reach them.
struct Doomed {
    table: TypeId,
    /// The edge into this table, `None` for the operation's own table.
    edge: Option<&'static dyn CascadeEdge>,
    /// The table's self-referencing edge, when it is a tree.
    tree: Option<&'static dyn CascadeEdge>,
    levels: Vec<Condition>,
}

impl Doomed {
    fn all(&self) -> Condition {
        self.levels
            .iter()
            .fold(Condition::any(), |any, level| any.add(level.clone()))
    }
}

async fn force_delete_subtree<E, C>(
    db: &C,
    graph: &Graph,
    rows: &Filters,
    down: &Down,
    cascaded: &mut CascadeCounts,
) -> Result<u64, Error>
where
    E: SoftDeleteEntity,
    C: ConnectionTrait,
{
    let backend = db.get_database_backend();
    let mut doomed = vec![Doomed {
        table: TypeId::of::<E>(),
        edge: None,
        tree: None,
        levels: vec![rows.condition()],
    }];
    for edge in &graph.edges {
        let Some(parent) = doomed
            .iter()
            .position(|node| node.table == edge.parent_type())
        else {
            // The graph's order puts every edge after the edges into its parent; anything else
            // is a bug, and deleting without a condition would empty the child table.
            return Err(Error::InvalidCascade(format!(
                "`{}` was reached before its parent `{}`",
                edge.child_table(),
                edge.parent_table()
            )));
        };
        if edge.is_self_referencing() {
            let node = &mut doomed[parent];
            node.tree = Some(*edge);
            let mut level = node.all();
            node.levels = vec![level.clone()];
            loop {
                level = edge.children_of(level, backend)?;
                if !edge.any_child(level.clone(), db).await? {
                    break;
                }
                if node.levels.len() >= MAX_TREE_DEPTH {
                    return Err(Error::InvalidCascade(format!(
                        "`{}` is deeper than {MAX_TREE_DEPTH} levels, or its rows form a cycle",
                        edge.child_table()
                    )));
                }
                node.levels.push(level.clone());
            }
            continue;
        }
        let children = edge.children_of(doomed[parent].all(), backend)?;
        match doomed
            .iter_mut()
            .find(|node| node.table == edge.child_type())
        {
            Some(node) => {
                let all = node.all().add(children);
                node.levels = vec![all];
            }
            None => doomed.push(Doomed {
                table: edge.child_type(),
                edge: Some(*edge),
                tree: None,
                levels: vec![children],
            }),
        }
    }
    let mut removed_roots = 0;
    for node in doomed.iter().rev() {
        for (depth, level) in node.levels.iter().enumerate().rev() {
            let edge = if depth > 0 { node.tree } else { node.edge };
            let Some(edge) = edge else {
                removed_roots = delete_statement::<E>(rows).exec(db).await?.rows_affected;
                continue;
            };
            let keys = down.before_child(db, edge, level.clone()).await?;
            let removed = db
                .execute(&edge.delete_children(level.clone()))
                .await?
                .rows_affected();
            down.after_child(db, edge, &keys).await?;
            add_count(cascaded, edge.child_table(), removed);
        }
    }
    Ok(removed_roots)
}

/// The root rows of an operation on `E`. With hooks, their keys are read first with a lock and
/// the operation is narrowed to exactly those rows, in chunks of at most
/// [`keys::MAX_KEYS_PER_STATEMENT`] keys; without, nothing is read.
struct Hooked<E> {
    backend: DbBackend,
    filters: Filters,
    keys: Option<Vec<ValueTuple>>,
    origin: Origin,
    at: Option<DateTime<Utc>>,
    entity: std::marker::PhantomData<E>,
}

impl<E: SoftDeleteEntity> Hooked<E> {
    async fn lock<C: ConnectionTrait>(
        db: &C,
        filters: &Filters,
        state: Condition,
        origin: Origin,
        at: Option<DateTime<Utc>>,
    ) -> Result<Self, Error> {
        let mut keys = None;
        if E::hooks().is_some() {
            let rows = Condition::all().add(filters.condition()).add(state);
            keys = Some(cascade::locked_keys::<E>(rows, db).await?);
        }
        Ok(Hooked {
            backend: db.get_database_backend(),
            filters: filters.clone(),
            keys,
            origin,
            at,
            entity: std::marker::PhantomData,
        })
    }

    /// The filters of each statement that changes the root rows: the caller's, or the keys read
    /// (and locked) with them, which say the same without repeating the caller's conditions.
    fn chunks(&self) -> Vec<Filters> {
        match &self.keys {
            None => vec![self.filters.clone()],
            Some(keys) => keys::chunks::<E>(keys)
                .into_iter()
                .map(|chunk| Filters::new().with(keys::keys_condition::<E>(chunk, self.backend)))
                .collect(),
        }
    }

    async fn run<C: ConnectionTrait>(&self, db: &C, point: HookPoint) -> Result<(), Error> {
        let table = E::default().table_name();
        hook_runtime::run(
            E::hooks(),
            point,
            self.origin,
            table,
            self.keys.as_deref().unwrap_or_default(),
            self.at,
            db,
        )
        .await
    }

    fn cascade_origin(&self) -> Origin {
        match self.origin {
            Origin::Purge => Origin::Purge,
            _ => Origin::Cascade {
                root: E::default().table_name(),
            },
        }
    }
}

/// One state change travelling down (or up) a cascade graph, with the hooks of each table.
struct Down {
    origin: Origin,
    at: Option<DateTime<Utc>>,
    before: HookPoint,
    after: HookPoint,
    /// A restore: each table's unique keys are checked before its rows come back.
    restoring: bool,
}

impl Down {
    /// Runs an edge's statement between the child's hooks; a self-referencing edge again until
    /// a run changes nothing, one tree level per run.
    async fn run<C: ConnectionTrait>(
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
            self.after_child(db, edge, &keys).await?;
            add_count(counts, edge.child_table(), changed);
            if changed == 0 || !edge.is_self_referencing() {
                return Ok(());
            }
        }
    }

    /// A statement of this change failed on `table`.
    fn failed(
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

    async fn before_child<C: ConnectionTrait>(
        &self,
        db: &C,
        edge: &dyn CascadeEdge,
        rows: Condition,
    ) -> Result<Vec<ValueTuple>, Error> {
        let Some(child_hooks) = edge.child_hooks() else {
            return Ok(Vec::new());
        };
        let keys = edge.child_keys(rows, db).await?;
        hook_runtime::run(
            Some(child_hooks),
            self.before,
            self.origin,
            edge.child_table(),
            &keys,
            self.at,
            db,
        )
        .await?;
        Ok(keys)
    }

    async fn after_child<C: ConnectionTrait>(
        &self,
        db: &C,
        edge: &dyn CascadeEdge,
        keys: &[ValueTuple],
    ) -> Result<(), Error> {
        hook_runtime::run(
            edge.child_hooks(),
            self.after,
            self.origin,
            edge.child_table(),
            keys,
            self.at,
            db,
        )
        .await
    }
}

pub(crate) fn delete_statement<E: SoftDeleteEntity>(filters: &Filters) -> DeleteMany<E> {
    filters.apply(E::delete_many())
}

/// A restore's time, read only when some table it may write has a `touch` column (the time is
/// written nowhere else), so that restores otherwise send no extra statement.
async fn restore_time<E, C>(db: &C) -> Result<Option<DateTime<Utc>>, Error>
where
    E: SoftDeleteEntity,
    C: ConnectionTrait,
{
    let probe = clock::now();
    let graph = Graph::of::<E>()?;
    let touches = E::touch_value(probe).is_some()
        || graph.edges.iter().any(|edge| edge.touches())
        || cascade::parent_edges(TypeId::of::<E>())
            .iter()
            .any(|edge| edge.parent_touches());
    if !touches {
        return Ok(None);
    }
    Ok(Some(clock::operation_time::<E, _>(None, db).await?))
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
        cascade::parent_edges(TypeId::of::<E>()),
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
            let keys = match edge.parent_hooks() {
                Some(_) => edge.parent_keys(trashed, db).await?,
                None => Vec::new(),
            };
            hook_runtime::run(
                edge.parent_hooks(),
                down.before,
                down.origin,
                edge.parent_table(),
                &keys,
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
            hook_runtime::run(
                edge.parent_hooks(),
                down.after,
                down.origin,
                edge.parent_table(),
                &keys,
                down.at,
                db,
            )
            .await?;
            add_count(counts, edge.parent_table(), restored);
            if edge.is_self_referencing() && restored == 0 {
                continue;
            }
            frontier.push((
                parents.clone(),
                parents,
                cascade::parent_edges(edge.parent_type()),
            ));
        }
    }
    Ok(())
}

/// Rows of `E` that are not among `rows` (a condition on `E`'s table): `pk NOT IN (SELECT pk
/// ..)`, which, unlike `NOT (condition)`, stays true where a filtered column is NULL.
fn outside<E: SoftDeleteEntity>(rows: Condition, backend: DbBackend) -> Condition {
    let columns: Vec<DynIden> = E::PrimaryKey::iter()
        .map(|key| key.into_column().into_iden())
        .collect();
    let mut inner = Query::select();
    for column in &columns {
        inner.column((E::default().into_iden(), column.clone()));
    }
    inner.from(E::default()).cond_where(rows);
    let inner = cascade::portable(inner, &columns, backend);
    let keys = columns
        .iter()
        .map(|column| Expr::col((E::default().into_iden(), column.clone())));
    Condition::all().add(Expr::tuple(keys).not_in_subquery(inner))
}

/// Begins the operation's own transaction (a savepoint inside the caller's). On SQLite it is
/// `BEGIN IMMEDIATE`: a deferred transaction that reads first cannot take the write lock later
/// while another connection holds it, and fails with `database is locked` instead of waiting
/// for the busy timeout.
///
/// On MySQL and MariaDB it is `READ COMMITTED`, as PostgreSQL's default is: each check then sees
/// what committed before it, not the snapshot of the transaction's first read, and InnoDB takes
/// no gap locks, the main source of deadlocks between concurrent cascades. Inside a
/// transaction of the caller's (a savepoint) the caller's isolation level stays.
pub(crate) async fn begin<C>(db: &C) -> Result<C::Transaction, DbErr>
where
    C: TransactionalConnection,
{
    // Only a pool starts a transaction of its own: on a transaction, SeaORM would send the
    // `SET TRANSACTION` that MySQL refuses there, and the failed begin rolls the caller's
    // transaction back when SeaORM drops it. Generic code cannot ask a connection whether it is
    // in a transaction without a statement, so the type decides.
    let is_pool =
        std::any::type_name::<C>() == std::any::type_name::<sea_orm::DatabaseConnection>();
    if db.get_database_backend() == DbBackend::MySql && is_pool {
        return db
            .begin_with_config(Some(IsolationLevel::ReadCommitted), None)
            .await;
    }
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// Runs `operation` in a transaction (a savepoint inside the caller's) and commits, or rolls
/// back explicitly on failure: a transaction left to `Drop` queues its rollback on the pooled
/// connection, which keeps the locks until that connection is next used.
pub(crate) async fn finish<T, Txn>(txn: Txn, outcome: Result<T, Error>) -> Result<T, Error>
where
    Txn: TransactionSession,
{
    match outcome {
        Ok(value) => {
            txn.commit().await?;
            Ok(value)
        }
        Err(error) => {
            // The operation's own error says what failed; a rollback failure adds nothing to it.
            let _ = txn.rollback().await;
            Err(error)
        }
    }
}
