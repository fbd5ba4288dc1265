//! The finders, bulk and instance operations on every backend, asserted on database state.

use crate::common::entities::product;
use crate::common::{Backend, TestDb};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DbErr, ExprTrait, PaginatorTrait, QueryOrder, Set,
    TransactionTrait,
};
use soft_delete_core::clock::{self, ManualClock};
use soft_delete_core::{Error, SoftDeleteOne};

fn instant(second: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, second)
        .single()
        .unwrap_or_default()
}

async fn seed(db: &TestDb, products: &[(&str, i64)]) -> Vec<product::Model> {
    db.create::<product::Entity>().await;
    let mut models = Vec::new();
    for (name, price) in products {
        let model = product::ActiveModel {
            name: Set((*name).to_owned()),
            price: Set(*price),
            ..Default::default()
        }
        .insert(&db.conn)
        .await
        .expect("insert");
        models.push(model);
    }
    db.statements.take();
    models
}

/// `(name, deleted_at)` of every row, read with SeaORM's own unfiltered `find()`.
async fn table(db: &TestDb) -> Vec<(String, Option<DateTime<Utc>>)> {
    product::Entity::all_objects()
        .order_by_asc(product::Column::Id)
        .all(&db.conn)
        .await
        .expect("read table")
        .into_iter()
        .map(|row| (row.name, row.deleted_at))
        .collect()
}

async fn names(select: sea_orm::Select<product::Entity>, db: &TestDb) -> Vec<String> {
    select
        .order_by_asc(product::Column::Id)
        .all(&db.conn)
        .await
        .expect("query")
        .into_iter()
        .map(|row| row.name)
        .collect()
}

const CATALOGUE: [(&str, i64); 5] = [
    ("pen", 2),
    ("notebook", 9),
    ("desk", 150),
    ("lamp", 45),
    ("chair", 120),
];

backend_tests! {
    async fn seed_scenario(db: &TestDb) {
        let products = seed(db, &CATALOGUE).await;
        assert_eq!(names(product::Entity::objects(), db).await, ["pen", "notebook", "desk", "lamp", "chair"]);

        let lamp = clock::with_clock(ManualClock::new(instant(7)), products[3].soft_delete(&db.conn))
            .await
            .expect("soft delete");
        assert!(lamp.is_deleted());
        assert_eq!(lamp.deleted_at, Some(instant(7)));
        assert_eq!(names(product::Entity::objects(), db).await, ["pen", "notebook", "desk", "chair"]);
        assert_eq!(names(product::Entity::deleted_objects(), db).await, ["lamp"]);
        assert_eq!(table(db).await[3], ("lamp".to_owned(), Some(instant(7))));

        let lamp = lamp.restore(&db.conn).await.expect("restore");
        assert!(!lamp.is_deleted());
        assert_eq!(names(product::Entity::objects(), db).await, ["pen", "notebook", "desk", "lamp", "chair"]);
        assert!(table(db).await.iter().all(|(_, deleted_at)| deleted_at.is_none()));
    }

    async fn bulk_soft_delete_stamps_matching_active_rows_in_one_statement(db: &TestDb) {
        seed(db, &CATALOGUE).await;
        let result = product::Entity::soft_delete_many()
            .filter(product::Column::Price.gt(100))
            .at(instant(1))
            .exec(&db.conn)
            .await
            .expect("bulk soft delete");
        assert_eq!(result.rows_affected, 2);
        assert_eq!(result.deleted_at, instant(1));
        assert_eq!(db.statements.take().len(), 1, "one UPDATE");

        let rows = table(db).await;
        let trashed: Vec<_> = rows.iter().filter(|(_, at)| at.is_some()).collect();
        assert_eq!(trashed.len(), 2);
        assert!(trashed.iter().all(|(name, at)| (name == "desk" || name == "chair") && *at == Some(instant(1))));
    }

    async fn bulk_filters_combine_with_and(db: &TestDb) {
        seed(db, &CATALOGUE).await;
        let result = product::Entity::soft_delete_many()
            .filter(product::Column::Price.gt(10))
            .filter(product::Column::Name.starts_with("d"))
            .exec(&db.conn)
            .await
            .expect("bulk soft delete");
        assert_eq!(result.rows_affected, 1);
        assert_eq!(names(product::Entity::deleted_objects(), db).await, ["desk"]);
    }

    async fn bulk_restore_brings_back_only_matching_trashed_rows(db: &TestDb) {
        seed(db, &CATALOGUE).await;
        product::Entity::soft_delete_many().exec(&db.conn).await.expect("trash everything");
        db.statements.take();

        let result = product::Entity::restore_many()
            .filter(product::Column::Price.lt(50))
            .exec(&db.conn)
            .await
            .expect("bulk restore");
        assert_eq!(result.rows_affected, 3);
        assert_eq!(db.statements.take().len(), 1, "one UPDATE");
        assert_eq!(names(product::Entity::objects(), db).await, ["pen", "notebook", "lamp"]);
        assert_eq!(names(product::Entity::deleted_objects(), db).await, ["desk", "chair"]);
    }

    async fn re_deleting_keeps_the_original_timestamp(db: &TestDb) {
        let products = seed(db, &CATALOGUE).await;
        let first = products[2].soft_delete(&db.conn).await.expect("first delete");
        let first_at = first.deleted_at.expect("stamped");

        // The caller's copy is stale (still active): the stored row wins.
        let again = SoftDeleteOne::<product::Entity>::of(&products[2])
            .at(first_at + TimeDelta::hours(1))
            .exec(&db.conn)
            .await
            .expect("second delete");
        assert_eq!(again.deleted_at, Some(first_at));
        let by_id = product::Entity::soft_delete_by_id(products[2].id)
            .at(first_at + TimeDelta::hours(2))
            .exec(&db.conn)
            .await
            .expect("delete by id");
        assert_eq!(by_id.deleted_at, Some(first_at));

        let bulk = product::Entity::soft_delete_many()
            .at(first_at + TimeDelta::hours(3))
            .exec(&db.conn)
            .await
            .expect("bulk delete");
        assert_eq!(bulk.rows_affected, 4, "the desk was already in the trash");
        assert_eq!(table(db).await[2].1, Some(first_at));
    }

    async fn restoring_an_active_row_changes_nothing(db: &TestDb) {
        let products = seed(db, &CATALOGUE).await;
        let pen = products[0].restore(&db.conn).await.expect("restore active");
        assert_eq!(pen, products[0]);
        let result = product::Entity::restore_many().exec(&db.conn).await.expect("bulk restore");
        assert_eq!(result.rows_affected, 0);
        assert_eq!(table(db).await, CATALOGUE.iter().map(|(name, _)| ((*name).to_owned(), None)).collect::<Vec<_>>());
    }

    async fn all_objects_sees_every_row(db: &TestDb) {
        seed(db, &CATALOGUE).await;
        assert_eq!(product::Entity::all_objects().count(&db.conn).await.expect("count"), 5);
        product::Entity::soft_delete_many().filter(product::Column::Price.gt(40)).exec(&db.conn).await.expect("delete");
        assert_eq!(product::Entity::all_objects().count(&db.conn).await.expect("count"), 5);
        product::Entity::soft_delete_many().exec(&db.conn).await.expect("delete the rest");
        assert_eq!(names(product::Entity::all_objects(), db).await.len(), 5);
        assert_eq!(product::Entity::objects().count(&db.conn).await.expect("count"), 0);
    }

    async fn counts_and_pagination_on_each_finder(db: &TestDb) {
        seed(db, &CATALOGUE).await;
        product::Entity::soft_delete_many()
            .filter(product::Column::Name.is_in(["notebook", "lamp"]))
            .exec(&db.conn)
            .await
            .expect("delete");

        assert_eq!(product::Entity::objects().count(&db.conn).await.expect("count"), 3);
        assert_eq!(product::Entity::deleted_objects().count(&db.conn).await.expect("count"), 2);
        assert_eq!(product::Entity::all_objects().count(&db.conn).await.expect("count"), 5);

        let pages = product::Entity::objects().order_by_asc(product::Column::Id).paginate(&db.conn, 2);
        assert_eq!(pages.num_pages().await.expect("pages"), 2);
        let second: Vec<String> = pages.fetch_page(1).await.expect("page").into_iter().map(|row| row.name).collect();
        assert_eq!(second, ["chair"]);

        let trash = product::Entity::deleted_objects().order_by_asc(product::Column::Id).paginate(&db.conn, 1);
        assert_eq!(trash.num_items().await.expect("items"), 2);
        let first: Vec<String> = trash.fetch_page(0).await.expect("page").into_iter().map(|row| row.name).collect();
        assert_eq!(first, ["notebook"]);
    }

    async fn a_rolled_back_transaction_leaves_nothing_changed(db: &TestDb) {
        let products = seed(db, &CATALOGUE).await;
        product::Entity::soft_delete_many().filter(product::Column::Name.eq("pen")).exec(&db.conn).await.expect("delete pen");
        let before = table(db).await;

        let txn = db.conn.begin().await.expect("begin");
        product::Entity::soft_delete_many().exec(&txn).await.expect("bulk delete");
        products[1].restore(&txn).await.expect("restore, a savepoint inside the transaction");
        product::Entity::restore_by_id(products[0].id).exec(&txn).await.expect("restore pen");
        product::Entity::update_many_active().col_expr(product::Column::Price, Expr::value(0)).exec(&txn).await.expect("update");
        products[4].force_delete(&txn).await.expect("force delete");
        assert_eq!(product::Entity::objects().count(&txn).await.expect("count"), 2, "the transaction sees its changes");
        txn.rollback().await.expect("rollback");

        assert_eq!(table(db).await, before);
    }

    async fn update_many_active_skips_trashed_rows(db: &TestDb) {
        seed(db, &CATALOGUE).await;
        product::Entity::soft_delete_many().filter(product::Column::Name.eq("desk")).exec(&db.conn).await.expect("delete");
        let result = product::Entity::update_many_active()
            .col_expr(product::Column::Price, Expr::col(product::Column::Price).add(1))
            .exec(&db.conn)
            .await
            .expect("update");
        assert_eq!(result.rows_affected, 4);
        let prices: Vec<(String, i64)> = product::Entity::all_objects()
            .order_by_asc(product::Column::Id)
            .all(&db.conn)
            .await
            .expect("read")
            .into_iter()
            .map(|row| (row.name, row.price))
            .collect();
        assert_eq!(prices, [("pen".into(), 3), ("notebook".into(), 10), ("desk".into(), 150), ("lamp".into(), 46), ("chair".into(), 121)]);
    }

    async fn force_delete_removes_rows_for_good(db: &TestDb) {
        let products = seed(db, &CATALOGUE).await;
        products[0].force_delete(&db.conn).await.expect("force delete active row");
        let trashed = products[1].soft_delete(&db.conn).await.expect("trash");
        trashed.force_delete(&db.conn).await.expect("force delete trashed row");
        product::Entity::force_delete_by_id(products[2].id).exec(&db.conn).await.expect("by id");
        assert_eq!(names(product::Entity::all_objects(), db).await, ["lamp", "chair"]);

        product::Entity::soft_delete_many().filter(product::Column::Name.eq("lamp")).exec(&db.conn).await.expect("trash lamp");
        db.statements.take();
        let purged = product::Entity::force_delete_many().only_trashed().exec(&db.conn).await.expect("purge");
        assert_eq!(purged.rows_affected, 1);
        assert_eq!(db.statements.take().len(), 1, "one DELETE");
        assert_eq!(names(product::Entity::all_objects(), db).await, ["chair"]);

        let all = product::Entity::force_delete_many().filter(product::Column::Price.gt(0)).exec(&db.conn).await.expect("delete all");
        assert_eq!(all.rows_affected, 1);
        assert_eq!(product::Entity::all_objects().count(&db.conn).await.expect("count"), 0);
    }

    async fn operations_on_a_missing_row_say_so(db: &TestDb) {
        let products = seed(db, &CATALOGUE).await;
        products[0].force_delete(&db.conn).await.expect("force delete");
        let gone = products[0].soft_delete(&db.conn).await.expect_err("row is gone");
        assert!(matches!(gone, Error::RowNotFound { table: "product", ref key } if *key == products[0].id.to_string()), "{gone:?}");
        assert!(matches!(products[0].restore(&db.conn).await, Err(Error::RowNotFound { .. })));
        assert!(matches!(products[0].force_delete(&db.conn).await, Err(Error::RowNotFound { .. })));
        assert!(matches!(product::Entity::restore_by_id(10_000).exec(&db.conn).await, Err(Error::RowNotFound { .. })));

        // `?` into SeaORM's error keeps "not found" distinct from a database failure.
        let as_db_err: DbErr = gone.into();
        assert!(matches!(as_db_err, DbErr::RecordNotFound(_)), "{as_db_err:?}");
        assert_eq!(product::Entity::all_objects().count(&db.conn).await.expect("count"), 4);
    }

    async fn instance_operations_return_the_stored_row_with_one_update(db: &TestDb) {
        let products = seed(db, &CATALOGUE).await;
        let mut stale = products[0].clone();
        stale.name = "stale copy".into();
        let deleted = stale.soft_delete(&db.conn).await.expect("soft delete");
        assert_eq!(deleted.name, products[0].name, "the row as stored, not the caller's copy");
        let sent = db.statements.take();
        if db.backend == Backend::MariaDb {
            // No UPDATE .. RETURNING: the change and a read-back, in a transaction.
            assert_eq!(sent.len(), 2, "{sent:?}");
            assert!(sent[0].starts_with("UPDATE") && sent[1].starts_with("SELECT"), "{sent:?}");
        } else {
            assert_eq!(sent.len(), 1, "{sent:?}");
            assert!(sent[0].starts_with("UPDATE") && sent[0].contains("RETURNING"), "{sent:?}");
        }
        let trashed = product::Entity::find_active_by_id(products[0].id).one(&db.conn).await.expect("find");
        assert!(trashed.is_none(), "find_active_by_id hides a trashed row");
        assert!(product::Entity::find_active_by_id(products[1].id).one(&db.conn).await.expect("find").is_some());

        let again = products[0].soft_delete(&db.conn).await.expect("again");
        assert_eq!(again.deleted_at, deleted.deleted_at, "an already trashed row is read, not stamped");
        let restored = products[0].restore(&db.conn).await.expect("restore");
        assert!(!restored.is_deleted());
        assert!(matches!(product::Entity::restore_by_id(10_000).exec(&db.conn).await, Err(Error::RowNotFound { .. })));
    }

    async fn one_timestamp_per_operation_from_the_task_clock(db: &TestDb) {
        seed(db, &CATALOGUE).await;
        let clock_a = ManualClock::new(instant(10));
        let clock_b = ManualClock::new(instant(20));
        let (a, b) = tokio::join!(
            clock::with_clock(clock_a, product::Entity::soft_delete_many().filter(product::Column::Price.lt(10)).exec(&db.conn)),
            clock::with_clock(clock_b, product::Entity::soft_delete_many().filter(product::Column::Price.gt(100)).exec(&db.conn)),
        );
        assert_eq!(a.expect("a").deleted_at, instant(10));
        assert_eq!(b.expect("b").deleted_at, instant(20));
        let stamps: Vec<Option<DateTime<Utc>>> = table(db).await.into_iter().map(|(_, at)| at).collect();
        assert_eq!(stamps, [Some(instant(10)), Some(instant(10)), Some(instant(20)), None, Some(instant(20))]);
    }

    async fn returned_timestamps_equal_stored_ones_at_microsecond_precision(db: &TestDb) {
        let products = seed(db, &CATALOGUE).await;
        let precise = instant(30) + TimeDelta::nanoseconds(123_456_789);
        let deleted = SoftDeleteOne::<product::Entity>::of(&products[0]).at(precise).exec(&db.conn).await.expect("delete");
        let expected = instant(30) + TimeDelta::microseconds(123_456);
        assert_eq!(deleted.deleted_at, Some(expected));
        assert_eq!(table(db).await[0].1, Some(expected));

        // The system clock too: what the bulk call reports is what every row holds.
        let bulk = product::Entity::soft_delete_many().exec(&db.conn).await.expect("bulk");
        let stored: Vec<_> = table(db).await.into_iter().skip(1).map(|(_, at)| at).collect();
        assert!(stored.iter().all(|at| *at == Some(bulk.deleted_at)), "{stored:?} vs {:?}", bulk.deleted_at);
    }
}
