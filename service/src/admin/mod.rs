//! The trash-bin admin: server-rendered pages for products and categories, with soft delete,
//! restore, force delete and purge as plain forms, one row or a selection at a time.
//!
//! | method and path | what |
//! |---|---|
//! | `GET /admin/products?trashed=without&q=&page=1&per_page=20` | one page of products |
//! | `GET /admin/categories?..` | the same for categories; a trashed one counts what went with it |
//! | `GET /admin/products/{id}`, `GET /admin/categories/{id}` | one row: 200, 410 when trashed, 404 |
//! | `GET /admin/categories/{id}/batch?page=1` | the products that went to the trash with a category |
//! | `POST /admin/products/{id}/{action}` | `delete`, `restore`, `restore-with-category`, `force-delete` |
//! | `POST /admin/categories/{id}/{action}` | `delete`, `restore`, `force-delete`, with cascades |
//! | `POST /admin/products/bulk`, `POST /admin/categories/bulk` | an action on the checked rows |
//! | `POST /admin/purge` (form: `older_than_days`) | purges expired trash of both tables |
//!
//! The list's filter (`trashed`: `without`, `with` or `only`), search (`q`, on names and SKUs)
//! and page travel with every form as `back`, so that an action returns to the page it came from.
//! Every action is a `POST` answered `303 See Other` (post/redirect/get, refusals included): the
//! page it leads to says what happened, under a one-time token, and puts the focus back on the
//! row acted on. "Delete forever", "Purge" and every bulk action answer with a confirmation page
//! first, which counts what will change per table and posts the action again with
//! `confirmed=yes`; deleting for good acts only on rows still in the trash, decided in the
//! `DELETE` itself. A `POST` a browser marks as cross-site is refused (403): the admin has no
//! login, but another site's form must not drive it.
//!
//! The modules, by role: `security` (cross-site refusal, framing, caching, request ids),
//! `failure` (errors as pages), `query` (what the address asks for, the actions' names),
//! `listed` (what a listed entity provides), `view` (templates and view models), `pages` (the
//! `GET` handlers) and `actions` (the `POST` handlers).

mod actions;
mod failure;
mod listed;
mod pages;
mod query;
mod security;
mod view;

use axum::Router;
use axum::http::{StatusCode, Uri};
use axum::response::{Redirect, Response};
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;

use crate::{Db, category, product};

pub(crate) use security::same_origin;

pub use query::MAX_PURGE_DAYS;

/// The admin's routes, merged into the service's router.
pub fn router() -> Router<Db> {
    Router::new()
        .route("/admin", get(|| async { Redirect::to("/admin/products") }))
        .route("/admin/products", get(pages::list::<product::Entity>))
        .route("/admin/categories", get(pages::list::<category::Entity>))
        .route("/admin/products/{id}", get(pages::row::<product::Entity>))
        .route(
            "/admin/categories/{id}",
            get(pages::row::<category::Entity>),
        )
        .route("/admin/categories/{id}/batch", get(pages::batch))
        .route(
            "/admin/products/bulk",
            post(actions::bulk::<product::Entity>),
        )
        .route(
            "/admin/categories/bulk",
            post(actions::bulk::<category::Entity>),
        )
        .route(
            "/admin/products/{id}/{action}",
            post(actions::one::<product::Entity>),
        )
        .route(
            "/admin/categories/{id}/{action}",
            post(actions::one::<category::Entity>),
        )
        .route("/admin/purge", post(actions::purge))
        // Inside the guard, so that the 500 page of a panic names the request too.
        .layer(CatchPanicLayer::custom(failure::panicked))
        .layer(axum::middleware::from_fn(security::guard_admin))
}

/// Whether `uri` is one of the admin's, whose errors are pages rather than JSON.
pub fn is_admin(uri: &Uri) -> bool {
    uri.path() == "/admin" || uri.path().starts_with("/admin/")
}

/// The page for a request naming a host the service does not answer to.
pub fn bad_host(message: &str) -> Response {
    view::message_page(
        StatusCode::BAD_REQUEST,
        query::Nav::Products,
        "Unknown host",
        message,
    )
}

/// The page for a path that matched no admin route (404) or not with this method (405).
pub fn no_route(status: StatusCode) -> Response {
    let message = if status == StatusCode::METHOD_NOT_ALLOWED {
        "This address takes another method: actions are buttons, not links."
    } else {
        "There is no such page."
    };
    view::message_page(status, query::Nav::Products, "Not here", message)
}
