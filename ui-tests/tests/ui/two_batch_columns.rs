use sea_orm::entity::prelude::*;
use soft_delete_core::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
#[sea_orm(table_name = "shelf")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub deleted_at: Option<DateTimeUtc>,
    #[soft_delete(batch)]
    pub deleted_batch: Option<i64>,
    #[soft_delete(batch)]
    pub trashed_batch: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

fn main() {}
