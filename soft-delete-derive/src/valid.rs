//! Rules that span fields: which field is the deletion marker, and whether its declared type can
//! be one. What the derive cannot see (whether `T` in `Option<T>` is a supported timestamp) is
//! checked by a trait bound in the expansion.

use syn::{GenericArgument, Ident, PathArguments, Type};

use crate::ast::{Field, Model};
use crate::attr::DeclaredStrategy;
use crate::column::column_variant;
use crate::errors::Errors;

/// The default name of the marker field, as in Django, Laravel and GORM.
const DEFAULT_MARKER: &str = "deleted_at";

/// The default name of the batch column.
const DEFAULT_BATCH: &str = "deleted_batch";

/// Everything the expansion needs, already checked.
pub(crate) struct Plan<'a> {
    pub(crate) marker_field: &'a Ident,
    /// How the marker records the state.
    pub(crate) strategy: Strategy<'a>,
    pub(crate) column_variant: Ident,
    /// `Column` variants of each `unique(...)` key.
    pub(crate) unique_keys: Vec<Vec<Ident>>,
    pub(crate) database_clock: bool,
    /// The batch column's `Column` variant and `T` in its `Option<T>`.
    pub(crate) batch: Option<(Ident, &'a Type)>,
    pub(crate) cascades: &'a [syn::Path],
    /// The `touch` column's variant and declared type.
    pub(crate) touch: Option<(Ident, &'a Type)>,
    /// The `deleted_by` column's variant and `T` in its `Option<T>`.
    pub(crate) deleted_by: Option<(Ident, &'a Type)>,
    /// The `hooks` key, for spans.
    pub(crate) hooks: Option<&'a syn::Path>,
    /// The `default_scope` key, for spans: SeaORM's own calls hide and soft-delete.
    pub(crate) default_scope: Option<&'a syn::Path>,
    /// The path of `soft-delete-core`: `crate = ..`, or `::soft_delete_core`.
    pub(crate) krate: syn::Path,
    /// The marker is one of the `time` crate's types, which need `soft-delete-core`'s own
    /// `with-time` feature (SeaORM's feature of that name is not enough).
    pub(crate) time_marker: bool,
}

/// A marker strategy, with what its expansion needs.
#[derive(Clone, Copy)]
pub(crate) enum Strategy<'a> {
    /// `Option<T>`: `T`, spanned for the trait-bound error of an unsupported timestamp.
    Timestamp(&'a Type),
    Declared(DeclaredStrategy),
}

impl Strategy<'_> {
    /// Whether the marker itself records when a row was trashed.
    pub(crate) fn records_time(self) -> bool {
        !matches!(
            self,
            Strategy::Declared(DeclaredStrategy::Flag | DeclaredStrategy::ActiveFlag)
        )
    }
}

/// The names SeaORM and `time` give the `time` timestamps a marker can have.
const TIME_TYPES: &[&str] = &[
    "TimeDateTimeWithTimeZone",
    "TimeDateTime",
    "OffsetDateTime",
    "PrimitiveDateTime",
];

fn is_time_type(ty: &Type) -> bool {
    match ungrouped(ty) {
        Type::Path(path) => path
            .path
            .segments
            .last()
            .is_some_and(|last| TIME_TYPES.iter().any(|name| last.ident == name)),
        _ => false,
    }
}

pub(crate) fn validate<'a>(model: &'a Model<'a>) -> syn::Result<Plan<'a>> {
    let mut errors = Errors::default();
    let marker = find_marker(model, &mut errors);
    let plan = marker.and_then(|field| {
        if field.sea_orm.ignore {
            errors.push(syn::Error::new_spanned(
                field.ident,
                "the deletion marker must be a database column, but this field is `#[sea_orm(ignore)]`",
            ));
        }
        let strategy = errors.collect(marker_strategy(field))?;
        Some(Plan {
            marker_field: field.ident,
            strategy,
            column_variant: column_variant(field.ident, field.sea_orm.enum_name.as_ref()),
            unique_keys: Vec::new(),
            database_clock: model.attrs.database_clock,
            batch: None,
            cascades: &[],
            touch: None,
            deleted_by: None,
            hooks: model.attrs.hooks.as_ref(),
            default_scope: model.attrs.default_scope.as_ref(),
            krate: model
                .attrs
                .krate
                .clone()
                .unwrap_or_else(|| syn::parse_quote!(::soft_delete_core)),
            time_marker: matches!(strategy, Strategy::Timestamp(ty) if is_time_type(ty)),
        })
    });
    let batch = batch_column(model, &mut errors);
    let unique_keys = unique_key_variants(
        model,
        plan.as_ref().map(|plan| plan.marker_field),
        &mut errors,
    );
    if let (None, Some(first)) = (&batch, model.attrs.cascades.first()) {
        errors.push(syn::Error::new_spanned(
            first,
            "an entity with cascades needs a batch column, which records which operation trashed \
             each row: add `#[soft_delete(batch)] pub deleted_batch: Option<i64>`",
        ));
    }
    let marker_field = plan.as_ref().map(|plan| plan.marker_field);
    let touch = audit_field(
        model,
        marker_field,
        model.attrs.touch.as_ref(),
        "touch",
        &mut errors,
    )
    .map(|field| {
        (
            column_variant(field.ident, field.sea_orm.enum_name.as_ref()),
            field.ty,
        )
    });
    let deleted_by = audit_field(
        model,
        marker_field,
        model.attrs.deleted_by.as_ref(),
        "deleted_by",
        &mut errors,
    )
    .and_then(|field| {
        let inner = errors.collect(option_inner_type(
            field.ty,
            "the `deleted_by` column",
            "Option<String>",
        ))?;
        Some((
            column_variant(field.ident, field.sea_orm.enum_name.as_ref()),
            inner,
        ))
    });
    let plan = plan.map(|plan| Plan {
        unique_keys,
        batch,
        cascades: &model.attrs.cascades,
        touch,
        deleted_by,
        ..plan
    });
    errors.finish()?;
    plan.ok_or_else(|| syn::Error::new_spanned(model.ident, "no deletion marker field"))
}

/// The field an audit key (`touch = ..`, `deleted_by = ..`) names: a column other than the
/// marker and the batch column.
fn audit_field<'m, 'a>(
    model: &'m Model<'a>,
    marker: Option<&Ident>,
    name: Option<&Ident>,
    key: &str,
    errors: &mut Errors,
) -> Option<&'m Field<'a>> {
    let name = name?;
    let field = model.fields.iter().find(|field| field.ident == name);
    match field {
        Some(field) if field.sea_orm.ignore => {
            errors.push(syn::Error::new_spanned(
                name,
                format!(
                    "`{key}` needs a database column, but `{name}` is `#[sea_orm(ignore)]`: \
                     nothing would be written"
                ),
            ));
            None
        }
        Some(field) if Some(field.ident) == marker || field.marker.is_some() => {
            errors.push(syn::Error::new_spanned(
                name,
                format!("`{key}` needs a column of its own, not the deletion marker"),
            ));
            None
        }
        Some(field) => Some(field),
        None => {
            errors.push(syn::Error::new_spanned(
                name,
                format!(
                    "`{key} = ..` names a field of `Model`, and `{name}` is not one of its columns"
                ),
            ));
            None
        }
    }
}

/// The field marked `#[soft_delete(batch)]`, else the field named `deleted_batch`.
fn batch_column<'a>(model: &Model<'a>, errors: &mut Errors) -> Option<(Ident, &'a Type)> {
    let mut marked = model.fields.iter().filter(|field| field.batch.is_some());
    if let Some(first) = marked.next() {
        for extra in marked {
            if let Some(attr) = extra.batch {
                errors.push(syn::Error::new_spanned(
                    attr,
                    format!(
                        "only one field can be the batch column, and `{}` is marked already",
                        first.ident
                    ),
                ));
            }
        }
    }
    let field = model
        .fields
        .iter()
        .find(|field| field.batch.is_some())
        .or_else(|| {
            model
                .fields
                .iter()
                .find(|field| field.ident == DEFAULT_BATCH && field.marker.is_none())
        })?;
    let inner = errors.collect(option_inner_type(
        field.ty,
        "the batch column",
        "Option<i64>",
    ))?;
    Some((
        column_variant(field.ident, field.sea_orm.enum_name.as_ref()),
        inner,
    ))
}

/// Each `unique(...)` column must be a column of the model other than the marker, once per key.
fn unique_key_variants(
    model: &Model<'_>,
    marker: Option<&Ident>,
    errors: &mut Errors,
) -> Vec<Vec<Ident>> {
    let mut keys = Vec::new();
    for key in &model.attrs.unique_keys {
        let mut variants: Vec<Ident> = Vec::new();
        for (position, column) in key.iter().enumerate() {
            if key[..position].contains(column) {
                errors.push(syn::Error::new_spanned(
                    column,
                    format!("`{column}` is already in this unique key"),
                ));
                continue;
            }
            if Some(column) == marker {
                errors.push(syn::Error::new_spanned(
                    column,
                    "the deletion marker cannot be part of a unique key: keys are already unique among active rows only",
                ));
                continue;
            }
            match model.fields.iter().find(|field| field.ident == column) {
                Some(field) if !field.sea_orm.ignore => {
                    if let Some(unique) = &field.sea_orm.unique {
                        errors.push(syn::Error::new_spanned(
                            unique,
                            format!(
                                "`{column}` is in `#[soft_delete(unique(..))]`, which makes it unique \
                                 among active rows; a plain `#[sea_orm(unique)]` would also count \
                                 trashed rows and refuse to reuse their values: remove it"
                            ),
                        ));
                    }
                    variants.push(column_variant(field.ident, field.sea_orm.enum_name.as_ref()));
                }
                _ => errors.push(syn::Error::new_spanned(
                    column,
                    format!("`unique(...)` names fields of `Model`, and `{column}` is not one of its columns"),
                )),
            }
        }
        keys.push(variants);
    }
    keys
}

/// The field marked `#[soft_delete]` (with or without a strategy), else the field named
/// `deleted_at`.
fn find_marker<'m, 'a>(model: &'m Model<'a>, errors: &mut Errors) -> Option<&'m Field<'a>> {
    let mut marked = model.fields.iter().filter(|field| field.marker.is_some());
    if let Some(first) = marked.next() {
        for extra in marked {
            if let Some(marker) = extra.marker {
                let attr = marker.attr;
                errors.push(syn::Error::new_spanned(
                    attr,
                    format!(
                        "only one field can be the deletion marker, and `{}` is marked already",
                        first.ident
                    ),
                ));
            }
        }
        return Some(first);
    }
    let by_name = model
        .fields
        .iter()
        .find(|field| field.ident == DEFAULT_MARKER);
    let likely_flag = model.fields.iter().find_map(|field| {
        let declaration = match field.ident.to_string().as_str() {
            "deleted" | "is_deleted" | "trashed" | "is_trashed" => "flag",
            "active" | "is_active" => "active_flag",
            _ => return None,
        };
        (simple_type_name(field.ty).as_deref() == Some("bool")).then_some((field, declaration))
    });
    if let (None, Some((field, declaration))) = (by_name, likely_flag) {
        errors.push(syn::Error::new_spanned(
            field.ident,
            format!(
                "`#[derive(SoftDelete)]` needs a deletion marker; if `{}` is it, write \
                 `#[soft_delete({declaration})]` on it (a `bool` marker says which way round it \
                 counts), or add a field `deleted_at: Option<DateTimeUtc>`",
                field.ident
            ),
        ));
        return None;
    }
    if by_name.is_none() {
        errors.push(syn::Error::new_spanned(
            model.ident,
            "`#[derive(SoftDelete)]` needs a deletion marker: add a field \
             `deleted_at: Option<DateTimeUtc>`, or put `#[soft_delete]` on the `Option<...>` \
             timestamp field that records the deletion time (`#[soft_delete(flag)]` on a `bool`, \
             `#[soft_delete(epoch = seconds)]` on an `i64`)",
        ));
    }
    by_name
}

/// `T` in `Option<T>`. SeaORM decides a column is nullable only when its type is written
/// `Option<...>`, so an alias or a qualified path would create a `NOT NULL` column.
fn option_inner_type<'t>(ty: &'t Type, what: &str, example: &str) -> syn::Result<&'t Type> {
    let not_option = || {
        syn::Error::new_spanned(
            ty,
            format!(
                "{what} must be written `Option<...>` (for example `{example}`): SeaORM makes a \
                 column nullable only when its type is spelled `Option<...>`, and an active row \
                 stores NULL"
            ),
        )
    };
    let Type::Path(path) = ungrouped(ty) else {
        return Err(not_option());
    };
    if path.qself.is_some() || path.path.segments.len() != 1 {
        return Err(not_option());
    }
    let Some(segment) = path.path.segments.first() else {
        return Err(not_option());
    };
    if segment.ident != "Option" {
        return Err(not_option());
    }
    match &segment.arguments {
        PathArguments::AngleBracketed(args) if args.args.len() == 1 => match args.args.first() {
            Some(GenericArgument::Type(inner)) => Ok(inner),
            _ => Err(not_option()),
        },
        _ => Err(not_option()),
    }
}

/// The marker's strategy: declared in its attribute, or, for a bare `#[soft_delete]` or a field
/// found by name, read from its type where the type says it unambiguously (`Option<..>`).
fn marker_strategy<'a>(field: &Field<'a>) -> syn::Result<Strategy<'a>> {
    let declared = field.marker.and_then(|marker| marker.declared);
    let simple = simple_type_name(field.ty);
    match declared {
        Some(strategy @ (DeclaredStrategy::Flag | DeclaredStrategy::ActiveFlag)) => {
            if simple.as_deref() == Some("bool") {
                Ok(Strategy::Declared(strategy))
            } else {
                Err(syn::Error::new_spanned(
                    field.ty,
                    format!(
                        "`{}` marks a `bool` field (a NOT NULL boolean column), not this type",
                        strategy.syntax()
                    ),
                ))
            }
        }
        Some(strategy) => {
            if simple.as_deref() == Some("i64") {
                Ok(Strategy::Declared(strategy))
            } else {
                Err(syn::Error::new_spanned(
                    field.ty,
                    format!(
                        "`{}` marks an `i64` field (a NOT NULL bigint column, 0 while active), not this type",
                        strategy.syntax()
                    ),
                ))
            }
        }
        None => match simple.as_deref() {
            Some("bool") => Err(syn::Error::new_spanned(
                field.ty,
                "a `bool` marker does not say which way round it counts: write \
                 `#[soft_delete(flag)]` when `true` means trashed, or \
                 `#[soft_delete(active_flag)]` when `true` means active",
            )),
            Some("i64" | "i32" | "u32" | "u64" | "i16") => Err(syn::Error::new_spanned(
                field.ty,
                "an integer marker needs its unit: write `#[soft_delete(epoch = seconds)]` or \
                 `#[soft_delete(epoch = millis)]` on an `i64` field (0 while active)",
            )),
            _ => option_inner_type(field.ty, "the deletion marker", "Option<DateTimeUtc>")
                .map(Strategy::Timestamp),
        },
    }
}

/// `bool` for the type `bool`, and so on: a one-segment path without arguments.
fn simple_type_name(ty: &Type) -> Option<String> {
    match ungrouped(ty) {
        Type::Path(path) if path.qself.is_none() && path.path.segments.len() == 1 => {
            let segment = path.path.segments.first()?;
            segment
                .arguments
                .is_none()
                .then(|| segment.ident.to_string())
        }
        _ => None,
    }
}

/// The type inside the invisible group a `macro_rules!` `$ty:ty` fragment arrives in, so that an
/// entity declared by a macro is read like one written out.
fn ungrouped(mut ty: &Type) -> &Type {
    while let Type::Group(group) = ty {
        ty = &group.elem;
    }
    ty
}
