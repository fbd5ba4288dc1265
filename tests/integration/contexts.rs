//! Every operation called from the places SeaORM code lives, on every backend: a pool, a
//! transaction, a `SoftDeleteHooks` hook's `ctx.db` (which opens savepoints), generic
//! `C: ConnectionTrait` code and an `ActiveModelBehavior` hook. What a bare connection cannot
//! run as one statement fails with `Error::NeedsTransaction` before anything is sent.

use crate::common::{Backend, TestDb};
use chrono::{TimeDelta, Utc};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, Set, TransactionSession,
    TransactionTrait,
};
use soft_delete_core::guard::allow_hard_delete;
use soft_delete_core::{Error, RowState, SoftDeleteOne, TransactionalConnection};

/// A shelf and the copies on it: a cascade, so its operations need a transaction.
mod shelf {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "ctx_shelf")]
    #[soft_delete(cascade(super::copy::Entity))]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub deleted_at: Option<DateTimeUtc>,
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(has_many = "super::copy::Entity")]
        Copy,
    }

    impl Related<super::copy::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Copy.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

mod copy {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "ctx_copy")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub shelf_id: i32,
        pub deleted_at: Option<DateTimeUtc>,
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::shelf::Entity",
            from = "Column::ShelfId",
            to = "super::shelf::Column::Id"
        )]
        Shelf,
    }

    impl Related<super::shelf::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Shelf.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A plain entity: every operation on it is one statement.
mod note {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "ctx_note")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub weight: i32,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Soft-deleting a job runs its hook, which calls every operation through `ctx.db` and writes
/// what they answered into the job's `transcript`, inside the operation's transaction.
mod job {
    use sea_orm::entity::prelude::*;
    use sea_orm::sea_query::Expr;
    use soft_delete_core::prelude::*;
    use soft_delete_core::{Error, HookContext, SoftDeleteHooks};

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "ctx_job")]
    #[soft_delete(hooks)]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub scenario: String,
        #[sea_orm(column_type = "Text")]
        pub transcript: String,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl SoftDeleteHooks for Entity {
        async fn after_soft_delete(ctx: &HookContext<'_>) -> Result<(), Error> {
            let ids = ctx.keys.iter().flat_map(|key| key.clone().into_iter());
            let jobs = Entity::all_objects()
                .filter(Column::Id.is_in(ids))
                .all(&ctx.db)
                .await?;
            let mut drop_a_savepoint_last = false;
            for job in jobs {
                drop_a_savepoint_last |= job.scenario == "savepoints";
                let transcript = match job.scenario.as_str() {
                    "every operation" => super::every_operation(&ctx.db).await?,
                    "every operation, then fail" => {
                        super::every_operation(&ctx.db).await?;
                        return Err(Error::vetoed("the hook fails after its operations"));
                    }
                    "savepoints" => super::savepoints(&ctx.db).await?,
                    other => return Err(Error::vetoed(format!("unknown scenario {other}"))),
                };
                Entity::update_many()
                    .col_expr(Column::Transcript, Expr::value(transcript.join("\n")))
                    .filter(Column::Id.eq(job.id))
                    .exec(&ctx.db)
                    .await?;
            }
            if drop_a_savepoint_last {
                // Dropped as the hook's last act: rolled back when the hook returns.
                use sea_orm::{ActiveModelTrait, Set, TransactionTrait};
                let last = ctx.db.begin().await?;
                super::note::ActiveModel {
                    id: Set(17),
                    weight: Set(0),
                    deleted_at: Set(None),
                }
                .insert(&last)
                .await?;
                drop(last);
            }
            Ok(())
        }
    }
}

/// Inserting a request runs `ActiveModelBehavior::before_save`, which only has a
/// `C: ConnectionTrait`: it calls every operation with `exec_without_transaction` and keeps
/// what they answered in the request's `transcript`.
mod request {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "ctx_request")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(column_type = "Text")]
        pub transcript: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    #[async_trait::async_trait]
    impl ActiveModelBehavior for ActiveModel {
        async fn before_save<C>(mut self, db: &C, insert: bool) -> Result<Self, DbErr>
        where
            C: ConnectionTrait,
        {
            if insert {
                let transcript = super::every_operation_without_transaction(db).await?;
                self.transcript = sea_orm::Set(transcript.join("\n"));
            }
            Ok(self)
        }
    }
}

async fn create_tables(db: &TestDb) {
    db.create::<shelf::Entity>().await;
    db.create::<copy::Entity>().await;
    db.create::<note::Entity>().await;
    db.create::<job::Entity>().await;
    let schema = sea_orm::Schema::new(db.db_backend());
    db.conn
        .execute(&schema.create_table_from_entity(request::Entity))
        .await
        .expect("request table");
}

/// Notes 1..=4 (weights 1..=4, note 4 trashed a year ago), shelf 1 with copies 1 and 2.
async fn seed<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    allow_hard_delete(async {
        note::Entity::delete_many().exec(db).await?;
        copy::Entity::delete_many().exec(db).await?;
        shelf::Entity::delete_many().exec(db).await
    })
    .await?;
    let year_ago = Utc::now() - TimeDelta::days(365);
    for id in 1..=4 {
        note::ActiveModel {
            id: Set(id),
            weight: Set(id),
            deleted_at: Set((id == 4).then_some(year_ago)),
        }
        .insert(db)
        .await?;
    }
    shelf::ActiveModel {
        id: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await?;
    for id in 1..=2 {
        copy::ActiveModel {
            id: Set(id),
            shelf_id: Set(1),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

fn state<M>(row: &RowState<M>) -> &'static str {
    match row {
        RowState::Active(_) => "active",
        RowState::Trashed { .. } => "trashed",
        RowState::Missing => "missing",
    }
}

/// Every operation through `exec`, on a plain entity and on a cascade; what each answered.
async fn every_operation<C: TransactionalConnection>(db: &C) -> Result<Vec<String>, Error> {
    use sea_orm::ColumnTrait;
    seed(db).await?;
    let mut said = Vec::new();
    let middle = note::Column::Weight.between(2, 3);
    let deleted = note::Entity::soft_delete_many()
        .filter(middle.clone())
        .exec(db)
        .await?;
    said.push(format!("soft_delete_many {}", deleted.rows_affected));
    let restored = note::Entity::restore_many()
        .filter(middle.clone())
        .exec(db)
        .await?;
    said.push(format!("restore_many {}", restored.rows_affected));
    let note = note::Entity::soft_delete_by_id(1).exec(db).await?;
    said.push(format!("soft_delete_by_id {}", note.is_deleted()));
    let outcome = SoftDeleteOne::<note::Entity>::of(&note)
        .exec_with_outcome(db)
        .await?;
    said.push(format!("soft_delete again changed {}", outcome.changed));
    let note = note.restore(db).await?;
    said.push(format!("restore {}", note.is_deleted()));
    note.force_delete(db).await?;
    said.push(format!(
        "force_delete {}",
        state(&note::Entity::lookup_by_id(1).one(db).await?)
    ));
    let removed = note::Entity::force_delete_many()
        .filter(note::Column::Weight.eq(2))
        .exec(db)
        .await?;
    said.push(format!("force_delete_many {}", removed.rows_affected));
    let purged = note::Entity::purge_trash(Utc::now() - TimeDelta::days(30))
        .exec(db)
        .await?;
    said.push(format!("purge_trash {}", purged.rows_removed));

    let shelved = shelf::Entity::soft_delete_by_id(1).exec(db).await?;
    let copies = copy::Entity::deleted_objects().all(db).await?.len();
    said.push(format!(
        "cascade soft delete {} copies {copies}",
        shelved.is_deleted()
    ));
    let back = shelf::Entity::restore_many().exec(db).await?;
    said.push(format!(
        "cascade restore {} {:?}",
        back.rows_affected, back.cascaded
    ));
    shelf::Entity::force_delete_by_id(1).exec(db).await?;
    said.push(format!(
        "cascade force delete, copies left {}",
        copy::Entity::all_objects().all(db).await?.len()
    ));
    Ok(said)
}

/// What `every_operation` answers, on every connection that can open a transaction.
const EVERY_OPERATION: [&str; 11] = [
    "soft_delete_many 2",
    "restore_many 2",
    "soft_delete_by_id true",
    "soft_delete again changed false",
    "restore false",
    "force_delete missing",
    "force_delete_many 1",
    "purge_trash 1",
    "cascade soft delete true copies 2",
    "cascade restore 1 [(\"ctx_copy\", 2)]",
    "cascade force delete, copies left 0",
];

/// Every operation through `exec_without_transaction`; what each answered. Returns `DbErr`, as
/// SeaORM code does: the library's errors travel through `?` and are recovered below.
async fn every_operation_without_transaction<C: ConnectionTrait>(
    db: &C,
) -> Result<Vec<String>, DbErr> {
    use sea_orm::ColumnTrait;
    seed(db).await?;
    let mut said = Vec::new();
    let middle = note::Column::Weight.between(2, 3);
    let deleted = note::Entity::soft_delete_many()
        .filter(middle.clone())
        .exec_without_transaction(db)
        .await?;
    said.push(format!("soft_delete_many {}", deleted.rows_affected));
    let restored = note::Entity::restore_many()
        .filter(middle.clone())
        .exec_without_transaction(db)
        .await?;
    said.push(format!("restore_many {}", restored.rows_affected));
    match note::Entity::soft_delete_by_id(1)
        .exec_without_transaction(db)
        .await
    {
        Ok(note) => {
            said.push(format!("soft_delete_by_id {}", note.is_deleted()));
            let note = note::Entity::restore_by_id(1)
                .exec_without_transaction(db)
                .await?;
            said.push(format!("restore_by_id {}", note.is_deleted()));
        }
        Err(refused) => said.push(describe(refused)),
    }
    note::Entity::force_delete_by_id(1)
        .exec_without_transaction(db)
        .await?;
    said.push(format!(
        "force_delete_by_id {}",
        state(&note::Entity::lookup_by_id(1).one(db).await?)
    ));
    let removed = note::Entity::force_delete_many()
        .filter(note::Column::Weight.eq(2))
        .exec_without_transaction(db)
        .await?;
    said.push(format!("force_delete_many {}", removed.rows_affected));
    let purged = note::Entity::purge_trash(Utc::now() - TimeDelta::days(30))
        .exec_without_transaction(db)
        .await?;
    said.push(format!("purge_trash {}", purged.rows_removed));

    // A cascade needs a transaction: each refuses before sending anything.
    let refusals = [
        shelf::Entity::soft_delete_many()
            .exec_without_transaction(db)
            .await
            .map(drop),
        shelf::Entity::restore_many()
            .exec_without_transaction(db)
            .await
            .map(drop),
        shelf::Entity::force_delete_many()
            .exec_without_transaction(db)
            .await
            .map(drop),
        shelf::Entity::soft_delete_by_id(1)
            .exec_without_transaction(db)
            .await
            .map(drop),
        shelf::Entity::restore_by_id(1)
            .exec_without_transaction(db)
            .await
            .map(drop),
        shelf::Entity::force_delete_by_id(1)
            .exec_without_transaction(db)
            .await
            .map(drop),
        shelf::Entity::purge_trash(Utc::now())
            .exec_without_transaction(db)
            .await
            .map(drop),
        copy::Entity::restore_many()
            .exec_without_transaction(db)
            .await
            .map(drop),
    ];
    for refusal in refusals {
        said.push(match refusal {
            Ok(()) => "ran".to_owned(),
            Err(error) => describe(error),
        });
    }
    Ok(said)
}

fn describe(error: Error) -> String {
    match error {
        Error::NeedsTransaction {
            operation,
            table,
            reason,
        } => {
            format!("{operation} on {table} needs a transaction: {reason}")
        }
        other => panic!("unexpected {other:?}"),
    }
}

fn without_transaction_expected(backend: Backend) -> Vec<&'static str> {
    let mut said = vec!["soft_delete_many 2", "restore_many 2"];
    if backend == Backend::MariaDb {
        said.push(
            "soft_delete_by_id on ctx_note needs a transaction: this backend has no `UPDATE .. \
             RETURNING`, so the row is read back in a second statement",
        );
    } else {
        said.extend(["soft_delete_by_id true", "restore_by_id false"]);
    }
    said.extend([
        "force_delete_by_id missing",
        "force_delete_many 1",
        "purge_trash 1",
        "soft_delete_many on ctx_shelf needs a transaction: it cascades to other tables",
        "restore_many on ctx_shelf needs a transaction: it cascades to other tables",
        "force_delete_many on ctx_shelf needs a transaction: it cascades to other tables",
        "soft_delete_by_id on ctx_shelf needs a transaction: it cascades to other tables",
        "restore_by_id on ctx_shelf needs a transaction: it cascades to other tables",
        "force_delete_by_id on ctx_shelf needs a transaction: it cascades to other tables",
        "purge_trash on ctx_shelf needs a transaction: it cascades to other tables",
        "restore_many on ctx_copy needs a transaction: it checks the rows' cascade parents first",
    ]);
    said
}

/// A hook's connection opens savepoints: committed, rolled back, dropped, nested, and one that
/// recovers from a failed statement (which on PostgreSQL would otherwise abort the operation).
async fn savepoints<C: TransactionalConnection>(db: &C) -> Result<Vec<String>, Error> {
    seed(db).await?;
    let insert = |id: i32| note::ActiveModel {
        id: Set(id),
        weight: Set(0),
        deleted_at: Set(None),
    };
    let kept = db.begin().await?;
    insert(10).insert(&kept).await?;
    kept.commit().await?;

    let undone = db.begin().await?;
    insert(11).insert(&undone).await?;
    undone.rollback().await?;

    let dropped = db.begin().await?;
    insert(12).insert(&dropped).await?;
    drop(dropped);

    let outer = db.begin().await?;
    insert(13).insert(&outer).await?;
    let inner = outer.begin().await?;
    insert(14).insert(&inner).await?;
    drop(inner);
    insert(15).insert(&outer).await?;
    outer.commit().await?;

    let failing = db.begin().await?;
    let duplicate = insert(10).insert(&failing).await;
    failing.rollback().await?;

    // Committing a savepoint closes the ones inside it: a statement on one of those is refused
    // instead of running in the enclosing scope.
    let outer = db.begin().await?;
    let inner = outer.begin().await?;
    outer.commit().await?;
    let on_closed = insert(16).insert(&inner).await;
    drop(inner);

    // A cascade through `exec` opens its own savepoint on the hook's connection.
    let shelved = shelf::Entity::soft_delete_by_id(1).exec(db).await?;

    let mut ids: Vec<i32> = note::Entity::all_objects()
        .all(db)
        .await?
        .into_iter()
        .filter(|note| note.id >= 10)
        .map(|note| note.id)
        .collect();
    ids.sort_unstable();
    Ok(vec![
        format!("kept {ids:?}"),
        format!("duplicate failed {}", duplicate.is_err()),
        format!(
            "statement on a closed savepoint refused {}",
            on_closed.is_err()
        ),
        format!("shelf trashed {}", shelved.is_deleted()),
    ])
}

async fn run_job(db: &TestDb, scenario: &str) -> Result<Vec<String>, Error> {
    let job = job::ActiveModel {
        scenario: Set(scenario.to_owned()),
        transcript: Set(String::new()),
        ..Default::default()
    }
    .insert(&db.conn)
    .await?;
    job.soft_delete(&db.conn).await?;
    let job = job::Entity::find_any_by_id(job.id)
        .one(&db.conn)
        .await?
        .expect("job row");
    Ok(job.transcript.split('\n').map(str::to_owned).collect())
}

fn lines(expected: &[&str]) -> Vec<String> {
    expected
        .iter()
        .filter(|line| !line.is_empty())
        .map(|line| (*line).to_owned())
        .collect()
}

backend_tests! {
    async fn every_operation_runs_on_a_pool_a_transaction_and_a_hook_connection(db: &TestDb) {
        create_tables(db).await;
        let expected = lines(&EVERY_OPERATION);
        assert_eq!(every_operation(&db.conn).await.expect("on the pool"), expected);

        let txn = db.conn.begin().await.expect("begin");
        assert_eq!(every_operation(&txn).await.expect("in a transaction"), expected);
        txn.commit().await.expect("commit");

        assert_eq!(run_job(db, "every operation").await.expect("in a hook"), expected);
    }

    async fn a_hook_failure_after_its_operations_rolls_them_all_back(db: &TestDb) {
        create_tables(db).await;
        seed(&db.conn).await.expect("seed");
        let job = job::ActiveModel {
            scenario: Set("every operation, then fail".to_owned()),
            transcript: Set(String::new()),
            ..Default::default()
        }
        .insert(&db.conn)
        .await
        .expect("job");
        // The hook seeds again (deleting and re-inserting) before it fails: all of it undone.
        note::Entity::soft_delete_by_id(1).exec(&db.conn).await.expect("trash note 1");
        let refused = job.soft_delete(&db.conn).await.expect_err("the hook fails");
        assert!(matches!(refused, Error::Vetoed(_)), "{refused:?}");
        assert_eq!(job::Entity::objects().all(&db.conn).await.expect("jobs").len(), 1);
        assert!(note::Entity::find_any_by_id(1).one(&db.conn).await.expect("note").expect("note 1").is_deleted());
        assert_eq!(note::Entity::all_objects().all(&db.conn).await.expect("notes").len(), 4);
        assert_eq!(copy::Entity::objects().all(&db.conn).await.expect("copies").len(), 2);
    }

    async fn a_hook_connection_opens_savepoints(db: &TestDb) {
        create_tables(db).await;
        let said = run_job(db, "savepoints").await.expect("savepoints in a hook");
        assert_eq!(said, ["kept [10, 13, 15]", "duplicate failed true", "statement on a closed savepoint refused true", "shelf trashed true"]);
        // Note 17 was inserted in a savepoint the hook dropped just before returning.
        let notes: Vec<i32> = note::Entity::all_objects().all(&db.conn).await.expect("notes").into_iter().map(|note| note.id).filter(|id| *id >= 10).collect();
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert!(!notes.contains(&17) && !notes.contains(&16), "{notes:?}");
        // All of it committed with the job's soft delete.
        assert!(shelf::Entity::find_any_by_id(1).one(&db.conn).await.expect("shelf").expect("row").is_deleted());
        assert_eq!(copy::Entity::deleted_objects().all(&db.conn).await.expect("copies").len(), 2);
    }

    async fn generic_connection_code_runs_one_statement_operations(db: &TestDb) {
        create_tables(db).await;
        seed(&db.conn).await.expect("seed");
        db.statements.take();
        let said = every_operation_without_transaction(&db.conn).await.expect("generic code");
        assert_eq!(said, without_transaction_expected(db.backend));
        // The refusals sent nothing: the last statements are the purge's, its one short batch
        // and the read that finds nothing expired left after it.
        let sent = db.statements.take();
        let [.., delete, probe] = &sent[..] else { panic!("{sent:?}") };
        assert!(delete.starts_with("DELETE FROM") && delete.contains("ctx_note") && delete.contains("deleted_at") && delete.contains(" < "), "{sent:?}");
        assert!(probe.starts_with("SELECT") && probe.contains("ctx_note") && probe.contains("LIMIT 1"), "{sent:?}");
        // The shelf and its copies are untouched.
        assert_eq!(shelf::Entity::objects().all(&db.conn).await.expect("shelves").len(), 1);
        assert_eq!(copy::Entity::objects().all(&db.conn).await.expect("copies").len(), 2);
    }

    async fn active_model_behavior_hooks_run_one_statement_operations(db: &TestDb) {
        create_tables(db).await;
        let request = request::ActiveModel {
            transcript: Set(String::new()),
            ..Default::default()
        }
        .insert(&db.conn)
        .await
        .expect("insert runs before_save");
        let said: Vec<&str> = request.transcript.split('\n').collect();
        assert_eq!(said, without_transaction_expected(db.backend));
    }

    async fn errors_travel_through_db_err_and_come_back(db: &TestDb) {
        create_tables(db).await;
        seed(&db.conn).await.expect("seed");
        // A SeaORM-style function returning DbErr, calling an operation that refuses.
        async fn restore_copy<C: TransactionalConnection>(db: &C) -> Result<(), DbErr> {
            copy::Entity::restore_by_id(1).exec(db).await?;
            Ok(())
        }
        shelf::Entity::soft_delete_by_id(1).exec(&db.conn).await.expect("trash shelf");
        let db_err = restore_copy(&db.conn).await.expect_err("parent is trashed");
        assert!(matches!(Error::downcast_ref(&db_err), Some(Error::ParentTrashed { table: "ctx_copy", .. })), "{db_err:?}");
        assert!(db_err.to_string().contains("trashed `ctx_shelf`"), "{db_err}");
        assert!(matches!(Error::from(db_err), Error::ParentTrashed { .. }));
        // A missing row becomes SeaORM's own RecordNotFound.
        let missing: DbErr = note::Entity::restore_by_id(99).exec(&db.conn).await.expect_err("missing").into();
        assert!(matches!(missing, DbErr::RecordNotFound(_)), "{missing:?}");
        // A real database error stays a database error.
        let broken = db.conn.execute_unprepared("SELECT * FROM no_such_table").await.expect_err("no table");
        assert!(Error::downcast_ref(&broken).is_none());
        assert!(matches!(Error::from(broken), Error::Database(_)));
    }
}
