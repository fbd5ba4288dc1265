//! Cascades on every backend: set-based soft delete down the graph, exact restore, refused
//! orphans, force delete of a subtree, rollback on failure, and statement counts that do not
//! grow with the number of rows.

use crate::common::entities::{category, folder, item, item_label, label, review};
use crate::common::{Backend, TestDb};
use chrono::{DateTime, TimeZone, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use soft_delete_core::clock::{self, ManualClock};
use soft_delete_core::{Error, SoftDeleteEntity};

fn noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

/// `categories` categories, each with `items` items, each item with two reviews and one label
/// link (to one shared label).
async fn seed(db: &TestDb, categories: usize, items: usize) -> Vec<category::Model> {
    let shared = label::ActiveModel {
        name: Set("sale".into()),
        ..Default::default()
    }
    .insert(&db.conn)
    .await
    .expect("label");
    let mut created = Vec::new();
    for c in 0..categories {
        let category = category::ActiveModel {
            name: Set(format!("c{c}")),
            ..Default::default()
        }
        .insert(&db.conn)
        .await
        .expect("category");
        let new_items = (0..items).map(|i| item::ActiveModel {
            category_id: Set(category.id),
            name: Set(format!("c{c}-i{i}")),
            ..Default::default()
        });
        for chunk in new_items.collect::<Vec<_>>().chunks(1_000) {
            item::Entity::insert_many(chunk.to_vec())
                .exec(&db.conn)
                .await
                .expect("items");
        }
        let ids: Vec<i32> = item::Entity::all_objects()
            .filter(item::Column::CategoryId.eq(category.id))
            .all(&db.conn)
            .await
            .expect("ids")
            .into_iter()
            .map(|i| i.id)
            .collect();
        let reviews: Vec<review::ActiveModel> = ids
            .iter()
            .flat_map(|id| {
                ["good", "bad"].map(|body| review::ActiveModel {
                    item_id: Set(*id),
                    body: Set(body.into()),
                    ..Default::default()
                })
            })
            .collect();
        for chunk in reviews.chunks(1_000) {
            review::Entity::insert_many(chunk.to_vec())
                .exec(&db.conn)
                .await
                .expect("reviews");
        }
        let links: Vec<item_label::ActiveModel> = ids
            .iter()
            .map(|id| item_label::ActiveModel {
                item_id: Set(*id),
                label_id: Set(shared.id),
                deleted_at: Set(None),
                deleted_batch: Set(None),
            })
            .collect();
        for chunk in links.chunks(1_000) {
            item_label::Entity::insert_many(chunk.to_vec())
                .exec(&db.conn)
                .await
                .expect("links");
        }
        created.push(category);
    }
    db.statements.take();
    created
}

async fn trashed<E: SoftDeleteEntity>(db: &TestDb) -> u64
where
    E::Model: Sync,
{
    E::deleted_objects().count(&db.conn).await.expect("count")
}

/// (active, trashed) per table: category, item, review, item_label, label.
async fn census(db: &TestDb) -> [(u64, u64); 5] {
    async fn of<E: SoftDeleteEntity>(db: &TestDb) -> (u64, u64)
    where
        E::Model: Sync,
    {
        (
            E::objects().count(&db.conn).await.expect("count"),
            trashed::<E>(db).await,
        )
    }
    [
        of::<category::Entity>(db).await,
        of::<item::Entity>(db).await,
        of::<review::Entity>(db).await,
        of::<item_label::Entity>(db).await,
        of::<label::Entity>(db).await,
    ]
}

backend_tests! {
    async fn deleting_a_parent_trashes_its_subtree_with_one_timestamp(db: &TestDb) {
        db.create_cascade_graph().await;
        let categories = seed(db, 2, 3).await;
        let deleted = clock::with_clock(ManualClock::new(noon()), categories[0].soft_delete(&db.conn)).await.expect("cascade");
        assert_eq!(deleted.deleted_at, Some(noon()));
        let sent = db.statements.take();
        assert_eq!(sent.len(), 5, "category, item, review, item_label, read-back: {sent:#?}");
        assert_eq!(census(db).await, [(1, 1), (3, 3), (6, 6), (3, 3), (1, 0)], "labels are shared and never cascaded");

        let stamps: Vec<Option<DateTime<Utc>>> = review::Entity::deleted_objects().all(&db.conn).await.expect("reviews").into_iter().map(|r| r.deleted_at).collect();
        assert!(stamps.iter().all(|at| *at == Some(noon())), "{stamps:?}");
    }

    async fn bulk_cascade_reports_rows_per_table(db: &TestDb) {
        db.create_cascade_graph().await;
        seed(db, 3, 2).await;
        let result = category::Entity::soft_delete_many()
            .filter(category::Column::Name.ne("c1"))
            .exec(&db.conn)
            .await
            .expect("bulk cascade");
        assert_eq!(result.rows_affected, 2);
        assert_eq!(result.cascaded, [("item", 4), ("review", 8), ("item_label", 4)]);
        assert_eq!(db.statements.take().len(), 4, "one UPDATE per table");
        assert_eq!(census(db).await, [(1, 2), (2, 4), (4, 8), (2, 4), (1, 0)]);
    }

    async fn statement_counts_do_not_grow_with_rows(db: &TestDb) {
        db.create_cascade_graph().await;
        let mut counts = Vec::new();
        for children in [1, 100, 10_000] {
            let categories = seed(db, 1, children).await;
            let deleted = category::Entity::soft_delete_by_id(categories[0].id).exec(&db.conn).await.expect("delete");
            let delete_statements = db.statements.take().len();
            deleted.restore(&db.conn).await.expect("restore");
            let restore_statements = db.statements.take().len();
            category::Entity::force_delete_by_id(categories[0].id).exec(&db.conn).await.expect("force delete");
            let force_statements = db.statements.take().len();
            counts.push((children, delete_statements, restore_statements, force_statements));
            assert_eq!(census(db).await[1], (0, 0), "force delete removed every item");
            label::Entity::force_delete_many().exec(&db.conn).await.expect("drop the label");
            db.statements.take();
        }
        println!("children, soft delete, restore, force delete statements on {:?}: {counts:?}", db.backend);
        assert!(counts.iter().all(|(_, delete, restore, force)| (*delete, *restore, *force) == (5, 5, 4)), "{counts:?}");
    }

    async fn restore_brings_back_exactly_what_the_operation_trashed(db: &TestDb) {
        db.create_cascade_graph().await;
        let categories = seed(db, 1, 3).await;
        let frozen = ManualClock::new(noon());
        let items = item::Entity::all_objects().order_by_asc(item::Column::Id).all(&db.conn).await.expect("items");
        let early_review = review::Entity::all_objects().filter(review::Column::ItemId.eq(items[1].id)).one(&db.conn).await.expect("read").expect("review");
        // Same clock tick for all three operations: only the batch tells them apart.
        clock::with_clock(frozen.clone(), async {
            early_review.soft_delete(&db.conn).await.expect("a review trashed on its own");
            items[0].soft_delete(&db.conn).await.expect("an item trashed on its own, with its reviews");
            categories[0].soft_delete(&db.conn).await.expect("the category and the rest");
        }).await;
        assert_eq!(census(db).await[..4], [(0, 1), (0, 3), (0, 6), (0, 3)]);

        categories[0].restore(&db.conn).await.expect("restore the category");
        assert_eq!(census(db).await[..4], [(1, 0), (2, 1), (3, 3), (2, 1)]);
        let still_trashed: Vec<i32> = review::Entity::deleted_objects().order_by_asc(review::Column::Id).all(&db.conn).await.expect("read").into_iter().map(|r| r.item_id).collect();
        assert_eq!(still_trashed, [items[0].id, items[0].id, items[1].id]);
        let batches: Vec<Option<i64>> = item::Entity::objects().all(&db.conn).await.expect("read").into_iter().map(|i| i.trash_batch).collect();
        assert!(batches.iter().all(Option::is_none), "restored descendants keep no batch: {batches:?}");

        items[0].restore(&db.conn).await.expect("restore the first item and its reviews");
        assert_eq!(census(db).await[..4], [(1, 0), (3, 0), (5, 1), (3, 0)]);
    }

    async fn the_batch_a_restored_root_keeps_matches_nothing_later(db: &TestDb) {
        db.create_cascade_graph().await;
        let categories = seed(db, 2, 2).await;
        // One bulk delete: both categories and all their rows share one batch.
        category::Entity::soft_delete_many().exec(&db.conn).await.expect("bulk cascade");
        assert_eq!(census(db).await[..4], [(0, 2), (0, 4), (0, 8), (0, 4)]);

        let first = category::Entity::restore_by_id(categories[0].id).exec(&db.conn).await.expect("restore the first");
        assert!(first.deleted_at.is_none());
        assert_eq!(census(db).await[..4], [(1, 1), (2, 2), (4, 4), (2, 2)], "only the first category's rows");
        let kept = first.deleted_batch.expect("the restored root keeps its batch");
        let trashed_with_it = item::Entity::deleted_objects().filter(item::Column::TrashBatch.eq(kept)).filter(item::Column::CategoryId.eq(categories[0].id)).count(&db.conn).await.expect("count");
        assert_eq!(trashed_with_it, 0, "no trashed row under it shares that batch");

        // An item of the restored category goes to the trash on its own, then the second
        // category is restored: the kept batch must not bring that item back.
        let lone = item::Entity::objects().filter(item::Column::CategoryId.eq(categories[0].id)).order_by_asc(item::Column::Id).one(&db.conn).await.expect("read").expect("item");
        lone.soft_delete(&db.conn).await.expect("an item on its own");
        category::Entity::restore_by_id(categories[1].id).exec(&db.conn).await.expect("restore the second");
        assert_eq!(census(db).await[..4], [(2, 0), (3, 1), (6, 2), (3, 1)], "the lone item and its rows stay trashed");
        assert!(item::Entity::find_any_by_id(lone.id).one(&db.conn).await.expect("read").expect("item").deleted_at.is_some());

        // A second round trip of the first category overwrites the batch and is exact again.
        let again = first.soft_delete(&db.conn).await.expect("trash it again");
        assert_ne!(again.deleted_batch, Some(kept), "a soft delete writes a fresh batch");
        assert_eq!(census(db).await[..4], [(1, 1), (2, 2), (4, 4), (2, 2)]);
        again.restore(&db.conn).await.expect("restore it again");
        assert_eq!(census(db).await[..4], [(2, 0), (3, 1), (6, 2), (3, 1)], "the lone item still stays trashed");
    }

    async fn restoring_under_a_trashed_parent_is_refused(db: &TestDb) {
        db.create_cascade_graph().await;
        let categories = seed(db, 1, 2).await;
        categories[0].soft_delete(&db.conn).await.expect("cascade");
        let before = census(db).await;
        let review = review::Entity::all_objects().order_by_asc(review::Column::Id).one(&db.conn).await.expect("read").expect("review");

        let refused = review.restore(&db.conn).await.expect_err("its item is trashed");
        assert!(matches!(&refused, Error::ParentTrashed { table: "review", parent_table: "item", keys } if *keys == [review.id.to_string()]), "{refused:?}");
        let bulk = review::Entity::restore_many().exec(&db.conn).await.expect_err("the bulk call is refused as a whole");
        assert!(matches!(&bulk, Error::ParentTrashed { keys, .. } if keys.len() == 4), "names every orphan: {bulk:?}");
        assert_eq!(census(db).await, before);

        let restored = review::Entity::restore_by_id(review.id).with_ancestors().exec(&db.conn).await.expect("with ancestors");
        assert!(!restored.is_deleted());
        // Only the path to the root: the item and the category, not the sibling item or reviews.
        assert_eq!(census(db).await[..3], [(1, 0), (1, 1), (1, 3)]);
    }

    async fn restoring_an_active_row_with_ancestors_changes_nothing(db: &TestDb) {
        db.create_cascade_graph().await;
        let categories = seed(db, 1, 0).await;
        categories[0].soft_delete(&db.conn).await.expect("trash the category");
        let item = item::ActiveModel { category_id: Set(categories[0].id), name: Set("late".into()), ..Default::default() }
            .insert(&db.conn)
            .await
            .expect("an active item under a trashed category");
        item::Entity::restore_by_id(item.id).with_ancestors().exec(&db.conn).await.expect("a no-op");
        assert_eq!(census(db).await[..2], [(0, 1), (1, 0)], "the category stays in the trash");
    }

    async fn force_delete_removes_the_subtree_first(db: &TestDb) {
        db.create_cascade_graph().await;
        let categories = seed(db, 2, 2).await;
        categories[0].force_delete(&db.conn).await.expect("force delete");
        assert_eq!(census(db).await, [(1, 0), (2, 0), (4, 0), (2, 0), (1, 0)]);
        let result = category::Entity::force_delete_many().exec(&db.conn).await.expect("all");
        assert_eq!(result.rows_affected, 1);
        assert_eq!(result.cascaded, [("item_label", 2), ("review", 4), ("item", 2)]);
    }

    async fn a_failure_mid_cascade_rolls_everything_back(db: &TestDb) {
        db.create_cascade_graph().await;
        let categories = seed(db, 1, 2).await;
        review::Entity::update_many_active()
            .col_expr(review::Column::Body, sea_orm::sea_query::Expr::value("locked"))
            .filter(review::Column::Body.eq("bad"))
            .exec(&db.conn)
            .await
            .expect("lock");
        match db.backend {
            Backend::Sqlite => db.exec(
                "CREATE TRIGGER review_locked BEFORE UPDATE ON review \
                 WHEN NEW.body = 'locked' AND NEW.deleted_at IS NOT NULL \
                 BEGIN SELECT RAISE(ABORT, 'locked reviews cannot be trashed'); END",
            ).await,
            _ => db.exec(
                "ALTER TABLE review ADD CONSTRAINT review_locked CHECK (body <> 'locked' OR deleted_at IS NULL)",
            ).await,
        }
        let before = census(db).await;
        let failed = categories[0].soft_delete(&db.conn).await.expect_err("the review level fails");
        assert!(matches!(failed, Error::Database(_)), "{failed:?}");
        assert_eq!(census(db).await, before, "the category and item levels were rolled back");
        let failed = category::Entity::soft_delete_many().exec(&db.conn).await.expect_err("bulk fails too");
        assert!(matches!(failed, Error::Database(_)));
        assert_eq!(census(db).await, before);
    }

    async fn purge_removes_expired_parents_with_their_descendants(db: &TestDb) {
        db.create_cascade_graph().await;
        let categories = seed(db, 3, 2).await;
        category::Entity::soft_delete_by_id(categories[0].id).at(noon()).exec(&db.conn).await.expect("old");
        category::Entity::soft_delete_by_id(categories[1].id).at(noon()).exec(&db.conn).await.expect("old");
        // A child restored on its own stays a child: purging its parent must remove it too.
        let item = item::Entity::all_objects().filter(item::Column::CategoryId.eq(categories[1].id)).one(&db.conn).await.expect("read").expect("item");
        db.exec(&format!("UPDATE item SET deleted_at = NULL, trash_batch = NULL WHERE id = {}", item.id)).await;
        db.statements.take();

        let done = category::Entity::purge_trash(noon() + chrono::TimeDelta::days(1)).batch_size(1).exec(&db.conn).await.expect("purge");
        assert_eq!((done.rows_removed, done.batches), (2, 3));
        assert_eq!(census(db).await, [(1, 0), (2, 0), (4, 0), (2, 0), (1, 0)], "only the third category's subtree is left");
    }

    async fn a_tree_cascades_level_by_level(db: &TestDb) {
        db.create::<folder::Entity>().await;
        let add = |parent: Option<i32>, name: &str| folder::ActiveModel { parent_id: Set(parent), name: Set(name.into()), ..Default::default() };
        let root = add(None, "root").insert(&db.conn).await.expect("root");
        let a = add(Some(root.id), "a").insert(&db.conn).await.expect("a");
        let b = add(Some(a.id), "b").insert(&db.conn).await.expect("b");
        add(Some(b.id), "c").insert(&db.conn).await.expect("c");
        let other = add(None, "other").insert(&db.conn).await.expect("other");
        db.statements.take();

        let result = folder::Entity::soft_delete_many().filter(folder::Column::Id.eq(root.id)).exec(&db.conn).await.expect("tree");
        assert_eq!((result.rows_affected, result.cascaded.get("folder"), result.cascaded.total()), (1, 3, 3));
        assert_eq!(db.statements.take().len(), 1 + 4, "root, then one UPDATE per level until one changes nothing");
        assert_eq!(folder::Entity::deleted_objects().count(&db.conn).await.expect("count"), 4);
        assert!(!other.clone().restore(&db.conn).await.expect("untouched").is_deleted());

        // A node under a trashed parent is an orphan like any other (issue 12, item 9).
        let refused = a.clone().restore(&db.conn).await.expect_err("its parent is in the trash");
        assert!(matches!(refused, Error::ParentTrashed { .. }), "{refused:?}");
        soft_delete_core::RestoreOne::<folder::Entity>::of(&a).with_ancestors().exec(&db.conn).await.expect("restore a subtree and its root");
        let active: Vec<String> = folder::Entity::objects().order_by_asc(folder::Column::Id).all(&db.conn).await.expect("read").into_iter().map(|f| f.name).collect();
        assert_eq!(active, ["root", "a", "b", "c", "other"]);
        // Force delete follows the tree, deepest level first.
        root.force_delete(&db.conn).await.expect("the whole tree goes");
        let left: Vec<String> = folder::Entity::all_objects().all(&db.conn).await.expect("read").into_iter().map(|f| f.name).collect();
        assert_eq!(left, ["other"]);
    }
}

/// Two entities that cascade to each other: the graph is refused before any statement runs.
mod ping {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "ping")]
    #[soft_delete(cascade(super::pong::Entity))]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub pong_id: i32,
        pub deleted_at: Option<DateTimeUtc>,
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(has_many = "super::pong::Entity")]
        Pong,
    }

    impl Related<super::pong::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Pong.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

mod pong {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "pong")]
    #[soft_delete(cascade(super::ping::Entity))]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub ping_id: i32,
        pub deleted_at: Option<DateTimeUtc>,
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::ping::Entity",
            from = "Column::PingId",
            to = "super::ping::Column::Id"
        )]
        Ping,
    }

    impl Related<super::ping::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Ping.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

#[tokio::test]
async fn a_cycle_between_entities_is_refused_before_any_statement() {
    let db = TestDb::new(Backend::Sqlite).await;
    let refused = ping::Entity::soft_delete_many()
        .exec(&db.conn)
        .await
        .expect_err("cycle");
    assert!(
        matches!(&refused, Error::InvalidCascade(message) if message.contains("ping -> pong -> ping")),
        "{refused:?}"
    );
    assert!(db.statements.take().is_empty());
    assert!(matches!(
        pong::Entity::force_delete_many().exec(&db.conn).await,
        Err(Error::InvalidCascade(_))
    ));
}
