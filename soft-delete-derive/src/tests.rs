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

const DEFAULT_SCOPE: &str = r#"
    #[sea_orm(table_name = "post")]
    #[soft_delete(default_scope)]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub deleted_at: Option<DateTimeUtc>,
    }
"#;

/// `default_scope` adds SeaORM's names as inherent functions; without it there are none.
#[test]
fn default_scope_entity() {
    check_snapshot("default_scope", DEFAULT_SCOPE);
    let scoped = prettyplease::unparse(&expand(DEFAULT_SCOPE));
    let classic = prettyplease::unparse(&expand(CLASSIC));
    for function in [
        "pub fn find()",
        "pub fn find_by_id<K>",
        "pub fn update_many()",
        "pub fn delete_many()",
        "pub fn delete_by_id<K>",
        "pub fn delete<A>",
        "pub async fn delete<C>",
        "pub fn find_related<R>",
        "pub fn find_linked<L>",
        "const DEFAULT_SCOPE: ::core::primitive::bool = true;",
    ] {
        assert!(
            scoped.contains(function),
            "{function} missing from {scoped}"
        );
        assert!(
            !classic.contains(function),
            "{function} in the classic expansion"
        );
    }
}

const FLAG_AND_EPOCH: [(&str, &str); 3] = [
    (
        "flag_with_touch",
        r#"
    #[sea_orm(table_name = "note")]
    #[soft_delete(touch = updated_at)]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[soft_delete(flag)]
        pub deleted: bool,
        pub updated_at: Option<DateTimeUtc>,
    }
"#,
    ),
    (
        "active_flag_without_time",
        r#"
    #[sea_orm(table_name = "note")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[soft_delete(active_flag)]
        pub active: bool,
    }
"#,
    ),
    (
        "epoch_seconds",
        r#"
    #[sea_orm(table_name = "note")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[soft_delete(epoch = seconds)]
        pub deleted_at: i64,
    }
"#,
    ),
];

/// A flag with a `touch` column purges by it; a flag without one has no `purge_trash`.
#[test]
fn flag_and_epoch_markers() {
    for (name, source) in FLAG_AND_EPOCH {
        check_snapshot(name, source);
    }
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
        // The entity's own `static` of facts, inside its `Wiring::facts`.
        "FACTS",
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

/// Every combination of a large set of malformed and valid pieces (names, shapes, generics,
/// struct attributes, field attributes and types) goes through parse, validate and expand:
/// each yields a `syn::Error` or tokens, never a panic.
#[test]
fn the_macro_never_panics() {
    const NAMES: [&str; 3] = ["Model", "ModelEx", "Product"];
    const GENERICS: [&str; 3] = ["", "<T>", "<'a, const N: usize>"];
    const STRUCT_ATTRS: [&str; 24] = [
        "",
        "#[soft_delete]",
        "#[soft_delete()]",
        "#[soft_delete = 1]",
        "#[soft_delete(= 1)]",
        "#[soft_delete(unique(email))]",
        "#[soft_delete(unique())]",
        "#[soft_delete(unique = email)]",
        "#[soft_delete(unique(deleted_at, deleted_at))]",
        "#[soft_delete(unique(1))]",
        "#[soft_delete(cascade(super::child::Entity))]",
        "#[soft_delete(cascade())]",
        "#[soft_delete(cascade = x)]",
        "#[soft_delete(clock = database)]",
        "#[soft_delete(clock = \"database\")]",
        "#[soft_delete(clock)]",
        "#[soft_delete(touch = updated_at, deleted_by = who)]",
        "#[soft_delete(touch)]",
        "#[soft_delete(deleted_by = deleted_at)]",
        "#[soft_delete(hooks)]",
        "#[soft_delete(hooks = x, hooks)]",
        "#[soft_delete(a, b(c), d = e)]",
        "#[soft_delete(unique(email), unique(email), clock = application, cascade(Entity))]",
        "#[sea_orm(table_name = \"x\")] #[soft_delete(unique(r#type))]",
    ];
    const FIELDS: [&str; 16] = [
        "pub deleted_at: Option<DateTimeUtc>,",
        "pub deleted_at: DateTimeUtc,",
        "pub deleted_at: std::option::Option<T>,",
        "pub deleted_at: Option<>,",
        "pub deleted_at: Option<A, B>,",
        "#[soft_delete] pub removed: Option<i64>,",
        "#[soft_delete] #[soft_delete] pub removed: Option<X>,",
        "#[soft_delete(batch)] pub deleted_batch: Option<i64>,",
        "#[soft_delete(batch)] pub deleted_batch: i64,",
        "#[soft_delete(batch, batch)] pub b: Option<i64>,",
        "#[soft_delete = 1] pub x: Option<X>,",
        "#[sea_orm(ignore)] pub deleted_at: Option<DateTimeUtc>,",
        "#[sea_orm(enum_name = \"1x\", column_name)] pub deleted_at: Option<DateTimeUtc>,",
        "#[sea_orm(enum_name = \"Self\")] pub r#type: Option<X>,",
        "pub email: String, pub who: Option<String>, pub updated_at: DateTimeUtc,",
        "pub deleted_batch: Option<i64>,",
    ];
    let shapes = |name: &str, generics: &str, attrs: &str, fields: &str| {
        [
            format!("{attrs} pub struct {name}{generics} {{ {fields} }}"),
            format!("{attrs} pub struct {name}{generics}(i32, Option<X>);"),
            format!("{attrs} pub struct {name}{generics};"),
            format!("{attrs} pub enum {name}{generics} {{ A, B }}"),
            format!("{attrs} pub union {name}{generics} {{ a: u8 }}"),
        ]
    };
    let mut inputs = 0;
    let mut errors = 0;
    for name in NAMES {
        for generics in GENERICS {
            for attrs in STRUCT_ATTRS {
                for (position, first) in FIELDS.iter().enumerate() {
                    for second in FIELDS.iter().skip(position).map(Some).chain([None]) {
                        let fields = format!("{first} {}", second.copied().unwrap_or(""));
                        for source in shapes(name, generics, attrs, &fields) {
                            let Ok(input) = syn::parse_str::<DeriveInput>(&source) else {
                                continue;
                            };
                            inputs += 1;
                            let outcome =
                                std::panic::catch_unwind(|| crate::derive(&input).map(|_| ()));
                            match outcome {
                                Ok(Ok(())) => {}
                                Ok(Err(_)) => errors += 1,
                                Err(_) => panic!("the derive panicked on: {source}"),
                            }
                        }
                    }
                }
            }
        }
    }
    println!("derive inputs tried: {inputs}, rejected with a syn::Error: {errors}, panics: 0");
    assert!(
        inputs > 10_000 && errors > 0 && errors < inputs,
        "{inputs} inputs, {errors} errors"
    );
}

/// Regression (issue 12, item 11): with a renamed marker, a plain column that happens to be
/// called `deleted_at` is an ordinary column and may be the `touch` column.
#[test]
fn touch_may_name_a_plain_deleted_at_column_when_the_marker_is_renamed() {
    let input: DeriveInput = syn::parse_str(
        r#"
        #[sea_orm(table_name = "note")]
        #[soft_delete(touch = deleted_at)]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            #[soft_delete]
            pub removed_at: Option<DateTimeUtc>,
            pub deleted_at: Option<DateTimeUtc>,
        }
        "#,
    )
    .expect("test input parses");
    assert!(crate::derive(&input).is_ok());
}

/// `crate = path` replaces every path into soft-delete-core, so that a renamed or re-exported
/// dependency works: nothing in the expansion names `soft_delete_core` any more.
#[test]
fn crate_path_replaces_every_path_into_the_runtime_crate() {
    let source = CASCADE.replace(
        "#[soft_delete(cascade(super::item::Entity))]",
        "#[soft_delete(cascade(super::item::Entity), hooks, crate = sd)]",
    );
    let rendered = prettyplease::unparse(&expand(&source));
    assert!(!rendered.contains("soft_delete_core"), "{rendered}");
    assert!(rendered.contains("sd::__private::sea_orm"), "{rendered}");
    assert!(
        rendered.contains("impl sd::SoftDeleteEntity for Entity"),
        "{rendered}"
    );

    let quoted = CLASSIC.replace(
        "pub struct Model",
        "#[soft_delete(crate = \"platform::soft_delete\")]\n    pub struct Model",
    );
    let rendered = prettyplease::unparse(&expand(&quoted));
    assert!(!rendered.contains("soft_delete_core"), "{rendered}");
    assert!(
        rendered.contains("platform::soft_delete::SoftDeleteEntity"),
        "{rendered}"
    );
}

#[test]
fn misspelt_keys_get_the_closest_accepted_one() {
    use crate::attr::did_you_mean;
    assert_eq!(
        did_you_mean("cascde", &crate::attr::struct_key_names()),
        "; did you mean `cascade`?"
    );
    assert_eq!(
        did_you_mean("uniqe", &crate::attr::struct_key_names()),
        "; did you mean `unique`?"
    );
    assert_eq!(
        did_you_mean("deletedby", &crate::attr::struct_key_names()),
        "; did you mean `deleted_by`?"
    );
    assert_eq!(
        did_you_mean("cascade_to_children", &crate::attr::struct_key_names()),
        ""
    );
    assert_eq!(did_you_mean("x", &crate::attr::struct_key_names()), "");
}

/// After an error the expansion is the error plus a placeholder impl and the inherent
/// functions, so that call sites of `objects()` and the rest add no errors of their own.
#[test]
fn an_error_still_defines_the_functions_call_sites_use() {
    let source = CLASSIC.replace(
        "pub struct Model",
        "#[soft_delete(hoks)]\n    pub struct Model",
    );
    let input: DeriveInput = syn::parse_str(&source).expect("test input parses");
    let tokens = crate::derive(&input).expect("errors travel as tokens");
    let rendered = tokens.to_string();
    assert_eq!(rendered.matches("compile_error").count(), 1, "{rendered}");
    assert!(rendered.contains("did you mean `hooks`?"), "{rendered}");
    for function in [
        "fn objects",
        "fn soft_delete_many",
        "fn lookup_by_id",
        "fn is_deleted",
        "fn soft_delete <",
    ] {
        assert!(
            rendered.contains(function),
            "{function} missing from {rendered}"
        );
    }
}

/// The expansion names `::core` and the runtime crate only: no `::std`.
#[test]
fn expansions_do_not_name_std() {
    for source in [
        CLASSIC,
        RENAMED,
        UNIQUE_AND_DATABASE_CLOCK,
        CASCADE,
        DEFAULT_SCOPE,
    ] {
        let rendered = prettyplease::unparse(&expand(source));
        assert!(!rendered.contains("::std"), "{rendered}");
    }
}
