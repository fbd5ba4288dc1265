//! F1-F4: what each optional feature costs, as a ratio against the same operation on the same
//! table without it. Each feature entity has a twin without the feature mapped to the same
//! table, so both variants run on the same rows and indexes.

use chrono::Utc;
use sea_orm::sea_query::Index;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, Set, TransactionTrait};
use soft_delete_core::schema;

use crate::shapes::{self, item, long_ago, row_id, sku};
use crate::support::Bench;
use crate::support::run::{Scenario, Variant, step};

/// `bench_item` again, with no-op hooks: every hook method keeps its default.
pub mod hooked_item {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::SoftDeleteHooks;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "bench_item")]
    #[soft_delete(hooks)]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(unique, column_type = "String(StringLen::N(32))")]
        pub sku: String,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl SoftDeleteHooks for Entity {}
}

/// `bench_item` again, with no-op hooks that take no keys (`NEEDS_KEYS = false`).
pub mod keyless_hooked_item {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::SoftDeleteHooks;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "bench_item")]
    #[soft_delete(hooks)]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(unique, column_type = "String(StringLen::N(32))")]
        pub sku: String,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl SoftDeleteHooks for Entity {
        const NEEDS_KEYS: bool = false;
    }
}

/// `bench_audited`, with the `touch` and `deleted_by` audit columns written.
pub mod audited {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "bench_audited")]
    #[soft_delete(touch = updated_at, deleted_by = deleted_by)]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(column_type = "String(StringLen::N(32))")]
        pub sku: String,
        pub updated_at: DateTimeUtc,
        pub deleted_by: Option<String>,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `bench_audited` without the audit columns declared: the twin without the feature.
pub mod unaudited {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "bench_audited")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(column_type = "String(StringLen::N(32))")]
        pub sku: String,
        pub updated_at: DateTimeUtc,
        pub deleted_by: Option<String>,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `bench_keyed`, with two keys unique among active rows, checked by every restore.
pub mod keyed {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "bench_keyed")]
    #[soft_delete(unique(sku), unique(org_id, handle))]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(column_type = "String(StringLen::N(32))")]
        pub sku: String,
        pub org_id: i32,
        #[sea_orm(column_type = "String(StringLen::N(32))")]
        pub handle: String,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `bench_keyed` without the keys declared (the indexes stay): the twin without the check.
pub mod unkeyed {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "bench_keyed")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(column_type = "String(StringLen::N(32))")]
        pub sku: String,
        pub org_id: i32,
        #[sea_orm(column_type = "String(StringLen::N(32))")]
        pub handle: String,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// One level of the four-level graph: `bench_l1` (10) -> `bench_l2` (100) -> `bench_l3`
/// (1,000) -> `bench_l4` (100,000), each cascading to the next through `parent_id`.
macro_rules! level {
    ($name:ident, $table:literal
        $(, parent($parent:ident, $parent_path:literal, $parent_key:literal))?
        $(, child($child:ident, $child_path:literal))?) => {
        pub mod $name {
            use sea_orm::entity::prelude::*;
            use soft_delete_core::prelude::*;

            #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
            #[sea_orm(table_name = $table)]
            $(#[soft_delete(cascade(super::$child::Entity))])?
            pub struct Model {
                #[sea_orm(primary_key)]
                pub id: i32,
                pub parent_id: i32,
                pub deleted_at: Option<DateTimeUtc>,
                pub deleted_batch: Option<i64>,
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {
                $(
                    #[sea_orm(
                        belongs_to = $parent_path,
                        from = "Column::ParentId",
                        to = $parent_key
                    )]
                    Parent,
                )?
                $(
                    #[sea_orm(has_many = $child_path)]
                    Child,
                )?
            }

            $(
                impl Related<super::$parent::Entity> for Entity {
                    fn to() -> RelationDef {
                        Relation::Parent.def()
                    }
                }
            )?

            $(
                impl Related<super::$child::Entity> for Entity {
                    fn to() -> RelationDef {
                        Relation::Child.def()
                    }
                }
            )?

            impl ActiveModelBehavior for ActiveModel {}
        }
    };
}

level!(l1, "bench_l1", child(l2, "super::l2::Entity"));
level!(
    l2,
    "bench_l2",
    parent(l1, "super::l1::Entity", "super::l1::Column::Id"),
    child(l3, "super::l3::Entity")
);
level!(
    l3,
    "bench_l3",
    parent(l2, "super::l2::Entity", "super::l2::Column::Id"),
    child(l4, "super::l4::Entity")
);
level!(
    l4,
    "bench_l4",
    parent(l3, "super::l3::Entity", "super::l3::Column::Id")
);

const LEVELS: [&str; 4] = ["bench_l1", "bench_l2", "bench_l3", "bench_l4"];
/// Rows per level: 10, then 10, 10 and 100 children per parent (101,110 rows).
const LEVEL_ROWS: [usize; 4] = [10, 100, 1_000, 100_000];

/// F1-F4, in order.
pub(crate) fn scenarios(bench: &Bench) -> Vec<Scenario<'_>> {
    let mut scenarios = vec![hooks(bench), audit_columns(bench), unique_keys(bench)];
    scenarios.extend(deep_cascade(bench));
    scenarios
}

/// Runs `op` in a transaction of its own, as every timed variant does.
macro_rules! timed_in_transaction {
    ($bench:ident, |$txn:ident| $body:expr) => {
        step(move || async move {
            $bench.in_transaction(async |$txn| $body).await;
        })
    };
}

/// F1: bulk soft delete of 100,000 rows with no-op hooks (with and without keys), against the
/// same without hooks.
fn hooks(bench: &Bench) -> Scenario<'_> {
    const ROWS: u64 = 100_000;
    let restore_all = step(move || async move {
        bench.setup("UPDATE bench_item SET deleted_at = NULL").await;
        bench.settle(&["bench_item"]).await;
    });
    Scenario {
        id: "F1",
        title: "bulk soft delete of 100,000 rows".into(),
        prepare: step(move || async move {
            shapes::fill_items(&bench.db, ROWS as usize, |_| None)
                .await
                .expect("fill");
            bench.prepare_for_updates(&["bench_item"]).await;
        }),
        variants: vec![
            Variant::new(
                "no-op hooks",
                restore_all.clone(),
                timed_in_transaction!(bench, |txn| {
                    let done = hooked_item::Entity::soft_delete_many().exec(txn).await;
                    assert_eq!(done.expect("hooks").rows_affected, ROWS);
                }),
            ),
            Variant::new(
                "no hooks",
                restore_all.clone(),
                timed_in_transaction!(bench, |txn| {
                    let done = item::Entity::soft_delete_many().exec(txn).await;
                    assert_eq!(done.expect("plain").rows_affected, ROWS);
                }),
            ),
            Variant::new(
                "no-op hooks without keys",
                restore_all,
                timed_in_transaction!(bench, |txn| {
                    let done = keyless_hooked_item::Entity::soft_delete_many()
                        .exec(txn)
                        .await;
                    assert_eq!(done.expect("keyless hooks").rows_affected, ROWS);
                }),
            ),
        ],
        ratios: vec![(0, 1), (2, 1)],
        runs_per_sample: 1,
        criterion: (10, 10),
    }
}

/// F2: bulk soft delete of 10,000 of 20,000 rows writing `touch` and `deleted_by`, against
/// the same rows without them declared.
fn audit_columns(bench: &Bench) -> Scenario<'_> {
    const ROWS: usize = 20_000;
    const HALF: u64 = 10_000;
    let restore_all = step(move || async move {
        bench
            .setup("UPDATE bench_audited SET deleted_at = NULL, deleted_by = NULL")
            .await;
        bench.settle(&["bench_audited"]).await;
    });
    let half = || sku(HALF as usize);
    Scenario {
        id: "F2",
        title: "bulk soft delete of 10,000 of 20,000 rows".into(),
        prepare: step(move || async move {
            bench.setup("DROP TABLE IF EXISTS bench_audited").await;
            schema::create_table::<audited::Entity, _>(&bench.db)
                .await
                .expect("create");
            let txn = bench.db.begin().await.expect("begin");
            let numbers: Vec<usize> = (0..ROWS).collect();
            for chunk in numbers.chunks(1_000) {
                let rows = chunk.iter().map(|&number| audited::ActiveModel {
                    id: Set(row_id(number)),
                    sku: Set(sku(number)),
                    updated_at: Set(long_ago()),
                    deleted_by: Set(None),
                    deleted_at: Set(None),
                });
                audited::Entity::insert_many(rows)
                    .exec(&txn)
                    .await
                    .expect("fill");
            }
            txn.commit().await.expect("commit");
            bench.prepare_for_updates(&["bench_audited"]).await;
        }),
        variants: vec![
            Variant::new(
                "touch + deleted_by",
                restore_all.clone(),
                timed_in_transaction!(bench, |txn| {
                    let done = audited::Entity::soft_delete_many()
                        .filter(audited::Column::Sku.lt(half()))
                        .by("bench")
                        .exec(txn)
                        .await;
                    assert_eq!(done.expect("audited").rows_affected, HALF);
                }),
            ),
            Variant::new(
                "without",
                restore_all,
                timed_in_transaction!(bench, |txn| {
                    let done = unaudited::Entity::soft_delete_many()
                        .filter(unaudited::Column::Sku.lt(half()))
                        .exec(txn)
                        .await;
                    assert_eq!(done.expect("plain").rows_affected, HALF);
                }),
            ),
        ],
        ratios: vec![(0, 1)],
        runs_per_sample: 1,
        criterion: (10, 4),
    }
}

/// F3: bulk restore of 10,000 of 20,000 rows checked against two keys unique among active
/// rows, against the same restore unchecked (the same unique indexes in place).
fn unique_keys(bench: &Bench) -> Scenario<'_> {
    const ROWS: usize = 20_000;
    const HALF: i32 = 10_000;
    let trash_half = step(move || async move {
        let sql = format!(
            "UPDATE bench_keyed SET deleted_at = {} WHERE id <= {HALF}",
            bench.time_sql(long_ago())
        );
        bench.setup(&sql).await;
        bench.settle(&["bench_keyed"]).await;
    });
    Scenario {
        id: "F3",
        title: "bulk restore of 10,000 of 20,000 rows".into(),
        prepare: step(move || async move {
            bench.setup("DROP TABLE IF EXISTS bench_keyed").await;
            schema::create_table::<keyed::Entity, _>(&bench.db)
                .await
                .expect("create");
            let txn = bench.db.begin().await.expect("begin");
            let numbers: Vec<usize> = (0..ROWS).collect();
            for chunk in numbers.chunks(1_000) {
                let rows = chunk.iter().map(|&number| keyed::ActiveModel {
                    id: Set(row_id(number)),
                    sku: Set(sku(number)),
                    org_id: Set(row_id(number % 100)),
                    handle: Set(format!("h{number}")),
                    deleted_at: Set(None),
                });
                keyed::Entity::insert_many(rows)
                    .exec(&txn)
                    .await
                    .expect("fill");
            }
            txn.commit().await.expect("commit");
            bench.prepare_for_updates(&["bench_keyed"]).await;
        }),
        variants: vec![
            Variant::new(
                "two unique keys",
                trash_half.clone(),
                timed_in_transaction!(bench, |txn| {
                    let done = keyed::Entity::restore_many()
                        .filter(keyed::Column::Id.lte(HALF))
                        .exec(txn)
                        .await;
                    assert_eq!(done.expect("keyed").rows_affected, HALF as u64);
                }),
            ),
            Variant::new(
                "no keys",
                trash_half,
                timed_in_transaction!(bench, |txn| {
                    let done = unkeyed::Entity::restore_many()
                        .filter(unkeyed::Column::Id.lte(HALF))
                        .exec(txn)
                        .await;
                    assert_eq!(done.expect("plain").rows_affected, HALF as u64);
                }),
            ),
        ],
        ratios: vec![(0, 1)],
        runs_per_sample: 1,
        criterion: (10, 4),
    }
}

/// F4 and F4b: cascade soft delete and restore of four levels (101,110 rows), against the
/// hand-written `UPDATE` per level that matches children by their parent's timestamp.
fn deep_cascade(bench: &Bench) -> Vec<Scenario<'_>> {
    let rows: u64 = LEVEL_ROWS.iter().sum::<usize>() as u64;
    let prepare = step(move || async move {
        for table in LEVELS.iter().rev() {
            bench.setup(&format!("DROP TABLE IF EXISTS {table}")).await;
        }
        schema::create_table::<l1::Entity, _>(&bench.db)
            .await
            .expect("create");
        schema::create_table::<l2::Entity, _>(&bench.db)
            .await
            .expect("create");
        schema::create_table::<l3::Entity, _>(&bench.db)
            .await
            .expect("create");
        schema::create_table::<l4::Entity, _>(&bench.db)
            .await
            .expect("create");
        for (level, table) in LEVELS.iter().enumerate() {
            let parent = match level {
                0 => "0".to_owned(),
                _ => {
                    let fanout = LEVEL_ROWS[level] / LEVEL_ROWS[level - 1];
                    let divided = if bench.backend() == DbBackend::MySql {
                        format!("i DIV {fanout}")
                    } else {
                        format!("i / {fanout}")
                    };
                    format!("{divided} + 1")
                }
            };
            let insert = format!(
                "INSERT INTO {table} (id, parent_id, deleted_at, deleted_batch) \
                 SELECT i + 1, {parent}, NULL, NULL FROM {}",
                bench.numbers(LEVEL_ROWS[level])
            );
            bench.setup(&insert).await;
            if level > 0 {
                let index = Index::create()
                    .name(format!("{table}_parent"))
                    .table(sea_orm::sea_query::Alias::new(*table))
                    .col(sea_orm::sea_query::Alias::new("parent_id"))
                    .to_owned();
                bench.db.execute(&index).await.expect("index");
            }
        }
        bench.prepare_for_updates(&LEVELS).await;
    });
    let restore_all = step(move || async move {
        for table in LEVELS {
            let sql = format!("UPDATE {table} SET deleted_at = NULL, deleted_batch = NULL");
            bench.setup(&sql).await;
        }
        bench.settle(&LEVELS).await;
    });
    let trash_by_hand = move |at: chrono::DateTime<Utc>| {
        let at = bench.time_sql(at);
        LEVELS
            .iter()
            .enumerate()
            .map(|(level, table)| match level {
                0 => format!("UPDATE {table} SET deleted_at = {at} WHERE deleted_at IS NULL"),
                _ => format!(
                    "UPDATE {table} SET deleted_at = {at} WHERE deleted_at IS NULL AND parent_id IN \
                     (SELECT id FROM {} WHERE deleted_at = {at})",
                    LEVELS[level - 1]
                ),
            })
            .collect::<Vec<_>>()
    };
    let soft_delete = Scenario {
        id: "F4",
        title: "cascade soft delete of four levels, 101,110 rows".into(),
        prepare: prepare.clone(),
        variants: vec![
            Variant::new(
                "ours",
                restore_all.clone(),
                timed_in_transaction!(bench, |txn| {
                    let done = l1::Entity::soft_delete_many()
                        .exec(txn)
                        .await
                        .expect("ours");
                    let cascaded = done.cascaded.total();
                    assert_eq!(done.rows_affected + cascaded, rows);
                }),
            ),
            Variant::raw(
                "hand-written",
                restore_all.clone(),
                timed_in_transaction!(bench, |txn| {
                    let mut changed = 0;
                    for sql in trash_by_hand(Utc::now()) {
                        changed += txn
                            .execute_unprepared(&sql)
                            .await
                            .expect("hand")
                            .rows_affected();
                    }
                    assert_eq!(changed, rows);
                }),
                4,
            ),
        ],
        ratios: vec![(0, 1)],
        runs_per_sample: 1,
        criterion: (10, 10),
    };
    let trashed_by_us = {
        let restore_all = restore_all.clone();
        step(move || {
            let restore_all = restore_all.clone();
            async move {
                restore_all().await;
                l1::Entity::soft_delete_many()
                    .exec(&bench.db)
                    .await
                    .expect("ours");
                bench.settle(&LEVELS).await;
            }
        })
    };
    let trashed_by_hand = step(move || {
        let restore_all = restore_all.clone();
        async move {
            restore_all().await;
            for sql in trash_by_hand(Utc::now()) {
                bench.setup(&sql).await;
            }
            bench.settle(&LEVELS).await;
        }
    });
    let restore = Scenario {
        id: "F4b",
        title: "cascade restore of four levels, 101,110 rows".into(),
        prepare,
        variants: vec![
            Variant::new(
                "ours",
                trashed_by_us,
                timed_in_transaction!(bench, |txn| {
                    let done = l1::Entity::restore_many().exec(txn).await.expect("ours");
                    let cascaded = done.cascaded.total();
                    assert_eq!(done.rows_affected + cascaded, rows);
                }),
            ),
            Variant::raw(
                "hand-written",
                trashed_by_hand,
                timed_in_transaction!(bench, |txn| {
                    let mut changed = 0;
                    for sql in restore_by_hand() {
                        changed += txn
                            .execute_unprepared(&sql)
                            .await
                            .expect("hand")
                            .rows_affected();
                    }
                    assert_eq!(changed, rows);
                }),
                4,
            ),
        ],
        ratios: vec![(0, 1)],
        runs_per_sample: 1,
        criterion: (10, 10),
    };
    vec![soft_delete, restore]
}

/// The hand-written restore: deepest level first, each row whose parent chain up to the first
/// level is trashed with the same timestamp.
fn restore_by_hand() -> Vec<String> {
    (0..LEVELS.len())
        .rev()
        .map(|level| {
            let table = LEVELS[level];
            let mut condition = String::new();
            for ancestor in (0..level).rev() {
                let (parent, child) = (LEVELS[ancestor], LEVELS[ancestor + 1]);
                condition.push_str(&format!(
                    " AND EXISTS (SELECT 1 FROM {parent} WHERE {parent}.id = {child}.parent_id \
                     AND {parent}.deleted_at = {child}.deleted_at"
                ));
            }
            condition.push_str(&")".repeat(level));
            format!("UPDATE {table} SET deleted_at = NULL WHERE deleted_at IS NOT NULL{condition}")
        })
        .collect()
}
