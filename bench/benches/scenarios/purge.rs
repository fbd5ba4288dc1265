//! S8 (purge of expired trash) and the purge at scale (P).

use chrono::{DateTime, TimeZone, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use soft_delete_core::schema;

use crate::shapes::{self, item, long_ago};
use crate::support::run::{Scenario, Variant, step};
use crate::support::{Arg, Bench, Raw};

fn cutoff() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

fn recently() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

/// Untimed, before each run: the expired rows back from `bench_expired`, a copy made once.
fn put_back(bench: &Bench) -> crate::support::run::Step<'_> {
    step(move || async move {
        let cutoff = bench.time_sql(cutoff());
        bench
            .setup(&format!(
                "DELETE FROM bench_item WHERE deleted_at < {cutoff}"
            ))
            .await;
        bench
            .setup("INSERT INTO bench_item SELECT * FROM bench_expired")
            .await;
        bench.settle(&["bench_item"]).await;
    })
}

/// `bench_expired`: a copy of the expired rows of `bench_item`, to put back before each run.
async fn keep_expired(bench: &Bench) {
    bench.setup("DROP TABLE IF EXISTS bench_expired").await;
    let cutoff = bench.time_sql(cutoff());
    bench
        .setup(&format!(
            "CREATE TABLE bench_expired AS SELECT * FROM bench_item WHERE deleted_at < {cutoff}"
        ))
        .await;
}

/// Ours: `purge_trash` in batches of `batch_size`, each its own transaction as a scheduled
/// purge runs them, or all in one transaction; removes `expected` rows.
fn purge_with_ours(
    bench: &Bench,
    batch_size: u64,
    one_transaction: bool,
    expected: u64,
) -> crate::support::run::Step<'_> {
    step(move || async move {
        let purge = item::Entity::purge_trash(cutoff()).batch_size(batch_size);
        let done = if one_transaction {
            bench
                .in_transaction(async |txn| purge.exec(txn).await)
                .await
        } else {
            purge.exec(&bench.db).await
        };
        assert_eq!(done.expect("ours").rows_removed, expected);
    })
}

/// Hand-written: one `DELETE .. WHERE deleted_at < cutoff`.
fn purge_by_hand(bench: &Bench, expected: u64) -> crate::support::run::Step<'_> {
    step(move || async move {
        let done = item::Entity::delete_many()
            .filter(item::Column::DeletedAt.lt(cutoff()))
            .exec(&bench.db)
            .await
            .expect("seaorm");
        assert_eq!(done.rows_affected, expected);
    })
}

/// S8: purge the 1,000 rows trashed before the cutoff among 100,000 (1,000 more trashed after
/// it, the rest active), in one transaction for every variant.
pub(crate) fn scenario(bench: &Bench) -> Scenario<'_> {
    let prepare = step(move || async move {
        shapes::fill_items(&bench.db, 100_000, |row| match row % 100 {
            0 => Some(long_ago()),
            1 => Some(recently()),
            _ => None,
        })
        .await
        .expect("fill");
        keep_expired(bench).await;
        bench.prepare_for_updates(&["bench_item"]).await;
    });
    Scenario {
        id: "S8",
        title: "purge 1,000 expired of 100,000".into(),
        prepare,
        variants: vec![
            Variant::new(
                "ours",
                put_back(bench),
                step(move || async move {
                    bench
                        .in_transaction(async |txn| {
                            let done = item::Entity::purge_trash(cutoff())
                                .exec(txn)
                                .await
                                .expect("ours");
                            assert_eq!(done.rows_removed, 1_000);
                        })
                        .await;
                }),
            ),
            Variant::new(
                "hand-written",
                put_back(bench),
                step(move || async move {
                    bench
                        .in_transaction(async |txn| {
                            let done = item::Entity::delete_many()
                                .filter(item::Column::DeletedAt.lt(cutoff()))
                                .exec(txn)
                                .await
                                .expect("seaorm");
                            assert_eq!(done.rows_affected, 1_000);
                        })
                        .await;
                }),
            ),
            Variant::raw(
                "raw",
                put_back(bench),
                step(move || async move {
                    let statement = Raw::new(
                        "DELETE FROM bench_item WHERE deleted_at < ?",
                        "DELETE FROM bench_item WHERE deleted_at < $1",
                        vec![Arg::Time(cutoff())],
                    );
                    assert_eq!(bench.raw_execute(&[statement]).await, 1_000);
                }),
                1,
            ),
        ],
        ratios: Vec::new(),
        runs_per_sample: 1,
        criterion: (10, 4),
    }
    .against_first()
}

/// P: `rows` items, one in ten expired, one in ten trashed recently, the rest active; our purge
/// against one hand-written `DELETE`, without and then with [`schema::purge_index`]. Ours runs
/// three ways: the default batches of 1,000, each a transaction of its own (as a scheduled purge
/// runs), batches of 10,000, and the default batches inside one transaction, which leaves out
/// the cost of committing each batch.
pub(crate) fn at_scale(bench: &Bench, rows: usize) -> Vec<Scenario<'_>> {
    let expired = (rows / 10) as u64;
    let fill = step(move || async move {
        let states = format!(
            "CASE i % 10 WHEN 0 THEN {} WHEN 1 THEN {} ELSE NULL END",
            bench.time_sql(long_ago()),
            bench.time_sql(recently()),
        );
        bench.generate_items(rows, &states).await;
        keep_expired(bench).await;
    });
    let add_index = step(move || async move {
        if let Some(index) =
            schema::purge_index::<item::Entity>("bench_item_trash", bench.backend())
        {
            bench.db.execute(&index).await.expect("purge index");
        }
        bench.analyze(&["bench_item"]).await;
    });
    let label = |rows: usize| match rows {
        n if n >= 1_000_000 && n.is_multiple_of(1_000_000) => format!("{}M", n / 1_000_000),
        n => format!("{}k", n / 1_000),
    };
    let mut scenarios = Vec::new();
    let mut steps = vec![(fill, "no index")];
    // MariaDB has no purge index (see `schema::purge_index`).
    if bench.backend() != sea_orm::DbBackend::MySql {
        steps.push((add_index, "purge index"));
    }
    for (prepare, index) in steps {
        scenarios.push(Scenario {
            id: "P",
            title: format!(
                "purge {} expired of {} rows, {index}",
                label(rows / 10),
                label(rows)
            ),
            prepare,
            variants: vec![
                Variant::new(
                    "ours",
                    put_back(bench),
                    purge_with_ours(bench, 1_000, false, expired),
                ),
                Variant::new("one DELETE", put_back(bench), purge_by_hand(bench, expired)),
                Variant::new(
                    "ours, batches of 10,000",
                    put_back(bench),
                    purge_with_ours(bench, 10_000, false, expired),
                ),
                Variant::new(
                    "ours, one transaction",
                    put_back(bench),
                    purge_with_ours(bench, 1_000, true, expired),
                ),
            ],
            ratios: vec![(0, 1), (2, 1), (3, 1)],
            runs_per_sample: 1,
            criterion: (10, 10),
        });
    }
    scenarios
}
