//! Every operation at 100,000 affected rows, for every entity shape: hooks on a single and on a
//! composite key (the keys travel in the statements), and a cascade with audit columns and
//! unique keys on both levels. Hooks must still be told exactly the changed keys, and the
//! statement count may grow by at most one per 10,000 keys.

use chrono::{TimeZone, Utc};
use sea_orm::{ColumnTrait, PaginatorTrait};
use soft_delete_core::MAX_KEYS_PER_STATEMENT;
use soft_delete_core::SoftDeleteEntityExt;

use crate::common::TestDb;
use crate::fixtures::{counting_hooks, numbers, shelf, shop, tally, ticket};
use crate::{create_shop_tables, new_shop, orphans, pooled_tests};

const ROWS: usize = 100_000;

/// The most statements an operation on `ROWS` keyed rows may send: `fixed` plus one per chunk
/// of keys.
fn bound(fixed: usize) -> usize {
    fixed + ROWS.div_ceil(MAX_KEYS_PER_STATEMENT)
}

fn report(db: &TestDb, shape: &str, operation: &str, statements: usize) {
    println!(
        "scale on {:?}: {shape} {operation} of {ROWS} rows in {statements} statements",
        db.backend
    );
}

async fn hooked_bulk_operations<E>(db: &TestDb, shape: &str)
where
    E: soft_delete_core::HasDeletionTime,
    E::Model: Sync,
{
    let (deleted, seen) = counting_hooks(E::soft_delete_many().exec(&db.conn)).await;
    assert_eq!(deleted.expect("soft delete").rows_affected, ROWS as u64);
    assert_eq!(seen.get("before_soft_delete"), Some(&ROWS));
    assert_eq!(seen.get("after_soft_delete"), Some(&ROWS));
    let statements = db.statements.take().len();
    report(db, shape, "soft delete", statements);
    assert!(statements <= bound(3), "{statements} statements");

    let (restored, seen) = counting_hooks(E::restore_many().exec(&db.conn)).await;
    assert_eq!(restored.expect("restore").rows_affected, ROWS as u64);
    assert_eq!(seen.get("before_restore"), Some(&ROWS));
    let statements = db.statements.take().len();
    report(db, shape, "restore", statements);
    assert!(statements <= bound(3), "{statements} statements");

    let stamped = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("time");
    E::soft_delete_many()
        .at(stamped)
        .exec(&db.conn)
        .await
        .expect("trash again");
    db.statements.take();
    let (purged, seen) = counting_hooks(
        E::purge_trash(stamped + chrono::TimeDelta::days(1))
            .batch_size(ROWS as u64)
            .exec(&db.conn),
    )
    .await;
    assert_eq!(purged.expect("purge").rows_removed, ROWS as u64);
    assert_eq!(seen.get("before_force_delete"), Some(&ROWS));
    let statements = db.statements.take().len();
    report(db, shape, "purge", statements);
    // Each batch of at most 10,000 keys: BEGIN, the key read, the hooks' lock, the DELETE,
    // COMMIT; and a last, empty batch.
    assert!(
        statements <= 6 * (ROWS / MAX_KEYS_PER_STATEMENT + 1),
        "{statements} statements"
    );
    assert_eq!(
        PaginatorTrait::count(E::all_objects(), &db.conn)
            .await
            .expect("count"),
        0
    );
}

pooled_tests! {
    async fn hooks_on_a_single_key_at_100_000_rows(db: &TestDb) {
        db.create::<ticket::Entity>().await;
        db.exec(&format!("INSERT INTO ticket (id) {}", numbers(ROWS as u32))).await;
        db.statements.take();
        hooked_bulk_operations::<ticket::Entity>(db, "hooks, single key,").await;
    }

    async fn hooks_on_a_composite_key_at_100_000_rows(db: &TestDb) {
        db.create::<tally::Entity>().await;
        db.exec(&format!("INSERT INTO tally (org_id, n) SELECT n % 7, n FROM ({}) seq", numbers(ROWS as u32))).await;
        db.statements.take();
        hooked_bulk_operations::<tally::Entity>(db, "hooks, composite key,").await;
    }

    async fn a_cascade_with_audit_columns_at_100_000_children(db: &TestDb) {
        create_shop_tables(db).await;
        let shop = new_shop(&db.conn, "warehouse").await;
        let code = match db.backend {
            crate::common::Backend::MariaDb => "CONCAT('S', n)",
            _ => "'S' || n",
        };
        db.exec(&format!(
            "INSERT INTO shelf (shop_id, code) SELECT {}, {code} FROM ({}) seq",
            shop.id,
            numbers(ROWS as u32)
        ))
        .await;
        db.statements.take();

        let trashed = shop::Entity::soft_delete_by_id(shop.id).by("ann").exec(&db.conn).await.expect("cascade");
        assert!(trashed.is_deleted());
        assert_eq!(shelf::Entity::deleted_objects().count(&db.conn).await.expect("count"), ROWS as u64);
        let statements = db.statements.take().len();
        report(db, "cascade + audit,", "soft delete", statements);

        let restored = shop::Entity::restore_by_id(shop.id).exec(&db.conn).await.expect("cascade restore");
        assert!(!restored.is_deleted());
        assert_eq!(shelf::Entity::objects().count(&db.conn).await.expect("count"), ROWS as u64);
        let statements = db.statements.take().len();
        report(db, "cascade + audit,", "restore", statements);

        shop::Entity::soft_delete_by_id(shop.id).exec(&db.conn).await.expect("cascade again");
        db.statements.take();
        let restored = shelf::Entity::restore_many()
            .filter(shelf::Column::ShopId.eq(shop.id))
            .with_ancestors()
            .exec(&db.conn)
            .await
            .expect("restore with ancestors");
        assert_eq!(restored.rows_affected, ROWS as u64);
        assert_eq!(restored.cascaded, [("shop", 1)]);
        let statements = db.statements.take().len();
        report(db, "cascade + audit,", "restore with ancestors", statements);
        assert_eq!(orphans(&db.conn).await, 0);

        shop::Entity::force_delete_by_id(shop.id).exec(&db.conn).await.expect("force delete");
        assert_eq!(shelf::Entity::all_objects().count(&db.conn).await.expect("count"), 0);
        let statements = db.statements.take().len();
        report(db, "cascade + audit,", "force delete", statements);
    }
}
