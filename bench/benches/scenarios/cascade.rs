//! S4 and S4b: a cascade soft delete and its restore, with the hand-written equivalents.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::shapes::{self, Catalog, category, product, review};
use crate::support::run::{Scenario, Variant, step};
use crate::support::{Arg, Bench, Raw};

/// S4 (soft delete of the 10 categories, cascading to 1,000 products and 10,000 reviews) and
/// S4b (its cascade restore).
pub(crate) fn scenarios(bench: &Bench) -> Vec<Scenario<'_>> {
    const TABLES: [&str; 3] = ["bench_category", "bench_product", "bench_review"];
    let rows = Catalog::S4.rows() as u64;
    let prepare = step(move || async move {
        shapes::fill_catalog(&bench.db, Catalog::S4)
            .await
            .expect("fill");
        bench.prepare_for_updates(&TABLES).await;
    });
    let restore_all = step(move || async move {
        for table in TABLES {
            let sql = format!("UPDATE {table} SET deleted_at = NULL, deleted_batch = NULL");
            bench.setup(&sql).await;
        }
        bench.settle(&TABLES).await;
    });
    let soft_delete = Scenario {
        id: "S4",
        title: "cascade soft delete of 11,010 rows".into(),
        prepare: prepare.clone(),
        variants: vec![
            Variant::new(
                "ours",
                restore_all.clone(),
                step(move || async move {
                    bench
                        .in_transaction(async |txn| {
                            let done = category::Entity::soft_delete_many()
                                .exec(txn)
                                .await
                                .expect("ours");
                            let cascaded = done.cascaded.total();
                            assert_eq!(done.rows_affected + cascaded, rows);
                        })
                        .await;
                }),
            ),
            Variant::new(
                "hand-written",
                restore_all.clone(),
                step(move || async move {
                    bench
                        .in_transaction(async |txn| {
                            assert_eq!(cascade_soft_delete_by_hand(txn).await, rows);
                        })
                        .await;
                }),
            ),
            Variant::raw(
                "raw",
                restore_all.clone(),
                step(move || async move {
                    let at = Utc::now();
                    let statements = [
                        Raw::new(
                            "UPDATE bench_category SET deleted_at = ? WHERE deleted_at IS NULL",
                            "UPDATE bench_category SET deleted_at = $1 WHERE deleted_at IS NULL",
                            vec![Arg::Time(at)],
                        ),
                        Raw::new(
                            "UPDATE bench_product SET deleted_at = ? WHERE deleted_at IS NULL AND category_id IN \
                                 (SELECT id FROM bench_category WHERE deleted_at = ?)",
                            "UPDATE bench_product SET deleted_at = $1 WHERE deleted_at IS NULL AND category_id IN \
                                 (SELECT id FROM bench_category WHERE deleted_at = $2)",
                            vec![Arg::Time(at), Arg::Time(at)],
                        ),
                        Raw::new(
                            "UPDATE bench_review SET deleted_at = ? WHERE deleted_at IS NULL AND product_id IN \
                                 (SELECT id FROM bench_product WHERE deleted_at = ?)",
                            "UPDATE bench_review SET deleted_at = $1 WHERE deleted_at IS NULL AND product_id IN \
                                 (SELECT id FROM bench_product WHERE deleted_at = $2)",
                            vec![Arg::Time(at), Arg::Time(at)],
                        ),
                    ];
                    assert_eq!(bench.raw_execute(&statements).await, rows);
                }),
                3,
            ),
        ],
        ratios: Vec::new(),
        runs_per_sample: 1,
        criterion: (10, 4),
    }
    .against_first();

    // S4b starts from the state each variant's own S4 leaves: ours needs its batch ids, the
    // others find a parent's children by its timestamp.
    let trashed_by_us = {
        let restore_all = restore_all.clone();
        step(move || {
            let restore_all = restore_all.clone();
            async move {
                restore_all().await;
                category::Entity::soft_delete_many()
                    .exec(&bench.db)
                    .await
                    .expect("ours");
                bench.settle(&TABLES).await;
            }
        })
    };
    let trashed_by_hand = step(move || {
        let restore_all = restore_all.clone();
        async move {
            restore_all().await;
            assert_eq!(cascade_soft_delete_by_hand(&bench.db).await, rows);
            bench.settle(&TABLES).await;
        }
    });
    let restore = Scenario {
        id: "S4b",
        title: "cascade restore of 11,010 rows".into(),
        prepare,
        variants: vec![
            Variant::new(
                "ours",
                trashed_by_us,
                step(move || async move {
                    bench
                        .in_transaction(async |txn| {
                            let done = category::Entity::restore_many()
                                .exec(txn)
                                .await
                                .expect("ours");
                            let cascaded = done.cascaded.total();
                            assert_eq!(done.rows_affected + cascaded, rows);
                        })
                        .await;
                }),
            ),
            Variant::new(
                "hand-written",
                trashed_by_hand.clone(),
                step(move || async move {
                    bench
                        .in_transaction(async |txn| {
                            assert_eq!(cascade_restore_by_hand(txn).await, rows);
                        })
                        .await;
                }),
            ),
            Variant::raw(
                "raw",
                trashed_by_hand,
                step(move || async move {
                    let statements = [
                        Raw::same(
                            "UPDATE bench_review SET deleted_at = NULL WHERE deleted_at IS NOT NULL AND EXISTS \
                                 (SELECT 1 FROM bench_product WHERE bench_product.id = bench_review.product_id \
                                 AND bench_product.deleted_at = bench_review.deleted_at AND EXISTS \
                                 (SELECT 1 FROM bench_category WHERE bench_category.id = bench_product.category_id \
                                 AND bench_category.deleted_at = bench_product.deleted_at))",
                            Vec::new(),
                        ),
                        Raw::same(
                            "UPDATE bench_product SET deleted_at = NULL WHERE deleted_at IS NOT NULL AND EXISTS \
                                 (SELECT 1 FROM bench_category WHERE bench_category.id = bench_product.category_id \
                                 AND bench_category.deleted_at = bench_product.deleted_at)",
                            Vec::new(),
                        ),
                        Raw::same(
                            "UPDATE bench_category SET deleted_at = NULL WHERE deleted_at IS NOT NULL",
                            Vec::new(),
                        ),
                    ];
                    assert_eq!(bench.raw_execute(&statements).await, rows);
                }),
                3,
            ),
        ],
        ratios: Vec::new(),
        runs_per_sample: 1,
        criterion: (10, 4),
    }
    .against_first();
    vec![soft_delete, restore]
}

/// What a SeaORM user writes to trash categories with their products and reviews: one
/// `UPDATE` per table, children matched through their parent's new timestamp.
async fn cascade_soft_delete_by_hand<C: sea_orm::ConnectionTrait>(db: &C) -> u64 {
    let at = Utc::now();
    let categories = category::Entity::update_many()
        .col_expr(category::Column::DeletedAt, Expr::value(Some(at)))
        .filter(category::Column::DeletedAt.is_null())
        .exec(db)
        .await
        .expect("seaorm");
    let products = product::Entity::update_many()
        .col_expr(product::Column::DeletedAt, Expr::value(Some(at)))
        .filter(product::Column::DeletedAt.is_null())
        .filter(
            product::Column::CategoryId.in_subquery(
                Query::select()
                    .column(category::Column::Id)
                    .from(category::Entity)
                    .and_where(category::Column::DeletedAt.eq(at))
                    .to_owned(),
            ),
        )
        .exec(db)
        .await
        .expect("seaorm");
    let reviews = review::Entity::update_many()
        .col_expr(review::Column::DeletedAt, Expr::value(Some(at)))
        .filter(review::Column::DeletedAt.is_null())
        .filter(
            review::Column::ProductId.in_subquery(
                Query::select()
                    .column(product::Column::Id)
                    .from(product::Entity)
                    .and_where(product::Column::DeletedAt.eq(at))
                    .to_owned(),
            ),
        )
        .exec(db)
        .await
        .expect("seaorm");
    categories.rows_affected + products.rows_affected + reviews.rows_affected
}

/// What a SeaORM user writes to restore trashed categories with the products and reviews
/// trashed with them (same timestamp as their parent), children first while the parents
/// still carry their timestamps.
async fn cascade_restore_by_hand<C: sea_orm::ConnectionTrait>(db: &C) -> u64 {
    let none = Expr::value(Option::<DateTime<Utc>>::None);
    let trashed_with_its_category = Query::select()
        .expr(Expr::val(1))
        .from(category::Entity)
        .and_where(
            Expr::col((category::Entity, category::Column::Id))
                .equals((product::Entity, product::Column::CategoryId)),
        )
        .and_where(
            Expr::col((category::Entity, category::Column::DeletedAt))
                .equals((product::Entity, product::Column::DeletedAt)),
        )
        .to_owned();
    let trashed_with_its_product = Query::select()
        .expr(Expr::val(1))
        .from(product::Entity)
        .and_where(
            Expr::col((product::Entity, product::Column::Id))
                .equals((review::Entity, review::Column::ProductId)),
        )
        .and_where(
            Expr::col((product::Entity, product::Column::DeletedAt))
                .equals((review::Entity, review::Column::DeletedAt)),
        )
        .and_where(Expr::exists(trashed_with_its_category.clone()))
        .to_owned();
    let reviews = review::Entity::update_many()
        .col_expr(review::Column::DeletedAt, none.clone())
        .filter(review::Column::DeletedAt.is_not_null())
        .filter(Expr::exists(trashed_with_its_product))
        .exec(db)
        .await
        .expect("seaorm");
    let products = product::Entity::update_many()
        .col_expr(product::Column::DeletedAt, none.clone())
        .filter(product::Column::DeletedAt.is_not_null())
        .filter(Expr::exists(trashed_with_its_category))
        .exec(db)
        .await
        .expect("seaorm");
    let categories = category::Entity::update_many()
        .col_expr(category::Column::DeletedAt, none)
        .filter(category::Column::DeletedAt.is_not_null())
        .exec(db)
        .await
        .expect("seaorm");
    categories.rows_affected + products.rows_affected + reviews.rows_affected
}
