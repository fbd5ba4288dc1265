//! S8: purge of expired trash.

use chrono::{TimeZone, Utc};
use criterion::Criterion;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tokio::runtime::Runtime;

use crate::shapes::{self, item, long_ago};
use crate::support::{Arg, Bench, Raw, configured, variant};
use crate::timestamp_literal;

/// S8: purge the 1,000 rows trashed before the cutoff among 100,000 (1,000 more trashed after
/// it, the rest active). The expired rows are (re)inserted, untimed, before each run.
pub(crate) fn scenario(c: &mut Criterion, runtime: &Runtime, bench: &Bench) {
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
            bench
                .in_transaction(async |txn| {
                    let done = item::Entity::purge_trash(cutoff)
                        .exec(txn)
                        .await
                        .expect("ours");
                    assert_eq!(done.rows_removed, 1_000);
                })
                .await;
        },
    );
    variant(
        &mut group,
        "hand-written SeaORM",
        runtime,
        put_back,
        |()| async {
            bench
                .in_transaction(async |txn| {
                    let done = item::Entity::delete_many()
                        .filter(item::Column::DeletedAt.lt(cutoff))
                        .exec(txn)
                        .await
                        .expect("seaorm");
                    assert_eq!(done.rows_affected, 1_000);
                })
                .await;
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
