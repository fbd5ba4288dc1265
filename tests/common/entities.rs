//! Entities covering each supported shape of marker field and entity declaration.

/// The classic format with `DateTimeUtc`, the default marker name and an `i32` key.
pub mod product {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "product")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
        pub price: i64,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A marker under another field name and another column name, and a `deleted_at` field that is
/// an ordinary column because another field is marked.
pub mod renamed {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "renamed")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[soft_delete]
        #[sea_orm(column_name = "trashed_on", enum_name = "Trashed")]
        pub removed_at: Option<DateTimeUtc>,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A composite primary key.
pub mod membership {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "membership")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub org_id: i32,
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: i32,
        pub role: String,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Keys unique among active rows: one single-column, one composite.
pub mod account {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "account")]
    #[soft_delete(unique(email), unique(org_id, handle))]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub email: String,
        pub org_id: i32,
        pub handle: String,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A cascade graph: category -> item -> review, and item -> item_label (a junction to label,
/// whose rows other items share and the cascade never touches).
pub mod category {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "category")]
    #[soft_delete(cascade(super::item::Entity))]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
        pub deleted_at: Option<DateTimeUtc>,
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(has_many = "super::item::Entity")]
        Item,
    }

    impl Related<super::item::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Item.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod item {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "item")]
    #[soft_delete(cascade(super::review::Entity, super::item_label::Entity))]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub category_id: i32,
        pub name: String,
        pub deleted_at: Option<DateTimeUtc>,
        #[soft_delete(batch)]
        pub trash_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::category::Entity",
            from = "Column::CategoryId",
            to = "super::category::Column::Id"
        )]
        Category,
        #[sea_orm(has_many = "super::review::Entity")]
        Review,
        #[sea_orm(has_many = "super::item_label::Entity")]
        ItemLabel,
    }

    impl Related<super::category::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Category.def()
        }
    }

    impl Related<super::review::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Review.def()
        }
    }

    impl Related<super::item_label::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::ItemLabel.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod review {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "review")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub item_id: i32,
        pub body: String,
        pub deleted_at: Option<DateTimeUtc>,
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::item::Entity",
            from = "Column::ItemId",
            to = "super::item::Column::Id"
        )]
        Item,
    }

    impl Related<super::item::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Item.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod label {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "label")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod item_label {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "item_label")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub item_id: i32,
        #[sea_orm(primary_key, auto_increment = false)]
        pub label_id: i32,
        pub deleted_at: Option<DateTimeUtc>,
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::item::Entity",
            from = "Column::ItemId",
            to = "super::item::Column::Id"
        )]
        Item,
        #[sea_orm(
            belongs_to = "super::label::Entity",
            from = "Column::LabelId",
            to = "super::label::Column::Id"
        )]
        Label,
    }

    impl Related<super::item::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Item.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A self-referencing tree: deleting a folder trashes its whole subtree.
pub mod folder {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "folder")]
    #[soft_delete(cascade(Entity))]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub parent_id: Option<i32>,
        pub name: String,
        pub deleted_at: Option<DateTimeUtc>,
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(belongs_to = "Entity", from = "Column::ParentId", to = "Column::Id")]
        Parent,
    }

    /// Parent to children, as a cascade edge reads it.
    impl Related<Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Parent.def().rev()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}
