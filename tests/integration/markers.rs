//! Marker strategies on every backend: a boolean flag, a reversed "active" flag and epoch
//! integers in seconds and milliseconds go through the same life cycle as a timestamp (finders,
//! bulk and instance operations, re-delete, lookup, keys unique among active rows, purge, hooks,
//! audit columns, the leak guard) and through one cascade graph that mixes them.

use crate::common::TestDb;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityName, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use soft_delete_core::{Error, RowState};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0)
        .single()
        .unwrap_or_default()
        + TimeDelta::microseconds(123_456)
}

/// The life cycle every strategy goes through; `$trashed_at` is what a row trashed at `t0()`
/// tells about its deletion, `$purge` whether the entity records a deletion time.
macro_rules! strategy_suite {
    ($suite:ident, $m:ident, trashed_at = $trashed_at:expr, purge = $purge:tt) => {
        mod $suite {
            use super::*;
            use $m as note;

            async fn insert(db: &TestDb, code: &str) -> note::Model {
                note::ActiveModel {
                    code: Set(code.into()),
                    name: Set(code.into()),
                    ..Default::default()
                }
                .insert(&db.conn)
                .await
                .expect("insert without the marker makes an active row")
            }

            async fn codes(select: sea_orm::Select<note::Entity>, db: &TestDb) -> Vec<String> {
                select
                    .order_by_asc(note::Column::Id)
                    .all(&db.conn)
                    .await
                    .expect("read")
                    .into_iter()
                    .map(|row| row.code)
                    .collect()
            }

            backend_tests! {
                async fn life_cycle(db: &TestDb) {
                    db.create::<note::Entity>().await;
                    let [a, b, c, d] = [
                        insert(db, "a").await,
                        insert(db, "b").await,
                        insert(db, "c").await,
                        insert(db, "d").await,
                    ];
                    assert!(!a.is_deleted());
                    assert_eq!(codes(note::Entity::objects(), db).await, ["a", "b", "c", "d"]);

                    let trashed = note::Entity::soft_delete_by_id(a.id).at(t0()).exec(&db.conn).await.expect("soft delete");
                    assert!(trashed.is_deleted());
                    let expected: Option<_> = Some($trashed_at);
                    assert_eq!(<note::Entity as soft_delete_core::SoftDeleteEntity>::trashed_at(&trashed), expected);
                    let again = note::Entity::soft_delete_by_id(a.id)
                        .at(t0() + TimeDelta::days(1))
                        .exec(&db.conn)
                        .await
                        .expect("re-delete");
                    assert_eq!(again, trashed, "re-deleting keeps what the marker recorded");

                    let bulk = note::Entity::soft_delete_many()
                        .filter(note::Column::Code.is_in(["a", "b", "c"]))
                        .at(t0())
                        .exec(&db.conn)
                        .await
                        .expect("bulk soft delete");
                    assert_eq!(bulk.rows_affected, 2, "a was in the trash already");
                    assert_eq!(codes(note::Entity::objects(), db).await, ["d"]);
                    assert_eq!(codes(note::Entity::deleted_objects(), db).await, ["a", "b", "c"]);
                    assert_eq!(codes(note::Entity::all_objects(), db).await, ["a", "b", "c", "d"]);

                    let renamed = note::Entity::update_many_active()
                        .col_expr(note::Column::Name, sea_orm::sea_query::Expr::value("renamed"))
                        .exec(&db.conn)
                        .await
                        .expect("update active");
                    assert_eq!(renamed.rows_affected, 1, "the trash is not rewritten");

                    let restored = note::Entity::restore_many()
                        .filter(note::Column::Code.eq("b"))
                        .exec(&db.conn)
                        .await
                        .expect("bulk restore");
                    assert_eq!(restored.rows_affected, 1);
                    let c_row = note::Entity::find_any_by_id(c.id).one(&db.conn).await.expect("read").expect("c");
                    let c_back = c_row.restore(&db.conn).await.expect("instance restore");
                    assert!(!c_back.is_deleted());
                    assert_eq!(codes(note::Entity::objects(), db).await, ["b", "c", "d"]);

                    match note::Entity::lookup_by_id(a.id).one(&db.conn).await.expect("lookup") {
                        RowState::Trashed { row, deleted_at } => {
                            assert_eq!(row.id, a.id);
                            assert_eq!(deleted_at, $trashed_at);
                        }
                        other => panic!("a is trashed: {other:?}"),
                    }
                    assert!(matches!(note::Entity::lookup_by_id(d.id).one(&db.conn).await.expect("lookup"), RowState::Active(_)));
                    note::Entity::force_delete_by_id(a.id).exec(&db.conn).await.expect("force delete");
                    assert!(matches!(note::Entity::lookup_by_id(a.id).one(&db.conn).await.expect("lookup"), RowState::Missing));
                    assert_eq!(b.code, "b");

                    // The guard knows the marker: a read without it is a leak.
                    let leak = note::Entity::find().all(&db.conn).await;
                    assert!(leak.is_err(), "a read without the marker is refused: {leak:?}");
                }

                async fn keys_unique_among_active_rows(db: &TestDb) {
                    db.create::<note::Entity>().await;
                    let first = insert(db, "x").await;
                    note::Entity::soft_delete_by_id(first.id).at(t0()).exec(&db.conn).await.expect("trash the first");
                    let second = insert(db, "x").await;
                    let conflict = note::Entity::restore_by_id(first.id).exec(&db.conn).await;
                    assert!(
                        matches!(conflict, Err(Error::RestoreConflict { .. })),
                        "an active row holds the key: {conflict:?}"
                    );
                    let duplicate = note::ActiveModel {
                        code: Set("x".into()),
                        name: Set("third".into()),
                        ..Default::default()
                    }
                    .insert(&db.conn)
                    .await;
                    assert!(duplicate.is_err(), "the index refuses a second active key");
                    // A second trashed copy, trashed at another time, is no conflict.
                    note::Entity::soft_delete_by_id(second.id)
                        .at(t0() + TimeDelta::seconds(5))
                        .exec(&db.conn)
                        .await
                        .expect("trash the second");
                    note::Entity::restore_by_id(first.id).exec(&db.conn).await.expect("the key is free");
                    assert_eq!(note::Entity::deleted_objects().count(&db.conn).await.expect("count"), 1);
                }
            }

            backend_tests! {
                async fn migration_helpers_add_the_marker_to_a_table_with_rows(db: &TestDb) {
                    use soft_delete_core::migration;
                    let manager = sea_orm_migration::SchemaManager::new(db.conn.inner());
                    db.create::<note::Entity>().await;
                    migration::drop_active_unique_indexes::<note::Entity>(&manager).await.expect("drop keys");
                    migration::drop_marker_column::<note::Entity>(&manager).await.expect("drop marker");
                    db.exec("INSERT INTO NOTE_TABLE (code, name) VALUES ('old', 'kept from before')".replace("NOTE_TABLE", note::Entity.table_name()).as_str()).await;

                    migration::add_marker_column::<note::Entity>(&manager).await.expect("add marker");
                    migration::create_active_unique_indexes::<note::Entity>(&manager).await.expect("unique keys");
                    migration::create_active_index::<note::Entity>(&manager, "idx_note_active_name", &[note::Column::Name])
                        .await
                        .expect("active index");
                    assert_eq!(codes(note::Entity::objects(), db).await, ["old"], "existing rows are active");
                    let old = note::Entity::objects().one(&db.conn).await.expect("read").expect("old");
                    let trashed = old.soft_delete(&db.conn).await.expect("soft delete");
                    assert!(trashed.is_deleted());
                    insert(db, "old").await;
                    let duplicate = note::ActiveModel {
                        code: Set("old".into()),
                        name: Set("again".into()),
                        ..Default::default()
                    }
                    .insert(&db.conn)
                    .await;
                    assert!(duplicate.is_err(), "the migrated key is unique among active rows");
                    migration::drop_active_index::<note::Entity>(&manager, "idx_note_active_name").await.expect("drop index");
                    migration::drop_active_unique_indexes::<note::Entity>(&manager).await.expect("drop keys again");
                }
            }

            strategy_suite!(@purge $purge);
        }
    };
    (@purge true) => {
        backend_tests! {
            async fn purge_by_age(db: &TestDb) {
                db.create::<note::Entity>().await;
                // The purge index is valid for this strategy on this backend.
                let index = soft_delete_core::schema::purge_index::<note::Entity>(
                    &format!("{}_trash", note::Entity.table_name()),
                    db.db_backend(),
                );
                if let Some(index) = index {
                    sea_orm::ConnectionTrait::execute(db.conn.inner(), &index).await.expect("create the purge index");
                }
                let old = insert(db, "old").await;
                let recent = insert(db, "recent").await;
                let active = insert(db, "active").await;
                note::Entity::soft_delete_by_id(old.id).at(t0()).exec(&db.conn).await.expect("trash long ago");
                note::Entity::soft_delete_by_id(recent.id)
                    .at(t0() + TimeDelta::days(60))
                    .exec(&db.conn)
                    .await
                    .expect("trash recently");
                let done = note::Entity::purge_trash(t0() + TimeDelta::days(30))
                    .exec(&db.conn)
                    .await
                    .expect("purge");
                assert_eq!(done.rows_removed, 1);
                assert_eq!(codes(note::Entity::all_objects(), db).await, ["recent", "active"]);
                assert_eq!(active.code, "active");

                // Between two ticks of the marker's unit: stamped at tick T, a cutoff at T keeps
                // the row and a cutoff 1 ns after T purges it.
                let between = insert(db, "between").await;
                note::Entity::soft_delete_by_id(between.id).at(t0()).exec(&db.conn).await.expect("trash");
                let tick = <<note::Entity as soft_delete_core::SoftDeleteEntity>::Marker as soft_delete_core::MarkerStrategy>::stored_time(t0());
                let kept = note::Entity::purge_trash(tick).exec(&db.conn).await.expect("purge");
                assert_eq!(kept.rows_removed, 0, "stamped at the cutoff, not before it");
                let purged = note::Entity::purge_trash(tick + TimeDelta::nanoseconds(1)).exec(&db.conn).await.expect("purge");
                assert_eq!(purged.rows_removed, 1, "stamped 1 ns before the cutoff");
            }
        }
    };
    (@purge false) => {};
}

strategy_suite!(flag_suite, flag_note, trashed_at = (), purge = true);
strategy_suite!(
    active_flag_suite,
    active_note,
    trashed_at = (),
    purge = false
);
strategy_suite!(
    epoch_seconds_suite,
    epoch_note,
    trashed_at = Utc
        .timestamp_opt(t0().timestamp(), 0)
        .single()
        .unwrap_or_default(),
    purge = true
);
strategy_suite!(
    epoch_millis_suite,
    epoch_ms_note,
    trashed_at = DateTime::from_timestamp_millis(t0().timestamp_millis()).unwrap_or_default(),
    purge = true
);

backend_tests! {
    async fn flag_audit_columns_and_hooks(db: &TestDb) {
        db.create::<flag_note::Entity>().await;
        let kept = flag_note::ActiveModel {
            code: Set("kept".into()),
            name: Set("protected".into()),
            ..Default::default()
        }
        .insert(&db.conn)
        .await
        .expect("insert");
        let vetoed = flag_note::Entity::soft_delete_by_id(kept.id).exec(&db.conn).await;
        assert!(matches!(vetoed, Err(Error::Vetoed(_))), "{vetoed:?}");
        let other = flag_note::ActiveModel {
            code: Set("other".into()),
            name: Set("plain".into()),
            ..Default::default()
        }
        .insert(&db.conn)
        .await
        .expect("insert");
        let trashed = soft_delete_core::audit::with_actor(
            "ada",
            flag_note::Entity::soft_delete_by_id(other.id).at(t0()).exec(&db.conn),
        )
        .await
        .expect("soft delete");
        assert!(trashed.deleted);
        assert_eq!(trashed.deleted_by.as_deref(), Some("ada"));
        assert_eq!(trashed.updated_at, Some(t0()), "touch records the deletion time");
        let back = trashed.restore(&db.conn).await.expect("restore");
        assert!(!back.deleted);
        assert_eq!(back.deleted_by, None);
    }

    async fn an_epoch_reports_the_time_it_stored_and_refuses_one_it_cannot(db: &TestDb) {
        db.create::<epoch_note::Entity>().await;
        let row = epoch_note::ActiveModel { code: Set("e".into()), name: Set("e".into()), ..Default::default() }
            .insert(&db.conn)
            .await
            .expect("insert");
        let epoch = DateTime::<Utc>::UNIX_EPOCH;
        let refused = epoch_note::Entity::soft_delete_by_id(row.id)
            .at(epoch + TimeDelta::milliseconds(500))
            .exec(&db.conn)
            .await;
        assert!(matches!(refused, Err(Error::InvalidDeletionTime(_))), "0 would mean active: {refused:?}");
        let refused = epoch_note::Entity::soft_delete_many().at(epoch).exec(&db.conn).await;
        assert!(matches!(refused, Err(Error::InvalidDeletionTime(_))), "{refused:?}");
        assert_eq!(epoch_note::Entity::objects().count(&db.conn).await.expect("count"), 1, "nothing changed");

        let done = epoch_note::Entity::soft_delete_many().at(t0()).exec(&db.conn).await.expect("soft delete");
        let RowState::Trashed { deleted_at, .. } = epoch_note::Entity::lookup_by_id(row.id).one(&db.conn).await.expect("lookup") else {
            panic!("trashed");
        };
        assert_eq!(done.deleted_at, deleted_at, "the result reports the time as stored, whole seconds");
        let before_1970 = epoch_note::ActiveModel { code: Set("old".into()), name: Set("old".into()), ..Default::default() }
            .insert(&db.conn)
            .await
            .expect("insert");
        let trashed = epoch_note::Entity::soft_delete_by_id(before_1970.id)
            .at(epoch - TimeDelta::milliseconds(500))
            .exec(&db.conn)
            .await
            .expect("a time before 1970 is stored as -1");
        assert!(trashed.is_deleted());
    }

    async fn an_epoch_marker_takes_the_database_clock(db: &TestDb) {
        db.create::<epoch_ms_note::Entity>().await;
        let row = epoch_ms_note::ActiveModel {
            code: Set("c".into()),
            name: Set("c".into()),
            ..Default::default()
        }
        .insert(&db.conn)
        .await
        .expect("insert");
        let before = Utc::now() - TimeDelta::minutes(5);
        let trashed = epoch_ms_note::Entity::soft_delete_by_id(row.id).exec(&db.conn).await.expect("soft delete");
        let after = Utc::now() + TimeDelta::minutes(5);
        let at = DateTime::from_timestamp_millis(trashed.deleted_at).unwrap_or_default();
        assert!(before < at && at < after, "the server's time in milliseconds: {at}");
    }

    async fn a_cascade_through_every_strategy_restores_exactly(db: &TestDb) {
        db.create::<shelf::Entity>().await;
        db.create::<crate_box::Entity>().await;
        db.create::<sticker::Entity>().await;
        let mut shelves = Vec::new();
        for name in ["left", "right"] {
            let shelf = shelf::ActiveModel { name: Set(name.into()), ..Default::default() }
                .insert(&db.conn)
                .await
                .expect("shelf");
            for _ in 0..2 {
                let boxed = crate_box::ActiveModel { shelf_id: Set(shelf.id), ..Default::default() }
                    .insert(&db.conn)
                    .await
                    .expect("box");
                sticker::ActiveModel { box_id: Set(boxed.id), ..Default::default() }
                    .insert(&db.conn)
                    .await
                    .expect("sticker");
            }
            shelves.push(shelf);
        }
        // One sticker trashed on its own beforehand: the restore must leave it in the trash.
        let loose = sticker::Entity::objects().one(&db.conn).await.expect("read").expect("a sticker");
        sticker::Entity::soft_delete_by_id(loose.id).at(t0()).exec(&db.conn).await.expect("own delete");

        let done = shelf::Entity::soft_delete_many().at(t0()).exec(&db.conn).await.expect("cascade");
        assert_eq!(done.rows_affected, 2);
        assert_eq!(crate_box::Entity::objects().count(&db.conn).await.expect("count"), 0);
        assert_eq!(sticker::Entity::objects().count(&db.conn).await.expect("count"), 0);
        let boxes = crate_box::Entity::deleted_objects().all(&db.conn).await.expect("read");
        assert!(boxes.iter().all(|boxed| boxed.deleted_at == t0().timestamp()), "epoch child stamped");

        // Both shelves share one batch; restoring one brings back only its own subtree.
        shelf::Entity::restore_by_id(shelves[0].id).exec(&db.conn).await.expect("restore one");
        let active_boxes = crate_box::Entity::objects().all(&db.conn).await.expect("read");
        assert_eq!(active_boxes.len(), 2);
        assert!(active_boxes.iter().all(|boxed| boxed.shelf_id == shelves[0].id));
        let active_stickers = sticker::Entity::objects().all(&db.conn).await.expect("read");
        let expected = if loose_is_under(&active_boxes, &loose) { 1 } else { 2 };
        assert_eq!(active_stickers.len(), expected);
        assert!(active_stickers.iter().all(|s| s.id != loose.id), "its own delete stays");
        assert!(shelf::Entity::find_any_by_id(shelves[1].id).one(&db.conn).await.expect("read").is_some_and(|s| s.deleted));
    }
}

fn loose_is_under(boxes: &[crate_box::Model], loose: &sticker::Model) -> bool {
    boxes.iter().any(|boxed| boxed.id == loose.box_id)
}

macro_rules! note_entity {
    ($m:ident, $table:literal, [$($attr:tt)*], $marker:ident: $ty:ty, [$($marker_attr:tt)*] $(, $extra:ident: $extra_ty:ty)*) => {
        pub mod $m {
            use sea_orm::entity::prelude::*;
            use soft_delete_core::prelude::*;

            #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
            #[sea_orm(table_name = $table)]
            #[soft_delete(unique(code) $($attr)*)]
            pub struct Model {
                #[sea_orm(primary_key)]
                pub id: i32,
                pub code: String,
                pub name: String,
                $($marker_attr)*
                pub $marker: $ty,
                $(pub $extra: $extra_ty,)*
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {}
        }
    };
}

note_entity!(flag_note, "flag_note", [, hooks, touch = updated_at, deleted_by = deleted_by],
    deleted: bool, [#[soft_delete(flag)]], updated_at: Option<DateTimeUtc>, deleted_by: Option<String>);
note_entity!(active_note, "active_note", [], active: bool, [#[soft_delete(active_flag)]]);
note_entity!(epoch_note, "epoch_note", [], deleted_at: i64, [#[soft_delete(epoch = seconds)]]);
note_entity!(epoch_ms_note, "epoch_ms_note", [, clock = database], deleted_at: i64, [#[soft_delete(epoch = millis)]]);

impl sea_orm::ActiveModelBehavior for flag_note::ActiveModel {}
impl sea_orm::ActiveModelBehavior for active_note::ActiveModel {}
impl sea_orm::ActiveModelBehavior for epoch_note::ActiveModel {}
impl sea_orm::ActiveModelBehavior for epoch_ms_note::ActiveModel {}

impl soft_delete_core::SoftDeleteHooks for flag_note::Entity {
    async fn before_soft_delete(ctx: &soft_delete_core::HookContext<'_>) -> Result<(), Error> {
        let ids = ctx.keys.iter().flat_map(|key| key.clone().into_iter());
        let protected = flag_note::Entity::objects()
            .filter(flag_note::Column::Id.is_in(ids))
            .filter(flag_note::Column::Name.eq("protected"))
            .count(&ctx.db)
            .await?;
        if protected > 0 {
            return Err(Error::vetoed("protected notes stay"));
        }
        Ok(())
    }
}

/// A flag parent whose children count in epoch seconds, whose children are active flags.
pub mod shelf {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "mk_shelf")]
    #[soft_delete(cascade(super::crate_box::Entity))]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
        #[soft_delete(flag)]
        pub deleted: bool,
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(has_many = "super::crate_box::Entity")]
        Box,
    }

    impl Related<super::crate_box::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Box.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod crate_box {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "mk_box")]
    #[soft_delete(cascade(super::sticker::Entity))]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub shelf_id: i32,
        #[soft_delete(epoch = seconds)]
        pub deleted_at: i64,
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
        #[sea_orm(has_many = "super::sticker::Entity")]
        Sticker,
    }

    impl Related<super::shelf::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Shelf.def()
        }
    }

    impl Related<super::sticker::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Sticker.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod sticker {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "mk_sticker")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub box_id: i32,
        #[soft_delete(active_flag)]
        pub active: bool,
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::crate_box::Entity",
            from = "Column::BoxId",
            to = "super::crate_box::Column::Id"
        )]
        Box,
    }

    impl Related<super::crate_box::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Box.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

backend_tests! {
    async fn relation_helpers_read_each_tables_strategy(db: &TestDb) {
        use soft_delete_core::{FindRelatedActive, SelectActiveRelated};
        db.create::<post::Entity>().await;
        db.create::<label::Entity>().await;
        db.create::<post_label::Entity>().await;
        let post = post::ActiveModel { title: Set("p".into()), ..Default::default() }.insert(&db.conn).await.expect("post");
        let mut labels = Vec::new();
        for name in ["linked", "unlinked", "trashed"] {
            let label = label::ActiveModel { name: Set(name.into()), ..Default::default() }
                .insert(&db.conn)
                .await
                .expect("label");
            post_label::ActiveModel { post_id: Set(post.id), label_id: Set(label.id), ..Default::default() }
                .insert(&db.conn)
                .await
                .expect("link");
            labels.push(label);
        }
        // The link to "unlinked" goes to the trash (a flag), the label "trashed" too (an epoch).
        post_label::Entity::soft_delete_many()
            .filter(post_label::Column::LabelId.eq(labels[1].id))
            .exec(&db.conn)
            .await
            .expect("unlink");
        label::Entity::soft_delete_by_id(labels[2].id).exec(&db.conn).await.expect("trash label");

        let found = post.find_related_active(label::Entity).all(&db.conn).await.expect("related");
        let names: Vec<_> = found.into_iter().map(|label| label.name).collect();
        assert_eq!(names, ["linked"], "trashed links and trashed labels are hidden");
        let with = post::Entity::objects()
            .has_related_active(label::Entity, label::Column::Name.eq("unlinked"))
            .count(&db.conn)
            .await
            .expect("has related");
        assert_eq!(with, 0, "a trashed flag link does not count");
    }
}

/// A timestamp entity linked to an epoch entity through a flag junction.
pub mod post {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "mk_post")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub title: String,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl Related<super::label::Entity> for Entity {
        fn to() -> RelationDef {
            super::post_label::Relation::Label.def()
        }

        fn via() -> Option<RelationDef> {
            Some(super::post_label::Relation::Post.def().rev())
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod label {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "mk_label")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
        #[soft_delete(epoch = millis)]
        pub deleted_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod post_label {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "mk_post_label")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub post_id: i32,
        #[sea_orm(primary_key, auto_increment = false)]
        pub label_id: i32,
        #[soft_delete(flag)]
        pub deleted: bool,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::post::Entity",
            from = "Column::PostId",
            to = "super::post::Column::Id"
        )]
        Post,
        #[sea_orm(
            belongs_to = "super::label::Entity",
            from = "Column::LabelId",
            to = "super::label::Column::Id"
        )]
        Label,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
