use sea_orm::entity::prelude::*;
use soft_delete_core::prelude::*;

// SeaORM's `with-time` is on; soft-delete-core's is not.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
#[sea_orm(table_name = "event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub deleted_at: Option<TimeDateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

fn main() {}
