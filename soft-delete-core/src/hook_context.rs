//! What every hook is told, and how the engine calls the hooks of a table it knows only by its
//! graph edges: the object-safe side of [`SoftDeleteHooks`](crate::SoftDeleteHooks).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::ValueTuple;

use crate::error::Error;
use crate::session::{BoxFuture, ErasedConnection, HookConnection, SavepointStack};

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
        db: HookConnection::with_savepoints(db, &savepoints),
    };
    // The hook is application code: the leak guard checks what it sends.
    let outcome = crate::scope::application(hooks.run(point, &ctx)).await;
    savepoints.roll_back_abandoned(db).await?;
    outcome
}
