use sea_orm::entity::prelude::*;
use soft_delete_core::prelude::*;

// `crate = ..` is where the expansion looks for soft-delete-core: a wrong path is reported there.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
#[sea_orm(table_name = "product")]
#[soft_delete(crate = no_such_crate)]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

fn main() {}
