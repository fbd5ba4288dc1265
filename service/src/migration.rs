//! The service's schema, as a sea-orm-migration user writes it: `DeriveIden` names and the
//! library's column and index helpers, never today's entities, so the migration means the same
//! after the entities change.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_integer, integer, pk_auto, string};
use soft_delete_core::schema;

/// The service's migrations, run on start.
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(CreateCatalogue), Box::new(IndexTheTrash)]
    }
}

#[derive(DeriveIden)]
enum Category {
    Table,
    Id,
    Name,
    DeletedAt,
    DeletedBatch,
}

#[derive(DeriveIden)]
enum Product {
    Table,
    Id,
    CategoryId,
    Sku,
    Name,
    Price,
    DeletedAt,
    DeletedBatch,
}

#[derive(DeriveMigrationName)]
struct CreateCatalogue;

#[async_trait::async_trait]
impl MigrationTrait for CreateCatalogue {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table(Category::Table)
                    .col(pk_auto(Category::Id))
                    .col(string(Category::Name))
                    .col(schema::marker_column(Category::DeletedAt, backend))
                    .col(schema::batch_column(Category::DeletedBatch))
                    .to_owned(),
            )
            .await?;
        let mut product = Table::create();
        product
            .table(Product::Table)
            .col(pk_auto(Product::Id))
            .col(integer(Product::CategoryId))
            .col(string(Product::Sku))
            .col(string(Product::Name))
            .col(big_integer(Product::Price))
            .col(schema::marker_column(Product::DeletedAt, backend))
            .col(schema::batch_column(Product::DeletedBatch))
            .foreign_key(
                ForeignKey::create()
                    .from(Product::Table, Product::CategoryId)
                    .to(Category::Table, Category::Id),
            );
        // MySQL and MariaDB enforce uniqueness among active rows through a generated column.
        if let Some(active_flag) = schema::active_flag_column(Product::DeletedAt, backend) {
            product.col(active_flag);
        }
        manager.create_table(product).await?;
        // A SKU is unique among active products; a trashed product's SKU can be taken again.
        manager
            .create_index(schema::active_unique_index_on(
                Product::Table,
                Product::DeletedAt,
                [Product::Sku],
                backend,
            ))
            .await?;
        // Cascades find a category's products by this column.
        manager
            .create_index(
                Index::create()
                    .name("idx_product_category")
                    .table(Product::Table)
                    .col(Product::CategoryId)
                    .to_owned(),
            )
            .await?;
        // The product list pages through active rows by id.
        manager
            .create_index(schema::active_index_on(
                "idx_product_active",
                Product::Table,
                Product::DeletedAt,
                [Product::Id],
                backend,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Product::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Category::Table).to_owned())
            .await
    }
}

/// The admin's trash list pages through trashed products, the most recently deleted first: with
/// 1,000,000 of them, PostgreSQL sorted the whole trash for each page (105 ms for the first) until
/// this index let it read just the page.
struct IndexTheTrash;

// Named by hand: the derive names a migration after its module, which the first one took.
impl MigrationName for IndexTheTrash {
    fn name(&self) -> &str {
        "m20261207_000002_index_the_trash"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for IndexTheTrash {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut index = Index::create();
        index
            .name("idx_product_trash")
            .table(Product::Table)
            .col((Product::DeletedAt, IndexOrder::Desc))
            .col(Product::Id);
        // Only trashed rows, where the backend has partial indexes (not MySQL or MariaDB).
        if manager.get_database_backend() != sea_orm::DbBackend::MySql {
            index.and_where(Expr::col(Product::DeletedAt).is_not_null());
        }
        manager.create_index(index.to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_product_trash")
                    .table(Product::Table)
                    .to_owned(),
            )
            .await
    }
}
