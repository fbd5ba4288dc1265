//! Force delete: the rows matching some filters for good, their descendants first so that
//! foreign keys never block it and nothing is left dangling; a tree's nodes deepest level first.

use std::any::TypeId;
use std::borrow::Cow;

use sea_orm::sea_query::{Condition, DeleteStatement};
use sea_orm::{ConnectionTrait, DbBackend};

use crate::edge::CascadeEdge;
use crate::engine::statements::delete_statement;
use crate::engine::steps::{Down, Hooked};
use crate::entity::SoftDeleteEntity;
use crate::error::Error;
use crate::graph::{Graph, reached_before_parent};
use crate::hook_context::{HookPoint, Origin};
use crate::values::{CascadeCounts, Changed, Filters, add_count};

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
    root.run(db, HookPoint::BeforeForceDelete, None).await?;
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
    root.run(db, HookPoint::AfterForceDelete, Some(rows))
        .await?;
    Ok(Changed { rows, cascaded })
}

/// How deep a tree (a self-referencing cascade) may be before the data is taken for a cycle.
const MAX_TREE_DEPTH: usize = 256;

/// The rows of one table that a force delete removes, by tree level (one level unless the table
/// is a tree), and the edges that reach them.
pub(crate) struct Doomed {
    table: TypeId,
    /// The edge into this table, `None` for the operation's own table.
    edge: Option<&'static dyn CascadeEdge>,
    /// The table's self-referencing edge, when it is a tree.
    tree: Option<&'static dyn CascadeEdge>,
    levels: Vec<Condition>,
}

impl Doomed {
    /// The operation's own rows.
    pub(crate) fn root<E: SoftDeleteEntity>(rows: &Filters) -> Vec<Doomed> {
        vec![Doomed {
            table: TypeId::of::<E>(),
            edge: None,
            tree: None,
            levels: vec![rows.condition()],
        }]
    }

    /// Where in `doomed` the parent table of `edge` is.
    pub(crate) fn parent_of(doomed: &[Doomed], edge: &dyn CascadeEdge) -> Result<usize, Error> {
        doomed
            .iter()
            .position(|node| node.table == edge.parent_type())
            .ok_or_else(|| reached_before_parent(edge))
    }

    /// Adds the rows `edge` (not a tree's) reaches from the doomed rows of its parent, at
    /// `parent`; a table reached twice deletes the rows of both paths in one statement.
    pub(crate) fn add_children(
        doomed: &mut Vec<Doomed>,
        parent: usize,
        edge: &'static dyn CascadeEdge,
        backend: DbBackend,
    ) -> Result<(), Error> {
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
                edge: Some(edge),
                tree: None,
                levels: vec![children],
            }),
        }
        Ok(())
    }

    /// The edge through which level `depth` of this table is deleted (a tree's levels below the
    /// first through its own edge) and the statement that deletes it; `None` for the
    /// operation's own rows, which go last.
    pub(crate) fn delete_level(
        &self,
        depth: usize,
    ) -> Option<(&'static dyn CascadeEdge, DeleteStatement)> {
        let edge = if depth > 0 { self.tree } else { self.edge }?;
        Some((edge, edge.delete_children(self.levels[depth].clone())))
    }

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
    let mut doomed = Doomed::root::<E>(rows);
    for edge in &graph.edges {
        let parent = Doomed::parent_of(&doomed, *edge)?;
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
        Doomed::add_children(&mut doomed, parent, *edge, backend)?;
    }
    let mut removed_roots = 0;
    for node in doomed.iter().rev() {
        for (depth, level) in node.levels.iter().enumerate().rev() {
            let Some((edge, statement)) = node.delete_level(depth) else {
                removed_roots = delete_statement::<E>(Cow::Borrowed(rows))
                    .exec(db)
                    .await?
                    .rows_affected;
                continue;
            };
            let keys = down.before_child(db, edge, level.clone()).await?;
            let removed = db.execute(&statement).await?.rows_affected();
            down.after_child(db, edge, &keys, removed).await?;
            add_count(cascaded, edge.child_table(), removed);
        }
    }
    Ok(removed_roots)
}
