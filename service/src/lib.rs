//! An example HTTP service with a trash bin, built on `soft-delete-core`: products in
//! categories, where deleting a category moves its products to the trash with it.
//!
//! | method and path | answer |
//! |---|---|
//! | `GET /products?page=0&per_page=20` | active products, paginated |
//! | `GET /products/{id}` | 200 active, 410 Gone with `deleted_at` when trashed, 404 when missing |
//! | `POST /products` | 201; 409 when the SKU is taken by an active product or the category is trashed |
//! | `PUT /products/{id}` | 200 for an active product; 410 when trashed; 404 |
//! | `DELETE /products/{id}` | 200 with the row as stored (idempotent: the first deletion time is kept) |
//! | `GET /trash/products?page=0&per_page=20` | the trash, a page at a time (at most 100 rows) |
//! | `POST /products/{id}/restore` | 200; 409 when the SKU was taken meanwhile or the category is trashed |
//! | `DELETE /trash/products/{id}` | 204 deletes a trashed product for good; 409 for an active one |
//! | `POST /trash/purge?older_than_secs=N` | permanently deletes trash older than N seconds |
//! | `POST /categories`, `DELETE /categories/{id}`, `POST /categories/{id}/restore` | with cascades |
//!
//! Errors are `{"error": {"code": "..", "message": ".."}}`, for unknown routes (404) and methods
//! (405) too. Client input never causes a 5xx: malformed ids and queries are 400 (pages beyond
//! [`MAX_PAGE`] included), bodies that are not the JSON an endpoint takes 422, a missing or wrong
//! content type 415, a body over [`MAX_BODY_BYTES`] 413, and names and SKUs must be 1 to
//! [`MAX_TEXT_CHARS`] characters without control characters (what every backend stores: MariaDB's
//! `varchar(255)`, PostgreSQL refuses NUL). A panic in a handler is logged and answered with a
//! JSON 500. Every request gets an `x-request-id` and a tracing span. A request that changes
//! something and that a browser sent from another site's page is refused (403, `cross_site`),
//! as the admin refuses it, and so is any request naming a host other than an IP address,
//! `localhost` or one listed in `ALLOWED_HOSTS` (400, `unknown_host`: DNS rebinding).

pub mod admin;
mod entities;
mod error;
mod flash;
mod hosts;
pub mod migration;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderValue, Request, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{TimeDelta, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::Deserialize;
use serde_json::{Value, json};
use soft_delete_core::RowState;
use soft_delete_core::guard::{GuardMode, GuardedConnection};
use soft_delete_core::pruner::Pruner;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

pub use entities::{category, product};
pub use error::ApiError;

type ApiResult<T> = Result<T, ApiError>;

/// The service's connection: guarded against queries that would show trashed rows, rewrite them
/// or hard-delete ([`soft_delete_core::guard`]).
pub type Db = GuardedConnection<DatabaseConnection>;

/// `db` behind the leak guard: leaks are refused in debug and test builds, where a refusal is a
/// failing test, and logged in release builds, where it should not cost a user a request.
pub fn guard(db: DatabaseConnection) -> Db {
    let mode = if cfg!(debug_assertions) {
        GuardMode::Deny
    } else {
        GuardMode::Warn
    };
    GuardedConnection::new(db, mode)
}

/// The service's routes over `db`.
pub fn router(db: Db) -> Router {
    Router::new()
        .route("/products", get(list_products).post(create_product))
        .route("/products/{id}", get(get_product).put(update_product).delete(delete_product))
        .route("/products/{id}/restore", post(restore_product))
        .route("/trash/products", get(list_trash))
        .route("/trash/products/{id}", axum::routing::delete(purge_product))
        .route("/trash/purge", post(purge_trash))
        .route("/categories", post(create_category))
        .route("/categories/{id}", axum::routing::delete(delete_category))
        .route("/categories/{id}/restore", post(restore_category))
        .layer(axum::middleware::from_fn(refuse_cross_site_writes))
        .merge(admin::router())
        .fallback(|uri: Uri| async move { no_route(&uri, StatusCode::NOT_FOUND) })
        .method_not_allowed_fallback(|uri: Uri| async move {
            no_route(&uri, StatusCode::METHOD_NOT_ALLOWED)
        })
        .with_state(db)
        .layer(axum::middleware::from_fn(refuse_unknown_hosts))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CatchPanicLayer::custom(answer_panic))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<_>| {
                    let id = request.headers().get("x-request-id").and_then(|id| id.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("request", method = %request.method(), uri = %request.uri(), request_id = %id)
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(SetRequestIdLayer::x_request_id(RequestCounter::default()))
}

/// Refuses a state-changing request that a browser sent from another site's page (403,
/// `cross_site`): the API has no login, and a form on any site could otherwise restore or purge
/// rows. Decided as the admin decides ([`admin::same_origin`]): `Sec-Fetch-Site`, else `Origin`;
/// clients that are not browsers send neither and pass.
async fn refuse_cross_site_writes(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let writes = !matches!(
        *request.method(),
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    if writes && !admin::same_origin(request.headers()) {
        return ApiError::Body(
            StatusCode::FORBIDDEN,
            "cross_site",
            "this request was sent from another site's page".into(),
        )
        .into_response();
    }
    next.run(request).await
}

/// Refuses a request that names a host the service does not answer to ([`hosts`]): 400, a page
/// under `/admin`, the JSON error elsewhere.
async fn refuse_unknown_hosts(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let host = request
        .headers()
        .get(axum::http::header::HOST)
        .map(|host| host.to_str().unwrap_or("\u{fffd}"));
    if hosts::allowed(host) {
        return next.run(request).await;
    }
    let message = "this service does not answer to that host name (see ALLOWED_HOSTS)";
    if admin::is_admin(request.uri()) {
        admin::bad_host(message)
    } else {
        ApiError::Body(StatusCode::BAD_REQUEST, "unknown_host", message.into()).into_response()
    }
}

/// A path no route matched (404), or not with this method (405): a page under `/admin`, the
/// JSON error everywhere else.
fn no_route(uri: &Uri, status: StatusCode) -> Response {
    if admin::is_admin(uri) {
        admin::no_route(status)
    } else if status == StatusCode::METHOD_NOT_ALLOWED {
        ApiError::MethodNotAllowed.into_response()
    } else {
        ApiError::NoRoute.into_response()
    }
}

/// The largest request body read, in bytes; a larger one is answered 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The last page number served: beyond it the offset would overflow SeaORM's paginator or the
/// driver, so the request is answered 400.
pub const MAX_PAGE: u64 = 1_000_000;

/// The longest name or SKU, in characters: the `varchar(255)` SeaORM declares on MariaDB.
pub const MAX_TEXT_CHARS: usize = 255;

/// A handler's panic, answered as a logged JSON 500 instead of a dropped connection.
fn answer_panic(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::Internal(format!("panic: {}", panic_message(&*panic))).into_response()
}

/// What a panic said, when it said it with a string.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a handler panicked")
}

/// A name or SKU as every backend stores it: 1 to [`MAX_TEXT_CHARS`] characters, none of them a
/// control character (PostgreSQL refuses NUL in text).
fn checked_text(field: &str, value: String) -> ApiResult<String> {
    let length = value.chars().count();
    if length == 0 || length > MAX_TEXT_CHARS {
        return Err(ApiError::Unprocessable(format!(
            "{field} must be 1 to {MAX_TEXT_CHARS} characters, not {length}"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(ApiError::Unprocessable(format!(
            "{field} must not contain control characters"
        )));
    }
    Ok(value)
}

/// The service's pruner: products, then categories (with what went with them), whose trash is
/// kept for `retention` and purged every `interval` ([`soft_delete_core::pruner`]).
pub fn pruner(db: Db, retention: TimeDelta, interval: std::time::Duration) -> Pruner<Db> {
    Pruner::new(db)
        .retain::<product::Entity>(retention)
        .retain::<category::Entity>(retention)
        .every(interval)
}

/// Brings the schema up to date with the service's migrations ([`migration::Migrator`]).
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    use sea_orm_migration::MigratorTrait;
    migration::Migrator::up(db, None).await
}

/// Request ids `1`, `2`, ... per process.
#[derive(Clone, Default)]
struct RequestCounter(Arc<AtomicU64>);

impl MakeRequestId for RequestCounter {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let id = self.0.fetch_add(1, Ordering::Relaxed) + 1;
        HeaderValue::from_str(&id.to_string())
            .ok()
            .map(RequestId::new)
    }
}

#[derive(Debug, Deserialize)]
struct Page {
    page: Option<u64>,
    per_page: Option<u64>,
}

impl Page {
    /// The page number (from 0) and its size: 20 by default, at most 100, so that no list is
    /// unbounded.
    fn checked(&self) -> ApiResult<(u64, u64)> {
        let (number, per_page) = (self.page.unwrap_or(0), self.per_page.unwrap_or(20));
        if !(1..=100).contains(&per_page) {
            return Err(ApiError::BadRequest(
                "per_page must be between 1 and 100".into(),
            ));
        }
        if number > MAX_PAGE {
            return Err(ApiError::BadRequest(format!(
                "page must be at most {MAX_PAGE}"
            )));
        }
        Ok((number, per_page))
    }
}

async fn list_products(
    State(db): State<Db>,
    query: Result<Query<Page>, QueryRejection>,
) -> ApiResult<Json<Value>> {
    let Query(page) = query?;
    let (number, per_page) = page.checked()?;
    let pages = product::Entity::objects()
        .order_by_asc(product::Column::Id)
        .paginate(&db, per_page);
    let items = pages.fetch_page(number).await?;
    let total = pages.num_items().await?;
    Ok(Json(
        json!({ "items": items, "page": number, "per_page": per_page, "total": total }),
    ))
}

async fn get_product(
    State(db): State<Db>,
    id: Result<Path<i32>, PathRejection>,
) -> ApiResult<Json<product::Model>> {
    let Path(id) = id?;
    match product::Entity::lookup_by_id(id).one(&db).await? {
        RowState::Active(row) => Ok(Json(row)),
        RowState::Trashed { deleted_at, .. } => Err(ApiError::Gone(deleted_at)),
        _ => Err(ApiError::NotFound),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewProduct {
    category_id: i32,
    sku: String,
    name: String,
    price: i64,
}

async fn create_product(
    State(db): State<Db>,
    body: Result<Json<NewProduct>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<product::Model>)> {
    let Json(new) = body?;
    let (sku, name) = (
        checked_text("sku", new.sku)?,
        checked_text("name", new.name)?,
    );
    match category::Entity::lookup_by_id(new.category_id)
        .one(&db)
        .await?
    {
        RowState::Active(_) => {}
        RowState::Trashed { .. } => {
            return Err(ApiError::Conflict {
                code: "parent_trashed",
                message: "the category is in the trash".into(),
            });
        }
        _ => {
            return Err(ApiError::Unprocessable(format!(
                "no category {}",
                new.category_id
            )));
        }
    }
    let row = product::ActiveModel {
        category_id: Set(new.category_id),
        sku: Set(sku),
        name: Set(name),
        price: Set(new.price),
        ..Default::default()
    }
    .insert(&db)
    .await?;
    Ok((StatusCode::CREATED, Json(row)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProductChange {
    name: Option<String>,
    price: Option<i64>,
}

async fn update_product(
    State(db): State<Db>,
    id: Result<Path<i32>, PathRejection>,
    body: Result<Json<ProductChange>, JsonRejection>,
) -> ApiResult<Json<product::Model>> {
    let (Path(id), Json(change)) = (id?, body?);
    let mut update = product::Entity::update_many_active().filter(product::Column::Id.eq(id));
    if let Some(name) = change.name {
        let name = checked_text("name", name)?;
        update = update.col_expr(product::Column::Name, sea_orm::sea_query::Expr::value(name));
    }
    if let Some(price) = change.price {
        update = update.col_expr(
            product::Column::Price,
            sea_orm::sea_query::Expr::value(price),
        );
    }
    // Only active rows are written; the lookup afterwards tells 200, 410 and 404 apart.
    retrying(|| async { Ok(update.clone().exec(&db).await?) }).await?;
    match product::Entity::lookup_by_id(id).one(&db).await? {
        RowState::Active(row) => Ok(Json(row)),
        RowState::Trashed { deleted_at, .. } => Err(ApiError::Gone(deleted_at)),
        _ => Err(ApiError::NotFound),
    }
}

async fn delete_product(
    State(db): State<Db>,
    id: Result<Path<i32>, PathRejection>,
) -> ApiResult<Json<product::Model>> {
    let Path(id) = id?;
    Ok(Json(
        retrying(|| product::Entity::soft_delete_by_id(id).exec(&db)).await?,
    ))
}

/// The trash, a page at a time, as `GET /products` pages the active rows.
async fn list_trash(
    State(db): State<Db>,
    query: Result<Query<Page>, QueryRejection>,
) -> ApiResult<Json<Value>> {
    let Query(page) = query?;
    let (number, per_page) = page.checked()?;
    let pages = product::Entity::deleted_objects()
        .order_by_asc(product::Column::Id)
        .paginate(&db, per_page);
    let items = pages.fetch_page(number).await?;
    let total = pages.num_items().await?;
    Ok(Json(
        json!({ "items": items, "page": number, "per_page": per_page, "total": total }),
    ))
}

async fn restore_product(
    State(db): State<Db>,
    id: Result<Path<i32>, PathRejection>,
) -> ApiResult<Json<product::Model>> {
    let Path(id) = id?;
    Ok(Json(
        retrying(|| product::Entity::restore_by_id(id).exec(&db)).await?,
    ))
}

async fn purge_product(
    State(db): State<Db>,
    id: Result<Path<i32>, PathRejection>,
) -> ApiResult<StatusCode> {
    let Path(id) = id?;
    let removed = product::Entity::force_delete_many()
        .only_trashed()
        .filter(product::Column::Id.eq(id))
        .exec(&db)
        .await?;
    if removed.rows_affected == 1 {
        return Ok(StatusCode::NO_CONTENT);
    }
    match product::Entity::lookup_by_id(id).one(&db).await? {
        RowState::Active(_) => Err(ApiError::Conflict {
            code: "not_in_trash",
            message: "delete the product first".into(),
        }),
        _ => Err(ApiError::NotFound),
    }
}

#[derive(Debug, Deserialize)]
struct PurgeQuery {
    older_than_secs: u32,
}

async fn purge_trash(
    State(db): State<Db>,
    query: Result<Query<PurgeQuery>, QueryRejection>,
) -> ApiResult<Json<Value>> {
    let Query(query) = query?;
    let cutoff = Utc::now() - TimeDelta::seconds(i64::from(query.older_than_secs));
    let done = product::Entity::purge_trash(cutoff).exec(&db).await?;
    Ok(Json(
        json!({ "removed": done.rows_removed, "batches": done.batches }),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewCategory {
    name: String,
}

async fn create_category(
    State(db): State<Db>,
    body: Result<Json<NewCategory>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<category::Model>)> {
    let Json(new) = body?;
    let row = category::ActiveModel {
        name: Set(checked_text("name", new.name)?),
        ..Default::default()
    }
    .insert(&db)
    .await?;
    Ok((StatusCode::CREATED, Json(row)))
}

async fn delete_category(
    State(db): State<Db>,
    id: Result<Path<i32>, PathRejection>,
) -> ApiResult<Json<category::Model>> {
    let Path(id) = id?;
    Ok(Json(
        retrying(|| category::Entity::soft_delete_by_id(id).exec(&db)).await?,
    ))
}

async fn restore_category(
    State(db): State<Db>,
    id: Result<Path<i32>, PathRejection>,
) -> ApiResult<Json<category::Model>> {
    let Path(id) = id?;
    Ok(Json(
        retrying(|| category::Entity::restore_by_id(id).exec(&db)).await?,
    ))
}

/// Runs `operation` again when it failed only because of concurrent work (a deadlock that the
/// database broke by failing this side): nothing of the failed attempt remains, and the library
/// leaves retrying to its caller, who knows whether the transaction is its own.
async fn retrying<T, F, Fut>(operation: F) -> Result<T, soft_delete_core::Error>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, soft_delete_core::Error>>,
{
    const ATTEMPTS: usize = 5;
    let mut attempt = 1;
    loop {
        match operation().await {
            Err(error) if error.is_retryable() && attempt < ATTEMPTS => attempt += 1,
            outcome => return outcome,
        }
    }
}
