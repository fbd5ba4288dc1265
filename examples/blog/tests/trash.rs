//! What adoption adds to the blog, beyond its unchanged CRUD test: deleted posts wait in the
//! trash and come back, and none of the service's statements shows or destroys trashed posts
//! (the leak observer, installed on the plain `DatabaseConnection`, reports none).

use sea_orm::{Database, PaginatorTrait};
use sea_orm_migration::MigratorTrait;
use soft_delete_example_blog::entity::post;
use soft_delete_example_blog::migration::Migrator;
use soft_delete_example_blog::service::{Mutation, Query};

fn form(title: &str) -> post::Model {
    post::Model {
        id: 0,
        title: title.to_owned(),
        text: format!("{title} text"),
        deleted_at: None,
    }
}

#[tokio::test]
async fn deleted_posts_wait_in_the_trash_and_the_service_leaks_nothing() {
    let mut db = Database::connect("sqlite::memory:").await.expect("connect");
    let observer = soft_delete_core::guard::observe(&mut db);
    Migrator::up(&db, None).await.expect("migrate");
    let db = &db;

    let first = Mutation::create_post(db, form("A")).await.expect("create");
    let second = Mutation::create_post(db, form("B")).await.expect("create");
    Mutation::update_post_by_id(db, first.id, form("A2"))
        .await
        .expect("update");
    Mutation::delete_post(db, first.id).await.expect("delete");
    assert!(Mutation::delete_post(db, first.id).await.is_err());
    Query::find_posts_in_page(db, 1, 10).await.expect("page");

    // The deleted post is in the trash, with its update, and comes back.
    let trash = post::Entity::deleted_objects()
        .all(db)
        .await
        .expect("trash");
    assert_eq!(trash.len(), 1);
    assert_eq!((trash[0].id, trash[0].title.as_str()), (first.id, "A2"));
    post::Entity::restore_by_id(first.id)
        .exec(db)
        .await
        .expect("restore");
    assert!(
        Query::find_post_by_id(db, first.id)
            .await
            .expect("find")
            .is_some()
    );

    Mutation::delete_all_posts(db).await.expect("delete all");
    assert_eq!(post::Entity::find().count(db).await.expect("count"), 0);
    assert_eq!(
        post::Entity::all_objects().count(db).await.expect("count"),
        2
    );
    assert!(
        Query::find_post_by_id(db, second.id)
            .await
            .expect("find")
            .is_none()
    );

    assert_eq!(observer.leaks(), Vec::new(), "the service's statements");
}
