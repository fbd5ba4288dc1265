//! Model-based property tests of cascades: random sequences over a category -> item graph
//! (cascade soft delete, exact restore, refused orphan restores, force delete and purge of
//! parents with their children) checked after every step against a plain-Rust model in which
//! "trashed by the same operation" is the operation's step number.
//!
//! `SOFT_DELETE_PROPTEST_CASES` sets the number of sequences per backend (default 24).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::common::entities::{category, item};
use crate::common::{Backend, TestDb};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use sea_orm::{ActiveModelTrait, QueryOrder, Set};
use soft_delete_core::Error;

#[derive(Clone, Debug)]
enum Op {
    InsertCategory,
    InsertItem { category: usize },
    SoftDeleteCategory { slot: usize },
    RestoreCategory { slot: usize },
    SoftDeleteItem { slot: usize },
    RestoreItem { slot: usize, with_ancestors: bool },
    SoftDeleteAllCategories,
    ForceDeleteCategory { slot: usize },
    PurgeCategories { age_secs: i64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => Just(Op::InsertCategory),
        4 => (0usize..6).prop_map(|category| Op::InsertItem { category }),
        3 => (0usize..6).prop_map(|slot| Op::SoftDeleteCategory { slot }),
        3 => (0usize..6).prop_map(|slot| Op::RestoreCategory { slot }),
        3 => (0usize..12).prop_map(|slot| Op::SoftDeleteItem { slot }),
        3 => (0usize..12, any::<bool>()).prop_map(|(slot, with_ancestors)| Op::RestoreItem { slot, with_ancestors }),
        1 => Just(Op::SoftDeleteAllCategories),
        1 => (0usize..6).prop_map(|slot| Op::ForceDeleteCategory { slot }),
        1 => (0i64..10).prop_map(|age_secs| Op::PurgeCategories { age_secs }),
    ]
}

/// A row's state: when it was trashed, and by which step (the model's batch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct State {
    deleted_at: Option<DateTime<Utc>>,
    batch: Option<usize>,
}

const ACTIVE: State = State {
    deleted_at: None,
    batch: None,
};

/// A row a cascade restore was called on: active, keeping the batch its descendants were
/// matched by (nothing trashed shares it any more). Descendants and ancestors restored with it
/// become `ACTIVE`.
fn restored_root(state: State) -> State {
    State {
        deleted_at: None,
        batch: state.batch,
    }
}

#[derive(Clone, Debug, Default)]
struct Model {
    categories: BTreeMap<i32, State>,
    items: BTreeMap<i32, (i32, State)>,
    category_ids: Vec<i32>,
    item_ids: Vec<i32>,
}

impl Model {
    fn trash_category(&mut self, id: i32, now: DateTime<Utc>, step: usize) -> bool {
        let Some(state) = self.categories.get_mut(&id) else {
            return false;
        };
        if state.deleted_at.is_some() {
            return false;
        }
        *state = State {
            deleted_at: Some(now),
            batch: Some(step),
        };
        for (parent, item) in self.items.values_mut() {
            if *parent == id && item.deleted_at.is_none() {
                *item = State {
                    deleted_at: Some(now),
                    batch: Some(step),
                };
            }
        }
        true
    }

    fn remove_category(&mut self, id: i32) {
        self.categories.remove(&id);
        self.items.retain(|_, (parent, _)| *parent != id);
    }
}

fn at(step: usize) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
        + TimeDelta::seconds(step as i64)
}

fn fail(message: String) -> TestCaseError {
    TestCaseError::fail(message)
}

fn pick(ids: &[i32], slot: usize) -> Option<i32> {
    (!ids.is_empty()).then(|| ids[slot % ids.len()])
}

async fn apply(op: &Op, db: &TestDb, model: &mut Model, step: usize) -> Result<(), TestCaseError> {
    let now = at(step);
    let conn = &db.conn;
    match op {
        Op::InsertCategory => {
            let row = category::ActiveModel {
                name: Set("c".into()),
                ..Default::default()
            }
            .insert(conn)
            .await
            .map_err(|e| fail(e.to_string()))?;
            model.categories.insert(row.id, ACTIVE);
            model.category_ids.push(row.id);
        }
        Op::InsertItem { category } => {
            let Some(parent) =
                pick(&model.category_ids, *category).filter(|id| model.categories.contains_key(id))
            else {
                return Ok(());
            };
            let row = item::ActiveModel {
                category_id: Set(parent),
                name: Set("i".into()),
                ..Default::default()
            }
            .insert(conn)
            .await
            .map_err(|e| fail(e.to_string()))?;
            // An item added under a trashed category is itself active.
            model.items.insert(row.id, (parent, ACTIVE));
            model.item_ids.push(row.id);
        }
        Op::SoftDeleteCategory { slot } => {
            let Some(id) = pick(&model.category_ids, *slot) else {
                return Ok(());
            };
            let result = category::Entity::soft_delete_by_id(id)
                .at(now)
                .exec(conn)
                .await;
            match result {
                Ok(_) => {
                    model.trash_category(id, now, step);
                }
                Err(Error::RowNotFound { .. }) if !model.categories.contains_key(&id) => {}
                Err(e) => return Err(fail(format!("soft delete category: {e}"))),
            }
        }
        Op::SoftDeleteAllCategories => {
            let result = category::Entity::soft_delete_many()
                .at(now)
                .exec(conn)
                .await
                .map_err(|e| fail(e.to_string()))?;
            let ids: Vec<i32> = model.categories.keys().copied().collect();
            let trashed = ids
                .into_iter()
                .filter(|id| model.trash_category(*id, now, step))
                .count();
            prop_assert_eq!(result.rows_affected, trashed as u64);
        }
        Op::RestoreCategory { slot } => {
            let Some(id) = pick(&model.category_ids, *slot) else {
                return Ok(());
            };
            match category::Entity::restore_by_id(id).exec(conn).await {
                Ok(_) => {
                    if let Some(state) = model
                        .categories
                        .get(&id)
                        .copied()
                        .filter(|s| s.deleted_at.is_some())
                    {
                        model.categories.insert(id, restored_root(state));
                        for (parent, item) in model.items.values_mut() {
                            if *parent == id
                                && item.deleted_at.is_some()
                                && item.batch == state.batch
                            {
                                *item = ACTIVE;
                            }
                        }
                    }
                }
                Err(Error::RowNotFound { .. }) if !model.categories.contains_key(&id) => {}
                Err(e) => return Err(fail(format!("restore category: {e}"))),
            }
        }
        Op::SoftDeleteItem { slot } => {
            let Some(id) = pick(&model.item_ids, *slot) else {
                return Ok(());
            };
            match item::Entity::soft_delete_by_id(id).at(now).exec(conn).await {
                Ok(_) => {
                    if let Some((_, state)) = model
                        .items
                        .get_mut(&id)
                        .filter(|(_, s)| s.deleted_at.is_none())
                    {
                        *state = State {
                            deleted_at: Some(now),
                            batch: Some(step),
                        };
                    }
                }
                Err(Error::RowNotFound { .. }) if !model.items.contains_key(&id) => {}
                Err(e) => return Err(fail(format!("soft delete item: {e}"))),
            }
        }
        Op::RestoreItem {
            slot,
            with_ancestors,
        } => {
            let Some(id) = pick(&model.item_ids, *slot) else {
                return Ok(());
            };
            let restore = item::Entity::restore_by_id(id);
            let result = if *with_ancestors {
                restore.with_ancestors().exec(conn).await
            } else {
                restore.exec(conn).await
            };
            let Some((parent, state)) = model.items.get(&id).copied() else {
                prop_assert!(
                    matches!(result, Err(Error::RowNotFound { .. })),
                    "{result:?}"
                );
                return Ok(());
            };
            let parent_trashed = model
                .categories
                .get(&parent)
                .is_some_and(|s| s.deleted_at.is_some());
            match result {
                Err(Error::ParentTrashed { .. }) => {
                    prop_assert!(state.deleted_at.is_some() && parent_trashed && !with_ancestors);
                }
                Ok(_) => {
                    prop_assert!(
                        !(state.deleted_at.is_some() && parent_trashed && !with_ancestors),
                        "an orphan was restored"
                    );
                    if state.deleted_at.is_some() {
                        model.items.insert(id, (parent, restored_root(state)));
                        if parent_trashed {
                            // Only the path to the root: the parent, not its other children.
                            model.categories.insert(parent, ACTIVE);
                        }
                    }
                }
                Err(e) => return Err(fail(format!("restore item: {e}"))),
            }
        }
        Op::ForceDeleteCategory { slot } => {
            let Some(id) = pick(&model.category_ids, *slot) else {
                return Ok(());
            };
            match category::Entity::force_delete_by_id(id).exec(conn).await {
                Ok(()) => model.remove_category(id),
                Err(Error::RowNotFound { .. }) if !model.categories.contains_key(&id) => {}
                Err(e) => return Err(fail(format!("force delete category: {e}"))),
            }
        }
        Op::PurgeCategories { age_secs } => {
            let cutoff = now - TimeDelta::seconds(*age_secs);
            let done = category::Entity::purge_trash(cutoff)
                .batch_size(2)
                .exec(conn)
                .await
                .map_err(|e| fail(format!("purge: {e}")))?;
            let expired: Vec<i32> = model
                .categories
                .iter()
                .filter(|(_, s)| s.deleted_at.is_some_and(|at| at < cutoff))
                .map(|(id, _)| *id)
                .collect();
            for id in &expired {
                model.remove_category(*id);
            }
            prop_assert_eq!(done.rows_removed, expired.len() as u64);
        }
    }
    Ok(())
}

/// The tables as the model sees them: deletion times, and whether a trashed row's batch is
/// shared with its parent (the model's step numbers stand for the random batch ids).
async fn check_tables(db: &TestDb, model: &Model) -> Result<(), TestCaseError> {
    let categories = category::Entity::all_objects()
        .order_by_asc(category::Column::Id)
        .all(&db.conn)
        .await
        .map_err(|e| fail(e.to_string()))?;
    let items = item::Entity::all_objects()
        .order_by_asc(item::Column::Id)
        .all(&db.conn)
        .await
        .map_err(|e| fail(e.to_string()))?;
    let actual: BTreeMap<i32, Option<DateTime<Utc>>> =
        categories.iter().map(|c| (c.id, c.deleted_at)).collect();
    let expected: BTreeMap<i32, Option<DateTime<Utc>>> = model
        .categories
        .iter()
        .map(|(id, s)| (*id, s.deleted_at))
        .collect();
    prop_assert_eq!(actual, expected, "categories");
    let actual: BTreeMap<i32, (i32, Option<DateTime<Utc>>)> = items
        .iter()
        .map(|i| (i.id, (i.category_id, i.deleted_at)))
        .collect();
    let expected: BTreeMap<i32, (i32, Option<DateTime<Utc>>)> = model
        .items
        .iter()
        .map(|(id, (p, s))| (*id, (*p, s.deleted_at)))
        .collect();
    prop_assert_eq!(actual, expected, "items");
    let batch_of_category: BTreeMap<i32, Option<i64>> =
        categories.iter().map(|c| (c.id, c.deleted_batch)).collect();
    for (id, batch) in &batch_of_category {
        prop_assert_eq!(
            batch.is_some(),
            model.categories[id].batch.is_some(),
            "category {} batch presence",
            id
        );
    }
    for row in &items {
        let (parent, state) = model.items[&row.id];
        let shares = row.trash_batch.is_some()
            && batch_of_category.get(&parent).copied().flatten() == row.trash_batch;
        let model_shares = state.batch.is_some()
            && model.categories.get(&parent).and_then(|s| s.batch) == state.batch;
        prop_assert_eq!(
            shares,
            model_shares,
            "item {} shares its category's batch",
            row.id
        );
        prop_assert_eq!(
            row.trash_batch.is_some(),
            state.batch.is_some(),
            "item {} batch presence",
            row.id
        );
    }
    Ok(())
}

static OPERATIONS: AtomicUsize = AtomicUsize::new(0);

async fn check(backend: Backend, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let db = TestDb::new(backend).await;
    db.create_cascade_graph().await;
    let mut model = Model::default();
    for (step, op) in ops.iter().enumerate() {
        apply(op, &db, &mut model, step + 1).await?;
        OPERATIONS.fetch_add(1, Ordering::Relaxed);
        check_tables(&db, &model)
            .await
            .map_err(|e| fail(format!("after step {} ({op:?}): {e}", step + 1)))?;
    }
    Ok(())
}

fn run(backend: Backend) {
    let cases = std::env::var("SOFT_DELETE_PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(24);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    OPERATIONS.store(0, Ordering::Relaxed);
    if let Err(failure) = runner.run(&prop::collection::vec(op(), 1..30), |ops| {
        runtime.block_on(check(backend, ops))
    }) {
        panic!("{failure}");
    }
    println!(
        "model-based cascades on {backend:?}: {cases} sequences, {} operations, 0 divergences",
        OPERATIONS.load(Ordering::Relaxed)
    );
}

#[test]
fn sqlite_cascades_match_the_model() {
    run(Backend::Sqlite);
}

#[test]
#[cfg_attr(
    not(soft_delete_test_postgres),
    ignore = "set SOFT_DELETE_TEST_POSTGRES_URL to run"
)]
fn postgres_cascades_match_the_model() {
    run(Backend::Postgres);
}

#[test]
#[cfg_attr(
    not(soft_delete_test_mariadb),
    ignore = "set SOFT_DELETE_TEST_MARIADB_URL to run"
)]
fn mariadb_cascades_match_the_model() {
    run(Backend::MariaDb);
}
