//! Schema and data lifecycle on every backend: active-unique keys, conflict-safe restore,
//! purge, the database clock, and gone-vs-missing lookups.

use crate::common::entities::{account, membership, product};
use crate::common::{Backend, TestDb};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use sea_orm::sea_query::{ColumnDef, Table};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, PaginatorTrait, QueryOrder, Set, SqlErr,
};
use sea_orm_migration::SchemaManager;
use soft_delete_core::{Error, PurgeProgress, RowState, migration};

fn day(n: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, n, 8, 0, 0)
        .single()
        .unwrap_or_default()
}

async fn insert_account(
    db: &TestDb,
    email: &str,
    org_id: i32,
    handle: &str,
) -> Result<account::Model, DbErr> {
    account::ActiveModel {
        email: Set(email.into()),
        org_id: Set(org_id),
        handle: Set(handle.into()),
        ..Default::default()
    }
    .insert(&db.conn)
    .await
}

#[track_caller]
fn assert_unique_violation(result: Result<account::Model, DbErr>) {
    match result {
        Err(error) => assert!(
            matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))),
            "expected a unique violation, got {error:?}"
        ),
        Ok(row) => panic!("duplicate active row accepted: {row:?}"),
    }
}

/// Whether `account.deleted_at` exists (SeaORM's `has_column` does not support SQLite).
async fn marker_column_exists(db: &TestDb) -> bool {
    let probe = sea_orm::Statement::from_string(
        db.db_backend(),
        "SELECT deleted_at FROM account WHERE deleted_at IS NULL AND 1 = 0",
    );
    db.conn.query_all_raw(probe).await.is_ok()
}

/// `(email, is_deleted)` of every account, by id.
async fn accounts(db: &TestDb) -> Vec<(String, bool)> {
    account::Entity::all_objects()
        .order_by_asc(account::Column::Id)
        .all(&db.conn)
        .await
        .expect("read accounts")
        .into_iter()
        .map(|row| (row.email.clone(), row.is_deleted()))
        .collect()
}

backend_tests! {
    async fn keys_are_unique_among_active_rows_only(db: &TestDb) {
        db.create::<account::Entity>().await;
        let ada = insert_account(db, "ada@example.com", 1, "ada").await.expect("insert");
        assert_unique_violation(insert_account(db, "ada@example.com", 2, "other").await);
        assert_unique_violation(insert_account(db, "other@example.com", 1, "ada").await);

        ada.soft_delete(&db.conn).await.expect("trash ada");
        let again = insert_account(db, "ada@example.com", 1, "ada").await.expect("re-register after delete");
        again.soft_delete(&db.conn).await.expect("trash the second ada");
        insert_account(db, "ada@example.com", 1, "ada").await.expect("a third, two trashed duplicates");
        assert_unique_violation(insert_account(db, "ada@example.com", 3, "x").await);
        assert_eq!(account::Entity::deleted_objects().count(&db.conn).await.expect("count"), 2);
    }

    async fn migration_helpers_make_an_existing_table_soft_deletable(db: &TestDb) {
        let manager = SchemaManager::new(db.conn.inner());
        let existing = Table::create()
            .table(account::Entity)
            .col(ColumnDef::new(account::Column::Id).integer().not_null().primary_key().auto_increment())
            .col(ColumnDef::new(account::Column::Email).string_len(200).not_null())
            .col(ColumnDef::new(account::Column::OrgId).integer().not_null())
            .col(ColumnDef::new(account::Column::Handle).string_len(200).not_null())
            .to_owned();
        manager.create_table(existing).await.expect("create the table as it was");

        migration::add_marker_column::<account::Entity>(&manager).await.expect("add marker");
        migration::create_active_unique_indexes::<account::Entity>(&manager).await.expect("unique indexes");
        migration::create_active_index::<account::Entity>(&manager, "idx_account_active_org", &[account::Column::OrgId])
            .await
            .expect("active index");
        assert!(marker_column_exists(db).await);

        let ada = insert_account(db, "ada@example.com", 1, "ada").await.expect("insert");
        assert_unique_violation(insert_account(db, "ada@example.com", 1, "ada2").await);
        let deleted = ada.soft_delete(&db.conn).await.expect("soft delete");
        let precise = deleted.deleted_at.expect("stamped");
        assert_eq!(account::Entity::deleted_objects().one(&db.conn).await.expect("read"), Some(deleted.clone()), "marker keeps {precise}");
        insert_account(db, "ada@example.com", 1, "ada").await.expect("duplicate of a trashed row");

        migration::drop_active_unique_indexes::<account::Entity>(&manager).await.expect("drop unique indexes");
        insert_account(db, "ada@example.com", 1, "ada").await.expect("no longer unique");
        account::Entity::force_delete_many().exec(&db.conn).await.expect("empty the table");
        migration::drop_active_index::<account::Entity>(&manager, "idx_account_active_org").await.expect("drop index");
        migration::drop_marker_column::<account::Entity>(&manager).await.expect("drop marker");
        assert!(!marker_column_exists(db).await);
    }

    async fn restoring_into_a_taken_key_is_refused_and_changes_nothing(db: &TestDb) {
        db.create::<account::Entity>().await;
        let old = insert_account(db, "ada@example.com", 1, "ada").await.expect("insert");
        let other = insert_account(db, "bob@example.com", 1, "bob").await.expect("insert");
        let old = old.soft_delete(&db.conn).await.expect("trash");
        other.soft_delete(&db.conn).await.expect("trash bob");
        let new = insert_account(db, "ada@example.com", 2, "ada").await.expect("new ada");
        let before = accounts(db).await;

        let refused = old.restore(&db.conn).await.expect_err("email is taken");
        match &refused {
            Error::RestoreConflict { table, columns, restored_key, active_key } => {
                assert_eq!((*table, columns.as_slice()), ("account", ["email"].as_slice()));
                assert_eq!(restored_key.as_deref(), Some(old.id.to_string().as_str()));
                assert_eq!(active_key.as_deref(), Some(new.id.to_string().as_str()));
            }
            other => panic!("expected RestoreConflict, got {other:?}"),
        }
        assert!(refused.to_string().contains("(email)"), "{refused}");
        assert!(matches!(account::Entity::restore_by_id(old.id).exec(&db.conn).await, Err(Error::RestoreConflict { .. })));

        // In bulk, one conflicting row refuses the whole call: bob stays in the trash too.
        let bulk = account::Entity::restore_many().exec(&db.conn).await.expect_err("bulk conflict");
        assert!(matches!(bulk, Error::RestoreConflict { .. }), "{bulk:?}");
        assert_eq!(accounts(db).await, before);

        // The composite key is checked too.
        new.force_delete(&db.conn).await.expect("free the email");
        insert_account(db, "carol@example.com", 1, "ada").await.expect("takes org 1 / ada");
        let composite = old.restore(&db.conn).await.expect_err("handle is taken in org 1");
        assert!(matches!(&composite, Error::RestoreConflict { columns, .. } if *columns == ["org_id", "handle"]), "{composite:?}");

        let restored = account::Entity::restore_many()
            .filter(account::Column::Email.eq("bob@example.com"))
            .exec(&db.conn)
            .await
            .expect("bob has no conflict");
        assert_eq!(restored.rows_affected, 1);
    }

    async fn purge_removes_only_expired_trash_in_batches(db: &TestDb) {
        let rows: Vec<(String, i64)> = (0..40).map(|i| (format!("p{i:02}"), i)).collect();
        db.create::<product::Entity>().await;
        for (name, price) in &rows {
            product::ActiveModel { name: Set(name.clone()), price: Set(*price), ..Default::default() }
                .insert(&db.conn).await.expect("insert");
        }
        // 25 old trash, 10 recent trash, 5 active.
        product::Entity::soft_delete_many().filter(product::Column::Price.lt(25)).at(day(1)).exec(&db.conn).await.expect("old");
        product::Entity::soft_delete_many().filter(product::Column::Price.lt(35)).at(day(20)).exec(&db.conn).await.expect("recent");
        // With the index that makes each batch a range scan (the same statements either way).
        let manager = SchemaManager::new(db.conn.inner());
        migration::create_purge_index::<product::Entity>(&manager, "product_trash").await.expect("create the purge index");
        db.statements.take();

        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let record = seen.clone();
        let done = product::Entity::purge_trash(day(10))
            .batch_size(10)
            .on_progress(move |progress: PurgeProgress| record.lock().expect("lock").push(progress.rows_removed))
            .exec(&db.conn)
            .await
            .expect("purge");
        assert_eq!((done.rows_removed, done.batches), (25, 3));
        assert_eq!(*seen.lock().expect("lock"), [10, 20, 25]);
        // Keyset progress: each batch starts after the keys the one before it removed, known
        // from its `RETURNING` (PostgreSQL, SQLite) or, on MariaDB, from a read of the first
        // expired key left after a full batch. The last batch was short: a read finds nothing
        // expired left after it (a concurrent restore, not the end, may have made it short).
        let statements = db.statements.take();
        let kinds: Vec<&str> = statements.iter().map(|sql| &sql[..6]).collect();
        let expected: &[&str] = if db.backend == Backend::MariaDb {
            &["DELETE", "SELECT", "DELETE", "SELECT", "DELETE", "SELECT"]
        } else {
            &["DELETE", "DELETE", "DELETE", "SELECT"]
        };
        assert_eq!(kinds, expected, "{statements:#?}");
        assert!(!statements[0].contains(r#"id" >"#) && !statements[0].contains("id` >"), "the first batch starts at the lowest key: {}", statements[0]);
        for later in statements.iter().skip(1).filter(|sql| sql.starts_with("DELETE")) {
            assert!(later.contains(r#"id" >"#) || later.contains("id` >="), "later batches start at a key: {later}");
        }

        assert_eq!(product::Entity::deleted_objects().count(&db.conn).await.expect("count"), 10);
        assert_eq!(product::Entity::objects().count(&db.conn).await.expect("count"), 5);
        let oldest_left = product::Entity::deleted_objects().order_by_asc(product::Column::Price).one(&db.conn).await.expect("read");
        assert_eq!(oldest_left.map(|row| row.price), Some(25));

        // Ten expired rows in batches of five: the second batch is full, and the read after it
        // finds nothing, so no third `DELETE` runs.
        product::Entity::soft_delete_many().at(day(1)).exec(&db.conn).await.expect("trash the active");
        let five_active_made_old = product::Entity::purge_trash(day(10)).batch_size(5).exec(&db.conn).await.expect("purge");
        assert_eq!(five_active_made_old.rows_removed, 5);
        db.statements.take();
        product::Entity::restore_many().exec(&db.conn).await.expect("restore the 10 recent");
        product::Entity::soft_delete_many().at(day(1)).exec(&db.conn).await.expect("make them old");
        db.statements.take();
        let exact = product::Entity::purge_trash(day(10)).batch_size(5).exec(&db.conn).await.expect("purge");
        // Two full batches: on MariaDB each followed by its read, which finds nothing the
        // second time; elsewhere a third `DELETE` finds nothing, and as a short batch it is
        // followed by the read that says nothing expired is left.
        let statements = db.statements.take().len();
        if db.backend == Backend::MariaDb {
            assert_eq!((exact.rows_removed, exact.batches, statements), (10, 2, 4));
        } else {
            assert_eq!((exact.rows_removed, exact.batches, statements), (10, 3, 4));
        }
        for (name, price) in rows.iter().skip(25).take(10) {
            product::ActiveModel { name: Set(name.clone()), price: Set(*price), ..Default::default() }
                .insert(&db.conn).await.expect("insert again");
        }
        product::Entity::soft_delete_many().filter(product::Column::Price.lt(35)).at(day(20)).exec(&db.conn).await.expect("recent");
        for (name, price) in rows.iter().skip(35) {
            product::ActiveModel { name: Set(name.clone()), price: Set(*price), ..Default::default() }
                .insert(&db.conn).await.expect("insert again");
        }

        let nothing = product::Entity::purge_trash(day(10)).exec(&db.conn).await.expect("purge again");
        assert_eq!((nothing.rows_removed, nothing.batches), (0, 1));
        let exact = product::Entity::purge_trash(day(20)).exec(&db.conn).await.expect("cutoff equal to the stamp");
        assert_eq!(exact.rows_removed, 0, "rows trashed at the cutoff are kept");
    }

    // Keyset progress over a composite key orders as `ORDER BY org_id, user_id`: batches that
    // cut through one organisation and resume inside it miss nothing and remove nothing twice.
    async fn purge_walks_a_composite_key_in_order(db: &TestDb) {
        db.create::<membership::Entity>().await;
        for org_id in 1..=4 {
            for user_id in 1..=6 {
                membership::ActiveModel { org_id: Set(org_id), user_id: Set(user_id), role: Set("member".into()), ..Default::default() }
                    .insert(&db.conn).await.expect("insert");
            }
        }
        // Odd users are old trash, user 2 recent trash, the rest active: 12 / 4 / 8.
        membership::Entity::soft_delete_many().filter(membership::Column::UserId.is_in([1, 3, 5])).at(day(1)).exec(&db.conn).await.expect("old");
        membership::Entity::soft_delete_many().filter(membership::Column::UserId.eq(2)).at(day(20)).exec(&db.conn).await.expect("recent");
        db.statements.take();
        let done = membership::Entity::purge_trash(day(10)).batch_size(5).exec(&db.conn).await.expect("purge");
        assert_eq!((done.rows_removed, done.batches), (12, 3));
        assert_eq!(db.statements.take().len(), 6, "two full batches with their reads, then a short one and its read");
        let left: Vec<(i32, i32)> = membership::Entity::all_objects()
            .order_by_asc(membership::Column::OrgId)
            .order_by_asc(membership::Column::UserId)
            .all(&db.conn).await.expect("read")
            .into_iter().map(|row| (row.org_id, row.user_id)).collect();
        let expected: Vec<(i32, i32)> = (1..=4).flat_map(|org| [2, 4, 6].map(|user| (org, user))).collect();
        assert_eq!(left, expected);
    }

    async fn database_clock_stamps_compare_with_application_ones(db: &TestDb) {
        db.create::<server_stamped::Entity>().await;
        let mut rows = Vec::new();
        for label in ["a", "b", "c"] {
            rows.push(
                server_stamped::ActiveModel { label: Set(label.into()), ..Default::default() }
                    .insert(&db.conn).await.expect("insert"),
            );
        }
        db.statements.take();
        let by_server = rows[0].soft_delete(&db.conn).await.expect("server clock");
        let sent = db.statements.take();
        let update = if db.backend == Backend::MariaDb { 2 } else { 1 };
        assert_eq!(sent.len(), 1 + update, "server time, then the UPDATE (and read-back on MariaDB): {sent:?}");
        let server_time = by_server.deleted_at.expect("stamped");
        let drift = (server_time - Utc::now()).abs();
        assert!(drift < TimeDelta::minutes(5), "server and application clocks agree roughly: {drift}");

        // Rows stamped by the application a microsecond either side compare correctly with it.
        let before = server_stamped::Entity::soft_delete_by_id(rows[1].id).at(server_time - TimeDelta::microseconds(1)).exec(&db.conn).await.expect("before");
        let after = server_stamped::Entity::soft_delete_by_id(rows[2].id).at(server_time + TimeDelta::microseconds(1)).exec(&db.conn).await.expect("after");
        assert!(before.deleted_at < by_server.deleted_at && by_server.deleted_at < after.deleted_at);

        let purged = server_stamped::Entity::purge_trash(server_time).exec(&db.conn).await.expect("purge");
        assert_eq!(purged.rows_removed, 1, "only the row stamped before the server time");
        let purged = server_stamped::Entity::purge_trash(server_time + TimeDelta::microseconds(1)).exec(&db.conn).await.expect("purge");
        assert_eq!(purged.rows_removed, 1, "then the server-stamped row");
        let left: Vec<String> = server_stamped::Entity::all_objects().all(&db.conn).await.expect("all").into_iter().map(|row| row.label).collect();
        assert_eq!(left, ["c"]);

        let bulk = server_stamped::Entity::restore_many().exec(&db.conn).await.expect("restore");
        assert_eq!(bulk.rows_affected, 1);
        let stamped = server_stamped::Entity::soft_delete_many().exec(&db.conn).await.expect("bulk, server clock");
        let stored = server_stamped::Entity::deleted_objects().one(&db.conn).await.expect("read").and_then(|row| row.deleted_at);
        assert_eq!(stored, Some(stamped.deleted_at));
    }

    async fn lookup_tells_active_trashed_and_missing_apart(db: &TestDb) {
        db.create::<product::Entity>().await;
        let pen = product::ActiveModel { name: Set("pen".into()), price: Set(2), ..Default::default() }
            .insert(&db.conn).await.expect("insert");
        assert_eq!(product::Entity::lookup_by_id(pen.id).one(&db.conn).await.expect("lookup"), RowState::Active(pen.clone()));

        let trashed = pen.soft_delete(&db.conn).await.expect("trash");
        match product::Entity::lookup_by_id(pen.id).one(&db.conn).await.expect("lookup") {
            RowState::Trashed { row, deleted_at } => {
                assert_eq!(row, trashed);
                assert_eq!(Some(deleted_at), trashed.deleted_at);
            }
            other => panic!("expected Trashed, got {other:?}"),
        }
        pen.force_delete(&db.conn).await.expect("force delete");
        assert_eq!(product::Entity::lookup_by_id(pen.id).one(&db.conn).await.expect("lookup"), RowState::Missing);
        assert_eq!(product::Entity::lookup_by_id(12_345).one(&db.conn).await.expect("lookup"), RowState::Missing);
    }
}

// The entities only this module uses.

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
