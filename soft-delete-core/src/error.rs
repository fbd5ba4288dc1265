//! The crate's error type.

use sea_orm::DbErr;

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
    /// The database (or the connection to it) failed.
    #[error(transparent)]
    Database(#[from] DbErr),
}

impl From<Error> for DbErr {
    fn from(error: Error) -> Self {
        match error {
            Error::RowNotFound { .. } => DbErr::RecordNotFound(error.to_string()),
            Error::Database(db_err) => db_err,
        }
    }
}
