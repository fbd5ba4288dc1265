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
    /// Empty when the hooks set [`NEEDS_KEYS`](crate::SoftDeleteHooks::NEEDS_KEYS) to `false`.
    pub keys: &'a [ValueTuple],
    /// How many rows change state: the number of `keys`; without keys, the rows the statement
    /// changed in an after hook and `None` in a before hook (nothing has counted them yet).
    pub rows: Option<u64>,
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

    /// Whether the hooks are given the keys of the rows, which the operation reads (and locks)
    /// before it changes them.
    fn needs_keys(&self) -> bool;
}

/// Whether an operation must read the keys of the rows it changes for these hooks.
pub(crate) fn reads_keys(hooks: Option<&'static dyn DynHooks>) -> bool {
    hooks.is_some_and(|hooks| hooks.needs_keys())
}

/// The rows a hook point is run for.
pub(crate) struct Rows<'a> {
    pub(crate) table: &'static str,
    /// The keys read before the change, for hooks that need them.
    pub(crate) keys: &'a [ValueTuple],
    /// How many rows changed, once the statement ran; `None` before.
    pub(crate) changed: Option<u64>,
}

/// Runs `point` of `hooks` for `rows`, if there are hooks and rows: for hooks that need keys,
/// the keys read; for the others, the rows changed (unknown before the change).
pub(crate) async fn run(
    hooks: Option<&'static dyn DynHooks>,
    point: HookPoint,
    origin: Origin,
    rows: Rows<'_>,
    at: Option<DateTime<Utc>>,
    db: &dyn ErasedConnection,
) -> Result<(), Error> {
    let Some(hooks) = hooks else { return Ok(()) };
    let Rows {
        table,
        keys,
        changed,
    } = rows;
    let rows = if hooks.needs_keys() {
        Some(keys.len() as u64)
    } else {
        changed
    };
    if rows == Some(0) {
        return Ok(());
    }
    let savepoints = SavepointStack::default();
    let ctx = HookContext {
        origin,
        table,
        keys,
        rows,
        at,
        db: HookConnection::with_savepoints(db, &savepoints),
    };
    // The hook is application code: the leak guard checks what it sends.
    let outcome = crate::scope::application(hooks.run(point, &ctx)).await;
    savepoints.roll_back_abandoned(db).await?;
    outcome
}
