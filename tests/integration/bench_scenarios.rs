//! The benchmark scenarios of BENCHMARKS.md on the benchmarks' own data: the statement counts
//! of the bulk and cascade scenarios (S2, S3, S4, S4b) at a small and at the benchmarked size,
//! which must not grow with rows, and the correctness probes S6 and S7, which are not timed.

#[path = "../../bench/benches/shapes/mod.rs"]
mod shapes;

use crate::common::TestDb;
use chrono::{DateTime, TimeZone, Utc};
use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
use shapes::{Catalog, category, item, product, review, sku};
use soft_delete_core::clock::{self, ManualClock};

fn day(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 7, day, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

/// Statements sent by S2 (bulk soft delete of half the items) and S3 (their bulk restore) on a
/// table of `rows` items.
async fn bulk_statements(db: &TestDb, rows: usize) -> (usize, usize) {
    shapes::fill_items(&db.conn, rows, |_| None)
        .await
        .expect("fill");
    let cutoff = sku(rows / 2);
    db.statements.take();
    let deleted = item::Entity::soft_delete_many()
        .filter(item::Column::Sku.lt(cutoff.as_str()))
        .exec(&db.conn)
        .await
        .expect("S2");
    assert_eq!(deleted.rows_affected, (rows / 2) as u64);
    let soft_delete = db.statements.take().len();
    let restored = item::Entity::restore_many()
        .filter(item::Column::Sku.lt(cutoff.as_str()))
        .exec(&db.conn)
        .await
        .expect("S3");
    assert_eq!(restored.rows_affected, (rows / 2) as u64);
    (soft_delete, db.statements.take().len())
}

/// Statements sent by S4 (soft delete of every category, cascading) and S4b (its restore) on a
/// catalog of `shape`, after checking that every row changed.
async fn cascade_statements(db: &TestDb, shape: Catalog) -> (usize, usize) {
    shapes::fill_catalog(&db.conn, shape).await.expect("fill");
    db.statements.take();
    category::Entity::soft_delete_many()
        .exec(&db.conn)
        .await
        .expect("S4");
    let soft_delete = db.statements.take().len();
    assert_eq!(active_rows(db).await, 0, "S4 trashes the whole tree");
    category::Entity::restore_many()
        .exec(&db.conn)
        .await
        .expect("S4b");
    let restore = db.statements.take().len();
    assert_eq!(active_rows(db).await, shape.rows(), "S4b restores it");
    (soft_delete, restore)
}

async fn active_rows(db: &TestDb) -> usize {
    let categories = category::Entity::objects().count(&db.conn).await;
    let products = product::Entity::objects().count(&db.conn).await;
    let reviews = review::Entity::objects().count(&db.conn).await;
    let total = categories.expect("count") + products.expect("count") + reviews.expect("count");
    db.statements.take();
    usize::try_from(total).unwrap_or(usize::MAX)
}

backend_tests! {
    async fn s2_and_s3_send_one_statement_whatever_the_rows(db: &TestDb) {
        assert_eq!(bulk_statements(db, 20).await, (1, 1));
        assert_eq!(bulk_statements(db, 20_000).await, (1, 1));
    }

    async fn s4_and_s4b_send_one_statement_per_table_whatever_the_rows(db: &TestDb) {
        let tiny = Catalog { categories: 1, products: 1, reviews: 1 };
        let small = cascade_statements(db, tiny).await;
        let benchmarked = cascade_statements(db, Catalog::S4).await;
        assert_eq!(small, benchmarked, "statements for {} rows vs {} rows", tiny.rows(), Catalog::S4.rows());
        // Delete: one UPDATE per table. Restore: one UPDATE per table (the root first, keeping
        // its batch for the descendants to be matched by; then the deepest table first, each
        // clearing its own).
        assert_eq!(benchmarked, (3, 3));
    }

    // S1 inside the caller's transaction: one `UPDATE .. RETURNING` a row where the backend has
    // it; on MariaDB the row read with a lock, then the `UPDATE` (no savepoint around an
    // `UPDATE` and a read-back, which cost twice the statements and left the change behind if
    // the read-back failed). The row returned is the row stored, and a second call changes
    // nothing.
    async fn s1_in_a_transaction_sends_no_savepoint(db: &TestDb) {
        use sea_orm::TransactionTrait;
        shapes::fill_items(&db.conn, 10, |_| None).await.expect("fill");
        let rows = item::Entity::objects().all(&db.conn).await.expect("rows");
        let txn = db.conn.begin().await.expect("begin");
        db.statements.take();
        let mut returned = Vec::new();
        for row in &rows[..5] {
            returned.push(row.soft_delete(&txn).await.expect("soft delete"));
        }
        let sent = db.statements.take();
        let per_row = if db.backend == crate::common::Backend::MariaDb { 2 } else { 1 };
        assert_eq!(sent.len(), 5 * per_row, "{sent:#?}");
        assert!(sent.iter().all(|sql| !sql.to_uppercase().contains("SAVEPOINT")), "{sent:#?}");
        let again = rows[0].soft_delete(&txn).await.expect("again");
        txn.commit().await.expect("commit");
        for row in &returned {
            let stored = item::Entity::find_any_by_id(row.id).one(&db.conn).await.expect("read").expect("row");
            assert_eq!(&stored, row, "the row returned is the row stored");
            assert!(stored.deleted_at.is_some());
        }
        assert_eq!(again, returned[0], "a second call changes nothing");
        assert_eq!(item::Entity::objects().count(&db.conn).await.expect("count"), 5);
    }

    async fn s6_deleting_a_trashed_row_again_keeps_its_timestamp(db: &TestDb) {
        shapes::fill_items(&db.conn, 10, |_| None).await.expect("fill");
        let row = item::Entity::find_any_by_id(1).one(&db.conn).await.expect("read").expect("row 1");
        let first = clock::with_clock(ManualClock::new(day(1)), row.soft_delete(&db.conn)).await.expect("first delete");
        assert_eq!(first.deleted_at, Some(day(1)));

        let again = clock::with_clock(ManualClock::new(day(2)), row.soft_delete(&db.conn)).await.expect("instance again");
        assert_eq!(again.deleted_at, Some(day(1)), "instance delete of a trashed row");
        let bulk = clock::with_clock(ManualClock::new(day(3)), item::Entity::soft_delete_many().exec(&db.conn)).await.expect("bulk");
        assert_eq!(bulk.rows_affected, 9, "only the active rows");
        let stored = item::Entity::find_any_by_id(1).one(&db.conn).await.expect("read").expect("row 1");
        assert_eq!(stored.deleted_at, Some(day(1)), "bulk delete over a trashed row");
    }

    async fn s7_cascade_restore_spares_rows_trashed_earlier(db: &TestDb) {
        let shape = Catalog { categories: 2, products: 2, reviews: 2 };
        shapes::fill_catalog(&db.conn, shape).await.expect("fill");
        let early_review = review::Entity::find_any_by_id(1).one(&db.conn).await.expect("read").expect("review 1");
        let early_product = product::Entity::find_any_by_id(4).one(&db.conn).await.expect("read").expect("product 4");
        clock::with_clock(ManualClock::new(day(1)), async {
            early_review.soft_delete(&db.conn).await.expect("review");
            early_product.soft_delete(&db.conn).await.expect("product with its reviews");
        }).await;
        let trashed_early = 1 + 1 + shape.reviews;

        clock::with_clock(ManualClock::new(day(2)), category::Entity::soft_delete_many().exec(&db.conn)).await.expect("S4");
        assert_eq!(active_rows(db).await, 0);
        category::Entity::restore_many().exec(&db.conn).await.expect("S4b");

        assert_eq!(active_rows(db).await, shape.rows() - trashed_early);
        let review = review::Entity::find_any_by_id(1).one(&db.conn).await.expect("read").expect("review 1");
        assert_eq!(review.deleted_at, Some(day(1)), "trashed before the cascade: stays trashed");
        let product = product::Entity::find_any_by_id(4).one(&db.conn).await.expect("read").expect("product 4");
        assert_eq!(product.deleted_at, Some(day(1)));
        let its_reviews = review::Entity::deleted_objects().filter(review::Column::ProductId.eq(4)).count(&db.conn).await.expect("count");
        assert_eq!(its_reviews, shape.reviews as u64, "its reviews went with it, not with the category");
    }
}
