//! Model-based property tests: random sequences of operations run against a database and a
//! reference model in plain Rust; after every step the whole table must equal the model.
//! A failure shrinks to a minimal sequence of operations, printed with `Debug`.
//!
//! Every marker strategy runs against the same reference model: a timestamp, a flag and an
//! active flag (with a `touch` column that purges by age), and epochs in seconds and
//! milliseconds. The model stores each deletion time as the strategy keeps it (an epoch in whole
//! seconds drops the fraction) and compares what the strategy can show.
//!
//! `SOFT_DELETE_PROPTEST_CASES` sets the number of sequences per backend for the timestamp
//! (default 24); the other strategies run half as many.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::common::{Backend, TestDb};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ExprTrait, QueryFilter, QueryOrder, Set, TransactionSession,
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

/// The reference: what the table must hold. `M` is the entity's model, for the copies read at
/// insert time.
#[derive(Clone, Debug)]
struct Model<M> {
    rows: BTreeMap<i32, Row>,
    /// Every row ever inserted, with the copy read then, in insertion order.
    inserted: Vec<M>,
}

impl<M> Default for Model<M> {
    fn default() -> Self {
        Self {
            rows: BTreeMap::new(),
            inserted: Vec::new(),
        }
    }
}

pub(crate) fn at(step: usize) -> DateTime<Utc> {
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

/// The suite for one strategy: `$project` is how the strategy stores a deletion time,
/// `$observe` what a row shows of it.
macro_rules! model_suite {
    ($suite:ident, $entity:path, project = $project:expr, observe = $observe:expr, divisor = $divisor:expr) => {
        model_suite!($suite, $entity, project = $project, observe = $observe, divisor = $divisor, plain = false);
    };
    ($suite:ident, $entity:path, project = $project:expr, observe = $observe:expr, divisor = $divisor:expr, plain = $plain:expr) => {
        mod $suite {
            #![allow(clippy::redundant_closure_call)]

            use super::*;
            use $entity as product;
            // SeaORM's own calls, for the suite that runs them (`plain`); an entity in the default
            // scope answers them with its inherent functions instead.
            #[allow(unused_imports)]
            use sea_orm::{EntityTrait as _, ModelTrait as _};
            use soft_delete_core::clock::{self, ManualClock};

            /// Whether soft deletes and updates go through SeaORM's own calls (`delete_by_id`,
            /// `model.delete`, `delete_many`, `update_many`) under the default scope.
            const PLAIN: bool = $plain;

        /// Applies `op` to the database through `db` and to `model`, checking what the call returns.
        async fn apply<C>(
            op: &Op,
            db: &C,
            model: &mut Model<product::Model>,
            now: DateTime<Utc>,
        ) -> Result<(), TestCaseError>
        where
            C: soft_delete_core::TransactionalConnection,
            C::Transaction: soft_delete_core::TransactionalConnection,
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
                    if PLAIN {
                        let deleted = clock::with_clock(ManualClock::new(now), async {
                            match op {
                                Op::SoftDeleteById { .. } => {
                                    product::Entity::delete_by_id(copy.id).exec(db).await
                                }
                                _ => copy.clone().delete(db).await,
                            }
                        })
                        .await
                        .map_err(|e| fail(format!("plain delete: {e}")))?;
                        let expected = match model.rows.get_mut(&copy.id) {
                            Some(row) if row.deleted_at.is_none() => {
                                row.deleted_at = Some($project(now));
                                1
                            }
                            _ => 0,
                        };
                        prop_assert_eq!(deleted.rows_affected, expected);
                        return Ok(());
                    }
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
                            row.deleted_at = Some($project(now));
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
                Op::BulkSoftDelete { below } if PLAIN => {
                    let deleted = clock::with_clock(
                        ManualClock::new(now),
                        product::Entity::delete_many()
                            .filter(product::Column::Price.lt(*below))
                            .exec(db),
                    )
                    .await
                    .map_err(|e| fail(format!("plain delete_many: {e}")))?;
                    let changed = change_all(
                        model,
                        |row| row.price < *below && row.deleted_at.is_none(),
                        |row| row.deleted_at = Some($project(now)),
                    );
                    prop_assert_eq!(deleted.rows_affected, changed);
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
                        |row| row.deleted_at = Some($project(now)),
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
                    let update = if PLAIN {
                        product::Entity::update_many()
                    } else {
                        product::Entity::update_many_active()
                    };
                    let result = update
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
                        // Stored times are whole ticks: a row goes when its tick is before
                        // the cutoff itself (the cutoff is rounded up to a tick, not down).
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
            model: &mut Model<product::Model>,
            id: i32,
            change: impl FnOnce(&mut Row),
        ) -> Result<(), TestCaseError> {
            match (result, model.rows.get_mut(&id)) {
                (Ok(returned), Some(row)) => {
                    change(row);
                    prop_assert_eq!(
                        $observe(&returned),
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

        fn change_all(model: &mut Model<product::Model>, pick: impl Fn(&Row) -> bool, change: impl Fn(&mut Row)) -> u64 {
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
                            deleted_at: $observe(&r),
                        },
                    )
                })
                .collect())
        }

        static OPERATIONS: AtomicUsize = AtomicUsize::new(0);

        async fn check(backend: Backend, ops: Vec<Op>) -> Result<(), TestCaseError> {
            let db = TestDb::new(backend).await;
            db.create::<product::Entity>().await;
            let mut model = Model::<product::Model>::default();
            for (step, op) in ops.iter().enumerate() {
                apply(op, &db.conn, &mut model, crate::products::at(step + 1)).await?;
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
                .unwrap_or(24)
                / $divisor;
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
                "model-based {} on {backend:?}: {cases} sequences, {} operations, 0 divergences",
                stringify!($suite),
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
        }
    };
}

model_suite!(
    timestamp,
    crate::common::entities::product,
    project = |at: DateTime<Utc>| at,
    observe = |row: &product::Model| row.deleted_at,
    divisor = 1
);
model_suite!(
    flag,
    strategies::flag_product,
    project = |at: DateTime<Utc>| at,
    observe =
        |row: &strategies::flag_product::Model| row.deleted.then_some(row.updated_at).flatten(),
    divisor = 2
);
model_suite!(
    active_flag,
    strategies::active_product,
    project = |at: DateTime<Utc>| at,
    observe =
        |row: &strategies::active_product::Model| (!row.active).then_some(row.updated_at).flatten(),
    divisor = 2
);
model_suite!(
    epoch_seconds,
    strategies::epoch_product,
    project = |at: DateTime<Utc>| DateTime::from_timestamp(at.timestamp(), 0).unwrap_or_default(),
    observe = |row: &strategies::epoch_product::Model| {
        (row.deleted_at != 0)
            .then(|| DateTime::from_timestamp(row.deleted_at, 0).unwrap_or_default())
    },
    divisor = 2
);
model_suite!(
    epoch_millis,
    strategies::epoch_ms_product,
    project = |at: DateTime<Utc>| DateTime::from_timestamp_millis(at.timestamp_millis())
        .unwrap_or_default(),
    observe = |row: &strategies::epoch_ms_product::Model| {
        (row.deleted_at != 0)
            .then(|| DateTime::from_timestamp_millis(row.deleted_at).unwrap_or_default())
    },
    divisor = 2
);

// The same sequences through SeaORM's own calls on an entity in the default scope: soft deletes
// by `delete_by_id`, `model.delete(db)` and `delete_many()`, updates by `update_many()`, each
// checked against the same reference model as the explicit API above.
model_suite!(
    default_scope,
    strategies::scoped_product,
    project = |at: DateTime<Utc>| at,
    observe = |row: &strategies::scoped_product::Model| row.deleted_at,
    divisor = 2,
    plain = true
);

/// The product table with each other marker strategy, each under a name of its own: the leak
/// guard knows a table's marker by the table's name.
mod strategies {
    macro_rules! product_with {
        ($m:ident, $table:literal, [$($attr:tt)*], [$($marker_attr:tt)*] $marker:ident: $ty:ty) => {
            pub mod $m {
                use sea_orm::entity::prelude::*;
                use soft_delete_core::prelude::*;

                #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
                #[sea_orm(table_name = $table)]
                $($attr)*
                pub struct Model {
                    #[sea_orm(primary_key)]
                    pub id: i32,
                    pub name: String,
                    pub price: i64,
                    $($marker_attr)*
                    pub $marker: $ty,
                    pub updated_at: Option<DateTimeUtc>,
                }

                #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
                pub enum Relation {}

                impl ActiveModelBehavior for ActiveModel {}
            }
        };
    }

    product_with!(flag_product, "product_flag", [#[soft_delete(touch = updated_at)]], [#[soft_delete(flag)]] deleted: bool);
    product_with!(active_product, "product_active", [#[soft_delete(touch = updated_at)]], [#[soft_delete(active_flag)]] active: bool);
    product_with!(epoch_product, "product_epoch", [], [#[soft_delete(epoch = seconds)]] deleted_at: i64);
    product_with!(epoch_ms_product, "product_epoch_ms", [], [#[soft_delete(epoch = millis)]] deleted_at: i64);
    product_with!(scoped_product, "product_scoped", [#[soft_delete(default_scope)]], [] deleted_at: Option<DateTimeUtc>);
}
