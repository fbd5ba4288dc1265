//! Concurrent storms on PostgreSQL and MariaDB: tasks sharing a connection pool hammer the
//! same rows with soft deletes, restores and active-only updates; afterwards every row's state
//! must be explained by the calls that reported a change. (SQLite serialises writers on its
//! single connection, so a storm there proves nothing.)

use std::collections::HashMap;
use std::time::Instant;

use crate::common::entities::product;
use crate::common::{Backend, TestDb};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ExprTrait, QueryFilter, Set};

const ROWS: i32 = 16;
const TASKS: u64 = 8;
const OPS_PER_TASK: u64 = 150;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    Delete,
    Restore,
    Update,
}

/// What one call reported.
#[derive(Debug)]
struct Outcome {
    id: i32,
    action: Action,
    changed: bool,
    at: DateTime<Utc>,
}

async fn task(conn: crate::common::Conn, ids: Vec<i32>, task: u64) -> Vec<Outcome> {
    let base = Utc
        .with_ymd_and_hms(2026, 9, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    let mut seed = task
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    let mut outcomes = Vec::new();
    for step in 0..OPS_PER_TASK {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let id = ids[(seed >> 33) as usize % ids.len()];
        let action = [Action::Delete, Action::Restore, Action::Update][(seed >> 20) as usize % 3];
        // A distinct timestamp per call, so a stored one names the call that wrote it.
        let at = base + TimeDelta::microseconds((task * OPS_PER_TASK + step) as i64);
        let changed = match action {
            Action::Delete => product::Entity::soft_delete_many()
                .filter(product::Column::Id.eq(id))
                .at(at)
                .exec(&conn)
                .await
                .map(|r| r.rows_affected),
            Action::Restore => product::Entity::restore_many()
                .filter(product::Column::Id.eq(id))
                .exec(&conn)
                .await
                .map(|r| r.rows_affected),
            Action::Update => product::Entity::update_many_active()
                .col_expr(
                    product::Column::Price,
                    Expr::col(product::Column::Price).add(1),
                )
                .filter(product::Column::Id.eq(id))
                .exec(&conn)
                .await
                .map(|r| r.rows_affected)
                .map_err(soft_delete_core::Error::from),
        }
        .expect("no call fails under contention");
        assert!(changed <= 1, "a by-id call changed {changed} rows");
        outcomes.push(Outcome {
            id,
            action,
            changed: changed == 1,
            at,
        });
    }
    outcomes
}

async fn storm(backend: Backend) {
    let db = TestDb::new(backend).await;
    db.create::<product::Entity>().await;
    let mut ids = Vec::new();
    for _ in 0..ROWS {
        let row = product::ActiveModel {
            name: Set("p".into()),
            price: Set(0),
            ..Default::default()
        }
        .insert(&db.conn)
        .await
        .expect("insert");
        ids.push(row.id);
    }
    let started = Instant::now();
    let handles: Vec<_> = (0..TASKS)
        .map(|t| tokio::spawn(task(db.conn.clone(), ids.clone(), t)))
        .collect();
    let mut outcomes = Vec::new();
    for handle in handles {
        outcomes.extend(handle.await.expect("task"));
    }
    let elapsed = started.elapsed();

    let rows: HashMap<i32, product::Model> = product::Entity::all_objects()
        .all(&db.conn)
        .await
        .expect("read")
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    assert_eq!(rows.len(), ROWS as usize, "no row lost");
    let mut changes = 0;
    for id in &ids {
        let row = &rows[id];
        let effective = |action| {
            outcomes
                .iter()
                .filter(|o| o.id == *id && o.action == action && o.changed)
                .count()
        };
        let (deletes, restores, updates) = (
            effective(Action::Delete),
            effective(Action::Restore),
            effective(Action::Update),
        );
        changes += deletes + restores;
        assert_eq!(
            deletes - restores,
            usize::from(row.is_deleted()),
            "row {id}: every delete that reported a change was undone by one restore, or is the current state"
        );
        assert_eq!(
            row.price, updates as i64,
            "row {id}: every reported update happened, to an active row"
        );
        if let Some(deleted_at) = row.deleted_at {
            assert!(
                outcomes.iter().any(|o| o.id == *id
                    && o.action == Action::Delete
                    && o.changed
                    && o.at == deleted_at),
                "row {id}: its timestamp {deleted_at} was returned by a delete that reported the change"
            );
        }
    }
    let calls = outcomes.len();
    println!(
        "storm on {backend:?}: {calls} calls from {TASKS} tasks in {elapsed:.2?} ({:.0} calls/s), {changes} state changes, 0 violations",
        calls as f64 / elapsed.as_secs_f64()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(soft_delete_test_postgres),
    ignore = "set SOFT_DELETE_TEST_POSTGRES_URL to run"
)]
async fn postgres_storm_keeps_every_invariant() {
    storm(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(soft_delete_test_mariadb),
    ignore = "set SOFT_DELETE_TEST_MARIADB_URL to run"
)]
async fn mariadb_storm_keeps_every_invariant() {
    storm(Backend::MariaDb).await;
}
