//! What the leak guard costs in warn mode, against the same operation on the unguarded
//! connection: S1 (1,000 instance soft deletes in one transaction) and S5a (a read of 100 active
//! rows among 100,000, 10% active), as in `BENCHMARKS.md`.
//!
//! The two variants alternate within each round (the order flips every round), so drift of the
//! machine hits both; the figure is the median of the per-round ratios, with their spread.
//!
//! ```sh
//! cargo run --release -p soft-delete-bench --bin guard_overhead                      # SQLite file in a temp dir
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo run --release -p soft-delete-bench --bin guard_overhead
//! ```
//!
//! It creates, fills and finally drops its own table `guard_item`.

use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use sea_orm::{
    ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Schema, Set, TransactionTrait,
};
use soft_delete_core::guard::{GuardMode, GuardedConnection};

mod guard_item {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "guard_item")]
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

const ROWS: i32 = 100_000;
const ONE_BY_ONE: i32 = 1_000;
const READS_PER_RUN: usize = 200;
const ROUNDS: usize = 41;

#[tokio::main]
async fn main() -> Result<(), DbErr> {
    if let Ok(variant) = std::env::var("GUARD_OVERHEAD_CALLGRIND") {
        return callgrind_run(&variant).await;
    }
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| {
        let path = std::env::temp_dir().join("soft_delete_guard_overhead.sqlite");
        let _ = std::fs::remove_file(&path);
        format!("sqlite://{}?mode=rwc", path.display())
    });
    let mut options = ConnectOptions::new(&url);
    // One connection, as the benchmarks: both variants share it and its caches.
    options.sqlx_logging(false).max_connections(1);
    let plain = Database::connect(options).await?;
    fill(&plain).await?;
    let guarded = GuardedConnection::new(plain.clone(), GuardMode::Warn);

    let s1 = compare(|| s1_run(&plain), || s1_run(&guarded), || reset_s1(&plain)).await?;
    report("S1 1,000 instance soft deletes", &s1);
    let s5a = compare(
        || s5a_run(&plain),
        || s5a_run(&guarded),
        || async { Ok(()) },
    )
    .await?;
    report(
        &format!("S5a {READS_PER_RUN} reads of 100 active rows"),
        &s5a,
    );
    assert!(guarded.leaks().is_empty(), "{:?}", guarded.leaks());

    plain
        .execute(
            &sea_orm::sea_query::Table::drop()
                .table(guard_item::Entity)
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// One run of S1 and S5a, on in-memory SQLite, of one variant (`plain` or `guarded`), for an
/// instruction count that does not depend on the machine's noise:
///
/// ```sh
/// for variant in plain guarded; do for run in s1_run s5a_run; do
///   GUARD_OVERHEAD_CALLGRIND=$variant valgrind --tool=callgrind --toggle-collect="*$run*" \
///     --callgrind-out-file=/tmp/cg.$variant.$run target/release/guard_overhead
/// done; done
/// ```
///
/// Each `--toggle-collect` counts the instructions spent inside that run only (the fill is
/// not counted); the guarded run includes the one-time parse of each statement text.
async fn callgrind_run(variant: &str) -> Result<(), DbErr> {
    let mut options = ConnectOptions::new("sqlite::memory:");
    options.sqlx_logging(false).max_connections(1);
    let plain = Database::connect(options).await?;
    fill(&plain).await?;
    match variant {
        "plain" => {
            s1_run(&plain).await?;
            s5a_run(&plain).await?;
        }
        "guarded" => {
            let guarded = GuardedConnection::new(plain.clone(), GuardMode::Warn);
            s1_run(&guarded).await?;
            s5a_run(&guarded).await?;
            assert!(guarded.leaks().is_empty(), "{:?}", guarded.leaks());
        }
        other => panic!("GUARD_OVERHEAD_CALLGRIND is `plain` or `guarded`, not `{other}`"),
    }
    Ok(())
}

/// 100,000 rows; rows 1..=1,000 and every tenth row active, the rest trashed a year ago.
async fn fill(db: &DatabaseConnection) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    db.execute(
        &sea_orm::sea_query::Table::drop()
            .table(guard_item::Entity)
            .if_exists()
            .to_owned(),
    )
    .await?;
    db.execute(&Schema::new(backend).create_table_from_entity(guard_item::Entity))
        .await?;
    let year_ago = Utc::now() - TimeDelta::days(365);
    let txn = db.begin().await?;
    let rows: Vec<i32> = (1..=ROWS).collect();
    for chunk in rows.chunks(5_000) {
        let models = chunk.iter().map(|&row| guard_item::ActiveModel {
            sku: Set(format!("sku-{row:06}")),
            deleted_at: Set((row > ONE_BY_ONE && row % 10 != 0).then_some(year_ago)),
            ..Default::default()
        });
        guard_item::Entity::insert_many(models).exec(&txn).await?;
    }
    txn.commit().await
}

/// Rows 1..=1,000 active again, untimed.
async fn reset_s1(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.execute_unprepared(&format!(
        "UPDATE guard_item SET deleted_at = NULL WHERE id <= {ONE_BY_ONE}"
    ))
    .await
    .map(drop)
}

/// S1 on `db`: load the 1,000 models untimed, then time their soft deletes in one transaction.
async fn s1_run<C>(db: &C) -> Result<Duration, DbErr>
where
    C: ConnectionTrait + TransactionTrait,
    C::Transaction: soft_delete_core::TransactionalConnection,
{
    let models = guard_item::Entity::objects()
        .filter(guard_item::Column::Id.lte(ONE_BY_ONE))
        .all(db)
        .await?;
    assert_eq!(models.len(), ONE_BY_ONE as usize);
    let started = Instant::now();
    let txn = db.begin().await?;
    for model in &models {
        let deleted = model.soft_delete(&txn).await?;
        assert!(deleted.is_deleted());
    }
    sea_orm::TransactionSession::commit(txn).await?;
    Ok(started.elapsed())
}

/// S5a on `db`: 200 reads of the first 100 active rows, each in its own transaction.
async fn s5a_run<C>(db: &C) -> Result<Duration, DbErr>
where
    C: ConnectionTrait + TransactionTrait,
    C::Transaction: ConnectionTrait,
{
    let started = Instant::now();
    for _ in 0..READS_PER_RUN {
        let txn = db.begin().await?;
        let rows = guard_item::Entity::objects()
            .order_by_asc(guard_item::Column::Id)
            .limit(100)
            .all(&txn)
            .await?;
        assert_eq!(rows.len(), 100);
        sea_orm::TransactionSession::commit(txn).await?;
    }
    Ok(started.elapsed())
}

/// Per round: `(unguarded, guarded)` times. One warm-up round is discarded.
async fn compare<P, PF, G, GF, R, RF>(
    plain: P,
    guarded: G,
    reset: R,
) -> Result<Vec<(Duration, Duration)>, DbErr>
where
    P: Fn() -> PF,
    PF: Future<Output = Result<Duration, DbErr>>,
    G: Fn() -> GF,
    GF: Future<Output = Result<Duration, DbErr>>,
    R: Fn() -> RF,
    RF: Future<Output = Result<(), DbErr>>,
{
    let mut rounds = Vec::new();
    for round in 0..=ROUNDS {
        let (mut unguarded, mut with_guard) = (Duration::ZERO, Duration::ZERO);
        for guarded_turn in [round % 2 == 1, round % 2 == 0] {
            reset().await?;
            if guarded_turn {
                with_guard = guarded().await?;
            } else {
                unguarded = plain().await?;
            }
        }
        if round > 0 {
            rounds.push((unguarded, with_guard));
        }
    }
    Ok(rounds)
}

fn report(name: &str, rounds: &[(Duration, Duration)]) {
    let mut ratios: Vec<f64> = rounds
        .iter()
        .map(|(plain, guarded)| guarded.as_secs_f64() / plain.as_secs_f64())
        .collect();
    ratios.sort_by(f64::total_cmp);
    let median = |mut values: Vec<f64>| {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    let plain_ms = median(rounds.iter().map(|r| r.0.as_secs_f64() * 1e3).collect());
    let guarded_ms = median(rounds.iter().map(|r| r.1.as_secs_f64() * 1e3).collect());
    println!(
        "{name}: guarded (warn) / unguarded = {:.3} (median of {} alternating rounds; min {:.3}, max {:.3}); medians {plain_ms:.1} ms unguarded, {guarded_ms:.1} ms guarded",
        ratios[ratios.len() / 2],
        ratios.len(),
        ratios[0],
        ratios[ratios.len() - 1],
    );
}
