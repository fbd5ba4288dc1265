//! Soft delete: the active rows matching some filters and, down the cascade graph, their active
//! descendants, all with one timestamp and one fresh batch id.

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::IntoCondition;
use sea_orm::{ConnectionTrait, Value};

use crate::audit;
use crate::engine::statements::soft_delete_statement;
use crate::engine::steps::{Down, Hooked};
use crate::entity::{SoftDeleteEntity, active_condition};
use crate::error::Error;
use crate::graph::Graph;
use crate::hook_context::{HookPoint, Origin};
use crate::values::{CascadeCounts, Changed, Filters, Stamp};

/// What a soft delete of `E` at `at` writes: a fresh batch id when `E` has a batch column, and
/// the call's actor, else the task's.
pub(crate) fn stamp<E: SoftDeleteEntity>(at: DateTime<Utc>, actor: Option<Value>) -> Stamp {
    Stamp {
        at,
        batch: E::batch_column().map(|_| new_batch_id()),
        actor: audit::operation_actor(actor),
    }
}

/// Trashes the active rows matching `filters` and, down the cascade graph, their active
/// descendants, all with `stamp`'s time, batch and actor.
pub(crate) async fn soft_delete<E, C>(
    db: &C,
    filters: &Filters,
    stamp: &Stamp,
    origin: Origin,
) -> Result<Changed, Error>
where
    E: SoftDeleteEntity,
    C: ConnectionTrait,
{
    let root = Hooked::<E>::lock(
        db,
        filters,
        active_condition::<E>().into_condition(),
        origin,
        Some(stamp.at),
    )
    .await?;
    root.run(db, HookPoint::BeforeSoftDelete, None).await?;
    let mut rows = 0;
    for chunk in root.chunks() {
        rows += soft_delete_statement::<E>(chunk, stamp)
            .exec(db)
            .await?
            .rows_affected;
    }
    let mut cascaded = CascadeCounts::new();
    if let Some(batch) = stamp.batch {
        let graph = Graph::of::<E>()?;
        let backend = db.get_database_backend();
        let down = Down {
            origin: root.cascade_origin(),
            at: Some(stamp.at),
            before: HookPoint::BeforeSoftDelete,
            after: HookPoint::AfterSoftDelete,
            restoring: false,
        };
        for edge in &graph.edges {
            let statement = edge.stamp_children(stamp, backend)?;
            let rows = edge.stamp_condition(batch, backend)?;
            down.run(db, *edge, &statement, rows, &mut cascaded).await?;
        }
    }
    root.run(db, HookPoint::AfterSoftDelete, Some(rows)).await?;
    Ok(Changed { rows, cascaded })
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
