use sea_orm::entity::prelude::*;
use soft_delete_core::SoftDelete;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
#[sea_orm(table_name = "posts")]
#[soft_delete(default_scope)]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
