//! What the admin needs of an entity to list it and act on it, written once for both tables:
//! its columns and search, how its rows read in a table, and what an action on some of them
//! takes along (the confirmation page's counts).

use std::future::Future;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{BinOper, Expr, ExprTrait, Func};
use sea_orm::{
    ColumnTrait, Condition, DbErr, PaginatorTrait, PrimaryKeyTrait, QueryFilter, QuerySelect,
};
use soft_delete_core::SoftDeleteEntity;

use super::query::{Act, LIKE_ESCAPE, Nav, contains_pattern};
use super::view::Note;
use crate::{Db, category, product};

/// How one row reads in the list: its cells, a note for a trashed row, and whether its
/// cascade parent is in the trash too (then "Restore with category" is offered).
pub(super) struct Described {
    pub(super) cells: Vec<(&'static str, String)>,
    pub(super) note: Option<Note>,
    pub(super) parent_trashed: bool,
}

/// A soft-deletable entity the admin lists and acts on.
pub(super) trait Listed: SoftDeleteEntity<Model: Send + Sync> + Send + Sync {
    const NAV: Nav;
    /// The list page's heading.
    const TITLE: &'static str;
    /// What the search box searches, as its label says it.
    const SEARCH_LABEL: &'static str;
    /// The table's columns between the ID and the status.
    const COLUMNS: &'static [&'static str];
    /// The actions a row of it takes, by path segment.
    const ACTS: &'static [Act];

    fn id_column() -> Self::Column;
    fn id(model: &Self::Model) -> i32;
    fn key(id: i32) -> <Self::PrimaryKey as PrimaryKeyTrait>::ValueType;
    fn deleted_at(model: &Self::Model) -> Option<DateTime<Utc>>;
    /// The columns a search looks in.
    fn searched() -> Vec<Self::Column>;
    /// The row's page: its fields, by name.
    fn fields(model: &Self::Model) -> Vec<(&'static str, String)>;

    /// The rows of a page as the table shows them, in their order, in a bounded number of reads
    /// whatever the page's size.
    fn describe(
        db: &Db,
        rows: &[Self::Model],
    ) -> impl Future<Output = Result<Vec<Described>, DbErr>> + Send;

    /// What `act` on the rows `ids` of it takes along in other tables, one line per table, for
    /// the confirmation page.
    fn takes_along(
        db: &Db,
        act: Act,
        ids: &[i32],
    ) -> impl Future<Output = Result<Vec<String>, DbErr>> + Send;

    /// The rows that went to the trash with `model` when it was deleted: counted for the notice
    /// of a delete, and before a restore (which brings them back).
    fn went_with(db: &Db, model: &Self::Model) -> impl Future<Output = Result<u64, DbErr>> + Send;

    /// Rows whose searched columns contain `term`, ignoring case as the database's `LOWER`
    /// does (both sides folded by the same function: ASCII only on SQLite).
    fn search(term: &str) -> Condition {
        let pattern = contains_pattern(term);
        Self::searched()
            .into_iter()
            .fold(Condition::any(), |any, column| {
                // `LOWER(column) LIKE LOWER(pattern) ESCAPE '!'`: sea-query's `LikeExpr` takes a
                // string, not an expression to fold, so the pattern's side is built as it builds
                // its own (an `ESCAPE` operator over the pattern), with the pattern bound.
                let pattern = Expr::expr(Func::lower(Expr::val(pattern.clone())))
                    .binary(BinOper::Escape, Expr::Constant(LIKE_ESCAPE.into()));
                any.add(Expr::expr(Func::lower(Expr::col(column))).binary(BinOper::Like, pattern))
            })
    }
}

impl Listed for product::Entity {
    const NAV: Nav = Nav::Products;
    const TITLE: &'static str = "Products";
    const SEARCH_LABEL: &'static str = "Search names and SKUs";
    const COLUMNS: &'static [&'static str] = &["SKU", "Name", "Category", "Price"];
    const ACTS: &'static [Act] = &[
        Act::Delete,
        Act::Restore,
        Act::RestoreWithCategory,
        Act::ForceDelete,
    ];

    fn id_column() -> product::Column {
        product::Column::Id
    }
    fn id(model: &product::Model) -> i32 {
        model.id
    }
    fn key(id: i32) -> i32 {
        id
    }
    fn deleted_at(model: &product::Model) -> Option<DateTime<Utc>> {
        model.deleted_at
    }
    fn searched() -> Vec<product::Column> {
        vec![product::Column::Name, product::Column::Sku]
    }
    fn fields(model: &product::Model) -> Vec<(&'static str, String)> {
        vec![
            ("SKU", model.sku.clone()),
            ("Name", model.name.clone()),
            ("Category", model.category_id.to_string()),
            ("Price", model.price.to_string()),
        ]
    }

    async fn describe(db: &Db, rows: &[product::Model]) -> Result<Vec<Described>, DbErr> {
        let mut category_ids: Vec<i32> = rows.iter().map(|row| row.category_id).collect();
        category_ids.sort_unstable();
        category_ids.dedup();
        let categories = category::Entity::all_objects()
            .filter(category::Column::Id.is_in(category_ids))
            .all(db)
            .await?;
        Ok(rows
            .iter()
            .map(|row| {
                let category = categories.iter().find(|c| c.id == row.category_id);
                let trashed_category = category.filter(|c| c.deleted_at.is_some());
                let note = row.deleted_at.and(trashed_category).map(|category| {
                    let text = if category.deleted_batch.is_some()
                        && category.deleted_batch == row.deleted_batch
                    {
                        format!("Went with category “{}”.", category.name)
                    } else {
                        format!("Category “{}” is in the trash.", category.name)
                    };
                    Note {
                        text,
                        link: Some((
                            format!("/admin/categories/{}", category.id),
                            "Its category".into(),
                        )),
                    }
                });
                Described {
                    cells: vec![
                        ("SKU", row.sku.clone()),
                        ("Name", row.name.clone()),
                        (
                            "Category",
                            category
                                .map_or_else(|| row.category_id.to_string(), |c| c.name.clone()),
                        ),
                        ("Price", row.price.to_string()),
                    ],
                    note,
                    parent_trashed: row.deleted_at.is_some() && trashed_category.is_some(),
                }
            })
            .collect())
    }

    async fn takes_along(_: &Db, _: Act, _: &[i32]) -> Result<Vec<String>, DbErr> {
        Ok(Vec::new())
    }

    async fn went_with(_: &Db, _: &product::Model) -> Result<u64, DbErr> {
        Ok(0)
    }
}

impl Listed for category::Entity {
    const NAV: Nav = Nav::Categories;
    const TITLE: &'static str = "Categories";
    const SEARCH_LABEL: &'static str = "Search names";
    const COLUMNS: &'static [&'static str] = &["Name", "Products"];
    const ACTS: &'static [Act] = &[Act::Delete, Act::Restore, Act::ForceDelete];

    fn id_column() -> category::Column {
        category::Column::Id
    }
    fn id(model: &category::Model) -> i32 {
        model.id
    }
    fn key(id: i32) -> i32 {
        id
    }
    fn deleted_at(model: &category::Model) -> Option<DateTime<Utc>> {
        model.deleted_at
    }
    fn searched() -> Vec<category::Column> {
        vec![category::Column::Name]
    }
    fn fields(model: &category::Model) -> Vec<(&'static str, String)> {
        vec![("Name", model.name.clone())]
    }

    async fn describe(db: &Db, rows: &[category::Model]) -> Result<Vec<Described>, DbErr> {
        // Active products per active category, and trashed products per (category, batch) of
        // the trashed ones: two grouped reads for the whole page.
        let active_ids = rows
            .iter()
            .filter(|row| row.deleted_at.is_none())
            .map(|row| row.id);
        let active: Vec<(i32, i64)> = product::Entity::objects()
            .select_only()
            .column(product::Column::CategoryId)
            .column_as(product::Column::Id.count(), "products")
            .filter(product::Column::CategoryId.is_in(active_ids))
            .group_by(product::Column::CategoryId)
            .into_tuple()
            .all(db)
            .await?;
        let trashed_ids = rows
            .iter()
            .filter(|row| row.deleted_at.is_some())
            .map(|row| row.id);
        let batches: Vec<(i32, Option<i64>, i64)> = product::Entity::deleted_objects()
            .select_only()
            .column(product::Column::CategoryId)
            .column(product::Column::DeletedBatch)
            .column_as(product::Column::Id.count(), "products")
            .filter(product::Column::CategoryId.is_in(trashed_ids))
            .group_by(product::Column::CategoryId)
            .group_by(product::Column::DeletedBatch)
            .into_tuple()
            .all(db)
            .await?;
        Ok(rows
            .iter()
            .map(|row| {
                let (count, note) = if row.deleted_at.is_none() {
                    let count = active
                        .iter()
                        .find(|(category, _)| *category == row.id)
                        .map_or(0, |(_, count)| *count);
                    (count, None)
                } else {
                    let count = batches
                        .iter()
                        .find(|(category, batch, _)| {
                            *category == row.id && batch.is_some() && *batch == row.deleted_batch
                        })
                        .map_or(0, |(_, _, count)| *count);
                    let note = (count > 0).then(|| Note {
                        text: format!(
                            "Went with it: {}.",
                            Nav::Products.count(count.unsigned_abs())
                        ),
                        link: Some((
                            format!("/admin/categories/{}/batch", row.id),
                            "List them".into(),
                        )),
                    });
                    (count, note)
                };
                Described {
                    cells: vec![("Name", row.name.clone()), ("Products", count.to_string())],
                    note,
                    parent_trashed: false,
                }
            })
            .collect())
    }

    async fn takes_along(db: &Db, act: Act, ids: &[i32]) -> Result<Vec<String>, DbErr> {
        let ids_checked = ids.len();
        let ids = ids.to_vec();
        let products = match act {
            Act::Delete => {
                let active = category::Entity::objects()
                    .select_only()
                    .column(category::Column::Id)
                    .filter(category::Column::Id.is_in(ids));
                product::Entity::objects()
                    .filter(
                        product::Column::CategoryId
                            .in_subquery(sea_orm::QueryTrait::into_query(active)),
                    )
                    .count(db)
                    .await?
            }
            Act::Restore | Act::RestoreWithCategory => {
                let trashed = category::Entity::deleted_objects()
                    .filter(category::Column::Id.is_in(ids))
                    .all(db)
                    .await?;
                let same_batch = trashed
                    .iter()
                    .filter_map(|row| row.deleted_batch.map(|batch| (row.id, batch)))
                    .fold(Condition::any(), |any, (id, batch)| {
                        any.add(
                            product::Column::CategoryId
                                .eq(id)
                                .and(product::Column::DeletedBatch.eq(batch)),
                        )
                    });
                if same_batch.is_empty() {
                    0
                } else {
                    product::Entity::deleted_objects()
                        .filter(same_batch)
                        .count(db)
                        .await?
                }
            }
            Act::ForceDelete => {
                let trashed = category::Entity::deleted_objects()
                    .select_only()
                    .column(category::Column::Id)
                    .filter(category::Column::Id.is_in(ids));
                product::Entity::all_objects()
                    .filter(
                        product::Column::CategoryId
                            .in_subquery(sea_orm::QueryTrait::into_query(trashed)),
                    )
                    .count(db)
                    .await?
            }
        };
        let them = if ids_checked == 1 { "it" } else { "them" };
        let what = match act {
            Act::Delete => format!("which go to the trash with {them}"),
            Act::Restore | Act::RestoreWithCategory => format!("which come back with {them}"),
            Act::ForceDelete => format!("deleted for good with {them}"),
        };
        Ok(vec![format!("{}, {what}", Nav::Products.count(products))])
    }

    async fn went_with(db: &Db, model: &category::Model) -> Result<u64, DbErr> {
        let Some(batch) = model.deleted_batch else {
            return Ok(0);
        };
        product::Entity::deleted_objects()
            .filter(product::Column::CategoryId.eq(model.id))
            .filter(product::Column::DeletedBatch.eq(batch))
            .count(db)
            .await
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{DbBackend, EntityTrait, QueryFilter, QueryTrait};

    use super::*;

    #[test]
    fn a_search_folds_both_sides_and_escapes_with_a_bang() {
        let select = product::Entity::find().filter(<product::Entity as Listed>::search("50%"));
        for backend in [DbBackend::Sqlite, DbBackend::MySql, DbBackend::Postgres] {
            let statement = select.build(backend);
            let (name, sku) = match backend {
                DbBackend::MySql => ("`name`", "`sku`"),
                _ => ("\"name\"", "\"sku\""),
            };
            let (first, second) = match backend {
                DbBackend::Postgres => ("$1", "$2"),
                _ => ("?", "?"),
            };
            let expected = format!(
                "WHERE LOWER({name}) LIKE LOWER({first}) ESCAPE '!' OR LOWER({sku}) LIKE LOWER({second}) ESCAPE '!'"
            );
            assert!(
                statement.sql.ends_with(&expected),
                "{backend:?}: {}",
                statement.sql
            );
            let values = statement.values.expect("bound values").0;
            assert_eq!(
                values,
                vec![sea_orm::Value::from("%50!%%"); 2],
                "{backend:?}"
            );
        }
    }
}
