//! The crate's error type.

use sea_orm::DbErr;
use sea_orm::sea_query::ValueTuple;

/// What a soft-delete operation can fail with.
///
/// Converts both ways with SeaORM's [`DbErr`], so `?` works in code that returns either.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An instance or by-id operation named a row that does not exist, neither active nor in the
    /// trash: it was never there or has been force-deleted. Not a database failure.
    #[error("no `{table}` row has the primary key ({key})")]
    RowNotFound {
        /// The entity's table name.
        table: &'static str,
        /// The primary key values, comma-separated as SQL literals.
        key: String,
    },
    /// A restore would make a trashed row active while an active row holds the same values of a
    /// key declared with `#[soft_delete(unique(..))]`: a row the call names, a cascaded child,
    /// or an ancestor restored by `with_ancestors()`. Nothing of the call was applied.
    #[error(
        "restoring `{table}` row ({}) would duplicate ({}) of active row ({})",
        restored_key.as_deref().unwrap_or("unknown"),
        columns.join(", "),
        active_key.as_deref().unwrap_or("unknown")
    )]
    RestoreConflict {
        /// The table of the row that could not be restored (for a cascade, the child's).
        table: &'static str,
        /// The columns of the unique key.
        columns: Vec<&'static str>,
        /// Primary key of the trashed row that was to be restored; `None` when the database's
        /// unique index caught the conflict (a concurrent call took the key between the check
        /// and the write).
        restored_key: Option<String>,
        /// Primary key of the active row that holds the key, when it could be read.
        active_key: Option<String>,
    },
    /// A restore would leave a row active under a trashed parent of a cascade graph. Nothing of
    /// the call was applied; restore the parent first, or ask for `with_ancestors()`.
    #[error(
        "restoring `{table}` rows ({}) would leave them under trashed `{parent_table}` rows; \
         restore the parents first or use `with_ancestors()`",
        keys.join("), (")
    )]
    ParentTrashed {
        /// The entity's table name.
        table: &'static str,
        /// The trashed parent's table name.
        parent_table: &'static str,
        /// Primary keys of the rows that would be orphaned (the first ten).
        keys: Vec<String>,
    },
    /// The declared cascade graph cannot be walked: a cycle between entities, a child reached
    /// through a junction, or a force delete of a self-referencing graph.
    #[error("invalid cascade: {0}")]
    InvalidCascade(String),
    /// A hook refused the operation (or failed after it); nothing of the operation was applied.
    #[error("refused by a hook: {0}")]
    Vetoed(String),
    /// The database (or the connection to it) failed.
    #[error(transparent)]
    Database(#[from] DbErr),
}

impl Error {
    /// The error a hook returns to refuse an operation.
    pub fn vetoed(reason: impl Into<String>) -> Self {
        Error::Vetoed(reason.into())
    }

    /// Whether the call failed only because of concurrent work, so that running it again may
    /// succeed: a deadlock (PostgreSQL `40P01`, MySQL / MariaDB 1213), a serialization failure
    /// (`40001`), a lock wait timeout (MySQL / MariaDB 1205, PostgreSQL `55P03`), or SQLite's
    /// `SQLITE_BUSY` / `SQLITE_LOCKED` once its busy timeout ran out.
    ///
    /// Nothing of the failed call remains, but the database ended the transaction around it:
    /// when the call ran inside a transaction of yours, retry that whole transaction. The
    /// library does not retry by itself, because it cannot know whether the caller's
    /// transaction is still alive.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Database(db_err) => is_retryable(db_err),
            _ => false,
        }
    }
}

/// [`Error::is_retryable`] for a SeaORM error.
pub fn is_retryable(error: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    let (DbErr::Exec(RuntimeErr::SqlxError(sqlx_error))
    | DbErr::Query(RuntimeErr::SqlxError(sqlx_error))
    | DbErr::Conn(RuntimeErr::SqlxError(sqlx_error))) = error
    else {
        return false;
    };
    let sea_orm::sqlx::Error::Database(database) = &**sqlx_error else {
        return false;
    };
    let code = database.code().unwrap_or_default();
    let message = database.message();
    // SQLSTATE on PostgreSQL and MySQL; SQLite reports its (extended) result code.
    matches!(
        &*code,
        "40001" | "40P01" | "55P03" | "5" | "6" | "261" | "262" | "517"
    ) || message.starts_with("Lock wait timeout exceeded")
        || message.starts_with("Deadlock found")
        || message.starts_with("database is locked")
        || message.starts_with("database table is locked")
}

impl From<Error> for DbErr {
    fn from(error: Error) -> Self {
        match error {
            Error::RowNotFound { .. } => DbErr::RecordNotFound(error.to_string()),
            Error::RestoreConflict { .. }
            | Error::ParentTrashed { .. }
            | Error::InvalidCascade(_)
            | Error::Vetoed(_) => DbErr::Custom(error.to_string()),
            Error::Database(db_err) => db_err,
        }
    }
}

/// Primary key values as comma-separated SQL literals: `7` or `1, 'admin'`.
pub(crate) fn key_text(values: ValueTuple) -> String {
    let values: Vec<String> = values.into_iter().map(|value| value.to_string()).collect();
    values.join(", ")
}
