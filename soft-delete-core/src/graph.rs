//! The cascade graph: which entity cascades to which, found from the edges each entity declares
//! and from the parents registered at link time, in the order the engine walks it.

use std::any::TypeId;
use std::collections::HashMap;

use sea_orm::{EntityTrait, Related};

use crate::edge::CascadeEdge;
use crate::entity::SoftDeleteEntity;
use crate::error::Error;
use crate::memo::Memo;

/// The batch column of an entity that takes part in a cascade graph: `Option<i64>`, marked
/// `#[soft_delete(batch)]` or named `deleted_batch`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be in a cascade graph: it needs `#[derive(SoftDelete)]` and a batch column",
    label = "not a soft-deletable entity with a batch column",
    note = "derive `SoftDelete` on its `Model` and add `#[soft_delete(batch)] pub deleted_batch: Option<i64>` (and the column to its table)"
)]
pub trait HasBatchColumn: SoftDeleteEntity {}

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

/// The edges reachable from a root entity, ordered so that every edge comes after all edges
/// into its parent, and a parent's self-referencing edge before its other edges.
pub(crate) struct Graph {
    pub(crate) edges: Vec<&'static dyn CascadeEdge>,
    /// The tables, every parent before its children (the root first): a table reached along
    /// two paths (`A -> C` and `A -> B -> D -> C`) comes after every parent on either.
    pub(crate) tables: Vec<TypeId>,
}

/// The error of an edge walked before the edges into its parent. The graph's order puts every
/// edge after those; anything else is a bug, and going on without the parent's condition would
/// change the whole child table.
pub(crate) fn reached_before_parent(edge: &dyn CascadeEdge) -> Error {
    Error::InvalidCascade(format!(
        "`{}` was reached before its parent `{}`",
        edge.child_table(),
        edge.parent_table()
    ))
}

impl Graph {
    /// Whether a table of the graph is a tree (a self-referencing edge).
    pub(crate) fn has_tree(&self) -> bool {
        self.edges.iter().any(|edge| edge.is_self_referencing())
    }

    /// `E`'s graph, worked out once per entity: it depends only on declarations, and every
    /// operation asks for it.
    pub(crate) fn of<E: SoftDeleteEntity>() -> Result<Self, Error> {
        type Cached = (Vec<&'static dyn CascadeEdge>, Vec<TypeId>);
        static GRAPHS: Memo<TypeId, Cached> = Memo::new();
        let key = TypeId::of::<E>();
        if let Some((edges, tables)) = GRAPHS.get(&key) {
            return Ok(Graph { edges, tables });
        }
        // An invalid graph is an error every time, never cached.
        let graph = Self::work_out::<E>()?;
        GRAPHS.insert(key, (graph.edges.clone(), graph.tables.clone()));
        Ok(graph)
    }

    fn work_out<E: SoftDeleteEntity>() -> Result<Self, Error> {
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
        Ok(Graph {
            edges,
            tables: order,
        })
    }

    /// Where `table` comes in [`Graph::tables`]; tables outside the graph come last.
    pub(crate) fn position(&self, table: TypeId) -> usize {
        self.tables
            .iter()
            .position(|known| *known == table)
            .unwrap_or(usize::MAX)
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
    // In reverse, so that the order (this walk's finishing order, reversed) keeps the
    // declaration order of tables that do not depend on each other.
    for edge in edges.into_iter().rev() {
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
