//! `#[soft_delete(default_scope)]`: SeaORM's own calls, written as SeaORM's docs write them, mean
//! active rows and soft delete on every backend, the trash and hard deletes stay reachable by
//! name, and relation calls hide the trash of related entities that opted in too.

use crate::common::TestDb;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, DbErr, IntoActiveModel, PaginatorTrait, Set};

/// A post in the default scope; its comments follow it into the trash.
mod post {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "ds_post")]
    #[soft_delete(default_scope, cascade(super::comment::Entity))]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub title: String,
        pub views: i32,
        pub deleted_at: Option<DateTimeUtc>,
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(has_many = "super::comment::Entity")]
        Comment,
        #[sea_orm(has_many = "super::tag::Entity")]
        Tag,
    }

    impl Related<super::comment::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Comment.def()
        }
    }

    impl Related<super::tag::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Tag.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}

    /// Post to its comments, as SeaORM's docs write a `Linked`.
    #[derive(Debug)]
    pub struct Comments;

    impl Linked for Comments {
        type FromEntity = Entity;
        type ToEntity = super::comment::Entity;

        fn link(&self) -> Vec<RelationDef> {
            vec![Relation::Comment.def()]
        }
    }
}

mod comment {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "ds_comment")]
    #[soft_delete(default_scope)]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub post_id: i32,
        pub deleted_at: Option<DateTimeUtc>,
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::post::Entity",
            from = "Column::PostId",
            to = "super::post::Column::Id"
        )]
        Post,
    }

    impl Related<super::post::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Post.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// Soft-deletable, but not in the default scope: SeaORM's calls on it keep their meaning.
mod tag {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "ds_tag")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub post_id: i32,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::post::Entity",
            from = "Column::PostId",
            to = "super::post::Column::Id"
        )]
        Post,
    }

    impl Related<super::post::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Post.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// Posts 1..=5 with 2 comments each (`10 * post + 0..2`).
async fn seed(db: &TestDb) {
    db.create::<post::Entity>().await;
    db.create::<comment::Entity>().await;
    db.create::<tag::Entity>().await;
    for id in 1..=5 {
        post::ActiveModel {
            id: Set(id),
            title: Set(format!("post {id}")),
            views: Set(0),
            ..Default::default()
        }
        .insert(&db.conn)
        .await
        .expect("post");
        for n in 0..2 {
            comment::ActiveModel {
                id: Set(id * 10 + n),
                post_id: Set(id),
                ..Default::default()
            }
            .insert(&db.conn)
            .await
            .expect("comment");
        }
    }
}

async fn counts(db: &TestDb) -> (u64, u64, u64) {
    let conn = &db.conn;
    (
        post::Entity::objects().count(conn).await.expect("active"),
        post::Entity::deleted_objects()
            .count(conn)
            .await
            .expect("trash"),
        comment::Entity::deleted_objects()
            .count(conn)
            .await
            .expect("trashed comments"),
    )
}

/// SeaORM's calls as a service writes them, through the guarded test connection (deny mode):
/// each one passes the leak guard, because each now says which rows it means.
async fn seaorm_calls(db: &TestDb) -> Result<(), DbErr> {
    let conn = &db.conn;

    // `delete_by_id`: one post to the trash, its comments with it; again: nothing to do.
    let deleted = post::Entity::delete_by_id(1).exec(conn).await?;
    assert_eq!(deleted.rows_affected, 1);
    assert_eq!(
        post::Entity::delete_by_id(1)
            .exec(conn)
            .await?
            .rows_affected,
        0
    );
    assert_eq!(counts(db).await, (4, 1, 2));

    // `find` and `find_by_id` no longer see it.
    assert_eq!(post::Entity::find().all(conn).await?.len(), 4);
    assert_eq!(post::Entity::find().count(conn).await?, 4);
    assert!(post::Entity::find_by_id(1).one(conn).await?.is_none());
    assert!(post::Entity::find_any_by_id(1).one(conn).await?.is_some());

    // `update_many` leaves the trash alone.
    let updated = post::Entity::update_many()
        .col_expr(post::Column::Views, Expr::value(7))
        .exec(conn)
        .await?;
    assert_eq!(updated.rows_affected, 4);
    let trashed = post::Entity::find_any_by_id(1)
        .one(conn)
        .await?
        .expect("post 1");
    assert_eq!(trashed.views, 0);

    // `model.delete(db)`, `Entity::delete(active_model)`, `active_model.delete(db)`.
    let two = post::Entity::find_by_id(2)
        .one(conn)
        .await?
        .expect("post 2");
    assert_eq!(two.delete(conn).await?.rows_affected, 1);
    let three = post::Entity::find_by_id(3)
        .one(conn)
        .await?
        .expect("post 3");
    let deleted = post::Entity::delete(three.into_active_model())
        .exec(conn)
        .await?;
    assert_eq!(deleted.rows_affected, 1);
    let four = post::Entity::find_by_id(4)
        .one(conn)
        .await?
        .expect("post 4");
    assert_eq!(
        four.into_active_model().delete(conn).await?.rows_affected,
        1
    );
    assert_eq!(counts(db).await, (1, 4, 8));

    // `delete_many` with a filter, then without.
    let none = post::Entity::delete_many()
        .filter(post::Column::Title.eq("no such post"))
        .exec(conn)
        .await?;
    assert_eq!(none.rows_affected, 0);
    assert_eq!(
        post::Entity::delete_many().exec(conn).await?.rows_affected,
        1
    );
    assert_eq!(counts(db).await, (0, 5, 10));

    // The trash is reachable by name, and so is the hard delete.
    assert_eq!(post::Entity::all_objects().count(conn).await?, 5);
    let restored = post::Entity::restore_many().exec(conn).await?;
    assert_eq!(restored.rows_affected, 5);
    assert_eq!(
        counts(db).await,
        (5, 0, 0),
        "restore brings back the comments too"
    );
    let gone = post::Entity::force_delete_by_id(5).exec(conn).await;
    assert!(gone.is_ok(), "{gone:?}");
    assert_eq!(post::Entity::all_objects().count(conn).await?, 4);
    Ok(())
}

async fn relation_calls(db: &TestDb) -> Result<(), DbErr> {
    let conn = &db.conn;
    let post = post::Entity::find_by_id(1)
        .one(conn)
        .await?
        .expect("post 1");
    tag::ActiveModel {
        id: Set(1),
        post_id: Set(1),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    comment::Entity::delete_by_id(10).exec(conn).await?;
    soft_delete_core::guard::allow_trashed(async {
        tag::Entity::soft_delete_by_id(1).exec(conn).await?;
        // `tag` is not in the default scope: SeaORM's `find_related` keeps showing its trash.
        assert_eq!(post.find_related(tag::Entity).all(conn).await?.len(), 1);
        Ok::<_, DbErr>(())
    })
    .await?;
    let comments = post.find_related(comment::Entity).all(conn).await?;
    assert_eq!(comments.iter().map(|c| c.id).collect::<Vec<_>>(), [11]);
    let linked = post.find_linked(post::Comments).all(conn).await?;
    assert_eq!(linked.iter().map(|c| c.id).collect::<Vec<_>>(), [11]);
    // From the child: its post, until the post is trashed.
    let comment = comment::Entity::find_by_id(11)
        .one(conn)
        .await?
        .expect("comment 11");
    assert!(
        comment
            .find_related(post::Entity)
            .one(conn)
            .await?
            .is_some()
    );
    post.delete(conn).await?;
    assert!(
        comment
            .find_related(post::Entity)
            .one(conn)
            .await?
            .is_none()
    );
    Ok(())
}

backend_tests! {
    async fn seaorm_calls_mean_active_rows_and_soft_delete(db: &TestDb) {
        seed(db).await;
        seaorm_calls(db).await.expect("SeaORM's calls under the default scope");
    }

    async fn relation_calls_hide_the_trash_of_scoped_entities(db: &TestDb) {
        seed(db).await;
        relation_calls(db).await.expect("relation calls under the default scope");
    }

    async fn an_active_model_without_its_key_deletes_nothing(db: &TestDb) {
        seed(db).await;
        let unkeyed = post::ActiveModel {
            title: Set("never saved".into()),
            ..Default::default()
        };
        let refused = post::Entity::delete(unkeyed).exec(&db.conn).await;
        assert!(matches!(refused, Err(DbErr::RecordNotFound(_))), "{refused:?}");
        assert_eq!(counts(db).await, (5, 0, 0));
    }

    async fn the_library_api_keeps_its_meaning(db: &TestDb) {
        seed(db).await;
        let conn = &db.conn;
        let done = post::Entity::soft_delete_many()
            .filter(post::Column::Id.lte(2))
            .exec(conn)
            .await
            .expect("soft delete");
        assert_eq!((done.rows_affected, done.cascaded.get("ds_comment")), (2, 4));
        let trashed = post::Entity::deleted_objects().all(conn).await.expect("trash");
        assert_eq!(trashed.len(), 2);
        let one = trashed.into_iter().next().expect("a trashed post");
        // `restore` and `force_delete` on a model are the library's, default scope or not.
        let one = one.restore(conn).await.expect("restore");
        assert!(!one.is_deleted());
        one.force_delete(conn).await.expect("force delete");
        assert_eq!(counts(db).await, (3, 1, 2));
    }
}

/// A statement the default scope sends is what the explicit API sends: `delete_many()` is
/// `soft_delete_many()`, `find()` is `objects()`.
#[test]
fn the_scoped_calls_build_the_explicit_statements() {
    use sea_orm::{DbBackend, QueryTrait};
    for backend in [DbBackend::Sqlite, DbBackend::Postgres, DbBackend::MySql] {
        assert_eq!(
            post::Entity::find().build(backend).to_string(),
            post::Entity::objects().build(backend).to_string()
        );
        assert_eq!(
            post::Entity::find_by_id(3).build(backend).to_string(),
            post::Entity::find_active_by_id(3)
                .build(backend)
                .to_string()
        );
        let at = chrono::Utc::now();
        let scoped = post::Entity::delete_by_id(3).into_soft_delete().at(at);
        let explicit = post::Entity::soft_delete_many()
            .filter(post::Column::Id.eq(3))
            .at(at);
        let (scoped, explicit) = (scoped.build(backend), explicit.build(backend));
        assert_eq!(scoped.sql, explicit.sql);
    }
}
