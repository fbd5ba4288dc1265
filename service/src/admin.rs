//! The trash-bin admin: server-rendered pages for products and categories, the active rows and
//! the trash side by side, with soft delete, restore, force delete and purge as plain forms.
//!
//! | method and path | what |
//! |---|---|
//! | `GET /admin/products?page=0&trash_page=0&per_page=20` | active products and the trash |
//! | `GET /admin/categories?..` | the same for categories; a trashed one lists what went with it |
//! | `GET /admin/products/{id}`, `GET /admin/categories/{id}` | one row: 200, 410 when trashed, 404 |
//! | `POST /admin/products/{id}/delete`, `../restore`, `../restore-with-category`, `../force-delete` | actions |
//! | `POST /admin/categories/{id}/delete`, `../restore`, `../force-delete` | actions, with cascades |
//! | `POST /admin/purge` (form: `older_than_days`) | purges expired trash of both tables |
//!
//! "Delete forever" and "Purge" answer with a confirmation page first, which counts what will
//! go and posts the action again with `confirmed=yes`. Every action is a `POST` that answers
//! `303 See Other` back to the list, with what happened in the page (under a one-time token); a refused one (a restore whose SKU is taken, or whose category is trashed)
//! renders the list with the reason and status 409. A `POST` a browser marks as cross-site is
//! refused (403): the admin has no login, but another site's form must not drive it.

use askama::Template;
use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, Request, State};
use axum::http::{StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ColumnTrait, DbErr, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Deserialize;
use soft_delete_core::{Error, RowState};

use crate::{Db, MAX_PAGE, category, product, retrying};

/// The longest retention the purge form takes, in days (a century).
pub const MAX_PURGE_DAYS: u32 = 36_500;

/// The columns of a trashed product in the list.
const TRASH_PRODUCT_COLUMNS: [&str; 2] = ["SKU", "Category"];

/// Products a trashed category lists as having gone with it, at most.
const CASCADE_LISTED: u64 = 10;

/// The admin's routes, merged into the service's router.
pub fn router() -> Router<Db> {
    Router::new()
        .route("/admin", get(|| async { Redirect::to("/admin/products") }))
        .route("/admin/products", get(products_page))
        .route("/admin/categories", get(categories_page))
        .route("/admin/products/{id}", get(product_page))
        .route("/admin/categories/{id}", get(category_page))
        .route("/admin/products/{id}/{action}", post(product_action))
        .route("/admin/categories/{id}/{action}", post(category_action))
        .route("/admin/purge", post(purge))
        .layer(axum::middleware::from_fn(refuse_cross_site_posts))
}

/// Whether `uri` is one of the admin's, whose errors are pages rather than JSON.
pub fn is_admin(uri: &Uri) -> bool {
    uri.path() == "/admin" || uri.path().starts_with("/admin/")
}

/// The page for a path that matched no admin route (404) or not with this method (405).
pub fn no_route(status: StatusCode) -> Response {
    let message = if status == StatusCode::METHOD_NOT_ALLOWED {
        "This address takes another method: actions are buttons, not links."
    } else {
        "There is no such page."
    };
    message_page(status, "products", "Not here", message)
}

/// Refuses a `POST` from another site, forbids framing every admin page (clickjacking would
/// otherwise turn a same-origin click into another site's action), and keeps every admin page
/// out of the browser's cache, so that Back shows the rows as they are now, not the buttons of
/// a page drawn before a restore.
///
/// Browsers say where a request comes from in `Sec-Fetch-Site`: only `same-origin` (and `none`,
/// a request the user made directly) passes. Without that header (older browsers) the `Origin`
/// must name this host (`null`, sent by sandboxed frames and after cross-origin redirects, does
/// not); a request with neither header is not from a browser form and passes (curl, tests).
/// Behind a reverse proxy, keep the `Host` header (nginx: `proxy_set_header Host $host`).
async fn refuse_cross_site_posts(request: Request, next: Next) -> Response {
    if request.method() == axum::http::Method::POST && !same_origin(request.headers()) {
        return forbid_framing(message_page(
            StatusCode::FORBIDDEN,
            "products",
            "Refused",
            "This form was sent from another site.",
        ));
    }
    forbid_framing(next.run(request).await)
}

/// Whether a request comes from this site's own pages, or from no browser page at all (see
/// [`refuse_cross_site_posts`]).
pub(crate) fn same_origin(headers: &axum::http::HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return site == "same-origin" || site == "none";
    }
    match text("origin") {
        None => true,
        Some(origin) => {
            let authority = origin.split_once("://").map(|(_, rest)| rest);
            authority.is_some_and(|authority| {
                text("host").is_some_and(|host| host.eq_ignore_ascii_case(authority))
            })
        }
    }
}

fn forbid_framing(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        "x-frame-options",
        axum::http::HeaderValue::from_static("DENY"),
    );
    headers.insert(
        "content-security-policy",
        axum::http::HeaderValue::from_static("frame-ancestors 'none'"),
    );
    headers.insert(
        "cache-control",
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

/// A failure that becomes a page: the list with the reason (a refused action), or a message.
enum AdminError {
    /// 400: a malformed path, query or form.
    BadRequest(String),
    /// 404: no such row.
    NotFound(&'static str, String),
    /// An action the data refused; the list is shown again with the reason.
    Refused(Nav, String),
    /// 500.
    Internal(String),
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        match self {
            AdminError::BadRequest(message) => {
                message_page(StatusCode::BAD_REQUEST, "products", "Bad request", &message)
            }
            AdminError::NotFound(nav, message) => {
                message_page(StatusCode::NOT_FOUND, nav, "Not found", &message)
            }
            // Handlers render the list around a refusal (`with_list`); this is the fallback.
            AdminError::Refused(nav, message) => {
                message_page(StatusCode::CONFLICT, nav.path(), "Refused", &message)
            }
            AdminError::Internal(message) => {
                tracing::error!(%message, "admin request failed");
                message_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "products",
                    "Something went wrong",
                    "The request failed; it has been logged.",
                )
            }
        }
    }
}

impl From<DbErr> for AdminError {
    fn from(error: DbErr) -> Self {
        AdminError::Internal(error.to_string())
    }
}

impl From<PathRejection> for AdminError {
    fn from(rejection: PathRejection) -> Self {
        AdminError::BadRequest(rejection.body_text())
    }
}

impl From<QueryRejection> for AdminError {
    fn from(rejection: QueryRejection) -> Self {
        AdminError::BadRequest(rejection.body_text())
    }
}

impl From<FormRejection> for AdminError {
    fn from(rejection: FormRejection) -> Self {
        AdminError::BadRequest(rejection.body_text())
    }
}

type AdminResult<T> = Result<T, AdminError>;

/// Which list a page belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Nav {
    Products,
    Categories,
}

impl Nav {
    fn path(self) -> &'static str {
        match self {
            Nav::Products => "products",
            Nav::Categories => "categories",
        }
    }
}

#[derive(Template)]
#[template(path = "admin/message.html")]
struct MessagePage<'a> {
    nav: &'a str,
    title: &'a str,
    message: &'a str,
}

/// The page a destructive action shows first: what will go, counted per table, and a button
/// that sends the action again, confirmed. No JavaScript: the confirmation is a page, as in
/// Django's admin.
#[derive(Template)]
#[template(path = "admin/confirm.html")]
struct ConfirmPage {
    nav: &'static str,
    title: String,
    question: String,
    counts: Vec<String>,
    action: String,
    fields: Vec<(&'static str, String)>,
    button: &'static str,
}

/// The form of a destructive action: `confirmed=yes` once the confirmation page was answered.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Confirmation {
    confirmed: Option<String>,
}

impl Confirmation {
    fn given(&self) -> bool {
        self.confirmed.as_deref() == Some("yes")
    }
}

/// `1 product`, `2 products`; `many` is the plural.
fn count_line(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn message_page(status: StatusCode, nav: &str, title: &str, message: &str) -> Response {
    render(
        status,
        &MessagePage {
            nav,
            title,
            message,
        },
    )
}

fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, "rendering an admin page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "rendering failed").into_response()
        }
    }
}

/// A button that posts to `path`.
struct Action {
    label: &'static str,
    path: String,
    danger: bool,
}

impl Action {
    fn new(label: &'static str, nav: Nav, id: i32, action: &str) -> Self {
        Self {
            label,
            path: format!("/admin/{}/{id}/{action}", nav.path()),
            danger: action == "force-delete",
        }
    }
}

/// A time as the page shows it and as `<time datetime>` takes it.
struct Stamp {
    human: String,
    machine: String,
}

impl From<DateTime<Utc>> for Stamp {
    fn from(at: DateTime<Utc>) -> Self {
        Self {
            human: at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            machine: at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        }
    }
}

struct RowView {
    id: i32,
    href: String,
    /// Each cell with its column's name, which labels it on a narrow screen.
    cells: Vec<(&'static str, String)>,
    deleted_at: Option<Stamp>,
    note: Option<String>,
    actions: Vec<Action>,
}

struct TableView {
    id: &'static str,
    heading: &'static str,
    empty: &'static str,
    headers: Vec<&'static str>,
    has_deleted_at: bool,
    rows: Vec<RowView>,
    total: u64,
    page: u64,
    pages: u64,
    previous: Option<String>,
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/list.html")]
struct ListPage {
    nav: &'static str,
    title: &'static str,
    notice: Option<String>,
    error: Option<String>,
    tables: Vec<TableView>,
    max_purge_days: u32,
}

#[derive(Template)]
#[template(path = "admin/row.html")]
struct RowPage {
    nav: &'static str,
    title: String,
    trashed: Option<String>,
    fields: Vec<(&'static str, String)>,
    actions: Vec<Action>,
}

/// The list pages' query: a page of each table, and the token of what the last action did.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    page: Option<u64>,
    trash_page: Option<u64>,
    per_page: Option<u64>,
    notice: Option<u64>,
}

/// What an action did, for the page the redirect leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Done {
    Deleted,
    Restored,
    ForceDeleted,
    Purged,
}

/// Checked page numbers and size, bounded like the JSON API's.
struct Paging {
    page: u64,
    trash_page: u64,
    per_page: u64,
}

impl ListQuery {
    fn paging(&self) -> AdminResult<Paging> {
        let per_page = self.per_page.unwrap_or(20);
        if !(1..=100).contains(&per_page) {
            return Err(AdminError::BadRequest(
                "per_page must be between 1 and 100".into(),
            ));
        }
        let (page, trash_page) = (self.page.unwrap_or(0), self.trash_page.unwrap_or(0));
        if page > MAX_PAGE || trash_page > MAX_PAGE {
            return Err(AdminError::BadRequest(format!("pages go up to {MAX_PAGE}")));
        }
        Ok(Paging {
            page,
            trash_page,
            per_page,
        })
    }

    /// What the last action did, when the address carries a token the action issued.
    fn notice(&self) -> Option<String> {
        crate::flash::take(self.notice?)
    }
}

impl Done {
    /// What the page says after the action.
    fn text(self, nav: Nav, id: Option<i32>, n: u64) -> String {
        let noun = match nav {
            Nav::Products => "Product",
            Nav::Categories => "Category",
        };
        let id = id.map_or_else(String::new, |id| format!(" {id}"));
        match self {
            Done::Deleted if nav == Nav::Categories => format!(
                "{noun}{id} moved to the trash with {n} product{}.",
                plural(n)
            ),
            Done::Deleted => format!("{noun}{id} moved to the trash."),
            Done::Restored if nav == Nav::Categories => {
                format!("{noun}{id} restored with {n} product{}.", plural(n))
            }
            Done::Restored => format!("{noun}{id} restored."),
            Done::ForceDeleted => format!("{noun}{id} deleted for good."),
            Done::Purged => format!("Purged {n} row{} from the trash.", plural(n)),
        }
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Links to the previous and next page of one table, keeping the other table's page.
fn page_links(
    nav: Nav,
    paging: &Paging,
    trash: bool,
    pages: u64,
) -> (Option<String>, Option<String>) {
    let current = if trash {
        paging.trash_page
    } else {
        paging.page
    };
    let link = |to: u64| {
        let (page, trash_page) = if trash {
            (paging.page, to)
        } else {
            (to, paging.trash_page)
        };
        format!(
            "/admin/{}?page={page}&trash_page={trash_page}&per_page={}",
            nav.path(),
            paging.per_page
        )
    };
    let previous = (current > 0).then(|| link(current - 1));
    let next = (current + 1 < pages).then(|| link(current + 1));
    (previous, next)
}

async fn products_page(
    State(db): State<Db>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> AdminResult<Response> {
    let Query(query) = query?;
    let notice = query.notice();
    products_list(&db, &query.paging()?, notice, None, StatusCode::OK).await
}

async fn products_list(
    db: &Db,
    paging: &Paging,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> AdminResult<Response> {
    let active = product::Entity::objects()
        .order_by_asc(product::Column::Id)
        .paginate(db, paging.per_page);
    let trash = product::Entity::deleted_objects()
        .order_by_desc(product::Column::DeletedAt)
        .order_by_asc(product::Column::Id)
        .paginate(db, paging.per_page);
    let (active_rows, active_total) = (
        active.fetch_page(paging.page).await?,
        active.num_items().await?,
    );
    let (trash_rows, trash_total) = (
        trash.fetch_page(paging.trash_page).await?,
        trash.num_items().await?,
    );
    let category_ids: Vec<i32> = active_rows
        .iter()
        .chain(&trash_rows)
        .map(|row| row.category_id)
        .collect();
    let categories = category::Entity::all_objects()
        .filter(category::Column::Id.is_in(category_ids))
        .all(db)
        .await?;
    let category_of = |row: &product::Model| {
        categories
            .iter()
            .find(|category| category.id == row.category_id)
    };
    let product_cells = |row: &product::Model| {
        vec![
            ("SKU", row.sku.clone()),
            ("Name", row.name.clone()),
            (
                "Category",
                category_of(row).map_or_else(|| row.category_id.to_string(), |c| c.name.clone()),
            ),
            ("Price", row.price.to_string()),
        ]
    };
    let active_view = active_rows
        .iter()
        .map(|row| RowView {
            id: row.id,
            href: format!("/admin/products/{}", row.id),
            cells: product_cells(row),
            deleted_at: None,
            note: None,
            actions: vec![Action::new(
                "Move to trash",
                Nav::Products,
                row.id,
                "delete",
            )],
        })
        .collect();
    let trash_view = trash_rows
        .iter()
        .map(|row| {
            let category = category_of(row).filter(|category| category.deleted_at.is_some());
            let note = category.map(|category| {
                if category.deleted_batch.is_some() && category.deleted_batch == row.deleted_batch {
                    format!("Went with category “{}”.", category.name)
                } else {
                    format!("Category “{}” is in the trash.", category.name)
                }
            });
            let mut actions = vec![Action::new("Restore", Nav::Products, row.id, "restore")];
            if category.is_some() {
                actions.push(Action::new(
                    "Restore with category",
                    Nav::Products,
                    row.id,
                    "restore-with-category",
                ));
            }
            actions.push(Action::new(
                "Delete forever",
                Nav::Products,
                row.id,
                "force-delete",
            ));
            // Fewer columns than the active side, to leave room for the time, the note and
            // three buttons; the row's page shows the rest.
            let mut cells = product_cells(row);
            cells.retain(|(column, _)| TRASH_PRODUCT_COLUMNS.contains(column));
            RowView {
                id: row.id,
                href: format!("/admin/products/{}", row.id),
                cells,
                deleted_at: row.deleted_at.map(Stamp::from),
                note,
                actions,
            }
        })
        .collect();
    let page = ListPage {
        nav: "products",
        title: "Products",
        notice,
        error,
        tables: vec![
            table(
                Nav::Products,
                paging,
                false,
                active_view,
                active_total,
                &["SKU", "Name", "Category", "Price"],
            ),
            table(
                Nav::Products,
                paging,
                true,
                trash_view,
                trash_total,
                &TRASH_PRODUCT_COLUMNS,
            ),
        ],
        max_purge_days: MAX_PURGE_DAYS,
    };
    Ok(render(status, &page))
}

fn table(
    nav: Nav,
    paging: &Paging,
    trash: bool,
    rows: Vec<RowView>,
    total: u64,
    columns: &[&'static str],
) -> TableView {
    let pages = total.div_ceil(paging.per_page).max(1);
    let (previous, next) = page_links(nav, paging, trash, pages);
    let mut headers = vec!["ID"];
    headers.extend_from_slice(columns);
    if trash {
        headers.push("Deleted");
    }
    TableView {
        id: if trash { "trash" } else { "active" },
        heading: if trash { "Trash" } else { "Active" },
        empty: if trash {
            "The trash is empty."
        } else {
            "No active rows."
        },
        headers,
        has_deleted_at: trash,
        rows,
        total,
        page: if trash {
            paging.trash_page
        } else {
            paging.page
        },
        pages,
        previous,
        next,
    }
}

async fn categories_page(
    State(db): State<Db>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> AdminResult<Response> {
    let Query(query) = query?;
    let notice = query.notice();
    categories_list(&db, &query.paging()?, notice, None, StatusCode::OK).await
}

async fn categories_list(
    db: &Db,
    paging: &Paging,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> AdminResult<Response> {
    let active = category::Entity::objects()
        .order_by_asc(category::Column::Id)
        .paginate(db, paging.per_page);
    let trash = category::Entity::deleted_objects()
        .order_by_desc(category::Column::DeletedAt)
        .order_by_asc(category::Column::Id)
        .paginate(db, paging.per_page);
    let (active_rows, active_total) = (
        active.fetch_page(paging.page).await?,
        active.num_items().await?,
    );
    let (trash_rows, trash_total) = (
        trash.fetch_page(paging.trash_page).await?,
        trash.num_items().await?,
    );
    // Active products per category of the page, in one grouped read.
    let counts: Vec<(i32, i64)> = product::Entity::objects()
        .select_only()
        .column(product::Column::CategoryId)
        .column_as(product::Column::Id.count(), "products")
        .filter(product::Column::CategoryId.is_in(active_rows.iter().map(|row| row.id)))
        .group_by(product::Column::CategoryId)
        .into_tuple()
        .all(db)
        .await?;
    let mut active_view = Vec::with_capacity(active_rows.len());
    for row in &active_rows {
        let products = counts
            .iter()
            .find(|(category, _)| *category == row.id)
            .map_or(0, |(_, count)| *count);
        active_view.push(RowView {
            id: row.id,
            href: format!("/admin/categories/{}", row.id),
            cells: vec![
                ("Name", row.name.clone()),
                ("Products", products.to_string()),
            ],
            deleted_at: None,
            note: None,
            actions: vec![Action::new(
                "Move to trash",
                Nav::Categories,
                row.id,
                "delete",
            )],
        });
    }
    let mut trash_view = Vec::with_capacity(trash_rows.len());
    for row in &trash_rows {
        let (with_it, count) = went_with(db, row).await?;
        let note = (count > 0).then(|| {
            let more = count.saturating_sub(with_it.len() as u64);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            format!(
                "Went with it: {count} product{}: {}{more}.",
                plural(count),
                with_it.join(", ")
            )
        });
        trash_view.push(RowView {
            id: row.id,
            href: format!("/admin/categories/{}", row.id),
            cells: vec![("Name", row.name.clone()), ("Products", count.to_string())],
            deleted_at: row.deleted_at.map(Stamp::from),
            note,
            actions: vec![
                Action::new("Restore", Nav::Categories, row.id, "restore"),
                Action::new("Delete forever", Nav::Categories, row.id, "force-delete"),
            ],
        });
    }
    let page = ListPage {
        nav: "categories",
        title: "Categories",
        notice,
        error,
        tables: vec![
            table(
                Nav::Categories,
                paging,
                false,
                active_view,
                active_total,
                &["Name", "Products"],
            ),
            table(
                Nav::Categories,
                paging,
                true,
                trash_view,
                trash_total,
                &["Name", "Products"],
            ),
        ],
        max_purge_days: MAX_PURGE_DAYS,
    };
    Ok(render(status, &page))
}

/// The SKUs of the first products that a trashed category's cascade took to the trash (those in
/// its batch), and how many there are.
async fn went_with(db: &Db, row: &category::Model) -> AdminResult<(Vec<String>, u64)> {
    let Some(batch) = row.deleted_batch else {
        return Ok((Vec::new(), 0));
    };
    let cascaded = product::Entity::deleted_objects()
        .filter(product::Column::CategoryId.eq(row.id))
        .filter(product::Column::DeletedBatch.eq(batch))
        .order_by_asc(product::Column::Id);
    let count = cascaded.clone().count(db).await?;
    let first = cascaded.paginate(db, CASCADE_LISTED).fetch_page(0).await?;
    Ok((first.into_iter().map(|row| row.sku).collect(), count))
}

async fn product_page(
    State(db): State<Db>,
    id: Result<Path<i32>, PathRejection>,
) -> AdminResult<Response> {
    let Path(id) = id?;
    let (row, status, trashed) = match product::Entity::lookup_by_id(id).one(&db).await? {
        RowState::Active(row) => (row, StatusCode::OK, None),
        RowState::Trashed { row, deleted_at } => (
            row,
            StatusCode::GONE,
            Some(format!(
                "Gone: this product is in the trash since {}.",
                Stamp::from(deleted_at).human
            )),
        ),
        _ => {
            return Err(AdminError::NotFound(
                "products",
                format!("There is no product {id}."),
            ));
        }
    };
    let actions = if trashed.is_some() {
        vec![
            Action::new("Restore", Nav::Products, id, "restore"),
            Action::new("Delete forever", Nav::Products, id, "force-delete"),
        ]
    } else {
        vec![Action::new("Move to trash", Nav::Products, id, "delete")]
    };
    let page = RowPage {
        nav: "products",
        title: format!("Product {id}"),
        trashed,
        fields: vec![
            ("SKU", row.sku),
            ("Name", row.name),
            ("Category", row.category_id.to_string()),
            ("Price", row.price.to_string()),
        ],
        actions,
    };
    Ok(render(status, &page))
}

async fn category_page(
    State(db): State<Db>,
    id: Result<Path<i32>, PathRejection>,
) -> AdminResult<Response> {
    let Path(id) = id?;
    let (row, status, trashed) = match category::Entity::lookup_by_id(id).one(&db).await? {
        RowState::Active(row) => (row, StatusCode::OK, None),
        RowState::Trashed { row, deleted_at } => (
            row,
            StatusCode::GONE,
            Some(format!(
                "Gone: this category is in the trash since {}.",
                Stamp::from(deleted_at).human
            )),
        ),
        _ => {
            return Err(AdminError::NotFound(
                "categories",
                format!("There is no category {id}."),
            ));
        }
    };
    let actions = if trashed.is_some() {
        vec![
            Action::new("Restore", Nav::Categories, id, "restore"),
            Action::new("Delete forever", Nav::Categories, id, "force-delete"),
        ]
    } else {
        vec![Action::new("Move to trash", Nav::Categories, id, "delete")]
    };
    let page = RowPage {
        nav: "categories",
        title: format!("Category {id}"),
        trashed,
        fields: vec![("Name", row.name)],
        actions,
    };
    Ok(render(status, &page))
}

/// The answer to an action that worked: back to the list, which says what happened.
fn done(nav: Nav, done: Done, id: Option<i32>, n: u64) -> Response {
    let token = crate::flash::keep(done.text(nav, id, n));
    Redirect::to(&format!("/admin/{}?notice={token}", nav.path())).into_response()
}

/// What a refusal from the library says on the page; anything else is an internal error.
fn refusal(nav: Nav, id: i32, error: Error) -> AdminError {
    match &error {
        Error::RestoreConflict {
            table,
            columns,
            restored_key,
            active_key,
            ..
        } => {
            let columns = columns.join(", ");
            let active = active_key.as_deref().unwrap_or("(unknown)");
            let restored = restored_key.as_deref().unwrap_or("(unknown)");
            // A cascade's conflict is a child's (or, with its category, the parent's): name it.
            let subject = if *table == nav.table() {
                format!("its {columns} is")
            } else {
                format!("{table} {restored}, which would come back with it, has a {columns}")
            };
            AdminError::Refused(
                nav,
                format!(
                    "Cannot restore {} {id}: {subject} taken by active {table} {active}. Change or delete that row first.",
                    nav.noun(),
                ),
            )
        }
        Error::ParentTrashed { keys, .. } => AdminError::Refused(
            nav,
            format!(
                "Cannot restore {} {}: its category is in the trash. Use “Restore with category”, or restore the category first.",
                nav.noun(),
                keys.join(", ")
            ),
        ),
        Error::NotInTrash { .. } => AdminError::Refused(
            nav,
            format!(
                "{} {id} is not in the trash (it was restored since this page was drawn): nothing was deleted.",
                capitalized(nav.noun())
            ),
        ),
        Error::Database(DbErr::RecordNotFound(_)) | Error::RowNotFound { .. } => no_such_row(nav),
        _ => AdminError::Internal(error.to_string()),
    }
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

impl Nav {
    fn noun(self) -> &'static str {
        match self {
            Nav::Products => "product",
            Nav::Categories => "category",
        }
    }

    fn table(self) -> &'static str {
        self.noun()
    }
}

/// Turns a refusal into the list page with the reason, status 409.
async fn with_list(db: &Db, result: AdminResult<Response>) -> AdminResult<Response> {
    match result {
        Err(AdminError::Refused(nav, message)) => {
            let paging = ListQuery::default().paging()?;
            match nav {
                Nav::Products => {
                    products_list(db, &paging, None, Some(message), StatusCode::CONFLICT).await
                }
                Nav::Categories => {
                    categories_list(db, &paging, None, Some(message), StatusCode::CONFLICT).await
                }
            }
        }
        other => other,
    }
}

async fn product_action(
    State(db): State<Db>,
    path: Result<Path<(i32, String)>, PathRejection>,
    form: Result<Form<Confirmation>, FormRejection>,
) -> AdminResult<Response> {
    let Path((id, action)) = path?;
    let Form(confirmation) = form?;
    let nav = Nav::Products;
    if action == "force-delete" && !confirmation.given() {
        return confirm_force_delete(&db, nav, id).await;
    }
    let result = match action.as_str() {
        "delete" => retrying(|| product::Entity::soft_delete_by_id(id).exec(&db))
            .await
            .map(|_| done(nav, Done::Deleted, Some(id), 0)),
        "restore" => retrying(|| product::Entity::restore_by_id(id).exec(&db))
            .await
            .map(|_| done(nav, Done::Restored, Some(id), 0)),
        "restore-with-category" => retrying(|| {
            product::Entity::restore_by_id(id)
                .with_ancestors()
                .exec(&db)
        })
        .await
        .map(|_| done(nav, Done::Restored, Some(id), 0)),
        // Only while it is in the trash, decided in the `DELETE`: a page drawn before a
        // restore (Back, another tab) must not delete an active row.
        "force-delete" => retrying(|| {
            product::Entity::force_delete_by_id(id)
                .only_trashed()
                .exec(&db)
        })
        .await
        .map(|_| done(nav, Done::ForceDeleted, Some(id), 0)),
        _ => {
            return Err(AdminError::NotFound(
                "products",
                "There is no such action.".into(),
            ));
        }
    };
    with_list(&db, result.map_err(|error| refusal(nav, id, error))).await
}

async fn category_action(
    State(db): State<Db>,
    path: Result<Path<(i32, String)>, PathRejection>,
    form: Result<Form<Confirmation>, FormRejection>,
) -> AdminResult<Response> {
    let Path((id, action)) = path?;
    let Form(confirmation) = form?;
    let nav = Nav::Categories;
    if action == "force-delete" && !confirmation.given() {
        return confirm_force_delete(&db, nav, id).await;
    }
    let result = match action.as_str() {
        "delete" => match retrying(|| category::Entity::soft_delete_by_id(id).exec(&db)).await {
            Ok(row) => {
                let (_, count) = went_with(&db, &row).await?;
                Ok(done(nav, Done::Deleted, Some(id), count))
            }
            Err(error) => Err(error),
        },
        "restore" => {
            // What went with it comes back with it: count it before the batch id is cleared.
            let before = match category::Entity::lookup_by_id(id).one(&db).await? {
                RowState::Trashed { row, .. } => went_with(&db, &row).await?.1,
                _ => 0,
            };
            retrying(|| category::Entity::restore_by_id(id).exec(&db))
                .await
                .map(|_| done(nav, Done::Restored, Some(id), before))
        }
        "force-delete" => retrying(|| {
            category::Entity::force_delete_by_id(id)
                .only_trashed()
                .exec(&db)
        })
        .await
        .map(|_| done(nav, Done::ForceDeleted, Some(id), 0)),
        _ => {
            return Err(AdminError::NotFound(
                "categories",
                "There is no such action.".into(),
            ));
        }
    };
    with_list(&db, result.map_err(|error| refusal(nav, id, error))).await
}

/// Asks before deleting a row for good, saying what goes with it; refuses at once a row that
/// is not in the trash.
async fn confirm_force_delete(db: &Db, nav: Nav, id: i32) -> AdminResult<Response> {
    // `None` for an active row; a missing one is a 404 at once.
    let trashed = match nav {
        Nav::Products => match product::Entity::lookup_by_id(id).one(db).await? {
            RowState::Trashed { row, .. } => {
                Some((format!("product {id} ({})", row.sku), Vec::new()))
            }
            RowState::Active(_) => None,
            RowState::Missing => return Err(no_such_row(nav)),
        },
        Nav::Categories => match category::Entity::lookup_by_id(id).one(db).await? {
            RowState::Trashed { row, .. } => {
                let products = product::Entity::all_objects()
                    .filter(product::Column::CategoryId.eq(id))
                    .count(db)
                    .await?;
                Some((
                    format!("category {id} (“{}”)", row.name),
                    vec![count_line(products, "product in it", "products in it")],
                ))
            }
            RowState::Active(_) => None,
            RowState::Missing => return Err(no_such_row(nav)),
        },
    };
    let Some((name, mut counts)) = trashed else {
        return with_list(db, Err(refusal(nav, id, not_in_trash(nav, id)))).await;
    };
    counts.insert(0, count_line(1, nav.noun(), ""));
    let page = ConfirmPage {
        nav: nav.path(),
        title: "Delete for good?".into(),
        question: format!("Delete {name} for good? This cannot be undone. It removes:"),
        counts,
        action: format!("/admin/{}/{id}/force-delete", nav.path()),
        fields: Vec::new(),
        button: "Delete for good",
    };
    Ok(render(StatusCode::OK, &page))
}

fn no_such_row(nav: Nav) -> AdminError {
    AdminError::NotFound(nav.path(), format!("There is no such {}.", nav.noun()))
}

fn not_in_trash(nav: Nav, id: i32) -> Error {
    Error::NotInTrash {
        table: nav.table(),
        key: id.to_string(),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PurgeForm {
    older_than_days: u32,
    back: Nav,
    confirmed: Option<String>,
}

async fn purge(
    State(db): State<Db>,
    form: Result<Form<PurgeForm>, FormRejection>,
) -> AdminResult<Response> {
    let Form(form) = form?;
    if form.older_than_days > MAX_PURGE_DAYS {
        return Err(AdminError::BadRequest(format!(
            "older_than_days must be at most {MAX_PURGE_DAYS}"
        )));
    }
    let cutoff = soft_delete_core::clock::now() - TimeDelta::days(i64::from(form.older_than_days));
    if form.confirmed.as_deref() != Some("yes") {
        return confirm_purge(&db, &form, cutoff).await;
    }
    // Products first: a category's purge then finds fewer descendants to remove with it.
    let products = retrying(|| product::Entity::purge_trash(cutoff).exec(&db))
        .await
        .map_err(|error| AdminError::Internal(error.to_string()))?;
    let categories = retrying(|| category::Entity::purge_trash(cutoff).exec(&db))
        .await
        .map_err(|error| AdminError::Internal(error.to_string()))?;
    let removed = products.rows_removed + categories.rows_removed;
    Ok(done(form.back, Done::Purged, None, removed))
}

/// Asks before a purge, with what it removes per table: the expired products, the expired
/// categories, and the products that go with those categories.
async fn confirm_purge(db: &Db, form: &PurgeForm, cutoff: DateTime<Utc>) -> AdminResult<Response> {
    use sea_orm::QueryTrait;
    use sea_orm::sea_query::ExprTrait;
    use soft_delete_core::HasDeletionTime;
    let products = product::Entity::deleted_objects()
        .filter(<product::Entity as HasDeletionTime>::deleted_before(cutoff))
        .count(db)
        .await?;
    let categories = category::Entity::deleted_objects()
        .filter(<category::Entity as HasDeletionTime>::deleted_before(
            cutoff,
        ))
        .count(db)
        .await?;
    let expired_categories = category::Entity::deleted_objects()
        .select_only()
        .column(category::Column::Id)
        .filter(<category::Entity as HasDeletionTime>::deleted_before(
            cutoff,
        ))
        .into_query();
    let with_them = product::Entity::all_objects()
        .filter(product::Column::CategoryId.in_subquery(expired_categories))
        .filter(
            sea_orm::Condition::any()
                .add(product::Column::DeletedAt.is_null())
                .add(<product::Entity as HasDeletionTime>::deleted_before(cutoff).not()),
        )
        .count(db)
        .await?;
    let days = form.older_than_days;
    let page = ConfirmPage {
        nav: form.back.path(),
        title: "Purge the trash?".into(),
        question: format!(
            "Purge everything deleted more than {days} day{} ago? This cannot be undone. It removes:",
            plural(u64::from(days))
        ),
        counts: vec![
            count_line(products, "product", "products"),
            count_line(categories, "category", "categories"),
            count_line(
                with_them,
                "more product in those categories",
                "more products in those categories",
            ),
        ],
        action: "/admin/purge".into(),
        fields: vec![
            ("older_than_days", days.to_string()),
            ("back", form.back.path().to_owned()),
        ],
        button: "Purge for good",
    };
    Ok(render(StatusCode::OK, &page))
}
