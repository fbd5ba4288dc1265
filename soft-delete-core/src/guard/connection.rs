//! The guarded connection: SeaORM's connection traits, each statement checked before it is sent.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, ExecResult, IsolationLevel,
    QueryResult, SchemaBuilder, Statement, StreamTrait, TransactionError, TransactionOptions,
    TransactionSession, TransactionTrait, Values,
};

use super::{Guard, GuardMode, Leak, Verdict, current_task, remember_write};
use crate::session::TransactionalConnection;

/// A SeaORM connection (pool, transaction, `MockDatabase`) whose statements are checked for
/// leaks before they are sent. It implements what SeaORM asks of a connection
/// (`ConnectionTrait`, `TransactionTrait`, `StreamTrait`), and its transactions are guarded
/// too, so an application swaps it in where it opens the connection and changes nothing else.
/// Clones and transactions share one guard: one cache, one list of reported leaks.
pub struct GuardedConnection<C> {
    inner: C,
    guard: Arc<Guard>,
}

impl<C> GuardedConnection<C> {
    /// Guards `inner` in `mode`.
    pub fn new(inner: C, mode: GuardMode) -> Self {
        Self {
            inner,
            guard: Arc::new(Guard::new(mode)),
        }
    }

    /// The connection underneath. Statements sent on it are not checked.
    pub fn inner(&self) -> &C {
        &self.inner
    }

    /// The connection underneath, unguarded.
    pub fn into_inner(self) -> C {
        self.inner
    }

    /// The guard's mode.
    pub fn mode(&self) -> GuardMode {
        self.guard.mode
    }

    /// Every distinct leak reported so far (denied or warned), on this connection, its clones
    /// and its transactions: for a test that runs a workload in warn mode and asserts none.
    pub fn leaks(&self) -> Vec<Leak> {
        self.guard.reported_leaks()
    }

    fn wrap<T>(&self, inner: T) -> GuardedConnection<T> {
        GuardedConnection {
            inner,
            guard: Arc::clone(&self.guard),
        }
    }
}

/// What an application calls on its `DatabaseConnection` besides running statements, so that
/// swapping in the guarded connection leaves those calls as they are.
impl GuardedConnection<DatabaseConnection> {
    /// Checks that the database answers (SeaORM's `DatabaseConnection::ping`).
    pub async fn ping(&self) -> Result<(), DbErr> {
        self.inner.ping().await
    }

    /// Closes the pool (SeaORM's `DatabaseConnection::close`).
    pub async fn close(self) -> Result<(), DbErr> {
        self.inner.close().await
    }

    /// A schema builder for this backend (SeaORM's `DatabaseConnection::get_schema_builder`).
    /// Apply it with this connection: its schema statements pass the guard.
    pub fn get_schema_builder(&self) -> SchemaBuilder {
        self.inner.get_schema_builder()
    }
}

impl<C: ConnectionTrait> GuardedConnection<C> {
    async fn check(
        &self,
        sql: &str,
        values: Option<&Values>,
    ) -> Result<Option<Arc<Verdict>>, DbErr> {
        let task = current_task().await;
        self.guard
            .check(sql, values, self.inner.get_database_backend(), task)
            .map_err(DbErr::from)
    }
}

impl<C: Clone> Clone for GuardedConnection<C> {
    fn clone(&self) -> Self {
        self.wrap(self.inner.clone())
    }
}

impl<C: fmt::Debug> fmt::Debug for GuardedConnection<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GuardedConnection")
            .field("inner", &self.inner)
            .field("mode", &self.guard.mode)
            .finish()
    }
}

#[async_trait::async_trait]
impl<C: ConnectionTrait + Send> ConnectionTrait for GuardedConnection<C> {
    fn get_database_backend(&self) -> DbBackend {
        self.inner.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        let verdict = self.check(&stmt.sql, stmt.values.as_ref()).await?;
        // Only where SeaORM reads a written row back (no `RETURNING`) is the write remembered.
        let Some(verdict) = verdict
            .filter(|verdict| verdict.writes_one_row.is_some() && !self.inner.support_returning())
        else {
            return self.inner.execute_raw(stmt).await;
        };
        let kept = stmt.clone();
        let result = self.inner.execute_raw(stmt).await?;
        if let Some(row) = &verdict.writes_one_row {
            remember_write(&self.guard, current_task().await, row, &kept, Some(&result));
        }
        Ok(result)
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.check(sql, None).await?;
        self.inner.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.check(&stmt.sql, stmt.values.as_ref()).await?;
        self.inner.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.check(&stmt.sql, stmt.values.as_ref()).await?;
        self.inner.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.inner.support_returning()
    }

    fn is_mock_connection(&self) -> bool {
        self.inner.is_mock_connection()
    }
}

impl<C: StreamTrait + ConnectionTrait + Send> StreamTrait for GuardedConnection<C> {
    type Stream<'a>
        = C::Stream<'a>
    where
        Self: 'a;

    fn get_database_backend(&self) -> DbBackend {
        StreamTrait::get_database_backend(&self.inner)
    }

    fn stream_raw<'a>(
        &'a self,
        stmt: Statement,
    ) -> Pin<Box<dyn Future<Output = Result<Self::Stream<'a>, DbErr>> + 'a + Send>> {
        Box::pin(async move {
            self.check(&stmt.sql, stmt.values.as_ref()).await?;
            self.inner.stream_raw(stmt).await
        })
    }
}

/// `commit` and `rollback` as `DatabaseTransaction` has them, so that code which calls them
/// without importing `TransactionSession` compiles unchanged.
impl<C: TransactionSession + Send> GuardedConnection<C> {
    /// Commits the transaction underneath.
    pub async fn commit(self) -> Result<(), DbErr> {
        self.inner.commit().await
    }

    /// Rolls the transaction underneath back.
    pub async fn rollback(self) -> Result<(), DbErr> {
        self.inner.rollback().await
    }
}

#[async_trait::async_trait]
impl<C> TransactionSession for GuardedConnection<C>
where
    C: TransactionSession + Send,
{
    async fn commit(self) -> Result<(), DbErr> {
        self.inner.commit().await
    }

    async fn rollback(self) -> Result<(), DbErr> {
        self.inner.rollback().await
    }
}

#[async_trait::async_trait]
impl<C> TransactionTrait for GuardedConnection<C>
where
    C: TransactionTrait + Send,
    C::Transaction: Sync,
{
    type Transaction = GuardedConnection<C::Transaction>;

    async fn begin(&self) -> Result<Self::Transaction, DbErr> {
        Ok(self.wrap(self.inner.begin().await?))
    }

    async fn begin_with_config(
        &self,
        isolation_level: Option<IsolationLevel>,
        access_mode: Option<AccessMode>,
    ) -> Result<Self::Transaction, DbErr> {
        let inner = self
            .inner
            .begin_with_config(isolation_level, access_mode)
            .await?;
        Ok(self.wrap(inner))
    }

    async fn begin_with_options(
        &self,
        options: TransactionOptions,
    ) -> Result<Self::Transaction, DbErr> {
        Ok(self.wrap(self.inner.begin_with_options(options).await?))
    }

    async fn transaction<F, T, E>(&self, callback: F) -> Result<T, TransactionError<E>>
    where
        F: for<'c> FnOnce(
                &'c Self::Transaction,
            ) -> Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'c>>
            + Send,
        T: Send,
        E: fmt::Display + fmt::Debug + Send,
    {
        self.transaction_with_config(callback, None, None).await
    }

    async fn transaction_with_config<F, T, E>(
        &self,
        callback: F,
        isolation_level: Option<IsolationLevel>,
        access_mode: Option<AccessMode>,
    ) -> Result<T, TransactionError<E>>
    where
        F: for<'c> FnOnce(
                &'c Self::Transaction,
            ) -> Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'c>>
            + Send,
        T: Send,
        E: fmt::Display + fmt::Debug + Send,
    {
        let transaction = self
            .begin_with_config(isolation_level, access_mode)
            .await
            .map_err(TransactionError::Connection)?;
        match callback(&transaction).await {
            Ok(value) => {
                transaction
                    .commit()
                    .await
                    .map_err(TransactionError::Connection)?;
                Ok(value)
            }
            Err(error) => {
                transaction
                    .rollback()
                    .await
                    .map_err(TransactionError::Connection)?;
                Err(TransactionError::Transaction(error))
            }
        }
    }
}

/// A guarded pool is a pool, a guarded transaction a transaction.
impl<C> TransactionalConnection for GuardedConnection<C>
where
    C: TransactionalConnection + Send,
    C::Transaction: Sync,
{
    fn is_in_transaction(&self) -> bool {
        self.inner.is_in_transaction()
    }
}
