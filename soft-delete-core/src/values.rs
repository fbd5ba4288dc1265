//! The plain values an operation carries from its builder to the engine: the filters that pick
//! its rows, the stamp it writes, and the rows it changed.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, IntoCondition};
use sea_orm::{QueryFilter, Value};

/// The conditions a builder accumulates with `filter`, all of which must hold. Kept one by one,
/// as SeaORM's own `filter` adds them, so that a statement gets them as hand-written SeaORM
/// code would, not nested in one more condition.
#[derive(Clone, Debug, Default)]
pub(crate) struct Filters(Vec<Condition>);

impl Filters {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    pub(crate) fn with<F: IntoCondition>(mut self, filter: F) -> Self {
        self.add(filter);
        self
    }

    pub(crate) fn add<F: IntoCondition>(&mut self, filter: F) {
        self.0.push(filter.into_condition());
    }

    /// Adds the conditions to `query`, as its `filter` would, moved rather than copied when
    /// they are owned; none at all adds no `WHERE TRUE`. In place: moving the query through
    /// `filter` copied it once per condition.
    pub(crate) fn apply<Q: QueryFilter>(filters: Cow<'_, Filters>, query: &mut Q) {
        for condition in filters.into_owned().0 {
            query.filter_mut(condition);
        }
    }

    pub(crate) fn condition(&self) -> Condition {
        self.0
            .iter()
            .cloned()
            .fold(Condition::all(), Condition::add)
    }
}

/// What a soft delete writes besides the rows it picks: one time, one batch, one actor.
/// Public only because the erased `CascadeEdge` trait names it.
#[doc(hidden)]
#[derive(Clone, Debug)]
pub struct Stamp {
    pub(crate) at: DateTime<Utc>,
    /// The operation's batch id, written where the table has a batch column.
    pub(crate) batch: Option<i64>,
    pub(crate) actor: Option<Value>,
}

/// How many rows of each other table an operation changed (cascaded children, restored
/// ancestors), each table once, in the order the operation first wrote to it: parents before
/// children for a soft delete or restore, the deepest table first for a force delete.
///
/// ```
/// # use soft_delete_core::CascadeCounts;
/// let none = CascadeCounts::new();
/// assert_eq!((none.total(), none.get("review"), none.is_empty()), (0, 0, true));
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct CascadeCounts(Vec<(&'static str, u64)>);

/// As the list it is: `[("review", 8), ("item_label", 4)]`.
impl std::fmt::Debug for CascadeCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.0).finish()
    }
}

impl CascadeCounts {
    /// No rows in any table.
    pub fn new() -> Self {
        Self::default()
    }

    /// The rows changed in `table` (0 for a table the operation did not reach).
    pub fn get(&self, table: &str) -> u64 {
        self.0
            .iter()
            .find(|(name, _)| *name == table)
            .map_or(0, |(_, rows)| *rows)
    }

    /// The rows changed in every table together.
    pub fn total(&self) -> u64 {
        self.0.iter().map(|(_, rows)| rows).sum()
    }

    /// Whether the operation changed no row of another table.
    pub fn is_empty(&self) -> bool {
        self.total() == 0
    }

    /// Each table with its rows, in the order the operation first wrote to it.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        self.0.iter().copied()
    }

    /// Adds `rows` to `table`'s count.
    pub(crate) fn add(&mut self, table: &'static str, rows: u64) {
        match self.0.iter_mut().find(|(name, _)| *name == table) {
            Some((_, total)) => *total += rows,
            None => self.0.push((table, rows)),
        }
    }
}

impl<'a> IntoIterator for &'a CascadeCounts {
    type Item = (&'static str, u64);
    type IntoIter = std::iter::Copied<std::slice::Iter<'a, (&'static str, u64)>>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().copied()
    }
}

/// Compares with a list of `(table, rows)` in order, as tests write what they expect.
impl<const N: usize> PartialEq<[(&str, u64); N]> for CascadeCounts {
    fn eq(&self, expected: &[(&str, u64); N]) -> bool {
        self.0.len() == N
            && self
                .0
                .iter()
                .zip(expected)
                .all(|(a, b)| a.0 == b.0 && a.1 == b.1)
    }
}

/// Rows the operation changed in its own table, and in each table it cascaded to.
#[derive(Debug, Default)]
pub(crate) struct Changed {
    pub(crate) rows: u64,
    pub(crate) cascaded: CascadeCounts,
}
