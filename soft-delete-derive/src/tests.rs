//! Expansion snapshots: every change to the generated code is reviewed as a diff of the files in
//! `tests/expand/`. Regenerate them with `UPDATE_EXPANSIONS=1 cargo test -p soft-delete-derive`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use syn::DeriveInput;
use syn::visit::Visit;

fn expand(source: &str) -> syn::File {
    let input: DeriveInput = syn::parse_str(source).expect("test input parses");
    let tokens = crate::derive(&input).expect("test input is valid");
    syn::parse2(tokens).expect("expansion parses as items")
}

fn check_snapshot(name: &str, source: &str) {
    let rendered = prettyplease::unparse(&expand(source));
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/expand/{name}.expanded.rs"));
    if std::env::var_os("UPDATE_EXPANSIONS").is_some() {
        std::fs::write(&path, &rendered).expect("write snapshot");
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == rendered,
        "expansion of {name} changed; review it and rerun with UPDATE_EXPANSIONS=1:\n{rendered}"
    );
}

const CLASSIC: &str = r#"
    #[sea_orm(table_name = "product")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
        pub deleted_at: Option<DateTimeUtc>,
    }
"#;

const RENAMED: &str = r#"
    #[sea_orm(table_name = "note")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[soft_delete]
        #[sea_orm(column_name = "trashed_on", enum_name = "Trashed")]
        pub removed_at: Option<DateTime>,
        pub deleted_at: Option<DateTimeUtc>,
    }
"#;

const UNIQUE_AND_DATABASE_CLOCK: &str = r#"
    #[sea_orm(table_name = "account")]
    #[soft_delete(unique(email), unique(org_id, handle), clock = database)]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub email: String,
        pub org_id: i32,
        #[sea_orm(enum_name = "Nick")]
        pub handle: String,
        pub deleted_at: Option<DateTimeUtc>,
    }
"#;

#[test]
fn unique_keys_and_database_clock() {
    check_snapshot("unique_and_clock", UNIQUE_AND_DATABASE_CLOCK);
}

const CASCADE: &str = r#"
    #[sea_orm(table_name = "category")]
    #[soft_delete(cascade(super::item::Entity))]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub deleted_at: Option<DateTimeUtc>,
        #[soft_delete(batch)]
        pub trash_batch: Option<i64>,
    }
"#;

#[test]
fn cascade_parent_with_batch_column() {
    check_snapshot("cascade", CASCADE);
}

#[test]
fn classic_entity() {
    check_snapshot("classic", CLASSIC);
}

#[test]
fn renamed_marker_with_enum_name() {
    check_snapshot("renamed", RENAMED);
}

#[test]
fn model_ex_expands_to_nothing() {
    let source = CLASSIC.replace("struct Model", "struct ModelEx");
    assert!(expand(&source).items.is_empty());
}

/// Every path in the expansion is absolute (`::core`, `::soft_delete_core`), one of the
/// entity-local types SeaORM generates, a generic parameter or local binding of our own, or the
/// user's own timestamp type: nothing depends on the names the user imported.
#[test]
fn generated_paths_are_absolute_or_entity_local() {
    struct Paths(Vec<String>);
    impl<'ast> Visit<'ast> for Paths {
        fn visit_path(&mut self, path: &'ast syn::Path) {
            if path.leading_colon.is_none() {
                let first = path
                    .segments
                    .first()
                    .map(|segment| segment.ident.to_string());
                self.0.push(first.unwrap_or_default());
            }
            syn::visit::visit_path(self, path);
        }

        // `#[automatically_derived]` and doc attributes name built-in attributes, not items.
        fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}
    }
    let allowed = [
        "Entity",
        "Column",
        "Model",
        "PrimaryKey",
        "Self",
        "K",
        "C",
        "key",
        "db",
        "model",
        "self",
        "cutoff",
        "DateTimeUtc",
    ];
    let mut paths = Paths(Vec::new());
    paths.visit_file(&expand(CLASSIC));
    let unexpected: Vec<&String> = paths
        .0
        .iter()
        .filter(|first| !allowed.contains(&first.as_str()))
        .collect();
    assert!(
        unexpected.is_empty(),
        "relative paths in the expansion: {unexpected:?}"
    );
}
