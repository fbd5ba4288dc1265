//! The service's two tables: categories, whose soft delete cascades to their products.

pub mod category {
    use sea_orm::entity::prelude::*;
    use serde::Serialize;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, Serialize, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "category")]
    #[soft_delete(cascade(super::product::Entity))]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
        pub deleted_at: Option<DateTimeUtc>,
        #[serde(skip)]
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(has_many = "super::product::Entity")]
        Product,
    }

    impl Related<super::product::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Product.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod product {
    use sea_orm::entity::prelude::*;
    use serde::Serialize;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, Serialize, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "product")]
    #[soft_delete(unique(sku))]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub category_id: i32,
        pub sku: String,
        pub name: String,
        pub price: i64,
        pub deleted_at: Option<DateTimeUtc>,
        #[serde(skip)]
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::category::Entity",
            from = "Column::CategoryId",
            to = "super::category::Column::Id"
        )]
        Category,
    }

    impl Related<super::category::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Category.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}
