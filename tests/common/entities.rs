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

/// A naive marker (`DateTime`), taken as UTC.
pub mod naive_note {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "naive_note")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub body: String,
        pub deleted_at: Option<DateTime>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A fixed-offset marker (`DateTimeWithTimeZone`).
pub mod offset_note {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "offset_note")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub body: String,
        pub deleted_at: Option<DateTimeWithTimeZone>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `time` crate's offset and primitive types, behind the `with-time` feature.
pub mod time_note {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "time_note")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub body: String,
        pub deleted_at: Option<TimeDateTimeWithTimeZone>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod primitive_note {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "primitive_note")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub body: String,
        pub deleted_at: Option<TimeDateTime>,
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

/// SeaORM 2's dense format, which runs the derive a second time on `ModelEx`.
pub mod article {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "article")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(unique)]
        pub slug: String,
        pub deleted_at: Option<DateTimeUtc>,
    }

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

/// Timestamps from the database server's clock.
pub mod server_stamped {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "server_stamped")]
    #[soft_delete(clock = database)]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub label: String,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// author 1-n book, book n-m tag through the soft-deletable junction book_tag. Authors refuse
/// SeaORM's own hard delete.
pub mod author {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "author")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(has_many = "super::book::Entity")]
        Book,
    }

    impl Related<super::book::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Book.def()
        }
    }

    #[async_trait::async_trait]
    impl ActiveModelBehavior for ActiveModel {
        async fn before_delete<C>(self, _db: &C) -> Result<Self, DbErr>
        where
            C: ConnectionTrait,
        {
            Err(soft_delete_core::hard_delete_denied::<Entity>())
        }
    }

    /// The author's books through a `Linked` whose join hides trashed books.
    #[derive(Debug)]
    pub struct ActiveBooks;

    impl Linked for ActiveBooks {
        type FromEntity = Entity;
        type ToEntity = super::book::Entity;

        fn link(&self) -> Vec<RelationDef> {
            vec![soft_delete_core::active_join::<super::book::Entity>(
                Relation::Book.def(),
            )]
        }
    }
}

pub mod book {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "book")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub author_id: i32,
        pub title: String,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::author::Entity",
            from = "Column::AuthorId",
            to = "super::author::Column::Id"
        )]
        Author,
        #[sea_orm(has_many = "super::book_tag::Entity")]
        BookTag,
    }

    impl Related<super::author::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Author.def()
        }
    }

    impl Related<super::book_tag::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::BookTag.def()
        }
    }

    impl Related<super::tag::Entity> for Entity {
        fn to() -> RelationDef {
            super::book_tag::Relation::Tag.def()
        }

        fn via() -> Option<RelationDef> {
            Some(super::book_tag::Relation::Book.def().rev())
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod tag {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "tag")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl Related<super::book::Entity> for Entity {
        fn to() -> RelationDef {
            super::book_tag::Relation::Book.def()
        }

        fn via() -> Option<RelationDef> {
            Some(super::book_tag::Relation::Tag.def().rev())
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod book_tag {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "book_tag")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub book_id: i32,
        #[sea_orm(primary_key, auto_increment = false)]
        pub tag_id: i32,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::book::Entity",
            from = "Column::BookId",
            to = "super::book::Column::Id"
        )]
        Book,
        #[sea_orm(
            belongs_to = "super::tag::Entity",
            from = "Column::TagId",
            to = "super::tag::Column::Id"
        )]
        Tag,
    }

    impl Related<super::book::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Book.def()
        }
    }

    impl Related<super::tag::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Tag.def()
        }
    }

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

/// Audit columns: `updated_at` touched and `deleted_by` recorded by the state change itself.
pub mod memo {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "memo")]
    #[soft_delete(touch = updated_at, deleted_by = deleted_by)]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub body: String,
        pub updated_at: DateTimeUtc,
        pub deleted_by: Option<String>,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Hooks on a cascade parent (`ledger`) and its child (`entry`); every hook call is written to
/// `hook_event` through the operation's own transaction.
pub mod ledger {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;
    use soft_delete_core::{Error, HookContext, SoftDeleteHooks};

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "ledger")]
    #[soft_delete(hooks, cascade(super::entry::Entity))]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
        pub deleted_at: Option<DateTimeUtc>,
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(has_many = "super::entry::Entity")]
        Entry,
    }

    impl Related<super::entry::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Entry.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}

    async fn named(ctx: &HookContext<'_>, name: &str) -> Result<bool, Error> {
        let ids = ctx.keys.iter().flat_map(|key| key.clone().into_iter());
        let matching = Entity::find()
            .filter(Column::Id.is_in(ids))
            .filter(Column::Name.eq(name))
            .count(&ctx.db)
            .await?;
        Ok(matching > 0)
    }

    impl SoftDeleteHooks for Entity {
        async fn before_soft_delete(ctx: &HookContext<'_>) -> Result<(), Error> {
            super::hook_event::record("before_soft_delete", ctx).await?;
            if named(ctx, "protected").await? {
                return Err(Error::vetoed("protected ledgers stay"));
            }
            Ok(())
        }

        async fn after_soft_delete(ctx: &HookContext<'_>) -> Result<(), Error> {
            super::hook_event::record("after_soft_delete", ctx).await
        }

        async fn before_restore(ctx: &HookContext<'_>) -> Result<(), Error> {
            super::hook_event::record("before_restore", ctx).await
        }

        async fn after_restore(ctx: &HookContext<'_>) -> Result<(), Error> {
            super::hook_event::record("after_restore", ctx).await?;
            if named(ctx, "fragile").await? {
                return Err(Error::vetoed("fragile ledgers break on restore"));
            }
            Ok(())
        }

        async fn before_force_delete(ctx: &HookContext<'_>) -> Result<(), Error> {
            super::hook_event::record("before_force_delete", ctx).await
        }

        async fn after_force_delete(ctx: &HookContext<'_>) -> Result<(), Error> {
            super::hook_event::record("after_force_delete", ctx).await
        }
    }
}

pub mod entry {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;
    use soft_delete_core::{Error, HookContext, SoftDeleteHooks};

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "entry")]
    #[soft_delete(hooks)]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub ledger_id: i32,
        pub deleted_at: Option<DateTimeUtc>,
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::ledger::Entity",
            from = "Column::LedgerId",
            to = "super::ledger::Column::Id"
        )]
        Ledger,
    }

    impl Related<super::ledger::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Ledger.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}

    impl SoftDeleteHooks for Entity {
        async fn after_soft_delete(ctx: &HookContext<'_>) -> Result<(), Error> {
            super::hook_event::record("after_soft_delete", ctx).await
        }

        async fn after_restore(ctx: &HookContext<'_>) -> Result<(), Error> {
            super::hook_event::record("after_restore", ctx).await
        }

        async fn after_force_delete(ctx: &HookContext<'_>) -> Result<(), Error> {
            super::hook_event::record("after_force_delete", ctx).await
        }
    }
}

/// The log the hooks above write, inside the operation's transaction.
pub mod hook_event {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::{Error, HookContext};

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "hook_event")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub point: String,
        pub origin: String,
        pub table_name: String,
        #[sea_orm(column_type = "Text")]
        pub keys: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    pub async fn record(point: &str, ctx: &HookContext<'_>) -> Result<(), Error> {
        let keys: Vec<String> = ctx
            .keys
            .iter()
            .flat_map(|key| key.clone().into_iter())
            .map(|v| v.to_string())
            .collect();
        ActiveModel {
            point: sea_orm::Set(point.to_owned()),
            origin: sea_orm::Set(format!("{:?}", ctx.origin)),
            table_name: sea_orm::Set(ctx.table.to_owned()),
            keys: sea_orm::Set(keys.join(",")),
            ..Default::default()
        }
        .insert(&ctx.db)
        .await?;
        Ok(())
    }
}
