//! Writes the expansion. Everything here is already validated: this module never reports a
//! user error. Generated code names only `::core`, `soft-delete-core` (as `::soft_delete_core` or
//! the `crate = ..` path) and the entity-local types SeaORM generates (`Entity`, `Column`,
//! `PrimaryKey`, `Model`).

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::attr::DeclaredStrategy;
use crate::valid::{Plan, Strategy};

pub(crate) fn expand(plan: &Plan<'_>) -> TokenStream {
    let wiring = wiring_impl(plan);
    let entity = entity_impl(plan);
    let checks = type_checks(plan);
    let registration = registration(plan);
    let inherent = inherent_api(&plan.krate, has_deletion_time(plan));
    let default_scope = plan.default_scope.map(|_| default_scope_api(&plan.krate));
    quote! {
        #wiring
        #entity
        #checks
        #registration
        #inherent
        #default_scope
    }
}

/// `Wiring`: the entity's hooks and cascade children, as the engine reaches them.
fn wiring_impl(plan: &Plan<'_>) -> TokenStream {
    let private = private(&plan.krate);
    let hooks_fn = plan.hooks.map(|key| {
        let hooks_of = quote_spanned! {key.span()=> #private::hooks_of::<Entity>()};
        quote! {
            fn hooks() -> ::core::option::Option<&'static dyn #private::DynHooks> {
                ::core::option::Option::Some(#hooks_of)
            }
        }
    });
    let cascade_fn = (!plan.cascades.is_empty()).then(|| {
        let edges = plan.cascades.iter().map(|child| {
            quote_spanned! {child.span()=> #private::edge::<Entity, #child>()}
        });
        quote! {
            fn cascade_edges() -> #private::Vec<&'static dyn #private::CascadeEdge> {
                #private::Vec::from([#(#edges),*])
            }
        }
    });
    quote! {
        #[automatically_derived]
        impl #private::Wiring for Entity {
            #hooks_fn
            #cascade_fn

            fn facts() -> ::core::option::Option<&'static #private::EntityFacts> {
                static FACTS: #private::EntityFacts = #private::EntityFacts::new();
                ::core::option::Option::Some(&FACTS)
            }
        }
    }
}

/// `SoftDeleteEntity`: what the table is (marker, batch and audit columns, unique keys, clock).
fn entity_impl(plan: &Plan<'_>) -> TokenStream {
    let Plan {
        marker_field,
        column_variant,
        unique_keys,
        database_clock,
        batch,
        touch,
        deleted_by,
        krate,
        ..
    } = plan;
    let private = private(krate);
    let value = quote!(#private::sea_orm::Value);
    let marker_type = marker_type(plan);
    let marker_item = match plan.strategy {
        Strategy::Timestamp(ty) => quote_spanned!(ty.span()=> type Marker = #marker_type;),
        Strategy::Declared(_) => quote!(type Marker = #marker_type;),
    };
    // Spanned at the field's type like `Marker`, so that an unsupported timestamp is one error
    // there, not a second one at the derive.
    let marker_fn = |span| {
        quote_spanned! {span=>
            fn marker(model: &Model) -> &<Self::Marker as #krate::MarkerStrategy>::Field {
                &model.#marker_field
            }
        }
    };
    let marker_fn = match plan.strategy {
        Strategy::Timestamp(ty) => marker_fn(ty.span()),
        Strategy::Declared(_) => marker_fn(proc_macro2::Span::call_site()),
    };
    let deletion_time = deletion_time_impl(plan);
    let unique_keys = (!unique_keys.is_empty()).then(|| {
        let keys = unique_keys.iter().map(|key| quote!(&[#(Column::#key),*]));
        quote! {
            const UNIQUE_KEYS: &'static [&'static [Column]] = &[#(#keys),*];
        }
    });
    let default_scope = plan.default_scope.map(|key| {
        quote_spanned! {key.span()=>
            const DEFAULT_SCOPE: ::core::primitive::bool = true;
        }
    });
    let clock = database_clock.then(|| {
        quote! {
            const CLOCK: #krate::ClockSource = #krate::ClockSource::Database;
        }
    });
    let batch_fn = batch.as_ref().map(|(variant, _)| {
        quote! {
            fn batch_column() -> ::core::option::Option<Column> {
                ::core::option::Option::Some(Column::#variant)
            }
        }
    });
    let touch_fn = touch.as_ref().map(|(variant, field_type)| {
        let write = quote_spanned! {field_type.span()=>
            <#field_type as #private::TouchTimestamp>::touch_value(at)
        };
        quote! {
            fn touch_value(
                at: #private::chrono::DateTime<#private::chrono::Utc>,
            ) -> ::core::option::Option<(Column, #value)> {
                ::core::option::Option::Some((Column::#variant, #write))
            }
        }
    });
    let deleted_by_fn = deleted_by.as_ref().map(|(variant, actor_type)| {
        quote! {
            fn deleted_by_column() -> ::core::option::Option<(Column, #value)> {
                let null: #value = ::core::convert::Into::into(::core::option::Option::<#actor_type>::None);
                ::core::option::Option::Some((Column::#variant, null))
            }
        }
    });
    quote! {
        #[automatically_derived]
        impl #krate::SoftDeleteEntity for Entity {
            #touch_fn
            #deleted_by_fn
            #marker_item
            #unique_keys
            #clock
            #default_scope
            #batch_fn

            fn marker_column() -> Column {
                Column::#column_variant
            }

            #marker_fn
        }

        #deletion_time
    }
}

/// The strategy type `SoftDeleteEntity::Marker` names.
fn marker_type(plan: &Plan<'_>) -> TokenStream {
    let krate = &plan.krate;
    match plan.strategy {
        Strategy::Timestamp(ty) => {
            let private = private(krate);
            quote_spanned!(ty.span()=> <#ty as #private::TimestampMarker>::Strategy)
        }
        Strategy::Declared(DeclaredStrategy::Flag) => quote!(#krate::marker::Flag),
        Strategy::Declared(DeclaredStrategy::ActiveFlag) => quote!(#krate::marker::ActiveFlag),
        Strategy::Declared(DeclaredStrategy::EpochSeconds) => {
            quote!(#krate::marker::EpochSeconds)
        }
        Strategy::Declared(DeclaredStrategy::EpochMillis) => quote!(#krate::marker::EpochMillis),
    }
}

/// Whether the entity knows when each trashed row was trashed: a timestamp or epoch marker, or a
/// flag with a `touch` column.
fn has_deletion_time(plan: &Plan<'_>) -> bool {
    plan.strategy.records_time() || plan.touch.is_some()
}

/// `HasDeletionTime`, where the entity knows when each trashed row was trashed: from the marker,
/// or, for a flag, from the `touch` column.
fn deletion_time_impl(plan: &Plan<'_>) -> Option<TokenStream> {
    let krate = &plan.krate;
    let private = private(krate);
    if !has_deletion_time(plan) {
        return None;
    }
    let by = if plan.strategy.records_time() {
        quote!(deleted_before_by_marker)
    } else {
        quote!(deleted_before_by_touch)
    };
    // Spanned at a timestamp's type for the reason `marker_fn` is.
    let span = match plan.strategy {
        Strategy::Timestamp(ty) => ty.span(),
        Strategy::Declared(_) => proc_macro2::Span::call_site(),
    };
    Some(quote_spanned! {span=>
        #[automatically_derived]
        impl #krate::HasDeletionTime for Entity {
            fn deleted_before(
                cutoff: #private::chrono::DateTime<#private::chrono::Utc>,
            ) -> #private::sea_orm::sea_query::Expr {
                #private::#by::<Entity>(cutoff)
            }
        }
    })
}

/// Checks the compiler makes, spanned at the field they are about: the batch column's type
/// (and `HasBatchColumn`, which cascade edges require), and a `time` marker's feature.
fn type_checks(plan: &Plan<'_>) -> TokenStream {
    let krate = &plan.krate;
    let private = private(krate);
    let batch = plan.batch.as_ref().map(|(_, batch_type)| {
        let check = quote_spanned! {batch_type.span()=>
            #private::assert_batch_type::<#batch_type>();
        };
        quote! {
            #[automatically_derived]
            impl #krate::HasBatchColumn for Entity {}

            const _: fn() = || {
                #check
            };
        }
    });
    let time = plan.time_marker.then(|| {
        let span = match plan.strategy {
            Strategy::Timestamp(ty) => ty.span(),
            Strategy::Declared(_) => plan.marker_field.span(),
        };
        let check = quote_spanned! {span=>
            #private::assert_time_markers_enabled::<()>();
        };
        quote! {
            const _: fn() = || {
                #check
            };
        }
    });
    quote! {
        #batch
        #time
    }
}

/// Every entity registers its table at link time (for code that sees tables by name: the leak
/// guard, junction joins); a cascade parent also registers its edges, so that its children find
/// it.
fn registration(plan: &Plan<'_>) -> TokenStream {
    let private = private(&plan.krate);
    let edges = (!plan.cascades.is_empty()).then(|| {
        quote! {
            #private::inventory::submit! {
                #private::RegisteredParent(<Entity as #private::Wiring>::cascade_edges)
            }
        }
    });
    quote! {
        #private::inventory::submit! {
            #private::RegisteredTable(#private::describe::<Entity>)
        }
        #edges
    }
}

fn private(krate: &syn::Path) -> TokenStream {
    quote!(#krate::__private)
}

/// What an entity whose attributes have errors expands to besides them: a placeholder
/// `SoftDeleteEntity` impl and the inherent functions, so that call sites add no errors of their
/// own (one mistake, one error, as thiserror does). The code never runs: the errors stop the
/// build.
pub(crate) fn fallback(model: &crate::ast::Model<'_>) -> TokenStream {
    let krate = model
        .attrs
        .krate
        .clone()
        .unwrap_or_else(|| syn::parse_quote!(::soft_delete_core));
    let chrono = quote!(#krate::__private::chrono);
    let unreachable = quote!(::core::unreachable!(
        "`#[derive(SoftDelete)]` reported an error on this entity"
    ));
    let inherent = inherent_api(&krate, true);
    let default_scope = model
        .attrs
        .default_scope
        .as_ref()
        .map(|_| default_scope_api(&krate));
    quote! {
        #default_scope

        #[automatically_derived]
        impl #krate::__private::Wiring for Entity {}

        #[automatically_derived]
        impl #krate::SoftDeleteEntity for Entity {
            type Marker = #krate::marker::Timestamp<#chrono::DateTime<#chrono::Utc>>;

            fn marker_column() -> Column {
                #unreachable
            }

            fn marker(
                _: &Model,
            ) -> &::core::option::Option<#chrono::DateTime<#chrono::Utc>> {
                #unreachable
            }
        }

        #[automatically_derived]
        impl #krate::HasDeletionTime for Entity {
            fn deleted_before(
                _: #chrono::DateTime<#chrono::Utc>,
            ) -> #krate::__private::sea_orm::sea_query::Expr {
                #unreachable
            }
        }

        #inherent
    }
}

/// The inherent functions on `Entity` and `Model`, each calling the `SoftDeleteEntity` impl or
/// the operations built on it (`SoftDeleteEntityExt`): the finders, the operations, and the
/// instance methods.
fn inherent_api(krate: &syn::Path, purge: bool) -> TokenStream {
    let finders = entity_finders(krate);
    let operations = entity_operations(krate, purge);
    let instance = model_methods(krate);
    quote! {
        #finders
        #operations
        #instance
    }
}

/// `<PrimaryKey as PrimaryKeyTrait>::ValueType`, what a `by_id` function takes.
fn primary_key_value(krate: &syn::Path) -> TokenStream {
    quote!(<PrimaryKey as #krate::__private::sea_orm::PrimaryKeyTrait>::ValueType)
}

/// `Entity::objects()`, `deleted_objects()`, `all_objects()`, the `find_*_by_id` finders and
/// `update_many_active()`.
fn entity_finders(krate: &syn::Path) -> TokenStream {
    let sea_orm = quote!(#krate::__private::sea_orm);
    let primary_key_value = primary_key_value(krate);
    let entity = |call: TokenStream| quote!(<Entity as #krate::SoftDeleteEntity>::#call);
    let objects = entity(quote!(objects()));
    let deleted_objects = entity(quote!(deleted_objects()));
    let all_objects = entity(quote!(all_objects()));
    let find_active_by_id = entity(quote!(find_active_by_id(key)));
    let find_any_by_id = entity(quote!(find_any_by_id(key)));
    let update_many_active = entity(quote!(update_many_active()));
    quote! {
        #[automatically_derived]
        impl Entity {
            /// Active rows only: `deleted_at IS NULL`.
            pub fn objects() -> #sea_orm::Select<Entity> {
                #objects
            }

            /// The trash: `deleted_at IS NOT NULL`.
            pub fn deleted_objects() -> #sea_orm::Select<Entity> {
                #deleted_objects
            }

            /// Every row, active or trashed.
            pub fn all_objects() -> #sea_orm::Select<Entity> {
                #all_objects
            }

            /// The active row with this primary key, if there is one.
            pub fn find_active_by_id<K>(key: K) -> #sea_orm::Select<Entity>
            where
                K: ::core::convert::Into<#primary_key_value>,
            {
                #find_active_by_id
            }

            /// The row with this primary key, active or trashed.
            pub fn find_any_by_id<K>(key: K) -> #sea_orm::Select<Entity>
            where
                K: ::core::convert::Into<#primary_key_value>,
            {
                #find_any_by_id
            }

            /// SeaORM's `update_many()` restricted to active rows.
            pub fn update_many_active() -> #sea_orm::UpdateMany<Entity> {
                #update_many_active
            }
        }
    }
}

/// The bulk and by-id operations on `Entity`, and `purge_trash` where the entity records when
/// each row was trashed.
fn entity_operations(krate: &syn::Path, purge: bool) -> TokenStream {
    let primary_key_value = primary_key_value(krate);
    let operation = |call: TokenStream| quote!(<Entity as #krate::SoftDeleteEntityExt>::#call);
    let soft_delete_many = operation(quote!(soft_delete_many()));
    let restore_many = operation(quote!(restore_many()));
    let force_delete_many = operation(quote!(force_delete_many()));
    let soft_delete_by_id = operation(quote!(soft_delete_by_id(key)));
    let restore_by_id = operation(quote!(restore_by_id(key)));
    let force_delete_by_id = operation(quote!(force_delete_by_id(key)));
    let lookup_by_id = operation(quote!(lookup_by_id(key)));
    let purge_trash = operation(quote!(purge_trash(cutoff)));
    // A flag marker without a `touch` column records no deletion time: no inherent
    // `purge_trash`, and the trait method's `HasDeletionTime` bound says why.
    let purge_trash = purge.then(|| {
        quote! {
            /// Permanently deletes trashed rows deleted before `cutoff`, in bounded batches.
            pub fn purge_trash(
                cutoff: #krate::__private::chrono::DateTime<#krate::__private::chrono::Utc>,
            ) -> #krate::PurgeTrash<Entity> {
                #purge_trash
            }
        }
    });
    quote! {
        #[automatically_derived]
        impl Entity {
            /// Moves the active rows matching the filters to the trash, in one `UPDATE`.
            pub fn soft_delete_many() -> #krate::SoftDeleteMany<Entity> {
                #soft_delete_many
            }

            /// Brings the trashed rows matching the filters back, in one `UPDATE`.
            pub fn restore_many() -> #krate::RestoreMany<Entity> {
                #restore_many
            }

            /// Permanently deletes the rows matching the filters, active or trashed.
            pub fn force_delete_many() -> #krate::ForceDeleteMany<Entity> {
                #force_delete_many
            }

            /// Moves the row with this primary key to the trash; returns it as stored.
            pub fn soft_delete_by_id<K>(key: K) -> #krate::SoftDeleteOne<Entity>
            where
                K: ::core::convert::Into<#primary_key_value>,
            {
                #soft_delete_by_id
            }

            /// Restores the row with this primary key; returns it as stored.
            pub fn restore_by_id<K>(key: K) -> #krate::RestoreOne<Entity>
            where
                K: ::core::convert::Into<#primary_key_value>,
            {
                #restore_by_id
            }

            /// Permanently deletes the row with this primary key.
            pub fn force_delete_by_id<K>(key: K) -> #krate::ForceDeleteOne<Entity>
            where
                K: ::core::convert::Into<#primary_key_value>,
            {
                #force_delete_by_id
            }

            /// Tells an active row, a trashed row and a missing row apart.
            pub fn lookup_by_id<K>(key: K) -> #krate::LookupById<Entity>
            where
                K: ::core::convert::Into<#primary_key_value>,
            {
                #lookup_by_id
            }

            #purge_trash
        }
    }
}

/// `model.is_deleted()`, `soft_delete(db)`, `restore(db)` and `force_delete(db)`.
fn model_methods(krate: &syn::Path) -> TokenStream {
    let result = quote!(::core::result::Result);
    let is_deleted = quote! {
        <Entity as #krate::SoftDeleteEntity>::is_trashed(self)
    };
    let model = |builder: TokenStream| quote!(#krate::#builder::<Entity>::of(self).exec(db).await);
    let soft_delete = model(quote!(SoftDeleteOne));
    let restore = model(quote!(RestoreOne));
    let force_delete = model(quote!(ForceDeleteOne));
    quote! {
        #[automatically_derived]
        impl Model {
            /// Whether this copy of the row is in the trash.
            pub fn is_deleted(&self) -> ::core::primitive::bool {
                #is_deleted
            }

            /// Moves this row to the trash and returns it as stored. A row already there keeps
            /// its original timestamp.
            pub async fn soft_delete<C>(&self, db: &C) -> #result<Model, #krate::Error>
            where
                C: #krate::TransactionalConnection,
            {
                #soft_delete
            }

            /// Brings this row back from the trash and returns it as stored.
            pub async fn restore<C>(&self, db: &C) -> #result<Model, #krate::Error>
            where
                C: #krate::TransactionalConnection,
            {
                #restore
            }

            /// Permanently deletes this row, after its cascade descendants.
            pub async fn force_delete<C>(&self, db: &C) -> #result<(), #krate::Error>
            where
                C: #krate::TransactionalConnection,
            {
                #force_delete
            }
        }
    }
}

/// With `#[soft_delete(default_scope)]`: inherent functions named as SeaORM's trait functions,
/// which Rust prefers at every call site that names the entity, so that `Entity::find()`,
/// `find_by_id`, `update_many`, `delete_many`, `delete_by_id`, `Entity::delete(active_model)`,
/// `model.delete(db)`, `active_model.delete(db)`, `model.find_related(..)` and
/// `model.find_linked(..)` mean active rows and soft delete. Generic code (`E::find()`) still
/// reaches SeaORM's.
fn default_scope_api(krate: &syn::Path) -> TokenStream {
    let sea_orm = quote!(#krate::__private::sea_orm);
    let primary_key_value = primary_key_value(krate);
    let entity = |call: TokenStream| quote!(<Entity as #krate::SoftDeleteEntity>::#call);
    let objects = entity(quote!(objects()));
    let find_active_by_id = entity(quote!(find_active_by_id(key)));
    let update_many_active = entity(quote!(update_many_active()));
    let scoped = quote!(#krate::ScopedDelete::<Entity>);
    let result = quote!(::core::result::Result<#sea_orm::DeleteResult, #sea_orm::DbErr>);
    // Spanned at the call site, as the other inherent functions: lints such as `dead_code`
    // are the expansion's business, not the user's.
    quote! {
        #[automatically_derived]
        impl Entity {
            /// Active rows only: the default scope's `find()`. `all_objects()` is every row,
            /// `deleted_objects()` the trash.
            pub fn find() -> #sea_orm::Select<Entity> {
                #objects
            }

            /// The active row with this primary key, if there is one (the default scope's
            /// `find_by_id`); `find_any_by_id` finds a trashed one too.
            pub fn find_by_id<K>(key: K) -> #sea_orm::Select<Entity>
            where
                K: ::core::convert::Into<#primary_key_value>,
            {
                #find_active_by_id
            }

            /// SeaORM's `update_many()` restricted to active rows (the default scope).
            pub fn update_many() -> #sea_orm::UpdateMany<Entity> {
                #update_many_active
            }

            /// Moves the active rows matching the filters to the trash (the default scope's
            /// `delete_many()`); `force_delete_many()` deletes for good.
            pub fn delete_many() -> #scoped {
                #scoped::many()
            }

            /// Moves the row with this primary key to the trash (the default scope's
            /// `delete_by_id`); `force_delete_by_id` deletes for good.
            pub fn delete_by_id<K>(key: K) -> #scoped
            where
                K: ::core::convert::Into<#primary_key_value>,
            {
                #scoped::by_id(key)
            }

            /// Moves the row the active model names to the trash (the default scope's
            /// `delete`).
            pub fn delete<A>(model: A) -> #scoped
            where
                A: #sea_orm::ActiveModelTrait<Entity = Entity>,
            {
                #scoped::of_active_model(&model)
            }
        }

        #[automatically_derived]
        impl Model {
            /// Moves this row to the trash (the default scope's `delete`); `rows_affected` is 0
            /// when it was there already. `force_delete(db)` deletes for good.
            pub async fn delete<C>(self, db: &C) -> #result
            where
                C: #krate::TransactionalConnection,
            {
                #scoped::of_model(&self).exec(db).await
            }

            /// SeaORM's `find_related`, without trashed rows of a related entity in the default
            /// scope.
            pub fn find_related<R>(&self, related: R) -> #sea_orm::Select<R>
            where
                R: #sea_orm::EntityTrait,
                Entity: #sea_orm::Related<R>,
            {
                #krate::__private::find_related::<Entity, R>(self, related)
            }

            /// SeaORM's `find_linked`, without trashed rows of a linked entity in the default
            /// scope.
            pub fn find_linked<L>(&self, link: L) -> #sea_orm::Select<<L as #sea_orm::Linked>::ToEntity>
            where
                L: #sea_orm::Linked<FromEntity = Entity>,
            {
                #krate::__private::find_linked::<Entity, L>(self, link)
            }
        }

        #[automatically_derived]
        impl ActiveModel {
            /// Moves the row this active model names to the trash (the default scope's
            /// `delete`). `ActiveModelBehavior::before_delete` is not called: it is not a
            /// `DELETE`.
            pub async fn delete<C>(self, db: &C) -> #result
            where
                C: #krate::TransactionalConnection,
            {
                #scoped::of_active_model(&self).exec(db).await
            }
        }
    }
}
