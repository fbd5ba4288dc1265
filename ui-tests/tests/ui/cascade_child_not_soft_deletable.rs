mod plain {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "plain")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub parent_id: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(belongs_to = "super::Entity", from = "Column::ParentId", to = "super::Column::Id")]
        Parent,
    }

    impl Related<super::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Parent.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

use sea_orm::entity::prelude::*;
use soft_delete_core::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
#[sea_orm(table_name = "parent")]
#[soft_delete(cascade(plain::Entity))]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub deleted_at: Option<DateTimeUtc>,
    pub deleted_batch: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "plain::Entity")]
    Plain,
}

impl Related<plain::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Plain.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

fn main() {}
