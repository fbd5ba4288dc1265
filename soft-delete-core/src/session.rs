//! Which connections an operation can run on, and the connection hooks get.
//!
//! An operation that may send several statements must run them in one transaction, so its
//! `exec` takes a [`TransactionalConnection`]: a `DatabaseConnection`, a `DatabaseTransaction`,
//! or the [`HookConnection`] a hook is given (which opens savepoints inside the operation's
//! transaction). Code that holds only a `C: ConnectionTrait` (an `ActiveModelBehavior` hook,
//! generic helpers) calls `exec_without_transaction` instead: it runs every operation that is one
//! write statement for the entity and backend, and otherwise fails with
//! [`Error::NeedsTransaction`](crate::Error::NeedsTransaction), having changed nothing.
//!
//! See [`TransactionalConnection`] for which operations a bare connection runs.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use sea_orm::{
    AccessMode, ConnectionTrait, DbBackend, DbErr, ExecResult, IsolationLevel, QueryResult,
    Statement, TransactionError, TransactionOptions, TransactionSession, TransactionTrait,
};

/// A boxed, sendable future: what object-safe async methods return.
pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A connection on which an operation can open a transaction (or a savepoint in the one it is
/// in): what `exec` needs, because the operation may send several statements.
///
/// Code that holds only a `C: ConnectionTrait` calls `exec_without_transaction(db)` instead, which
/// runs these operations and fails with
/// [`Error::NeedsTransaction`](crate::Error::NeedsTransaction) (having changed nothing) for the
/// rest:
///
/// | operation | `exec_without_transaction` runs it when the entity has |
/// |---|---|
/// | `soft_delete_many`, `force_delete_many`, `force_delete_by_id`, `purge_trash` | no cascades and no hooks |
/// | `restore_many` | no cascades, hooks, unique keys or cascade parents |
/// | `soft_delete_by_id` | no cascades and no hooks, on a backend with `UPDATE .. RETURNING` (PostgreSQL, SQLite) |
/// | `restore_by_id` | as `restore_many`, on a backend with `UPDATE .. RETURNING`, and without `with_ancestors()` |
///
/// ```
/// # mod note {
/// #     use sea_orm::entity::prelude::*;
/// #     use soft_delete_core::prelude::*;
/// #     #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
/// #     #[sea_orm(table_name = "note")]
/// #     pub struct Model {
/// #         #[sea_orm(primary_key)]
/// #         pub id: i32,
/// #         pub deleted_at: Option<DateTimeUtc>,
/// #     }
/// #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #     pub enum Relation {}
/// #     impl ActiveModelBehavior for ActiveModel {}
/// # }
/// use sea_orm::{ConnectionTrait, DbErr};
///
/// // Code generic over SeaORM's `ConnectionTrait`, as in an `ActiveModelBehavior` hook.
/// async fn archive_note<C: ConnectionTrait>(db: &C, id: i32) -> Result<u64, DbErr> {
///     let done = note::Entity::soft_delete_many()
///         .filter(note::Column::Id.eq(id))
///         .exec_without_transaction(db)
///         .await?;
///     Ok(done.rows_affected)
/// }
/// # use sea_orm::ColumnTrait;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), DbErr> {
/// # let db = sea_orm::Database::connect("sqlite::memory:").await?;
/// # soft_delete_core::schema::create_table::<note::Entity, _>(&db).await?;
/// # db.execute_unprepared("INSERT INTO note (id) VALUES (1)").await?;
/// assert_eq!(archive_note(&db, 1).await?, 1);
/// # Ok(())
/// # }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot open a transaction, which this soft-delete operation may need",
    label = "not a `TransactionalConnection`",
    note = "with cascades, unique keys or hooks (and on MySQL / MariaDB, for one-row operations) \
            an operation sends several statements and runs them in one transaction",
    note = "pass a `DatabaseConnection`, a `DatabaseTransaction` or a hook's `ctx.db`, bound \
            generic code by `soft_delete_core::TransactionalConnection` (a wrapper of your own \
            implements it), or call `.exec_without_transaction(db)`, which runs one-statement \
            operations on any connection"
)]
///
/// # Wrappers
///
/// A connection type of your own (a wrapper that logs, meters or authorizes statements)
/// implements this trait with one method, which says whether statements sent on it already run
/// inside a transaction. An operation opens its own transaction only on a connection that is not
/// in one: on MySQL and MariaDB it then chooses `READ COMMITTED`, which MySQL refuses to set
/// inside a transaction (and SeaORM would roll the caller's transaction back).
///
/// ```
/// use sea_orm::{ConnectionTrait, TransactionTrait};
/// use soft_delete_core::TransactionalConnection;
///
/// # #[derive(Debug)]
/// struct Metered<C>(C);
/// # #[async_trait::async_trait]
/// # impl<C: ConnectionTrait + Send + Sync> ConnectionTrait for Metered<C> {
/// #     fn get_database_backend(&self) -> sea_orm::DbBackend { self.0.get_database_backend() }
/// #     async fn execute_raw(&self, s: sea_orm::Statement) -> Result<sea_orm::ExecResult, sea_orm::DbErr> { self.0.execute_raw(s).await }
/// #     async fn execute_unprepared(&self, s: &str) -> Result<sea_orm::ExecResult, sea_orm::DbErr> { self.0.execute_unprepared(s).await }
/// #     async fn query_one_raw(&self, s: sea_orm::Statement) -> Result<Option<sea_orm::QueryResult>, sea_orm::DbErr> { self.0.query_one_raw(s).await }
/// #     async fn query_all_raw(&self, s: sea_orm::Statement) -> Result<Vec<sea_orm::QueryResult>, sea_orm::DbErr> { self.0.query_all_raw(s).await }
/// # }
/// # #[async_trait::async_trait]
/// # impl<C: TransactionTrait + Send + Sync> TransactionTrait for Metered<C> where C::Transaction: Sync {
/// #     type Transaction = C::Transaction;
/// #     async fn begin(&self) -> Result<C::Transaction, sea_orm::DbErr> { self.0.begin().await }
/// #     async fn begin_with_config(&self, i: Option<sea_orm::IsolationLevel>, a: Option<sea_orm::AccessMode>) -> Result<C::Transaction, sea_orm::DbErr> { self.0.begin_with_config(i, a).await }
/// #     async fn begin_with_options(&self, o: sea_orm::TransactionOptions) -> Result<C::Transaction, sea_orm::DbErr> { self.0.begin_with_options(o).await }
/// #     async fn transaction<F, T, E>(&self, f: F) -> Result<T, sea_orm::TransactionError<E>>
/// #     where F: for<'c> FnOnce(&'c C::Transaction) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, E>> + Send + 'c>> + Send, T: Send, E: std::fmt::Display + std::fmt::Debug + Send
/// #     { self.0.transaction(f).await }
/// #     async fn transaction_with_config<F, T, E>(&self, f: F, i: Option<sea_orm::IsolationLevel>, a: Option<sea_orm::AccessMode>) -> Result<T, sea_orm::TransactionError<E>>
/// #     where F: for<'c> FnOnce(&'c C::Transaction) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, E>> + Send + 'c>> + Send, T: Send, E: std::fmt::Display + std::fmt::Debug + Send
/// #     { self.0.transaction_with_config(f, i, a).await }
/// # }
/// // With `ConnectionTrait` and `TransactionTrait` delegated to the wrapped connection:
/// impl<C: TransactionalConnection + Send + Sync> TransactionalConnection for Metered<C>
/// where
///     C::Transaction: Sync,
/// {
///     fn is_in_transaction(&self) -> bool {
///         self.0.is_in_transaction()
///     }
/// }
/// ```
pub trait TransactionalConnection: ConnectionTrait + TransactionTrait {
    /// Whether statements sent on this connection run inside a transaction (or a savepoint)
    /// already: `false` for a pool such as `DatabaseConnection`, `true` for a
    /// `DatabaseTransaction`.
    fn is_in_transaction(&self) -> bool;
}

impl TransactionalConnection for sea_orm::DatabaseConnection {
    fn is_in_transaction(&self) -> bool {
        false
    }
}

impl TransactionalConnection for sea_orm::DatabaseTransaction {
    fn is_in_transaction(&self) -> bool {
        true
    }
}

/// What `sea-orm-migration`'s `SchemaManager` hands a migration: a pool or a transaction,
/// decided at run time.
impl TransactionalConnection for sea_orm::DatabaseExecutor<'_> {
    fn is_in_transaction(&self) -> bool {
        !matches!(self, sea_orm::DatabaseExecutor::Connection(_))
    }
}

#[cfg(feature = "rbac")]
impl TransactionalConnection for sea_orm::RestrictedConnection {
    fn is_in_transaction(&self) -> bool {
        false
    }
}

#[cfg(feature = "rbac")]
impl TransactionalConnection for sea_orm::RestrictedTransaction {
    fn is_in_transaction(&self) -> bool {
        true
    }
}

/// The savepoints open on a hook's connection, innermost last. A savepoint dropped without
/// `commit` or `rollback` is marked abandoned and rolled back before the next statement on the
/// connection (and when the hook returns), as SeaORM rolls back a dropped transaction. Closing a
/// savepoint closes the ones opened inside it, as SQL does; the stack mirrors that, so that no
/// statement ever names a savepoint the server no longer has (on PostgreSQL such an error would
/// abort the whole operation).
#[derive(Debug, Default)]
pub(crate) struct SavepointStack(Mutex<Vec<OpenSavepoint>>);

#[derive(Debug)]
struct OpenSavepoint {
    id: u64,
    abandoned: bool,
}

fn savepoint_name(id: u64) -> String {
    format!("soft_delete_hook_{id}")
}

impl SavepointStack {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<OpenSavepoint>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn push(&self, id: u64) {
        self.lock().push(OpenSavepoint {
            id,
            abandoned: false,
        });
    }

    fn abandon(&self, id: u64) {
        if let Some(open) = self.lock().iter_mut().find(|open| open.id == id) {
            open.abandoned = true;
        }
    }

    fn is_open(&self, id: u64) -> bool {
        self.lock().iter().any(|open| open.id == id)
    }

    /// Removes `id` and the savepoints inside it; false when it is no longer open.
    fn close(&self, id: u64) -> bool {
        let mut stack = self.lock();
        match stack.iter().position(|open| open.id == id) {
            Some(position) => {
                stack.truncate(position);
                true
            }
            None => false,
        }
    }

    /// Rolls back the outermost abandoned savepoint, which takes those inside it along.
    pub(crate) async fn roll_back_abandoned(&self, db: &dyn ErasedConnection) -> Result<(), DbErr> {
        let outermost = {
            let mut stack = self.lock();
            match stack.iter().position(|open| open.abandoned) {
                Some(position) => {
                    let id = stack[position].id;
                    stack.truncate(position);
                    Some(id)
                }
                None => None,
            }
        };
        if let Some(id) = outermost {
            roll_back_to(db, id).await?;
        }
        Ok(())
    }
}

async fn roll_back_to(db: &dyn ErasedConnection, id: u64) -> Result<(), DbErr> {
    let name = savepoint_name(id);
    db.execute_unprepared(&format!("ROLLBACK TO SAVEPOINT {name}"))
        .await?;
    db.execute_unprepared(&format!("RELEASE SAVEPOINT {name}"))
        .await?;
    Ok(())
}

fn already_closed() -> DbErr {
    DbErr::Custom(
        "this savepoint is already closed: a savepoint around it was committed, rolled back or \
         dropped"
            .to_owned(),
    )
}

/// A savepoint in the operation's transaction, opened by `ctx.db.begin()` in a hook. It commits
/// with `RELEASE SAVEPOINT` and rolls back with `ROLLBACK TO SAVEPOINT`; dropped without either,
/// it is rolled back.
#[derive(Debug)]
pub struct HookSavepoint<'a> {
    connection: HookConnection<'a>,
    id: u64,
    finished: bool,
}

impl<'a> HookSavepoint<'a> {
    async fn open(connection: HookConnection<'a>) -> Result<Self, DbErr> {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let stack = connection
            .savepoints()
            .ok_or_else(|| DbErr::Custom("this connection cannot open savepoints".to_owned()))?;
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        ConnectionTrait::execute_unprepared(
            &connection,
            &format!("SAVEPOINT {}", savepoint_name(id)),
        )
        .await?;
        stack.push(id);
        Ok(Self {
            connection,
            id,
            finished: false,
        })
    }

    /// Rolls back abandoned savepoints, then closes this one; the statements to send follow.
    /// Cancelled before the close, the savepoint stays open and its `Drop` abandons it.
    async fn close(&mut self) -> Result<(), DbErr> {
        let stack = self.connection.savepoints().ok_or_else(already_closed)?;
        stack.roll_back_abandoned(self.connection.inner).await?;
        self.finished = true;
        if stack.close(self.id) {
            Ok(())
        } else {
            Err(already_closed())
        }
    }

    /// Before a statement: abandoned savepoints are rolled back, and a statement on a savepoint
    /// that closed with one around it is refused rather than run in the enclosing scope.
    async fn ensure_open(&self) -> Result<(), DbErr> {
        self.connection.settle_savepoints().await?;
        match self.connection.savepoints() {
            Some(stack) if stack.is_open(self.id) => Ok(()),
            _ => Err(already_closed()),
        }
    }
}

impl Drop for HookSavepoint<'_> {
    fn drop(&mut self) {
        if !self.finished
            && let Some(stack) = self.connection.savepoints()
        {
            stack.abandon(self.id);
        }
    }
}

#[async_trait::async_trait]
impl TransactionSession for HookSavepoint<'_> {
    async fn commit(mut self) -> Result<(), DbErr> {
        self.close().await?;
        let release = format!("RELEASE SAVEPOINT {}", savepoint_name(self.id));
        self.connection.inner.execute_unprepared(&release).await?;
        Ok(())
    }

    async fn rollback(mut self) -> Result<(), DbErr> {
        self.close().await?;
        roll_back_to(self.connection.inner, self.id).await
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for HookSavepoint<'_> {
    fn get_database_backend(&self) -> DbBackend {
        self.connection.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.ensure_open().await?;
        self.connection.inner.execute(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.ensure_open().await?;
        self.connection.inner.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.ensure_open().await?;
        self.connection.inner.query_one(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.ensure_open().await?;
        self.connection.inner.query_all(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.connection.support_returning()
    }
}

/// Savepoints nest: the transaction type of a savepoint is a savepoint again.
macro_rules! savepoint_transactions {
    ($type:ty, |$this:ident| $connection:expr) => {
        #[async_trait::async_trait]
        impl<'a> TransactionTrait for $type {
            type Transaction = HookSavepoint<'a>;

            async fn begin(&self) -> Result<HookSavepoint<'a>, DbErr> {
                let $this = self;
                HookSavepoint::open($connection).await
            }

            /// A savepoint has its transaction's isolation and access mode: both are ignored.
            async fn begin_with_config(
                &self,
                _isolation_level: Option<IsolationLevel>,
                _access_mode: Option<AccessMode>,
            ) -> Result<HookSavepoint<'a>, DbErr> {
                self.begin().await
            }

            /// A savepoint has its transaction's options: they are ignored.
            async fn begin_with_options(
                &self,
                _options: TransactionOptions,
            ) -> Result<HookSavepoint<'a>, DbErr> {
                self.begin().await
            }

            async fn transaction<F, T, E>(&self, callback: F) -> Result<T, TransactionError<E>>
            where
                F: for<'c> FnOnce(
                        &'c HookSavepoint<'a>,
                    ) -> std::pin::Pin<
                        Box<dyn std::future::Future<Output = Result<T, E>> + Send + 'c>,
                    > + Send,
                T: Send,
                E: std::fmt::Display + std::fmt::Debug + Send,
            {
                let savepoint = self.begin().await.map_err(TransactionError::Connection)?;
                match callback(&savepoint).await {
                    Ok(value) => {
                        savepoint
                            .commit()
                            .await
                            .map_err(TransactionError::Connection)?;
                        Ok(value)
                    }
                    Err(error) => {
                        savepoint
                            .rollback()
                            .await
                            .map_err(TransactionError::Connection)?;
                        Err(TransactionError::Transaction(error))
                    }
                }
            }

            async fn transaction_with_config<F, T, E>(
                &self,
                callback: F,
                _isolation_level: Option<IsolationLevel>,
                _access_mode: Option<AccessMode>,
            ) -> Result<T, TransactionError<E>>
            where
                F: for<'c> FnOnce(
                        &'c HookSavepoint<'a>,
                    ) -> std::pin::Pin<
                        Box<dyn std::future::Future<Output = Result<T, E>> + Send + 'c>,
                    > + Send,
                T: Send,
                E: std::fmt::Display + std::fmt::Debug + Send,
            {
                self.transaction(callback).await
            }
        }
    };
}

savepoint_transactions!(HookConnection<'a>, |connection| *connection);
savepoint_transactions!(HookSavepoint<'a>, |savepoint| savepoint.connection);

/// A hook runs inside the operation's transaction, and its savepoints inside that.
impl TransactionalConnection for HookConnection<'_> {
    fn is_in_transaction(&self) -> bool {
        true
    }
}

impl TransactionalConnection for HookSavepoint<'_> {
    fn is_in_transaction(&self) -> bool {
        true
    }
}

/// A connection behind a pointer: what SeaORM's `ConnectionTrait` needs, without its generic
/// methods, so that it can be passed through graph edges.
#[doc(hidden)]
pub trait ErasedConnection: Sync {
    fn backend(&self) -> DbBackend;
    fn execute<'a>(&'a self, stmt: Statement) -> BoxFuture<'a, Result<ExecResult, DbErr>>;
    fn execute_unprepared<'a>(&'a self, sql: &'a str) -> BoxFuture<'a, Result<ExecResult, DbErr>>;
    fn query_one<'a>(
        &'a self,
        stmt: Statement,
    ) -> BoxFuture<'a, Result<Option<QueryResult>, DbErr>>;
    fn query_all<'a>(&'a self, stmt: Statement) -> BoxFuture<'a, Result<Vec<QueryResult>, DbErr>>;
    fn returning(&self) -> bool;
}

impl<C: ConnectionTrait> ErasedConnection for C {
    fn backend(&self) -> DbBackend {
        self.get_database_backend()
    }

    fn execute<'a>(&'a self, stmt: Statement) -> BoxFuture<'a, Result<ExecResult, DbErr>> {
        self.execute_raw(stmt)
    }

    fn execute_unprepared<'a>(&'a self, sql: &'a str) -> BoxFuture<'a, Result<ExecResult, DbErr>> {
        ConnectionTrait::execute_unprepared(self, sql)
    }

    fn query_one<'a>(
        &'a self,
        stmt: Statement,
    ) -> BoxFuture<'a, Result<Option<QueryResult>, DbErr>> {
        self.query_one_raw(stmt)
    }

    fn query_all<'a>(&'a self, stmt: Statement) -> BoxFuture<'a, Result<Vec<QueryResult>, DbErr>> {
        self.query_all_raw(stmt)
    }

    fn returning(&self) -> bool {
        self.support_returning()
    }
}

/// The operation's transaction as hooks see it: a SeaORM connection, so entities, `find`,
/// `insert`, raw statements and this crate's operations all work on it. Its `begin()` opens a
/// savepoint ([`HookSavepoint`](crate::HookSavepoint)), so a hook can try something and roll only that back.
#[derive(Clone, Copy)]
pub struct HookConnection<'a> {
    pub(crate) inner: &'a dyn ErasedConnection,
    savepoints: Option<&'a SavepointStack>,
}

impl<'a> HookConnection<'a> {
    /// The connection as a SeaORM connection, for the crate's own reads; it opens no savepoints.
    pub(crate) fn new(inner: &'a dyn ErasedConnection) -> Self {
        Self {
            inner,
            savepoints: None,
        }
    }

    /// The operation's transaction as a hook sees it: `begin()` opens savepoints on `savepoints`.
    pub(crate) fn with_savepoints(
        inner: &'a dyn ErasedConnection,
        savepoints: &'a SavepointStack,
    ) -> Self {
        Self {
            inner,
            savepoints: Some(savepoints),
        }
    }

    pub(crate) fn savepoints(&self) -> Option<&'a SavepointStack> {
        self.savepoints
    }

    /// Before a statement: savepoints the hook dropped unfinished are rolled back first.
    pub(crate) async fn settle_savepoints(&self) -> Result<(), DbErr> {
        match self.savepoints {
            Some(stack) => stack.roll_back_abandoned(self.inner).await,
            None => Ok(()),
        }
    }
}

impl fmt::Debug for HookConnection<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HookConnection")
            .field("backend", &self.inner.backend())
            .finish()
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for HookConnection<'_> {
    fn get_database_backend(&self) -> DbBackend {
        self.inner.backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.settle_savepoints().await?;
        self.inner.execute(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.settle_savepoints().await?;
        self.inner.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.settle_savepoints().await?;
        self.inner.query_one(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.settle_savepoints().await?;
        self.inner.query_all(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.inner.returning()
    }
}
