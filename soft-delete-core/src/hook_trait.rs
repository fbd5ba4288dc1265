//! The trait an entity implements for `#[soft_delete(hooks)]`, and its erased form.

use std::future::Future;
use std::marker::PhantomData;

use crate::entity::SoftDeleteEntity;
use crate::error::Error;
use crate::hook_context::{DynHooks, HookContext, HookPoint};
use crate::session::BoxFuture;

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
    /// Whether the hooks read `ctx.keys`. With `true` (the default) every operation first reads
    /// and locks the keys of the rows it is about to change, and the hooks run only when there
    /// are some. With `false` nothing is read: a bulk operation is the one statement it is
    /// without hooks, `ctx.keys` is empty, `ctx.rows` counts the changed rows in after hooks,
    /// and before hooks run even when no row matches. For hooks that log, count or veto by
    /// `ctx.origin`; a bulk soft delete of 100,000 rows reads 100,000 keys otherwise.
    const NEEDS_KEYS: bool = true;

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

    fn needs_keys(&self) -> bool {
        E::NEEDS_KEYS
    }
}

/// `E`'s hooks; what `#[soft_delete(hooks)]` expands to.
#[doc(hidden)]
pub fn hooks_of<E: SoftDeleteHooks>() -> &'static dyn DynHooks {
    &HooksOf::<E>(PhantomData)
}
