//! Force delete: the rows matching some filters for good, their descendants first so that
//! foreign keys never block it and nothing is left dangling; a tree's nodes deepest level first.

use std::any::TypeId;
use std::borrow::Cow;

use sea_orm::sea_query::{Condition, DeleteStatement, Expr, Query, ValueTuple};
use sea_orm::{ConnectionTrait, DbBackend};

use crate::edge::CascadeEdge;
use crate::engine::reads::locked_keys;
use crate::engine::statements::delete_statement;
use crate::engine::steps::{Down, Hooked};
use crate::entity::SoftDeleteEntity;
use crate::error::Error;
use crate::graph::{Graph, reached_before_parent};
use crate::hook_context::{HookPoint, Origin};
use crate::keys;
use crate::values::{CascadeCounts, Changed, Filters};

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
    // Hooks hear of each root row once: not again when it is also a node below another root
    // row of the same tree, where it is deleted (deepest level first).
    let told = RootKeys::new(root.keys(), TypeId::of::<E>());
    let mut rows = 0;
    let mut cascaded = CascadeCounts::new();
    for chunk in root.chunks() {
        rows += force_delete_rows::<E, _>(db, &graph, &chunk, &down, &told, &mut cascaded).await?;
    }
    root.run(db, HookPoint::AfterForceDelete, Some(rows))
        .await?;
    Ok(Changed { rows, cascaded })
}

/// The keys of a force delete's own rows, when its hooks read them.
struct RootKeys {
    table: TypeId,
    sorted: Vec<String>,
}

impl RootKeys {
    fn new(keys: Option<&[ValueTuple]>, table: TypeId) -> Self {
        let mut sorted: Vec<String> = keys
            .unwrap_or_default()
            .iter()
            .map(|key| format!("{key:?}"))
            .collect();
        sorted.sort_unstable();
        RootKeys { table, sorted }
    }

    fn contains(&self, key: &ValueTuple) -> bool {
        self.sorted.binary_search(&format!("{key:?}")).is_ok()
    }
}

/// The most bind parameters one statement may carry on `backend`.
fn bind_limit(backend: DbBackend) -> usize {
    match backend {
        DbBackend::Sqlite => 32_766,
        _ => 65_535,
    }
}

/// How many bind parameters a statement filtered by `condition` carries.
fn binds_of(condition: &Condition, backend: DbBackend) -> usize {
    let select = Query::select()
        .expr(Expr::val(1))
        .cond_where(condition.clone())
        .to_owned();
    backend
        .build(&select)
        .values
        .map_or(0, |values| values.0.len())
}

/// Force-deletes `rows` and their descendants. Each tree level's condition names the rows
/// above it again, so a deep tree multiplies the root rows' bind parameters: when a statement
/// would carry more than the backend takes, the rows are named by their keys, in halves, until
/// every statement fits. Nothing is deleted before the halving is decided.
async fn force_delete_rows<E, C>(
    db: &C,
    graph: &Graph,
    rows: &Filters,
    down: &Down,
    told: &RootKeys,
    cascaded: &mut CascadeCounts,
) -> Result<u64, Error>
where
    E: SoftDeleteEntity,
    C: ConnectionTrait,
{
    if let Some(doomed) = plan_subtree::<E, _>(db, graph, rows).await? {
        return delete_subtree::<E, _>(db, doomed, rows, down, told, cascaded).await;
    }
    let backend = db.get_database_backend();
    let keys = locked_keys::<E>(rows.condition(), db).await?;
    if keys.len() < 2 {
        return Err(Error::InvalidCascade(format!(
            "the cascade below one `{}` row needs more than {} bind parameters in one statement",
            E::default().table_name(),
            bind_limit(backend)
        )));
    }
    let (first, second) = keys.split_at(keys.len() / 2);
    let mut removed = 0;
    for half in [first, second] {
        let half = Filters::new().with(keys::keys_condition::<E>(half, backend));
        removed += Box::pin(force_delete_rows::<E, _>(
            db, graph, &half, down, told, cascaded,
        ))
        .await?;
    }
    Ok(removed)
}

/// The rows of every table that deleting `rows` removes, parents before children; `None` when
/// a statement would carry more bind parameters than the backend takes.
async fn plan_subtree<E, C>(
    db: &C,
    graph: &Graph,
    rows: &Filters,
) -> Result<Option<Vec<Doomed>>, Error>
where
    E: SoftDeleteEntity,
    C: ConnectionTrait,
{
    let backend = db.get_database_backend();
    let limit = bind_limit(backend);
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
                if binds_of(&level, backend) > limit {
                    return Ok(None);
                }
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
    Doomed::in_graph_order(&mut doomed, graph);
    let fits = doomed.iter().all(|node| {
        (0..node.levels.len()).all(|depth| {
            node.delete_level(depth).is_none_or(|(_, delete)| {
                backend
                    .build(&delete)
                    .values
                    .map_or(0, |values| values.0.len())
                    <= limit
            }) && binds_of(&node.levels[depth], backend) <= limit
        })
    });
    Ok(fits.then_some(doomed))
}

/// Deletes what [`plan_subtree`] found, the deepest table and tree level first.
async fn delete_subtree<E, C>(
    db: &C,
    doomed: Vec<Doomed>,
    rows: &Filters,
    down: &Down,
    told: &RootKeys,
    cascaded: &mut CascadeCounts,
) -> Result<u64, Error>
where
    E: SoftDeleteEntity,
    C: ConnectionTrait,
{
    let mut removed_roots = 0;
    for node in doomed.iter().rev() {
        for (depth, level) in node.levels.iter().enumerate().rev() {
            let Some((edge, statement)) = node.delete_level(depth) else {
                removed_roots += delete_statement::<E>(Cow::Borrowed(rows))
                    .exec(db)
                    .await?
                    .rows_affected;
                continue;
            };
            let keys = down
                .before_child_except(db, edge, level.clone(), |key| {
                    node.table == told.table && told.contains(key)
                })
                .await?;
            let removed = db.execute(&statement).await?.rows_affected();
            // Root rows deleted at their depth in the tree are the operation's own rows.
            let roots_here = keys.already_told;
            removed_roots += roots_here;
            down.after_child(db, edge, &keys.told, removed - roots_here)
                .await?;
            cascaded.add(edge.child_table(), removed - roots_here);
        }
    }
    Ok(removed_roots)
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

    /// Sorts `doomed` as the graph orders its tables, every parent before its children, so
    /// that deleting from the end never removes a row a child row still refers to: a table
    /// reached along two paths (`A -> C` and `A -> B -> D -> C`) comes after `D`, not where it
    /// was first reached.
    pub(crate) fn in_graph_order(doomed: &mut [Doomed], graph: &Graph) {
        doomed.sort_by_key(|node| graph.position(node.table));
    }

    fn all(&self) -> Condition {
        self.levels
            .iter()
            .fold(Condition::any(), |any, level| any.add(level.clone()))
    }
}
