//! The statements an operation sends, listed before it runs: what the builders' `statements()`
//! return. Each planner walks the graph as the engine does and takes every statement from the
//! same builders the engine sends ([`statements`](crate::engine::statements), the edges, the
//! checks), so that the list is the one `exec` sends on a successful run; a test compares the
//! two, statement by statement, for every shape and backend.
//!
//! A plan exists only where the statements do not depend on the data: with hooks the writes
//! name the keys read at run time, a force delete of a tree probes its depth, a restore on MySQL
//! and MariaDB locks the cascade parents by the keys it reads, `with_ancestors()` climbs as far
//! as the trashed ancestors go, and `clock = database` writes the time it reads. Those refuse
//! with [`Error::StatementsDependOnData`]. A tree's statements are listed once: `exec` sends them
//! again, in the same order, until they change no row (one tree level per run).

use std::any::TypeId;
use std::borrow::Cow;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Condition;
use sea_orm::{DbBackend, QueryTrait, Statement};

use crate::clock::ClockSource;
use crate::edge::CascadeEdge;
use crate::engine::conflict;
use crate::engine::force_delete::Doomed;
use crate::engine::restore::{orphans_of, restore_levels};
use crate::engine::statements::{
    clear_batches, delete_statement, restore_statement, soft_delete_statement,
};
use crate::entity::{SoftDeleteEntity, trashed_condition};
use crate::error::Error;
use crate::graph::{Graph, parent_edges};
use crate::values::{Filters, Stamp};

/// What makes the statements of an operation named `operation` on `E` depend on the data.
fn data_dependence<E: SoftDeleteEntity>(
    operation: &'static str,
    graph: &Graph,
    reason: Option<&'static str>,
) -> Result<(), Error> {
    let hooked =
        E::hooks().is_some() || graph.edges.iter().any(|edge| edge.child_hooks().is_some());
    let reason = if hooked {
        Some("hooks read the rows' keys first, and the writes name those keys")
    } else {
        reason
    };
    match reason {
        None => Ok(()),
        Some(reason) => Err(Error::StatementsDependOnData {
            operation,
            table: E::default().table_name(),
            reason,
        }),
    }
}

/// A soft delete of the rows matching `filters` with `stamp`: the operation's own `UPDATE`,
/// then one per edge of the cascade graph.
pub(crate) fn soft_delete<E: SoftDeleteEntity>(
    operation: &'static str,
    filters: &Filters,
    stamp: &Stamp,
    backend: DbBackend,
) -> Result<Vec<Statement>, Error> {
    let graph = Graph::of::<E>()?;
    data_dependence::<E>(operation, &graph, None)?;
    let mut statements =
        vec![soft_delete_statement::<E>(Cow::Borrowed(filters), stamp).build(backend)];
    for edge in &graph.edges {
        statements.push(backend.build(&edge.stamp_children(stamp, backend)?));
    }
    Ok(statements)
}

/// A restore of the trashed rows matching `filters` at `at` (the time a `touch` column gets,
/// given by the caller when `explicit_at`):
/// the parents' locks and checks, the unique-key checks, the operation's own `UPDATE`, each
/// edge's checks and `UPDATE`, and the statements that clear the batches of active rows.
pub(crate) fn restore<E: SoftDeleteEntity>(
    operation: &'static str,
    filters: &Filters,
    with_ancestors: bool,
    at: Option<DateTime<Utc>>,
    explicit_at: bool,
    backend: DbBackend,
) -> Result<Vec<Statement>, Error> {
    let graph = Graph::of::<E>()?;
    let parents = parent_edges(TypeId::of::<E>());
    let reason = if with_ancestors {
        Some("with_ancestors() climbs as far as the trashed ancestors go")
    } else if backend == DbBackend::MySql && !parents.is_empty() {
        Some("on MySQL and MariaDB the cascade parents are locked by the keys read first")
    } else if E::CLOCK == ClockSource::Database && at.is_some() && !explicit_at {
        Some("the time its `touch` columns get is read from the database")
    } else {
        None
    };
    data_dependence::<E>(operation, &graph, reason)?;
    let restored = filters.condition().add(trashed_condition::<E>());
    let mut statements = Vec::new();
    for edge in &parents {
        if backend == DbBackend::Postgres {
            let lock =
                edge.parent_lock(filters.condition(), edge.is_self_referencing(), backend)?;
            statements.push(backend.build(&lock));
        }
        statements.push(orphans_of::<E>(*edge, &restored, backend)?.build(backend));
    }
    statements.extend(conflict::check_statements::<E>(restored, backend));
    statements
        .push(restore_statement::<E>(Cow::Borrowed(filters), graph.is_empty(), at).build(backend));
    if !graph.is_empty() && !graph.has_tree() {
        for level in restore_levels::<E>(&graph, backend)?.iter().rev() {
            statements.extend(
                level
                    .edge
                    .child_conflict_statements(level.rows.clone(), backend),
            );
            let update =
                level
                    .edge
                    .restore_children(Some(level.parents.clone()), at, true, backend)?;
            statements.push(backend.build(&update));
        }
    } else if !graph.is_empty() {
        let is_leaf = |edge: &&dyn CascadeEdge| edge.child_edges().is_empty();
        for edge in &graph.edges {
            let rows: Condition = edge.restore_condition(None, backend)?;
            statements.extend(edge.child_conflict_statements(rows, backend));
            let update = edge.restore_children(None, at, is_leaf(edge), backend)?;
            statements.push(backend.build(&update));
        }
        statements.push(backend.build(&clear_batches::<E>()));
        let mut cleared = vec![TypeId::of::<E>()];
        for edge in &graph.edges {
            if !is_leaf(edge) && !cleared.contains(&edge.child_type()) {
                cleared.push(edge.child_type());
                statements.push(backend.build(&edge.clear_child_batches()));
            }
        }
    }
    Ok(statements)
}

/// A force delete of the rows matching `filters`: the descendants' `DELETE`s, deepest table
/// first, then the operation's own.
pub(crate) fn force_delete<E: SoftDeleteEntity>(
    operation: &'static str,
    filters: &Filters,
    backend: DbBackend,
) -> Result<Vec<Statement>, Error> {
    let graph = Graph::of::<E>()?;
    let tree = graph
        .edges
        .iter()
        .any(|edge| edge.is_self_referencing())
        .then_some("a tree's depth decides how many levels it deletes");
    data_dependence::<E>(operation, &graph, tree)?;
    let mut doomed = Doomed::root::<E>(filters);
    for edge in &graph.edges {
        let parent = Doomed::parent_of(&doomed, *edge)?;
        Doomed::add_children(&mut doomed, parent, *edge, backend)?;
    }
    Doomed::in_graph_order(&mut doomed, &graph);
    let mut statements: Vec<Statement> = doomed
        .iter()
        .rev()
        .filter_map(|node| node.delete_level(0))
        .map(|(_, delete)| backend.build(&delete))
        .collect();
    statements.push(delete_statement::<E>(Cow::Borrowed(filters)).build(backend));
    Ok(statements)
}
