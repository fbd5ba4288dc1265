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
        PRODUCT_COLUMNS,
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
    assert_eq!(sql(DbBackend::Postgres), keyed);
    assert_eq!(sql(DbBackend::Sqlite), keyed);
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
