//! The SQL each finder and builder produces on each backend, built without a database.
//!
//! For these statements SQLite's text equals PostgreSQL's, and MySQL's differs only in quoting
//! identifiers with backticks; each case states the PostgreSQL text and checks all three.

mod common;

use chrono::{TimeZone, Utc};
use common::entities::{membership, product, renamed};
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
