//! What every admin request passes through: another site's forms are refused, no page can be
//! framed or kept in the browser's cache, and the request's id is at hand for the error page.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::query::Nav;
use super::view;

tokio::task_local! {
    /// The `x-request-id` of the request being answered, for the 500 page.
    static REQUEST_ID: String;
}

/// The id of the request being answered, when there is one.
pub(super) fn request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Refuses a `POST` from another site, forbids framing every admin page (clickjacking would
/// otherwise turn a same-origin click into another site's action), keeps every admin page out
/// of the browser's cache, so that Back shows the rows as they are now, not the buttons of a
/// page drawn before a restore, and keeps the request's id for an error page.
pub(super) async fn guard_admin(request: Request, next: Next) -> Response {
    if request.method() == Method::POST && !same_origin(request.headers()) {
        return with_admin_headers(view::message_page(
            StatusCode::FORBIDDEN,
            Nav::Products,
            "Refused",
            "This form was sent from another site.",
        ));
    }
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|id| id.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    with_admin_headers(REQUEST_ID.scope(id, next.run(request)).await)
}

/// Whether a request comes from this site's own pages, or from no browser page at all.
///
/// Browsers say where a request comes from in `Sec-Fetch-Site`: only `same-origin` (and `none`,
/// a request the user made directly) passes. Without that header (older browsers) the `Origin`
/// must name this host (`null`, sent by sandboxed frames and after cross-origin redirects, does
/// not); a request with neither header is not from a browser form and passes (curl, tests).
/// Behind a reverse proxy, keep the `Host` header (nginx: `proxy_set_header Host $host`).
pub(crate) fn same_origin(headers: &HeaderMap) -> bool {
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

fn with_admin_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static("frame-ancestors 'none'"),
    );
    headers.insert("cache-control", HeaderValue::from_static("no-store"));
    response
}
