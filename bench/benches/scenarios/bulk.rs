//! S2 and S3: bulk soft delete and bulk restore.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::shapes::{self, item, long_ago, sku};
use crate::support::run::{Scenario, Variant, step};
use crate::support::{Arg, Bench, Raw};
use crate::{HALF, ITEMS};

/// S2 (bulk soft delete of 10,000 of 20,000 rows) and S3 (their bulk restore).
pub(crate) fn scenarios(bench: &Bench) -> Vec<Scenario<'_>> {
    let cutoff = sku(HALF);
    let restore_all = step(move || async move {
        bench.setup("UPDATE bench_item SET deleted_at = NULL").await;
        bench.settle(&["bench_item"]).await;
    });
    let trash_half_sql = format!(
        "UPDATE bench_item SET deleted_at = {} WHERE sku < '{cutoff}'",
        bench.time_sql(long_ago()),
    );
    let trash_half = step(move || {
        let sql = trash_half_sql.clone();
        async move {
            bench.setup(&sql).await;
            bench.settle(&["bench_item"]).await;
        }
    });
    let prepare = step(move || async move {
        shapes::fill_items(&bench.db, ITEMS, |_| None)
            .await
            .expect("fill");
        bench.prepare_for_updates(&["bench_item"]).await;
    });
    let (c1, c2, c3, c4, c5, c6) = (
        cutoff.clone(),
        cutoff.clone(),
        cutoff.clone(),
        cutoff.clone(),
        cutoff.clone(),
        cutoff,
    );
    let soft_delete = Scenario {
        id: "S2",
        title: "bulk soft delete of 10,000 of 20,000".into(),
        prepare: prepare.clone(),
        variants: vec![
            Variant::new(
                "ours",
                restore_all.clone(),
                step(move || {
                    let cutoff = c1.clone();
                    async move {
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
                    }
                }),
            ),
            Variant::new(
                "hand-written",
                restore_all.clone(),
                step(move || {
                    let cutoff = c2.clone();
                    async move {
                        bench
                            .in_transaction(async |txn| {
                                let done = item::Entity::update_many()
                                    .col_expr(
                                        item::Column::DeletedAt,
                                        Expr::value(Some(Utc::now())),
                                    )
                                    .filter(item::Column::Sku.lt(cutoff.as_str()))
                                    .filter(item::Column::DeletedAt.is_null())
                                    .exec(txn)
                                    .await
                                    .expect("seaorm");
                                assert_eq!(done.rows_affected, HALF as u64);
                            })
                            .await;
                    }
                }),
            ),
            Variant::raw(
                "raw",
                restore_all,
                step(move || {
                    let statement = Raw::new(
                        "UPDATE bench_item SET deleted_at = ? WHERE sku < ? AND deleted_at IS NULL",
                        "UPDATE bench_item SET deleted_at = $1 WHERE sku < $2 AND deleted_at IS NULL",
                        vec![Arg::Time(Utc::now()), Arg::Text(c3.clone())],
                    );
                    async move {
                        assert_eq!(bench.raw_execute(&[statement]).await, HALF as u64);
                    }
                }),
                1,
            ),
        ],
        ratios: Vec::new(),
        runs_per_sample: 1,
        criterion: (10, 4),
    }
    .against_first();
    let restore = Scenario {
        id: "S3",
        title: "bulk restore of 10,000".into(),
        prepare,
        variants: vec![
            Variant::new(
                "ours",
                trash_half.clone(),
                step(move || {
                    let cutoff = c4.clone();
                    async move {
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
                    }
                }),
            ),
            Variant::new(
                "hand-written",
                trash_half.clone(),
                step(move || {
                    let cutoff = c5.clone();
                    async move {
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
                    }
                }),
            ),
            Variant::raw(
                "raw",
                trash_half,
                step(move || {
                    let statement = Raw::new(
                        "UPDATE bench_item SET deleted_at = NULL WHERE sku < ? AND deleted_at IS NOT NULL",
                        "UPDATE bench_item SET deleted_at = NULL WHERE sku < $1 AND deleted_at IS NOT NULL",
                        vec![Arg::Text(c6.clone())],
                    );
                    async move {
                        assert_eq!(bench.raw_execute(&[statement]).await, HALF as u64);
                    }
                }),
                1,
            ),
        ],
        ratios: Vec::new(),
        runs_per_sample: 1,
        criterion: (10, 4),
    }
    .against_first();
    vec![soft_delete, restore]
}
