//! A connection that fails its N-th statement, for proving that multi-statement operations
//! leave the database fully before or fully after, never in between.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    ExecResult, IsolationLevel, QueryResult, Statement, TransactionError, TransactionOptions,
    TransactionSession, TransactionTrait,
};

/// Counts statements and fails the one numbered `fail_at` (from 1).
#[derive(Clone, Debug)]
pub struct Faults {
    sent: Arc<AtomicUsize>,
    fail_at: usize,
}

impl Faults {
    pub fn at(fail_at: usize) -> Self {
        Faults {
            sent: Arc::default(),
            fail_at,
        }
    }

    /// Statements attempted so far, the failed one included.
    pub fn sent(&self) -> usize {
        self.sent.load(Ordering::SeqCst)
    }

    fn next(&self) -> Result<(), DbErr> {
        let number = self.sent.fetch_add(1, Ordering::SeqCst) + 1;
        if number == self.fail_at {
            Err(DbErr::Custom(format!(
                "injected fault at statement {number}"
            )))
        } else {
            Ok(())
        }
    }
}

pub struct FaultyConnection<'a> {
    inner: &'a DatabaseConnection,
    faults: Faults,
}

impl<'a> FaultyConnection<'a> {
    pub fn new(inner: &'a DatabaseConnection, faults: Faults) -> Self {
        FaultyConnection { inner, faults }
    }
}

pub struct FaultyTransaction {
    inner: DatabaseTransaction,
    faults: Faults,
}

macro_rules! faulty_connection {
    ($type:ty) => {
        #[async_trait::async_trait]
        impl ConnectionTrait for $type {
            fn get_database_backend(&self) -> DbBackend {
                self.inner.get_database_backend()
            }

            async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
                self.faults.next()?;
                self.inner.execute_raw(stmt).await
            }

            async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
                self.faults.next()?;
                self.inner.execute_unprepared(sql).await
            }

            async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
                self.faults.next()?;
                self.inner.query_one_raw(stmt).await
            }

            async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
                self.faults.next()?;
                self.inner.query_all_raw(stmt).await
            }

            fn support_returning(&self) -> bool {
                self.inner.support_returning()
            }
        }

        #[async_trait::async_trait]
        impl TransactionTrait for $type {
            type Transaction = FaultyTransaction;

            async fn begin(&self) -> Result<FaultyTransaction, DbErr> {
                Ok(FaultyTransaction {
                    inner: self.inner.begin().await?,
                    faults: self.faults.clone(),
                })
            }

            async fn begin_with_config(
                &self,
                isolation_level: Option<IsolationLevel>,
                access_mode: Option<AccessMode>,
            ) -> Result<FaultyTransaction, DbErr> {
                let inner = self
                    .inner
                    .begin_with_config(isolation_level, access_mode)
                    .await?;
                Ok(FaultyTransaction {
                    inner,
                    faults: self.faults.clone(),
                })
            }

            async fn begin_with_options(
                &self,
                options: TransactionOptions,
            ) -> Result<FaultyTransaction, DbErr> {
                let inner = self.inner.begin_with_options(options).await?;
                Ok(FaultyTransaction {
                    inner,
                    faults: self.faults.clone(),
                })
            }

            async fn transaction<F, T, E>(&self, _callback: F) -> Result<T, TransactionError<E>>
            where
                F: for<'c> FnOnce(
                        &'c FaultyTransaction,
                    )
                        -> Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'c>>
                    + Send,
                T: Send,
                E: std::fmt::Display + std::fmt::Debug + Send,
            {
                Err(TransactionError::Connection(DbErr::Custom(
                    "not used by the library".into(),
                )))
            }

            async fn transaction_with_config<F, T, E>(
                &self,
                _callback: F,
                _isolation_level: Option<IsolationLevel>,
                _access_mode: Option<AccessMode>,
            ) -> Result<T, TransactionError<E>>
            where
                F: for<'c> FnOnce(
                        &'c FaultyTransaction,
                    )
                        -> Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'c>>
                    + Send,
                T: Send,
                E: std::fmt::Display + std::fmt::Debug + Send,
            {
                Err(TransactionError::Connection(DbErr::Custom(
                    "not used by the library".into(),
                )))
            }
        }
    };
}

faulty_connection!(FaultyConnection<'_>);
faulty_connection!(FaultyTransaction);

impl soft_delete_core::TransactionalConnection for FaultyConnection<'_> {
    fn is_in_transaction(&self) -> bool {
        false
    }
}

impl soft_delete_core::TransactionalConnection for FaultyTransaction {
    fn is_in_transaction(&self) -> bool {
        true
    }
}

#[async_trait::async_trait]
impl TransactionSession for FaultyTransaction {
    async fn commit(self) -> Result<(), DbErr> {
        self.inner.commit().await
    }

    async fn rollback(self) -> Result<(), DbErr> {
        self.inner.rollback().await
    }
}
