//! Errors as JSON bodies of one stable shape: `{"error": {"code": .., "message": ..}}`, plus
//! `deleted_at` for 410 Gone. Database errors are mapped from `DbErr` alone: the library's
//! refusals travel inside it and come back with `soft_delete_core::Error::downcast_ref`.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use sea_orm::{DbErr, SqlErr};
use serde_json::json;

#[derive(Debug)]
pub enum ApiError {
    /// 400: a malformed path or query parameter.
    BadRequest(String),
    /// 422: a body that is not the JSON the endpoint takes.
    Unprocessable(String),
    /// 415, 413, 400: a body refused before it was read as JSON (its status and code).
    Body(StatusCode, &'static str, String),
    /// 405: the path exists, the method does not.
    MethodNotAllowed,
    /// 404: no such route.
    NoRoute,
    /// 404: no such row.
    NotFound,
    /// 410: the row is in the trash.
    Gone(DateTime<Utc>),
    /// 409: a unique key is taken, a parent is trashed, or the row is not in the trash.
    Conflict { code: &'static str, message: String },
    /// 500.
    Internal(String),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message, deleted_at) = match self {
            ApiError::BadRequest(message) => {
                (StatusCode::BAD_REQUEST, "bad_request", message, None)
            }
            ApiError::Unprocessable(message) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                message,
                None,
            ),
            ApiError::Body(status, code, message) => (status, code, message, None),
            ApiError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this path does not take that method".to_owned(),
                None,
            ),
            ApiError::NoRoute => (
                StatusCode::NOT_FOUND,
                "no_route",
                "no such endpoint".to_owned(),
                None,
            ),
            ApiError::NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "no such row".to_owned(),
                None,
            ),
            ApiError::Gone(at) => (
                StatusCode::GONE,
                "gone",
                "the row is in the trash".to_owned(),
                Some(at),
            ),
            ApiError::Conflict { code, message } => (StatusCode::CONFLICT, code, message, None),
            ApiError::Internal(message) => {
                tracing::error!(%message, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal error".to_owned(),
                    None,
                )
            }
        };
        let mut error = json!({ "code": code, "message": message });
        if let Some(at) = deleted_at {
            error["deleted_at"] = json!(at);
        }
        (status, Json(json!({ "error": error }))).into_response()
    }
}

impl From<soft_delete_core::Error> for ApiError {
    /// Through `DbErr`, as an application whose errors are SeaORM's would map it.
    fn from(error: soft_delete_core::Error) -> Self {
        DbErr::from(error).into()
    }
}

/// What a failed call of the library means over HTTP, decided once for the JSON API and the
/// admin pages alike: a refusal the data made (409, with its code), a row that is not there
/// (404), or a failure of the service (500).
#[derive(Debug)]
pub(crate) enum Outcome<'a> {
    /// 409: the library refused, and the row is as it was.
    Refused {
        code: &'static str,
        error: &'a soft_delete_core::Error,
    },
    /// 409: the database refused (a unique or foreign key), with its message.
    Constraint { code: &'static str, message: String },
    /// 404.
    Missing,
    /// 500.
    Failed,
}

impl Outcome<'_> {
    /// The outcome of `error`, a `DbErr` that may carry the library's refusal.
    pub(crate) fn of(error: &DbErr) -> Outcome<'_> {
        use soft_delete_core::Error;
        if let Some(refused) = Error::downcast_ref(error) {
            return match refused {
                Error::RestoreConflict { .. } => Outcome::Refused {
                    code: "unique_conflict",
                    error: refused,
                },
                Error::ParentTrashed { .. } => Outcome::Refused {
                    code: "parent_trashed",
                    error: refused,
                },
                Error::NotInTrash { .. } => Outcome::Refused {
                    code: "not_in_trash",
                    error: refused,
                },
                Error::RowNotFound { .. } => Outcome::Missing,
                _ => Outcome::Failed,
            };
        }
        match error.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(message)) => Outcome::Constraint {
                code: "unique_conflict",
                message,
            },
            Some(SqlErr::ForeignKeyConstraintViolation(message)) => Outcome::Constraint {
                code: "foreign_key",
                message,
            },
            _ if matches!(error, DbErr::RecordNotFound(_)) => Outcome::Missing,
            _ => Outcome::Failed,
        }
    }
}

impl From<DbErr> for ApiError {
    fn from(error: DbErr) -> Self {
        match Outcome::of(&error) {
            Outcome::Refused { code, error } => ApiError::Conflict {
                code,
                message: error.to_string(),
            },
            Outcome::Constraint { code, message } => ApiError::Conflict { code, message },
            Outcome::Missing => ApiError::NotFound,
            Outcome::Failed => ApiError::Internal(error.to_string()),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError::BadRequest(rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::BadRequest(rejection.body_text())
    }
}

impl From<JsonRejection> for ApiError {
    /// 415 without a JSON content type, 413 for a body over the limit, 422 for anything else
    /// that is not the JSON the endpoint takes.
    fn from(rejection: JsonRejection) -> Self {
        match rejection.status() {
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::Body(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                rejection.body_text(),
            ),
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::Body(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                rejection.body_text(),
            ),
            status if status.is_server_error() => ApiError::Internal(rejection.body_text()),
            _ => ApiError::Unprocessable(rejection.body_text()),
        }
    }
}
