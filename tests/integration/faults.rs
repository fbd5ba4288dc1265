//! Fault injection on every backend: each multi-statement operation is run once per statement
//! it sends, with that statement failing, and must leave the database exactly as it was. Purge
//! must keep every batch before the failing one and nothing of the failing one.

use crate::common::entities::{account, category, item, item_label, label, product, review};
use crate::common::faults::Faults;
use crate::common::{Backend, TestDb};
use sea_orm::{ActiveModelTrait, ColumnTrait, PaginatorTrait, QueryOrder, Set};
use soft_delete_core::{Error, RestoreOne, SoftDeleteOne};

struct Seed {
    categories: Vec<category::Model>,
    review: review::Model,
    accounts: Vec<account::Model>,
}

async fn create(db: &TestDb) {
    db.create_cascade_graph().await;
    db.create::<account::Entity>().await;
}

/// Two categories of two items, each item with two reviews and a label link; two accounts.
async fn seed(db: &TestDb) -> Seed {
    for table in [
        "item_label",
        "review",
        "item",
        "category",
        "label",
        "account",
    ] {
        db.exec(&format!("DELETE FROM {table}")).await;
    }
    let sale = label::ActiveModel {
        name: Set("sale".into()),
        ..Default::default()
    }
    .insert(&db.conn)
    .await
    .expect("label");
    let mut categories = Vec::new();
    for c in 0..2 {
        let category = category::ActiveModel {
            name: Set(format!("c{c}")),
            ..Default::default()
        }
        .insert(&db.conn)
        .await
        .expect("category");
        for i in 0..2 {
            let item = item::ActiveModel {
                category_id: Set(category.id),
                name: Set(format!("i{i}")),
                ..Default::default()
            }
            .insert(&db.conn)
            .await
            .expect("item");
            for body in ["good", "bad"] {
                review::ActiveModel {
                    item_id: Set(item.id),
                    body: Set(body.into()),
                    ..Default::default()
                }
                .insert(&db.conn)
                .await
                .expect("review");
            }
            item_label::ActiveModel {
                item_id: Set(item.id),
                label_id: Set(sale.id),
                deleted_at: Set(None),
                deleted_batch: Set(None),
            }
            .insert(&db.conn)
            .await
            .expect("link");
        }
        categories.push(category);
    }
    let review = review::Entity::all_objects()
        .order_by_asc(review::Column::Id)
        .one(&db.conn)
        .await
        .expect("read")
        .expect("review");
    let mut accounts = Vec::new();
    for (email, handle) in [("ada@example.com", "ada"), ("bob@example.com", "bob")] {
        accounts.push(
            account::ActiveModel {
                email: Set(email.into()),
                org_id: Set(1),
                handle: Set(handle.into()),
                ..Default::default()
            }
            .insert(&db.conn)
            .await
            .expect("account"),
        );
    }
    db.statements.take();
    Seed {
        categories,
        review,
        accounts,
    }
}

/// Every row of every table, as text.
async fn dump(db: &TestDb) -> String {
    let c = category::Entity::all_objects()
        .order_by_asc(category::Column::Id)
        .all(&db.conn)
        .await
        .expect("read");
    let i = item::Entity::all_objects()
        .order_by_asc(item::Column::Id)
        .all(&db.conn)
        .await
        .expect("read");
    let r = review::Entity::all_objects()
        .order_by_asc(review::Column::Id)
        .all(&db.conn)
        .await
        .expect("read");
    let l = item_label::Entity::all_objects()
        .order_by_asc(item_label::Column::ItemId)
        .all(&db.conn)
        .await
        .expect("read");
    let a = account::Entity::all_objects()
        .order_by_asc(account::Column::Id)
        .all(&db.conn)
        .await
        .expect("read");
    format!("{c:?}\n{i:?}\n{r:?}\n{l:?}\n{a:?}")
}

/// Runs `$op` once per statement it sends, failing that statement, after `$prepare` on a fresh
/// seed; returns how many faults were injected.
macro_rules! every_fault {
    ($db:expr, |$conn:ident, $seed:ident| $op:expr) => {
        every_fault!($db, |$seed| {}, |$conn| $op)
    };
    ($db:expr, |$seed:ident| $prepare:block, |$conn:ident| $op:expr) => {{
        let mut injected = 0;
        for fail_at in 1.. {
            let $seed = seed($db).await;
            $prepare
            let before = dump($db).await;
            let faults = Faults::at(fail_at);
            let $conn = crate::common::guarded_faulty(&$db.conn, faults.clone());
            let result: Result<_, Error> = $op.await;
            if faults.sent() < fail_at {
                result.expect("the operation succeeds without a fault");
                assert_ne!(dump($db).await, before, "the operation changes something");
                break;
            }
            let error = result.expect_err("the injected fault surfaces");
            assert!(
                error
                    .to_string()
                    .contains(&format!("injected fault at statement {fail_at}")),
                "{error}"
            );
            assert_eq!(
                dump($db).await,
                before,
                "a fault at statement {fail_at} left a partial change"
            );
            injected += 1;
        }
        injected
    }};
}

backend_tests! {
    async fn multi_statement_operations_are_all_or_nothing(db: &TestDb) {
        create(db).await;
        let mut report = Vec::new();
        report.push(("cascade soft delete", every_fault!(db, |conn, seed| seed.categories[0].soft_delete(&conn))));
        report.push(("cascade bulk soft delete", every_fault!(db, |conn, _seed| category::Entity::soft_delete_many().exec(&conn))));
        report.push(("cascade restore", every_fault!(
            db,
            |seed| { seed.categories[0].soft_delete(&db.conn).await.expect("prepare"); },
            |conn| seed.categories[0].restore(&conn)
        )));
        report.push(("restore with ancestors", every_fault!(
            db,
            |seed| { seed.categories[0].soft_delete(&db.conn).await.expect("prepare"); },
            |conn| RestoreOne::<review::Entity>::of(&seed.review).with_ancestors().exec(&conn)
        )));
        report.push(("cascade force delete", every_fault!(db, |conn, seed| seed.categories[1].force_delete(&conn))));
        report.push(("restore with unique keys", every_fault!(
            db,
            |_seed| { account::Entity::soft_delete_many().exec(&db.conn).await.expect("prepare"); },
            |conn| account::Entity::restore_many().exec(&conn)
        )));
        report.push(("purge batch with descendants", every_fault!(
            db,
            |seed| { category::Entity::soft_delete_by_id(seed.categories[0].id).at(chrono::Utc::now() - chrono::TimeDelta::days(2)).exec(&db.conn).await.expect("prepare"); },
            |conn| category::Entity::purge_trash(chrono::Utc::now() - chrono::TimeDelta::days(1)).exec(&conn)
        )));
        report.push(("instance soft delete", every_fault!(db, |conn, seed| SoftDeleteOne::<account::Entity>::of(&seed.accounts[0]).exec(&conn))));
        println!("faults injected on {:?}: {report:?}", db.backend);
        let total: usize = report.iter().map(|(_, faults)| faults).sum();
        // An instance soft delete is one `UPDATE .. RETURNING` where the backend has it, and
        // an UPDATE with a read-back in a transaction on MariaDB.
        let instance = if db.backend == Backend::MariaDb { 2 } else { 1 };
        // Restoring with ancestors locks each level of parents (two here) before restoring it,
        // where the backend has row locks: one statement per level on PostgreSQL; a read of the
        // parents' keys, then the lock, on MariaDB.
        let ancestor_lock = match db.backend {
            Backend::Sqlite => 0,
            Backend::Postgres => 2,
            Backend::MariaDb => 4,
        };
        // A purge batch with descendants: the locked key read, the three DELETEs, and the read
        // of the next expired key after the short batch (5 + 1).
        assert_eq!(total, 5 + 4 + 5 + 4 + 4 + 3 + 6 + instance + ancestor_lock, "{report:?}");
    }

    async fn purge_keeps_the_batches_before_a_fault(db: &TestDb) {
        db.create::<product::Entity>().await;
        // 30 rows in batches of 10. On MariaDB each full batch is a `DELETE` and a read of the
        // first expired key after it (the next batch's start): 6 statements. Elsewhere the
        // `DELETE .. RETURNING` tells where the next batch starts, and a fourth finds nothing.
        let statements = if db.backend == Backend::MariaDb { 6 } else { 4 };
        for fail_at in 1..=statements {
            product::Entity::force_delete_many().exec(&db.conn).await.expect("empty");
            for i in 0..35 {
                product::ActiveModel { name: Set(format!("p{i}")), price: Set(i), ..Default::default() }
                    .insert(&db.conn).await.expect("insert");
            }
            product::Entity::soft_delete_many().filter(product::Column::Price.lt(30)).exec(&db.conn).await.expect("trash 30");
            let faults = Faults::at(fail_at);
            let conn = crate::common::guarded_faulty(&db.conn, faults.clone());
            let error = product::Entity::purge_trash(chrono::Utc::now() + chrono::TimeDelta::days(1))
                .batch_size(10)
                .exec(&conn)
                .await
                .expect_err("fault");
            assert!(error.to_string().contains("injected fault"), "{error}");
            let removed = 30 - product::Entity::deleted_objects().count(&db.conn).await.expect("count");
            let deletes_before = if db.backend == Backend::MariaDb { fail_at / 2 } else { Ord::min(fail_at - 1, 3) };
            assert_eq!(removed, deletes_before as u64 * 10, "batches before the fault stay done, the failed one is whole");
            assert_eq!(product::Entity::objects().count(&db.conn).await.expect("count"), 5);
        }
    }
}
