//! The hooks machinery; its public part is re-exported as [`crate::hooks`].

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::ValueTuple;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, ExecResult, QueryResult, Statement};

use crate::connection::SavepointStack;
use crate::entity::SoftDeleteEntity;
use crate::error::Error;

/// A boxed, sendable future: what object-safe async methods return.
pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Which call made the rows change state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Origin {
    /// `model.soft_delete(db)`, `model.restore(db)`, `model.force_delete(db)`.
    Instance,
    /// `soft_delete_by_id`, `restore_by_id`, `force_delete_by_id`.
    ById,
    /// `soft_delete_many`, `restore_many`, `force_delete_many`.
    Bulk,
    /// A cascade from an operation on the table `root`.
    Cascade {
        /// The table the operation was called on.
        root: &'static str,
    },
    /// `purge_trash`.
    Purge,
}

/// What a hook is told.
#[derive(Debug)]
#[non_exhaustive]
pub struct HookContext<'a> {
    /// The call the change comes from.
    pub origin: Origin,
    /// The entity's table.
    pub table: &'static str,
    /// Primary keys of the rows that change state (never empty: without rows, no hook runs).
    pub keys: &'a [ValueTuple],
    /// The operation's timestamp, when it has one (soft delete always; restore when a `touch`
    /// column needs it).
    pub at: Option<DateTime<Utc>>,
    /// The operation's transaction: run any SeaORM query on it.
    pub db: HookConnection<'a>,
}

/// The hooks of one entity. Every method has a no-op default.
///
/// A hook gets the keys of the rows that change state and the operation's transaction as
/// `ctx.db`, on which any SeaORM query and this crate's operations run, and whose `begin()` opens
/// a savepoint ([`HookSavepoint`](crate::HookSavepoint)).
///
/// ```
/// mod invoice {
///     use sea_orm::entity::prelude::*;
///     use soft_delete_core::prelude::*;
///     use soft_delete_core::{Error, HookContext, SoftDeleteHooks};
///
///     #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
///     #[sea_orm(table_name = "invoice")]
///     #[soft_delete(hooks)]
///     pub struct Model {
///         #[sea_orm(primary_key)]
///         pub id: i32,
///         pub paid: bool,
///         pub deleted_at: Option<DateTimeUtc>,
///     }
/// #   #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #   pub enum Relation {}
/// #   impl ActiveModelBehavior for ActiveModel {}
///
///     impl SoftDeleteHooks for Entity {
///         async fn before_soft_delete(ctx: &HookContext<'_>) -> Result<(), Error> {
///             let ids = ctx.keys.iter().flat_map(|key| key.clone().into_iter());
///             let paid = Entity::find()
///                 .filter(Column::Id.is_in(ids))
///                 .filter(Column::Paid.eq(true))
///                 .count(&ctx.db)
///                 .await?;
///             if paid > 0 {
///                 return Err(Error::vetoed("paid invoices stay"));
///             }
///             Ok(())
///         }
///     }
/// }
/// # use sea_orm::ConnectionTrait;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), soft_delete_core::Error> {
/// # let db = sea_orm::Database::connect("sqlite::memory:").await?;
/// # soft_delete_core::schema::create_table::<invoice::Entity, _>(&db).await?;
/// # db.execute_unprepared("INSERT INTO invoice (id, paid) VALUES (1, false), (2, true)").await?;
/// use soft_delete_core::Error;
///
/// assert!(invoice::Entity::soft_delete_by_id(1).exec(&db).await?.is_deleted());
/// let refused = invoice::Entity::soft_delete_by_id(2).exec(&db).await;
/// assert!(matches!(refused, Err(Error::Vetoed(_))));
/// # Ok(())
/// # }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` declares `#[soft_delete(hooks)]` but does not implement `SoftDeleteHooks`",
    label = "hooks are declared here",
    note = "add `impl soft_delete_core::SoftDeleteHooks for Entity {{}}` and override the hooks you need"
)]
pub trait SoftDeleteHooks: SoftDeleteEntity {
    /// Before rows move to the trash; an error vetoes the operation.
    fn before_soft_delete(ctx: &HookContext<'_>) -> impl Future<Output = Result<(), Error>> + Send {
        let _ = ctx;
        async { Ok(()) }
    }

    /// After rows moved to the trash, in the same transaction; an error rolls it back.
    fn after_soft_delete(ctx: &HookContext<'_>) -> impl Future<Output = Result<(), Error>> + Send {
        let _ = ctx;
        async { Ok(()) }
    }

    /// Before rows are restored; an error vetoes the operation.
    fn before_restore(ctx: &HookContext<'_>) -> impl Future<Output = Result<(), Error>> + Send {
        let _ = ctx;
        async { Ok(()) }
    }

    /// After rows were restored, in the same transaction; an error rolls it back.
    fn after_restore(ctx: &HookContext<'_>) -> impl Future<Output = Result<(), Error>> + Send {
        let _ = ctx;
        async { Ok(()) }
    }

    /// Before rows are deleted for good (force delete and purge); an error vetoes it.
    fn before_force_delete(
        ctx: &HookContext<'_>,
    ) -> impl Future<Output = Result<(), Error>> + Send {
        let _ = ctx;
        async { Ok(()) }
    }

    /// After rows were deleted for good, in the same transaction; an error rolls it back.
    fn after_force_delete(ctx: &HookContext<'_>) -> impl Future<Output = Result<(), Error>> + Send {
        let _ = ctx;
        async { Ok(()) }
    }
}

/// The six hook points.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HookPoint {
    BeforeSoftDelete,
    AfterSoftDelete,
    BeforeRestore,
    AfterRestore,
    BeforeForceDelete,
    AfterForceDelete,
}

/// An entity's hooks behind a pointer, so that cascades can run the hooks of entities they
/// only know as graph edges.
#[doc(hidden)]
pub trait DynHooks: Send + Sync {
    fn run<'a>(
        &'a self,
        point: HookPoint,
        ctx: &'a HookContext<'a>,
    ) -> BoxFuture<'a, Result<(), Error>>;
}

struct HooksOf<E>(PhantomData<fn() -> E>);

impl<E: SoftDeleteHooks> DynHooks for HooksOf<E> {
    fn run<'a>(
        &'a self,
        point: HookPoint,
        ctx: &'a HookContext<'a>,
    ) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            match point {
                HookPoint::BeforeSoftDelete => E::before_soft_delete(ctx).await,
                HookPoint::AfterSoftDelete => E::after_soft_delete(ctx).await,
                HookPoint::BeforeRestore => E::before_restore(ctx).await,
                HookPoint::AfterRestore => E::after_restore(ctx).await,
                HookPoint::BeforeForceDelete => E::before_force_delete(ctx).await,
                HookPoint::AfterForceDelete => E::after_force_delete(ctx).await,
            }
        })
    }
}

/// `E`'s hooks; what `#[soft_delete(hooks)]` expands to.
#[doc(hidden)]
pub fn hooks_of<E: SoftDeleteHooks>() -> &'static dyn DynHooks {
    &HooksOf::<E>(PhantomData)
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

/// Runs `point` of `hooks` for `keys`, if there are hooks and keys.
pub(crate) async fn run(
    hooks: Option<&'static dyn DynHooks>,
    point: HookPoint,
    origin: Origin,
    table: &'static str,
    keys: &[ValueTuple],
    at: Option<DateTime<Utc>>,
    db: &dyn ErasedConnection,
) -> Result<(), Error> {
    let Some(hooks) = hooks else { return Ok(()) };
    if keys.is_empty() {
        return Ok(());
    }
    let savepoints = SavepointStack::default();
    let ctx = HookContext {
        origin,
        table,
        keys,
        at,
        db: HookConnection {
            inner: db,
            savepoints: Some(&savepoints),
        },
    };
    let outcome = hooks.run(point, &ctx).await;
    savepoints.roll_back_abandoned(db).await?;
    outcome
}
