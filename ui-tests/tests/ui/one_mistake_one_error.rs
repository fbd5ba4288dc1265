use sea_orm::entity::prelude::*;
use soft_delete_core::prelude::*;

// A misspelt key is the only error: the functions the call sites below use still exist.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
#[sea_orm(table_name = "product")]
#[soft_delete(hoks)]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

async fn archive(db: &DatabaseConnection, model: &Model) -> Result<(), soft_delete_core::Error> {
    let _ = Entity::objects();
    let _ = Entity::soft_delete_many().exec(db).await?;
    let _ = Entity::restore_by_id(1).exec(db).await?;
    if !model.is_deleted() {
        model.soft_delete(db).await?;
    }
    Ok(())
}

fn main() {
    let _ = archive;
}
