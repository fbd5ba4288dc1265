//! Failures that become pages. A refusal of an action is not among them: it is a notice on
//! the list the action redirects to (post/redirect/get), made in [`super::actions`].

use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sea_orm::DbErr;

use super::query::{BadQuery, Nav};
use super::{security, view};

/// A failure that becomes a page.
#[derive(Debug)]
pub(super) enum AdminError {
    /// 400: a malformed path, query or form.
    BadRequest(String),
    /// 404: no such row or action.
    NotFound(Nav, String),
    /// 500: logged with the request's id, which the page shows.
    Internal(String),
}

pub(super) type AdminResult<T> = Result<T, AdminError>;

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        match self {
            AdminError::BadRequest(message) => view::message_page(
                StatusCode::BAD_REQUEST,
                Nav::Products,
                "Bad request",
                &message,
            ),
            AdminError::NotFound(nav, message) => {
                view::message_page(StatusCode::NOT_FOUND, nav, "Not found", &message)
            }
            AdminError::Internal(message) => {
                let request_id = security::request_id().unwrap_or_else(|| "-".into());
                tracing::error!(%message, %request_id, "admin request failed");
                view::message_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Nav::Products,
                    "Something went wrong",
                    &format!(
                        "The request failed and has been logged. Request id: {request_id} (quote it when you report this)."
                    ),
                )
            }
        }
    }
}

/// A handler's panic, answered as the admin's 500 page (with the request's id) instead of the
/// JSON API's.
pub(super) fn panicked(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    AdminError::Internal(format!("panic: {}", crate::panic_message(&*panic))).into_response()
}

impl From<DbErr> for AdminError {
    fn from(error: DbErr) -> Self {
        AdminError::Internal(error.to_string())
    }
}

impl From<soft_delete_core::Error> for AdminError {
    fn from(error: soft_delete_core::Error) -> Self {
        AdminError::Internal(error.to_string())
    }
}

impl From<BadQuery> for AdminError {
    fn from(BadQuery(message): BadQuery) -> Self {
        AdminError::BadRequest(message)
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
