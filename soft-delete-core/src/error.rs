//! The crate's error type.

use sea_orm::DbErr;
use sea_orm::sea_query::ValueTuple;

/// What a soft-delete operation can fail with.
///
/// Converts both ways with SeaORM's [`DbErr`] without losing its meaning, so `?` works in code
/// that returns either: a refusal (`RestoreConflict`, `ParentTrashed`, `Vetoed`, ..) travels
/// inside the `DbErr` as a database error with a SQLSTATE, and [`Error::downcast_ref`] or
/// `Error::from(db_err)` gets it back; `RowNotFound` becomes SeaORM's own
/// `DbErr::RecordNotFound`, which comes back as `Database(RecordNotFound)`.
///
/// ```
/// use sea_orm::DbErr;
/// use soft_delete_core::Error;
///
/// let refused = Error::vetoed("invoices are kept for ten years");
/// let db_err = DbErr::from(refused); // what `?` does in a function returning `DbErr`
/// assert!(matches!(Error::downcast_ref(&db_err), Some(Error::Vetoed(_))));
/// assert!(matches!(Error::from(db_err), Error::Vetoed(reason) if reason.contains("ten years")));
/// ```
#[derive(Clone, Debug, thiserror::Error)]
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
    /// A trash-only operation (`force_delete_by_id(..).only_trashed()`) found its row active:
    /// it was restored after the caller saw it in the trash. Nothing was deleted; the decision
    /// was made in the `DELETE` itself, so no concurrent restore can slip between a check and it.
    #[error("the `{table}` row ({key}) is not in the trash")]
    NotInTrash {
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
    /// A soft delete was given a time no marker can record: within the first second after the
    /// Unix epoch, an epoch marker would store 0, which means active. Nothing was changed.
    #[error("cannot soft-delete at {0}: an epoch marker would store 0, which means active")]
    InvalidDeletionTime(chrono::DateTime<chrono::Utc>),
    /// The operation must open a transaction but was given a connection that cannot (only
    /// `ConnectionTrait`), through `exec_without_transaction`. Nothing was changed: the call
    /// refused before any write, or (a one-row call whose row concurrent calls kept changing)
    /// its `UPDATE`s matched nothing.
    #[error(
        "{operation} on `{table}` needs a transaction ({reason}); call `exec` with a connection \
         that implements `TransactionTrait`"
    )]
    NeedsTransaction {
        /// The operation, as its builder is named (`soft_delete_many`, ..).
        operation: &'static str,
        /// The entity's table name.
        table: &'static str,
        /// Why it sends more than one statement.
        reason: &'static str,
    },
    /// `statements()` was asked for an operation whose statements depend on the data, so that
    /// they cannot be listed before it runs: with hooks (the writes name the keys read first),
    /// a force delete of a tree, a restore with ancestors or (on MySQL and MariaDB) with cascade
    /// parents, or a database clock.
    #[error("{operation} on `{table}` cannot list its statements before it runs: {reason}")]
    StatementsDependOnData {
        /// The call, as in `soft_delete_many`.
        operation: &'static str,
        /// The entity's table name.
        table: &'static str,
        /// What the statements depend on.
        reason: &'static str,
    },
    /// A [`GuardedConnection`](crate::guard::GuardedConnection) in deny mode refused a
    /// statement that would show trashed rows, rewrite them or hard-delete; nothing was sent.
    #[cfg(feature = "guard")]
    #[cfg_attr(docsrs, doc(cfg(feature = "guard")))]
    #[error("soft-delete leak guard refused a {0}")]
    Leak(Box<crate::leak::Leak>),
    /// The database (or the connection to it) failed.
    #[error(transparent)]
    Database(DbErr),
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

impl Error {
    /// The library error a [`DbErr`] carries, when it was made from one (by `?` or `into()`).
    /// `None` for every other `DbErr`, including the database's own failures.
    pub fn downcast_ref(db_err: &DbErr) -> Option<&Error> {
        use sea_orm::RuntimeErr;
        let DbErr::Exec(RuntimeErr::SqlxError(sqlx_error)) = db_err else {
            return None;
        };
        let sea_orm::sqlx::Error::Database(database) = &**sqlx_error else {
            return None;
        };
        database
            .try_downcast_ref::<Carried>()
            .map(|carried| &carried.0)
    }

    /// A SQLSTATE-like code for the refusal: `23505` (unique violation) for a restore conflict,
    /// `23503` (foreign key violation) for a trashed parent, `45000` (unhandled user exception)
    /// otherwise.
    fn code(&self) -> &'static str {
        match self {
            Error::RestoreConflict { .. } => "23505",
            Error::ParentTrashed { .. } => "23503",
            _ => "45000",
        }
    }
}

impl From<DbErr> for Error {
    /// Gets back the library error a `DbErr` carries; any other `DbErr` becomes
    /// [`Error::Database`].
    fn from(db_err: DbErr) -> Self {
        match Error::downcast_ref(&db_err) {
            Some(carried) => carried.clone(),
            None => Error::Database(db_err),
        }
    }
}

impl From<Error> for DbErr {
    /// `Database` gives back its `DbErr`, and `RowNotFound` becomes SeaORM's own
    /// `DbErr::RecordNotFound` (with this error's message), which applications already answer
    /// with 404. Every other variant travels as
    /// `DbErr::Exec(RuntimeErr::SqlxError(sqlx::Error::Database(..)))`: a database error whose
    /// message is this error's, whose code is `23505` for a restore conflict, `23503` for a trashed
    /// parent and `45000` otherwise, and whose kind is
    /// `UniqueViolation` for a restore conflict and `ForeignKeyViolation` for a trashed parent;
    /// [`Error::downcast_ref`] gives the typed error back.
    fn from(error: Error) -> Self {
        match error {
            Error::Database(db_err) => db_err,
            not_found @ Error::RowNotFound { .. } => DbErr::RecordNotFound(not_found.to_string()),
            refusal => {
                let database = sea_orm::sqlx::Error::Database(Box::new(Carried::new(refusal)));
                DbErr::Exec(sea_orm::RuntimeErr::SqlxError(std::sync::Arc::new(
                    database,
                )))
            }
        }
    }
}

/// A library error inside a `DbErr`. sqlx's database error is the one place in `DbErr` that
/// holds a typed error which can be downcast again.
#[derive(Debug)]
struct Carried(Error, String);

impl Carried {
    fn new(error: Error) -> Self {
        let message = error.to_string();
        Self(error, message)
    }
}

impl std::fmt::Display for Carried {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.1)
    }
}

impl std::error::Error for Carried {}

impl sea_orm::sqlx::error::DatabaseError for Carried {
    fn message(&self) -> &str {
        &self.1
    }

    fn code(&self) -> Option<std::borrow::Cow<'_, str>> {
        Some(self.0.code().into())
    }

    fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self
    }

    fn kind(&self) -> sea_orm::sqlx::error::ErrorKind {
        use sea_orm::sqlx::error::ErrorKind;
        match self.0 {
            Error::RestoreConflict { .. } => ErrorKind::UniqueViolation,
            Error::ParentTrashed { .. } => ErrorKind::ForeignKeyViolation,
            _ => ErrorKind::Other,
        }
    }

    fn table(&self) -> Option<&str> {
        match &self.0 {
            Error::RestoreConflict { table, .. }
            | Error::ParentTrashed { table, .. }
            | Error::NeedsTransaction { table, .. }
            | Error::StatementsDependOnData { table, .. } => Some(table),
            _ => None,
        }
    }
}

/// Primary key values as comma-separated SQL literals: `7` or `1, 'admin'`.
pub(crate) fn key_text(values: ValueTuple) -> String {
    let values: Vec<String> = values.into_iter().map(|value| value.to_string()).collect();
    values.join(", ")
}
