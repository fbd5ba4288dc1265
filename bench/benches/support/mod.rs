//! What every benchmark needs: a connection that counts the statements it sends, raw SQL
//! through sqlx on the same database, and timing that leaves each iteration's setup out.

#![allow(dead_code)]

pub mod run;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use criterion::Criterion;
use criterion::measurement::WallTime;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    TransactionTrait, sqlx,
};
use soft_delete_core::guard::{GuardMode, GuardedConnection};
use tokio::runtime::Runtime;

/// Expands `$body` once per sqlx pool type, with `$txn` a sqlx transaction and `$statement` each
/// of `$statements` as a bound `sqlx::query`; sums what the body returns, then commits. A macro
/// because the two pools are different types with no common trait for binding arguments.
macro_rules! in_raw_transaction {
    ($bench:expr, |$txn:ident, $statement:ident| $body:expr, $statements:expr) => {
        match $bench.backend() {
            DbBackend::Sqlite => in_raw_transaction!(
                @on $bench.db.get_sqlite_connection_pool(), sqlite,
                |$txn, $statement| $body, $statements
            ),
            DbBackend::MySql => in_raw_transaction!(
                @on $bench.db.get_mysql_connection_pool(), mysql,
                |$txn, $statement| $body, $statements
            ),
            _ => in_raw_transaction!(
                @on $bench.db.get_postgres_connection_pool(), postgres,
                |$txn, $statement| $body, $statements
            ),
        }
    };
    (@on $pool:expr, $text:ident, |$txn:ident, $statement:ident| $body:expr, $statements:expr) => {{
        let mut $txn = $pool.begin().await.expect("begin");
        let mut total = 0;
        for raw in $statements {
            let mut $statement = sqlx::query(raw.$text);
            for arg in &raw.args {
                $statement = match arg {
                    Arg::Int(value) => $statement.bind(*value),
                    Arg::Text(value) => $statement.bind(value.clone()),
                    Arg::Time(value) => $statement.bind(*value),
                };
            }
            total += $body;
        }
        $txn.commit().await.expect("commit");
        total
    }};
}

/// The databases to run on: a SQLite file always, PostgreSQL when
/// `SOFT_DELETE_BENCH_POSTGRES_URL` and MariaDB when `SOFT_DELETE_BENCH_MARIADB_URL` names a
/// database the benchmarks may create tables in. `SOFT_DELETE_BENCH_ONLY=postgres` (a
/// comma-separated list of `sqlite`, `postgres`, `mariadb`) runs a subset.
pub fn backends(file_name: &str) -> Vec<(&'static str, String)> {
    let file = std::env::temp_dir().join(file_name);
    // A stale file from an interrupted run would only slow the first table drop.
    let _ = std::fs::remove_file(&file);
    let mut backends = vec![("sqlite", format!("sqlite://{}?mode=rwc", file.display()))];
    if let Ok(url) = std::env::var("SOFT_DELETE_BENCH_POSTGRES_URL") {
        backends.push(("postgres", url));
    }
    if let Ok(url) = std::env::var("SOFT_DELETE_BENCH_MARIADB_URL") {
        backends.push(("mariadb", url));
    }
    if let Ok(only) = std::env::var("SOFT_DELETE_BENCH_ONLY") {
        backends.retain(|(name, _)| only.split(',').any(|wanted| wanted.trim() == *name));
    }
    backends
}

/// One connection to a benchmark database, and a count of the statements sent through it.
pub struct Bench {
    pub name: &'static str,
    pub db: DatabaseConnection,
    /// The same connection behind the leak guard in warn mode (one guard, one cache, for the
    /// whole run, as an application keeps it).
    pub guarded: GuardedConnection<DatabaseConnection>,
    /// The same pool with the leak observer (`guard::observe_after`) as its metric callback,
    /// which still counts the statements.
    pub observed: DatabaseConnection,
    /// Statements sent through `db` so far (SeaORM's metric callback).
    pub statement_count: Arc<AtomicUsize>,
}

impl Bench {
    pub async fn connect(name: &'static str, url: &str) -> Self {
        let mut options = ConnectOptions::new(url);
        // One connection: every variant runs on the same warm connection and cache.
        options.sqlx_logging(false).max_connections(1);
        let mut db = Database::connect(options).await.expect("connect");
        let statements = Arc::new(AtomicUsize::new(0));
        let counter = statements.clone();
        db.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        let mut observed = db.clone();
        let counter = statements.clone();
        soft_delete_core::guard::observe_after(&mut observed, move |_| {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        Bench {
            name,
            guarded: GuardedConnection::new(db.clone(), GuardMode::Warn),
            observed,
            db,
            statement_count: statements,
        }
    }

    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    /// Statements one run of `op` sends, counted by SeaORM's metric callback (BEGIN and COMMIT
    /// are not counted, for any variant).
    pub fn statements<F: Future>(&self, runtime: &Runtime, op: F) -> usize {
        let before = self.statement_count.load(Ordering::Relaxed);
        runtime.block_on(op);
        self.statement_count.load(Ordering::Relaxed) - before
    }

    /// Fresh planner statistics for `tables`, as a database in production has them after
    /// autovacuum; run after filling tables.
    pub async fn analyze(&self, tables: &[&str]) {
        match self.backend() {
            DbBackend::Sqlite => self.setup("ANALYZE").await,
            DbBackend::MySql => {
                for table in tables {
                    self.setup(&format!("ANALYZE TABLE {table}")).await;
                }
            }
            _ => self.setup("VACUUM ANALYZE").await,
        }
    }

    /// Fresh statistics for `tables` filled for a write scenario. On PostgreSQL the tables are
    /// also rewritten half full (`fillfactor = 50`): freshly filled pages are full, so the first
    /// thousands of updated rows move to new pages and add index entries while later ones,
    /// after a `VACUUM`, are updated in place; whichever variant ran first in a group came out
    /// up to 80% slower than the same statement run last (measured by swapping their order).
    /// Half-full pages put every iteration in the steady state a frequently updated table has.
    pub async fn prepare_for_updates(&self, tables: &[&str]) {
        if self.backend() != DbBackend::Postgres {
            return self.analyze(tables).await;
        }
        for table in tables {
            self.setup(&format!("ALTER TABLE {table} SET (fillfactor = 50)"))
                .await;
            self.setup(&format!("VACUUM FULL ANALYZE {table}")).await;
        }
    }

    /// Between iterations on PostgreSQL: every `UPDATE` leaves dead row versions behind, and
    /// without a `VACUUM` each iteration would run on a more bloated table than the one before,
    /// the variants measured later paying for the earlier ones. SQLite updates in place.
    pub async fn settle(&self, tables: &[&str]) {
        if self.backend() == DbBackend::Postgres {
            for table in tables {
                self.setup(&format!("VACUUM ANALYZE {table}")).await;
            }
        }
    }

    /// Runs `op` in one transaction and commits: how every variant that goes through SeaORM is
    /// timed, as a service calls it.
    pub async fn in_transaction<T>(&self, op: impl AsyncFnOnce(&DatabaseTransaction) -> T) -> T {
        let txn = self.db.begin().await.expect("begin");
        let output = op(&txn).await;
        txn.commit().await.expect("commit");
        output
    }

    /// [`Bench::in_transaction`] on the guarded connection.
    pub async fn in_guarded_transaction<T>(
        &self,
        op: impl AsyncFnOnce(&GuardedConnection<DatabaseTransaction>) -> T,
    ) -> T {
        let txn = self.guarded.begin().await.expect("begin");
        let output = op(&txn).await;
        txn.commit().await.expect("commit");
        output
    }

    /// [`Bench::in_transaction`] on the observed connection.
    pub async fn in_observed_transaction<T>(
        &self,
        op: impl AsyncFnOnce(&DatabaseTransaction) -> T,
    ) -> T {
        let txn = self.observed.begin().await.expect("begin");
        let output = op(&txn).await;
        txn.commit().await.expect("commit");
        output
    }

    /// `at` as an SQL literal the backend compares with and stores in a marker column.
    pub fn time_sql(&self, at: DateTime<Utc>) -> String {
        match self.backend() {
            DbBackend::Sqlite => format!("'{}'", at.to_rfc3339()),
            DbBackend::MySql => format!("'{}'", at.format("%Y-%m-%d %H:%M:%S%.6f")),
            _ => format!("TIMESTAMPTZ '{}'", at.format("%Y-%m-%d %H:%M:%S%.6f%:z")),
        }
    }

    /// Replaces `bench_item` with `rows` rows numbered `i` from 0 (`id` = i + 1, `sku` =
    /// `SKU-` and i in 7 digits), each with the `deleted_at` of the SQL expression
    /// `deleted_at` over `i`, generated by the database itself: a million rows through
    /// `INSERT .. VALUES` would take longer than the measurements. Refreshes statistics.
    pub async fn generate_items(&self, rows: usize, deleted_at: &str) {
        crate::shapes::fill_items(&self.db, 0, |_| None)
            .await
            .expect("create");
        if rows > 0 {
            let sku = match self.backend() {
                DbBackend::Sqlite => "printf('SKU-%07d', i)",
                DbBackend::MySql => "CONCAT('SKU-', LPAD(i, 7, '0'))",
                _ => "'SKU-' || to_char(i, 'FM0000000')",
            };
            let insert = format!(
                "INSERT INTO bench_item (id, sku, deleted_at) \
                 SELECT i + 1, {sku}, {deleted_at} FROM {}",
                self.numbers(rows)
            );
            self.setup(&insert).await;
        }
        self.analyze(&["bench_item"]).await;
    }

    /// A derived table of the numbers `i` from 0 to `count - 1`, made by the database.
    pub fn numbers(&self, count: usize) -> String {
        match self.backend() {
            DbBackend::Sqlite => format!(
                "(WITH RECURSIVE number(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM number \
                 WHERE i + 1 < {count}) SELECT i FROM number) AS numbers"
            ),
            DbBackend::MySql => format!(
                "(SELECT seq AS i FROM seq_0_to_{}) AS numbers",
                count.saturating_sub(1)
            ),
            _ => format!("generate_series(0, {count} - 1) AS i"),
        }
    }

    /// Runs `sql` unprepared, for setup between iterations.
    pub async fn setup(&self, sql: &str) {
        self.db.execute_unprepared(sql).await.expect(sql);
    }

    /// Runs `statements` through sqlx, bypassing SeaORM, in one transaction; returns the rows
    /// they changed.
    pub async fn raw_execute(&self, statements: &[Raw]) -> u64 {
        in_raw_transaction!(
            self,
            |txn, statement| {
                let done = statement.execute(&mut *txn).await.expect("raw");
                done.rows_affected()
            },
            statements
        )
    }

    /// Runs `statements` through sqlx in one transaction; returns the rows they returned.
    pub async fn raw_fetch(&self, statements: &[Raw]) -> u64 {
        in_raw_transaction!(
            self,
            |txn, statement| statement.fetch_all(&mut *txn).await.expect("raw").len() as u64,
            statements
        )
    }

    /// Runs one `SELECT COUNT(*) ..` through sqlx in a transaction.
    pub async fn raw_count(&self, sql: &'static str) -> u64 {
        let count_query = [Raw::same(sql, Vec::new())];
        in_raw_transaction!(
            self,
            |txn, statement| {
                let row = statement.fetch_one(&mut *txn).await.expect("raw");
                let count: i64 = sqlx::Row::get(&row, 0);
                u64::try_from(count).unwrap_or_default()
            },
            &count_query
        )
    }
}

/// One raw statement: its text for SQLite (`?` placeholders), PostgreSQL (`$1`..) and MariaDB
/// (`?`, the SQLite text unless given), and its arguments. sqlx wants `'static` text, so it is
/// written out in full for each backend.
pub struct Raw {
    pub sqlite: &'static str,
    pub postgres: &'static str,
    pub mysql: &'static str,
    pub args: Vec<Arg>,
}

impl Raw {
    pub fn new(sqlite: &'static str, postgres: &'static str, args: Vec<Arg>) -> Self {
        Raw {
            sqlite,
            postgres,
            mysql: sqlite,
            args,
        }
    }

    /// The MariaDB text, where SQLite's does not run there.
    pub fn mysql(mut self, text: &'static str) -> Self {
        self.mysql = text;
        self
    }

    /// A statement without placeholders, the same on both backends.
    pub fn same(sql: &'static str, args: Vec<Arg>) -> Self {
        Raw::new(sql, sql, args)
    }
}

#[derive(Clone)]
pub enum Arg {
    Int(i32),
    Text(String),
    Time(DateTime<Utc>),
}

/// Times `op` `iters` times; before each, `setup` runs untimed and hands `op` its input.
pub async fn timed<T, S, SF, O, OF>(iters: u64, mut setup: S, mut op: O) -> Duration
where
    S: FnMut() -> SF,
    SF: Future<Output = T>,
    O: FnMut(T) -> OF,
    OF: Future<Output = ()>,
{
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let input = setup().await;
        let started = Instant::now();
        op(input).await;
        total += started.elapsed();
    }
    total
}

/// Adds the variant `name` to `group`: each iteration runs `setup` untimed, then times `op`.
pub fn variant<T, S, SF, O, OF>(
    group: &mut criterion::BenchmarkGroup<'_, WallTime>,
    name: &str,
    runtime: &Runtime,
    setup: S,
    op: O,
) where
    S: Fn() -> SF,
    SF: Future<Output = T>,
    O: Fn(T) -> OF,
    OF: Future<Output = ()>,
{
    group.bench_function(name, |b| {
        b.to_async(runtime)
            .iter_custom(|iters| timed(iters, &setup, &op))
    });
}

/// A benchmark group with `samples` samples over `seconds` seconds: enough for the slow bulk
/// scenarios without making the suite long. The warm-up is long on purpose: with one second,
/// whichever variant ran first in a group after its table was filled came out 10-30% slower on
/// PostgreSQL, whatever the variant (measured by swapping their order); with three seconds the
/// identical queries of our API and hand-written SeaORM measure the same.
pub fn configured<'c>(
    c: &'c mut Criterion,
    name: String,
    samples: usize,
    seconds: u64,
) -> criterion::BenchmarkGroup<'c, WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(samples)
        .warm_up_time(Duration::from_secs(3))
        .measurement_time(Duration::from_secs(seconds));
    group
}
