//! Attribute parsing: our own `#[soft_delete]`, strictly, and the two `#[sea_orm]` field keys that
//! decide a column's `Column` variant, leniently (SeaORM validates its own attribute).

use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, ExprLit, Lit, LitStr, Meta, Token};

use crate::errors::Errors;

/// Keys accepted inside `#[soft_delete(...)]` on the `Model` struct, kept in one place so that
/// every message lists the same set. The struct takes none yet.
pub(crate) const STRUCT_KEYS: &[&str] = &[];

pub(crate) const SOFT_DELETE: &str = "soft_delete";

/// Rejects any `#[soft_delete]` on the struct itself: until a struct key exists, such an attribute
/// can only be a mark meant for a field, or a typo.
pub(crate) fn check_struct_attrs(attrs: &[Attribute], errors: &mut Errors) {
    for attr in attrs
        .iter()
        .filter(|attr| attr.path().is_ident(SOFT_DELETE))
    {
        match &attr.meta {
            Meta::List(list) => {
                match list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated) {
                    Ok(items) => {
                        for item in items {
                            let key = item.path().get_ident().map(ToString::to_string);
                            errors.push(syn::Error::new_spanned(
                                item.path(),
                                format!(
                                    "unknown key `{}` in `#[soft_delete(...)]` on the struct; {}",
                                    key.as_deref().unwrap_or("?"),
                                    accepted_struct_keys()
                                ),
                            ));
                        }
                    }
                    Err(error) => errors.push(syn::Error::new(
                        error.span(),
                        format!("malformed `#[soft_delete(...)]`: {error}; {}", accepted_struct_keys()),
                    )),
                }
            }
            _ => errors.push(syn::Error::new_spanned(
                attr,
                "`#[soft_delete]` marks a field, not the struct: put it on the `Option<...>` timestamp field \
                 that records the deletion time",
            )),
        }
    }
}

fn accepted_struct_keys() -> String {
    if STRUCT_KEYS.is_empty() {
        "the struct attribute takes no keys in this version".to_owned()
    } else {
        let keys: Vec<String> = STRUCT_KEYS.iter().map(|key| format!("`{key}`")).collect();
        format!("expected one of {}", keys.join(", "))
    }
}

/// Returns the field's `#[soft_delete]` attribute if it has one. The field form is bare: anything
/// inside it, or a second copy, is an error.
pub(crate) fn field_marker<'a>(
    attrs: &'a [Attribute],
    errors: &mut Errors,
) -> Option<&'a Attribute> {
    let mut found: Option<&Attribute> = None;
    for attr in attrs
        .iter()
        .filter(|attr| attr.path().is_ident(SOFT_DELETE))
    {
        match &attr.meta {
            Meta::Path(_) => {}
            Meta::List(list) => {
                errors.push(syn::Error::new_spanned(
                    &list.tokens,
                    "`#[soft_delete]` on a field takes no arguments: write `#[soft_delete]` on the \
                     field that records the deletion time",
                ));
                continue;
            }
            Meta::NameValue(name_value) => {
                errors.push(syn::Error::new_spanned(
                    &name_value.value,
                    "`#[soft_delete]` on a field takes no value: write `#[soft_delete]`",
                ));
                continue;
            }
        }
        if found.is_some() {
            errors.push(syn::Error::new_spanned(
                attr,
                "duplicate `#[soft_delete]` on this field",
            ));
        } else {
            found = Some(attr);
        }
    }
    found
}

/// What SeaORM's own field attribute says about the column's `Column` variant.
#[derive(Default)]
pub(crate) struct SeaOrmField {
    /// `#[sea_orm(enum_name = "...")]`: overrides the variant's name.
    pub(crate) enum_name: Option<LitStr>,
    /// `#[sea_orm(ignore)]`: the field is not a column at all.
    pub(crate) ignore: bool,
}

/// Reads `#[sea_orm(...)]` on a field. SeaORM reports malformed input itself, so anything we
/// cannot read is skipped here rather than reported twice.
pub(crate) fn sea_orm_field(attrs: &[Attribute]) -> SeaOrmField {
    let mut field = SeaOrmField::default();
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("sea_orm")) {
        let Ok(items) = attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
        else {
            continue;
        };
        for item in items {
            match item {
                Meta::Path(path) if path.is_ident("ignore") => field.ignore = true,
                Meta::NameValue(name_value) if name_value.path.is_ident("enum_name") => {
                    if let Expr::Lit(ExprLit {
                        lit: Lit::Str(name),
                        ..
                    }) = name_value.value
                    {
                        field.enum_name = Some(name);
                    }
                }
                _ => {}
            }
        }
    }
    field
}
