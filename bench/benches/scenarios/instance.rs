//! S1: instance soft deletes, one at a time.

use std::cell::RefCell;
use std::rc::Rc;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DbBackend, EntityTrait, IntoActiveModel, QueryFilter, Set,
};

use crate::shapes::{self, item, sku};
use crate::support::run::{Scenario, Variant, step};
use crate::support::{Arg, Bench, Raw};
use crate::{ITEMS, ONE_BY_ONE};

/// S1: 1,000 instance soft deletes, one at a time, in one transaction; the models are loaded
/// before timing. Ratios: ours against hand-written SeaORM and raw SQL, and the leak guard
/// (warn mode) and the leak observer against ours alone.
pub(crate) fn scenario(bench: &Bench) -> Scenario<'_> {
    let cutoff = sku(ONE_BY_ONE);
    let models: Rc<RefCell<Vec<item::Model>>> = Rc::default();
    // Untimed: every row active again, and the 1,000 models read.
    let load = {
        let models = models.clone();
        step(move || {
            let (models, cutoff) = (models.clone(), cutoff.clone());
            async move {
                bench.setup("UPDATE bench_item SET deleted_at = NULL").await;
                bench.settle(&["bench_item"]).await;
                let loaded = item::Entity::find()
                    .filter(item::Column::Sku.lt(cutoff.as_str()))
                    .all(&bench.db)
                    .await
                    .expect("load");
                *models.borrow_mut() = loaded;
            }
        })
    };
    let taken = move || models.take();
    let (ours, guarded, by_hand, raw, observed) = (
        taken.clone(),
        taken.clone(),
        taken.clone(),
        taken.clone(),
        taken,
    );
    Scenario {
        id: "S1",
        title: "1,000 instance soft deletes".into(),
        prepare: step(move || async move {
            shapes::fill_items(&bench.db, ITEMS, |_| None)
                .await
                .expect("fill");
            bench.prepare_for_updates(&["bench_item"]).await;
        }),
        variants: vec![
            Variant::new(
                "ours",
                load.clone(),
                step(move || {
                    let models = ours();
                    async move {
                        bench
                            .in_transaction(async |txn| soft_delete_each(&models, txn).await)
                            .await;
                    }
                }),
            ),
            Variant::new(
                "hand-written",
                load.clone(),
                step(move || {
                    let models = by_hand();
                    async move {
                        bench
                            .in_transaction(async |txn| {
                                for model in &models {
                                    let deleted = soft_delete_by_hand(model, txn).await;
                                    assert!(deleted.deleted_at.is_some());
                                }
                            })
                            .await;
                    }
                }),
            ),
            Variant::raw(
                "raw",
                load.clone(),
                step(move || {
                    let models = raw();
                    async move {
                        let statements = raw_soft_deletes(bench.backend(), &models);
                        assert_eq!(bench.raw_fetch(&statements).await, ONE_BY_ONE as u64);
                    }
                }),
                if bench.backend() == DbBackend::MySql {
                    2 * ONE_BY_ONE
                } else {
                    ONE_BY_ONE
                },
            ),
            Variant::new(
                "ours, leak guard (warn)",
                load.clone(),
                step(move || {
                    let models = guarded();
                    async move {
                        bench
                            .in_guarded_transaction(async |txn| {
                                soft_delete_each(&models, txn).await
                            })
                            .await;
                    }
                }),
            ),
            Variant::new(
                "ours, leak observer",
                load,
                step(move || {
                    let models = observed();
                    async move {
                        bench
                            .in_observed_transaction(async |txn| {
                                soft_delete_each(&models, txn).await
                            })
                            .await;
                    }
                }),
            ),
        ],
        ratios: vec![(0, 1), (0, 2), (3, 0), (4, 0)],
        runs_per_sample: 1,
        criterion: (10, 5),
    }
}

/// The raw statements of S1: `UPDATE .. RETURNING` per row, or on MariaDB, which has no
/// `UPDATE .. RETURNING`, the `UPDATE` and a read of the row.
fn raw_soft_deletes(backend: DbBackend, models: &[item::Model]) -> Vec<Raw> {
    let mut statements = Vec::new();
    for model in models {
        let update = Raw::new(
            "UPDATE bench_item SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL \
             RETURNING id, sku, deleted_at",
            "UPDATE bench_item SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL \
             RETURNING id, sku, deleted_at",
            vec![Arg::Time(Utc::now()), Arg::Int(model.id)],
        )
        .mysql("UPDATE bench_item SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL");
        statements.push(update);
        if backend == DbBackend::MySql {
            statements.push(Raw::same(
                "SELECT id, sku, deleted_at FROM bench_item WHERE id = ?",
                vec![Arg::Int(model.id)],
            ));
        }
    }
    statements
}

/// S1 with our API, on a plain or a guarded transaction.
async fn soft_delete_each<C: soft_delete_core::TransactionalConnection>(
    models: &[item::Model],
    txn: &C,
) {
    for model in models {
        let deleted = model.soft_delete(txn).await.expect("ours");
        assert!(deleted.is_deleted());
    }
}

/// What a SeaORM user writes to soft-delete a loaded model: set the marker, save, get the row.
pub(crate) async fn soft_delete_by_hand<C: sea_orm::ConnectionTrait>(
    model: &item::Model,
    db: &C,
) -> item::Model {
    let mut active = model.clone().into_active_model();
    active.deleted_at = Set(Some(Utc::now()));
    active.update(db).await.expect("seaorm")
}
