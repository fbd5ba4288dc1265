//! Attribute parsing: our own `#[soft_delete]`, strictly, and the two `#[sea_orm]` field keys that
//! decide a column's `Column` variant, leniently (SeaORM validates its own attribute).

use syn::meta::ParseNestedMeta;
use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, ExprLit, Ident, Lit, LitStr, Meta, Token};

use crate::errors::Errors;

/// A key accepted inside `#[soft_delete(...)]` on the `Model` struct.
pub(crate) struct StructKey {
    pub(crate) name: &'static str,
    /// How it is written, as every message shows it.
    syntax: &'static str,
    /// Whether it may be given more than once (`unique(a), unique(b)`).
    repeatable: bool,
}

/// Every struct key, in one place: parsing, "did you mean" and every message use this table.
pub(crate) const STRUCT_KEYS: &[StructKey] = &[
    StructKey {
        name: "cascade",
        syntax: "cascade(Entity, ...)",
        repeatable: true,
    },
    StructKey {
        name: "unique",
        syntax: "unique(column, ...)",
        repeatable: true,
    },
    StructKey {
        name: "clock",
        syntax: "clock = application | database",
        repeatable: false,
    },
    StructKey {
        name: "touch",
        syntax: "touch = field",
        repeatable: false,
    },
    StructKey {
        name: "deleted_by",
        syntax: "deleted_by = field",
        repeatable: false,
    },
    StructKey {
        name: "hooks",
        syntax: "hooks",
        repeatable: false,
    },
    StructKey {
        name: "default_scope",
        syntax: "default_scope",
        repeatable: false,
    },
    StructKey {
        name: "crate",
        syntax: "crate = path",
        repeatable: false,
    },
];

pub(crate) fn struct_key_names() -> Vec<&'static str> {
    STRUCT_KEYS.iter().map(|key| key.name).collect()
}

/// Keys accepted inside `#[soft_delete(...)]` on a field.
const FIELD_KEYS: &[&str] = &["batch", "flag", "active_flag", "epoch"];

/// Units accepted in `#[soft_delete(epoch = ..)]`.
const EPOCH_UNITS: &[&str] = &["seconds", "millis"];

pub(crate) const SOFT_DELETE: &str = "soft_delete";

/// What `#[soft_delete(...)]` on the struct says.
#[derive(Default)]
pub(crate) struct StructAttrs {
    /// `unique(a, b)`, once per key: columns unique among active rows.
    pub(crate) unique_keys: Vec<Vec<Ident>>,
    /// `clock = database`: timestamps come from the database server.
    pub(crate) database_clock: bool,
    /// `cascade(Child, ..)`: the entities whose rows follow this one's.
    pub(crate) cascades: Vec<syn::Path>,
    /// `touch = updated_at`: a column set to the operation's time on soft delete and restore.
    pub(crate) touch: Option<Ident>,
    /// `deleted_by = deleted_by`: a column that records who trashed the row.
    pub(crate) deleted_by: Option<Ident>,
    /// `hooks`: the entity implements `SoftDeleteHooks`.
    pub(crate) hooks: Option<syn::Path>,
    /// `default_scope`: SeaORM's own calls on the entity hide and soft-delete.
    pub(crate) default_scope: Option<syn::Path>,
    /// `crate = path`: where `soft-delete-core` is, when it is renamed or re-exported.
    pub(crate) krate: Option<syn::Path>,
    /// Whether a `#[sea_orm(table_name = ..)]` is on the struct: without it SeaORM's
    /// `DeriveEntityModel` generates no `Entity`.
    pub(crate) has_table_name: bool,
}

pub(crate) fn struct_attrs(attrs: &[Attribute], errors: &mut Errors) -> StructAttrs {
    let mut parsed = StructAttrs {
        has_table_name: has_sea_orm_table_name(attrs),
        ..StructAttrs::default()
    };
    let mut seen = std::collections::HashSet::new();
    for attr in attrs
        .iter()
        .filter(|attr| attr.path().is_ident(SOFT_DELETE))
    {
        let Meta::List(list) = &attr.meta else {
            errors.push(syn::Error::new_spanned(
                attr,
                "`#[soft_delete]` marks a field, not the struct: put it on the `Option<...>` timestamp field \
                 that records the deletion time",
            ));
            continue;
        };
        // Errors the closure makes already say what is accepted; syn's own parse errors do not.
        let mut reported = false;
        let result = list.parse_nested_meta(|meta| {
            let Some(key) = STRUCT_KEYS.iter().find(|key| meta.path.is_ident(key.name)) else {
                let written = meta.path.get_ident().map(ToString::to_string);
                let written = written.as_deref().unwrap_or("?");
                reported = true;
                return Err(meta.error(format!(
                    "unknown key `{written}` in `#[soft_delete(...)]` on the struct; expected one of {}{}",
                    accepted_struct_keys(),
                    did_you_mean(written, &struct_key_names())
                )));
            };
            // A repeated key is reported, and its first value is the one kept.
            let first = key.repeatable || seen.insert(key.name);
            if !first {
                errors.push(syn::Error::new_spanned(
                    &meta.path,
                    format!("duplicate `{}` key", key.name),
                ));
            }
            struct_key(&meta, key.name, first, &mut parsed, errors).map_err(|error| match error {
                KeyError::Said(error) => {
                    reported = true;
                    error
                }
                KeyError::Syntax(error) => error,
            })
        });
        match result {
            Err(error) if reported => errors.push(error),
            Err(error) => errors.push(syn::Error::new(
                error.span(),
                format!(
                    "malformed `#[soft_delete(...)]`: {error}; expected one of {}",
                    accepted_struct_syntax()
                ),
            )),
            Ok(()) => {}
        }
    }
    parsed
}

/// An error made while reading one key: it already says what is accepted (`Said`), or it is
/// syn's own parse error, which the caller rewords (`Syntax`).
enum KeyError {
    Said(syn::Error),
    Syntax(syn::Error),
}

impl From<syn::Error> for KeyError {
    fn from(error: syn::Error) -> Self {
        KeyError::Syntax(error)
    }
}

/// Reads the value of the struct key `name` into `parsed`; a repeated key (`first` false) is
/// read and checked but not kept.
fn struct_key(
    meta: &ParseNestedMeta<'_>,
    name: &str,
    first: bool,
    parsed: &mut StructAttrs,
    errors: &mut Errors,
) -> Result<(), KeyError> {
    match name {
        "unique" => {
            let columns = parenthesized_list::<Ident>(
                meta,
                "expected `unique(column, ...)`",
                "`unique(...)` needs at least one column: `unique(email)`",
            )?;
            parsed.unique_keys.push(columns);
        }
        "cascade" => {
            let children = parenthesized_list::<syn::Path>(
                meta,
                "expected `cascade(super::child::Entity, ...)`",
                "`cascade(...)` needs at least one child entity: `cascade(super::child::Entity)`",
            )?;
            parsed.cascades.extend(children);
        }
        "touch" | "deleted_by" => {
            let field: Ident = meta.value()?.parse()?;
            let slot = if name == "touch" {
                &mut parsed.touch
            } else {
                &mut parsed.deleted_by
            };
            if first {
                *slot = Some(field);
            }
        }
        "hooks" => {
            if !meta.input.is_empty() && !meta.input.peek(Token![,]) {
                return Err(KeyError::Said(
                    meta.error("`hooks` takes no value: write `#[soft_delete(hooks)]`"),
                ));
            }
            if first {
                parsed.hooks = Some(meta.path.clone());
            }
        }
        "default_scope" => {
            if !meta.input.is_empty() && !meta.input.peek(Token![,]) {
                return Err(KeyError::Said(meta.error(
                    "`default_scope` takes no value: write `#[soft_delete(default_scope)]`",
                )));
            }
            if first {
                parsed.default_scope = Some(meta.path.clone());
            }
        }
        "crate" => {
            let value = meta.value()?;
            // `crate = path` or, as serde writes it, `crate = "path"`.
            let path = if value.peek(LitStr) {
                value
                    .parse::<LitStr>()?
                    .parse_with(syn::Path::parse_mod_style)?
            } else {
                syn::Path::parse_mod_style(value)?
            };
            if first {
                parsed.krate = Some(path);
            }
        }
        "clock" => {
            let value: Ident = meta.value()?.parse()?;
            match value.to_string().as_str() {
                "database" => parsed.database_clock |= first,
                "application" => {}
                other => errors.push(syn::Error::new_spanned(
                    &value,
                    format!(
                        "expected `clock = application` (the default) or `clock = database`{}",
                        did_you_mean(other, &["application", "database"])
                    ),
                )),
            }
        }
        other => unreachable!("struct key `{other}` is in STRUCT_KEYS but not parsed"),
    }
    Ok(())
}

/// `key(a, b, ...)`: at least one item, each a `T`.
fn parenthesized_list<T: syn::parse::Parse>(
    meta: &ParseNestedMeta<'_>,
    expected: &str,
    empty: &str,
) -> Result<Vec<T>, KeyError> {
    if !meta.input.peek(syn::token::Paren) {
        return Err(KeyError::Said(meta.error(expected)));
    }
    let items = (|| {
        let content;
        syn::parenthesized!(content in meta.input);
        Punctuated::<T, Token![,]>::parse_terminated(&content)
    })()?;
    if items.is_empty() {
        return Err(KeyError::Said(meta.error(empty)));
    }
    Ok(items.into_iter().collect())
}

/// `; did you mean `key`?` for the accepted key closest to a misspelt one, or nothing when
/// none is close (at most a third of its letters differ).
pub(crate) fn did_you_mean(written: &str, accepted: &[&str]) -> String {
    accepted
        .iter()
        .map(|key| (edit_distance(written, key), *key))
        .filter(|(distance, key)| *distance > 0 && *distance <= key.len().div_ceil(3))
        .min()
        .map(|(_, key)| format!("; did you mean `{key}`?"))
        .unwrap_or_default()
}

/// Levenshtein distance, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, a_char) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, b_char) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(a_char != *b_char);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

fn has_sea_orm_table_name(attrs: &[Attribute]) -> bool {
    attrs
        .iter()
        .filter(|attr| attr.path().is_ident("sea_orm"))
        .filter_map(|attr| {
            attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
                .ok()
        })
        .flatten()
        .any(|item| item.path().is_ident("table_name"))
}

fn accepted_struct_keys() -> String {
    let keys: Vec<String> = STRUCT_KEYS
        .iter()
        .map(|key| format!("`{}`", key.name))
        .collect();
    keys.join(", ")
}

fn accepted_struct_syntax() -> String {
    let keys: Vec<String> = STRUCT_KEYS
        .iter()
        .map(|key| format!("`{}`", key.syntax))
        .collect();
    keys.join(", ")
}

/// What `#[soft_delete]` says a field is.
#[derive(Default)]
pub(crate) struct FieldRole<'a> {
    /// `#[soft_delete]`, `#[soft_delete(flag)]`, ..: the deletion marker.
    pub(crate) marker: Option<MarkerAttr<'a>>,
    /// `#[soft_delete(batch)]`: the batch column of a cascade graph.
    pub(crate) batch: Option<&'a Attribute>,
}

/// A marker attribute and the strategy it declares.
#[derive(Clone, Copy)]
pub(crate) struct MarkerAttr<'a> {
    pub(crate) attr: &'a Attribute,
    /// `None` for a bare `#[soft_delete]`: the strategy follows from the field's type.
    pub(crate) declared: Option<DeclaredStrategy>,
}

/// A marker strategy named in the attribute.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeclaredStrategy {
    /// `flag`: `bool`, true once trashed.
    Flag,
    /// `active_flag`: `bool`, true while active.
    ActiveFlag,
    /// `epoch = seconds`.
    EpochSeconds,
    /// `epoch = millis`.
    EpochMillis,
}

impl DeclaredStrategy {
    /// How the attribute is written, for messages.
    pub(crate) fn syntax(self) -> &'static str {
        match self {
            DeclaredStrategy::Flag => "#[soft_delete(flag)]",
            DeclaredStrategy::ActiveFlag => "#[soft_delete(active_flag)]",
            DeclaredStrategy::EpochSeconds => "#[soft_delete(epoch = seconds)]",
            DeclaredStrategy::EpochMillis => "#[soft_delete(epoch = millis)]",
        }
    }
}

const FIELD_SYNTAX: &str = "`#[soft_delete]` on an `Option<..>` deletion timestamp, \
    `#[soft_delete(flag)]` or `#[soft_delete(active_flag)]` on a `bool` marker, \
    `#[soft_delete(epoch = seconds)]` or `#[soft_delete(epoch = millis)]` on an `i64` marker, \
    or `#[soft_delete(batch)]` on the batch column";

/// Reads a field's `#[soft_delete]` attributes; anything else, or a second copy, is an error.
pub(crate) fn field_role<'a>(attrs: &'a [Attribute], errors: &mut Errors) -> FieldRole<'a> {
    let mut role = FieldRole::default();
    for attr in attrs
        .iter()
        .filter(|attr| attr.path().is_ident(SOFT_DELETE))
    {
        let parsed = match &attr.meta {
            Meta::Path(_) => Ok(None),
            Meta::List(list) => field_key(list),
            Meta::NameValue(name_value) => Err(syn::Error::new_spanned(
                &name_value.value,
                format!("`#[soft_delete]` on a field takes no value: write {FIELD_SYNTAX}"),
            )),
        };
        let duplicate = match parsed {
            Err(error) => {
                errors.push(error);
                continue;
            }
            Ok(Some(FieldKey::Batch)) => role.batch.replace(attr).is_some(),
            Ok(Some(FieldKey::Marker(declared))) => role
                .marker
                .replace(MarkerAttr {
                    attr,
                    declared: Some(declared),
                })
                .is_some(),
            Ok(None) => role
                .marker
                .replace(MarkerAttr {
                    attr,
                    declared: None,
                })
                .is_some(),
        };
        if duplicate {
            errors.push(syn::Error::new_spanned(
                attr,
                "duplicate `#[soft_delete]` on this field",
            ));
        }
    }
    if let (Some(_), Some(batch)) = (role.marker, role.batch) {
        errors.push(syn::Error::new_spanned(
            batch,
            "a field is either the deletion marker or the batch column",
        ));
    }
    role
}

enum FieldKey {
    Batch,
    Marker(DeclaredStrategy),
}

/// The key inside a field's `#[soft_delete(...)]`.
fn field_key(list: &syn::MetaList) -> syn::Result<Option<FieldKey>> {
    let unknown = |written: Option<String>| {
        let hint = written
            .map(|key| did_you_mean(&key, FIELD_KEYS))
            .unwrap_or_default();
        syn::Error::new_spanned(&list.tokens, format!("expected {FIELD_SYNTAX}{hint}"))
    };
    let Ok(meta) = list.parse_args::<Meta>() else {
        return Err(unknown(None));
    };
    let key = meta.path().get_ident().map(ToString::to_string);
    match (&meta, key.as_deref()) {
        (Meta::Path(_), Some("batch")) => Ok(Some(FieldKey::Batch)),
        (Meta::Path(_), Some("flag")) => Ok(Some(FieldKey::Marker(DeclaredStrategy::Flag))),
        (Meta::Path(_), Some("active_flag")) => {
            Ok(Some(FieldKey::Marker(DeclaredStrategy::ActiveFlag)))
        }
        (Meta::NameValue(name_value), Some("epoch")) => {
            let unit = match &name_value.value {
                Expr::Path(path) => path.path.get_ident().map(ToString::to_string),
                _ => None,
            };
            match unit.as_deref() {
                Some("seconds") => Ok(Some(FieldKey::Marker(DeclaredStrategy::EpochSeconds))),
                Some("millis") => Ok(Some(FieldKey::Marker(DeclaredStrategy::EpochMillis))),
                written => Err(syn::Error::new_spanned(
                    &name_value.value,
                    format!(
                        "expected `epoch = seconds` or `epoch = millis`: the unit the column counts in{}",
                        written
                            .map(|unit| did_you_mean(unit, EPOCH_UNITS))
                            .unwrap_or_default()
                    ),
                )),
            }
        }
        (_, Some("epoch")) => Err(syn::Error::new_spanned(
            &meta,
            "an epoch marker needs its unit: `#[soft_delete(epoch = seconds)]` or `#[soft_delete(epoch = millis)]`",
        )),
        (Meta::Path(_), _) => Err(unknown(key)),
        (_, Some(name @ ("batch" | "flag" | "active_flag"))) => Err(syn::Error::new_spanned(
            &meta,
            format!("`{name}` takes no value: write `#[soft_delete({name})]`"),
        )),
        _ => Err(unknown(key)),
    }
}

/// What SeaORM's own field attribute says about the column's `Column` variant.
#[derive(Default)]
pub(crate) struct SeaOrmField {
    /// `#[sea_orm(enum_name = "...")]`: overrides the variant's name.
    pub(crate) enum_name: Option<LitStr>,
    /// `#[sea_orm(ignore)]`: the field is not a column at all.
    pub(crate) ignore: bool,
    /// `#[sea_orm(unique)]`: a plain unique constraint, which counts trashed rows too.
    pub(crate) unique: Option<syn::Path>,
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
                Meta::Path(path) if path.is_ident("unique") => field.unique = Some(path),
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
