//! How reads of active rows slow down as the trash grows: S5a (read 100 active rows) and S5b
//! (count them) with 10,000 active rows among 0 to 1,000,000 trashed ones, with and without the
//! active-rows index (`schema::active_index`). SQLite (a file) always; PostgreSQL and MariaDB
//! when `SOFT_DELETE_BENCH_POSTGRES_URL` / `SOFT_DELETE_BENCH_MARIADB_URL` are set.
//!
//! `cargo bench -p soft-delete-bench --bench trash_growth`, then `cargo run -p soft-delete-bench --bin bench_report`
//! to draw the curve from criterion's results.

mod shapes;
mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use sea_orm::{ConnectionTrait, PaginatorTrait, QueryOrder, QuerySelect};
use shapes::item;
use soft_delete_core::schema;
use support::{Bench, variant};
use tokio::runtime::Runtime;

const ACTIVE: usize = 10_000;
/// Trashed rows at each point of the curve; each total is a multiple of `ACTIVE`, so the active
/// rows can be spread evenly among the trashed ones.
const TRASH: [usize; 5] = [0, 10_000, 100_000, 300_000, 1_000_000];
const ACTIVE_INDEX: &str = "bench_item_active";

fn trash_growth(c: &mut Criterion) {
    let runtime = Runtime::new().expect("runtime");
    for (name, url) in support::backends("soft_delete_growth.sqlite") {
        let bench = runtime.block_on(Bench::connect(name, &url));
        for trash in TRASH {
            runtime.block_on(fill(&bench, trash));
            let mut group = c.benchmark_group(format!("growth_{name}_trash_{trash}"));
            group
                .sample_size(10)
                .warm_up_time(std::time::Duration::from_secs(2))
                .measurement_time(std::time::Duration::from_secs(2));
            for indexed in [false, true] {
                if indexed {
                    runtime.block_on(create_active_index(&bench));
                }
                let suffix = if indexed {
                    "with_index"
                } else {
                    "without_index"
                };
                variant(
                    &mut group,
                    &format!("S5a_{suffix}"),
                    &runtime,
                    || async {},
                    |()| async {
                        let rows = item::Entity::objects()
                            .order_by_asc(item::Column::Id)
                            .limit(100)
                            .all(&bench.db)
                            .await
                            .expect("read");
                        assert_eq!(rows.len(), 100);
                    },
                );
                variant(
                    &mut group,
                    &format!("S5b_{suffix}"),
                    &runtime,
                    || async {},
                    |()| async {
                        let count = item::Entity::objects().count(&bench.db).await;
                        assert_eq!(count.expect("count"), ACTIVE as u64);
                    },
                );
            }
            group.finish();
        }
    }
}

/// Replaces `bench_item` with `ACTIVE` active rows spread evenly among `trash` trashed ones.
async fn fill(bench: &Bench, trash: usize) {
    let rows = trash + ACTIVE;
    let every = rows / ACTIVE;
    let trashed = bench.time_sql(shapes::long_ago());
    let deleted_at = format!("CASE WHEN i % {every} = 0 THEN NULL ELSE {trashed} END");
    bench.generate_items(rows, &deleted_at).await;
}

async fn create_active_index(bench: &Bench) {
    let index =
        schema::active_index::<item::Entity>(ACTIVE_INDEX, &[item::Column::Id], bench.backend());
    bench.db.execute(&index).await.expect("active index");
    bench.analyze(&["bench_item"]).await;
}

criterion_group!(benches, trash_growth);
criterion_main!(benches);
