//! Cascades along the graph declared with `#[soft_delete(cascade(Child, ..))]`.
//!
//! Every entity in a graph has a batch column: each soft delete writes a fresh batch id to every
//! row it trashes, the root rows and the descendants alike. That id, not the timestamp, is what
//! makes restore exact: a descendant is restored only if its parent was restored by the same
//! call and both carry the same batch, i.e. were trashed by the same operation. Two operations in
//! the same clock tick, a frozen test clock or PostgreSQL's transaction-constant
//! `CURRENT_TIMESTAMP` cannot confuse it. Active rows never keep a batch: restores clear it.
//!
//! Statements are set-based, one per edge of the graph (a self-referencing edge repeats until it
//! reaches the leaves, so its count follows the tree's depth), never one per row.

use std::any::TypeId;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::ValueTuple;
use sea_orm::sea_query::{
    Alias, Condition, DeleteStatement, DynIden, Expr, ExprTrait, IntoIden, Query, SelectStatement,
    UpdateStatement,
};
use sea_orm::{
    DbBackend, EntityTrait, IdenStatic, Identity, Iterable, ModelTrait, QueryFilter, QuerySelect,
    Related,
};

use crate::entity::SoftDeleteEntity;
use crate::error::Error;
use crate::hook_runtime::{BoxFuture, DynHooks, ErasedConnection, HookConnection};
use crate::ops::Stamp;
use crate::timestamp::DeletionTimestamp;
use crate::{audit, conflict};

/// The batch column of an entity that takes part in a cascade graph: `Option<i64>`, marked
/// `#[soft_delete(batch)]` or named `deleted_batch`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be in a cascade graph: it needs `#[derive(SoftDelete)]` and a batch column",
    label = "not a soft-deletable entity with a batch column",
    note = "derive `SoftDelete` on its `Model` and add `#[soft_delete(batch)] pub deleted_batch: Option<i64>` (and the column to its table)"
)]
pub trait HasBatchColumn: SoftDeleteEntity {}

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
    /// The trashed children whose parent was restored by this call with their batch.
    fn restore_condition(&self, backend: DbBackend) -> Result<Condition, Error>;
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
    /// Restores the trashed children whose parent was restored by this call with their batch;
    /// `clear_batch` also clears theirs, for children that no further edge matches by it.
    fn restore_children(
        &self,
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

/// How a cascade parent reaches its child: SeaORM's `Related<C>`, under a name whose error says
/// what a cascade needs.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` cascades to `{C}`, but SeaORM does not know how they are related",
    label = "no `Related<{C}>` for this entity",
    note = "implement SeaORM's `Related<{C}>` for the parent's `Entity` (usually with a `has_many` \
            relation): it names the child column that points at the parent"
)]
pub trait CascadesTo<C> {
    /// `Related::to()`.
    fn relation() -> sea_orm::RelationDef;
    /// `Related::via()`.
    fn via() -> Option<sea_orm::RelationDef>;
}

impl<P, C> CascadesTo<C> for P
where
    P: Related<C>,
    C: EntityTrait,
{
    fn relation() -> sea_orm::RelationDef {
        <P as Related<C>>::to()
    }

    fn via() -> Option<sea_orm::RelationDef> {
        <P as Related<C>>::via()
    }
}

struct Edge<P, C>(PhantomData<fn() -> (P, C)>);

/// The edge `P -> C`; what `#[soft_delete(cascade(C))]` on `P` expands to.
#[doc(hidden)]
pub fn edge<P, C>() -> &'static dyn CascadeEdge
where
    P: HasBatchColumn + CascadesTo<C>,
    C: HasBatchColumn,
{
    &Edge::<P, C>(PhantomData)
}

/// A cascade parent registered at link time, so that a child can find the parents that
/// cascade to it without declaring anything itself.
#[doc(hidden)]
#[derive(Debug)]
pub struct RegisteredParent(pub fn() -> Vec<&'static dyn CascadeEdge>);

inventory::collect!(RegisteredParent);

/// The edges that end at `child`.
pub(crate) fn parent_edges(child: TypeId) -> Vec<&'static dyn CascadeEdge> {
    inventory::iter::<RegisteredParent>
        .into_iter()
        .flat_map(|registered| (registered.0)())
        .filter(|edge| edge.child_type() == child)
        .collect()
}

fn columns(identity: &Identity) -> Vec<DynIden> {
    identity.iter().cloned().collect()
}

/// `(a, b) IN (SELECT ..)`, or `a IN (..)` for one column.
fn in_subquery(table: DynIden, columns: &[DynIden], subquery: SelectStatement) -> Expr {
    let exprs: Vec<Expr> = columns
        .iter()
        .map(|column| Expr::col((table.clone(), column.clone())))
        .collect();
    match exprs.as_slice() {
        [single] => single.clone().in_subquery(subquery),
        _ => Expr::tuple(exprs).in_subquery(subquery),
    }
}

/// MariaDB and MySQL reject a subquery on the table being changed (error 1093) unless it is
/// wrapped in a derived table, which they materialise.
pub(crate) fn portable(
    subquery: SelectStatement,
    columns: &[DynIden],
    backend: DbBackend,
) -> SelectStatement {
    if backend != DbBackend::MySql {
        return subquery;
    }
    let derived = Alias::new("sd_rows");
    let mut wrapper = Query::select();
    for column in columns {
        wrapper.column((derived.clone(), column.clone()));
    }
    wrapper.from_subquery(subquery, derived).to_owned()
}

impl<P, C> Edge<P, C>
where
    P: HasBatchColumn + CascadesTo<C>,
    C: HasBatchColumn,
{
    /// `(parent columns, child columns)` of the foreign key, whichever way the relation is written.
    fn link(&self) -> Result<(Vec<DynIden>, Vec<DynIden>), Error> {
        if <P as CascadesTo<C>>::via().is_some() {
            return Err(Error::InvalidCascade(format!(
                "`{}` reaches `{}` through a junction: declare the junction entity as the cascade child",
                self.parent_table(),
                self.child_table()
            )));
        }
        let relation = <P as CascadesTo<C>>::relation();
        if relation.from_tbl == P::default().table_ref() {
            Ok((columns(&relation.from_col), columns(&relation.to_col)))
        } else {
            Ok((columns(&relation.to_col), columns(&relation.from_col)))
        }
    }

    fn parent_rows(
        &self,
        parent: Condition,
        backend: DbBackend,
    ) -> Result<(Vec<DynIden>, Vec<DynIden>, SelectStatement), Error> {
        let (parent_columns, child_columns) = self.link()?;
        let mut rows = Query::select();
        for column in &parent_columns {
            rows.column((P::default().into_iden(), column.clone()));
        }
        rows.from(P::default()).cond_where(parent);
        let rows = portable(rows, &parent_columns, backend);
        Ok((parent_columns, child_columns, rows))
    }
}

impl<P, C> CascadeEdge for Edge<P, C>
where
    P: HasBatchColumn + CascadesTo<C>,
    C: HasBatchColumn,
{
    fn parent_type(&self) -> TypeId {
        TypeId::of::<P>()
    }

    fn child_type(&self) -> TypeId {
        TypeId::of::<C>()
    }

    fn parent_table(&self) -> &'static str {
        P::default().table_name()
    }

    fn child_table(&self) -> &'static str {
        C::default().table_name()
    }

    fn child_edges(&self) -> Vec<&'static dyn CascadeEdge> {
        C::cascade_edges()
    }

    fn children_of(&self, parent: Condition, backend: DbBackend) -> Result<Condition, Error> {
        let (_, child_columns, rows) = self.parent_rows(parent, backend)?;
        Ok(Condition::all().add(in_subquery(C::default().into_iden(), &child_columns, rows)))
    }

    fn parents_of(&self, child: Condition, backend: DbBackend) -> Result<Condition, Error> {
        let (parent_columns, child_columns) = self.link()?;
        let mut rows = Query::select();
        for column in &child_columns {
            rows.column((C::default().into_iden(), column.clone()));
        }
        rows.from(C::default()).cond_where(child);
        let rows = portable(rows, &child_columns, backend);
        Ok(Condition::all().add(in_subquery(P::default().into_iden(), &parent_columns, rows)))
    }

    fn stamp_condition(&self, batch: i64, backend: DbBackend) -> Result<Condition, Error> {
        let stamped_parents = Condition::all().add(batch_of::<P>().eq(batch));
        Ok(self
            .children_of(stamped_parents, backend)?
            .add(Expr::col((C::default(), C::deleted_at_column())).is_null()))
    }

    fn stamp_children(&self, stamp: &Stamp, backend: DbBackend) -> Result<UpdateStatement, Error> {
        let batch = stamp.batch.unwrap_or_default();
        let mut update = Query::update();
        update
            .table(C::default())
            .value(
                C::deleted_at_column(),
                Expr::val(C::Timestamp::from_utc(stamp.at).into_value()),
            )
            .cond_where(self.stamp_condition(batch, backend)?);
        if let Some(column) = C::batch_column() {
            update.value(column, batch);
        }
        for (column, value) in audit::on_delete::<C>(stamp.at, stamp.actor.as_ref()) {
            update.value(column, Expr::val(value));
        }
        Ok(update)
    }

    fn touches(&self) -> bool {
        C::touch_value(DateTime::<Utc>::default()).is_some()
    }

    fn parent_touches(&self) -> bool {
        P::touch_value(DateTime::<Utc>::default()).is_some()
    }

    fn restore_condition(&self, backend: DbBackend) -> Result<Condition, Error> {
        let (mut parent_columns, mut child_columns) = self.link()?;
        let (Some(parent_batch), Some(child_batch)) = (P::batch_column(), C::batch_column()) else {
            return Err(Error::InvalidCascade(format!(
                "`{}` has no batch column",
                self.child_table()
            )));
        };
        parent_columns.push(parent_batch.into_iden());
        child_columns.push(child_batch.into_iden());
        let mut restored_parents = Query::select();
        for column in &parent_columns {
            restored_parents.column((P::default().into_iden(), column.clone()));
        }
        restored_parents
            .from(P::default())
            .and_where(Expr::col((P::default(), P::deleted_at_column())).is_null())
            .and_where(batch_of::<P>().is_not_null());
        let restored_parents = portable(restored_parents, &parent_columns, backend);
        Ok(Condition::all()
            .add(Expr::col((C::default(), C::deleted_at_column())).is_not_null())
            .add(in_subquery(
                C::default().into_iden(),
                &child_columns,
                restored_parents,
            )))
    }

    fn restore_children(
        &self,
        at: Option<DateTime<Utc>>,
        clear_batch: bool,
        backend: DbBackend,
    ) -> Result<UpdateStatement, Error> {
        let mut update = Query::update();
        update
            .table(C::default())
            .value(
                C::deleted_at_column(),
                Expr::val(C::Timestamp::null_value()),
            )
            .cond_where(self.restore_condition(backend)?);
        if let (true, Some(column)) = (clear_batch, C::batch_column()) {
            update.value(column, Expr::val(Option::<i64>::None));
        }
        for (column, value) in audit::on_restore::<C>(at) {
            update.value(column, Expr::val(value));
        }
        Ok(update)
    }

    fn child_hooks(&self) -> Option<&'static dyn DynHooks> {
        C::hooks()
    }

    fn parent_hooks(&self) -> Option<&'static dyn DynHooks> {
        P::hooks()
    }

    fn child_keys<'a>(
        &'a self,
        rows: Condition,
        db: &'a dyn ErasedConnection,
    ) -> BoxFuture<'a, Result<Vec<ValueTuple>, Error>> {
        Box::pin(locked_keys::<C>(rows, db))
    }

    fn parent_keys<'a>(
        &'a self,
        rows: Condition,
        db: &'a dyn ErasedConnection,
    ) -> BoxFuture<'a, Result<Vec<ValueTuple>, Error>> {
        Box::pin(locked_keys::<P>(rows, db))
    }

    fn clear_child_batches(&self) -> UpdateStatement {
        clear_batches::<C>()
    }

    fn delete_children(&self, child: Condition) -> DeleteStatement {
        Query::delete()
            .from_table(C::default())
            .cond_where(child)
            .to_owned()
    }

    fn restore_parents(&self, parent: Condition, at: Option<DateTime<Utc>>) -> UpdateStatement {
        let mut update = Query::update();
        update
            .table(P::default())
            .value(
                P::deleted_at_column(),
                Expr::val(P::Timestamp::null_value()),
            )
            .cond_where(parent)
            .and_where(Expr::col((P::default(), P::deleted_at_column())).is_not_null());
        if let Some(column) = P::batch_column() {
            update.value(column, Expr::val(Option::<i64>::None));
        }
        for (column, value) in audit::on_restore::<P>(at) {
            update.value(column, Expr::val(value));
        }
        update
    }

    fn trashed_parents(&self) -> Condition {
        Condition::all().add(Expr::col((P::default(), P::deleted_at_column())).is_not_null())
    }

    fn lock_parents<'a>(
        &'a self,
        child: Condition,
        exclusive: bool,
        db: &'a dyn ErasedConnection,
    ) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let backend = db.backend();
            let lock = |mut parents: SelectStatement| {
                if exclusive {
                    parents.lock_exclusive();
                } else {
                    parents.lock_shared();
                }
                db.execute(backend.build(&parents))
            };
            match backend {
                DbBackend::Sqlite => Ok(()),
                DbBackend::Postgres => {
                    let mut parents = Query::select();
                    parents
                        .expr(Expr::val(1))
                        .from(P::default())
                        .cond_where(self.parents_of(child, backend)?);
                    lock(parents).await?;
                    Ok(())
                }
                _ => {
                    let (parent_columns, child_columns) = self.link()?;
                    let children = C::find()
                        .filter(child)
                        .all(&HookConnection::new(db))
                        .await?;
                    let mut seen = std::collections::HashSet::new();
                    let mut links: Vec<ValueTuple> = Vec::new();
                    for row in &children {
                        let link = link_values::<C>(row, &child_columns);
                        if seen.insert(format!("{link:?}")) {
                            links.push(link);
                        }
                    }
                    let table = P::default().into_iden();
                    for chunk in links.chunks(crate::keys::MAX_KEYS_PER_STATEMENT) {
                        let columns = parent_columns
                            .iter()
                            .map(|column| Expr::col((table.clone(), column.clone())));
                        let mut parents = Query::select();
                        parents
                            .expr(Expr::val(1))
                            .from(P::default())
                            .and_where(Expr::tuple(columns).in_tuples(chunk.iter().cloned()));
                        lock(parents).await?;
                    }
                    Ok(())
                }
            }
        })
    }

    fn any_child<'a>(
        &'a self,
        rows: Condition,
        db: &'a dyn ErasedConnection,
    ) -> BoxFuture<'a, Result<bool, Error>> {
        Box::pin(async move {
            let row = C::find().filter(rows).one(&HookConnection::new(db)).await?;
            Ok(row.is_some())
        })
    }

    fn check_child_conflicts<'a>(
        &'a self,
        rows: Condition,
        db: &'a dyn ErasedConnection,
    ) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(conflict::check_rows_on::<C>(rows, db))
    }

    fn check_parent_conflicts<'a>(
        &'a self,
        rows: Condition,
        db: &'a dyn ErasedConnection,
    ) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(conflict::check_rows_on::<P>(rows, db))
    }

    fn child_unique_keys(&self) -> Vec<Vec<&'static str>> {
        conflict::unique_keys::<C>()
    }

    fn parent_unique_keys(&self) -> Vec<Vec<&'static str>> {
        conflict::unique_keys::<P>()
    }
}

/// The values of `columns` (named as in the schema) in `row`.
fn link_values<E: SoftDeleteEntity>(row: &E::Model, columns: &[DynIden]) -> ValueTuple {
    let values: Vec<sea_orm::Value> = columns
        .iter()
        .filter_map(|name| {
            let name = name.to_string();
            E::Column::iter().find(|column| column.as_str() == name)
        })
        .map(|column| row.get(column))
        .collect();
    ValueTuple::Many(values)
}

/// Primary keys of `E`'s rows matching `rows`, read with `FOR UPDATE` (SQLite has no row locks;
/// its transactions lock the database instead).
pub(crate) async fn locked_keys<E: SoftDeleteEntity>(
    rows: Condition,
    db: &dyn ErasedConnection,
) -> Result<Vec<ValueTuple>, Error> {
    let models = E::find()
        .filter(rows)
        .lock_exclusive()
        .all(&HookConnection::new(db))
        .await?;
    Ok(models
        .iter()
        .map(ModelTrait::get_primary_key_value)
        .collect())
}

/// `table.batch`, or NULL for an entity without a batch column.
pub(crate) fn batch_of<E: SoftDeleteEntity>() -> Expr {
    match E::batch_column() {
        Some(column) => Expr::col((E::default(), column)),
        None => Expr::val(Option::<i64>::None),
    }
}

/// `UPDATE t SET batch = NULL WHERE deleted_at IS NULL AND batch IS NOT NULL`.
pub(crate) fn clear_batches<E: SoftDeleteEntity>() -> UpdateStatement {
    let mut update = Query::update();
    update.table(E::default());
    if let Some(column) = E::batch_column() {
        update
            .value(column, Expr::val(Option::<i64>::None))
            .and_where(Expr::col((E::default(), E::deleted_at_column())).is_null())
            .and_where(Expr::col((E::default(), column)).is_not_null());
    }
    update
}

/// A fresh batch id: random per process (the standard library's hasher seed) and unique within
/// it (a counter), positive so that every backend's signed 64-bit column holds it.
pub(crate) fn new_batch_id() -> i64 {
    use std::hash::{BuildHasher, Hasher};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static SEED: std::sync::OnceLock<std::collections::hash_map::RandomState> =
        std::sync::OnceLock::new();
    let mut hasher = SEED.get_or_init(Default::default).build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u128(
        Utc::now()
            .timestamp_nanos_opt()
            .unwrap_or_default()
            .unsigned_abs()
            .into(),
    );
    (hasher.finish() >> 1) as i64
}

/// The edges reachable from a root entity, ordered so that every edge comes after all edges
/// into its parent, and a parent's self-referencing edge before its other edges.
pub(crate) struct Graph {
    pub(crate) edges: Vec<&'static dyn CascadeEdge>,
}

impl Graph {
    pub(crate) fn of<E: SoftDeleteEntity>() -> Result<Self, Error> {
        let mut order: Vec<TypeId> = Vec::new();
        let mut state: HashMap<TypeId, bool> = HashMap::new(); // false: on the path, true: done
        let mut path: Vec<&'static str> = vec![E::default().table_name()];
        visit(
            TypeId::of::<E>(),
            E::cascade_edges(),
            &mut state,
            &mut order,
            &mut path,
        )?;
        order.reverse();
        let position: HashMap<TypeId, usize> =
            order.iter().enumerate().map(|(i, t)| (*t, i)).collect();
        let mut edges = Vec::new();
        collect_edges(E::cascade_edges(), &mut edges);
        edges.sort_by_key(|edge| {
            let parent = position
                .get(&edge.parent_type())
                .copied()
                .unwrap_or(usize::MAX);
            (parent, !edge.is_self_referencing())
        });
        Ok(Graph { edges })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.edges.is_empty()
    }
}

fn visit(
    node: TypeId,
    edges: Vec<&'static dyn CascadeEdge>,
    state: &mut HashMap<TypeId, bool>,
    order: &mut Vec<TypeId>,
    path: &mut Vec<&'static str>,
) -> Result<(), Error> {
    state.insert(node, false);
    for edge in edges {
        let child = edge.child_type();
        if child == node {
            continue; // a tree: handled by repeating the edge
        }
        path.push(edge.child_table());
        match state.get(&child) {
            Some(false) => {
                return Err(Error::InvalidCascade(format!(
                    "the cascade graph has a cycle: {}",
                    path.join(" -> ")
                )));
            }
            Some(true) => {}
            None => visit(child, edge.child_edges(), state, order, path)?,
        }
        path.pop();
    }
    state.insert(node, true);
    order.push(node);
    Ok(())
}

fn collect_edges(edges: Vec<&'static dyn CascadeEdge>, into: &mut Vec<&'static dyn CascadeEdge>) {
    for edge in edges {
        let known = into.iter().any(|seen| {
            seen.parent_type() == edge.parent_type() && seen.child_type() == edge.child_type()
        });
        if !known {
            into.push(edge);
            if edge.child_type() != edge.parent_type() {
                collect_edges(edge.child_edges(), into);
            }
        }
    }
}

/// How many rows of each table a cascade changed, in the order the statements ran.
pub type CascadeCounts = Vec<(&'static str, u64)>;

pub(crate) fn add_count(counts: &mut CascadeCounts, table: &'static str, rows: u64) {
    match counts.iter_mut().find(|(name, _)| *name == table) {
        Some((_, total)) => *total += rows,
        None => counts.push((table, rows)),
    }
}

/// The type a batch column holds.
#[diagnostic::on_unimplemented(
    message = "a batch column is `Option<i64>`, not `Option<{Self}>`",
    label = "write `Option<i64>`"
)]
#[doc(hidden)]
pub trait BatchId {}

impl BatchId for i64 {}

/// Checks, at compile time, the type of a `#[soft_delete(batch)]` field.
#[doc(hidden)]
pub fn assert_batch_type<T: BatchId>() {}
