//! The state changes every builder runs: soft delete, restore and force delete of the rows
//! matching some filters, with the cascades, unique-key checks and parent checks they need.
//!
//! Every write carries the row state in its `WHERE`, so concurrent callers cannot re-stamp or
//! resurrect a row and row counts are real state changes. Functions here take the connection
//! they are given; the builders decide when that must be a transaction of their own.

use std::any::TypeId;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::Value;
use sea_orm::sea_query::{Condition, Expr, IntoCondition, UpdateStatement, ValueTuple};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DeleteMany, Iterable, ModelTrait, PrimaryKeyToColumn,
    QueryFilter, QuerySelect, TransactionSession, UpdateMany,
};

use crate::cascade::{self, CascadeCounts, CascadeEdge, Graph, add_count, clear_batches};
use crate::entity::{SoftDeleteEntity, active_condition, trashed_condition};
use crate::error::{Error, key_text};
use crate::hooks::{self, HookPoint, Origin};
use crate::timestamp::DeletionTimestamp;
use crate::{audit, clock, conflict};

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
    Ok(!Graph::of::<E>()?.is_empty() || E::hooks().is_some())
}

/// Whether restoring `E` sends more than one statement.
pub(crate) fn restore_is_compound<E: SoftDeleteEntity>() -> Result<bool, Error> {
    Ok(!E::UNIQUE_KEYS.is_empty() || is_compound::<E>()? || !parent_edges::<E>().is_empty())
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
    let rows = soft_delete_statement::<E>(&root.filters, &stamp)
        .exec(db)
        .await?
        .rows_affected;
    let mut cascaded = CascadeCounts::new();
    if let Some(batch) = stamp.batch {
        let backend = db.get_database_backend();
        let down = Down {
            origin: root.cascade_origin(),
            at: Some(at),
            before: HookPoint::BeforeSoftDelete,
            after: HookPoint::AfterSoftDelete,
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
/// trashed. Refuses, before changing anything, rows whose unique key an active row holds and
/// rows whose cascade parent is trashed (unless `with_ancestors`, which restores that parent
/// chain, and only that, first).
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
    conflict::check_restore::<E, _>(db, filters).await?;
    let at = restore_time::<E, _>(db).await?;
    let root = Hooked::<E>::lock(
        db,
        filters,
        trashed_condition::<E>().into_condition(),
        origin,
        at,
    )
    .await?;
    let down = Down {
        origin: root.cascade_origin(),
        at,
        before: HookPoint::BeforeRestore,
        after: HookPoint::AfterRestore,
    };
    let mut cascaded = CascadeCounts::new();
    if with_ancestors {
        restore_ancestors::<E, _>(db, &root.filters, &down, &mut cascaded).await?;
    } else {
        for edge in parent_edges::<E>() {
            let under_trashed_parent = edge.children_of(edge.trashed_parents(), backend)?;
            let orphans = root
                .filters
                .apply(E::find())
                .filter(trashed_condition::<E>())
                .filter(under_trashed_parent)
                .limit(MAX_NAMED_ORPHANS)
                .all(db)
                .await?;
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
    }
    root.run(db, HookPoint::BeforeRestore).await?;
    let graph = Graph::of::<E>()?;
    let rows = restore_statement::<E>(&root.filters, graph.is_empty(), at)
        .exec(db)
        .await?
        .rows_affected;
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

/// Deletes the rows matching `filters` for good, their descendants first so that foreign keys
/// never block it and nothing is left dangling.
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
    if graph.edges.iter().any(|edge| edge.is_self_referencing()) {
        return Err(Error::InvalidCascade(format!(
            "force delete does not follow the self-referencing cascade of `{}`",
            E::default().table_name()
        )));
    }
    let backend = db.get_database_backend();
    let root = Hooked::<E>::lock(db, filters, Condition::all(), origin, None).await?;
    root.run(db, HookPoint::BeforeForceDelete).await?;
    let mut subtree: HashMap<TypeId, Condition> =
        HashMap::from([(TypeId::of::<E>(), root.filters.condition())]);
    let mut nodes: Vec<&'static dyn CascadeEdge> = Vec::new();
    for edge in &graph.edges {
        let parent = subtree
            .get(&edge.parent_type())
            .cloned()
            .unwrap_or_else(Condition::all);
        let children = edge.children_of(parent, backend)?;
        match subtree.get_mut(&edge.child_type()) {
            Some(existing) => *existing = Condition::any().add(existing.clone()).add(children),
            None => {
                subtree.insert(edge.child_type(), children);
                nodes.push(*edge);
            }
        }
    }
    let mut cascaded = CascadeCounts::new();
    let down = Down {
        origin: root.cascade_origin(),
        at: None,
        before: HookPoint::BeforeForceDelete,
        after: HookPoint::AfterForceDelete,
    };
    for node in nodes.iter().rev() {
        let rows = subtree
            .get(&node.child_type())
            .cloned()
            .unwrap_or_else(Condition::all);
        let keys = down.before_child(db, *node, rows.clone()).await?;
        let removed = db
            .execute(&node.delete_children(rows))
            .await?
            .rows_affected();
        down.after_child(db, *node, &keys).await?;
        add_count(&mut cascaded, node.child_table(), removed);
    }
    let rows = delete_statement::<E>(&root.filters)
        .exec(db)
        .await?
        .rows_affected;
    root.run(db, HookPoint::AfterForceDelete).await?;
    Ok(Changed { rows, cascaded })
}

/// The root rows of an operation on `E`. With hooks, their keys are read first with a lock and
/// the operation is narrowed to exactly those rows; without, nothing is read.
struct Hooked<E> {
    filters: Filters,
    keys: Vec<ValueTuple>,
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
        let mut filters = filters.clone();
        let mut keys = Vec::new();
        if E::hooks().is_some() {
            let rows = Condition::all().add(filters.condition()).add(state);
            keys = cascade::locked_keys::<E>(rows, db).await?;
            filters.add(keys_condition::<E>(keys.clone()));
        }
        Ok(Hooked {
            filters,
            keys,
            origin,
            at,
            entity: std::marker::PhantomData,
        })
    }

    async fn run<C: ConnectionTrait>(&self, db: &C, point: HookPoint) -> Result<(), Error> {
        let table = E::default().table_name();
        hooks::run(
            E::hooks(),
            point,
            self.origin,
            table,
            &self.keys,
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
            let keys = self.before_child(db, edge, rows.clone()).await?;
            let changed = db.execute(statement).await?.rows_affected();
            self.after_child(db, edge, &keys).await?;
            add_count(counts, edge.child_table(), changed);
            if changed == 0 || !edge.is_self_referencing() {
                return Ok(());
            }
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
        hooks::run(
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
        hooks::run(
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

/// Rows whose primary key is one of `keys`.
pub(crate) fn keys_condition<E: SoftDeleteEntity>(keys: Vec<ValueTuple>) -> Condition {
    let columns: Vec<E::Column> = E::PrimaryKey::iter()
        .map(PrimaryKeyToColumn::into_column)
        .collect();
    match columns.as_slice() {
        [column] => {
            Condition::all().add(column.is_in(keys.into_iter().flat_map(ValueTuple::into_iter)))
        }
        _ => keys.into_iter().fold(Condition::any(), |any, key| {
            let matches = columns
                .iter()
                .zip(key)
                .fold(Condition::all(), |all, (column, value)| {
                    all.add(column.eq(value))
                });
            any.add(matches)
        }),
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

/// The cascade edges that end at `E`, trees excluded (a tree's parent is checked by nobody:
/// see the README's notes on self-referencing graphs).
fn parent_edges<E: SoftDeleteEntity>() -> Vec<&'static dyn CascadeEdge> {
    cascade::parent_edges(TypeId::of::<E>())
        .into_iter()
        .filter(|edge| !edge.is_self_referencing())
        .collect()
}

/// Restores the trashed ancestors of the trashed rows matching `filters`, up to the roots,
/// without cascading down to their other children.
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
    const MAX_DEPTH: usize = 64;
    let backend = db.get_database_backend();
    // Only rows that this call restores pull their ancestors back: restoring an active row
    // changes nothing, with or without ancestors.
    let restored = filters.condition().add(trashed_condition::<E>());
    let mut frontier = vec![(restored, parent_edges::<E>())];
    let mut depth = 0;
    while let Some((rows, edges)) = frontier.pop() {
        depth += 1;
        if depth > MAX_DEPTH {
            return Err(Error::InvalidCascade(
                "the cascade parents form a cycle".into(),
            ));
        }
        for edge in edges {
            let parents = edge.parents_of(rows.clone(), backend)?;
            let keys = match edge.parent_hooks() {
                Some(_) => {
                    edge.parent_keys(parents.clone().add(edge.trashed_parents()), db)
                        .await?
                }
                None => Vec::new(),
            };
            hooks::run(
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
                .await?
                .rows_affected();
            hooks::run(
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
            let grandparents = cascade::parent_edges(edge.parent_type())
                .into_iter()
                .filter(|edge| !edge.is_self_referencing())
                .collect();
            frontier.push((parents, grandparents));
        }
    }
    Ok(())
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
