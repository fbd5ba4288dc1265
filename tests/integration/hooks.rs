//! Hooks on every backend: they see the keys of the rows that change state, a before-hook veto
//! changes nothing, a failing after-hook rolls everything back, and every origin reaches them.

use crate::common::TestDb;
use crate::common::entities::product;
use chrono::{TimeDelta, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryOrder, Set};
use soft_delete_core::Error;

async fn setup(db: &TestDb, names: &[&str]) -> Vec<ledger::Model> {
    db.create::<ledger::Entity>().await;
    db.create::<entry::Entity>().await;
    let schema = sea_orm::Schema::new(db.db_backend());
    sea_orm::ConnectionTrait::execute(
        &db.conn,
        &schema.create_table_from_entity(hook_event::Entity),
    )
    .await
    .expect("hook_event");
    let mut ledgers = Vec::new();
    for name in names {
        let ledger = ledger::ActiveModel {
            name: Set((*name).into()),
            ..Default::default()
        }
        .insert(&db.conn)
        .await
        .expect("ledger");
        entry::ActiveModel {
            ledger_id: Set(ledger.id),
            ..Default::default()
        }
        .insert(&db.conn)
        .await
        .expect("entry");
        ledgers.push(ledger);
    }
    db.statements.take();
    ledgers
}

/// `(point, origin, table, keys)` of every hook call, in order; then clears the log.
async fn events(db: &TestDb) -> Vec<(String, String, String, String)> {
    let events = hook_event::Entity::find()
        .order_by_asc(hook_event::Column::Id)
        .all(&db.conn)
        .await
        .expect("read");
    hook_event::Entity::delete_many()
        .exec(&db.conn)
        .await
        .expect("clear");
    db.statements.take();
    events
        .into_iter()
        .map(|e| (e.point, e.origin, e.table_name, e.keys))
        .collect()
}

fn event(point: &str, origin: &str, table: &str, keys: &str) -> (String, String, String, String) {
    (point.into(), origin.into(), table.into(), keys.into())
}

async fn state(db: &TestDb) -> (Vec<(String, bool)>, Vec<bool>) {
    let ledgers = ledger::Entity::all_objects()
        .order_by_asc(ledger::Column::Id)
        .all(&db.conn)
        .await
        .expect("read");
    let entries = entry::Entity::all_objects()
        .order_by_asc(entry::Column::Id)
        .all(&db.conn)
        .await
        .expect("read");
    (
        ledgers
            .into_iter()
            .map(|l| (l.name.clone(), l.is_deleted()))
            .collect(),
        entries.into_iter().map(|e| e.is_deleted()).collect(),
    )
}

backend_tests! {
    async fn hooks_receive_exactly_the_rows_that_change_state(db: &TestDb) {
        let l = setup(db, &["a", "b", "c"]).await;
        l[1].soft_delete(&db.conn).await.expect("trash b first");
        events(db).await;

        let result = ledger::Entity::soft_delete_many().exec(&db.conn).await.expect("bulk");
        assert_eq!(result.rows_affected, 2);
        let (a, c) = (l[0].id.to_string(), l[2].id.to_string());
        let both = format!("{a},{c}");
        let entry_keys = entry::Entity::all_objects().order_by_asc(entry::Column::Id).all(&db.conn).await.expect("read");
        let cascaded = format!("{},{}", entry_keys[0].id, entry_keys[2].id);
        assert_eq!(
            events(db).await,
            [
                event("before_soft_delete", "Bulk", "ledger", &both),
                event("after_soft_delete", "Cascade { root: \"ledger\" }", "entry", &cascaded),
                event("after_soft_delete", "Bulk", "ledger", &both),
            ],
            "b was already in the trash: its key is not passed"
        );
    }

    async fn a_before_hook_veto_changes_nothing(db: &TestDb) {
        let l = setup(db, &["a", "protected"]).await;
        let before = state(db).await;
        let refused = ledger::Entity::soft_delete_many().exec(&db.conn).await.expect_err("veto");
        assert!(matches!(&refused, Error::Vetoed(reason) if reason.contains("protected")), "{refused:?}");
        assert_eq!(state(db).await, before);
        assert!(events(db).await.is_empty(), "the hook's own writes were rolled back too");
        assert!(matches!(l[1].soft_delete(&db.conn).await, Err(Error::Vetoed(_))));
        l[0].soft_delete(&db.conn).await.expect("an unprotected row goes");
    }

    async fn a_failing_after_hook_rolls_the_operation_back(db: &TestDb) {
        let l = setup(db, &["a", "fragile"]).await;
        ledger::Entity::soft_delete_many().exec(&db.conn).await.expect("trash both");
        let before = state(db).await;
        events(db).await;
        let failed = ledger::Entity::restore_many().exec(&db.conn).await.expect_err("after_restore fails");
        assert!(matches!(failed, Error::Vetoed(_)), "{failed:?}");
        assert_eq!(state(db).await, before, "ledgers and cascaded entries stay trashed");
        assert!(events(db).await.is_empty());
        ledger::Entity::restore_by_id(l[0].id).exec(&db.conn).await.expect("the other one restores");
    }

    async fn every_origin_reaches_the_hooks(db: &TestDb) {
        let l = setup(db, &["a", "b", "c", "d"]).await;
        l[0].soft_delete(&db.conn).await.expect("instance");
        ledger::Entity::restore_by_id(l[0].id).exec(&db.conn).await.expect("by id");
        l[1].force_delete(&db.conn).await.expect("instance force delete");
        ledger::Entity::soft_delete_by_id(l[2].id).at(Utc::now() - TimeDelta::days(10)).exec(&db.conn).await.expect("old");
        ledger::Entity::purge_trash(Utc::now() - TimeDelta::days(1)).exec(&db.conn).await.expect("purge");
        let seen: Vec<(String, String, String)> = events(db).await.into_iter().map(|(p, o, t, _)| (p, o, t)).collect();
        let has = |point: &str, origin: &str, table: &str| seen.contains(&(point.into(), origin.into(), table.into()));
        assert!(has("before_soft_delete", "Instance", "ledger"), "{seen:?}");
        assert!(has("after_soft_delete", "Cascade { root: \"ledger\" }", "entry"), "{seen:?}");
        assert!(has("after_restore", "ById", "ledger"), "{seen:?}");
        assert!(has("after_restore", "Cascade { root: \"ledger\" }", "entry"), "{seen:?}");
        assert!(has("before_force_delete", "Instance", "ledger"), "{seen:?}");
        assert!(has("after_force_delete", "Cascade { root: \"ledger\" }", "entry"), "{seen:?}");
        assert!(has("before_force_delete", "Purge", "ledger"), "{seen:?}");
        assert!(has("after_force_delete", "Purge", "entry"), "{seen:?}");
        assert_eq!(ledger::Entity::all_objects().count(&db.conn).await.expect("count"), 2);
    }

    async fn statement_counts_with_hooks_off_and_on(db: &TestDb) {
        db.create::<product::Entity>().await;
        let mut counts = Vec::new();
        for rows in [10usize, 10_000] {
            product::Entity::force_delete_many().exec(&db.conn).await.expect("empty");
            let products: Vec<product::ActiveModel> = (0..rows)
                .map(|i| product::ActiveModel { name: Set(format!("p{i}")), price: Set(1), ..Default::default() })
                .collect();
            for chunk in products.chunks(1_000) {
                product::Entity::insert_many(chunk.to_vec()).exec(&db.conn).await.expect("insert");
            }
            db.statements.take();
            product::Entity::soft_delete_many().exec(&db.conn).await.expect("hooks off");
            let off = db.statements.take().len();

            let ledgers: Vec<ledger::ActiveModel> = (0..rows).map(|i| ledger::ActiveModel { name: Set(format!("l{i}")), ..Default::default() }).collect();
            if counts.is_empty() {
                setup(db, &[]).await;
            }
            ledger::Entity::force_delete_many().exec(&db.conn).await.expect("empty");
            for chunk in ledgers.chunks(1_000) {
                ledger::Entity::insert_many(chunk.to_vec()).exec(&db.conn).await.expect("insert");
            }
            db.statements.take();
            let result = ledger::Entity::soft_delete_many().exec(&db.conn).await.expect("hooks on");
            assert_eq!(result.rows_affected, rows as u64);
            let on = db.statements.take().len();
            counts.push((rows, off, on));
        }
        println!("rows, statements with hooks off, with hooks on ({:?}): {counts:?}", db.backend);
        assert!(counts.iter().all(|(_, off, _)| *off == 1), "{counts:?}");
        assert_eq!(counts[0].2, counts[1].2, "hooks add a fixed number of statements: {counts:?}");
    }

    // The keys a hooked operation read are named back as ranges and a list: exactly those
    // rows change, holes and lone keys included.
    async fn hooked_operations_change_exactly_the_keys_they_read(db: &TestDb) {
        setup(db, &[]).await;
        let ledgers: Vec<ledger::ActiveModel> = (0..3_000).map(|i| ledger::ActiveModel { name: Set(format!("l{i}")), ..Default::default() }).collect();
        for chunk in ledgers.chunks(1_000) {
            ledger::Entity::insert_many(chunk.to_vec()).exec(&db.conn).await.expect("insert");
        }
        let ids: Vec<i32> = ledger::Entity::all_objects().order_by_asc(ledger::Column::Id).all(&db.conn).await.expect("read")
            .into_iter().map(|row| row.id).collect();
        // Two long runs with a hole between them, a short run, and lone keys.
        let chosen: Vec<i32> = ids[..1_200].iter().chain(&ids[1_201..2_500]).chain(&ids[2_600..2_650]).chain([&ids[2_700], &ids[2_900]]).copied().collect();
        let done = ledger::Entity::soft_delete_many()
            .filter(ledger::Column::Id.is_in(chosen.clone()))
            .exec(&db.conn)
            .await
            .expect("soft delete");
        assert_eq!(done.rows_affected, chosen.len() as u64);
        let trashed: Vec<i32> = ledger::Entity::deleted_objects().order_by_asc(ledger::Column::Id).all(&db.conn).await.expect("read")
            .into_iter().map(|row| row.id).collect();
        assert_eq!(trashed, chosen);
        let restored = ledger::Entity::restore_many().exec(&db.conn).await.expect("restore");
        assert_eq!(restored.rows_affected, chosen.len() as u64);
        assert_eq!(ledger::Entity::deleted_objects().count(&db.conn).await.expect("count"), 0);
    }

    // On SQLite and PostgreSQL an integer key is read as one aggregated list (one row, not one
    // per key); a negative key, which that list does not build, falls back to the row-by-row
    // read. Either way the hooks get exactly the keys that change.
    async fn hooks_get_integer_keys_read_as_one_list_and_negative_keys_row_by_row(db: &TestDb) {
        setup(db, &[]).await;
        for (ids, negative) in [(vec![3, 4, 900], false), (vec![-7, -1, 5], true)] {
            ledger::Entity::force_delete_many().exec(&db.conn).await.expect("empty");
            let models = ids.iter().map(|id| ledger::ActiveModel { id: Set(*id), name: Set(format!("l{id}")), ..Default::default() });
            ledger::Entity::insert_many(models).exec_without_returning(&db.conn).await.expect("ledgers");
            events(db).await;
            let done = ledger::Entity::soft_delete_many().exec(&db.conn).await.expect("bulk");
            assert_eq!(done.rows_affected, ids.len() as u64);
            let statements = db.statements.take();
            let seen = events(db).await;
            let mut keys: Vec<i32> = seen[0].3.split(',').map(|key| key.parse().expect("key")).collect();
            keys.sort_unstable();
            assert_eq!((seen[0].0.as_str(), keys), ("before_soft_delete", ids.clone()), "{seen:?}");
            let aggregated = |sql: &String| sql.contains("group_concat") || sql.contains("string_agg");
            let row_by_row = statements.iter().filter(|sql| sql.starts_with(r#"SELECT "ledger"."id" FROM "ledger""#)).count();
            match db.db_backend() {
                sea_orm::DbBackend::MySql => assert!(!statements.iter().any(aggregated), "{statements:#?}"),
                _ => {
                    assert!(aggregated(&statements[0]), "{statements:#?}");
                    assert_eq!(row_by_row, usize::from(negative), "{statements:#?}");
                }
            }
        }
    }

    async fn hooks_without_keys_read_nothing_and_are_told_the_rows_changed(db: &TestDb) {
        let tallies = setup_tallies(db, 3).await;
        tallies[1].soft_delete(&db.conn).await.expect("trash one first");
        events(db).await;

        let done = tally::Entity::soft_delete_many().exec(&db.conn).await.expect("bulk");
        assert_eq!(done.rows_affected, 2);
        let sent = db.statements.take();
        let changes: Vec<&String> = sent.iter().filter(|sql| !sql.contains("hook_event")).collect();
        assert_eq!(changes.len(), 2, "one UPDATE per table, no key read: {changes:#?}");
        assert!(changes.iter().all(|sql| sql.starts_with("UPDATE")), "{changes:#?}");
        assert_eq!(
            events(db).await,
            [
                event("before_soft_delete", "Bulk", "tally", "rows None"),
                event("before_soft_delete", "Cascade { root: \"tally\" }", "tally_line", "rows None"),
                event("after_soft_delete", "Cascade { root: \"tally\" }", "tally_line", "rows Some(4)"),
                event("after_soft_delete", "Bulk", "tally", "rows Some(2)"),
            ],
            "no keys; after hooks count the rows changed"
        );

        // Nothing to change: the before hook runs (it cannot know), the after hook does not.
        let none = tally::Entity::soft_delete_many().exec(&db.conn).await.expect("again");
        assert_eq!(none.rows_affected, 0);
        assert_eq!(
            events(db).await,
            [
                event("before_soft_delete", "Bulk", "tally", "rows None"),
                event("before_soft_delete", "Cascade { root: \"tally\" }", "tally_line", "rows None"),
            ]
        );

        let restored = tally::Entity::restore_many().exec(&db.conn).await.expect("restore");
        assert_eq!(restored.rows_affected, 3);
        assert_eq!(tally_line::Entity::objects().count(&db.conn).await.expect("count"), 6);
        let seen = events(db).await;
        assert!(seen.contains(&event("after_restore", "Bulk", "tally", "rows Some(3)")), "{seen:?}");
        assert!(seen.contains(&event("after_restore", "Cascade { root: \"tally\" }", "tally_line", "rows Some(6)")), "{seen:?}");
    }

    async fn a_veto_from_hooks_without_keys_changes_nothing(db: &TestDb) {
        let tallies = setup_tallies(db, 2).await;
        let refused = tally::Entity::force_delete_many().exec(&db.conn).await.expect_err("veto");
        assert!(matches!(&refused, Error::Vetoed(_)), "{refused:?}");
        assert!(matches!(tallies[0].force_delete(&db.conn).await, Err(Error::Vetoed(_))));
        assert_eq!(tally::Entity::all_objects().count(&db.conn).await.expect("count"), 2);
        assert_eq!(tally_line::Entity::all_objects().count(&db.conn).await.expect("count"), 4);
        assert!(events(db).await.is_empty(), "the hook's own writes were rolled back too");
    }
}

async fn setup_tallies(db: &TestDb, count: usize) -> Vec<tally::Model> {
    setup(db, &[]).await;
    db.create::<tally::Entity>().await;
    db.create::<tally_line::Entity>().await;
    let mut tallies = Vec::new();
    for i in 0..count {
        let tally = tally::ActiveModel {
            name: Set(format!("t{i}")),
            ..Default::default()
        }
        .insert(&db.conn)
        .await
        .expect("tally");
        for _ in 0..2 {
            tally_line::ActiveModel {
                tally_id: Set(tally.id),
                ..Default::default()
            }
            .insert(&db.conn)
            .await
            .expect("line");
        }
        tallies.push(tally);
    }
    db.statements.take();
    tallies
}

// The entities only this module uses.

/// Hooks on a cascade parent (`ledger`) and its child (`entry`); every hook call is written to
/// `hook_event` through the operation's own transaction.
pub mod ledger {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;
    use soft_delete_core::{Error, HookContext, SoftDeleteHooks};

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "ledger")]
    #[soft_delete(hooks, cascade(super::entry::Entity))]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
        pub deleted_at: Option<DateTimeUtc>,
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(has_many = "super::entry::Entity")]
        Entry,
    }

    impl Related<super::entry::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Entry.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}

    async fn named(ctx: &HookContext<'_>, name: &str) -> Result<bool, Error> {
        let ids = ctx.keys.iter().flat_map(|key| key.clone().into_iter());
        let matching = Entity::all_objects()
            .filter(Column::Id.is_in(ids))
            .filter(Column::Name.eq(name))
            .count(&ctx.db)
            .await?;
        Ok(matching > 0)
    }

    impl SoftDeleteHooks for Entity {
        async fn before_soft_delete(ctx: &HookContext<'_>) -> Result<(), Error> {
            super::hook_event::record("before_soft_delete", ctx).await?;
            if named(ctx, "protected").await? {
                return Err(Error::vetoed("protected ledgers stay"));
            }
            Ok(())
        }

        async fn after_soft_delete(ctx: &HookContext<'_>) -> Result<(), Error> {
            super::hook_event::record("after_soft_delete", ctx).await
        }

        async fn before_restore(ctx: &HookContext<'_>) -> Result<(), Error> {
            super::hook_event::record("before_restore", ctx).await
        }

        async fn after_restore(ctx: &HookContext<'_>) -> Result<(), Error> {
            super::hook_event::record("after_restore", ctx).await?;
            if named(ctx, "fragile").await? {
                return Err(Error::vetoed("fragile ledgers break on restore"));
            }
            Ok(())
        }

        async fn before_force_delete(ctx: &HookContext<'_>) -> Result<(), Error> {
            super::hook_event::record("before_force_delete", ctx).await
        }

        async fn after_force_delete(ctx: &HookContext<'_>) -> Result<(), Error> {
            super::hook_event::record("after_force_delete", ctx).await
        }
    }
}

pub mod entry {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;
    use soft_delete_core::{Error, HookContext, SoftDeleteHooks};

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "entry")]
    #[soft_delete(hooks)]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub ledger_id: i32,
        pub deleted_at: Option<DateTimeUtc>,
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::ledger::Entity",
            from = "Column::LedgerId",
            to = "super::ledger::Column::Id"
        )]
        Ledger,
    }

    impl Related<super::ledger::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Ledger.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}

    impl SoftDeleteHooks for Entity {
        async fn after_soft_delete(ctx: &HookContext<'_>) -> Result<(), Error> {
            super::hook_event::record("after_soft_delete", ctx).await
        }

        async fn after_restore(ctx: &HookContext<'_>) -> Result<(), Error> {
            super::hook_event::record("after_restore", ctx).await
        }

        async fn after_force_delete(ctx: &HookContext<'_>) -> Result<(), Error> {
            super::hook_event::record("after_force_delete", ctx).await
        }
    }
}

/// Hooks that take no keys (`NEEDS_KEYS = false`) on a cascade parent and its child: they log
/// `ctx.rows`, and refuse every force delete.
pub mod tally {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;
    use soft_delete_core::{Error, HookContext, SoftDeleteHooks};

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "tally")]
    #[soft_delete(hooks, cascade(super::tally_line::Entity))]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
        pub deleted_at: Option<DateTimeUtc>,
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(has_many = "super::tally_line::Entity")]
        Line,
    }

    impl Related<super::tally_line::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Line.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}

    impl SoftDeleteHooks for Entity {
        const NEEDS_KEYS: bool = false;

        async fn before_soft_delete(ctx: &HookContext<'_>) -> Result<(), Error> {
            super::hook_event::record_rows("before_soft_delete", ctx).await
        }

        async fn after_soft_delete(ctx: &HookContext<'_>) -> Result<(), Error> {
            super::hook_event::record_rows("after_soft_delete", ctx).await
        }

        async fn after_restore(ctx: &HookContext<'_>) -> Result<(), Error> {
            super::hook_event::record_rows("after_restore", ctx).await
        }

        async fn before_force_delete(ctx: &HookContext<'_>) -> Result<(), Error> {
            super::hook_event::record_rows("before_force_delete", ctx).await?;
            Err(Error::vetoed("tallies are kept"))
        }
    }
}

pub mod tally_line {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;
    use soft_delete_core::{Error, HookContext, SoftDeleteHooks};

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "tally_line")]
    #[soft_delete(hooks)]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub tally_id: i32,
        pub deleted_at: Option<DateTimeUtc>,
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::tally::Entity",
            from = "Column::TallyId",
            to = "super::tally::Column::Id"
        )]
        Tally,
    }

    impl Related<super::tally::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Tally.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}

    impl SoftDeleteHooks for Entity {
        const NEEDS_KEYS: bool = false;

        async fn before_soft_delete(ctx: &HookContext<'_>) -> Result<(), Error> {
            super::hook_event::record_rows("before_soft_delete", ctx).await
        }

        async fn after_soft_delete(ctx: &HookContext<'_>) -> Result<(), Error> {
            super::hook_event::record_rows("after_soft_delete", ctx).await
        }

        async fn after_restore(ctx: &HookContext<'_>) -> Result<(), Error> {
            super::hook_event::record_rows("after_restore", ctx).await
        }
    }
}

/// The log the hooks above write, inside the operation's transaction.
pub mod hook_event {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::{Error, HookContext};

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "hook_event")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub point: String,
        pub origin: String,
        pub table_name: String,
        #[sea_orm(column_type = "Text")]
        pub keys: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    pub async fn record(point: &str, ctx: &HookContext<'_>) -> Result<(), Error> {
        let keys: Vec<String> = ctx
            .keys
            .iter()
            .flat_map(|key| key.clone().into_iter())
            .map(|v| v.to_string())
            .collect();
        ActiveModel {
            point: sea_orm::Set(point.to_owned()),
            origin: sea_orm::Set(format!("{:?}", ctx.origin)),
            table_name: sea_orm::Set(ctx.table.to_owned()),
            keys: sea_orm::Set(keys.join(",")),
            ..Default::default()
        }
        .insert(&ctx.db)
        .await?;
        Ok(())
    }

    /// For hooks without keys: `ctx.rows` in place of the keys, which must be empty.
    pub async fn record_rows(point: &str, ctx: &HookContext<'_>) -> Result<(), Error> {
        assert!(ctx.keys.is_empty(), "hooks without keys were given keys");
        ActiveModel {
            point: sea_orm::Set(point.to_owned()),
            origin: sea_orm::Set(format!("{:?}", ctx.origin)),
            table_name: sea_orm::Set(ctx.table.to_owned()),
            keys: sea_orm::Set(format!("rows {:?}", ctx.rows)),
            ..Default::default()
        }
        .insert(&ctx.db)
        .await?;
        Ok(())
    }
}
