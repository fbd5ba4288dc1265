//! The typed cascade edge `P -> C` behind each erased [`CascadeEdge`]: what
//! `#[soft_delete(cascade(C))]` on `P` expands to.
//!
//! Every entity in a graph has a batch column: each soft delete writes a fresh batch id to every
//! row it trashes, the root rows and the descendants alike. That id, not the timestamp, is what
//! makes restore exact: a descendant is restored only if its parent was restored by the same
//! call and both carry the same batch, i.e. were trashed by the same operation. Two operations in
//! the same clock tick, a frozen test clock or PostgreSQL's transaction-constant
//! `CURRENT_TIMESTAMP` cannot confuse it. A restore clears the batch of every descendant it brings
//! back; the rows it was called on keep theirs (for a tree, it clears them too), which matches
//! nothing: no trashed row shares it any more.
//!
//! Statements are set-based, one per edge of the graph (a self-referencing edge repeats until it
//! reaches the leaves, so its count follows the tree's depth), never one per row.

use std::any::TypeId;
use std::marker::PhantomData;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{
    Condition, DeleteStatement, DynIden, Expr, ExprTrait, IntoIden, Query, SelectStatement,
    UpdateStatement, ValueTuple,
};
use sea_orm::{DbBackend, IdenStatic, Identity, Iterable, ModelTrait, QueryFilter, Statement};

use crate::edge::CascadeEdge;
use crate::engine::conflict;
use crate::engine::reads::locked_keys;
use crate::engine::statements::{
    batch_of, clear_batches, in_subquery, portable, set_restored, set_trashed,
};
use crate::entity::{SoftDeleteEntity, active_condition, trashed_condition};
use crate::error::Error;
use crate::graph::{CascadesTo, HasBatchColumn};
use crate::hook_context::DynHooks;
use crate::session::{BoxFuture, ErasedConnection, HookConnection};
use crate::values::Stamp;

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

fn columns(identity: &Identity) -> Vec<DynIden> {
    identity.iter().cloned().collect()
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
            .add(active_condition::<C>()))
    }

    fn stamp_children(&self, stamp: &Stamp, backend: DbBackend) -> Result<UpdateStatement, Error> {
        let batch = stamp.batch.unwrap_or_default();
        let mut update = Query::update();
        update
            .table(C::default())
            .cond_where(self.stamp_condition(batch, backend)?);
        set_trashed::<C>(&mut update, stamp);
        Ok(update)
    }

    fn touches(&self) -> bool {
        C::touch_value(DateTime::<Utc>::default()).is_some()
    }

    fn parent_touches(&self) -> bool {
        P::touch_value(DateTime::<Utc>::default()).is_some()
    }

    fn restore_condition(
        &self,
        parents: Option<Condition>,
        backend: DbBackend,
    ) -> Result<Condition, Error> {
        let (mut parent_columns, mut child_columns) = self.link()?;
        let (Some(parent_batch), Some(child_batch)) = (P::batch_column(), C::batch_column()) else {
            return Err(Error::InvalidCascade(format!(
                "`{}` has no batch column",
                self.child_table()
            )));
        };
        parent_columns.push(parent_batch.into_iden());
        child_columns.push(child_batch.into_iden());
        // MariaDB materialises the derived table `portable` wraps `IN (subquery)` in, and even
        // unwrapped, the row-value `IN` was slower there than a correlated `EXISTS`, which looks
        // each child's parent up by its key (S4b in `BENCHMARKS.md`). A self-reference, or two
        // entities on one table, keep the derived table: in an `EXISTS` on the same table the
        // child's table name would name the subquery's own row.
        let same_table = P::default().table_name() == C::default().table_name();
        if backend == DbBackend::MySql && !same_table {
            let mut restored_parent = Query::select();
            restored_parent.expr(Expr::val(1)).from(P::default());
            match parents {
                Some(parents) => restored_parent.cond_where(parents),
                None => restored_parent.and_where(active_condition::<P>()),
            };
            restored_parent.and_where(batch_of::<P>().is_not_null());
            for (parent, child) in parent_columns.iter().zip(&child_columns) {
                restored_parent.and_where(
                    Expr::col((P::default().into_iden(), parent.clone()))
                        .equals((C::default().into_iden(), child.clone())),
                );
            }
            return Ok(Condition::all()
                .add(trashed_condition::<C>())
                .add(Expr::exists(restored_parent)));
        }
        let mut restored_parents = Query::select();
        for column in &parent_columns {
            restored_parents.column((P::default().into_iden(), column.clone()));
        }
        restored_parents.from(P::default());
        match parents {
            Some(parents) => restored_parents.cond_where(parents),
            None => restored_parents.and_where(active_condition::<P>()),
        };
        restored_parents.and_where(batch_of::<P>().is_not_null());
        let restored_parents = portable(restored_parents, &parent_columns, backend);
        Ok(Condition::all()
            .add(trashed_condition::<C>())
            .add(in_subquery(
                C::default().into_iden(),
                &child_columns,
                restored_parents,
            )))
    }

    fn restore_children(
        &self,
        parents: Option<Condition>,
        at: Option<DateTime<Utc>>,
        clear_batch: bool,
        backend: DbBackend,
    ) -> Result<UpdateStatement, Error> {
        let mut update = Query::update();
        update
            .table(C::default())
            .cond_where(self.restore_condition(parents, backend)?);
        set_restored::<C>(&mut update, clear_batch, at);
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
            .cond_where(parent)
            .and_where(trashed_condition::<P>());
        set_restored::<P>(&mut update, true, at);
        update
    }

    fn trashed_parents(&self) -> Condition {
        Condition::all().add(trashed_condition::<P>())
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
                    let parents = self.parent_lock(child, exclusive, backend)?;
                    db.execute(backend.build(&parents)).await?;
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

    fn parent_lock(
        &self,
        child: Condition,
        exclusive: bool,
        backend: DbBackend,
    ) -> Result<SelectStatement, Error> {
        let mut parents = Query::select();
        parents
            .expr(Expr::val(1))
            .from(P::default())
            .cond_where(self.parents_of(child, backend)?);
        if exclusive {
            parents.lock_exclusive();
        } else {
            parents.lock_shared();
        }
        Ok(parents)
    }

    fn child_conflict_statements(&self, rows: Condition, backend: DbBackend) -> Vec<Statement> {
        conflict::check_statements::<C>(rows, backend)
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
