//! The data of the benchmark scenarios (BENCHMARKS.md), shared by the benchmarks and by the
//! test that asserts their statement counts (`tests/integration/bench_scenarios.rs`), so both
//! run the same shapes.

#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use sea_orm::sea_query::{Alias, Index};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set, TransactionSession, TransactionTrait};

/// `item(id, sku varchar(32) unique, deleted_at)`: scenarios S1, S2, S3, S5a, S5b, S8.
pub mod item {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "bench_item")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(unique, column_type = "String(StringLen::N(32))")]
        pub sku: String,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `category -> product -> review`, cascading: scenarios S4 and S4b.
pub mod category {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "bench_category")]
    #[soft_delete(cascade(super::product::Entity))]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
        pub deleted_at: Option<DateTimeUtc>,
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(has_many = "super::product::Entity")]
        Product,
    }

    impl Related<super::product::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Product.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod product {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "bench_product")]
    #[soft_delete(cascade(super::review::Entity))]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub category_id: i32,
        pub name: String,
        pub deleted_at: Option<DateTimeUtc>,
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::category::Entity",
            from = "Column::CategoryId",
            to = "super::category::Column::Id"
        )]
        Category,
        #[sea_orm(has_many = "super::review::Entity")]
        Review,
    }

    impl Related<super::category::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Category.def()
        }
    }

    impl Related<super::review::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Review.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod review {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "bench_review")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub product_id: i32,
        pub body: String,
        pub deleted_at: Option<DateTimeUtc>,
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::product::Entity",
            from = "Column::ProductId",
            to = "super::product::Column::Id"
        )]
        Product,
    }

    impl Related<super::product::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Product.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// When the seeded trash was deleted: long before any purge cutoff the scenarios use.
pub fn long_ago() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

/// `SKU-000000`, `SKU-000001`, ..: sorted like the row numbers up to a million.
pub fn sku(row: usize) -> String {
    format!("SKU-{row:06}")
}

/// Rows go in 1,000 per `INSERT`: few statements, and well under every backend's limit on
/// bound parameters.
const INSERT_CHUNK: usize = 1_000;

/// Replaces `bench_item` with `rows` items numbered from 0 (`id` = number + 1), each deleted at
/// `deleted_at(number)` (`None`: active).
pub async fn fill_items<C>(
    db: &C,
    rows: usize,
    deleted_at: impl Fn(usize) -> Option<DateTime<Utc>>,
) -> Result<(), DbErr>
where
    C: ConnectionTrait + TransactionTrait,
{
    db.execute_unprepared("DROP TABLE IF EXISTS bench_item")
        .await?;
    soft_delete_core::schema::create_table::<item::Entity, _>(db).await?;
    insert_items(db, 0..rows, deleted_at).await
}

/// Adds the items numbered `numbers` to `bench_item` (see [`fill_items`]).
pub async fn insert_items<C>(
    db: &C,
    numbers: impl IntoIterator<Item = usize>,
    deleted_at: impl Fn(usize) -> Option<DateTime<Utc>>,
) -> Result<(), DbErr>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = db.begin().await?;
    let numbers: Vec<usize> = numbers.into_iter().collect();
    for chunk in numbers.chunks(INSERT_CHUNK) {
        let models = chunk.iter().map(|&number| item::ActiveModel {
            id: Set(row_id(number)),
            sku: Set(sku(number)),
            deleted_at: Set(deleted_at(number)),
        });
        item::Entity::insert_many(models).exec(&txn).await?;
    }
    txn.commit().await
}

/// The primary key of the row numbered `number` (from 0) in every scenario table.
pub fn row_id(number: usize) -> i32 {
    i32::try_from(number + 1).unwrap_or(i32::MAX)
}

/// How big the S4 catalog is: `categories`, each with `products`, each with `reviews`.
#[derive(Clone, Copy, Debug)]
pub struct Catalog {
    pub categories: usize,
    pub products: usize,
    pub reviews: usize,
}

impl Catalog {
    /// The shape S4 times: 10 x 100 x 10, 11,010 rows.
    pub const S4: Catalog = Catalog {
        categories: 10,
        products: 100,
        reviews: 10,
    };

    /// Rows in all three tables.
    pub fn rows(self) -> usize {
        let products = self.categories * self.products;
        self.categories + products + products * self.reviews
    }
}

/// Replaces the three catalog tables with `shape`, every row active.
pub async fn fill_catalog<C>(db: &C, shape: Catalog) -> Result<(), DbErr>
where
    C: ConnectionTrait + TransactionTrait,
{
    for table in ["bench_review", "bench_product", "bench_category"] {
        db.execute_unprepared(&format!("DROP TABLE IF EXISTS {table}"))
            .await?;
    }
    soft_delete_core::schema::create_table::<category::Entity, _>(db).await?;
    soft_delete_core::schema::create_table::<product::Entity, _>(db).await?;
    soft_delete_core::schema::create_table::<review::Entity, _>(db).await?;
    // Cascades find children by their foreign key. PostgreSQL and SQLite do not index foreign
    // keys, nor does SeaORM's `create_table_from_entity`; every real schema does (Django and
    // Rails create these indexes by default), so the benchmark does too.
    for (name, table, column) in [
        ("bench_product_category", "bench_product", "category_id"),
        ("bench_review_product", "bench_review", "product_id"),
    ] {
        let index = Index::create()
            .name(name)
            .table(Alias::new(table))
            .col(Alias::new(column))
            .to_owned();
        db.execute(&index).await?;
    }

    let txn = db.begin().await?;
    let categories = (0..shape.categories).map(|number| category::ActiveModel {
        id: Set(row_id(number)),
        name: Set(format!("category {number}")),
        deleted_at: Set(None),
        deleted_batch: Set(None),
    });
    category::Entity::insert_many(categories).exec(&txn).await?;
    let products: Vec<usize> = (0..shape.categories * shape.products).collect();
    for chunk in products.chunks(INSERT_CHUNK) {
        let models = chunk.iter().map(|&number| product::ActiveModel {
            id: Set(row_id(number)),
            category_id: Set(row_id(number / shape.products)),
            name: Set(format!("product {number}")),
            deleted_at: Set(None),
            deleted_batch: Set(None),
        });
        product::Entity::insert_many(models).exec(&txn).await?;
    }
    let reviews: Vec<usize> = (0..products.len() * shape.reviews).collect();
    for chunk in reviews.chunks(INSERT_CHUNK) {
        let models = chunk.iter().map(|&number| review::ActiveModel {
            id: Set(row_id(number)),
            product_id: Set(row_id(number / shape.reviews)),
            body: Set(format!("review {number}")),
            deleted_at: Set(None),
            deleted_batch: Set(None),
        });
        review::Entity::insert_many(models).exec(&txn).await?;
    }
    txn.commit().await
}
