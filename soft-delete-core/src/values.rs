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

/// How many rows of each table a cascade changed, in the order the statements ran.
pub type CascadeCounts = Vec<(&'static str, u64)>;

pub(crate) fn add_count(counts: &mut CascadeCounts, table: &'static str, rows: u64) {
    match counts.iter_mut().find(|(name, _)| *name == table) {
        Some((_, total)) => *total += rows,
        None => counts.push((table, rows)),
    }
}

/// Rows the operation changed in its own table, and in each table it cascaded to.
#[derive(Debug, Default)]
pub(crate) struct Changed {
    pub(crate) rows: u64,
    pub(crate) cascaded: CascadeCounts,
}
