//! The default scope: what SeaORM's own calls mean on an entity that opts in with
//! `#[soft_delete(default_scope)]`. The derive gives such an entity inherent functions named as
//! SeaORM's (`find`, `find_by_id`, `update_many`, `delete_many`, `delete_by_id`, `delete`, and
//! on the model `delete`, `find_related`, `find_linked`); Rust prefers an inherent function to
//! a trait's of the same name, so existing call sites keep compiling and change meaning. The
//! deletes return SeaORM's own `DeleteResult` and `DbErr`, so their callers compile unchanged.

use std::marker::PhantomData;

use sea_orm::sea_query::{Alias, Condition, Expr, IntoCondition, IntoIden};
use sea_orm::{
    ActiveModelTrait, DbErr, DeleteResult, EntityTrait, Linked, ModelTrait, PrimaryKeyTrait,
    QueryFilter, Related, Select,
};

use crate::bulk::SoftDeleteMany;
use crate::entity::SoftDeleteEntity;
use crate::ext::SoftDeleteEntityExt;
use crate::keys::RowKey;
use crate::session::TransactionalConnection;
use crate::tables::{TableDescription, registered_tables};

/// A soft delete in the shape of SeaORM's `DeleteMany` / `DeleteOne`: what
/// `Entity::delete_many()`, `Entity::delete_by_id(key)` and `Entity::delete(active_model)` return
/// on an entity with a default scope. `exec` trashes the active rows matched (cascades, hooks and
/// audit columns as declared) and answers SeaORM's `DeleteResult`, whose `rows_affected` counts
/// the rows moved to the trash; a row already there is left as it is and not counted.
///
/// The hard delete stays reachable by name: `Entity::force_delete_many()` and friends.
#[derive(Debug)]
#[must_use = "a builder does nothing until `.exec(db)`"]
pub struct ScopedDelete<E: SoftDeleteEntity> {
    soft_delete: SoftDeleteMany<E>,
    /// An active model whose primary key is not set names no row: SeaORM refuses to delete it,
    /// and so does this.
    unkeyed: bool,
    entity: PhantomData<E>,
}

impl<E: SoftDeleteEntity> ScopedDelete<E> {
    /// Every active row, narrowed with `filter`: `Entity::delete_many()`.
    pub fn many() -> Self {
        Self {
            soft_delete: E::soft_delete_many(),
            unkeyed: false,
            entity: PhantomData,
        }
    }

    /// The row with this primary key: `Entity::delete_by_id(key)`.
    pub fn by_id<K>(key: K) -> Self
    where
        K: Into<<E::PrimaryKey as PrimaryKeyTrait>::ValueType>,
    {
        Self::many().filter(RowKey::<E>::of_id(key).condition())
    }

    /// The row a model was read from: `model.delete(db)`.
    pub fn of_model(model: &E::Model) -> Self {
        Self::many().filter(RowKey::<E>::of_model(model).condition())
    }

    /// The row an active model names by its primary key: `Entity::delete(active_model)` and
    /// `active_model.delete(db)`.
    pub fn of_active_model<A>(model: &A) -> Self
    where
        A: ActiveModelTrait<Entity = E>,
    {
        match model.get_primary_key_value() {
            Some(key) => Self::many().filter(RowKey::<E>::of_value_tuple(key).condition()),
            None => Self {
                unkeyed: true,
                ..Self::many()
            },
        }
    }

    /// Adds a condition; all conditions must hold (`AND`), as with SeaORM's `filter`.
    pub fn filter<F: IntoCondition>(mut self, filter: F) -> Self {
        self.soft_delete = self.soft_delete.filter(filter);
        self
    }

    /// The library's own builder for the same soft delete, for what SeaORM's delete has no
    /// word for: `at(..)`, `by(..)`, `statements(..)`, the full `SoftDeleteResult`.
    pub fn into_soft_delete(self) -> SoftDeleteMany<E> {
        self.soft_delete
    }

    /// Moves the matched active rows to the trash and counts them, as SeaORM's `exec` counts
    /// the rows it deletes. A refusal (a hook's veto, a trashed parent) is a `DbErr` that
    /// [`Error::downcast_ref`](crate::Error::downcast_ref) reads back.
    pub async fn exec<C: TransactionalConnection>(self, db: &C) -> Result<DeleteResult, DbErr> {
        if self.unkeyed {
            return Err(DbErr::RecordNotFound(format!(
                "cannot delete a `{}` whose primary key is not set",
                E::default().table_name()
            )));
        }
        let done = self.soft_delete.exec(db).await?;
        let mut result = DeleteResult::empty();
        result.rows_affected = done.rows_affected;
        Ok(result)
    }
}

/// The registered description of `E`'s table, when `E` is soft-deletable and opted into the
/// default scope. Found by name, because `E` may be any entity.
fn scoped_table<E: EntityTrait>() -> Option<&'static TableDescription> {
    let entity = E::default();
    registered_tables().iter().find(|description| {
        description.default_scope && description.is_named(entity.schema_name(), entity.table_name())
    })
}

/// `table.marker` is active, for `E` in the default scope; no condition otherwise.
fn scoped_condition<E: EntityTrait>() -> Condition {
    let mut condition = Condition::all();
    if let Some(description) = scoped_table::<E>() {
        let column = (
            Alias::new(description.table.as_str()).into_iden(),
            Alias::new(description.marker.as_str()).into_iden(),
        );
        condition = condition.add(description.marker_kind.active(Expr::col(column)));
    }
    condition
}

/// `model.find_related(R)` on a model in the default scope: without trashed rows of `R` when
/// `R` is in the default scope too, and without trashed links of a junction in it.
pub fn find_related<E, R>(model: &E::Model, related: R) -> Select<R>
where
    E: SoftDeleteEntity,
    R: EntityTrait,
    E: Related<R>,
{
    let mut select = model.find_related(related).filter(scoped_condition::<R>());
    if let Some(junction) = crate::relations::junction_description::<E, R>()
        && junction.description.default_scope
    {
        select = select.filter(junction.active_condition());
    }
    select
}

/// `model.find_linked(L)` on a model in the default scope: without trashed rows of the linked
/// entity when it is in the default scope. (The tables the link passes through are not
/// filtered: write the link with [`active_join`](crate::active_join) for that.)
pub fn find_linked<E, L>(model: &E::Model, link: L) -> Select<L::ToEntity>
where
    E: SoftDeleteEntity,
    L: Linked<FromEntity = E>,
{
    model
        .find_linked(link)
        .filter(scoped_condition::<L::ToEntity>())
}
