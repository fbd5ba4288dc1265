//! S1: instance soft deletes, one at a time.

use chrono::Utc;
use criterion::{Criterion, Throughput};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use tokio::runtime::Runtime;

use crate::shapes::{self, item, sku};
use crate::support::{Arg, Bench, Raw, configured, variant};
use crate::{ITEMS, ONE_BY_ONE};

/// S1: 1,000 instance soft deletes, one at a time, in one transaction; the models are loaded
/// before timing.
pub(crate) fn scenario(c: &mut Criterion, runtime: &Runtime, bench: &Bench) {
    runtime.block_on(async {
        shapes::fill_items(&bench.db, ITEMS, |_| None)
            .await
            .expect("fill");
        bench.prepare_for_updates(&["bench_item"]).await;
    });
    let cutoff = sku(ONE_BY_ONE);
    // Untimed: every row active again, and the 1,000 models read.
    let load = || async {
        bench.setup("UPDATE bench_item SET deleted_at = NULL").await;
        bench.settle(&["bench_item"]).await;
        item::Entity::find()
            .filter(item::Column::Sku.lt(cutoff.as_str()))
            .all(&bench.db)
            .await
            .expect("load")
    };
    let models = runtime.block_on(load());
    let ours = bench.statements(runtime, models[0].soft_delete(&bench.db));
    let hand_written = bench.statements(runtime, soft_delete_by_hand(&models[1], &bench.db));
    println!(
        "statements per row ({}): S1 ours {ours}, hand-written {hand_written}, raw 1",
        bench.name
    );

    let mut group = configured(
        c,
        format!("S1 1,000 instance soft deletes ({})", bench.name),
        10,
        5,
    );
    group.throughput(Throughput::Elements(ONE_BY_ONE as u64));
    variant(
        &mut group,
        "soft-delete-core",
        runtime,
        load,
        |models| async move {
            bench
                .in_transaction(async |txn| {
                    soft_delete_each(&models, txn).await;
                })
                .await;
        },
    );
    variant(
        &mut group,
        "soft-delete-core, leak guard (warn)",
        runtime,
        load,
        |models| async move {
            bench
                .in_guarded_transaction(async |txn| {
                    soft_delete_each(&models, txn).await;
                })
                .await;
        },
    );
    variant(
        &mut group,
        "hand-written SeaORM",
        runtime,
        load,
        |models| async move {
            bench
                .in_transaction(async |txn| {
                    for model in &models {
                        let deleted = soft_delete_by_hand(model, txn).await;
                        assert!(deleted.deleted_at.is_some());
                    }
                })
                .await;
        },
    );
    variant(
        &mut group,
        "raw SQL (sqlx)",
        runtime,
        load,
        |models| async move {
            let statements: Vec<Raw> = models
                    .iter()
                    .map(|model| {
                        Raw::new(
                            "UPDATE bench_item SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL \
                             RETURNING id, sku, deleted_at",
                            "UPDATE bench_item SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL \
                             RETURNING id, sku, deleted_at",
                            vec![Arg::Time(Utc::now()), Arg::Int(model.id)],
                        )
                    })
                    .collect();
            assert_eq!(bench.raw_fetch(&statements).await, ONE_BY_ONE as u64);
        },
    );
    group.finish();
}

/// S1 with our API, on a plain or a guarded transaction.
async fn soft_delete_each<C: sea_orm::ConnectionTrait + sea_orm::TransactionTrait>(
    models: &[item::Model],
    txn: &C,
) {
    for model in models {
        let deleted = model.soft_delete(txn).await.expect("ours");
        assert!(deleted.is_deleted());
    }
}

/// What a SeaORM user writes to soft-delete a loaded model: set the marker, save, get the row.
async fn soft_delete_by_hand<C: sea_orm::ConnectionTrait>(
    model: &item::Model,
    db: &C,
) -> item::Model {
    let mut active = model.clone().into_active_model();
    active.deleted_at = Set(Some(Utc::now()));
    active.update(db).await.expect("seaorm")
}
