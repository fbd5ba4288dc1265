//! The SQL each finder and builder produces on each backend, built without a database.
//!
//! For these statements SQLite's text equals PostgreSQL's, and MySQL's differs only in quoting
//! identifiers with backticks; each case states the PostgreSQL text and checks all three.

use crate::common::entities::{account, membership, product, renamed};
use chrono::{TimeZone, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DbBackend, QueryTrait, Statement};

fn at() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5)
        .single()
        .unwrap_or_default()
}

#[track_caller]
fn assert_sql(build: impl Fn(DbBackend) -> Statement, postgres: &str) {
    assert_eq!(
        build(DbBackend::Postgres).to_string(),
        postgres,
        "PostgreSQL"
    );
    assert_eq!(build(DbBackend::Sqlite).to_string(), postgres, "SQLite");
    assert_eq!(
        build(DbBackend::MySql).to_string(),
        postgres.replace('"', "`"),
        "MySQL"
    );
}

const PRODUCT_COLUMNS: &str = r#"SELECT "product"."id", "product"."name", "product"."price", "product"."deleted_at" FROM "product""#;

#[test]
fn objects_selects_active_rows() {
    assert_sql(
        |backend| product::Entity::objects().build(backend),
        &format!(r#"{PRODUCT_COLUMNS} WHERE "product"."deleted_at" IS NULL"#),
    );
}

#[test]
fn deleted_objects_selects_the_trash() {
    assert_sql(
        |backend| product::Entity::deleted_objects().build(backend),
        &format!(r#"{PRODUCT_COLUMNS} WHERE "product"."deleted_at" IS NOT NULL"#),
    );
}

#[test]
fn all_objects_selects_every_row() {
    assert_sql(
        |backend| product::Entity::all_objects().build(backend),
        &format!(
            r#"{PRODUCT_COLUMNS} WHERE "product"."deleted_at" IS NULL OR "product"."deleted_at" IS NOT NULL"#
        ),
    );
}

#[test]
fn find_active_by_id_matches_every_key_column() {
    assert_sql(
        |backend| membership::Entity::find_active_by_id((1, 2)).build(backend),
        r#"SELECT "membership"."org_id", "membership"."user_id", "membership"."role", "membership"."deleted_at" FROM "membership" WHERE "membership"."org_id" = 1 AND "membership"."user_id" = 2 AND "membership"."deleted_at" IS NULL"#,
    );
}

#[test]
fn update_many_active_skips_the_trash() {
    assert_sql(
        |backend| {
            product::Entity::update_many_active()
                .col_expr(product::Column::Price, Expr::value(0))
                .build(backend)
        },
        r#"UPDATE "product" SET "price" = 0 WHERE "product"."deleted_at" IS NULL"#,
    );
}

#[test]
fn soft_delete_many_stamps_only_active_rows() {
    assert_sql(
        |backend| {
            product::Entity::soft_delete_many()
                .filter(product::Column::Price.gt(100))
                .at(at())
                .build(backend)
        },
        r#"UPDATE "product" SET "deleted_at" = '2026-01-02 03:04:05.000000 +00:00' WHERE "product"."price" > 100 AND "product"."deleted_at" IS NULL"#,
    );
}

#[test]
fn restore_many_clears_only_trashed_rows() {
    assert_sql(
        |backend| {
            product::Entity::restore_many()
                .filter(product::Column::Price.gt(100))
                .build(backend)
        },
        r#"UPDATE "product" SET "deleted_at" = NULL WHERE "product"."price" > 100 AND "product"."deleted_at" IS NOT NULL"#,
    );
}

#[test]
fn force_delete_many_is_a_real_delete() {
    assert_sql(
        |backend| product::Entity::force_delete_many().build(backend),
        r#"DELETE FROM "product""#,
    );
    assert_sql(
        |backend| {
            product::Entity::force_delete_many()
                .only_trashed()
                .build(backend)
        },
        r#"DELETE FROM "product" WHERE "product"."deleted_at" IS NOT NULL"#,
    );
}

#[test]
fn a_renamed_marker_uses_its_column_name() {
    assert_sql(
        |backend| renamed::Entity::soft_delete_many().at(at()).build(backend),
        r#"UPDATE "renamed" SET "trashed_on" = '2026-01-02 03:04:05.000000 +00:00' WHERE "renamed"."trashed_on" IS NULL"#,
    );
}

#[test]
fn mariadb_marker_column_gets_microseconds() {
    let fix = soft_delete_core::schema::marker_precision_fix::<product::Entity>(DbBackend::MySql)
        .map(|statement| DbBackend::MySql.build(&statement).to_string());
    assert_eq!(
        fix.as_deref(),
        Some("ALTER TABLE `product` MODIFY COLUMN `deleted_at` DATETIME(6) NULL")
    );
    assert!(
        soft_delete_core::schema::marker_precision_fix::<product::Entity>(DbBackend::Postgres)
            .is_none()
    );
    assert!(
        soft_delete_core::schema::marker_precision_fix::<product::Entity>(DbBackend::Sqlite)
            .is_none()
    );
}

#[test]
fn purge_batches_use_a_keyed_subquery_or_delete_limit() {
    let purge = product::Entity::purge_trash(at()).batch_size(500);
    let sql = |backend: DbBackend| backend.build(&purge.batch_statement(backend)).to_string();
    let keyed = r#"DELETE FROM "product" WHERE ("product"."id") IN (SELECT "product"."id" FROM "product" WHERE "product"."deleted_at" < '2026-01-02 03:04:05.000000 +00:00' ORDER BY "product"."id" ASC LIMIT 500) AND "product"."deleted_at" < '2026-01-02 03:04:05.000000 +00:00'"#;
    assert_eq!(sql(DbBackend::Sqlite), keyed);
    // PostgreSQL: an array of the keys, looked up by the primary key (no join to plan).
    assert_eq!(
        sql(DbBackend::Postgres),
        r#"DELETE FROM "product" WHERE ("product"."id" = ANY(ARRAY (SELECT "product"."id" FROM "product" WHERE "product"."deleted_at" < '2026-01-02 03:04:05.000000 +00:00' ORDER BY "product"."id" ASC LIMIT 500))) AND "product"."deleted_at" < '2026-01-02 03:04:05.000000 +00:00'"#
    );
    assert_eq!(
        sql(DbBackend::MySql),
        "DELETE FROM `product` WHERE `product`.`deleted_at` < '2026-01-02 03:04:05.000000 +00:00' ORDER BY `product`.`id` ASC LIMIT 500"
    );
}

#[test]
fn composite_keys_purge_by_row_value() {
    let purge = membership::Entity::purge_trash(at());
    let sql = DbBackend::Postgres
        .build(&purge.batch_statement(DbBackend::Postgres))
        .to_string();
    assert!(
        sql.starts_with(r#"DELETE FROM "membership" WHERE ("membership"."org_id", "membership"."user_id") IN (SELECT "membership"."org_id", "membership"."user_id" FROM"#),
        "{sql}"
    );
}

#[test]
fn active_unique_keys_per_backend() {
    use soft_delete_core::schema::active_unique_indexes;
    let render = |backend: DbBackend| -> Vec<String> {
        active_unique_indexes::<account::Entity>(backend)
            .iter()
            .map(|statement| statement.to_string(backend))
            .collect()
    };
    let partial = [
        r#"CREATE UNIQUE INDEX "sd_uq_account_email" ON "account" ("email") WHERE "deleted_at" IS NULL"#,
        r#"CREATE UNIQUE INDEX "sd_uq_account_org_id_handle" ON "account" ("org_id", "handle") WHERE "deleted_at" IS NULL"#,
    ];
    assert_eq!(render(DbBackend::Postgres), partial);
    assert_eq!(render(DbBackend::Sqlite), partial);
    // A plain ADD COLUMN, once per table: MySQL 8 has no `ADD COLUMN IF NOT EXISTS`.
    assert_eq!(
        render(DbBackend::MySql),
        [
            "ALTER TABLE `account` ADD COLUMN `sd_active` tinyint GENERATED ALWAYS AS ((CASE WHEN (`deleted_at` IS NULL) THEN 1 END)) STORED",
            "CREATE UNIQUE INDEX `sd_uq_account_email` ON `account` (`email`, `sd_active`)",
            "CREATE UNIQUE INDEX `sd_uq_account_org_id_handle` ON `account` (`org_id`, `handle`, `sd_active`)",
        ]
    );
}

#[test]
fn active_index_is_partial_where_the_backend_allows() {
    use soft_delete_core::schema::active_index;
    let sql = |backend: DbBackend| {
        backend
            .build(&active_index::<product::Entity>(
                "idx_product_active",
                &[product::Column::Name],
                backend,
            ))
            .to_string()
    };
    assert_eq!(
        sql(DbBackend::Postgres),
        r#"CREATE INDEX "idx_product_active" ON "product" ("name") WHERE "deleted_at" IS NULL"#
    );
    assert_eq!(
        sql(DbBackend::MySql),
        "CREATE INDEX `idx_product_active` ON `product` (`deleted_at`, `name`)"
    );
}

/// A plan's statements as text, with the operation's random batch id written `<batch>`.
fn plan_text(plan: Vec<Statement>) -> Vec<String> {
    let text: Vec<String> = plan.iter().map(ToString::to_string).collect();
    let batch = text
        .first()
        .and_then(|first| {
            ["_batch\" = ", "_batch` = "]
                .iter()
                .find_map(|column| first.split(column).nth(1))
        })
        .and_then(|rest| rest.split(' ').next())
        .map(str::to_owned);
    match batch {
        Some(batch) => text
            .iter()
            .map(|sql| sql.replace(&batch, "<batch>"))
            .collect(),
        None => text,
    }
}

const CASCADE_SOFT_DELETE: [&str; 4] = [
    r#"UPDATE "category" SET "deleted_at" = '2026-01-02 03:04:05.000000 +00:00', "deleted_batch" = <batch> WHERE "category"."id" = 1 AND "category"."deleted_at" IS NULL"#,
    r#"UPDATE "item" SET "deleted_at" = '2026-01-02 03:04:05.000000 +00:00', "trash_batch" = <batch> WHERE "item"."category_id" IN (SELECT "category"."id" FROM "category" WHERE "category"."deleted_batch" = <batch>) AND "item"."deleted_at" IS NULL"#,
    r#"UPDATE "review" SET "deleted_at" = '2026-01-02 03:04:05.000000 +00:00', "deleted_batch" = <batch> WHERE "review"."item_id" IN (SELECT "item"."id" FROM "item" WHERE "item"."trash_batch" = <batch>) AND "review"."deleted_at" IS NULL"#,
    r#"UPDATE "item_label" SET "deleted_at" = '2026-01-02 03:04:05.000000 +00:00', "deleted_batch" = <batch> WHERE "item_label"."item_id" IN (SELECT "item"."id" FROM "item" WHERE "item"."trash_batch" = <batch>) AND "item_label"."deleted_at" IS NULL"#,
];

#[test]
fn a_cascade_soft_delete_plan_is_one_update_per_table() {
    use crate::common::entities::category;
    let plan = |backend| {
        plan_text(
            category::Entity::soft_delete_many()
                .filter(category::Column::Id.eq(1))
                .at(at())
                .statements(backend)
                .expect("plan"),
        )
    };
    assert_eq!(plan(DbBackend::Postgres), CASCADE_SOFT_DELETE, "PostgreSQL");
    assert_eq!(plan(DbBackend::Sqlite), CASCADE_SOFT_DELETE, "SQLite");
    // MySQL and MariaDB refuse a subquery on the table being changed (error 1093) unless it is
    // wrapped in a derived table; the item edge's subquery reads `category`, not `item`, but
    // every edge is wrapped alike.
    assert_eq!(
        plan(DbBackend::MySql)[1],
        "UPDATE `item` SET `deleted_at` = '2026-01-02 03:04:05.000000 +00:00', `trash_batch` = <batch> WHERE `item`.`category_id` IN (SELECT `sd_rows`.`id` FROM (SELECT `category`.`id` FROM `category` WHERE `category`.`deleted_batch` = <batch>) AS `sd_rows`) AND `item`.`deleted_at` IS NULL",
        "MySQL"
    );
}

#[test]
fn a_cascade_restore_plan_restores_the_root_then_each_table_deepest_first() {
    use crate::common::entities::category;
    // The root keeps its batch, which the descendants are matched by; each level is named
    // through its still-trashed parents, deepest first, and clears its own batch: one statement
    // per table.
    let items = r#"SELECT "item"."id", "item"."trash_batch" FROM "item" WHERE "item"."deleted_at" IS NOT NULL AND ("item"."category_id", "item"."trash_batch") IN (SELECT "category"."id", "category"."deleted_batch" FROM "category" WHERE "category"."deleted_at" IS NULL AND "category"."deleted_batch" IS NOT NULL) AND "item"."trash_batch" IS NOT NULL"#;
    let expected = [
        r#"UPDATE "category" SET "deleted_at" = NULL WHERE "category"."deleted_at" IS NOT NULL"#.to_owned(),
        format!(r#"UPDATE "item_label" SET "deleted_at" = NULL, "deleted_batch" = NULL WHERE "item_label"."deleted_at" IS NOT NULL AND ("item_label"."item_id", "item_label"."deleted_batch") IN ({items})"#),
        format!(r#"UPDATE "review" SET "deleted_at" = NULL, "deleted_batch" = NULL WHERE "review"."deleted_at" IS NOT NULL AND ("review"."item_id", "review"."deleted_batch") IN ({items})"#),
        r#"UPDATE "item" SET "deleted_at" = NULL, "trash_batch" = NULL WHERE "item"."deleted_at" IS NOT NULL AND ("item"."category_id", "item"."trash_batch") IN (SELECT "category"."id", "category"."deleted_batch" FROM "category" WHERE "category"."deleted_at" IS NULL AND "category"."deleted_batch" IS NOT NULL)"#.to_owned(),
    ];
    let plan = |backend| {
        plan_text(
            category::Entity::restore_many()
                .statements(backend)
                .expect("plan"),
        )
    };
    assert_eq!(plan(DbBackend::Sqlite), expected, "SQLite");
    // PostgreSQL names the restored roots by an array of their keys (see `restored_roots`):
    // the same rows, which its planner does not take for none.
    let active_roots =
        r#""category"."deleted_at" IS NULL AND "category"."deleted_batch" IS NOT NULL"#;
    let roots_by_key = format!(
        r#"("category"."id" = ANY(ARRAY (SELECT "category"."id" FROM "category" WHERE {active_roots})))"#
    );
    let postgres: Vec<String> = expected
        .iter()
        .map(|sql| {
            sql.replace(
                &format!("WHERE {active_roots})"),
                &format!("WHERE {roots_by_key} AND \"category\".\"deleted_batch\" IS NOT NULL)"),
            )
        })
        .collect();
    assert_eq!(
        postgres[1..]
            .iter()
            .filter(|sql| sql.contains("ANY(ARRAY"))
            .count(),
        3
    );
    assert_eq!(plan(DbBackend::Postgres), postgres, "PostgreSQL");
    // MariaDB and MySQL: a correlated EXISTS per level, which they run faster than the row-value
    // IN over a derived table.
    let trashed_item = "`item`.`deleted_at` IS NOT NULL AND EXISTS(SELECT 1 FROM `category` WHERE `category`.`deleted_at` IS NULL AND `category`.`deleted_batch` IS NOT NULL AND `category`.`id` = `item`.`category_id` AND `category`.`deleted_batch` = `item`.`trash_batch`)";
    let under_item = |table: &str| {
        format!(
            "UPDATE `{table}` SET `deleted_at` = NULL, `deleted_batch` = NULL WHERE `{table}`.`deleted_at` IS NOT NULL AND EXISTS(SELECT 1 FROM `item` WHERE {trashed_item} AND `item`.`trash_batch` IS NOT NULL AND `item`.`id` = `{table}`.`item_id` AND `item`.`trash_batch` = `{table}`.`deleted_batch`)"
        )
    };
    let mysql = [
        expected[0].replace('"', "`"),
        under_item("item_label"),
        under_item("review"),
        format!("UPDATE `item` SET `deleted_at` = NULL, `trash_batch` = NULL WHERE {trashed_item}"),
    ];
    assert_eq!(plan(DbBackend::MySql), mysql, "MySQL");
}

#[test]
fn a_cascade_force_delete_plan_deletes_the_deepest_tables_first() {
    use crate::common::entities::category;
    let plan = |backend| {
        plan_text(
            category::Entity::force_delete_many()
                .filter(category::Column::Id.eq(1))
                .statements(backend)
                .expect("plan"),
        )
    };
    let expected = [
        r#"DELETE FROM "item_label" WHERE "item_label"."item_id" IN (SELECT "item"."id" FROM "item" WHERE "item"."category_id" IN (SELECT "category"."id" FROM "category" WHERE "category"."id" = 1))"#,
        r#"DELETE FROM "review" WHERE "review"."item_id" IN (SELECT "item"."id" FROM "item" WHERE "item"."category_id" IN (SELECT "category"."id" FROM "category" WHERE "category"."id" = 1))"#,
        r#"DELETE FROM "item" WHERE "item"."category_id" IN (SELECT "category"."id" FROM "category" WHERE "category"."id" = 1)"#,
        r#"DELETE FROM "category" WHERE "category"."id" = 1"#,
    ];
    assert_eq!(plan(DbBackend::Postgres), expected, "PostgreSQL");
    assert_eq!(plan(DbBackend::Sqlite), expected, "SQLite");
    assert_eq!(
        plan(DbBackend::MySql)[3],
        expected[3].replace('"', "`"),
        "MySQL"
    );
}

#[test]
fn an_audit_plan_writes_every_audit_column_in_the_state_change() {
    use crate::audit::memo;
    assert_sql(
        |backend| {
            let plan = memo::Entity::soft_delete_many()
                .by("ada")
                .at(at())
                .statements(backend)
                .expect("plan");
            assert_eq!(plan.len(), 1, "one statement");
            plan.into_iter().next().expect("the update")
        },
        r#"UPDATE "memo" SET "deleted_at" = '2026-01-02 03:04:05.000000 +00:00', "updated_at" = '2026-01-02 03:04:05.000000 +00:00', "deleted_by" = 'ada' WHERE "memo"."deleted_at" IS NULL"#,
    );
}

#[test]
fn a_hooked_plan_is_refused_because_its_writes_name_the_keys_read_first() {
    use crate::hooks::ledger;
    for backend in [DbBackend::Postgres, DbBackend::Sqlite, DbBackend::MySql] {
        for refused in [
            ledger::Entity::soft_delete_many().statements(backend),
            ledger::Entity::restore_many().statements(backend),
            ledger::Entity::force_delete_many().statements(backend),
        ] {
            let error = refused.expect_err("hooks make the statements depend on the data");
            assert_eq!(
                error.to_string(),
                error
                    .to_string()
                    .split(':')
                    .next()
                    .unwrap_or_default()
                    .to_owned()
                    + ": hooks read the rows' keys first, and the writes name those keys",
                "{backend:?}"
            );
            assert!(matches!(
                error,
                soft_delete_core::Error::StatementsDependOnData {
                    table: "ledger",
                    ..
                }
            ));
        }
    }
}

/// Two entities on one table, the second a cascade child of the first (an outline's top
/// entries and their sub-entries, say).
mod shared_table {
    pub mod entry {
        use sea_orm::entity::prelude::*;
        use soft_delete_core::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
        #[sea_orm(table_name = "outline_entry")]
        #[soft_delete(cascade(super::sub_entry::Entity))]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub parent_id: Option<i32>,
            pub deleted_at: Option<DateTimeUtc>,
            pub deleted_batch: Option<i64>,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {
            #[sea_orm(has_many = "super::sub_entry::Entity")]
            SubEntry,
        }

        impl Related<super::sub_entry::Entity> for Entity {
            fn to() -> RelationDef {
                Relation::SubEntry.def()
            }
        }

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod sub_entry {
        use sea_orm::entity::prelude::*;
        use soft_delete_core::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
        #[sea_orm(table_name = "outline_entry")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub parent_id: Option<i32>,
            pub deleted_at: Option<DateTimeUtc>,
            pub deleted_batch: Option<i64>,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {
            #[sea_orm(
                belongs_to = "super::entry::Entity",
                from = "Column::ParentId",
                to = "super::entry::Column::Id"
            )]
            Entry,
        }

        impl Related<super::entry::Entity> for Entity {
            fn to() -> RelationDef {
                Relation::Entry.def()
            }
        }

        impl ActiveModelBehavior for ActiveModel {}
    }
}

#[test]
fn a_cascade_between_two_entities_on_one_table_keeps_the_derived_table_on_mysql() {
    // A correlated EXISTS on the same table would compare each row with itself (the child's
    // table name names the subquery's row), and MySQL refuses a subquery on the changed table
    // unless it is a derived table.
    let plan = plan_text(
        shared_table::entry::Entity::restore_many()
            .statements(DbBackend::MySql)
            .expect("plan"),
    );
    assert_eq!(plan.len(), 2, "{plan:#?}");
    assert_eq!(
        plan[1],
        "UPDATE `outline_entry` SET `deleted_at` = NULL, `deleted_batch` = NULL WHERE `outline_entry`.`deleted_at` IS NOT NULL AND (`outline_entry`.`parent_id`, `outline_entry`.`deleted_batch`) IN (SELECT `sd_rows`.`id`, `sd_rows`.`deleted_batch` FROM (SELECT `outline_entry`.`id`, `outline_entry`.`deleted_batch` FROM `outline_entry` WHERE `outline_entry`.`deleted_at` IS NULL AND `outline_entry`.`deleted_batch` IS NOT NULL) AS `sd_rows`)"
    );
}
