//! Model-based property tests: random sequences of operations run against a database and a
//! reference model in plain Rust; after every step the whole table must equal the model.
//! A failure shrinks to a minimal sequence of operations, printed with `Debug`.
//!
//! `SOFT_DELETE_PROPTEST_CASES` sets the number of sequences per backend (default 24).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::common::entities::product;
use crate::common::{Backend, TestDb};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, ExprTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};
use soft_delete_core::{Error, RestoreOne, SoftDeleteOne};

#[derive(Clone, Debug)]
enum Op {
    Insert {
        price: i64,
    },
    SoftDeleteById {
        slot: usize,
    },
    RestoreById {
        slot: usize,
    },
    /// An instance operation from the copy read at insert time, however stale it is now.
    SoftDeleteStale {
        slot: usize,
    },
    RestoreStale {
        slot: usize,
    },
    BulkSoftDelete {
        below: i64,
    },
    BulkRestore {
        below: i64,
    },
    UpdateActive {
        below: i64,
        add: i64,
    },
    ForceDelete {
        slot: usize,
    },
    Purge {
        age_secs: i64,
    },
    Transaction {
        ops: Vec<Op>,
        commit: bool,
    },
}

fn simple_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0i64..100).prop_map(|price| Op::Insert { price }),
        2 => (0usize..8).prop_map(|slot| Op::SoftDeleteById { slot }),
        2 => (0usize..8).prop_map(|slot| Op::RestoreById { slot }),
        1 => (0usize..8).prop_map(|slot| Op::SoftDeleteStale { slot }),
        1 => (0usize..8).prop_map(|slot| Op::RestoreStale { slot }),
        1 => (0i64..100).prop_map(|below| Op::BulkSoftDelete { below }),
        1 => (0i64..100).prop_map(|below| Op::BulkRestore { below }),
        1 => (0i64..100, 1i64..5).prop_map(|(below, add)| Op::UpdateActive { below, add }),
        1 => (0usize..8).prop_map(|slot| Op::ForceDelete { slot }),
        1 => (0i64..20).prop_map(|age_secs| Op::Purge { age_secs }),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        9 => simple_op(),
        1 => (prop::collection::vec(simple_op(), 1..5), any::<bool>()).prop_map(|(ops, commit)| Op::Transaction { ops, commit }),
    ]
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Row {
    price: i64,
    deleted_at: Option<DateTime<Utc>>,
}

/// The reference: what the table must hold.
#[derive(Clone, Debug, Default)]
struct Model {
    rows: BTreeMap<i32, Row>,
    /// Every row ever inserted, with the copy read then, in insertion order.
    inserted: Vec<product::Model>,
}

fn at(step: usize) -> DateTime<Utc> {
    let base = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    base + TimeDelta::seconds(step as i64)
        + TimeDelta::microseconds(step as i64 * 1_001 % 1_000_000)
}

fn fail(message: String) -> TestCaseError {
    TestCaseError::fail(message)
}

/// Applies `op` to the database through `db` and to `model`, checking what the call returns.
async fn apply<C>(
    op: &Op,
    db: &C,
    model: &mut Model,
    now: DateTime<Utc>,
) -> Result<(), TestCaseError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let slot_of = |slot: usize| {
        model
            .inserted
            .get(slot % model.inserted.len().max(1))
            .cloned()
    };
    match op {
        Op::Insert { price } => {
            let row = product::ActiveModel {
                name: Set("p".into()),
                price: Set(*price),
                ..Default::default()
            }
            .insert(db)
            .await
            .map_err(|e| fail(format!("insert: {e}")))?;
            model.rows.insert(
                row.id,
                Row {
                    price: *price,
                    deleted_at: None,
                },
            );
            model.inserted.push(row);
        }
        Op::SoftDeleteById { slot } | Op::SoftDeleteStale { slot } => {
            let Some(copy) = slot_of(*slot) else {
                return Ok(());
            };
            let result = match op {
                Op::SoftDeleteById { .. } => {
                    product::Entity::soft_delete_by_id(copy.id)
                        .at(now)
                        .exec(db)
                        .await
                }
                _ => {
                    SoftDeleteOne::<product::Entity>::of(&copy)
                        .at(now)
                        .exec(db)
                        .await
                }
            };
            check_one(result, model, copy.id, |row| {
                if row.deleted_at.is_none() {
                    row.deleted_at = Some(now);
                }
            })?;
        }
        Op::RestoreById { slot } | Op::RestoreStale { slot } => {
            let Some(copy) = slot_of(*slot) else {
                return Ok(());
            };
            let result = match op {
                Op::RestoreById { .. } => product::Entity::restore_by_id(copy.id).exec(db).await,
                _ => RestoreOne::<product::Entity>::of(&copy).exec(db).await,
            };
            check_one(result, model, copy.id, |row| row.deleted_at = None)?;
        }
        Op::BulkSoftDelete { below } => {
            let result = product::Entity::soft_delete_many()
                .filter(product::Column::Price.lt(*below))
                .at(now)
                .exec(db)
                .await
                .map_err(|e| fail(format!("bulk soft delete: {e}")))?;
            let changed = change_all(
                model,
                |row| row.price < *below && row.deleted_at.is_none(),
                |row| row.deleted_at = Some(now),
            );
            prop_assert_eq!(result.rows_affected, changed);
        }
        Op::BulkRestore { below } => {
            let result = product::Entity::restore_many()
                .filter(product::Column::Price.lt(*below))
                .exec(db)
                .await
                .map_err(|e| fail(format!("bulk restore: {e}")))?;
            let changed = change_all(
                model,
                |row| row.price < *below && row.deleted_at.is_some(),
                |row| row.deleted_at = None,
            );
            prop_assert_eq!(result.rows_affected, changed);
        }
        Op::UpdateActive { below, add } => {
            let result = product::Entity::update_many_active()
                .col_expr(
                    product::Column::Price,
                    Expr::col(product::Column::Price).add(*add),
                )
                .filter(product::Column::Price.lt(*below))
                .exec(db)
                .await
                .map_err(|e| fail(format!("update active: {e}")))?;
            let changed = change_all(
                model,
                |row| row.price < *below && row.deleted_at.is_none(),
                |row| row.price += add,
            );
            prop_assert_eq!(result.rows_affected, changed);
        }
        Op::ForceDelete { slot } => {
            let Some(copy) = slot_of(*slot) else {
                return Ok(());
            };
            let result = product::Entity::force_delete_by_id(copy.id).exec(db).await;
            match (result, model.rows.remove(&copy.id)) {
                (Ok(()), Some(_)) | (Err(Error::RowNotFound { .. }), None) => {}
                (result, expected) => {
                    return Err(fail(format!(
                        "force delete: {result:?}, model had {expected:?}"
                    )));
                }
            }
        }
        Op::Purge { age_secs } => {
            let cutoff = now - TimeDelta::seconds(*age_secs);
            let done = product::Entity::purge_trash(cutoff)
                .batch_size(3)
                .exec(db)
                .await
                .map_err(|e| fail(format!("purge: {e}")))?;
            let before = model.rows.len();
            model
                .rows
                .retain(|_, row| row.deleted_at.is_none_or(|at| at >= cutoff));
            prop_assert_eq!(done.rows_removed, (before - model.rows.len()) as u64);
        }
        Op::Transaction { ops, commit } => {
            let txn = db.begin().await.map_err(|e| fail(format!("begin: {e}")))?;
            let mut inside = model.clone();
            for op in ops {
                Box::pin(apply(op, &txn, &mut inside, now)).await?;
            }
            if *commit {
                txn.commit()
                    .await
                    .map_err(|e| fail(format!("commit: {e}")))?;
                *model = inside;
            } else {
                txn.rollback()
                    .await
                    .map_err(|e| fail(format!("rollback: {e}")))?;
            }
        }
    }
    Ok(())
}

/// Checks an instance or by-id result against the model row it changes with `change`.
fn check_one(
    result: Result<product::Model, Error>,
    model: &mut Model,
    id: i32,
    change: impl FnOnce(&mut Row),
) -> Result<(), TestCaseError> {
    match (result, model.rows.get_mut(&id)) {
        (Ok(returned), Some(row)) => {
            change(row);
            prop_assert_eq!(
                returned.deleted_at,
                row.deleted_at,
                "returned row equals the model"
            );
            prop_assert_eq!(returned.price, row.price);
        }
        (Err(Error::RowNotFound { .. }), None) => {}
        (result, row) => return Err(fail(format!("row {id}: {result:?}, model has {row:?}"))),
    }
    Ok(())
}

fn change_all(model: &mut Model, pick: impl Fn(&Row) -> bool, change: impl Fn(&mut Row)) -> u64 {
    let mut changed = 0;
    for row in model.rows.values_mut().filter(|row| pick(row)) {
        change(row);
        changed += 1;
    }
    changed
}

async fn table(db: &TestDb) -> Result<BTreeMap<i32, Row>, TestCaseError> {
    let rows = product::Entity::all_objects()
        .order_by_asc(product::Column::Id)
        .all(&db.conn)
        .await
        .map_err(|e| fail(format!("read: {e}")))?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.id,
                Row {
                    price: r.price,
                    deleted_at: r.deleted_at,
                },
            )
        })
        .collect())
}

static OPERATIONS: AtomicUsize = AtomicUsize::new(0);

async fn check(backend: Backend, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let db = TestDb::new(backend).await;
    db.create::<product::Entity>().await;
    let mut model = Model::default();
    for (step, op) in ops.iter().enumerate() {
        apply(op, &db.conn, &mut model, at(step + 1)).await?;
        OPERATIONS.fetch_add(1, Ordering::Relaxed);
        let actual = table(&db).await?;
        prop_assert_eq!(&actual, &model.rows, "after step {} ({:?})", step + 1, op);
    }
    Ok(())
}

fn run(backend: Backend) {
    let cases = std::env::var("SOFT_DELETE_PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(24);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    OPERATIONS.store(0, Ordering::Relaxed);
    let outcome = runner.run(&prop::collection::vec(op(), 1..40), |ops| {
        runtime.block_on(check(backend, ops))
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
    println!(
        "model-based on {backend:?}: {cases} sequences, {} operations, 0 divergences",
        OPERATIONS.load(Ordering::Relaxed)
    );
}

#[test]
fn sqlite_matches_the_model() {
    run(Backend::Sqlite);
}

#[test]
#[cfg_attr(
    not(soft_delete_test_postgres),
    ignore = "set SOFT_DELETE_TEST_POSTGRES_URL to run"
)]
fn postgres_matches_the_model() {
    run(Backend::Postgres);
}

#[test]
#[cfg_attr(
    not(soft_delete_test_mariadb),
    ignore = "set SOFT_DELETE_TEST_MARIADB_URL to run"
)]
fn mariadb_matches_the_model() {
    run(Backend::MariaDb);
}
