//! The leak guard against every row of the guide's "Where the trash still shows" table, on
//! every backend: each SeaORM path is refused in deny mode with the right kind and table, and
//! nothing is sent. (That the library's own calls pass is shown by the whole suite, whose
//! connections are all guarded in deny mode.)

use std::fmt::Debug;

use futures_util::TryStreamExt;
use std::future::Future;

use crate::entity_shapes::article;
use crate::relations::{author, book, library, tag};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
    LoaderTrait, ModelTrait, PaginatorTrait, QueryFilter, RelationTrait, Set, Statement,
};
use soft_delete_core::guard::{GuardMode, GuardedConnection, LeakKind, allow_trashed};
use soft_delete_core::prelude::*;
use soft_delete_core::{Error, active_condition};

/// The kind and table of the leak `call` is refused for.
async fn refusal<T: Debug>(call: impl Future<Output = Result<T, DbErr>>) -> (LeakKind, String) {
    let error = call.await.expect_err("the guard refuses it");
    match Error::downcast_ref(&error) {
        Some(Error::Leak(leak)) => (leak.kind, leak.table.clone()),
        _ => panic!("not a leak: {error}"),
    }
}

fn read(table: &str) -> (LeakKind, String) {
    (LeakKind::Read, table.to_owned())
}

fn hard_delete(table: &str) -> (LeakKind, String) {
    (LeakKind::HardDelete, table.to_owned())
}

/// The rows of the guide's table of SeaORM paths that still show the trash (its leaks page).
fn readme_table_rows() -> usize {
    let page = include_str!("../../soft-delete-core/guide/leaks.md");
    let section = page
        .split("# Where the trash still shows")
        .nth(1)
        .and_then(|rest| rest.split("\n# ").next())
        .expect("the guide's section");
    let table_lines = section.lines().filter(|line| line.starts_with('|')).count();
    table_lines - 2 // the header and its separator
}

/// A `Linked` as SeaORM's docs write it, without `active_join`.
#[derive(Debug)]
struct PlainBooks;

impl sea_orm::Linked for PlainBooks {
    type FromEntity = author::Entity;
    type ToEntity = book::Entity;

    fn link(&self) -> Vec<sea_orm::RelationDef> {
        vec![author::Relation::Book.def()]
    }
}

backend_tests! {
    async fn every_path_of_the_readme_table_is_refused(db: &TestDb) {
        let lib = library(db).await;
        db.create::<article::Entity>().await;
        db.create::<shelf::Entity>().await;
        db.create::<volume::Entity>().await;
        article::ActiveModel { slug: Set("a".into()), ..Default::default() }.insert(&db.conn).await.expect("article");
        let kept = shelf::ActiveModel { name: Set("kept".into()), ..Default::default() }.insert(&db.conn).await.expect("shelf");
        volume::ActiveModel { shelf_id: Set(kept.id), title: Set("v".into()), ..Default::default() }.insert(&db.conn).await.expect("volume");
        let books_before = book::Entity::all_objects().count(&db.conn).await.expect("count");
        let mut rows = Vec::new();

        // Row 1: `Entity::find()`, `find_by_id()`.
        assert_eq!(refusal(author::Entity::find().all(&db.conn)).await, read("author"));
        assert_eq!(refusal(author::Entity::find_by_id(lib.ada.id).one(&db.conn)).await, read("author"));
        rows.push(1);

        // Row 2: the dense format's `find_by_<unique>()`.
        assert_eq!(refusal(article::Entity::find_by_slug("a").one(&db.conn)).await, read("article"));
        rows.push(2);

        // Row 3: relations, loaders, `find_linked`.
        assert_eq!(refusal(lib.ada.find_related(book::Entity).all(&db.conn)).await, read("book"));
        assert_eq!(refusal(author::Entity::objects().find_also_related(book::Entity).all(&db.conn)).await, read("book"));
        assert_eq!(refusal(author::Entity::objects().find_with_related(book::Entity).all(&db.conn)).await, read("book"));
        assert_eq!(
            refusal(author::Entity::objects().has_related(book::Entity, book::Column::Title.is_not_null()).all(&db.conn)).await,
            read("book")
        );
        let authors = author::Entity::objects().all(&db.conn).await.expect("authors");
        assert_eq!(refusal(authors.load_many(book::Entity, &db.conn)).await, read("book"));
        assert_eq!(refusal(lib.ada.find_linked(PlainBooks).all(&db.conn)).await, read("book"));
        rows.push(3);

        // Row 4: the dense format's `load().with(..)` has-many path.
        assert_eq!(
            refusal(shelf::Entity::load().only_active::<shelf::Entity>().with(volume::Entity).all(&db.conn)).await,
            read("guard_volume")
        );
        rows.push(4);

        // Row 5: `update_many()`.
        let rewrite = book::Entity::update_many()
            .col_expr(book::Column::Title, sea_orm::sea_query::Expr::value("rewritten"))
            .exec(&db.conn);
        assert_eq!(refusal(rewrite).await, (LeakKind::Write, "book".to_owned()));
        rows.push(5);

        // Row 6: `delete_many()`, `delete_by_id()`, dense `delete_by_<unique>()`.
        assert_eq!(refusal(book::Entity::delete_many().exec(&db.conn)).await, hard_delete("book"));
        assert_eq!(refusal(book::Entity::delete_by_id(lib.live.id).exec(&db.conn)).await, hard_delete("book"));
        assert_eq!(refusal(article::Entity::delete_by_slug("a").exec(&db.conn)).await, hard_delete("article"));
        rows.push(6);

        // Row 7: `model.delete(db)`, `active_model.delete(db)` on an entity without the
        // `before_delete` guard.
        assert_eq!(refusal(lib.live.clone().delete(&db.conn)).await, hard_delete("book"));
        assert_eq!(refusal(lib.live.clone().into_active_model().delete(&db.conn)).await, hard_delete("book"));
        rows.push(7);

        // Row 8: raw SQL, read, write and delete.
        let raw = |sql: &str| Statement::from_string(db.db_backend(), sql);
        assert_eq!(refusal(db.conn.query_all_raw(raw("SELECT title FROM book"))).await, read("book"));
        assert_eq!(refusal(db.conn.execute_raw(raw("UPDATE book SET title = 'x'"))).await, (LeakKind::Write, "book".to_owned()));
        assert_eq!(refusal(db.conn.execute_unprepared("DELETE FROM book")).await, hard_delete("book"));
        rows.push(8);

        // The junction case: far rows filtered, trashed links not.
        let far_side_only = lib.live.find_related(tag::Entity).filter(active_condition::<tag::Entity>());
        assert_eq!(refusal(far_side_only.all(&db.conn)).await, read("book_tag"));

        // Refused statements were not sent.
        assert_eq!(book::Entity::all_objects().count(&db.conn).await.expect("count"), books_before);
        assert!(book::Entity::all_objects().all(&db.conn).await.expect("books").iter().all(|book| book.title != "rewritten" && book.title != "x"));
        assert!(article::Entity::find_any_by_id(1).one(&db.conn).await.expect("article").is_some());
        let table = readme_table_rows();
        println!("leak guard on {:?}: {} of {table} README rows refused, and the junction case", db.backend, rows.len());
        assert_eq!(rows, (1..=table).collect::<Vec<_>>(), "one block per README row, in order");
    }

    // Issue 35: what an application calls on its `DatabaseConnection` besides statements works
    // on the guarded one, so swapping it in changes no other line.
    async fn the_guarded_connection_pings_builds_schemas_and_closes(db: &TestDb) {
        db.conn.ping().await.expect("ping");
        let builder = db.conn.get_schema_builder().register(article::Entity);
        builder.apply(&db.conn).await.expect("schema applied through the guard");
        assert_eq!(article::Entity::objects().count(&db.conn).await.expect("count"), 0);
        let own = GuardedConnection::new(
            sea_orm::Database::connect("sqlite::memory:").await.expect("connect"),
            GuardMode::Deny,
        );
        own.ping().await.expect("ping");
        own.close().await.expect("close");
    }

    // Issue 35: an application that holds a plain `DatabaseConnection` gets leak reports through
    // SeaORM's metric callback, its own callback kept; SeaORM's saves (and MariaDB's read-back)
    // and the library's calls are no leak.
    async fn the_observer_reports_leaks_on_a_plain_connection(db: &TestDb) {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        db.create::<article::Entity>().await;
        let mut plain = db.conn.inner().clone();
        let seen = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&seen);
        let observer = soft_delete_core::guard::observe_after(&mut plain, move |_| {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        let a = article::ActiveModel { slug: Set("a".into()), ..Default::default() }.insert(&plain).await.expect("insert");
        let mut b = article::ActiveModel { slug: Set("b".into()), ..Default::default() }.insert(&plain).await.expect("insert").into_active_model();
        b.slug = Set("bee".into());
        b.update(&plain).await.expect("update");
        article::Entity::soft_delete_by_id(a.id).exec(&plain).await.expect("soft delete");
        assert_eq!(article::Entity::objects().all(&plain).await.expect("active").len(), 1);
        assert_eq!(observer.leaks(), Vec::new(), "no leak yet");
        // A plain find shows the trash: it ran (the observer reports, it cannot refuse), and it
        // is reported once however often it runs.
        assert_eq!(article::Entity::find().all(&plain).await.expect("find").len(), 2);
        article::Entity::find().all(&plain).await.expect("again");
        // In a transaction begun on the connection too.
        let txn = sea_orm::TransactionTrait::begin(&plain).await.expect("begin");
        article::Entity::update_many().col_expr(article::Column::Slug, sea_orm::sea_query::Expr::cust("slug")).exec(&txn).await.expect("update");
        txn.commit().await.expect("commit");
        article::Entity::delete_many().exec(&plain).await.expect("hard delete");
        let kinds: Vec<(LeakKind, String)> = observer.leaks().into_iter().map(|leak| (leak.kind, leak.table)).collect();
        let article = || "article".to_owned();
        assert_eq!(kinds, [(LeakKind::Read, article()), (LeakKind::Write, article()), (LeakKind::HardDelete, article())]);
        assert!(seen.load(Ordering::Relaxed) >= 8, "the application's own callback still runs");
    }

    async fn warn_mode_runs_the_statement_and_reports_each_text_once(db: &TestDb) {
        library(db).await;
        let warned = GuardedConnection::new(db.conn.inner().clone(), GuardMode::Warn);
        for _ in 0..3 {
            let all = author::Entity::find().all(&warned).await.expect("warn mode runs it");
            assert_eq!(all.len(), 3, "trashed Cy included");
        }
        author::Entity::objects().all(&warned).await.expect("objects");
        let leaks = warned.leaks();
        assert_eq!(leaks.len(), 1, "{leaks:?}");
        assert_eq!((leaks[0].kind, leaks[0].table.as_str()), (LeakKind::Read, "author"));
        assert!(leaks[0].sql.contains("author"), "{}", leaks[0].sql);

        let off = GuardedConnection::new(db.conn.inner().clone(), GuardMode::Off);
        assert_eq!(author::Entity::find().all(&off).await.expect("off").len(), 3);
        assert!(off.leaks().is_empty());
    }

    async fn statements_a_hook_sends_are_checked(db: &TestDb) {
        db.create::<snoop::Entity>().await;
        let row = snoop::ActiveModel { ..Default::default() }.insert(&db.conn).await.expect("row");
        let refused = snoop::Entity::soft_delete_by_id(row.id).exec(&db.conn).await.expect_err("the hook leaks");
        assert!(matches!(&refused, Error::Leak(leak) if leak.table == "guard_snoop"), "{refused:?}");
        assert!(!snoop::Entity::find_any_by_id(row.id).one(&db.conn).await.expect("read").expect("row").is_deleted(), "nothing applied");
        // The same hook inside an allowance: the library's scope does not lift the application's.
        allow_trashed(snoop::Entity::soft_delete_by_id(row.id).exec(&db.conn)).await.expect("allowed");
        snoop::Entity::restore_by_id(row.id).exec(&db.conn).await.expect("a hook that says what it means passes");
    }

    async fn seaorm_saves_pass_and_writes_around_the_library_do_not(db: &TestDb) {
        let lib = library(db).await;
        // `ActiveModel::update` / `save` of a row read through `objects()`: one row by its key,
        // read back by SeaORM on backends without `RETURNING`.
        let mut live = lib.live.clone().into_active_model();
        live.title = Set("Still live".into());
        let updated = live.update(&db.conn).await.expect("update passes");
        assert_eq!(updated.title, "Still live");
        let mut saved = updated.into_active_model();
        saved.title = Set("Saved".into());
        saved.save(&db.conn).await.expect("save passes");
        // Setting the marker by hand is a soft delete or restore behind the library's back.
        let mut trash = lib.live.clone().into_active_model();
        trash.deleted_at = Set(Some(chrono::Utc::now()));
        assert_eq!(refusal(trash.update(&db.conn)).await, (LeakKind::Write, "book".to_owned()));
        // An upsert rewrites whatever row it collides with, trashed or not.
        let upsert = book::Entity::insert(book::ActiveModel {
            id: Set(lib.live.id),
            author_id: Set(lib.ada.id),
            title: Set("Upserted".into()),
            ..Default::default()
        })
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(book::Column::Id)
                .update_column(book::Column::Title)
                .to_owned(),
        )
        .exec(&db.conn);
        assert_eq!(refusal(upsert).await, (LeakKind::Write, "book".to_owned()));
        let stored = book::Entity::find_any_by_id(lib.live.id).one(&db.conn).await.expect("read").expect("live");
        assert_eq!((stored.title.as_str(), stored.deleted_at), ("Saved", None));
        // SeaORM answers an `update` that changes nothing with a plain `find_by_id`: refused,
        // as the README says.
        let unchanged = stored.clone().into_active_model();
        assert_eq!(refusal(unchanged.update(&db.conn)).await, read("book"));
    }

    async fn allowances_are_narrow_and_end_with_their_block(db: &TestDb) {
        let lib = library(db).await;
        let all = allow_trashed(author::Entity::find().all(&db.conn)).await.expect("allowed");
        assert_eq!(all.len(), 3);
        assert!(author::Entity::find().all(&db.conn).await.is_err(), "the allowance ended with its block");
        // Allowing trashed reads does not allow hard deletes.
        let delete = allow_trashed(book::Entity::delete_by_id(lib.live.id).exec(&db.conn));
        assert_eq!(refusal(delete).await, hard_delete("book"));
        // Streams are read like queries.
        let stream = author::Entity::find().stream(&db.conn).await.map(drop);
        assert_eq!(refusal(async { stream }).await, read("author"));
        let active: Vec<_> = author::Entity::objects().stream(&db.conn).await.expect("stream").try_collect().await.expect("rows");
        assert_eq!(active.len(), 2);
        // Transactions of a guarded connection are guarded.
        let txn = sea_orm::TransactionTrait::begin(&db.conn).await.expect("begin");
        assert_eq!(refusal(author::Entity::find().all(&txn)).await, read("author"));
        txn.rollback().await.expect("rollback");
    }
}

/// An entity whose hook reads its own table the leaky way, to show that hooks are checked.
pub mod snoop {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;
    use soft_delete_core::{Error, HookContext, SoftDeleteHooks};

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "guard_snoop")]
    #[soft_delete(hooks)]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl SoftDeleteHooks for Entity {
        async fn before_soft_delete(ctx: &HookContext<'_>) -> Result<(), Error> {
            // SeaORM's `find()`: trashed rows included, and the guard says so.
            Entity::find().all(&ctx.db).await?;
            Ok(())
        }

        async fn before_restore(ctx: &HookContext<'_>) -> Result<(), Error> {
            // The same read, saying that the trash is meant.
            Entity::all_objects().all(&ctx.db).await?;
            Ok(())
        }
    }
}

/// A dense-format parent with a has-many relation, for `load().with(..)`.
pub mod shelf {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "guard_shelf")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
        pub deleted_at: Option<DateTimeUtc>,
        #[sea_orm(has_many)]
        pub volumes: HasMany<super::volume::Entity>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod volume {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "guard_volume")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub shelf_id: i32,
        pub title: String,
        pub deleted_at: Option<DateTimeUtc>,
        #[sea_orm(belongs_to, from = "shelf_id", to = "id")]
        pub shelf: HasOne<super::shelf::Entity>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
