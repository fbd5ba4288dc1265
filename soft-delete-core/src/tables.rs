//! Every soft-deletable table, registered by the derive at link time. Code that sees a table only
//! by name (a `RelationDef`'s junction, a SQL statement in the leak guard) finds its marker here.

use std::sync::OnceLock;

use sea_orm::{IdenStatic, Iterable, PrimaryKeyToColumn};

use crate::entity::SoftDeleteEntity;
use crate::marker::{MarkerKind, MarkerStrategy};

/// A soft-deletable table as SQL names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableDescription {
    /// The schema the entity names (`#[sea_orm(schema_name = ..)]`), if any.
    pub schema: Option<String>,
    /// The table name.
    pub table: String,
    /// The marker column (`deleted_at`).
    pub marker: String,
    /// How the marker column records the state.
    pub marker_kind: MarkerKind,
    /// The primary key columns, in key order.
    pub primary_key: Vec<String>,
    /// Whether the entity opted into the default scope (`#[soft_delete(default_scope)]`), so
    /// that SeaORM's own calls on it hide the trash.
    pub default_scope: bool,
}

impl TableDescription {
    /// Whether SQL that names `schema.table` (schema optional) means this table. Names compare
    /// ASCII case-insensitively; a schema only counts when both sides give one.
    pub fn is_named(&self, schema: Option<&str>, table: &str) -> bool {
        let schema_matches = match (schema, self.schema.as_deref()) {
            (Some(named), Some(own)) => named.eq_ignore_ascii_case(own),
            _ => true,
        };
        schema_matches && self.table.eq_ignore_ascii_case(table)
    }
}

/// `E`'s description. The derive registers `describe::<Entity>` for every entity.
pub fn describe<E: SoftDeleteEntity>() -> TableDescription {
    let entity = E::default();
    TableDescription {
        schema: entity.schema_name().map(str::to_owned),
        table: entity.table_name().to_owned(),
        marker: E::marker_column().as_str().to_owned(),
        marker_kind: <E::Marker as MarkerStrategy>::KIND,
        primary_key: E::PrimaryKey::iter()
            .map(|key| key.into_column().as_str().to_owned())
            .collect(),
        default_scope: E::DEFAULT_SCOPE,
    }
}

/// One entity's registration: a function, because a table name is only known at run time.
#[doc(hidden)]
#[derive(Debug)]
pub struct RegisteredTable(pub fn() -> TableDescription);

inventory::collect!(RegisteredTable);

/// Every registered table, read once.
pub fn registered_tables() -> &'static [TableDescription] {
    static TABLES: OnceLock<Vec<TableDescription>> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut tables: Vec<TableDescription> = inventory::iter::<RegisteredTable>
            .into_iter()
            .map(|registered| (registered.0)())
            .collect();
        tables.sort_by(|a, b| {
            (&a.schema, &a.table, &a.marker).cmp(&(&b.schema, &b.table, &b.marker))
        });
        tables.dedup();
        tables
    })
}
