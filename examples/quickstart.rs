//! The seed scenario end to end on an in-memory SQLite database:
//! create products, list the active ones, delete one, find it in the trash, restore it.
//!
//! Run with `cargo run --example quickstart`.

use sea_orm::{ActiveModelTrait, ColumnTrait, Database, DbErr, QueryOrder, Set};

mod product {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "product")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
        pub price: Decimal,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

fn names(products: &[product::Model]) -> Vec<&str> {
    products
        .iter()
        .map(|product| product.name.as_str())
        .collect()
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), DbErr> {
    let db = Database::connect("sqlite::memory:").await?;
    soft_delete_core::schema::create_table::<product::Entity, _>(&db).await?;

    for (name, cents) in [
        ("pen", 250),
        ("notebook", 900),
        ("desk", 15_000),
        ("lamp", 4_500),
    ] {
        product::ActiveModel {
            name: Set(name.to_owned()),
            price: Set(sea_orm::prelude::Decimal::new(cents, 2)),
            ..Default::default()
        }
        .insert(&db)
        .await?;
    }
    let active = product::Entity::objects()
        .order_by_asc(product::Column::Id)
        .all(&db)
        .await?;
    println!("1. created 4 products; active: {:?}", names(&active));

    let lamp = active
        .iter()
        .find(|product| product.name == "lamp")
        .ok_or(DbErr::RecordNotFound("lamp".into()))?;
    let lamp = lamp.soft_delete(&db).await?;
    println!(
        "2. soft-deleted `{}` at {:?}; is_deleted() = {}",
        lamp.name,
        lamp.deleted_at,
        lamp.is_deleted()
    );

    let active = product::Entity::objects()
        .order_by_asc(product::Column::Id)
        .all(&db)
        .await?;
    let trash = product::Entity::deleted_objects().all(&db).await?;
    let everything = product::Entity::all_objects().all(&db).await?;
    println!(
        "3. active: {:?}; trash: {:?}; all_objects sees {} rows",
        names(&active),
        names(&trash),
        everything.len()
    );

    let again = lamp.soft_delete(&db).await?;
    println!(
        "4. deleting `lamp` again keeps its timestamp: {}",
        again.deleted_at == lamp.deleted_at
    );

    let expensive = product::Entity::soft_delete_many()
        .filter(product::Column::Price.gt(sea_orm::prelude::Decimal::new(50, 0)))
        .exec(&db)
        .await?;
    println!(
        "5. bulk soft delete of products over 50.00 moved {} row(s) to the trash",
        expensive.rows_affected
    );

    let lamp = lamp.restore(&db).await?;
    println!(
        "6. restored `{}`; is_deleted() = {}",
        lamp.name,
        lamp.is_deleted()
    );

    let restored = product::Entity::restore_many().exec(&db).await?;
    println!(
        "7. restore_many() brought back {} more row(s)",
        restored.rows_affected
    );

    let active = product::Entity::objects()
        .order_by_asc(product::Column::Id)
        .all(&db)
        .await?;
    println!("8. active again: {:?}", names(&active));
    Ok(())
}
