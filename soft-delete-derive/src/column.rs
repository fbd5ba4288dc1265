//! The name of a field's `Column` variant, computed exactly as SeaORM 2's `DeriveEntityModel`
//! does, so the expansion can name `Column::<Variant>` without looking at SeaORM's output.

use heck::ToUpperCamelCase;
use proc_macro2::Span;
use syn::{Ident, LitStr};

/// Strict and reserved keywords that SeaORM writes as raw identifiers (`r#type`).
const RUST_KEYWORDS: [&str; 49] = [
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
    "return", "static", "struct", "super", "trait", "true", "type", "union", "unsafe", "use",
    "where", "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv",
    "try", "typeof", "unsized", "virtual", "yield",
];

/// Keywords that cannot be raw identifiers, so SeaORM appends an underscore (`Self_`).
const SPECIAL_KEYWORDS: [&str; 3] = ["crate", "Self", "self"];

/// `deleted_at` -> `DeletedAt`; `r#type` -> `Type`; `#[sea_orm(enum_name = "Gone")]` -> `Gone`.
pub(crate) fn column_variant(field: &Ident, enum_name: Option<&LitStr>) -> Ident {
    let span = field.span();
    let name = enum_name
        .map(LitStr::value)
        .filter(|name| syn::parse_str::<Ident>(name).is_ok())
        .unwrap_or_else(|| {
            let field = field.to_string();
            field.trim_start_matches("r#").to_upper_camel_case()
        });
    escaped(&name, span)
}

fn escaped(name: &str, span: Span) -> Ident {
    if RUST_KEYWORDS.contains(&name) {
        Ident::new_raw(name, span)
    } else if SPECIAL_KEYWORDS.contains(&name) {
        Ident::new(&format!("{name}_"), span)
    } else {
        Ident::new(name, span)
    }
}

#[cfg(test)]
mod tests {
    use super::column_variant;
    use proc_macro2::Span;
    use syn::{Ident, LitStr};

    fn variant(field: &str, enum_name: Option<&str>) -> String {
        let field: Ident =
            syn::parse_str(field).unwrap_or_else(|_| Ident::new(field, Span::call_site()));
        let enum_name = enum_name.map(|name| LitStr::new(name, Span::call_site()));
        column_variant(&field, enum_name.as_ref()).to_string()
    }

    #[test]
    fn snake_case_fields_become_upper_camel_case() {
        assert_eq!(variant("deleted_at", None), "DeletedAt");
        assert_eq!(variant("removed_at_utc", None), "RemovedAtUtc");
        assert_eq!(variant("deletedAt", None), "DeletedAt");
    }

    #[test]
    fn raw_identifiers_lose_their_prefix() {
        assert_eq!(variant("r#type", None), "Type");
    }

    #[test]
    fn enum_name_overrides_the_field_name() {
        assert_eq!(variant("deleted_at", Some("Gone")), "Gone");
        assert_eq!(variant("deleted_at", Some("not an ident")), "DeletedAt");
    }

    #[test]
    fn keywords_are_escaped_as_sea_orm_does() {
        assert_eq!(variant("self_", None), "Self_");
    }
}
