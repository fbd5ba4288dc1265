//! The walk over a parsed statement: every statement and every `SELECT` at any depth, each
//! table it reaches and whether its scope says what it means for the trash.

use std::ops::ControlFlow;

use sqlparser::dialect::Dialect;

use sqlparser::ast::{
    Delete, Expr, FromTable, Ident, Query, Select, SelectItem, SelectItemQualifiedWildcardKind,
    Statement, Update, Visit, Visitor,
};

use super::classify::{RowChange, StatementClass, classify};
use super::finding::Finding;
use super::from_clause::{ScopedTable, TableRef, tables_of, unescape};
use super::predicates::*;
use super::readback::{KeySource, Placeholders, WrittenRow, key_in_insert, key_in_selection};
use super::unreadable::{dynamic_finding, unchecked};
use crate::leak::LeakKind;
use crate::tables::TableDescription;

/// Visits every statement and every `SELECT` at any depth (subqueries, `EXISTS`, `IN`, CTEs,
/// set operations, derived tables).
pub(super) struct Leaks<'t> {
    pub(super) tables: &'t [TableDescription],
    pub(super) dialect: &'t dyn Dialect,
    pub(super) findings: Vec<Finding>,
    pub(super) writes_one_row: Option<WrittenRow>,
    pub(super) placeholders: Placeholders,
    /// The common table expressions in scope, innermost last.
    pub(super) ctes: Vec<CteScope>,
    /// How many scopes each query being visited pushed, innermost last.
    pub(super) pushed: Vec<usize>,
}

/// One step into a query's CTEs: a `WITH`'s names are visible in its query's body, and, when
/// `RECURSIVE`, in their own definitions; a definition of a plain `WITH` sees the tables.
#[derive(Debug)]
pub(super) enum CteScope {
    With {
        names: Vec<String>,
        definitions: Vec<*const Query>,
        recursive: bool,
    },
    /// Inside a definition of the `With` scope at this index.
    Definition(usize),
}

impl Visitor for Leaks<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        let mut pushed = 0;
        let definition_of = self.ctes.iter().rposition(|scope| {
            matches!(scope, CteScope::With { definitions, .. }
                if definitions.iter().any(|definition| std::ptr::eq(*definition, query)))
        });
        if let Some(index) = definition_of {
            self.ctes.push(CteScope::Definition(index));
            pushed += 1;
        }
        if let Some(with) = &query.with {
            self.ctes.push(CteScope::With {
                names: with
                    .cte_tables
                    .iter()
                    .map(|cte| unescape(&cte.alias.name.value))
                    .collect(),
                definitions: with
                    .cte_tables
                    .iter()
                    .map(|cte| &*cte.query as *const Query)
                    .collect(),
                recursive: with.recursive,
            });
            pushed += 1;
        }
        self.pushed.push(pushed);
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
        let pushed = self.pushed.pop().unwrap_or(0);
        self.ctes.truncate(self.ctes.len().saturating_sub(pushed));
        ControlFlow::Continue(())
    }

    fn pre_visit_select(&mut self, select: &Select) -> ControlFlow<()> {
        let mut tables = Vec::new();
        for from in &select.from {
            tables.extend(tables_of(from));
        }
        tables.retain(|scoped| !self.is_cte(&scoped.table));
        let mut projected = Columns::default();
        let _ = select.projection.visit(&mut projected);
        for (position, mut scoped) in tables.into_iter().enumerate() {
            if position > 0 && self.is_anchor(select, &scoped.table, &projected) {
                continue;
            }
            let pinned_key = select
                .selection
                .as_ref()
                .filter(|selection| pins_primary_key(selection, &scoped.table, self.tables))
                .and_then(|selection| self.bound_key(selection, &scoped.table, false));
            scoped.conditions.extend(select.selection.iter());
            self.require_marker(LeakKind::Read, scoped, pinned_key);
        }
        ControlFlow::Continue(())
    }

    /// Every statement, nested ones included (`EXPLAIN ANALYZE EXECUTE ..` runs what it
    /// explains).
    fn pre_visit_statement(&mut self, statement: &Statement) -> ControlFlow<()> {
        let change = match classify(statement) {
            StatementClass::Rows(change) => change,
            StatementClass::Dynamic => {
                self.findings.push(dynamic_finding());
                return ControlFlow::Continue(());
            }
            StatementClass::Opaque => {
                let findings = unchecked(&statement.to_string(), self.dialect, self.tables);
                self.findings.extend(findings);
                return ControlFlow::Continue(());
            }
            StatementClass::Queries | StatementClass::Schema | StatementClass::NoRows => {
                return ControlFlow::Continue(());
            }
        };
        match change {
            RowChange::Update(update) => self.update(update),
            RowChange::Delete(delete) => self.delete(delete),
            RowChange::Insert(insert) => self.insert(insert),
            RowChange::Truncate(truncate) => {
                for target in &truncate.table_names {
                    if let Some(table) = TableRef::new(&target.name, None) {
                        self.report(LeakKind::HardDelete, &table);
                    }
                }
            }
            // PostgreSQL's `COPY table TO` writes out every row: a read with no condition.
            RowChange::CopyOut(name) => {
                if let Some(table) = TableRef::new(name, None) {
                    self.report(LeakKind::Read, &table);
                }
            }
        }
        ControlFlow::Continue(())
    }
}

impl<'t> Leaks<'t> {
    /// Whether `table` names a common table expression in scope rather than a table. A plain
    /// `WITH`'s definitions see the tables (`WITH book AS (SELECT .. FROM book ..)`); a
    /// `RECURSIVE` one's see their own names, which then hide the table of the same name.
    pub(super) fn is_cte(&self, table: &TableRef) -> bool {
        if table.schema.is_some() {
            return false;
        }
        let mut hidden = Vec::new();
        for (index, scope) in self.ctes.iter().enumerate().rev() {
            match scope {
                CteScope::Definition(of) => hidden.push(*of),
                CteScope::With {
                    names, recursive, ..
                } => {
                    let visible = *recursive || !hidden.contains(&index);
                    if visible
                        && names
                            .iter()
                            .any(|name| name.eq_ignore_ascii_case(&table.name))
                    {
                        return true;
                    }
                }
            }
        }
        false
    }

    /// The updated table needs a marker condition, unless the statement names one row by its
    /// whole primary key (SeaORM's `ActiveModel::update`, for a row the application read
    /// through a query the guard checked). Tables the update reads (joins, `FROM`) are reads.
    /// A write of one row by its key that sets the marker is a soft delete or restore behind
    /// the library's back (no cascades, unique-key checks or hooks): it is reported too.
    pub(super) fn update(&mut self, update: &Update) {
        let mut targets = tables_of(&update.table);
        // SQLite's `UPDATE OR REPLACE` deletes the rows the new values collide with.
        if update.or == Some(sqlparser::ast::SqliteOnConflict::Replace) {
            for target in &targets {
                self.report(LeakKind::HardDelete, &target.table);
            }
        }
        let mut read = targets.split_off(1.min(targets.len()));
        if let Some(from) = &update.from {
            let (sqlparser::ast::UpdateTableFromKind::BeforeSet(from)
            | sqlparser::ast::UpdateTableFromKind::AfterSet(from)) = from;
            for from in from {
                read.extend(tables_of(from));
            }
        }
        for mut target in targets {
            let one_row = update
                .selection
                .as_ref()
                .is_some_and(|selection| names_one_row(selection, &target.table, self.tables))
                && !self.assigns_marker(update, &target.table);
            if one_row {
                self.writes_one_row = update.selection.as_ref().and_then(|selection| {
                    let key = self.bound_key(selection, &target.table, true)?;
                    Some(WrittenRow {
                        table: target.table.descriptions(self.tables).next()?.table.clone(),
                        key: key.into_iter().map(KeySource::Bound).collect(),
                    })
                });
            } else {
                target.conditions.extend(update.selection.iter());
                self.require_marker(LeakKind::Write, target, None);
            }
        }
        for mut table in read {
            table.conditions.extend(update.selection.iter());
            self.require_marker(LeakKind::Read, table, None);
        }
    }

    /// The bound values `selection` sets `table`'s primary key to (see
    /// [`readback::key_in_selection`]).
    pub(super) fn bound_key(
        &self,
        selection: &Expr,
        table: &TableRef,
        unqualified: bool,
    ) -> Option<Vec<usize>> {
        let description = table.descriptions(self.tables).next()?;
        key_in_selection(
            selection,
            &description.primary_key,
            |qualifier| table.is_qualified_by(qualifier),
            unqualified,
            &self.placeholders,
        )
    }

    /// Whether `update` sets `table`'s marker column.
    pub(super) fn assigns_marker(&self, update: &Update, table: &TableRef) -> bool {
        use sqlparser::ast::AssignmentTarget;
        let names = update
            .assignments
            .iter()
            .flat_map(|assignment| match &assignment.target {
                AssignmentTarget::ColumnName(name) => std::slice::from_ref(name).iter(),
                AssignmentTarget::Tuple(names) => names.iter(),
            });
        let columns: Vec<&Ident> = names
            .filter_map(|name| name.0.last().and_then(|part| part.as_ident()))
            .collect();
        table.descriptions(self.tables).any(|description| {
            columns
                .iter()
                .any(|column| column.value.eq_ignore_ascii_case(&description.marker))
        })
    }

    /// `REPLACE` (MySQL's `REPLACE INTO`, SQLite's `INSERT OR REPLACE`) deletes the row it
    /// collides with, trashed or not: a hard delete. An upsert (`ON CONFLICT DO UPDATE`,
    /// `ON DUPLICATE KEY UPDATE`) rewrites the row it collides with, trashed or not: a write,
    /// unless its `DO UPDATE .. WHERE` names the marker.
    pub(super) fn insert(&mut self, insert: &sqlparser::ast::Insert) {
        use sqlparser::ast::{OnConflictAction, OnInsert, SqliteOnConflict, TableObject};
        let TableObject::TableName(name) = &insert.table else {
            return;
        };
        let Some(table) = TableRef::new(name, None) else {
            return;
        };
        if insert.replace_into || insert.or == Some(SqliteOnConflict::Replace) {
            self.report(LeakKind::HardDelete, &table);
        }
        let upsert_condition = match &insert.on {
            // SeaORM's `on_conflict_do_nothing()` on MySQL: `ON DUPLICATE KEY UPDATE id = id`,
            // which changes nothing in the row it collides with.
            Some(OnInsert::DuplicateKeyUpdate(assignments))
                if assignments
                    .iter()
                    .all(|assignment| assigns_itself(assignment, &table)) =>
            {
                None
            }
            Some(OnInsert::DuplicateKeyUpdate(_)) => Some(None),
            Some(OnInsert::OnConflict(conflict)) => match &conflict.action {
                OnConflictAction::DoUpdate(update) => Some(update.selection.as_ref()),
                OnConflictAction::DoNothing => None,
            },
            _ => None,
        };
        if let Some(condition) = upsert_condition {
            let scoped = ScopedTable {
                table: table.clone(),
                conditions: condition.into_iter().collect(),
            };
            self.require_marker(LeakKind::Write, scoped, None);
        }
        // Only a plain insert certainly wrote the row whose key it names. An upsert or an
        // ignoring insert that collided wrote nothing (MySQL still reports one found row), and
        // SeaORM's read-back would then return the existing row, trashed or not.
        let may_write_nothing = insert.on.is_some() || insert.ignore || insert.or.is_some();
        self.writes_one_row = table
            .descriptions(self.tables)
            .next()
            .filter(|_| !may_write_nothing)
            .and_then(|description| {
                Some(WrittenRow {
                    table: description.table.clone(),
                    key: key_in_insert(insert, &description.primary_key, &self.placeholders)?,
                })
            });
    }

    /// Reports every registered table `table` may be, whatever its conditions.
    pub(super) fn report(&mut self, kind: LeakKind, table: &TableRef) {
        for description in table.descriptions(self.tables) {
            self.findings.push(Finding {
                kind,
                table: description.table.clone(),
                alias: table.alias.clone(),
                pinned_key: None,
            });
        }
    }

    /// Every soft-deletable table deleted from is a hard delete.
    pub(super) fn delete(&mut self, delete: &Delete) {
        // Every soft-deletable table the statement names, in `FROM`, `USING` or MySQL's list of
        // targets: telling which of a multi-table `DELETE`'s tables lose rows takes resolving
        // aliases and vendor modifiers (`DELETE QUICK FROM t` reads as "delete from `QUICK`"),
        // and erring towards a report is the safe side.
        let (FromTable::WithFromKeyword(from) | FromTable::WithoutKeyword(from)) = &delete.from;
        let using = delete.using.iter().flatten();
        let mut named: Vec<TableRef> = from
            .iter()
            .chain(using)
            .flat_map(tables_of)
            .map(|scoped| scoped.table)
            .collect();
        named.extend(
            delete
                .tables
                .iter()
                .filter_map(|name| TableRef::new(name, None)),
        );
        for table in named {
            self.report(LeakKind::HardDelete, &table);
        }
    }

    /// Whether joined `table` only anchors the query to one row the caller already holds:
    /// `WHERE` pins its whole primary key to values and the `SELECT` returns none of its
    /// columns. SeaORM's `model.find_related(..)` and `find_linked(..)` join the model's own
    /// table so; the rows returned are the other tables', checked on their own.
    pub(super) fn is_anchor(&self, select: &Select, table: &TableRef, projected: &Columns) -> bool {
        let pinned = select
            .selection
            .as_ref()
            .is_some_and(|selection| pins_primary_key(selection, table, self.tables));
        let wildcard = select.projection.iter().any(|item| match item {
            SelectItem::Wildcard(_) => true,
            SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(name), _) => {
                table.answers_to(name)
            }
            _ => false,
        });
        let returned = wildcard
            || projected.names.iter().any(|(qualifier, _)| {
                qualifier
                    .as_ref()
                    .is_none_or(|qualifier| table.is_qualified_by(qualifier))
            });
        pinned && !returned
    }

    /// Reports `scoped.table` unless one of its conditions refers to its marker column.
    pub(super) fn require_marker(
        &mut self,
        kind: LeakKind,
        scoped: ScopedTable<'_>,
        pinned_key: Option<Vec<usize>>,
    ) {
        let table = &scoped.table;
        for description in table.descriptions(self.tables) {
            let guarded = scoped
                .conditions
                .iter()
                .any(|condition| refers_to(condition, table, &description.marker));
            if !guarded {
                self.findings.push(Finding {
                    kind,
                    table: description.table.clone(),
                    alias: table.alias.clone(),
                    pinned_key: pinned_key.clone(),
                });
            }
        }
    }
}
