//! Errors as JSON bodies of one stable shape: `{"error": {"code": .., "message": ..}}`, plus
//! `deleted_at` for 410 Gone.

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
    fn from(error: soft_delete_core::Error) -> Self {
        use soft_delete_core::Error;
        match error {
            Error::RowNotFound { .. } => ApiError::NotFound,
            Error::RestoreConflict { .. } => ApiError::Conflict {
                code: "unique_conflict",
                message: error.to_string(),
            },
            Error::ParentTrashed { .. } => ApiError::Conflict {
                code: "parent_trashed",
                message: error.to_string(),
            },
            Error::Database(db) => db.into(),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<DbErr> for ApiError {
    fn from(error: DbErr) -> Self {
        match error.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(message)) => ApiError::Conflict {
                code: "unique_conflict",
                message,
            },
            Some(SqlErr::ForeignKeyConstraintViolation(message)) => ApiError::Conflict {
                code: "foreign_key",
                message,
            },
            _ => ApiError::Internal(error.to_string()),
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
    fn from(rejection: JsonRejection) -> Self {
        ApiError::Unprocessable(rejection.body_text())
    }
}
