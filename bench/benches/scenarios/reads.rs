//! S5a and S5b: reads of active rows among trashed ones.

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::shapes::{self, item, long_ago};
use crate::support::run::{Scenario, Variant, nothing, step};
use crate::support::{Bench, Raw};

/// S5a (read 100 active rows) and S5b (count active rows) among 100,000 with 10,000 active.
pub(crate) fn scenarios(bench: &Bench) -> Vec<Scenario<'_>> {
    let prepare = step(move || async move {
        shapes::fill_items(&bench.db, 100_000, |row| {
            (!row.is_multiple_of(10)).then(long_ago)
        })
        .await
        .expect("fill");
        bench.analyze(&["bench_item"]).await;
    });
    let read = Scenario {
        id: "S5a",
        title: "read 100 active of 100,000".into(),
        prepare: prepare.clone(),
        variants: vec![
            Variant::new(
                "ours",
                nothing(),
                step(move || async move {
                    bench
                        .in_transaction(async |txn| read_first_100(txn).await)
                        .await;
                }),
            ),
            Variant::new(
                "hand-written",
                nothing(),
                step(move || async move {
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
                }),
            ),
            Variant::raw(
                "raw",
                nothing(),
                step(move || async move {
                    let statement = Raw::same(
                        "SELECT id, sku, deleted_at FROM bench_item WHERE deleted_at IS NULL \
                         ORDER BY id LIMIT 100",
                        Vec::new(),
                    );
                    assert_eq!(bench.raw_fetch(&[statement]).await, 100);
                }),
                1,
            ),
            Variant::new(
                "ours, leak guard (warn)",
                nothing(),
                step(move || async move {
                    bench
                        .in_guarded_transaction(async |txn| read_first_100(txn).await)
                        .await;
                }),
            ),
            Variant::new(
                "ours, leak observer",
                nothing(),
                step(move || async move {
                    bench
                        .in_observed_transaction(async |txn| read_first_100(txn).await)
                        .await;
                }),
            ),
        ],
        ratios: vec![(0, 1), (0, 2), (3, 0), (4, 0)],
        runs_per_sample: 20,
        criterion: (20, 3),
    };
    let count = Scenario {
        id: "S5b",
        title: "count active of 100,000".into(),
        prepare,
        variants: vec![
            Variant::new(
                "ours",
                nothing(),
                step(move || async move {
                    bench
                        .in_transaction(async |txn| {
                            let count = item::Entity::objects().count(txn).await.expect("ours");
                            assert_eq!(count, 10_000);
                        })
                        .await;
                }),
            ),
            Variant::new(
                "hand-written",
                nothing(),
                step(move || async move {
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
                }),
            ),
            Variant::raw(
                "raw",
                nothing(),
                step(move || async move {
                    let sql = "SELECT COUNT(*) FROM bench_item WHERE deleted_at IS NULL";
                    assert_eq!(bench.raw_count(sql).await, 10_000);
                }),
                1,
            ),
        ],
        ratios: Vec::new(),
        runs_per_sample: 5,
        criterion: (20, 3),
    }
    .against_first();
    vec![read, count]
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
