//! Active-only relation queries and the hard-delete guard, on every backend. Each leak path has
//! a test that shows trashed rows hidden, next to SeaORM's original that still shows them.

use crate::common::TestDb;
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DbErr, EntityTrait, IntoActiveModel, LoaderTrait, ModelTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use soft_delete_core::guard::{LeakKind, allow_hard_delete, allow_trashed};
use soft_delete_core::prelude::*;
use soft_delete_core::{Error, active_condition_in};

/// Ada (books: "Live", "Gone" trashed), Bob (only "Lost", trashed), Cy (trashed, book "Orphan").
/// Tags: "red" on Live, "blue" on Live (link trashed), "green" (trashed) on Live.
pub(crate) struct Library {
    pub(crate) ada: author::Model,
    pub(crate) bob: author::Model,
    pub(crate) live: book::Model,
}

pub(crate) async fn library(db: &TestDb) -> Library {
    db.create::<author::Entity>().await;
    db.create::<tag::Entity>().await;
    db.create::<book::Entity>().await;
    db.create::<book_tag::Entity>().await;
    let author = |name: &str| author::ActiveModel {
        name: Set(name.into()),
        ..Default::default()
    };
    let ada = author("Ada").insert(&db.conn).await.expect("ada");
    let bob = author("Bob").insert(&db.conn).await.expect("bob");
    let cy = author("Cy").insert(&db.conn).await.expect("cy");
    let book = |author_id: i32, title: &str| book::ActiveModel {
        author_id: Set(author_id),
        title: Set(title.into()),
        ..Default::default()
    };
    let live = book(ada.id, "Live").insert(&db.conn).await.expect("live");
    book(ada.id, "Gone")
        .insert(&db.conn)
        .await
        .expect("gone")
        .soft_delete(&db.conn)
        .await
        .expect("trash");
    book(bob.id, "Lost")
        .insert(&db.conn)
        .await
        .expect("lost")
        .soft_delete(&db.conn)
        .await
        .expect("trash");
    book(cy.id, "Orphan")
        .insert(&db.conn)
        .await
        .expect("orphan");
    cy.soft_delete(&db.conn).await.expect("trash cy");

    for (name, trashed_tag, trashed_link) in [
        ("red", false, false),
        ("blue", false, true),
        ("green", true, false),
    ] {
        let tag = tag::ActiveModel {
            name: Set(name.into()),
            ..Default::default()
        }
        .insert(&db.conn)
        .await
        .expect("tag");
        let link = book_tag::ActiveModel {
            book_id: Set(live.id),
            tag_id: Set(tag.id),
            deleted_at: Set(None),
        }
        .insert(&db.conn)
        .await
        .expect("link");
        if trashed_tag {
            tag.soft_delete(&db.conn).await.expect("trash tag");
        }
        if trashed_link {
            link.soft_delete(&db.conn).await.expect("trash link");
        }
    }
    db.statements.take();
    Library { ada, bob, live }
}

fn titles(books: &[book::Model]) -> Vec<&str> {
    books.iter().map(|book| book.title.as_str()).collect()
}

backend_tests! {
    async fn find_related_hides_trashed_children(db: &TestDb) {
        let lib = library(db).await;
        let active = lib.ada.find_related_active(book::Entity).order_by_asc(book::Column::Id).all(&db.conn).await.expect("active");
        assert_eq!(titles(&active), ["Live"]);
        let with_trashed = allow_trashed(lib.ada.find_related(book::Entity).order_by_asc(book::Column::Id).all(&db.conn)).await.expect("all");
        assert_eq!(titles(&with_trashed), ["Live", "Gone"]);
    }

    async fn find_related_hides_a_trashed_parent(db: &TestDb) {
        library(db).await;
        let orphan = book::Entity::all_objects().filter(book::Column::Title.eq("Orphan")).one(&db.conn).await.expect("read").expect("orphan");
        assert_eq!(orphan.find_related_active(author::Entity).one(&db.conn).await.expect("query"), None);
        let cy = allow_trashed(orphan.find_related(author::Entity).one(&db.conn)).await.expect("query").expect("cy");
        assert!(cy.is_deleted());
    }

    async fn find_also_related_keeps_parents_whose_children_are_all_trashed(db: &TestDb) {
        library(db).await;
        let pairs = author::Entity::objects()
            .find_also_related_active(book::Entity)
            .order_by_asc(author::Column::Id)
            .all(&db.conn)
            .await
            .expect("query");
        let shown: Vec<(String, Option<String>)> = pairs.into_iter().map(|(a, b)| (a.name, b.map(|b| b.title))).collect();
        assert_eq!(shown, [("Ada".into(), Some("Live".into())), ("Bob".into(), None)]);

        let leaky = allow_trashed(author::Entity::objects().find_also_related(book::Entity).all(&db.conn)).await.expect("query");
        assert_eq!(leaky.len(), 3, "SeaORM's own join includes Gone and Lost");
    }

    async fn find_with_related_groups_active_children(db: &TestDb) {
        library(db).await;
        let grouped = author::Entity::objects().find_with_related_active(book::Entity).all(&db.conn).await.expect("query");
        let shown: Vec<(String, Vec<String>)> = grouped
            .into_iter()
            .map(|(a, books)| (a.name, books.into_iter().map(|b| b.title).collect()))
            .collect();
        assert_eq!(shown, [("Ada".into(), vec!["Live".to_owned()]), ("Bob".into(), vec![])]);
    }

    async fn has_related_counts_only_active_children(db: &TestDb) {
        library(db).await;
        let with_books = author::Entity::all_objects()
            .has_related_active(book::Entity, book::Column::Title.is_not_null())
            .order_by_asc(author::Column::Id)
            .all(&db.conn)
            .await
            .expect("query");
        let names: Vec<String> = with_books.into_iter().map(|a| a.name).collect();
        assert_eq!(names, ["Ada", "Cy"], "Bob's only book is trashed; Cy is trashed but was not filtered");
        let leaky = allow_trashed(author::Entity::all_objects().has_related(book::Entity, book::Column::Title.is_not_null()).all(&db.conn)).await.expect("query");
        assert_eq!(leaky.len(), 3);
    }

    async fn loaders_take_the_active_finder(db: &TestDb) {
        library(db).await;
        let authors = author::Entity::objects().order_by_asc(author::Column::Id).all(&db.conn).await.expect("authors");
        let books = authors.load_many(book::Entity::objects(), &db.conn).await.expect("load_many");
        let shown: Vec<Vec<&str>> = books.iter().map(|b| titles(b)).collect();
        assert_eq!(shown, [vec!["Live"], vec![]]);
        let leaky = allow_trashed(authors.load_many(book::Entity, &db.conn)).await.expect("load_many");
        assert_eq!(leaky.iter().map(Vec::len).sum::<usize>(), 3);

        let all_books = book::Entity::all_objects().order_by_asc(book::Column::Id).all(&db.conn).await.expect("books");
        let parents = all_books.load_one(author::Entity::objects(), &db.conn).await.expect("load_one");
        let names: Vec<Option<String>> = parents.into_iter().map(|a| a.map(|a| a.name)).collect();
        assert_eq!(names, [Some("Ada".into()), Some("Ada".into()), Some("Bob".into()), None]);
    }

    async fn many_to_many_hides_trashed_links_and_far_rows(db: &TestDb) {
        let lib = library(db).await;
        // The junction is soft-deletable, and every helper finds that out by itself: a trashed
        // link (blue) pairs nothing, a trashed far row (green) shows nothing.
        let found = lib.live.find_related_active(tag::Entity).order_by_asc(tag::Column::Id).all(&db.conn).await.expect("tags");
        assert_eq!(found.into_iter().map(|t| t.name).collect::<Vec<_>>(), ["red"]);
        let this_book = || book::Entity::objects().filter(book::Column::Id.eq(lib.live.id));
        let pairs = this_book().find_also_related_active(tag::Entity).all(&db.conn).await.expect("pairs");
        let paired: Vec<String> = pairs.into_iter().filter_map(|(_, tag)| tag.map(|t| t.name)).collect();
        assert_eq!(paired, ["red"], "find_also_related_active");
        let grouped = this_book().find_with_related_active(tag::Entity).all(&db.conn).await.expect("grouped");
        let grouped: Vec<Vec<String>> = grouped.into_iter().map(|(_, tags)| tags.into_iter().map(|t| t.name).collect()).collect();
        assert_eq!(grouped, [vec!["red".to_string()]], "find_with_related_active");
        for (tag, expected) in [("red", 1), ("blue", 0), ("green", 0)] {
            let books = this_book().has_related_active(tag::Entity, tag::Column::Name.eq(tag)).count(&db.conn).await.expect("count");
            assert_eq!(books, expected, "has_related_active through the {tag} link");
        }
        // SeaORM's loader joins the junction by its table name: its condition goes in the filter.
        let books = vec![lib.live.clone()];
        let loaded = books
            .load_many(tag::Entity::objects().filter(soft_delete_core::active_condition::<book_tag::Entity>()), &db.conn)
            .await
            .expect("load_many through the junction");
        assert_eq!(loaded[0].iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["red"]);
        let refused = books.load_many(tag::Entity::objects(), &db.conn).await.expect_err("trashed links would pair");
        assert!(matches!(Error::downcast_ref(&refused), Some(Error::Leak(leak)) if leak.table == "book_tag"), "{refused}");
        let leaky = allow_trashed(lib.live.find_related(tag::Entity).all(&db.conn)).await.expect("tags");
        assert_eq!(leaky.len(), 3);
        let refused = lib.live.find_related(tag::Entity).all(&db.conn).await.expect_err("the guard sees SeaORM's find_related");
        assert!(matches!(Error::downcast_ref(&refused), Some(Error::Leak(leak)) if leak.kind == LeakKind::Read), "{refused}");
    }

    async fn linked_joins_use_the_join_alias(db: &TestDb) {
        let lib = library(db).await;
        let linked = lib.ada.find_linked(author::ActiveBooks).all(&db.conn).await.expect("find_linked");
        assert_eq!(titles(&linked), ["Live"]);
        let pairs = author::Entity::objects()
            .find_also_linked(author::ActiveBooks)
            .order_by_asc(author::Column::Id)
            .all(&db.conn)
            .await
            .expect("find_also_linked");
        let shown: Vec<(String, Option<String>)> = pairs.into_iter().map(|(a, b)| (a.name, b.map(|b| b.title))).collect();
        assert_eq!(shown, [("Ada".into(), Some("Live".into())), ("Bob".into(), None)]);
    }

    async fn only_active_and_only_trashed_on_any_query(db: &TestDb) {
        let lib = library(db).await;
        let gone = book::Entity::all_objects().only_trashed::<book::Entity>().order_by_asc(book::Column::Id).all(&db.conn).await.expect("trash");
        assert_eq!(titles(&gone), ["Gone", "Lost"]);
        let result = book::Entity::update_many()
            .col_expr(book::Column::Title, Expr::value("Renamed"))
            .filter(book::Column::AuthorId.eq(lib.ada.id))
            .only_active::<book::Entity>()
            .exec(&db.conn)
            .await
            .expect("update");
        assert_eq!(result.rows_affected, 1);

        // A hand-written subquery over an aliased table.
        let mut active_books = Query::select();
        active_books
            .column((Alias::new("b"), book::Column::AuthorId))
            .from_as(book::Entity, Alias::new("b"))
            .and_where(active_condition_in::<book::Entity>("b"));
        let authors = author::Entity::all_objects()
            .filter(author::Column::Id.in_subquery(active_books))
            .all(&db.conn)
            .await
            .expect("query");
        let names: Vec<String> = authors.into_iter().map(|a| a.name).collect();
        assert_eq!(names, ["Ada", "Cy"]);
        assert_eq!(lib.bob.find_related_active(book::Entity).all(&db.conn).await.expect("books").len(), 0);
    }

    async fn the_guard_stops_sea_orm_hard_deletes_but_not_force_delete(db: &TestDb) {
        library(db).await;
        let dee = author::ActiveModel { name: Set("Dee".into()), ..Default::default() }.insert(&db.conn).await.expect("dee");

        let refused = dee.clone().delete(&db.conn).await.expect_err("Model::delete is refused");
        assert!(matches!(&refused, DbErr::Custom(message) if message.contains("soft_delete(db)")), "{refused:?}");
        let refused = dee.clone().into_active_model().delete(&db.conn).await.expect_err("ActiveModel::delete is refused");
        assert!(refused.to_string().contains("force_delete(db)"), "{refused}");
        assert!(author::Entity::find_active_by_id(dee.id).one(&db.conn).await.expect("read").is_some());

        dee.force_delete(&db.conn).await.expect("our force_delete is not blocked");
        assert!(matches!(dee.restore(&db.conn).await, Err(Error::RowNotFound { .. })));

        // SeaORM does not run `before_delete` for `delete_by_id`: that hook cannot see it, the
        // leak guard can.
        let eve = author::ActiveModel { name: Set("Eve".into()), ..Default::default() }.insert(&db.conn).await.expect("eve");
        let refused = author::Entity::delete_by_id(eve.id).exec(&db.conn).await.expect_err("the leak guard sees delete_by_id");
        assert!(matches!(Error::downcast_ref(&refused), Some(Error::Leak(leak)) if leak.kind == LeakKind::HardDelete), "{refused}");
        let bypass = allow_hard_delete(author::Entity::delete_by_id(eve.id).exec(&db.conn)).await.expect("delete_by_id bypasses the hook");
        assert_eq!(bypass.rows_affected, 1);
    }
}

// The entities only this module uses.

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
