//! The blog's CRUD test, as SeaORM's examples write theirs, on an in-memory SQLite database.

use soft_delete_example_blog::entity::post;
use soft_delete_example_blog::service::{Mutation, Query};

async fn database() -> sea_orm::DatabaseConnection {
    soft_delete_example_blog::connect("sqlite::memory:")
        .await
        .expect("database")
}

#[tokio::test]
async fn crud() {
    let db = &database().await;

    let first = Mutation::create_post(
        db,
        post::Model {
            id: 0,
            title: "Title A".to_owned(),
            text: "Text A".to_owned(),
            deleted_at: None,
        },
    )
    .await
    .expect("create");
    let second = Mutation::create_post(
        db,
        post::Model {
            id: 0,
            title: "Title B".to_owned(),
            text: "Text B".to_owned(),
            deleted_at: None,
        },
    )
    .await
    .expect("create");

    let found = Query::find_post_by_id(db, first.id).await.expect("find");
    assert_eq!(found.as_ref().map(|p| p.title.as_str()), Some("Title A"));

    let updated = Mutation::update_post_by_id(
        db,
        first.id,
        post::Model {
            id: first.id,
            title: "New Title A".to_owned(),
            text: "New Text A".to_owned(),
            deleted_at: None,
        },
    )
    .await
    .expect("update");
    assert_eq!(updated.title, "New Title A");

    let (page, pages) = Query::find_posts_in_page(db, 1, 5).await.expect("page");
    assert_eq!((page.len(), pages), (2, 1));

    let deleted = Mutation::delete_post(db, first.id).await.expect("delete");
    assert_eq!(deleted.rows_affected, 1);
    assert_eq!(
        Query::find_post_by_id(db, first.id).await.expect("find"),
        None
    );
    let (page, pages) = Query::find_posts_in_page(db, 1, 5).await.expect("page");
    assert_eq!((page.len(), pages), (1, 1));
    assert!(
        Mutation::delete_post(db, first.id).await.is_err(),
        "already deleted"
    );
    assert!(
        Mutation::update_post_by_id(db, first.id, updated)
            .await
            .is_err()
    );

    let deleted = Mutation::delete_all_posts(db).await.expect("delete all");
    assert_eq!(deleted.rows_affected, 1);
    assert_eq!(
        Query::find_post_by_id(db, second.id).await.expect("find"),
        None
    );
}
