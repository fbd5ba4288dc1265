use sea_orm::entity::prelude::*;
use soft_delete_core::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
#[sea_orm(table_name = "product")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

// Generic service code holds only a `ConnectionTrait`: `exec` may need a transaction.
async fn archive_all<C: ConnectionTrait>(db: &C) -> Result<u64, soft_delete_core::Error> {
    Ok(Entity::soft_delete_many().exec(db).await?.rows_affected)
}

fn main() {
    let _ = archive_all::<DatabaseConnection>;
}
