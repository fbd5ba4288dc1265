//! Client-side instruction counts of S1, S2 and S5a, ours against hand-written SeaORM, on
//! in-memory SQLite: the figure of BENCHMARKS.md that does not depend on the machine's noise.
//! Each run is one named function, which callgrind counts alone:
//!
//! ```sh
//! cargo build --release -p soft-delete-bench --bin instructions
//! for run in s1_ours s1_hand s2_ours s2_hand s5a_ours s5a_hand; do
//!   INSTRUCTIONS_RUN=$run valgrind --tool=callgrind --toggle-collect="*instructions::$run*" \
//!     --callgrind-out-file=/tmp/cg.$run target/release/instructions 2>&1 | grep Collected
//! done
//! ```
//!
//! sqlx runs SQLite itself on a worker thread, outside the counted function, so the counts are
//! what the client spends: building statements, binding, decoding, and the library around them.

#[path = "../../benches/shapes/mod.rs"]
mod shapes;

use std::future::Future;
use std::pin::Pin;

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectOptions, Database, DatabaseConnection, DbErr,
    EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use shapes::{item, long_ago, sku};

const ROWS: usize = 20_000;
const ONE_BY_ONE: usize = 1_000;
const BULK_CALLS: usize = 100;
const READS: usize = 200;

#[tokio::main]
async fn main() -> Result<(), DbErr> {
    let run = std::env::var("INSTRUCTIONS_RUN")
        .expect("INSTRUCTIONS_RUN: s1_ours, s1_hand, s2_ours, s2_hand, s5a_ours or s5a_hand");
    let mut options = ConnectOptions::new("sqlite::memory:");
    options.sqlx_logging(false).max_connections(1);
    let db = Database::connect(options).await?;
    // Rows 0..1,000 and every tenth row active, the rest trashed long ago.
    shapes::fill_items(&db, ROWS, |row| {
        (row >= ONE_BY_ONE && !row.is_multiple_of(10)).then(long_ago)
    })
    .await?;
    let models = item::Entity::find()
        .filter(item::Column::Sku.lt(sku(ONE_BY_ONE)))
        .all(&db)
        .await?;
    assert_eq!(models.len(), ONE_BY_ONE);
    // Boxed, so that the compiler cannot inline the run's body into `main`, and callgrind
    // finds it under its own name.
    let counted: Pin<Box<dyn Future<Output = Result<(), DbErr>> + '_>> = match run.as_str() {
        "s1_ours" => Box::pin(s1_ours(&db, &models)),
        "s1_hand" => Box::pin(s1_hand(&db, &models)),
        "s2_ours" => Box::pin(s2_ours(&db)),
        "s2_hand" => Box::pin(s2_hand(&db)),
        "s5a_ours" => Box::pin(s5a_ours(&db)),
        "s5a_hand" => Box::pin(s5a_hand(&db)),
        other => panic!("no run named {other}"),
    };
    counted.await
}

/// S1: 1,000 instance soft deletes in one transaction.
async fn s1_ours(db: &DatabaseConnection, models: &[item::Model]) -> Result<(), DbErr> {
    let txn = db.begin().await?;
    for model in models {
        let deleted = model.soft_delete(&txn).await.expect("ours");
        assert!(deleted.is_deleted());
    }
    txn.commit().await
}

async fn s1_hand(db: &DatabaseConnection, models: &[item::Model]) -> Result<(), DbErr> {
    let txn = db.begin().await?;
    for model in models {
        let mut active = model.clone().into_active_model();
        active.deleted_at = Set(Some(Utc::now()));
        let deleted = active.update(&txn).await?;
        assert!(deleted.deleted_at.is_some());
    }
    txn.commit().await
}

/// S2: 100 bulk soft deletes of `sku < SKU-010000` (the first trashes the active rows among
/// them, the rest find none: the client's work is the same).
async fn s2_ours(db: &DatabaseConnection) -> Result<(), DbErr> {
    for _ in 0..BULK_CALLS {
        item::Entity::soft_delete_many()
            .filter(item::Column::Sku.lt(sku(ROWS / 2)))
            .exec(db)
            .await?;
    }
    Ok(())
}

async fn s2_hand(db: &DatabaseConnection) -> Result<(), DbErr> {
    for _ in 0..BULK_CALLS {
        item::Entity::update_many()
            .col_expr(item::Column::DeletedAt, Expr::value(Some(Utc::now())))
            .filter(item::Column::Sku.lt(sku(ROWS / 2)))
            .filter(item::Column::DeletedAt.is_null())
            .exec(db)
            .await?;
    }
    Ok(())
}

/// S5a: 200 reads of the first 100 active rows.
async fn s5a_ours(db: &DatabaseConnection) -> Result<(), DbErr> {
    for _ in 0..READS {
        let rows = item::Entity::objects()
            .order_by_asc(item::Column::Id)
            .limit(100)
            .all(db)
            .await?;
        assert_eq!(rows.len(), 100);
    }
    Ok(())
}

async fn s5a_hand(db: &DatabaseConnection) -> Result<(), DbErr> {
    for _ in 0..READS {
        let rows = item::Entity::find()
            .filter(item::Column::DeletedAt.is_null())
            .order_by_asc(item::Column::Id)
            .limit(100)
            .all(db)
            .await?;
        assert_eq!(rows.len(), 100);
    }
    Ok(())
}
