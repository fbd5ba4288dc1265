//! S5a and S5b: reads of active rows among trashed ones.

use criterion::Criterion;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use tokio::runtime::Runtime;

use crate::shapes::{self, item, long_ago};
use crate::support::{Bench, Raw, configured, variant};

/// S5a (read 100 active rows) and S5b (count active rows) among 100,000 with 10,000 active.
pub(crate) fn scenarios(c: &mut Criterion, runtime: &Runtime, bench: &Bench) {
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
            bench
                .in_transaction(async |txn| {
                    read_first_100(txn).await;
                })
                .await;
        },
    );
    variant(
        &mut group,
        "soft-delete-core, leak guard (warn)",
        runtime,
        nothing,
        |()| async {
            bench
                .in_guarded_transaction(async |txn| {
                    read_first_100(txn).await;
                })
                .await;
        },
    );
    variant(
        &mut group,
        "hand-written SeaORM",
        runtime,
        nothing,
        |()| async {
            bench
                .in_transaction(async |txn| {
                    let rows = item::Entity::find()
                        .filter(item::Column::DeletedAt.is_null())
                        .order_by_asc(item::Column::Id)
                        .limit(100)
                        .all(txn)
                        .await
                        .expect("seaorm");
                    assert_eq!(rows.len(), 100);
                })
                .await;
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
            bench
                .in_transaction(async |txn| {
                    let count = item::Entity::objects().count(txn).await.expect("ours");
                    assert_eq!(count, 10_000);
                })
                .await;
        },
    );
    variant(
        &mut group,
        "hand-written SeaORM",
        runtime,
        nothing,
        |()| async {
            bench
                .in_transaction(async |txn| {
                    let count = item::Entity::find()
                        .filter(item::Column::DeletedAt.is_null())
                        .count(txn)
                        .await
                        .expect("seaorm");
                    assert_eq!(count, 10_000);
                })
                .await;
        },
    );
    variant(&mut group, "raw SQL (sqlx)", runtime, nothing, |()| async {
        let sql = "SELECT COUNT(*) FROM bench_item WHERE deleted_at IS NULL";
        assert_eq!(bench.raw_count(sql).await, 10_000);
    });
    group.finish();
}

/// S5a with our API, on a plain or a guarded transaction.
async fn read_first_100<C: ConnectionTrait>(txn: &C) {
    let rows = item::Entity::objects()
        .order_by_asc(item::Column::Id)
        .limit(100)
        .all(txn)
        .await
        .expect("ours");
    assert_eq!(rows.len(), 100);
}
