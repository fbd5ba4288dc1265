//! Our API against the equivalent hand-written SeaORM code and raw SQL (sqlx), on the same data,
//! for the scenarios of `BENCHMARKS.md`. SQLite (a file database) always; PostgreSQL when
//! `SOFT_DELETE_BENCH_POSTGRES_URL` names a database the benchmark may create tables in.
//!
//! `cargo bench --bench scenarios`; statement counts are printed before the timings.

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::runtime::Runtime;

mod item {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "bench_item")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub sku: String,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

fn long_ago() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

fn sku(i: usize) -> String {
    format!("SKU-{i:06}")
}

/// A database with the `bench_item` table, and a count of the statements sent through it.
struct Bench {
    name: &'static str,
    db: DatabaseConnection,
    statements: Arc<AtomicUsize>,
}

impl Bench {
    async fn connect(name: &'static str, url: &str) -> Self {
        let mut options = ConnectOptions::new(url);
        options.sqlx_logging(false).max_connections(1);
        let mut db = Database::connect(options).await.expect("connect");
        let statements = Arc::new(AtomicUsize::new(0));
        let counter = statements.clone();
        db.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        Bench {
            name,
            db,
            statements,
        }
    }

    /// `rows` items, `sku = 'SKU-000000'..`, trashed long ago where `trashed(i)`.
    async fn reset(&self, rows: usize, trashed: impl Fn(usize) -> bool) {
        self.db
            .execute_unprepared("DROP TABLE IF EXISTS bench_item")
            .await
            .expect("drop");
        soft_delete_core::schema::create_table::<item::Entity, _>(&self.db)
            .await
            .expect("create");
        self.db
            .execute_unprepared("CREATE UNIQUE INDEX bench_item_sku ON bench_item (sku)")
            .await
            .expect("index");
        let txn = self.db.begin().await.expect("begin");
        let all: Vec<usize> = (0..rows).collect();
        for chunk in all.chunks(1_000) {
            let models = chunk.iter().map(|i| item::ActiveModel {
                id: Set(*i as i32 + 1),
                sku: Set(sku(*i)),
                deleted_at: Set(trashed(*i).then(long_ago)),
            });
            item::Entity::insert_many(models)
                .exec(&txn)
                .await
                .expect("insert");
        }
        txn.commit().await.expect("commit");
    }

    fn sent(&self) -> usize {
        self.statements.load(Ordering::Relaxed)
    }

    /// Runs a statement through sqlx directly, in a transaction: `sqlite` or `postgres`
    /// (the same SQL with that backend's placeholders).
    async fn raw(&self, sqlite: &'static str, postgres: &'static str, args: &[Arg]) -> u64 {
        use sea_orm::sqlx;
        match self.db.get_database_backend() {
            DbBackend::Sqlite => {
                let mut txn = self
                    .db
                    .get_sqlite_connection_pool()
                    .begin()
                    .await
                    .expect("begin");
                let mut query = sqlx::query(sqlite);
                for arg in args {
                    query = match arg {
                        Arg::Text(text) => query.bind(text.clone()),
                        Arg::Time(at) => query.bind(*at),
                    };
                }
                let done = query.execute(&mut *txn).await.expect("raw");
                txn.commit().await.expect("commit");
                done.rows_affected()
            }
            _ => {
                let mut txn = self
                    .db
                    .get_postgres_connection_pool()
                    .begin()
                    .await
                    .expect("begin");
                let mut query = sqlx::query(postgres);
                for arg in args {
                    query = match arg {
                        Arg::Text(text) => query.bind(text.clone()),
                        Arg::Time(at) => query.bind(*at),
                    };
                }
                let done = query.execute(&mut *txn).await.expect("raw");
                txn.commit().await.expect("commit");
                done.rows_affected()
            }
        }
    }

    /// Runs a raw `SELECT` returning one count, in a transaction.
    async fn raw_count(&self, sql: &'static str) -> i64 {
        use sea_orm::sqlx;
        match self.db.get_database_backend() {
            DbBackend::Sqlite => {
                let mut txn = self
                    .db
                    .get_sqlite_connection_pool()
                    .begin()
                    .await
                    .expect("begin");
                let (count,): (i64,) = sqlx::query_as(sql).fetch_one(&mut *txn).await.expect("raw");
                txn.commit().await.expect("commit");
                count
            }
            _ => {
                let mut txn = self
                    .db
                    .get_postgres_connection_pool()
                    .begin()
                    .await
                    .expect("begin");
                let (count,): (i64,) = sqlx::query_as(sql).fetch_one(&mut *txn).await.expect("raw");
                txn.commit().await.expect("commit");
                count
            }
        }
    }

    /// Runs a raw `SELECT` of rows, in a transaction; returns how many came back.
    async fn raw_rows(&self, sql: &'static str) -> usize {
        use sea_orm::sqlx;
        match self.db.get_database_backend() {
            DbBackend::Sqlite => {
                let mut txn = self
                    .db
                    .get_sqlite_connection_pool()
                    .begin()
                    .await
                    .expect("begin");
                let rows = sqlx::query(sql).fetch_all(&mut *txn).await.expect("raw");
                txn.commit().await.expect("commit");
                rows.len()
            }
            _ => {
                let mut txn = self
                    .db
                    .get_postgres_connection_pool()
                    .begin()
                    .await
                    .expect("begin");
                let rows = sqlx::query(sql).fetch_all(&mut *txn).await.expect("raw");
                txn.commit().await.expect("commit");
                rows.len()
            }
        }
    }
}

enum Arg {
    Text(String),
    Time(DateTime<Utc>),
}

/// Times `op` `iters` times, running `setup` (untimed) before each.
async fn timed<S, SF, O, OF>(iters: u64, mut setup: S, mut op: O) -> Duration
where
    S: FnMut() -> SF,
    SF: std::future::Future<Output = ()>,
    O: FnMut() -> OF,
    OF: std::future::Future<Output = ()>,
{
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        setup().await;
        let started = Instant::now();
        op().await;
        total += started.elapsed();
    }
    total
}

const HALF: usize = 10_000;

fn scenarios(c: &mut Criterion) {
    let runtime = Runtime::new().expect("runtime");
    let dir = std::env::temp_dir().join("soft_delete_bench.sqlite");
    let _ = std::fs::remove_file(&dir);
    let mut backends = vec![("sqlite", format!("sqlite://{}?mode=rwc", dir.display()))];
    if let Ok(url) = std::env::var("SOFT_DELETE_BENCH_POSTGRES_URL") {
        backends.push(("postgres", url));
    }
    for (name, url) in backends {
        let bench = runtime.block_on(Bench::connect(name, &url));
        bulk_scenarios(c, &runtime, &bench);
        read_scenarios(c, &runtime, &bench);
    }
}

/// A benchmark group with `samples` samples over `seconds` seconds, after a one-second warm-up:
/// enough for the slow bulk scenarios without making the suite long.
fn configured<'c>(
    c: &'c mut Criterion,
    name: String,
    samples: usize,
    seconds: u64,
) -> criterion::BenchmarkGroup<'c, criterion::measurement::WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(samples)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(seconds));
    group
}

/// Statements one run of `op` sends, counted by SeaORM's metric callback (raw SQL sends one by
/// construction; BEGIN and COMMIT are not counted for any variant).
fn statements<F: std::future::Future<Output = ()>>(
    runtime: &Runtime,
    bench: &Bench,
    op: F,
) -> usize {
    let before = bench.sent();
    runtime.block_on(op);
    bench.sent() - before
}

/// S2 (bulk soft delete of 10,000 of 20,000 rows) and S3 (their bulk restore).
fn bulk_scenarios(c: &mut Criterion, runtime: &Runtime, bench: &Bench) {
    runtime.block_on(bench.reset(20_000, |_| false));
    let cutoff = sku(HALF);
    let ours = statements(runtime, bench, async {
        item::Entity::soft_delete_many()
            .filter(item::Column::Sku.lt(cutoff.as_str()))
            .exec(&bench.db)
            .await
            .expect("ours");
    });
    let restore = statements(runtime, bench, async {
        item::Entity::restore_many()
            .filter(item::Column::Sku.lt(cutoff.as_str()))
            .exec(&bench.db)
            .await
            .expect("ours");
    });
    println!(
        "statements ({}): S2 ours {ours}, hand-written 1, raw 1; S3 ours {restore}, hand-written 1, raw 1",
        bench.name
    );
    let restore_all = || async {
        bench
            .db
            .execute_unprepared("UPDATE bench_item SET deleted_at = NULL")
            .await
            .expect("reset");
    };
    let trash_half = || async {
        let sql = format!(
            "UPDATE bench_item SET deleted_at = '{}' WHERE sku < '{}'",
            soft_delete_stamp(bench),
            sku(HALF)
        );
        bench.db.execute_unprepared(&sql).await.expect("reset");
    };
    let mut group = configured(
        c,
        format!("S2 bulk soft delete 10,000 of 20,000 ({})", bench.name),
        10,
        4,
    );
    group.bench_function("soft-delete-core", |b| {
        b.to_async(runtime).iter_custom(|iters| {
            timed(iters, restore_all, || async {
                let txn = bench.db.begin().await.expect("begin");
                let done = item::Entity::soft_delete_many()
                    .filter(item::Column::Sku.lt(cutoff.as_str()))
                    .exec(&txn)
                    .await
                    .expect("ours");
                txn.commit().await.expect("commit");
                assert_eq!(done.rows_affected, HALF as u64);
            })
        })
    });
    group.bench_function("hand-written SeaORM", |b| {
        b.to_async(runtime).iter_custom(|iters| {
            timed(iters, restore_all, || async {
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
            })
        })
    });
    group.bench_function("raw SQL (sqlx)", |b| {
        b.to_async(runtime).iter_custom(|iters| {
            timed(iters, restore_all, || async {
                let done = bench
                .raw(
                    "UPDATE bench_item SET deleted_at = ? WHERE sku < ? AND deleted_at IS NULL",
                    "UPDATE bench_item SET deleted_at = $1 WHERE sku < $2 AND deleted_at IS NULL",
                    &[Arg::Time(Utc::now()), Arg::Text(cutoff.clone())],
                )
                .await;
                assert_eq!(done, HALF as u64);
            })
        })
    });
    group.finish();

    let mut group = configured(c, format!("S3 bulk restore 10,000 ({})", bench.name), 10, 4);
    group.bench_function("soft-delete-core", |b| {
        b.to_async(runtime).iter_custom(|iters| {
            timed(iters, trash_half, || async {
                let txn = bench.db.begin().await.expect("begin");
                let done = item::Entity::restore_many()
                    .filter(item::Column::Sku.lt(cutoff.as_str()))
                    .exec(&txn)
                    .await
                    .expect("ours");
                txn.commit().await.expect("commit");
                assert_eq!(done.rows_affected, HALF as u64);
            })
        })
    });
    group.bench_function("hand-written SeaORM", |b| {
        b.to_async(runtime).iter_custom(|iters| {
            timed(iters, trash_half, || async {
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
            })
        })
    });
    group.bench_function("raw SQL (sqlx)", |b| {
        b.to_async(runtime).iter_custom(|iters| timed(iters, trash_half, || async {
            let done = bench
                .raw(
                    "UPDATE bench_item SET deleted_at = NULL WHERE sku < ? AND deleted_at IS NOT NULL",
                    "UPDATE bench_item SET deleted_at = NULL WHERE sku < $1 AND deleted_at IS NOT NULL",
                    &[Arg::Text(cutoff.clone())],
                )
                .await;
            assert_eq!(done, HALF as u64);
        }))
    });
    group.finish();
}

fn soft_delete_stamp(bench: &Bench) -> String {
    match bench.db.get_database_backend() {
        DbBackend::Sqlite => "2020-01-01T00:00:00+00:00".to_owned(),
        _ => "2020-01-01 00:00:00+00".to_owned(),
    }
}

/// S5a (read 100 active rows) and S5b (count active rows) among 100,000 with 10,000 active.
fn read_scenarios(c: &mut Criterion, runtime: &Runtime, bench: &Bench) {
    runtime.block_on(bench.reset(100_000, |i| i % 10 != 0));
    let read = statements(runtime, bench, async {
        item::Entity::objects()
            .limit(100)
            .all(&bench.db)
            .await
            .expect("ours");
    });
    let count = statements(runtime, bench, async {
        item::Entity::objects()
            .count(&bench.db)
            .await
            .expect("ours");
    });
    println!(
        "statements ({}): S5a ours {read}, hand-written 1, raw 1; S5b ours {count}, hand-written 1, raw 1",
        bench.name
    );
    let noop = || async {};
    let mut group = configured(
        c,
        format!("S5a read 100 active of 100,000 ({})", bench.name),
        20,
        3,
    );
    group.bench_function("soft-delete-core", |b| {
        b.to_async(runtime).iter_custom(|iters| {
            timed(iters, noop, || async {
                let txn = bench.db.begin().await.expect("begin");
                let rows = item::Entity::objects()
                    .order_by_asc(item::Column::Id)
                    .limit(100)
                    .all(&txn)
                    .await
                    .expect("ours");
                txn.commit().await.expect("commit");
                assert_eq!(rows.len(), 100);
            })
        })
    });
    group.bench_function("hand-written SeaORM", |b| {
        b.to_async(runtime).iter_custom(|iters| {
            timed(iters, noop, || async {
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
            })
        })
    });
    group.bench_function("raw SQL (sqlx)", |b| {
        b.to_async(runtime).iter_custom(|iters| timed(iters, noop, || async {
            let sql = "SELECT id, sku, deleted_at FROM bench_item WHERE deleted_at IS NULL ORDER BY id LIMIT 100";
            assert_eq!(bench.raw_rows(sql).await, 100);
        }))
    });
    group.finish();

    let mut group = configured(
        c,
        format!("S5b count active of 100,000 ({})", bench.name),
        20,
        3,
    );
    group.bench_function("soft-delete-core", |b| {
        b.to_async(runtime).iter_custom(|iters| {
            timed(iters, noop, || async {
                let txn = bench.db.begin().await.expect("begin");
                assert_eq!(
                    item::Entity::objects().count(&txn).await.expect("ours"),
                    10_000
                );
                txn.commit().await.expect("commit");
            })
        })
    });
    group.bench_function("hand-written SeaORM", |b| {
        b.to_async(runtime).iter_custom(|iters| {
            timed(iters, noop, || async {
                let txn = bench.db.begin().await.expect("begin");
                let count = item::Entity::find()
                    .filter(item::Column::DeletedAt.is_null())
                    .count(&txn)
                    .await
                    .expect("seaorm");
                txn.commit().await.expect("commit");
                assert_eq!(count, 10_000);
            })
        })
    });
    group.bench_function("raw SQL (sqlx)", |b| {
        b.to_async(runtime).iter_custom(|iters| {
            timed(iters, noop, || async {
                assert_eq!(
                    bench
                        .raw_count("SELECT COUNT(*) FROM bench_item WHERE deleted_at IS NULL")
                        .await,
                    10_000
                );
            })
        })
    });
    group.finish();
}

criterion_group!(benches, scenarios);
criterion_main!(benches);
