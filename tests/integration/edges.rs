//! Edges a real schema reaches in its first week, each tried the way it breaks in production:
//! real-length table and index names, SeaORM's read-back on MariaDB, upserts and `COPY` under
//! the leak guard, and connection wrappers choosing the isolation level.

use std::sync::Mutex;

use crate::common::TestDb;
use crate::common::faults::{Faults, FaultyConnection};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseExecutor, DbBackend, EntityTrait,
    IsolationLevel, QueryFilter, Set, Statement, TransactionTrait,
};
use soft_delete_core::guard::LeakKind;
use soft_delete_core::{Error, schema};

/// `(kind, table)` of the leak `error` reports, if it is one.
fn leak_of(error: &sea_orm::DbErr) -> Option<(LeakKind, String)> {
    match Error::downcast_ref(error) {
        Some(Error::Leak(leak)) => Some((leak.kind, leak.table.clone())),
        _ => None,
    }
}

/// The names of the indexes on `table` whose names start with `sd_uq_`, as the server lists
/// them.
async fn unique_index_names(db: &TestDb, table: &str) -> Vec<String> {
    let sql = match db.db_backend() {
        DbBackend::Postgres => format!(
            "SELECT indexname AS name FROM pg_indexes WHERE tablename = '{table}' \
             AND indexname LIKE 'sd\\_uq\\_%' ORDER BY 1"
        ),
        DbBackend::MySql => format!(
            "SELECT DISTINCT index_name AS name FROM information_schema.statistics \
             WHERE table_schema = DATABASE() AND table_name = '{table}' \
             AND index_name LIKE 'sd\\_uq\\_%' ORDER BY 1"
        ),
        _ => format!(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = '{table}' \
             AND name LIKE 'sd\\_uq\\_%' ESCAPE '\\' ORDER BY 1"
        ),
    };
    let rows = db
        .conn
        .query_all_raw(Statement::from_string(db.db_backend(), sql))
        .await
        .expect("list indexes");
    rows.iter()
        .map(|row| row.try_get::<String>("", "name").expect("name"))
        .collect()
}

backend_tests! {
    // Item 1: two keys of a long table get two indexes within every backend's identifier limit,
    // named as `schema::unique_index_name` says, and both are enforced.
    async fn long_table_and_column_names_get_distinct_bounded_index_names(db: &TestDb) {
        db.create::<invitation::Entity>().await;
        let mut expected: Vec<String> = [
            &[invitation::Column::OrganizationIdentifier, invitation::Column::InvitedEmailAddress][..],
            &[invitation::Column::OrganizationIdentifier, invitation::Column::InvitedEmailAddressNormalized][..],
        ]
        .iter()
        .map(|key| schema::unique_index_name::<invitation::Entity>(key))
        .collect();
        expected.sort();
        println!("generated index names on {:?}: {expected:?}", db.backend);
        assert_ne!(expected[0], expected[1]);
        assert!(expected.iter().all(|name| name.len() <= schema::MAX_IDENTIFIER_BYTES), "{expected:?}");
        assert_eq!(unique_index_names(db, "organization_membership_invitations").await, expected);

        let invite = |email: &str, normalized: &str| invitation::ActiveModel {
            organization_identifier: Set(7),
            invited_email_address: Set(email.into()),
            invited_email_address_normalized: Set(normalized.into()),
            ..Default::default()
        };
        let first = invite("ann@example.com", "ann@example.com").insert(&db.conn).await.expect("first");
        // The second key alone collides: its index exists and is enforced.
        let refused = invite("ann+x@example.com", "ann@example.com").insert(&db.conn).await;
        assert!(refused.is_err(), "the normalized address is unique among active rows");
        invitation::Entity::soft_delete_by_id(first.id).exec(&db.conn).await.expect("trash");
        let second = invite("ann+x@example.com", "ann@example.com").insert(&db.conn).await.expect("room after trashing");
        let conflict = invitation::Entity::restore_by_id(first.id).exec(&db.conn).await.expect_err("taken");
        assert!(
            matches!(&conflict, Error::RestoreConflict { columns, .. }
                if columns == &["organization_identifier", "invited_email_address_normalized"]),
            "{conflict:?}"
        );
        assert_eq!(second.organization_identifier, 7);
    }

    // Item 2: only SeaORM's read-back of the row just written passes the guard: not a row whose
    // key is among the written values, and not a read by another task on the same thread.
    async fn a_write_exempts_only_the_read_back_of_its_own_row(db: &TestDb) {
        db.create::<post::Entity>().await;
        for title in ["first", "second", "third"] {
            post::ActiveModel { title: Set(title.into()), ..Default::default() }
                .insert(&db.conn)
                .await
                .expect("insert reads its row back, guarded");
        }
        post::Entity::soft_delete_by_id(2).exec(&db.conn).await.expect("trash post 2");

        // A reply to post 2: its values hold 2, but the row written is the reply.
        let reply = post::ActiveModel { title: Set("re".into()), reply_to: Set(Some(2)), ..Default::default() }
            .insert(&db.conn)
            .await
            .expect("reply");
        assert_eq!(reply.reply_to, Some(2));
        let refused = post::Entity::find_by_id(2).one(&db.conn).await.expect_err("trashed post 2 must not show");
        assert_eq!(leak_of(&refused), Some((LeakKind::Read, "post".into())), "{refused}");

        // A one-row update that sets a foreign key to 2 writes row 3, not row 2.
        post::Entity::update_many()
            .col_expr(post::Column::ReplyTo, Expr::value(2))
            .filter(post::Column::Id.eq(3))
            .exec(&db.conn)
            .await
            .expect("point post 3 at post 2");
        let refused = post::Entity::find_by_id(2).one(&db.conn).await.expect_err("trashed post 2 must not show");
        assert_eq!(leak_of(&refused), Some((LeakKind::Read, "post".into())), "{refused}");

        // `ActiveModel::update` still reads its own row back (MariaDB has no RETURNING).
        let third = post::Entity::objects().filter(post::Column::Id.eq(3)).one(&db.conn).await.expect("read").expect("post 3");
        let mut third: post::ActiveModel = third.into();
        third.title = Set("third, edited".into());
        let edited = third.update(&db.conn).await.expect("update reads back");
        assert_eq!(edited.title, "third, edited");

        // A write whose read-back never came (a plain insert) exempts nothing for another task
        // on the same thread: `tokio::test` runs every task on one thread.
        let inserted = post::Entity::insert(post::ActiveModel { title: Set("plain".into()), ..Default::default() })
            .exec(&db.conn)
            .await
            .expect("plain insert");
        let conn = db.conn.clone();
        let other_task = tokio::spawn(async move {
            post::Entity::find_by_id(inserted.last_insert_id).one(&conn).await
        })
        .await
        .expect("task");
        let refused = other_task.expect_err("another task's read is no read-back");
        assert_eq!(leak_of(&refused), Some((LeakKind::Read, "post".into())), "{refused}");
    }

    // Item 3: SeaORM's `on_conflict_do_nothing()` is `ON DUPLICATE KEY UPDATE id = id` on MySQL
    // and MariaDB, which changes nothing; it passes the guard as it does on the other backends.
    async fn an_upsert_that_does_nothing_passes_the_guard(db: &TestDb) {
        db.create::<post::Entity>().await;
        let first = post::ActiveModel { title: Set("first".into()), ..Default::default() }
            .insert(&db.conn).await.expect("insert");
        post::Entity::soft_delete_by_id(first.id).exec(&db.conn).await.expect("trash");
        let again = post::ActiveModel { id: Set(first.id), title: Set("again".into()), ..Default::default() };
        post::Entity::insert(again.clone()).on_conflict_do_nothing().exec(&db.conn).await.expect("insert .. do nothing");
        let fresh = post::ActiveModel { id: Set(first.id + 1), title: Set("fresh".into()), ..Default::default() };
        post::Entity::insert_many([again, fresh]).on_conflict_do_nothing().exec(&db.conn).await.expect("insert_many .. do nothing");
        // Asked for the row it inserted, an insert that collided with a trashed row must not
        // hand that row back as inserted: on MariaDB SeaORM reads it back by its key, and the
        // guard refuses that read (nothing was written, so nothing is exempt).
        // (A key the application chooses: SeaORM then reads back by the key it sent.)
        db.create::<doc_folder::Entity>().await;
        db.create::<doc_file::Entity>().await;
        doc_folder::ActiveModel { id: Set(1), ..Default::default() }.insert(&db.conn).await.expect("folder");
        doc_folder::Entity::soft_delete_by_id(1).exec(&db.conn).await.expect("trash the folder");
        let collided = doc_folder::ActiveModel { id: Set(1), ..Default::default() };
        match doc_folder::Entity::insert(collided).on_conflict_do_nothing().exec_with_returning(&db.conn).await {
            Ok(sea_orm::TryInsertResult::Inserted(row)) => panic!("a trashed row came back as inserted: {row:?}"),
            Ok(_) => {}
            // With `RETURNING` (PostgreSQL, SQLite) nothing comes back, which SeaORM reports.
            Err(sea_orm::DbErr::RecordNotFound(_)) if db.db_backend() != DbBackend::MySql => {}
            Err(refused) => assert_eq!(leak_of(&refused), Some((LeakKind::Read, "doc_folder".into())), "{refused}"),
        }
        let trashed = post::Entity::deleted_objects().all(&db.conn).await.expect("trash");
        assert_eq!(trashed.len(), 1);
        assert_eq!(trashed[0].title, "first", "the trashed row is unchanged");
        assert_eq!(post::Entity::objects().all(&db.conn).await.expect("active").len(), 1);
    }

    // Item 4: `COPY post TO ..` exports the trash; the guard refuses it before it is sent.
    async fn copy_of_a_table_is_refused(db: &TestDb) {
        db.create::<post::Entity>().await;
        let refused = db.conn.execute_unprepared("COPY post TO STDOUT").await.expect_err("exports the trash");
        // PostgreSQL's statement; the parser reads it in every dialect, as a read of every row.
        assert_eq!(leak_of(&refused), Some((LeakKind::Read, "post".into())), "{refused}");
        let query = "COPY (SELECT id FROM post) TO STDOUT";
        let refused = db.conn.execute_unprepared(query).await.expect_err("its query reads the trash");
        assert!(leak_of(&refused).is_some(), "{refused}");
    }

    // Item 8: an operation opens a `READ COMMITTED` transaction on MySQL and MariaDB exactly when
    // its connection is not in a transaction, whatever wraps it; inside the caller's transaction
    // it keeps the caller's level and leaves that transaction usable.
    async fn the_connection_says_whether_it_is_in_a_transaction(db: &TestDb) {
        db.create::<probe::Entity>().await;
        for id in 1..=5 {
            probe::ActiveModel { id: Set(id), ..Default::default() }.insert(&db.conn).await.expect("insert");
        }
        // Only the MariaDB test's hooks record, so only it reads the shared record.
        let levels = |db: &TestDb| {
            if db.backend != crate::common::Backend::MariaDb {
                return Vec::new();
            }
            std::mem::take(&mut *probe::SEEN.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
        };
        levels(db);

        probe::Entity::soft_delete_by_id(1).exec(&db.conn).await.expect("guarded pool");
        let wrapper = FaultyConnection::new(db.conn.inner(), Faults::at(usize::MAX));
        probe::Entity::soft_delete_by_id(2).exec(&wrapper).await.expect("a wrapper of the pool");
        probe::Entity::soft_delete_by_id(3).exec(&DatabaseExecutor::Connection(db.conn.inner())).await.expect("executor on the pool");
        let pool_levels = levels(db);

        let txn = db.conn.inner().begin_with_config(Some(IsolationLevel::RepeatableRead), None).await.expect("begin");
        probe::Entity::soft_delete_by_id(4).exec(&DatabaseExecutor::Transaction(&txn)).await.expect("executor in a transaction");
        probe::Entity::soft_delete_by_id(5).exec(&txn).await.expect("the transaction itself");
        sea_orm::TransactionSession::commit(txn).await.expect("the caller's transaction commits");
        let transaction_levels = levels(db);

        if db.backend == crate::common::Backend::MariaDb {
            assert_eq!(pool_levels, ["READ COMMITTED"; 3], "every pool, wrapped or not");
            assert_eq!(transaction_levels, ["REPEATABLE READ"; 2], "the caller's level");
        }
        let trashed = probe::Entity::deleted_objects().all(&db.conn).await.expect("trash");
        assert_eq!(trashed.len(), 5, "every call committed");
    }
}

// The entities only this module uses.

/// A table and keys with the names a real schema has.
pub mod invitation {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "organization_membership_invitations")]
    // Clippy takes a column named in two keys for a duplicated attribute (README, unique keys).
    #[allow(clippy::duplicated_attributes)]
    #[soft_delete(
        unique(organization_identifier, invited_email_address),
        unique(organization_identifier, invited_email_address_normalized)
    )]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub organization_identifier: i32,
        pub invited_email_address: String,
        pub invited_email_address_normalized: String,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Posts that reply to posts.
pub mod post {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "post")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub title: String,
        pub reply_to: Option<i32>,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// An entity whose hook reads, on MariaDB, the isolation level of the operation's transaction.
pub mod probe {
    use super::Mutex;
    use sea_orm::entity::prelude::*;
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    use soft_delete_core::prelude::*;
    use soft_delete_core::{Error, HookContext, SoftDeleteHooks};

    /// The levels the hooks saw, in call order.
    pub static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "isolation_probe")]
    #[soft_delete(hooks)]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i32,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl SoftDeleteHooks for Entity {
        async fn before_soft_delete(ctx: &HookContext<'_>) -> Result<(), Error> {
            if ctx.db.get_database_backend() != DbBackend::MySql {
                return Ok(());
            }
            // InnoDB refreshes its transaction table at most every 100 ms: outlast the last read.
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            let sql = "SELECT trx_isolation_level AS level FROM information_schema.innodb_trx \
                       WHERE trx_mysql_thread_id = CONNECTION_ID()";
            let row = ctx
                .db
                .query_one_raw(Statement::from_string(DbBackend::MySql, sql))
                .await?
                .ok_or_else(|| Error::vetoed("no InnoDB transaction"))?;
            let level: String = row.try_get("", "level")?;
            SEEN.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(level);
            Ok(())
        }
    }
}

backend_tests! {
    // Item 6: a diamond (A -> B, A -> C, B -> D, D -> C) with `ON DELETE RESTRICT` everywhere:
    // force delete and purge remove C before D, its parent on the longer path.
    async fn force_delete_and_purge_follow_a_diamond_in_topological_order(db: &TestDb) {
        db.create::<dia_a::Entity>().await;
        db.create::<dia_b::Entity>().await;
        db.create::<dia_d::Entity>().await;
        db.create::<dia_c::Entity>().await;
        for round in 0..2 {
            let a = dia_a::ActiveModel { ..Default::default() }.insert(&db.conn).await.expect("a");
            let b = dia_b::ActiveModel { a_id: Set(a.id), ..Default::default() }.insert(&db.conn).await.expect("b");
            let d = dia_d::ActiveModel { b_id: Set(b.id), ..Default::default() }.insert(&db.conn).await.expect("d");
            dia_c::ActiveModel { a_id: Set(a.id), d_id: Set(d.id), ..Default::default() }.insert(&db.conn).await.expect("c");
            if round == 0 {
                dia_a::Entity::force_delete_by_id(a.id).exec(&db.conn).await.expect("force delete through the diamond");
            } else {
                dia_a::Entity::soft_delete_by_id(a.id).exec(&db.conn).await.expect("trash through the diamond");
                let purged = dia_a::Entity::purge_trash(chrono::Utc::now() + chrono::TimeDelta::days(1))
                    .exec(&db.conn)
                    .await
                    .expect("purge through the diamond");
                assert_eq!(purged.rows_removed, 1);
            }
            assert_eq!(dia_c::Entity::all_objects().all(&db.conn).await.expect("c").len(), 0);
            assert_eq!(dia_d::Entity::all_objects().all(&db.conn).await.expect("d").len(), 0);
            assert_eq!(dia_b::Entity::all_objects().all(&db.conn).await.expect("b").len(), 0);
        }
    }

    // Item 6: a purge batch of 10,000 trashed root folders, one of them over a chain eight
    // levels deep with a document at the bottom. The documents' condition names every level of
    // the tree, each with the batch's keys again (90,000 bind parameters, past PostgreSQL's
    // and MariaDB's 65,535): the batch is then named in halves instead of failing.
    async fn a_deep_tree_under_a_full_batch_stays_within_the_bind_limit(db: &TestDb) {
        db.create::<doc_folder::Entity>().await;
        db.create::<doc_file::Entity>().await;
        let roots: Vec<doc_folder::ActiveModel> = (1..=10_000)
            .map(|id| doc_folder::ActiveModel { id: Set(id), ..Default::default() })
            .collect();
        for chunk in roots.chunks(1_000) {
            doc_folder::Entity::insert_many(chunk.to_vec()).exec(&db.conn).await.expect("roots");
        }
        let mut parent = 1;
        for id in 10_001..=10_008 {
            doc_folder::ActiveModel { id: Set(id), parent_id: Set(Some(parent)), ..Default::default() }
                .insert(&db.conn)
                .await
                .expect("node");
            parent = id;
        }
        doc_file::ActiveModel { id: Set(1), folder_id: Set(parent), ..Default::default() }
            .insert(&db.conn)
            .await
            .expect("a document at the bottom");
        let long_ago = chrono::Utc::now() - chrono::TimeDelta::days(10);
        doc_folder::Entity::soft_delete_many()
            .filter(doc_folder::Column::ParentId.is_null())
            .at(long_ago)
            .exec(&db.conn)
            .await
            .expect("trash");
        db.statements.take();
        let purged = doc_folder::Entity::purge_trash(chrono::Utc::now())
            .batch_size(10_000)
            .exec(&db.conn)
            .await
            .expect("purge a full batch over a deep tree");
        let sent = db.statements.take();
        let widest = sent.iter().map(|sql| sql.matches(',').count()).max().unwrap_or_default();
        println!("deep tree purge on {:?}: {} statements, the widest with {widest} commas", db.backend, sent.len());
        assert_eq!(purged.rows_removed, 10_008);
        assert_eq!(doc_folder::Entity::all_objects().all(&db.conn).await.expect("left").len(), 0);
        assert_eq!(doc_file::Entity::all_objects().all(&db.conn).await.expect("left").len(), 0);
        assert!(widest < 65_535, "every statement within the bind limit: {widest}");
    }

    // Item 6: a filter that matches a tree node and its descendant tells the hooks of each row
    // once, and counts both as the operation's own rows.
    async fn hooks_hear_of_each_row_of_a_tree_once(db: &TestDb) {
        db.create::<hooked_folder::Entity>().await;
        db.exec("CREATE TABLE hook_log (point VARCHAR(64) NOT NULL, keys_told VARCHAR(255) NOT NULL)").await;
        // 1 -> 2 -> 3 -> 4, and 1 -> 5.
        for (id, parent) in [(1, None), (2, Some(1)), (3, Some(2)), (4, Some(3)), (5, Some(1))] {
            hooked_folder::ActiveModel { id: Set(id), parent_id: Set(parent), ..Default::default() }
                .insert(&db.conn)
                .await
                .expect("node");
        }
        let done = hooked_folder::Entity::force_delete_many()
            .filter(hooked_folder::Column::Id.is_in([1, 3]))
            .exec(&db.conn)
            .await
            .expect("force delete");
        assert_eq!(done.rows_affected, 2, "rows 1 and 3 matched the filter");
        let rows = db
            .conn
            .query_all_raw(Statement::from_string(db.db_backend(), "SELECT keys_told FROM hook_log WHERE point = 'before'"))
            .await
            .expect("log");
        let mut told: Vec<i64> = rows
            .iter()
            .flat_map(|row| {
                let keys: String = row.try_get("", "keys_told").expect("keys");
                keys.split(',').filter(|key| !key.is_empty()).map(|key| key.parse::<i64>().expect("key")).collect::<Vec<_>>()
            })
            .collect();
        told.sort_unstable();
        assert_eq!(told, [1, 2, 3, 4, 5], "each row once");
        assert_eq!(hooked_folder::Entity::all_objects().all(&db.conn).await.expect("left").len(), 0);
    }
}

// A diamond of cascades whose foreign keys all say `ON DELETE RESTRICT`: A -> B -> D -> C and
// A -> C.

pub mod dia_a {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "dia_a")]
    #[soft_delete(cascade(super::dia_b::Entity, super::dia_c::Entity))]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub deleted_at: Option<DateTimeUtc>,
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(has_many = "super::dia_b::Entity")]
        ChildB,
        #[sea_orm(has_many = "super::dia_c::Entity")]
        ChildC,
    }

    impl Related<super::dia_b::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::ChildB.def()
        }
    }

    impl Related<super::dia_c::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::ChildC.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod dia_b {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "dia_b")]
    #[soft_delete(cascade(super::dia_d::Entity))]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub a_id: i32,
        pub deleted_at: Option<DateTimeUtc>,
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::dia_a::Entity",
            from = "Column::AId",
            to = "super::dia_a::Column::Id",
            on_delete = "Restrict"
        )]
        ParentA,
        #[sea_orm(has_many = "super::dia_d::Entity")]
        ChildD,
    }

    impl Related<super::dia_a::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::ParentA.def()
        }
    }

    impl Related<super::dia_d::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::ChildD.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod dia_d {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "dia_d")]
    #[soft_delete(cascade(super::dia_c::Entity))]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub b_id: i32,
        pub deleted_at: Option<DateTimeUtc>,
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::dia_b::Entity",
            from = "Column::BId",
            to = "super::dia_b::Column::Id",
            on_delete = "Restrict"
        )]
        ParentB,
        #[sea_orm(has_many = "super::dia_c::Entity")]
        ChildC,
    }

    impl Related<super::dia_b::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::ParentB.def()
        }
    }

    impl Related<super::dia_c::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::ChildC.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod dia_c {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "dia_c")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub a_id: i32,
        pub d_id: i32,
        pub deleted_at: Option<DateTimeUtc>,
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::dia_a::Entity",
            from = "Column::AId",
            to = "super::dia_a::Column::Id",
            on_delete = "Restrict"
        )]
        ParentA,
        #[sea_orm(
            belongs_to = "super::dia_d::Entity",
            from = "Column::DId",
            to = "super::dia_d::Column::Id",
            on_delete = "Restrict"
        )]
        ParentD,
    }

    impl Related<super::dia_a::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::ParentA.def()
        }
    }

    impl Related<super::dia_d::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::ParentD.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A tree whose hooks log the keys they are told, in the test's own database.
pub mod hooked_folder {
    use sea_orm::ConnectionTrait;
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;
    use soft_delete_core::{Error, HookContext, SoftDeleteHooks};

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "hooked_folder")]
    #[soft_delete(cascade(Entity), hooks)]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i32,
        pub parent_id: Option<i32>,
        pub deleted_at: Option<DateTimeUtc>,
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(belongs_to = "Entity", from = "Column::ParentId", to = "Column::Id")]
        Parent,
    }

    impl Related<Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Parent.def().rev()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}

    impl SoftDeleteHooks for Entity {
        async fn before_force_delete(ctx: &HookContext<'_>) -> Result<(), Error> {
            let keys: Vec<String> = ctx
                .keys
                .iter()
                .flat_map(|key| key.clone().into_iter())
                .map(|value| value.to_string())
                .collect();
            let sql = format!(
                "INSERT INTO hook_log (point, keys_told) VALUES ('before', '{}')",
                keys.join(",")
            );
            ctx.db.execute_unprepared(&sql).await?;
            Ok(())
        }
    }
}

/// A tree of folders with documents in them.
pub mod doc_folder {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "doc_folder")]
    #[soft_delete(cascade(Entity, super::doc_file::Entity))]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i32,
        pub parent_id: Option<i32>,
        pub deleted_at: Option<DateTimeUtc>,
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(belongs_to = "Entity", from = "Column::ParentId", to = "Column::Id")]
        Parent,
        #[sea_orm(has_many = "super::doc_file::Entity")]
        File,
    }

    impl Related<Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Parent.def().rev()
        }
    }

    impl Related<super::doc_file::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::File.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod doc_file {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "doc_file")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i32,
        pub folder_id: i32,
        pub deleted_at: Option<DateTimeUtc>,
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::doc_folder::Entity",
            from = "Column::FolderId",
            to = "super::doc_folder::Column::Id"
        )]
        Folder,
    }

    impl Related<super::doc_folder::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Folder.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}
