//! Audit columns on every backend: `touch` and `deleted_by` are written by the same statement
//! as the state change, with the operation's timestamp and actor.

use crate::common::{Backend, TestDb};
use chrono::{DateTime, TimeZone, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, QueryOrder, Set};
use soft_delete_core::SoftDeleteOne;
use soft_delete_core::audit::with_actor;
use soft_delete_core::clock::{self, ManualClock};

fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 8, 1, hour, 0, 0)
        .single()
        .unwrap_or_default()
}

async fn seed(db: &TestDb) -> Vec<memo::Model> {
    db.create::<memo::Entity>().await;
    let mut memos = Vec::new();
    for body in ["a", "b", "c"] {
        memos.push(
            memo::ActiveModel {
                body: Set(body.into()),
                updated_at: Set(at(0)),
                ..Default::default()
            }
            .insert(&db.conn)
            .await
            .expect("insert"),
        );
    }
    db.statements.take();
    memos
}

async fn audit(db: &TestDb) -> Vec<(DateTime<Utc>, Option<String>, Option<DateTime<Utc>>)> {
    memo::Entity::all_objects()
        .order_by_asc(memo::Column::Id)
        .all(&db.conn)
        .await
        .expect("read")
        .into_iter()
        .map(|m| (m.updated_at, m.deleted_by, m.deleted_at))
        .collect()
}

backend_tests! {
    async fn instance_and_bulk_operations_write_audit_columns_in_the_same_statement(db: &TestDb) {
        let memos = seed(db).await;
        let ada = SoftDeleteOne::<memo::Entity>::of(&memos[0]).at(at(1)).by("ada").exec(&db.conn).await.expect("by ada");
        assert_eq!((ada.updated_at, ada.deleted_by.as_deref()), (at(1), Some("ada")));
        let single = if db.backend == Backend::MariaDb { 2 } else { 1 };
        assert_eq!(db.statements.take().len(), single, "as many statements as without audit columns");

        let bob = clock::with_clock(ManualClock::new(at(2)), with_actor("bob", memos[1].soft_delete(&db.conn)))
            .await
            .expect("task actor");
        assert_eq!((bob.updated_at, bob.deleted_by.as_deref()), (at(2), Some("bob")));

        let nobody = memo::Entity::soft_delete_by_id(memos[2].id).at(at(3)).exec(&db.conn).await.expect("no actor");
        assert_eq!((nobody.updated_at, nobody.deleted_by), (at(3), None));
        assert_eq!(
            audit(db).await,
            [(at(1), Some("ada".into()), Some(at(1))), (at(2), Some("bob".into()), Some(at(2))), (at(3), None, Some(at(3)))]
        );

        db.statements.take();
        let restored = clock::with_clock(ManualClock::new(at(4)), memo::Entity::restore_many().filter(memo::Column::Body.ne("c")).exec(&db.conn))
            .await
            .expect("restore");
        assert_eq!(restored.rows_affected, 2);
        let sent = db.statements.take();
        assert_eq!(sent.len(), 1, "one UPDATE, as without audit columns: {sent:?}");
        assert_eq!(audit(db).await[..2], [(at(4), None, None), (at(4), None, None)]);

        db.statements.take();
        let bulk = with_actor("carol", memo::Entity::soft_delete_many().at(at(5)).by("dave").exec(&db.conn)).await.expect("bulk");
        assert_eq!(bulk.rows_affected, 2);
        assert_eq!(db.statements.take().len(), 1, "one UPDATE");
        assert_eq!(audit(db).await[..2], [(at(5), Some("dave".into()), Some(at(5))), (at(5), Some("dave".into()), Some(at(5)))], "the call's actor wins over the task's");
    }
}

// The entities only this module uses.

/// Audit columns: `updated_at` touched and `deleted_by` recorded by the state change itself.
pub mod memo {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "memo")]
    #[soft_delete(touch = updated_at, deleted_by = deleted_by)]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub body: String,
        pub updated_at: DateTimeUtc,
        pub deleted_by: Option<String>,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
