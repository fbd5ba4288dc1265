//! The one place that decides whether an operation runs in a transaction of its own.
//!
//! Every builder describes itself as an [`Operation`]: why it may send several statements (or
//! that it is one), how it runs as that one statement, and how it runs on the transaction it is
//! given. [`exec`] is the only caller of [`begin`] and [`finish`], and [`exec_without_transaction`]
//! refuses from the same reasons, so the decision is made once and the `NeedsTransaction` error
//! reports exactly it.

use std::any::TypeId;
use std::future::Future;

use sea_orm::{
    ConnectionTrait, DbBackend, DbErr, EntityName, IsolationLevel, SqliteTransactionMode,
    TransactionOptions, TransactionSession,
};

use crate::entity::SoftDeleteEntity;
use crate::error::Error;
use crate::graph::{Graph, parent_edges};
use crate::scope;
use crate::session::TransactionalConnection;

/// An operation as the executor sees it.
pub(crate) trait Operation: Sync {
    /// The entity it is called on.
    type Entity: SoftDeleteEntity;
    type Output: Send;

    /// The call's name, for [`Error::NeedsTransaction`].
    const NAME: &'static str;

    /// Why the operation sends more than one statement on `db`, and so needs a transaction;
    /// `None` when it is one statement.
    fn compound_reason(&self, db: &impl ConnectionTrait) -> Result<Option<&'static str>, Error>;

    /// Runs the whole operation on `db`: the transaction [`exec`] opened when the operation is
    /// compound, else whatever connection it was given.
    fn run<C: ConnectionTrait>(
        &self,
        db: &C,
    ) -> impl Future<Output = Result<Self::Output, Error>> + Send;

    /// Runs the operation as the one statement it is (see [`Operation::compound_reason`]);
    /// `None` when concurrent callers kept changing its row, so that only a transaction can
    /// give a consistent answer. By default, [`Operation::run`].
    fn run_alone<C: ConnectionTrait>(
        &self,
        db: &C,
    ) -> impl Future<Output = Result<Option<Self::Output>, Error>> + Send {
        async move { self.run(db).await.map(Some) }
    }

    /// [`Operation::run_alone`] for an operation that is no longer needed afterwards, so that
    /// it can move its conditions into its statement instead of copying them; gives the
    /// operation back where `run_alone` answers `None`. By default, `run_alone`.
    /// Runs the operation without a savepoint on the transaction the caller has open, when it
    /// can do so and a failure still changes nothing (every statement but the last only reads);
    /// `None` to take the savepoint's way. Asked only inside a caller's transaction, for an
    /// operation that has a compound reason.
    fn run_in_callers_transaction<C: ConnectionTrait>(
        &self,
        _db: &C,
    ) -> impl Future<Output = Result<Option<Self::Output>, Error>> + Send {
        async { Ok(None) }
    }

    fn run_alone_owned<C: ConnectionTrait>(
        self,
        db: &C,
    ) -> impl Future<Output = Result<Result<Self::Output, Self>, Error>> + Send
    where
        Self: Sized + Send,
    {
        async move {
            match self.run_alone(db).await? {
                Some(output) => Ok(Ok(output)),
                None => Ok(Err(self)),
            }
        }
    }
}

/// Runs `operation` alone when it is one statement, else in a transaction it opens (a
/// savepoint inside the caller's), committed on success and rolled back on any error.
pub(crate) async fn exec<O, C>(operation: O, db: &C) -> Result<O::Output, Error>
where
    O: Operation + Send,
    C: TransactionalConnection,
{
    scope::library(async {
        let operation = if operation.compound_reason(db)?.is_none() {
            match operation.run_alone_owned(db).await? {
                Ok(output) => return Ok(output),
                Err(operation) => operation,
            }
        } else {
            // A savepoint costs two statements more; inside the caller's transaction an
            // operation whose only write is its last statement needs none.
            if db.is_in_transaction()
                && let Some(output) = operation.run_in_callers_transaction(db).await?
            {
                return Ok(output);
            }
            operation
        };
        // The transaction's path holds the state of the whole engine, several times the one
        // statement's: boxed, so that a call that is one statement does not carry it (every
        // move of the future copies all of it).
        Box::pin(in_transaction(operation, db)).await
    })
    .await
}

/// Runs `operation` in a transaction of its own on `db` (or a savepoint, on a transaction).
async fn in_transaction<O, C>(operation: O, db: &C) -> Result<O::Output, Error>
where
    O: Operation + Send,
    C: TransactionalConnection,
{
    let txn = begin(db).await?;
    let outcome = operation.run(&txn).await;
    finish(txn, outcome).await
}

/// Runs `operation` on a connection that cannot open a transaction: it fails with
/// [`Error::NeedsTransaction`], having sent nothing, unless the operation is one statement.
pub(crate) async fn exec_without_transaction<O, C>(operation: O, db: &C) -> Result<O::Output, Error>
where
    O: Operation + Send,
    C: ConnectionTrait,
{
    let refused = |reason| Error::NeedsTransaction {
        operation: O::NAME,
        table: O::Entity::default().table_name(),
        reason,
    };
    if let Some(reason) = operation.compound_reason(db)? {
        return Err(refused(reason));
    }
    scope::library(operation.run_alone_owned(db))
        .await?
        .map_err(|_| refused(KEPT_CHANGING))
}

const KEPT_CHANGING: &str =
    "concurrent calls kept changing the row between its update and its read";

/// Why soft-deleting or force-deleting (`restore` false) or restoring `E` sends more than one
/// statement: `None` when it is one. Decided once per entity and operation: it depends only on
/// declarations, and walking the graph again cost more than building the statement of an
/// instance soft delete.
pub(crate) fn compound_reason<E: SoftDeleteEntity>(
    restore: bool,
) -> Result<Option<&'static str>, Error> {
    let Some(facts) = E::facts() else {
        return decide_compound_reason::<E>(restore);
    };
    let known = &facts.compound_reasons[usize::from(restore)];
    if let Some(reason) = known.get() {
        return Ok(*reason);
    }
    // An invalid graph is an error every time, never kept.
    let reason = decide_compound_reason::<E>(restore)?;
    Ok(*known.get_or_init(|| reason))
}

fn decide_compound_reason<E: SoftDeleteEntity>(
    restore: bool,
) -> Result<Option<&'static str>, Error> {
    Ok(if !Graph::of::<E>()?.is_empty() {
        Some("it cascades to other tables")
    } else if E::hooks().is_some() {
        Some("its hooks read the rows' keys first")
    } else if restore && !E::UNIQUE_KEYS.is_empty() {
        Some("it checks the entity's unique keys first")
    } else if restore && !parent_edges(TypeId::of::<E>()).is_empty() {
        Some("it checks the rows' cascade parents first")
    } else {
        None
    })
}

/// Begins the operation's own transaction (a savepoint inside the caller's). On SQLite it is
/// `BEGIN IMMEDIATE`: a deferred transaction that reads first cannot take the write lock later
/// while another connection holds it, and fails with `database is locked` instead of waiting
/// for the busy timeout.
///
/// On MySQL and MariaDB it is `READ COMMITTED`, as PostgreSQL's default is: each check then sees
/// what committed before it, not the snapshot of the transaction's first read, and InnoDB takes
/// no gap locks, the main source of deadlocks between concurrent cascades. Inside a
/// transaction of the caller's (a savepoint) the caller's isolation level stays.
async fn begin<C>(db: &C) -> Result<C::Transaction, DbErr>
where
    C: TransactionalConnection,
{
    // Only outside a transaction is the isolation level ours to choose: on a transaction,
    // SeaORM would send the `SET TRANSACTION` that MySQL refuses there, and the failed begin
    // rolls the caller's transaction back when SeaORM drops it.
    if db.get_database_backend() == DbBackend::MySql && !db.is_in_transaction() {
        return db
            .begin_with_config(Some(IsolationLevel::ReadCommitted), None)
            .await;
    }
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// Runs `operation` in a transaction (a savepoint inside the caller's) and commits, or rolls
/// back explicitly on failure: a transaction left to `Drop` queues its rollback on the pooled
/// connection, which keeps the locks until that connection is next used.
async fn finish<T, Txn>(txn: Txn, outcome: Result<T, Error>) -> Result<T, Error>
where
    Txn: TransactionSession,
{
    match outcome {
        Ok(value) => {
            txn.commit().await?;
            Ok(value)
        }
        Err(error) => {
            // The operation's own error says what failed; a rollback failure adds nothing to it.
            let _ = txn.rollback().await;
            Err(error)
        }
    }
}
