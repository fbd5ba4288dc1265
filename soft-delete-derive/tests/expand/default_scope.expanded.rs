#[automatically_derived]
impl ::soft_delete_core::__private::Wiring for Entity {
    fn facts() -> ::core::option::Option<
        &'static ::soft_delete_core::__private::EntityFacts,
    > {
        static FACTS: ::soft_delete_core::__private::EntityFacts = ::soft_delete_core::__private::EntityFacts::new();
        ::core::option::Option::Some(&FACTS)
    }
}
#[automatically_derived]
impl ::soft_delete_core::SoftDeleteEntity for Entity {
    type Marker = <DateTimeUtc as ::soft_delete_core::__private::TimestampMarker>::Strategy;
    const DEFAULT_SCOPE: ::core::primitive::bool = true;
    fn marker_column() -> Column {
        Column::DeletedAt
    }
    fn marker(
        model: &Model,
    ) -> &<Self::Marker as ::soft_delete_core::MarkerStrategy>::Field {
        &model.deleted_at
    }
}
#[automatically_derived]
impl ::soft_delete_core::HasDeletionTime for Entity {
    fn deleted_before(
        cutoff: ::soft_delete_core::__private::chrono::DateTime<
            ::soft_delete_core::__private::chrono::Utc,
        >,
    ) -> ::soft_delete_core::__private::sea_orm::sea_query::Expr {
        ::soft_delete_core::__private::deleted_before_by_marker::<Entity>(cutoff)
    }
}
::soft_delete_core::__private::inventory::submit! {
    ::soft_delete_core::__private::RegisteredTable(::soft_delete_core::__private::describe::
    < Entity >)
}
#[automatically_derived]
impl Entity {
    /// Active rows only: `deleted_at IS NULL`.
    pub fn objects() -> ::soft_delete_core::__private::sea_orm::Select<Entity> {
        <Entity as ::soft_delete_core::SoftDeleteEntity>::objects()
    }
    /// The trash: `deleted_at IS NOT NULL`.
    pub fn deleted_objects() -> ::soft_delete_core::__private::sea_orm::Select<Entity> {
        <Entity as ::soft_delete_core::SoftDeleteEntity>::deleted_objects()
    }
    /// Every row, active or trashed.
    pub fn all_objects() -> ::soft_delete_core::__private::sea_orm::Select<Entity> {
        <Entity as ::soft_delete_core::SoftDeleteEntity>::all_objects()
    }
    /// The active row with this primary key, if there is one.
    pub fn find_active_by_id<K>(
        key: K,
    ) -> ::soft_delete_core::__private::sea_orm::Select<Entity>
    where
        K: ::core::convert::Into<
            <PrimaryKey as ::soft_delete_core::__private::sea_orm::PrimaryKeyTrait>::ValueType,
        >,
    {
        <Entity as ::soft_delete_core::SoftDeleteEntity>::find_active_by_id(key)
    }
    /// The row with this primary key, active or trashed.
    pub fn find_any_by_id<K>(
        key: K,
    ) -> ::soft_delete_core::__private::sea_orm::Select<Entity>
    where
        K: ::core::convert::Into<
            <PrimaryKey as ::soft_delete_core::__private::sea_orm::PrimaryKeyTrait>::ValueType,
        >,
    {
        <Entity as ::soft_delete_core::SoftDeleteEntity>::find_any_by_id(key)
    }
    /// SeaORM's `update_many()` restricted to active rows.
    pub fn update_many_active() -> ::soft_delete_core::__private::sea_orm::UpdateMany<
        Entity,
    > {
        <Entity as ::soft_delete_core::SoftDeleteEntity>::update_many_active()
    }
}
#[automatically_derived]
impl Entity {
    /// Moves the active rows matching the filters to the trash, in one `UPDATE`.
    pub fn soft_delete_many() -> ::soft_delete_core::SoftDeleteMany<Entity> {
        <Entity as ::soft_delete_core::SoftDeleteEntityExt>::soft_delete_many()
    }
    /// Brings the trashed rows matching the filters back, in one `UPDATE`.
    pub fn restore_many() -> ::soft_delete_core::RestoreMany<Entity> {
        <Entity as ::soft_delete_core::SoftDeleteEntityExt>::restore_many()
    }
    /// Permanently deletes the rows matching the filters, active or trashed.
    pub fn force_delete_many() -> ::soft_delete_core::ForceDeleteMany<Entity> {
        <Entity as ::soft_delete_core::SoftDeleteEntityExt>::force_delete_many()
    }
    /// Moves the row with this primary key to the trash; returns it as stored.
    pub fn soft_delete_by_id<K>(key: K) -> ::soft_delete_core::SoftDeleteOne<Entity>
    where
        K: ::core::convert::Into<
            <PrimaryKey as ::soft_delete_core::__private::sea_orm::PrimaryKeyTrait>::ValueType,
        >,
    {
        <Entity as ::soft_delete_core::SoftDeleteEntityExt>::soft_delete_by_id(key)
    }
    /// Restores the row with this primary key; returns it as stored.
    pub fn restore_by_id<K>(key: K) -> ::soft_delete_core::RestoreOne<Entity>
    where
        K: ::core::convert::Into<
            <PrimaryKey as ::soft_delete_core::__private::sea_orm::PrimaryKeyTrait>::ValueType,
        >,
    {
        <Entity as ::soft_delete_core::SoftDeleteEntityExt>::restore_by_id(key)
    }
    /// Permanently deletes the row with this primary key.
    pub fn force_delete_by_id<K>(key: K) -> ::soft_delete_core::ForceDeleteOne<Entity>
    where
        K: ::core::convert::Into<
            <PrimaryKey as ::soft_delete_core::__private::sea_orm::PrimaryKeyTrait>::ValueType,
        >,
    {
        <Entity as ::soft_delete_core::SoftDeleteEntityExt>::force_delete_by_id(key)
    }
    /// Tells an active row, a trashed row and a missing row apart.
    pub fn lookup_by_id<K>(key: K) -> ::soft_delete_core::LookupById<Entity>
    where
        K: ::core::convert::Into<
            <PrimaryKey as ::soft_delete_core::__private::sea_orm::PrimaryKeyTrait>::ValueType,
        >,
    {
        <Entity as ::soft_delete_core::SoftDeleteEntityExt>::lookup_by_id(key)
    }
    /// Permanently deletes trashed rows deleted before `cutoff`, in bounded batches.
    pub fn purge_trash(
        cutoff: ::soft_delete_core::__private::chrono::DateTime<
            ::soft_delete_core::__private::chrono::Utc,
        >,
    ) -> ::soft_delete_core::PurgeTrash<Entity> {
        <Entity as ::soft_delete_core::SoftDeleteEntityExt>::purge_trash(cutoff)
    }
}
#[automatically_derived]
impl Model {
    /// Whether this copy of the row is in the trash.
    pub fn is_deleted(&self) -> ::core::primitive::bool {
        <Entity as ::soft_delete_core::SoftDeleteEntity>::is_trashed(self)
    }
    /// Moves this row to the trash and returns it as stored. A row already there keeps
    /// its original timestamp.
    pub async fn soft_delete<C>(
        &self,
        db: &C,
    ) -> ::core::result::Result<Model, ::soft_delete_core::Error>
    where
        C: ::soft_delete_core::TransactionalConnection,
    {
        ::soft_delete_core::SoftDeleteOne::<Entity>::of(self).exec(db).await
    }
    /// Brings this row back from the trash and returns it as stored.
    pub async fn restore<C>(
        &self,
        db: &C,
    ) -> ::core::result::Result<Model, ::soft_delete_core::Error>
    where
        C: ::soft_delete_core::TransactionalConnection,
    {
        ::soft_delete_core::RestoreOne::<Entity>::of(self).exec(db).await
    }
    /// Permanently deletes this row, after its cascade descendants.
    pub async fn force_delete<C>(
        &self,
        db: &C,
    ) -> ::core::result::Result<(), ::soft_delete_core::Error>
    where
        C: ::soft_delete_core::TransactionalConnection,
    {
        ::soft_delete_core::ForceDeleteOne::<Entity>::of(self).exec(db).await
    }
}
#[automatically_derived]
impl Entity {
    /// Active rows only: the default scope's `find()`. `all_objects()` is every row,
    /// `deleted_objects()` the trash.
    pub fn find() -> ::soft_delete_core::__private::sea_orm::Select<Entity> {
        <Entity as ::soft_delete_core::SoftDeleteEntity>::objects()
    }
    /// The active row with this primary key, if there is one (the default scope's
    /// `find_by_id`); `find_any_by_id` finds a trashed one too.
    pub fn find_by_id<K>(
        key: K,
    ) -> ::soft_delete_core::__private::sea_orm::Select<Entity>
    where
        K: ::core::convert::Into<
            <PrimaryKey as ::soft_delete_core::__private::sea_orm::PrimaryKeyTrait>::ValueType,
        >,
    {
        <Entity as ::soft_delete_core::SoftDeleteEntity>::find_active_by_id(key)
    }
    /// SeaORM's `update_many()` restricted to active rows (the default scope).
    pub fn update_many() -> ::soft_delete_core::__private::sea_orm::UpdateMany<Entity> {
        <Entity as ::soft_delete_core::SoftDeleteEntity>::update_many_active()
    }
    /// Moves the active rows matching the filters to the trash (the default scope's
    /// `delete_many()`); `force_delete_many()` deletes for good.
    pub fn delete_many() -> ::soft_delete_core::ScopedDelete<Entity> {
        ::soft_delete_core::ScopedDelete::<Entity>::many()
    }
    /// Moves the row with this primary key to the trash (the default scope's
    /// `delete_by_id`); `force_delete_by_id` deletes for good.
    pub fn delete_by_id<K>(key: K) -> ::soft_delete_core::ScopedDelete<Entity>
    where
        K: ::core::convert::Into<
            <PrimaryKey as ::soft_delete_core::__private::sea_orm::PrimaryKeyTrait>::ValueType,
        >,
    {
        ::soft_delete_core::ScopedDelete::<Entity>::by_id(key)
    }
    /// Moves the row the active model names to the trash (the default scope's
    /// `delete`).
    pub fn delete<A>(model: A) -> ::soft_delete_core::ScopedDelete<Entity>
    where
        A: ::soft_delete_core::__private::sea_orm::ActiveModelTrait<Entity = Entity>,
    {
        ::soft_delete_core::ScopedDelete::<Entity>::of_active_model(&model)
    }
}
#[automatically_derived]
impl Model {
    /// Moves this row to the trash (the default scope's `delete`); `rows_affected` is 0
    /// when it was there already. `force_delete(db)` deletes for good.
    pub async fn delete<C>(
        self,
        db: &C,
    ) -> ::core::result::Result<
        ::soft_delete_core::__private::sea_orm::DeleteResult,
        ::soft_delete_core::__private::sea_orm::DbErr,
    >
    where
        C: ::soft_delete_core::TransactionalConnection,
    {
        ::soft_delete_core::ScopedDelete::<Entity>::of_model(&self).exec(db).await
    }
    /// SeaORM's `find_related`, without trashed rows of a related entity in the default
    /// scope.
    pub fn find_related<R>(
        &self,
        related: R,
    ) -> ::soft_delete_core::__private::sea_orm::Select<R>
    where
        R: ::soft_delete_core::__private::sea_orm::EntityTrait,
        Entity: ::soft_delete_core::__private::sea_orm::Related<R>,
    {
        ::soft_delete_core::__private::find_related::<Entity, R>(self, related)
    }
    /// SeaORM's `find_linked`, without trashed rows of a linked entity in the default
    /// scope.
    pub fn find_linked<L>(
        &self,
        link: L,
    ) -> ::soft_delete_core::__private::sea_orm::Select<
        <L as ::soft_delete_core::__private::sea_orm::Linked>::ToEntity,
    >
    where
        L: ::soft_delete_core::__private::sea_orm::Linked<FromEntity = Entity>,
    {
        ::soft_delete_core::__private::find_linked::<Entity, L>(self, link)
    }
}
#[automatically_derived]
impl ActiveModel {
    /// Moves the row this active model names to the trash (the default scope's
    /// `delete`). `ActiveModelBehavior::before_delete` is not called: it is not a
    /// `DELETE`.
    pub async fn delete<C>(
        self,
        db: &C,
    ) -> ::core::result::Result<
        ::soft_delete_core::__private::sea_orm::DeleteResult,
        ::soft_delete_core::__private::sea_orm::DbErr,
    >
    where
        C: ::soft_delete_core::TransactionalConnection,
    {
        ::soft_delete_core::ScopedDelete::<Entity>::of_active_model(&self).exec(db).await
    }
}
