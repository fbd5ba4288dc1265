//! The admin's `GET` handlers: a list over any [`Listed`] entity, one row's page, and the
//! products that went to the trash with a category.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter, QueryOrder, Select};
use serde::Deserialize;
use soft_delete_core::{RowState, SoftDeleteEntityExt};

use super::failure::{AdminError, AdminResult};
use super::listed::Listed;
use super::query::{Act, ListQuery, MAX_PURGE_DAYS, Nav, PAGE_SIZES, Trashed};
use super::view::{
    ActionButton, BatchPage, ListPage, Notice, Pager, RowPage, RowView, Stamp, render,
};
use crate::{Db, MAX_PAGE, category, product};

/// The buttons of a row in its state: a delete for an active one; restore, restore with its
/// parent (when that is trashed too) and delete forever for a trashed one.
fn buttons<E: Listed>(id: i32, trashed: bool, parent_trashed: bool) -> Vec<ActionButton> {
    E::ACTS
        .iter()
        .filter(|act| act.wants_trashed() == trashed)
        .filter(|act| **act != Act::RestoreWithCategory || parent_trashed)
        .map(|act| ActionButton {
            label: act.label(),
            path: format!("/admin/{}/{id}/{}", E::NAV.path(), act.segment()),
            danger: act.destroys(),
        })
        .collect()
}

/// `GET /admin/{list}`: one page of the rows the filter and the search select, with the
/// filter's counts, the bulk actions and the purge form.
pub(super) async fn list<E: Listed>(
    State(db): State<Db>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> AdminResult<Response> {
    let Query(query) = query?;
    let mut view = query.view()?;
    let flash = query.notice().and_then(crate::flash::take);
    let search = view.search.as_deref().map(E::search);
    let searched = |select: Select<E>| match &search {
        Some(condition) => select.filter(condition.clone()),
        None => select,
    };
    let active = searched(E::objects()).count(&db).await?;
    let trashed = searched(E::deleted_objects()).count(&db).await?;
    let total = match view.trashed {
        Trashed::Without => active,
        Trashed::Only => trashed,
        Trashed::With => active + trashed,
    };
    // A page past the last (the rows of the last page left it, by an action or another
    // user's) shows the last page instead of an empty one.
    view.page = view.page.min(total.div_ceil(view.per_page).max(1));
    let rows = match view.trashed {
        Trashed::Without => E::objects().order_by_asc(E::id_column()),
        // The most recently deleted first, as a trash bin lists them.
        Trashed::Only => E::deleted_objects()
            .order_by_desc(E::marker_column())
            .order_by_asc(E::id_column()),
        Trashed::With => E::all_objects().order_by_asc(E::id_column()),
    };
    let rows = searched(rows)
        .paginate(&db, view.per_page)
        .fetch_page(view.page - 1)
        .await?;
    let described = E::describe(&db, &rows).await?;
    let focus = flash.as_ref().and_then(|flash| flash.focus);
    let row_views: Vec<RowView> = rows
        .iter()
        .zip(described)
        .map(|(row, described)| {
            let id = E::id(row);
            let deleted_at = E::deleted_at(row);
            RowView {
                id,
                href: format!("/admin/{}/{id}", E::NAV.path()),
                cells: described.cells,
                actions: buttons::<E>(id, deleted_at.is_some(), described.parent_trashed),
                deleted_at: deleted_at.map(Stamp::from),
                note: described.note,
                focused: focus == Some(id),
            }
        })
        .collect();
    let nav = E::NAV;
    let mut headers = vec!["ID"];
    headers.extend_from_slice(E::COLUMNS);
    let shows_status = view.trashed != Trashed::Without;
    if shows_status {
        headers.push("Status");
    }
    let empty = match (&view.search, view.trashed) {
        (Some(term), _) => format!("No {} match “{term}” here.", nav.path()),
        (None, Trashed::Only) => "The trash is empty.".into(),
        (None, _) => format!("No {}.", nav.path()),
    };
    let page = ListPage {
        nav: nav.path(),
        title: E::TITLE,
        noun: nav.noun(),
        notice: flash.map(|flash| Notice {
            text: flash.text,
            refused: flash.refused,
        }),
        focus_on_row: row_views.iter().any(|row| row.focused),
        search: view.search.clone().unwrap_or_default(),
        search_label: E::SEARCH_LABEL,
        trashed: view.trashed.as_str(),
        per_page: view.per_page,
        page_sizes: PAGE_SIZES,
        filters: ListPage::filters(nav, &view, active, trashed),
        back: view.query_string(view.page),
        headers,
        shows_status,
        can_delete: view.trashed != Trashed::Only,
        can_restore: view.trashed != Trashed::Without,
        empty,
        total,
        pager: Pager::new(total, view.page, view.per_page, |page| view.href(nav, page)),
        rows: row_views,
        max_purge_days: MAX_PURGE_DAYS,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `GET /admin/{list}/{id}`: 200 for an active row, 410 for a trashed one (with its
/// actions), 404 for one that is not there.
pub(super) async fn row<E: Listed>(
    State(db): State<Db>,
    id: Result<Path<i32>, PathRejection>,
) -> AdminResult<Response> {
    let Path(id) = id?;
    let nav = E::NAV;
    let (row, status, trashed) = match E::lookup_by_id(E::key(id)).one(&db).await? {
        RowState::Active(row) => (row, StatusCode::OK, None),
        RowState::Trashed { row, .. } => {
            let at = E::deleted_at(&row).map(|at| Stamp::from(at).human);
            let since = at.map_or_else(String::new, |at| format!(" since {at}"));
            let text = format!("Gone: this {} is in the trash{since}.", nav.noun());
            (row, StatusCode::GONE, Some(text))
        }
        RowState::Missing => {
            return Err(AdminError::NotFound(
                nav,
                format!("There is no {} {id}.", nav.noun()),
            ));
        }
    };
    let described = E::describe(&db, std::slice::from_ref(&row)).await?;
    let described = described.into_iter().next();
    let parent_trashed = described.as_ref().is_some_and(|d| d.parent_trashed);
    let mut links = Vec::new();
    if let Some(note) = described.and_then(|d| d.note)
        && let Some((href, label)) = note.link
    {
        links.push((href, format!("{} {label}", note.text)));
    }
    let page = RowPage {
        nav: nav.path(),
        title: format!("{} {id}", nav.title_noun()),
        trashed,
        fields: E::fields(&row),
        actions: buttons::<E>(id, status == StatusCode::GONE, parent_trashed),
        links,
    };
    Ok(render(status, &page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BatchQuery {
    page: Option<u64>,
}

/// The products listed per page of a cascade batch.
const BATCH_PER_PAGE: u64 = 50;

/// `GET /admin/categories/{id}/batch`: every product that went to the trash with the trashed
/// category `id` (its deletion batch), a page at a time.
pub(super) async fn batch(
    State(db): State<Db>,
    id: Result<Path<i32>, PathRejection>,
    query: Result<Query<BatchQuery>, QueryRejection>,
) -> AdminResult<Response> {
    let (Path(id), Query(query)) = (id?, query?);
    let page = query.page.unwrap_or(1);
    if !(1..=MAX_PAGE).contains(&page) {
        return Err(AdminError::BadRequest(format!(
            "pages go from 1 to {MAX_PAGE}"
        )));
    }
    let (row, batch) = match category::Entity::lookup_by_id(id).one(&db).await? {
        RowState::Trashed { row, .. } => {
            let batch = row.deleted_batch;
            (row, batch)
        }
        RowState::Active(row) => (row, None),
        RowState::Missing => {
            return Err(AdminError::NotFound(
                Nav::Categories,
                format!("There is no category {id}."),
            ));
        }
    };
    let (rows, total) = match batch {
        Some(batch) => {
            let went = product::Entity::deleted_objects()
                .filter(product::Column::CategoryId.eq(id))
                .filter(product::Column::DeletedBatch.eq(batch))
                .order_by_asc(product::Column::Id)
                .paginate(&db, BATCH_PER_PAGE);
            (went.fetch_page(page - 1).await?, went.num_items().await?)
        }
        None => (Vec::new(), 0),
    };
    let intro = if batch.is_some() {
        format!(
            "Went to the trash with category “{}”, and come back with it when it is restored: {}.",
            row.name,
            Nav::Products.count(total)
        )
    } else {
        format!(
            "Category “{}” is not in the trash: no products went with it.",
            row.name
        )
    };
    let page = BatchPage {
        nav: Nav::Categories.path(),
        title: format!("Went with category {id}"),
        intro,
        rows: rows
            .into_iter()
            .map(|product| (product.id, product.sku, product.name))
            .collect(),
        pager: Pager::new(total, page, BATCH_PER_PAGE, |page| {
            format!("/admin/categories/{id}/batch?page={page}")
        }),
        category_href: format!("/admin/categories/{id}"),
    };
    Ok(render(StatusCode::OK, &page))
}
