//! Our API against the equivalent hand-written SeaORM code and raw SQL (sqlx), on the same data,
//! for the scenarios of `BENCHMARKS.md`: S1, S2, S3, S4, S4b, S5a, S5b, S8. SQLite (a file
//! database) always; PostgreSQL when `SOFT_DELETE_BENCH_POSTGRES_URL` is set.
//!
//! `cargo bench --bench scenarios`; statement counts are printed before each scenario's timings.

mod shapes;
mod support;

use chrono::{DateTime, TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DbBackend, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use shapes::{Catalog, category, item, long_ago, product, review, sku};
use support::{Arg, Bench, Raw, configured, variant};
use tokio::runtime::Runtime;

const ITEMS: usize = 20_000;
const HALF: usize = 10_000;
const ONE_BY_ONE: usize = 1_000;

fn scenarios(c: &mut Criterion) {
    let runtime = Runtime::new().expect("runtime");
    for (name, url) in support::backends("soft_delete_bench.sqlite") {
        let bench = runtime.block_on(Bench::connect(name, &url));
        instance_scenario(c, &runtime, &bench);
        bulk_scenarios(c, &runtime, &bench);
        cascade_scenarios(c, &runtime, &bench);
        read_scenarios(c, &runtime, &bench);
        purge_scenario(c, &runtime, &bench);
    }
}

/// The text SQLite and PostgreSQL store a UTC timestamp as, for setup SQL.
fn timestamp_literal(bench: &Bench, at: DateTime<Utc>) -> String {
    match bench.backend() {
        DbBackend::Sqlite => at.to_rfc3339(),
        _ => at.format("%Y-%m-%d %H:%M:%S%:z").to_string(),
    }
}

/// S1: 1,000 instance soft deletes, one at a time, in one transaction; the models are loaded
/// before timing.
fn instance_scenario(c: &mut Criterion, runtime: &Runtime, bench: &Bench) {
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
            let txn = bench.db.begin().await.expect("begin");
            for model in &models {
                let deleted = model.soft_delete(&txn).await.expect("ours");
                assert!(deleted.is_deleted());
            }
            txn.commit().await.expect("commit");
        },
    );
    variant(
        &mut group,
        "hand-written SeaORM",
        runtime,
        load,
        |models| async move {
            let txn = bench.db.begin().await.expect("begin");
            for model in &models {
                let deleted = soft_delete_by_hand(model, &txn).await;
                assert!(deleted.deleted_at.is_some());
            }
            txn.commit().await.expect("commit");
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

/// What a SeaORM user writes to soft-delete a loaded model: set the marker, save, get the row.
async fn soft_delete_by_hand<C: sea_orm::ConnectionTrait>(
    model: &item::Model,
    db: &C,
) -> item::Model {
    let mut active = model.clone().into_active_model();
    active.deleted_at = Set(Some(Utc::now()));
    active.update(db).await.expect("seaorm")
}

/// S2 (bulk soft delete of 10,000 of 20,000 rows) and S3 (their bulk restore).
fn bulk_scenarios(c: &mut Criterion, runtime: &Runtime, bench: &Bench) {
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
            let txn = bench.db.begin().await.expect("begin");
            let done = item::Entity::soft_delete_many()
                .filter(item::Column::Sku.lt(cutoff.as_str()))
                .exec(&txn)
                .await
                .expect("ours");
            txn.commit().await.expect("commit");
            assert_eq!(done.rows_affected, HALF as u64);
        },
    );
    variant(
        &mut group,
        "hand-written SeaORM",
        runtime,
        restore_all,
        |()| async {
            let txn = bench.db.begin().await.expect("begin");
            let done = item::Entity::update_many()
                .col_expr(item::Column::DeletedAt, Expr::value(Some(Utc::now())))
                .filter(item::Column::Sku.lt(cutoff.as_str()))
                .filter(item::Column::DeletedAt.is_null())
                .exec(&txn)
                .await
                .expect("seaorm");
            txn.commit().await.expect("commit");
            assert_eq!(done.rows_affected, HALF as u64);
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
            let txn = bench.db.begin().await.expect("begin");
            let done = item::Entity::restore_many()
                .filter(item::Column::Sku.lt(cutoff.as_str()))
                .exec(&txn)
                .await
                .expect("ours");
            txn.commit().await.expect("commit");
            assert_eq!(done.rows_affected, HALF as u64);
        },
    );
    variant(
        &mut group,
        "hand-written SeaORM",
        runtime,
        trash_half,
        |()| async {
            let txn = bench.db.begin().await.expect("begin");
            let done = item::Entity::update_many()
                .col_expr(
                    item::Column::DeletedAt,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .filter(item::Column::Sku.lt(cutoff.as_str()))
                .filter(item::Column::DeletedAt.is_not_null())
                .exec(&txn)
                .await
                .expect("seaorm");
            txn.commit().await.expect("commit");
            assert_eq!(done.rows_affected, HALF as u64);
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

/// S4 (soft delete of the 10 categories, cascading to 1,000 products and 10,000 reviews) and
/// S4b (its cascade restore).
fn cascade_scenarios(c: &mut Criterion, runtime: &Runtime, bench: &Bench) {
    runtime.block_on(async {
        shapes::fill_catalog(&bench.db, Catalog::S4)
            .await
            .expect("fill");
        bench
            .prepare_for_updates(&["bench_category", "bench_product", "bench_review"])
            .await;
    });
    let rows = Catalog::S4.rows() as u64;
    let ours = bench.statements(
        runtime,
        category::Entity::soft_delete_many().exec(&bench.db),
    );
    let restore = bench.statements(runtime, category::Entity::restore_many().exec(&bench.db));
    println!(
        "statements ({}): S4 ours {ours}, hand-written 3, raw 3; S4b ours {restore}, hand-written 3, raw 3",
        bench.name
    );
    let tables = ["bench_category", "bench_product", "bench_review"];
    let restore_all = || async {
        for table in tables {
            let sql = format!("UPDATE {table} SET deleted_at = NULL, deleted_batch = NULL");
            bench.setup(&sql).await;
        }
        bench.settle(&tables).await;
    };

    let mut group = configured(
        c,
        format!("S4 cascade soft delete 11,010 rows ({})", bench.name),
        10,
        4,
    );
    variant(
        &mut group,
        "soft-delete-core",
        runtime,
        restore_all,
        |()| async {
            let txn = bench.db.begin().await.expect("begin");
            let done = category::Entity::soft_delete_many()
                .exec(&txn)
                .await
                .expect("ours");
            txn.commit().await.expect("commit");
            let cascaded: u64 = done.cascaded.iter().map(|(_, rows)| rows).sum();
            assert_eq!(done.rows_affected + cascaded, rows);
        },
    );
    variant(
        &mut group,
        "hand-written SeaORM",
        runtime,
        restore_all,
        |()| async {
            let txn = bench.db.begin().await.expect("begin");
            assert_eq!(cascade_soft_delete_by_hand(&txn).await, rows);
            txn.commit().await.expect("commit");
        },
    );
    variant(
        &mut group,
        "raw SQL (sqlx)",
        runtime,
        restore_all,
        |()| async {
            let at = Utc::now();
            let statements = [
                Raw::new(
                    "UPDATE bench_category SET deleted_at = ? WHERE deleted_at IS NULL",
                    "UPDATE bench_category SET deleted_at = $1 WHERE deleted_at IS NULL",
                    vec![Arg::Time(at)],
                ),
                Raw::new(
                    "UPDATE bench_product SET deleted_at = ?1 WHERE deleted_at IS NULL AND category_id IN \
                         (SELECT id FROM bench_category WHERE deleted_at = ?1)",
                    "UPDATE bench_product SET deleted_at = $1 WHERE deleted_at IS NULL AND category_id IN \
                         (SELECT id FROM bench_category WHERE deleted_at = $1)",
                    vec![Arg::Time(at)],
                ),
                Raw::new(
                    "UPDATE bench_review SET deleted_at = ?1 WHERE deleted_at IS NULL AND product_id IN \
                         (SELECT id FROM bench_product WHERE deleted_at = ?1)",
                    "UPDATE bench_review SET deleted_at = $1 WHERE deleted_at IS NULL AND product_id IN \
                         (SELECT id FROM bench_product WHERE deleted_at = $1)",
                    vec![Arg::Time(at)],
                ),
            ];
            assert_eq!(bench.raw_execute(&statements).await, rows);
        },
    );
    group.finish();

    // S4b starts from the state each variant's own S4 leaves: ours needs its batch ids, the
    // others find a parent's children by its timestamp.
    let trashed_by_us = || async {
        restore_all().await;
        category::Entity::soft_delete_many()
            .exec(&bench.db)
            .await
            .expect("ours");
        bench.settle(&tables).await;
    };
    let trashed_by_hand = || async {
        restore_all().await;
        assert_eq!(cascade_soft_delete_by_hand(&bench.db).await, rows);
        bench.settle(&tables).await;
    };
    let mut group = configured(
        c,
        format!("S4b cascade restore 11,010 rows ({})", bench.name),
        10,
        4,
    );
    variant(
        &mut group,
        "soft-delete-core",
        runtime,
        trashed_by_us,
        |()| async {
            let txn = bench.db.begin().await.expect("begin");
            let done = category::Entity::restore_many()
                .exec(&txn)
                .await
                .expect("ours");
            txn.commit().await.expect("commit");
            let cascaded: u64 = done.cascaded.iter().map(|(_, rows)| rows).sum();
            assert_eq!(done.rows_affected + cascaded, rows);
        },
    );
    variant(
        &mut group,
        "hand-written SeaORM",
        runtime,
        trashed_by_hand,
        |()| async {
            let txn = bench.db.begin().await.expect("begin");
            assert_eq!(cascade_restore_by_hand(&txn).await, rows);
            txn.commit().await.expect("commit");
        },
    );
    variant(
        &mut group,
        "raw SQL (sqlx)",
        runtime,
        trashed_by_hand,
        |()| async {
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
        },
    );
    group.finish();
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

/// S5a (read 100 active rows) and S5b (count active rows) among 100,000 with 10,000 active.
fn read_scenarios(c: &mut Criterion, runtime: &Runtime, bench: &Bench) {
    runtime.block_on(async {
        shapes::fill_items(&bench.db, 100_000, |row| {
            (!row.is_multiple_of(10)).then(long_ago)
        })
        .await
        .expect("fill");
        bench.analyze().await;
    });
    let read = bench.statements(runtime, item::Entity::objects().limit(100).all(&bench.db));
    let count = bench.statements(runtime, item::Entity::objects().count(&bench.db));
    println!(
        "statements ({}): S5a ours {read}, hand-written 1, raw 1; S5b ours {count}, hand-written 1, raw 1",
        bench.name
    );
    let nothing = || async {};
    let mut group = configured(
        c,
        format!("S5a read 100 active of 100,000 ({})", bench.name),
        20,
        3,
    );
    variant(
        &mut group,
        "soft-delete-core",
        runtime,
        nothing,
        |()| async {
            let txn = bench.db.begin().await.expect("begin");
            let rows = item::Entity::objects()
                .order_by_asc(item::Column::Id)
                .limit(100)
                .all(&txn)
                .await
                .expect("ours");
            txn.commit().await.expect("commit");
            assert_eq!(rows.len(), 100);
        },
    );
    variant(
        &mut group,
        "hand-written SeaORM",
        runtime,
        nothing,
        |()| async {
            let txn = bench.db.begin().await.expect("begin");
            let rows = item::Entity::find()
                .filter(item::Column::DeletedAt.is_null())
                .order_by_asc(item::Column::Id)
                .limit(100)
                .all(&txn)
                .await
                .expect("seaorm");
            txn.commit().await.expect("commit");
            assert_eq!(rows.len(), 100);
        },
    );
    variant(&mut group, "raw SQL (sqlx)", runtime, nothing, |()| async {
        let statement = Raw::same(
            "SELECT id, sku, deleted_at FROM bench_item WHERE deleted_at IS NULL \
                     ORDER BY id LIMIT 100",
            Vec::new(),
        );
        assert_eq!(bench.raw_fetch(&[statement]).await, 100);
    });
    group.finish();

    let mut group = configured(
        c,
        format!("S5b count active of 100,000 ({})", bench.name),
        20,
        3,
    );
    variant(
        &mut group,
        "soft-delete-core",
        runtime,
        nothing,
        |()| async {
            let txn = bench.db.begin().await.expect("begin");
            let count = item::Entity::objects().count(&txn).await.expect("ours");
            txn.commit().await.expect("commit");
            assert_eq!(count, 10_000);
        },
    );
    variant(
        &mut group,
        "hand-written SeaORM",
        runtime,
        nothing,
        |()| async {
            let txn = bench.db.begin().await.expect("begin");
            let count = item::Entity::find()
                .filter(item::Column::DeletedAt.is_null())
                .count(&txn)
                .await
                .expect("seaorm");
            txn.commit().await.expect("commit");
            assert_eq!(count, 10_000);
        },
    );
    variant(&mut group, "raw SQL (sqlx)", runtime, nothing, |()| async {
        let sql = "SELECT COUNT(*) FROM bench_item WHERE deleted_at IS NULL";
        assert_eq!(bench.raw_count(sql).await, 10_000);
    });
    group.finish();
}

/// S8: purge the 1,000 rows trashed before the cutoff among 100,000 (1,000 more trashed after
/// it, the rest active). The expired rows are (re)inserted, untimed, before each run.
fn purge_scenario(c: &mut Criterion, runtime: &Runtime, bench: &Bench) {
    let cutoff = Utc
        .with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    let recently = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    let expired = |row: usize| row.is_multiple_of(100);
    runtime.block_on(async {
        shapes::fill_items(&bench.db, 100_000, |row| match row % 100 {
            0 => Some(long_ago()),
            1 => Some(recently),
            _ => None,
        })
        .await
        .expect("fill");
        bench.prepare_for_updates(&["bench_item"]).await;
    });
    let cutoff_literal = timestamp_literal(bench, cutoff);
    let put_back = || async {
        let sql = format!("DELETE FROM bench_item WHERE deleted_at < '{cutoff_literal}'");
        bench.setup(&sql).await;
        shapes::insert_items(&bench.db, (0..100_000).filter(|row| expired(*row)), |_| {
            Some(long_ago())
        })
        .await
        .expect("put back");
        bench.settle(&["bench_item"]).await;
    };
    let ours = bench.statements(runtime, item::Entity::purge_trash(cutoff).exec(&bench.db));
    println!(
        "statements ({}): S8 ours {ours}, hand-written 1, raw 1",
        bench.name
    );

    let mut group = configured(
        c,
        format!("S8 purge 1,000 expired of 100,000 ({})", bench.name),
        10,
        4,
    );
    variant(
        &mut group,
        "soft-delete-core",
        runtime,
        put_back,
        |()| async {
            let txn = bench.db.begin().await.expect("begin");
            let done = item::Entity::purge_trash(cutoff)
                .exec(&txn)
                .await
                .expect("ours");
            txn.commit().await.expect("commit");
            assert_eq!(done.rows_removed, 1_000);
        },
    );
    variant(
        &mut group,
        "hand-written SeaORM",
        runtime,
        put_back,
        |()| async {
            let txn = bench.db.begin().await.expect("begin");
            let done = item::Entity::delete_many()
                .filter(item::Column::DeletedAt.lt(cutoff))
                .exec(&txn)
                .await
                .expect("seaorm");
            txn.commit().await.expect("commit");
            assert_eq!(done.rows_affected, 1_000);
        },
    );
    variant(
        &mut group,
        "raw SQL (sqlx)",
        runtime,
        put_back,
        |()| async {
            let statement = Raw::new(
                "DELETE FROM bench_item WHERE deleted_at < ?",
                "DELETE FROM bench_item WHERE deleted_at < $1",
                vec![Arg::Time(cutoff)],
            );
            assert_eq!(bench.raw_execute(&[statement]).await, 1_000);
        },
    );
    group.finish();
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

criterion_group!(benches, scenarios);
criterion_main!(benches);
