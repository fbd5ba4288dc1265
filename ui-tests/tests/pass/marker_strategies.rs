//! Every marker strategy compiles with the operations it supports.

mod flag {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "flag")]
    #[soft_delete(touch = updated_at, unique(code))]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub code: String,
        #[soft_delete(flag)]
        pub deleted: bool,
        pub updated_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

mod active {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "active")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[soft_delete(active_flag)]
        pub active: bool,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

mod epoch {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "epoch")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[soft_delete(epoch = millis)]
        pub deleted_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

fn main() {
    let cutoff = chrono::Utc::now();
    let _ = flag::Entity::purge_trash(cutoff);
    let _ = epoch::Entity::purge_trash(cutoff);
    let _ = active::Entity::objects();
    let _: fn(&active::Model) -> bool = active::Model::is_deleted;
}
