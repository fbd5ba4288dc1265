//! Measures how fast `purge_trash` empties 100,000 expired trashed rows (plus 10,000 active
//! ones it must not touch), in batches of the default size.
//!
//! ```sh
//! cargo run --release -p soft-delete-bench --bin purge_throughput                      # SQLite file in a temp dir
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo run --release -p soft-delete-bench --bin purge_throughput
//! ```
//!
//! It creates, fills and finally drops its own table `purge_item`.

use std::time::Instant;

use chrono::{TimeDelta, Utc};
use sea_orm::{
    ConnectionTrait, Database, DbErr, EntityTrait, PaginatorTrait, Schema, Set, TransactionTrait,
};

mod purge_item {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "purge_item")]
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

const TRASHED: usize = 100_000;
const ACTIVE: usize = 10_000;

#[tokio::main]
async fn main() -> Result<(), DbErr> {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| {
        let path = std::env::temp_dir().join("soft_delete_purge_throughput.sqlite");
        let _ = std::fs::remove_file(&path);
        format!("sqlite://{}?mode=rwc", path.display())
    });
    let db = Database::connect(&url).await?;
    let backend = db.get_database_backend();
    db.execute(
        &sea_orm::sea_query::Table::drop()
            .table(purge_item::Entity)
            .if_exists()
            .to_owned(),
    )
    .await?;
    db.execute(&Schema::new(backend).create_table_from_entity(purge_item::Entity))
        .await?;
    if let Some(fix) = soft_delete_core::schema::marker_precision_fix::<purge_item::Entity>(backend)
    {
        db.execute(&fix).await?;
    }

    let long_ago = Utc::now() - TimeDelta::days(90);
    let txn = db.begin().await?;
    let rows: Vec<usize> = (0..TRASHED + ACTIVE).collect();
    for chunk in rows.chunks(5_000) {
        let models = chunk.iter().map(|i| purge_item::ActiveModel {
            sku: Set(format!("SKU-{i:06}")),
            deleted_at: Set((*i < TRASHED).then_some(long_ago)),
            ..Default::default()
        });
        purge_item::Entity::insert_many(models).exec(&txn).await?;
    }
    txn.commit().await?;

    let started = Instant::now();
    let done = purge_item::Entity::purge_trash(Utc::now() - TimeDelta::days(30))
        .exec(&db)
        .await?;
    let elapsed = started.elapsed();

    let active_left = purge_item::Entity::objects().count(&db).await?;
    let trash_left = purge_item::Entity::deleted_objects().count(&db).await?;
    assert_eq!(
        (done.rows_removed, active_left, trash_left),
        (TRASHED as u64, ACTIVE as u64, 0)
    );
    println!(
        "{backend:?}: purged {} rows in {} batches in {:.2?}: {:.0} rows/s (active rows kept: {active_left})",
        done.rows_removed,
        done.batches,
        elapsed,
        done.rows_removed as f64 / elapsed.as_secs_f64()
    );
    db.execute(
        &sea_orm::sea_query::Table::drop()
            .table(purge_item::Entity)
            .to_owned(),
    )
    .await?;
    Ok(())
}
