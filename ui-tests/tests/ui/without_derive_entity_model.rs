use sea_orm::entity::prelude::*;
use soft_delete_core::prelude::*;

// SeaORM's `DeriveEntityModel` (and its `table_name`) forgotten.
#[derive(Clone, Debug, PartialEq, SoftDelete)]
pub struct Model {
    pub id: i32,
    pub deleted_at: Option<DateTimeUtc>,
}

fn main() {}
