//! Every supported marker type and entity declaration, on every backend: the stored timestamp
//! is the clock's, the returned model equals the stored row, and restore clears it.

use crate::common::TestDb;
use crate::common::entities::{membership, renamed};
use chrono::{DateTime, TimeZone, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ModelTrait, PaginatorTrait, QueryFilter, Set};
use soft_delete_core::clock::{self, ManualClock};
use soft_delete_core::guard::allow_trashed;
use soft_delete_core::{HasDeletionTime, MarkerStrategy, SoftDeleteEntity, SoftDeleteEntityExt};

fn frozen() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 30, 23, 59, 58)
        .single()
        .unwrap_or_default()
        + chrono::TimeDelta::microseconds(654_321)
}

/// Soft-deletes `model` at a frozen time, checks the returned and stored rows, then restores it.
async fn round_trip<E>(db: &TestDb, model: E::Model)
where
    E: SoftDeleteEntity + HasDeletionTime,
    E::Marker: MarkerStrategy<TrashedAt = DateTime<Utc>>,
    E::Model: Clone + PartialEq + std::fmt::Debug + Send + Sync,
{
    let deleted = clock::with_clock(
        ManualClock::new(frozen()),
        soft_delete_core::SoftDeleteOne::<E>::of(&model).exec(&db.conn),
    )
    .await
    .expect("soft delete");
    let stamp = E::trashed_at(&deleted);
    assert_eq!(
        stamp,
        Some(frozen()),
        "the clock's time, to the microsecond"
    );

    let trash = E::deleted_objects()
        .all(&db.conn)
        .await
        .expect("read trash");
    assert!(
        trash.contains(&deleted),
        "returned model equals the stored row: {deleted:?} in {trash:?}"
    );
    let key = deleted.get_primary_key_value();
    let active = E::objects().all(&db.conn).await.expect("read active");
    assert!(active.iter().all(|row| row.get_primary_key_value() != key));

    let restored = soft_delete_core::RestoreOne::<E>::of(&deleted)
        .exec(&db.conn)
        .await
        .expect("restore");
    assert!(!E::is_trashed(&restored));
    let active = E::objects().all(&db.conn).await.expect("read active");
    assert!(active.contains(&restored));

    // Purge cutoffs compare with the stored tick exactly: a cutoff at the stamp keeps the row,
    // one 500 ns later (between two ticks) purges it.
    let trashed = clock::with_clock(
        ManualClock::new(frozen()),
        soft_delete_core::SoftDeleteOne::<E>::of(&restored).exec(&db.conn),
    )
    .await
    .expect("soft delete again");
    assert_eq!(E::trashed_at(&trashed), Some(frozen()));
    let at_stamp = E::purge_trash(frozen())
        .exec(&db.conn)
        .await
        .expect("purge");
    assert_eq!(
        at_stamp.rows_removed, 0,
        "stamped at the cutoff, not before it"
    );
    let between_ticks = frozen() + chrono::TimeDelta::nanoseconds(500);
    let purged = E::purge_trash(between_ticks)
        .exec(&db.conn)
        .await
        .expect("purge");
    assert_eq!(purged.rows_removed, 1, "stamped 500 ns before the cutoff");
}

backend_tests! {
    async fn naive_marker_is_written_as_utc(db: &TestDb) {
        db.create::<naive_note::Entity>().await;
        let note = naive_note::ActiveModel { body: Set("n".into()), ..Default::default() }
            .insert(&db.conn).await.expect("insert");
        round_trip::<naive_note::Entity>(db, note).await;
    }

    async fn fixed_offset_marker(db: &TestDb) {
        db.create::<offset_note::Entity>().await;
        let note = offset_note::ActiveModel { body: Set("o".into()), ..Default::default() }
            .insert(&db.conn).await.expect("insert");
        round_trip::<offset_note::Entity>(db, note).await;
    }

    async fn time_crate_offset_marker(db: &TestDb) {
        db.create::<time_note::Entity>().await;
        let note = time_note::ActiveModel { body: Set("t".into()), ..Default::default() }
            .insert(&db.conn).await.expect("insert");
        round_trip::<time_note::Entity>(db, note).await;
    }

    async fn time_crate_primitive_marker(db: &TestDb) {
        db.create::<primitive_note::Entity>().await;
        let note = primitive_note::ActiveModel { body: Set("p".into()), ..Default::default() }
            .insert(&db.conn).await.expect("insert");
        round_trip::<primitive_note::Entity>(db, note).await;
    }

    async fn renamed_marker_column(db: &TestDb) {
        db.create::<renamed::Entity>().await;
        let row = renamed::ActiveModel { deleted_at: Set(None), ..Default::default() }
            .insert(&db.conn).await.expect("insert");
        db.statements.take();
        let deleted = row.soft_delete(&db.conn).await.expect("soft delete");
        assert!(deleted.removed_at.is_some() && deleted.deleted_at.is_none(), "{deleted:?}");
        let sent = db.statements.take();
        assert!(sent[0].contains("trashed_on"), "the column_name is used: {sent:?}");
        assert_eq!(renamed::Entity::deleted_objects().count(&db.conn).await.expect("count"), 1);
        assert_eq!(
            renamed::Entity::all_objects().filter(renamed::Column::Trashed.is_not_null()).count(&db.conn).await.expect("count"),
            1
        );
        let restored = deleted.restore(&db.conn).await.expect("restore");
        assert_eq!(restored, row);
        round_trip::<renamed::Entity>(db, restored).await;
    }

    async fn composite_primary_key(db: &TestDb) {
        db.create::<membership::Entity>().await;
        for (org_id, user_id) in [(1, 1), (1, 2), (2, 1)] {
            membership::ActiveModel {
                org_id: Set(org_id),
                user_id: Set(user_id),
                role: Set("member".into()),
                deleted_at: Set(None),
            }
            .insert(&db.conn)
            .await
            .expect("insert");
        }
        let deleted = membership::Entity::soft_delete_by_id((1, 2)).exec(&db.conn).await.expect("by id");
        assert_eq!((deleted.org_id, deleted.user_id), (1, 2));
        assert!(deleted.is_deleted());
        assert_eq!(membership::Entity::deleted_objects().count(&db.conn).await.expect("count"), 1);
        assert!(membership::Entity::find_active_by_id((1, 2)).one(&db.conn).await.expect("find").is_none());
        assert!(membership::Entity::find_active_by_id((2, 1)).one(&db.conn).await.expect("find").is_some());

        let restored = deleted.restore(&db.conn).await.expect("restore");
        assert!(!restored.is_deleted());
        let missing = membership::Entity::restore_by_id((9, 9)).exec(&db.conn).await.expect_err("no such row");
        assert!(missing.to_string().contains("(9, 9)"), "{missing}");

        restored.force_delete(&db.conn).await.expect("force delete");
        let left: Vec<(i32, i32)> = membership::Entity::all_objects().all(&db.conn).await.expect("all")
            .into_iter().map(|row| (row.org_id, row.user_id)).collect();
        assert_eq!(left.len(), 2);
        assert!(!left.contains(&(1, 2)));
    }

    async fn dense_entity_format(db: &TestDb) {
        db.create::<article::Entity>().await;
        for slug in ["a", "b"] {
            article::ActiveModel { slug: Set(slug.into()), ..Default::default() }
                .insert(&db.conn).await.expect("insert");
        }
        let result = article::Entity::soft_delete_many()
            .filter(article::COLUMN.slug.eq("a"))
            .exec(&db.conn)
            .await
            .expect("bulk");
        assert_eq!(result.rows_affected, 1);
        let active: Vec<String> = article::Entity::objects().all(&db.conn).await.expect("all")
            .into_iter().map(|row| row.slug).collect();
        assert_eq!(active, ["b"]);
        let a = allow_trashed(article::Entity::find_by_slug("a").one(&db.conn)).await.expect("find").expect("row a");
        assert!(a.is_deleted());
        round_trip::<article::Entity>(db, allow_trashed(article::Entity::find_by_slug("b").one(&db.conn)).await.expect("find").expect("row b")).await;
    }
}

// The entities only this module uses.

/// A naive marker (`DateTime`), taken as UTC.
pub mod naive_note {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "naive_note")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub body: String,
        pub deleted_at: Option<DateTime>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A fixed-offset marker (`DateTimeWithTimeZone`).
pub mod offset_note {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "offset_note")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub body: String,
        pub deleted_at: Option<DateTimeWithTimeZone>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `time` crate's offset and primitive types, behind the `with-time` feature.
pub mod time_note {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "time_note")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub body: String,
        pub deleted_at: Option<TimeDateTimeWithTimeZone>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod primitive_note {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "primitive_note")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub body: String,
        pub deleted_at: Option<TimeDateTime>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// SeaORM 2's dense format, which runs the derive a second time on `ModelEx`.
pub mod article {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "article")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(unique)]
        pub slug: String,
        pub deleted_at: Option<DateTimeUtc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
