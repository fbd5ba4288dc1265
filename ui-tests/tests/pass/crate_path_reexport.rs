// A crate that re-exports soft-delete-core under another path names it with `crate = ..`.
mod platform {
    pub use soft_delete_core as soft_delete;
}

mod product {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "product")]
    #[soft_delete(crate = crate::platform::soft_delete)]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

fn main() {
    let _ = product::Entity::objects();
}
