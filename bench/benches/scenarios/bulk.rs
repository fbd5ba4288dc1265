//! S2 and S3: bulk soft delete and bulk restore.

use chrono::{DateTime, Utc};
use criterion::Criterion;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tokio::runtime::Runtime;

use crate::shapes::{self, item, long_ago, sku};
use crate::support::{Arg, Bench, Raw, configured, variant};
use crate::{HALF, ITEMS, timestamp_literal};

/// S2 (bulk soft delete of 10,000 of 20,000 rows) and S3 (their bulk restore).
pub(crate) fn scenarios(c: &mut Criterion, runtime: &Runtime, bench: &Bench) {
    runtime.block_on(async {
        shapes::fill_items(&bench.db, ITEMS, |_| None)
            .await
            .expect("fill");
        bench.prepare_for_updates(&["bench_item"]).await;
    });
    let cutoff = sku(HALF);
    let ours = bench.statements(
        runtime,
        item::Entity::soft_delete_many()
            .filter(item::Column::Sku.lt(cutoff.as_str()))
            .exec(&bench.db),
    );
    let restore = bench.statements(
        runtime,
        item::Entity::restore_many()
            .filter(item::Column::Sku.lt(cutoff.as_str()))
            .exec(&bench.db),
    );
    println!(
        "statements ({}): S2 ours {ours}, hand-written 1, raw 1; S3 ours {restore}, hand-written 1, raw 1",
        bench.name
    );
    let restore_all = || async {
        bench.setup("UPDATE bench_item SET deleted_at = NULL").await;
        bench.settle(&["bench_item"]).await;
    };
    let trash_half_sql = format!(
        "UPDATE bench_item SET deleted_at = '{}' WHERE sku < '{cutoff}'",
        timestamp_literal(bench, long_ago()),
    );
    let trash_half = || async {
        bench.setup(&trash_half_sql).await;
        bench.settle(&["bench_item"]).await;
    };

    let mut group = configured(
        c,
        format!("S2 bulk soft delete 10,000 of 20,000 ({})", bench.name),
        10,
        4,
    );
    variant(
        &mut group,
        "soft-delete-core",
        runtime,
        restore_all,
        |()| async {
            bench
                .in_transaction(async |txn| {
                    let done = item::Entity::soft_delete_many()
                        .filter(item::Column::Sku.lt(cutoff.as_str()))
                        .exec(txn)
                        .await
                        .expect("ours");
                    assert_eq!(done.rows_affected, HALF as u64);
                })
                .await;
        },
    );
    variant(
        &mut group,
        "hand-written SeaORM",
        runtime,
        restore_all,
        |()| async {
            bench
                .in_transaction(async |txn| {
                    let done = item::Entity::update_many()
                        .col_expr(item::Column::DeletedAt, Expr::value(Some(Utc::now())))
                        .filter(item::Column::Sku.lt(cutoff.as_str()))
                        .filter(item::Column::DeletedAt.is_null())
                        .exec(txn)
                        .await
                        .expect("seaorm");
                    assert_eq!(done.rows_affected, HALF as u64);
                })
                .await;
        },
    );
    variant(
        &mut group,
        "raw SQL (sqlx)",
        runtime,
        restore_all,
        |()| async {
            let statement = Raw::new(
                "UPDATE bench_item SET deleted_at = ? WHERE sku < ? AND deleted_at IS NULL",
                "UPDATE bench_item SET deleted_at = $1 WHERE sku < $2 AND deleted_at IS NULL",
                vec![Arg::Time(Utc::now()), Arg::Text(cutoff.clone())],
            );
            assert_eq!(bench.raw_execute(&[statement]).await, HALF as u64);
        },
    );
    group.finish();

    let mut group = configured(c, format!("S3 bulk restore 10,000 ({})", bench.name), 10, 4);
    variant(
        &mut group,
        "soft-delete-core",
        runtime,
        trash_half,
        |()| async {
            bench
                .in_transaction(async |txn| {
                    let done = item::Entity::restore_many()
                        .filter(item::Column::Sku.lt(cutoff.as_str()))
                        .exec(txn)
                        .await
                        .expect("ours");
                    assert_eq!(done.rows_affected, HALF as u64);
                })
                .await;
        },
    );
    variant(
        &mut group,
        "hand-written SeaORM",
        runtime,
        trash_half,
        |()| async {
            bench
                .in_transaction(async |txn| {
                    let done = item::Entity::update_many()
                        .col_expr(
                            item::Column::DeletedAt,
                            Expr::value(Option::<DateTime<Utc>>::None),
                        )
                        .filter(item::Column::Sku.lt(cutoff.as_str()))
                        .filter(item::Column::DeletedAt.is_not_null())
                        .exec(txn)
                        .await
                        .expect("seaorm");
                    assert_eq!(done.rows_affected, HALF as u64);
                })
                .await;
        },
    );
    variant(
        &mut group,
        "raw SQL (sqlx)",
        runtime,
        trash_half,
        |()| async {
            let statement = Raw::new(
                "UPDATE bench_item SET deleted_at = NULL WHERE sku < ? AND deleted_at IS NOT NULL",
                "UPDATE bench_item SET deleted_at = NULL WHERE sku < $1 AND deleted_at IS NOT NULL",
                vec![Arg::Text(cutoff.clone())],
            );
            assert_eq!(bench.raw_execute(&[statement]).await, HALF as u64);
        },
    );
    group.finish();
}
