//! What one SQL text does to soft-deletable tables: read them without a condition on the marker,
//! update them without one, or delete from them. Pure: SQL in, findings out, so it is cached by
//! text and tested without a database.

use std::ops::ControlFlow;

use sea_orm::DbBackend;
use sqlparser::ast::{
    Delete, Expr, FromTable, Ident, JoinConstraint, JoinOperator, ObjectName, Query, Select,
    SelectItem, SelectItemQualifiedWildcardKind, Statement, TableFactor, TableWithJoins, Update,
    Visit, Visitor,
};
use sqlparser::dialect::{Dialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

use super::classify::{RowChange, StatementClass, classify};
use super::readback::{KeySource, Placeholders, WrittenRow, key_in_insert, key_in_selection};

use crate::tables::TableDescription;

/// The kind of a leak.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LeakKind {
    /// A `SELECT` reads a soft-deletable table with no condition on its marker: trashed rows
    /// show.
    Read,
    /// An `UPDATE` of a soft-deletable table with no condition on its marker: it rewrites
    /// trashed rows too.
    Write,
    /// A `DELETE` from a soft-deletable table that the library's force delete or purge did not
    /// send: rows are gone for good.
    HardDelete,
    /// A statement that names a soft-deletable table but that the guard cannot analyse: SQL its
    /// parser cannot read, `MERGE`, SQL text handed to `PREPARE` or kept in a variable, a
    /// procedural block. It may do anything to the table.
    Unchecked,
}

impl LeakKind {
    /// What to call instead.
    pub fn instead(self) -> &'static str {
        match self {
            LeakKind::Read => {
                "use `Entity::objects()` (or `deleted_objects()` / `all_objects()` to mean the \
                 trash), the `*_active` relation helpers, or a condition on the marker column"
            }
            LeakKind::Write => {
                "use `Entity::update_many_active()`, or add a condition on the marker column"
            }
            LeakKind::HardDelete => {
                "use `soft_delete_many()` / `soft_delete_by_id()`, or `force_delete_many()` / \
                 `force_delete_by_id()` to delete for good"
            }
            LeakKind::Unchecked => {
                "write it as plain SELECT / UPDATE / DELETE the guard can read, or run it inside \
                 `allow_trashed(allow_hard_delete(..))`"
            }
        }
    }
}

impl std::fmt::Display for LeakKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LeakKind::Read => "read of trashed rows",
            LeakKind::Write => "update of trashed rows",
            LeakKind::HardDelete => "hard delete",
            LeakKind::Unchecked => "statement the guard cannot check",
        })
    }
}

/// One soft-deletable table that a statement reaches without saying what it means for the trash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Finding {
    pub(crate) kind: LeakKind,
    pub(crate) table: String,
    /// The alias the statement gives the table, when it gives one.
    pub(crate) alias: Option<String>,
    /// The bound values `WHERE` sets the table's whole primary key to, in key order: the read
    /// of one row by its key.
    pub(crate) pinned_key: Option<Vec<usize>>,
}

/// What the guard knows about one SQL text.
#[derive(Debug, Default)]
pub(crate) struct Analysis {
    pub(crate) findings: Vec<Finding>,
    /// The soft-deletable table an `INSERT`, or an `UPDATE` of one row by its key, writes:
    /// SeaORM reads that row back next on backends without `RETURNING`.
    pub(crate) writes_one_row: Option<WrittenRow>,
    /// The parser could not read the text (the message says where).
    pub(crate) unreadable: Option<String>,
}

/// Reads `sql` as `backend`'s dialect and reports every table of `tables` it leaks.
pub(crate) fn analyze(sql: &str, backend: DbBackend, tables: &[TableDescription]) -> Analysis {
    let dialect: &dyn Dialect = match backend {
        DbBackend::Postgres => &PostgreSqlDialect {},
        DbBackend::MySql => &MySqlDialect {},
        _ => &SQLiteDialect {},
    };
    // MariaDB runs the text of `/*M! .. */` comments, as MySQL does `/*! .. */`, which the
    // parser reads as SQL.
    let normalized;
    let sql = if backend == DbBackend::MySql && sql.contains("/*M!") {
        normalized = sql.replace("/*M!", "/*!");
        normalized.as_str()
    } else {
        sql
    };
    let statements = match Parser::parse_sql(dialect, sql) {
        Ok(statements) => statements,
        Err(error) => {
            // Unreadable SQL that names a soft-deletable table (even one statement of several,
            // even inside a string) may do anything to it; anything else runs with a warning.
            let mut findings = unchecked(&unescape(sql), dialect, tables);
            let words = split_words(sql);
            if words.iter().any(|word| {
                DYNAMIC_WORDS
                    .iter()
                    .any(|dynamic| word.eq_ignore_ascii_case(dynamic))
            }) {
                findings.push(dynamic_finding());
            }
            return Analysis {
                findings,
                unreadable: Some(error.to_string()),
                ..Analysis::default()
            };
        }
    };
    let mut leaks = Leaks {
        tables,
        dialect,
        findings: Vec::new(),
        writes_one_row: None,
        placeholders: Placeholders::of(&statements),
        ctes: Vec::new(),
        pushed: Vec::new(),
    };
    // PostgreSQL's Unicode-escaped identifiers (`U&"\0062ook"`) are not read as one name by the
    // parser: look for the names they spell.
    if backend == DbBackend::Postgres && sql.to_ascii_uppercase().contains("U&\"") {
        leaks
            .findings
            .extend(unchecked(&unescape(sql), dialect, tables));
    }
    for statement in &statements {
        let _ = statement.visit(&mut leaks);
    }
    let mut findings: Vec<Finding> = Vec::new();
    for finding in leaks.findings.drain(..) {
        if !findings.contains(&finding) {
            findings.push(finding);
        }
    }
    leaks.findings = findings;
    Analysis {
        findings: leaks.findings,
        writes_one_row: leaks.writes_one_row,
        unreadable: None,
    }
}

/// Visits every statement and every `SELECT` at any depth (subqueries, `EXISTS`, `IN`, CTEs,
/// set operations, derived tables).
struct Leaks<'t> {
    tables: &'t [TableDescription],
    dialect: &'t dyn Dialect,
    findings: Vec<Finding>,
    writes_one_row: Option<WrittenRow>,
    placeholders: Placeholders,
    /// The common table expressions in scope, innermost last.
    ctes: Vec<CteScope>,
    /// How many scopes each query being visited pushed, innermost last.
    pushed: Vec<usize>,
}

/// One step into a query's CTEs: a `WITH`'s names are visible in its query's body, and, when
/// `RECURSIVE`, in their own definitions; a definition of a plain `WITH` sees the tables.
#[derive(Debug)]
enum CteScope {
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
    fn is_cte(&self, table: &TableRef) -> bool {
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
    fn update(&mut self, update: &Update) {
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
    fn bound_key(
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
    fn assigns_marker(&self, update: &Update, table: &TableRef) -> bool {
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
    fn insert(&mut self, insert: &sqlparser::ast::Insert) {
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
    fn report(&mut self, kind: LeakKind, table: &TableRef) {
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
    fn delete(&mut self, delete: &Delete) {
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
    fn is_anchor(&self, select: &Select, table: &TableRef, projected: &Columns) -> bool {
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
    fn require_marker(
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

/// A table in a `FROM` clause: its name and the alias it goes by.
#[derive(Clone, Debug)]
struct TableRef {
    schema: Option<String>,
    name: String,
    alias: Option<String>,
}

impl TableRef {
    fn new(name: &ObjectName, alias: Option<&Ident>) -> Option<Self> {
        let mut parts = name.0.iter().rev().map(|part| part.as_ident());
        let table = parts.next()??;
        let schema = parts.next().flatten();
        Some(Self {
            schema: schema.map(|schema| unescape(&schema.value)),
            name: unescape(&table.value),
            alias: alias.map(|alias| unescape(&alias.value)),
        })
    }

    fn descriptions<'t>(
        &self,
        tables: &'t [TableDescription],
    ) -> impl Iterator<Item = &'t TableDescription> {
        let (schema, name) = (self.schema.clone(), self.name.clone());
        tables
            .iter()
            .filter(move |description| description.is_named(schema.as_deref(), &name))
    }

    /// Whether a column qualified by `qualifier` belongs to this table: its alias when it has
    /// one, else its name.
    fn is_qualified_by(&self, qualifier: &Ident) -> bool {
        let qualifier = unescape(&qualifier.value);
        match &self.alias {
            Some(alias) => qualifier.eq_ignore_ascii_case(alias),
            None => qualifier.eq_ignore_ascii_case(&self.name),
        }
    }

    /// Whether `name` (in MySQL's `DELETE t FROM ..` list) is this table or its alias.
    fn answers_to(&self, name: &ObjectName) -> bool {
        name.0
            .last()
            .and_then(|part| part.as_ident())
            .is_some_and(|ident| {
                self.is_qualified_by(ident) || ident.value.eq_ignore_ascii_case(&self.name)
            })
    }
}

/// A table of a `FROM` clause with the `ON` conditions that filter its rows.
#[derive(Debug)]
struct ScopedTable<'a> {
    table: TableRef,
    conditions: Vec<&'a Expr>,
}

/// The named tables of a `FROM` item and its joins, each with the `ON` conditions that filter
/// it: an inner join's condition filters both sides, a `LEFT` join's only the joined table, a
/// `RIGHT` join's only the tables before it, a `FULL` join's neither (the rows it fails to match
/// are returned anyway).
fn tables_of(from: &TableWithJoins) -> Vec<ScopedTable<'_>> {
    let mut tables = tables_of_factor(&from.relation);
    for join in &from.joins {
        let joined = tables_of_factor(&join.relation);
        let before = tables.len();
        tables.extend(joined);
        let Some(JoinConstraint::On(on)) = join_constraint(&join.join_operator) else {
            continue;
        };
        let filtered = match join.join_operator {
            JoinOperator::Left(_) | JoinOperator::LeftOuter(_) => before..tables.len(),
            JoinOperator::Right(_) | JoinOperator::RightOuter(_) => 0..before,
            JoinOperator::FullOuter(_) => 0..0,
            _ => 0..tables.len(),
        };
        for scoped in &mut tables[filtered] {
            scoped.conditions.push(on);
        }
    }
    tables
}

fn tables_of_factor(factor: &TableFactor) -> Vec<ScopedTable<'_>> {
    match factor {
        TableFactor::Table {
            name, alias, args, ..
        } if args.is_none() => TableRef::new(name, alias.as_ref().map(|alias| &alias.name))
            .map(|table| ScopedTable {
                table,
                conditions: Vec::new(),
            })
            .into_iter()
            .collect(),
        TableFactor::NestedJoin {
            table_with_joins, ..
        } => tables_of(table_with_joins),
        // Derived tables and the like are queries: visited on their own.
        _ => Vec::new(),
    }
}

fn join_constraint(operator: &JoinOperator) -> Option<&JoinConstraint> {
    match operator {
        JoinOperator::Join(constraint)
        | JoinOperator::Inner(constraint)
        | JoinOperator::Left(constraint)
        | JoinOperator::LeftOuter(constraint)
        | JoinOperator::Right(constraint)
        | JoinOperator::RightOuter(constraint)
        | JoinOperator::FullOuter(constraint)
        | JoinOperator::CrossJoin(constraint)
        | JoinOperator::Semi(constraint)
        | JoinOperator::LeftSemi(constraint)
        | JoinOperator::RightSemi(constraint)
        | JoinOperator::Anti(constraint)
        | JoinOperator::LeftAnti(constraint)
        | JoinOperator::RightAnti(constraint)
        | JoinOperator::StraightJoin(constraint) => Some(constraint),
        JoinOperator::AsOf { constraint, .. } => Some(constraint),
        _ => None,
    }
}

/// Whether one of the `AND`-ed terms of `condition` is a condition on `table`'s column `marker`
/// alone (a subquery's columns belong to the subquery's tables): `deleted_at IS NULL`,
/// `deleted_at < ?`, `(deleted_at IS NULL OR deleted_at IS NOT NULL)`. A term that mixes in other
/// columns (`deleted_at IS NULL OR id = ?`) does not hide the trash, and does not count. An
/// unqualified name counts: the database would have refused it were it ambiguous.
fn refers_to(condition: &Expr, table: &TableRef, marker: &str) -> bool {
    let mut terms = Vec::new();
    split_conjunction(condition, &mut terms);
    terms.into_iter().any(|term| {
        let mut alternatives = Vec::new();
        split_disjunction(term, &mut alternatives);
        alternatives.into_iter().all(|alternative| {
            let mut columns = Columns::default();
            let _ = alternative.visit(&mut columns);
            !columns.names.is_empty()
                && columns.names.iter().all(|(qualifier, column)| {
                    unescape(&column.value).eq_ignore_ascii_case(marker)
                        && qualifier
                            .as_ref()
                            .is_none_or(|qualifier| table.is_qualified_by(qualifier))
                })
        })
    })
}

/// The operands of a chain of `OR`s, parentheses removed: each must be about the marker, or
/// one of them (`OR 1 = 1`) lets every row through.
fn split_disjunction<'a>(expr: &'a Expr, alternatives: &mut Vec<&'a Expr>) {
    match expr {
        Expr::Nested(inner) => split_disjunction(inner, alternatives),
        Expr::BinaryOp {
            left,
            op: sqlparser::ast::BinaryOperator::Or,
            right,
        } => {
            split_disjunction(left, alternatives);
            split_disjunction(right, alternatives);
        }
        _ => alternatives.push(expr),
    }
}

/// Words that, in SQL the parser cannot read, mean it runs SQL text or defines code.
const DYNAMIC_WORDS: &[&str] = &[
    "PREPARE",
    "EXECUTE",
    "IMMEDIATE",
    "DO",
    "FUNCTION",
    "PROCEDURE",
    "TRIGGER",
    "CALL",
    "BEGIN",
];

/// The finding for dynamic SQL, which may touch any table.
fn dynamic_finding() -> Finding {
    Finding {
        kind: LeakKind::Unchecked,
        table: ANY_TABLE.to_owned(),
        alias: None,
        pinned_key: None,
    }
}

/// The table of an `Unchecked` finding for dynamic SQL: it may touch any table.
pub(crate) const ANY_TABLE: &str = "*";

/// An `Unchecked` finding for each table of `tables` that `sql` names, as a word or inside a
/// string (SQL text handed to `PREPARE`, a procedural block), read with the dialect's lexer.
fn unchecked(sql: &str, dialect: &dyn Dialect, tables: &[TableDescription]) -> Vec<Finding> {
    use sqlparser::tokenizer::{Token, Tokenizer};
    let words: Vec<String> = match Tokenizer::new(dialect, sql).tokenize() {
        Ok(tokens) => tokens
            .into_iter()
            .flat_map(|token| match token {
                Token::Word(word) => vec![word.value],
                Token::SingleQuotedString(text)
                | Token::DoubleQuotedString(text)
                | Token::NationalStringLiteral(text)
                | Token::EscapedStringLiteral(text) => split_words(&text),
                Token::DollarQuotedString(text) => split_words(&text.value),
                _ => Vec::new(),
            })
            .collect(),
        // Not even tokens: look at the words of the raw text.
        Err(_) => split_words(sql),
    };
    let mut findings: Vec<Finding> = tables
        .iter()
        .filter(|description| {
            words
                .iter()
                .any(|word| word.eq_ignore_ascii_case(&description.table))
        })
        .map(|description| Finding {
            kind: LeakKind::Unchecked,
            table: description.table.clone(),
            alias: None,
            pinned_key: None,
        })
        .collect();
    findings.dedup();
    findings
}

/// An identifier as the database reads it: PostgreSQL's `U&"\0062ook"` reaches the parser with
/// its `\XXXX` / `\+XXXXXX` escapes still in it.
fn unescape(identifier: &str) -> String {
    if !identifier.contains('\\') {
        return identifier.to_owned();
    }
    let mut out = String::new();
    let mut chars = identifier.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let width = if chars.peek() == Some(&'+') {
            chars.next();
            6
        } else {
            4
        };
        let digits: String = chars.by_ref().take(width).collect();
        match u32::from_str_radix(&digits, 16)
            .ok()
            .and_then(char::from_u32)
        {
            Some(decoded) => out.push(decoded),
            None => {
                out.push('\\');
                out.push_str(&digits);
            }
        }
    }
    out
}

/// The identifier-like words of `text`.
fn split_words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The columns an expression names outside its subqueries, with their qualifiers.
#[derive(Default)]
struct Columns {
    depth: usize,
    names: Vec<(Option<Ident>, Ident)>,
}

impl Visitor for Columns {
    type Break = ();

    fn pre_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
        self.depth += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
        if self.depth == 0 {
            match expr {
                Expr::Identifier(column) => self.names.push((None, column.clone())),
                Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
                    let column = parts[parts.len() - 1].clone();
                    let qualifier = parts[parts.len() - 2].clone();
                    self.names.push((Some(qualifier), column));
                }
                _ => {}
            }
        }
        ControlFlow::Continue(())
    }
}

/// Whether `assignment` sets a column of `table` to its own value (`id = id`, `t.id = t.id`).
fn assigns_itself(assignment: &sqlparser::ast::Assignment, table: &TableRef) -> bool {
    use sqlparser::ast::AssignmentTarget;
    let AssignmentTarget::ColumnName(name) = &assignment.target else {
        return false;
    };
    let Some(target) = name.0.last().and_then(|part| part.as_ident()) else {
        return false;
    };
    let mut value = &assignment.value;
    while let Expr::Nested(inner) = value {
        value = inner;
    }
    let same_column =
        |column: &Ident| unescape(&column.value).eq_ignore_ascii_case(&unescape(&target.value));
    match value {
        Expr::Identifier(column) => same_column(column),
        Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
            same_column(&parts[parts.len() - 1]) && table.is_qualified_by(&parts[parts.len() - 2])
        }
        _ => false,
    }
}

/// Whether the conjuncts of `selection` include `key = value` for every primary key column of
/// `table`.
fn pins_primary_key(selection: &Expr, table: &TableRef, tables: &[TableDescription]) -> bool {
    pins_key(selection, table, tables, false)
}

/// [`pins_primary_key`]; `unqualified` says whether a column without a table name counts (it
/// does where `table` is the only table, as in an `UPDATE`).
fn pins_key(
    selection: &Expr,
    table: &TableRef,
    tables: &[TableDescription],
    unqualified: bool,
) -> bool {
    let mut conjuncts = Vec::new();
    split_conjunction(selection, &mut conjuncts);
    let mut equalities = Vec::new();
    for conjunct in conjuncts {
        let mut columns = Vec::new();
        if conjunction_of_equalities(conjunct, &mut columns) {
            equalities.extend(columns);
        }
    }
    let mut descriptions = table.descriptions(tables).peekable();
    descriptions.peek().is_some()
        && descriptions.all(|description| {
            description.primary_key.iter().all(|key| {
                equalities.iter().any(|column| {
                    column.1.value.eq_ignore_ascii_case(key)
                        && column
                            .0
                            .as_ref()
                            .map_or(unqualified, |qualifier| table.is_qualified_by(qualifier))
                })
            })
        })
}

/// The operands of a chain of `AND`s, parentheses removed.
pub(super) fn split_conjunction<'a>(expr: &'a Expr, conjuncts: &mut Vec<&'a Expr>) {
    match expr {
        Expr::Nested(inner) => split_conjunction(inner, conjuncts),
        Expr::BinaryOp {
            left,
            op: sqlparser::ast::BinaryOperator::And,
            right,
        } => {
            split_conjunction(left, conjuncts);
            split_conjunction(right, conjuncts);
        }
        _ => conjuncts.push(expr),
    }
}

/// Whether `selection` is `key = value` for every primary key column of `table` and nothing else.
fn names_one_row(selection: &Expr, table: &TableRef, tables: &[TableDescription]) -> bool {
    let mut equalities = Vec::new();
    conjunction_of_equalities(selection, &mut equalities)
        && table
            .descriptions(tables)
            .all(|description| description.primary_key.len() == equalities.len())
        && pins_key(selection, table, tables, true)
}

/// `a = ? AND b = ? ...`, with the column on the left and no column on the right.
fn conjunction_of_equalities(expr: &Expr, columns: &mut Vec<(Option<Ident>, Ident)>) -> bool {
    use sqlparser::ast::BinaryOperator::{And, Eq};
    match expr {
        Expr::Nested(inner) => conjunction_of_equalities(inner, columns),
        Expr::BinaryOp {
            left,
            op: And,
            right,
        } => conjunction_of_equalities(left, columns) && conjunction_of_equalities(right, columns),
        Expr::BinaryOp {
            left,
            op: Eq,
            right,
        } => {
            let mut right_columns = Columns::default();
            let _ = right.visit(&mut right_columns);
            if !right_columns.names.is_empty() {
                return false;
            }
            match left.as_ref() {
                Expr::Identifier(column) => columns.push((None, column.clone())),
                Expr::CompoundIdentifier(parts) if parts.len() >= 2 => columns.push((
                    Some(parts[parts.len() - 2].clone()),
                    parts[parts.len() - 1].clone(),
                )),
                _ => return false,
            }
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, key: &[&str]) -> TableDescription {
        TableDescription {
            schema: None,
            table: name.to_owned(),
            marker: "deleted_at".to_owned(),
            marker_kind: crate::marker::MarkerKind::Timestamp,
            primary_key: key.iter().map(|key| (*key).to_owned()).collect(),
        }
    }

    fn tables() -> Vec<TableDescription> {
        vec![
            table("book", &["id"]),
            table("tag", &["id"]),
            table("book_tag", &["book_id", "tag_id"]),
        ]
    }

    /// `(kind, table, alias)` of every finding in `sql` on `backend`.
    fn leaks_on(backend: DbBackend, sql: &str) -> Vec<(LeakKind, String, Option<String>)> {
        let analysis = analyze(sql, backend, &tables());
        assert_eq!(analysis.unreadable, None, "{sql}");
        analysis
            .findings
            .into_iter()
            .map(|finding| (finding.kind, finding.table, finding.alias))
            .collect()
    }

    fn leaks(sql: &str) -> Vec<(LeakKind, String, Option<String>)> {
        leaks_on(DbBackend::Postgres, sql)
    }

    fn read(table: &str) -> (LeakKind, String, Option<String>) {
        (LeakKind::Read, table.to_owned(), None)
    }

    #[test]
    fn a_select_needs_a_marker_condition_per_table() {
        assert_eq!(leaks(r#"SELECT "book"."id" FROM "book""#), [read("book")]);
        assert_eq!(
            leaks(r#"SELECT "book"."id" FROM "book" WHERE "book"."id" = $1"#),
            [read("book")]
        );
        for clean in [
            r#"SELECT "book"."id" FROM "book" WHERE "book"."deleted_at" IS NULL"#,
            r#"SELECT id FROM book WHERE deleted_at IS NOT NULL AND id > 3"#,
            r#"SELECT id FROM book WHERE deleted_at < $1"#,
            r#"SELECT id FROM book WHERE ("book"."deleted_at" IS NULL OR "book"."deleted_at" IS NOT NULL)"#,
            r#"SELECT id FROM other"#,
        ] {
            assert_eq!(leaks(clean), [], "{clean}");
        }
    }

    #[test]
    fn an_alias_must_qualify_the_marker() {
        assert_eq!(
            leaks(r#"SELECT b.id FROM book AS b WHERE book.deleted_at IS NULL"#),
            [(LeakKind::Read, "book".to_owned(), Some("b".to_owned()))]
        );
        assert_eq!(
            leaks(r#"SELECT b.id FROM book b WHERE b.deleted_at IS NULL"#),
            []
        );
    }

    #[test]
    fn each_joined_table_needs_its_own_condition() {
        let junction_leaks = r#"SELECT "book"."id", "tag"."id" FROM "book"
            LEFT JOIN "book_tag" ON "book"."id" = "book_tag"."book_id"
            LEFT JOIN "tag" ON "book_tag"."tag_id" = "tag"."id" AND "tag"."deleted_at" IS NULL
            WHERE "book"."deleted_at" IS NULL"#;
        assert_eq!(leaks(junction_leaks), [read("book_tag")]);
        let hidden = junction_leaks.replace(
            r#""book_tag"."book_id""#,
            r#""book_tag"."book_id" AND "book_tag"."deleted_at" IS NULL"#,
        );
        assert_eq!(leaks(&hidden), []);
    }

    #[test]
    fn a_joined_table_pinned_by_its_key_and_not_returned_is_an_anchor() {
        // `author.find_related_active(book)`: the author is the model the caller holds.
        let related = r#"SELECT "book"."id" FROM "book" INNER JOIN "author" AS "r0"
            ON "r0"."id" = "book"."author_id" WHERE "r0"."id" = $1 AND "book"."deleted_at" IS NULL"#;
        let tables = [table("book", &["id"]), table("author", &["id"])];
        let analysis = analyze(related, DbBackend::Postgres, &tables);
        assert_eq!(analysis.findings, []);
        for leaky in [
            // Its columns are returned.
            related.replace(
                r#"SELECT "book"."id""#,
                r#"SELECT "book"."id", "r0"."name""#,
            ),
            related.replace(r#"SELECT "book"."id""#, r#"SELECT "r0".*"#),
            // Not pinned to one row.
            related.replace(r#""r0"."id" = $1"#, r#""r0"."id" > $1"#),
            // The first table is what the query reads.
            r#"SELECT COUNT(*) FROM "author" WHERE "author"."id" = $1"#.to_owned(),
        ] {
            let analysis = analyze(&leaky, DbBackend::Postgres, &tables);
            assert_eq!(analysis.findings.len(), 1, "{leaky}");
            assert_eq!(analysis.findings[0].table, "author", "{leaky}");
        }
    }

    #[test]
    fn subqueries_ctes_and_unions_are_read_at_any_depth() {
        assert_eq!(
            leaks(
                "SELECT id FROM book WHERE deleted_at IS NULL AND id IN \
                 (SELECT book_id FROM book_tag WHERE tag_id = 1)"
            ),
            [read("book_tag")]
        );
        assert_eq!(
            leaks(
                "SELECT id FROM book WHERE deleted_at IS NULL AND EXISTS \
                 (SELECT 1 FROM tag WHERE tag.id = book.id AND book.deleted_at IS NULL)"
            ),
            [read("tag")],
            "the outer table's marker in a subquery is not the subquery table's"
        );
        assert_eq!(
            leaks("WITH t AS (SELECT id FROM tag) SELECT id FROM t"),
            [read("tag")]
        );
        // A CTE named like a table hides it in the query's body, not in its own definition.
        assert_eq!(
            leaks(
                "WITH book AS (SELECT id FROM book WHERE deleted_at IS NULL) SELECT id FROM book"
            ),
            []
        );
        assert_eq!(
            leaks("WITH book AS (SELECT id FROM book) SELECT id FROM book"),
            [read("book")]
        );
        assert_eq!(
            leaks(
                "WITH book AS (SELECT id FROM book WHERE deleted_at IS NULL) \
                 SELECT id FROM book UNION SELECT id FROM (SELECT id FROM public.book) AS b"
            ),
            [read("book")],
            "a schema-qualified name is the table"
        );
        assert_eq!(
            leaks("SELECT id FROM book WHERE deleted_at IS NULL UNION SELECT id FROM tag"),
            [read("tag")]
        );
        assert_eq!(
            leaks("SELECT x.id FROM (SELECT id FROM book) AS x"),
            [read("book")]
        );
    }

    #[test]
    fn an_update_needs_a_marker_condition_unless_it_names_one_row() {
        assert_eq!(
            leaks(r#"UPDATE "book" SET "title" = $1 WHERE "book"."id" > $2"#),
            [(LeakKind::Write, "book".to_owned(), None)]
        );
        assert_eq!(
            leaks(r#"UPDATE "book" SET "title" = $1"#),
            [(LeakKind::Write, "book".to_owned(), None)]
        );
        for clean in [
            r#"UPDATE "book" SET "title" = $1 WHERE "book"."deleted_at" IS NULL"#,
            r#"UPDATE "book" SET "title" = $1 WHERE "book"."id" = $2 RETURNING "id""#,
            r#"UPDATE "book_tag" SET "note" = $1 WHERE "book_id" = $2 AND "tag_id" = $3"#,
        ] {
            assert_eq!(leaks(clean), [], "{clean}");
        }
        assert_eq!(
            leaks(r#"UPDATE "book_tag" SET "note" = $1 WHERE "book_id" = $2"#),
            [(LeakKind::Write, "book_tag".to_owned(), None)],
            "half a composite key names many rows"
        );
        assert_eq!(
            leaks(r#"UPDATE "book" SET "title" = $1 WHERE "id" = "other_id""#),
            [(LeakKind::Write, "book".to_owned(), None)]
        );
    }

    #[test]
    fn an_outer_join_condition_filters_only_the_side_it_can() {
        // The `ON` of a LEFT JOIN cannot hide trashed books: they come back with NULL tags.
        let left = r#"SELECT b.id FROM book b LEFT JOIN tag t ON t.id = b.id AND b.deleted_at IS NULL
            WHERE t.deleted_at IS NULL"#;
        assert_eq!(
            leaks(left),
            [(LeakKind::Read, "book".to_owned(), Some("b".to_owned()))]
        );
        let left_ok = r#"SELECT b.id FROM book b LEFT JOIN tag t ON t.id = b.id AND t.deleted_at IS NULL
            WHERE b.deleted_at IS NULL"#;
        assert_eq!(leaks(left_ok), []);
        let right = r#"SELECT b.id FROM book b RIGHT JOIN tag t ON t.id = b.id AND t.deleted_at IS NULL
            AND b.deleted_at IS NULL"#;
        assert_eq!(
            leaks(right),
            [(LeakKind::Read, "tag".to_owned(), Some("t".to_owned()))]
        );
        let full = r#"SELECT b.id FROM book b FULL JOIN tag t ON t.id = b.id AND t.deleted_at IS NULL
            AND b.deleted_at IS NULL"#;
        assert_eq!(leaks(full).len(), 2);
        let inner = r#"SELECT b.id FROM book b JOIN tag t ON t.id = b.id AND t.deleted_at IS NULL
            AND b.deleted_at IS NULL"#;
        assert_eq!(leaks(inner), []);
    }

    #[test]
    fn a_one_row_write_that_sets_the_marker_is_reported() {
        for sql in [
            r#"UPDATE "book" SET "deleted_at" = NULL WHERE "book"."id" = $1"#,
            r#"UPDATE "book" SET "title" = $1, "deleted_at" = $2 WHERE "id" = $3"#,
        ] {
            assert_eq!(
                leaks(sql),
                [(LeakKind::Write, "book".to_owned(), None)],
                "{sql}"
            );
        }
        let analysis = analyze(
            r#"UPDATE "book" SET "title" = $1 WHERE "id" = $2"#,
            DbBackend::Postgres,
            &tables(),
        );
        assert_eq!(
            analysis.writes_one_row,
            Some(WrittenRow {
                table: "book".to_owned(),
                key: vec![KeySource::Bound(1)],
            })
        );
    }

    #[test]
    fn an_upsert_that_assigns_a_column_to_itself_changes_nothing() {
        // SeaORM's `on_conflict_do_nothing()` on MySQL and MariaDB.
        for clean in [
            "INSERT INTO `book` (`id`, `title`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `id` = `id`",
            "INSERT INTO `book` (`id`, `title`) VALUES (?, ?), (?, ?) ON DUPLICATE KEY UPDATE `id` = `id`",
            "INSERT INTO book (id) VALUES (?) ON DUPLICATE KEY UPDATE id = (book.id), title = title",
        ] {
            assert_eq!(leaks_on(DbBackend::MySql, clean), [], "{clean}");
        }
        for write in [
            "INSERT INTO book (id) VALUES (?) ON DUPLICATE KEY UPDATE id = id, title = ?",
            "INSERT INTO book (id) VALUES (?) ON DUPLICATE KEY UPDATE id = VALUES(id)",
            "INSERT INTO book (id) VALUES (?) ON DUPLICATE KEY UPDATE title = tag.title",
            "INSERT INTO book (id) VALUES (?) ON DUPLICATE KEY UPDATE deleted_at = deleted_at + 1",
        ] {
            assert_eq!(
                leaks_on(DbBackend::MySql, write),
                [(LeakKind::Write, "book".to_owned(), None)],
                "{write}"
            );
        }
    }

    #[test]
    fn a_one_row_write_and_a_one_row_read_name_their_keys_bound_values() {
        let written = |sql: &str| analyze(sql, DbBackend::MySql, &tables()).writes_one_row;
        let row = |key: Vec<KeySource>| {
            Some(WrittenRow {
                table: "book".to_owned(),
                key,
            })
        };
        // A reply whose foreign key happens to be 2 is not row 2: the key is the generated id.
        assert_eq!(
            written("INSERT INTO `book` (`title`, `reply_to`) VALUES (?, ?)"),
            row(vec![KeySource::Generated])
        );
        assert_eq!(
            written("INSERT INTO `book` (`title`, `id`) VALUES (?, ?)"),
            row(vec![KeySource::Bound(1)])
        );
        assert_eq!(
            written("UPDATE `book` SET `title` = ?, `reply_to` = ? WHERE `book`.`id` = ?"),
            row(vec![KeySource::Bound(2)])
        );
        assert_eq!(
            written("INSERT INTO `book` (`title`) VALUES (?), (?)"),
            None
        );
        // An insert that may have collided and written nothing exempts no read-back.
        for may_write_nothing in [
            "INSERT INTO `book` (`id`, `title`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `id` = `id`",
            "INSERT IGNORE INTO `book` (`id`, `title`) VALUES (?, ?)",
        ] {
            assert_eq!(written(may_write_nothing), None, "{may_write_nothing}");
        }
        assert_eq!(
            analyze(
                r#"INSERT INTO "book" ("id") VALUES (?) ON CONFLICT ("id") DO NOTHING"#,
                DbBackend::Sqlite,
                &tables()
            )
            .writes_one_row,
            None
        );
        // A `?` kept as a bare value still counts: the key is the third bound value.
        let read = analyze(
            "SELECT GROUP_CONCAT(`title` SEPARATOR ?) FROM `book` WHERE `title` = ? AND `book`.`id` = ?",
            DbBackend::MySql,
            &tables(),
        );
        assert_eq!(read.findings[0].pinned_key, Some(vec![2]));
        let composite = analyze(
            "INSERT INTO `book_tag` (`tag_id`, `book_id`) VALUES (?, ?)",
            DbBackend::MySql,
            &tables(),
        );
        assert_eq!(
            composite.writes_one_row.map(|row| row.key),
            Some(vec![KeySource::Bound(1), KeySource::Bound(0)])
        );
        let read = analyze(
            "SELECT `book`.`id` FROM `book` WHERE `book`.`id` = ? LIMIT ?",
            DbBackend::MySql,
            &tables(),
        );
        assert_eq!(read.findings[0].pinned_key, Some(vec![0]));
        let read = analyze(
            r#"SELECT "book"."id" FROM "book" WHERE "book"."title" = $1 AND "book"."id" = $2"#,
            DbBackend::Postgres,
            &tables(),
        );
        assert_eq!(read.findings[0].pinned_key, Some(vec![1]));
    }

    #[test]
    fn a_statement_inside_explain_is_sorted_as_on_its_own() {
        let kinds = |sql: &str| -> Vec<LeakKind> {
            analyze(sql, DbBackend::Postgres, &tables())
                .findings
                .into_iter()
                .map(|finding| finding.kind)
                .collect()
        };
        assert_eq!(
            kinds("EXPLAIN ANALYZE EXECUTE purge_books(1)"),
            [LeakKind::Unchecked]
        );
        assert_eq!(
            kinds(
                "EXPLAIN ANALYZE MERGE INTO book USING tag ON book.id = tag.id WHEN MATCHED THEN DELETE"
            ),
            [LeakKind::Unchecked, LeakKind::Unchecked]
        );
        assert_eq!(
            kinds("ALTER VIEW shelf AS SELECT * FROM book"),
            [LeakKind::Read]
        );
    }

    #[test]
    fn copy_out_of_a_table_reads_its_trash() {
        for sql in [
            "COPY book TO '/tmp/book.csv'",
            "COPY public.book (id, title) TO STDOUT WITH (FORMAT csv)",
            "COPY (SELECT * FROM book) TO STDOUT",
        ] {
            assert_eq!(leaks(sql), [read("book")], "{sql}");
        }
        for clean in [
            "COPY (SELECT * FROM book WHERE deleted_at IS NULL) TO STDOUT",
            "COPY book FROM '/tmp/book.csv'",
            "COPY author TO STDOUT",
        ] {
            assert_eq!(leaks(clean), [], "{clean}");
        }
    }

    #[test]
    fn truncate_replace_and_upserts_are_seen() {
        assert_eq!(
            leaks("TRUNCATE book"),
            [(LeakKind::HardDelete, "book".to_owned(), None)]
        );
        // PostgreSQL's `TABLE book` is not SQL the parser reads: it runs unchecked, with a warning.
        assert!(
            analyze("TABLE book", DbBackend::Postgres, &tables())
                .unreadable
                .is_some()
        );
        assert_eq!(
            leaks_on(DbBackend::MySql, "REPLACE INTO book (id) VALUES (?)"),
            [(LeakKind::HardDelete, "book".to_owned(), None)]
        );
        assert_eq!(
            leaks_on(
                DbBackend::Sqlite,
                "INSERT OR REPLACE INTO book (id) VALUES (?)"
            ),
            [(LeakKind::HardDelete, "book".to_owned(), None)]
        );
        assert_eq!(
            leaks(
                "INSERT INTO book (id, title) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET title = excluded.title"
            ),
            [(LeakKind::Write, "book".to_owned(), None)]
        );
        assert_eq!(
            leaks_on(
                DbBackend::MySql,
                "INSERT INTO book (id, title) VALUES (?, ?) ON DUPLICATE KEY UPDATE title = VALUES(title)"
            ),
            [(LeakKind::Write, "book".to_owned(), None)]
        );
        for clean in [
            "INSERT INTO book (id) VALUES ($1) ON CONFLICT DO NOTHING",
            "INSERT INTO book (id, title) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET title = excluded.title WHERE book.deleted_at IS NULL",
            "INSERT INTO book (id) VALUES ($1)",
        ] {
            assert_eq!(leaks(clean), [], "{clean}");
        }
    }

    #[test]
    fn every_delete_from_a_soft_deletable_table_is_hard() {
        assert_eq!(
            leaks(r#"DELETE FROM "book" WHERE "book"."id" = $1"#),
            [(LeakKind::HardDelete, "book".to_owned(), None)]
        );
        assert_eq!(
            leaks(r#"DELETE FROM "book" WHERE "book"."deleted_at" IS NOT NULL"#),
            [(LeakKind::HardDelete, "book".to_owned(), None)]
        );
        assert_eq!(leaks(r#"DELETE FROM "other""#), []);
    }

    #[test]
    fn each_backend_reads_its_own_dialect() {
        assert_eq!(
            leaks_on(
                DbBackend::MySql,
                "SELECT `book`.`id` FROM `book` WHERE `book`.`id` = ?"
            ),
            [read("book")]
        );
        assert_eq!(
            leaks_on(
                DbBackend::MySql,
                "DELETE `book` FROM `book` JOIN `tag` ON `tag`.`id` = `book`.`id`"
            ),
            // Every soft-deletable table a multi-table DELETE names, on the safe side.
            [
                (LeakKind::HardDelete, "book".to_owned(), None),
                (LeakKind::HardDelete, "tag".to_owned(), None)
            ]
        );
        assert_eq!(
            leaks_on(
                DbBackend::Sqlite,
                r#"SELECT "id" FROM "book" WHERE "deleted_at" IS NULL"#
            ),
            []
        );
    }

    #[test]
    fn what_the_parser_cannot_read_is_unchecked_when_it_names_a_table() {
        let analysis = analyze(
            "SELEKT everything FROM other",
            DbBackend::Postgres,
            &tables(),
        );
        assert!(analysis.unreadable.is_some());
        assert!(analysis.findings.is_empty());
        let unchecked = |backend, sql: &str| {
            let analysis = analyze(sql, backend, &tables());
            analysis
                .findings
                .into_iter()
                .map(|finding| (finding.kind, finding.table))
                .collect::<Vec<_>>()
        };
        let book_tag = [(LeakKind::Unchecked, "book_tag".to_owned())];
        for (backend, sql) in [
            (
                DbBackend::MySql,
                "DELETE LOW_PRIORITY QUICK IGNORE FROM book_tag",
            ),
            (DbBackend::Sqlite, "REINDEX; DELETE FROM book_tag"),
            (DbBackend::Postgres, "TABLE author; DELETE FROM book_tag"),
            (DbBackend::MySql, "DO 0; DELETE FROM book_tag"),
            (
                DbBackend::Postgres,
                "DO $$BEGIN DELETE FROM book_tag; END$$",
            ),
            (DbBackend::MySql, "PREPARE s1 FROM 'DELETE FROM book_tag'"),
            (DbBackend::MySql, "SET @q = 'DELETE FROM book_tag'"),
            (
                DbBackend::Postgres,
                "MERGE INTO book_tag t USING (SELECT 1 AS x) s ON true WHEN MATCHED THEN DELETE",
            ),
        ] {
            assert!(unchecked(backend, sql).contains(&book_tag[0]), "{sql}");
        }
    }

    #[test]
    fn a_marker_term_mixed_with_other_columns_does_not_count() {
        assert_eq!(
            leaks("SELECT id FROM book WHERE deleted_at IS NULL OR id = $1"),
            [read("book")]
        );
        assert_eq!(
            leaks("SELECT id FROM book WHERE (deleted_at IS NULL OR id = 1) AND deleted_at < $1"),
            []
        );
    }

    #[test]
    fn second_round_of_probes() {
        let kinds = |backend, sql: &str| {
            analyze(sql, backend, &tables())
                .findings
                .into_iter()
                .map(|finding| (finding.kind, finding.table))
                .collect::<Vec<_>>()
        };
        let hard = |table: &str| vec![(LeakKind::HardDelete, table.to_owned())];
        let dynamic = [(LeakKind::Unchecked, ANY_TABLE.to_owned())];
        // MariaDB's modifiers read as a target list, and aliases in USING.
        for sql in [
            "DELETE QUICK FROM book_tag",
            "DELETE IGNORE FROM book_tag",
            "DELETE LOW_PRIORITY FROM book_tag",
            "DELETE FROM bt USING book_tag bt",
        ] {
            assert_eq!(kinds(DbBackend::MySql, sql), hard("book_tag"), "{sql}");
        }
        // MariaDB's executable comments.
        assert_eq!(
            kinds(
                DbBackend::MySql,
                "SELECT 1; /*M!100000 DELETE FROM book_tag */"
            ),
            hard("book_tag")
        );
        // PostgreSQL's Unicode-escaped names.
        assert_eq!(
            kinds(DbBackend::Postgres, r#"DELETE FROM U&"\0062ook_tag""#),
            vec![(LeakKind::Unchecked, "book_tag".to_owned())]
        );
        // SQL assembled at run time, or code defined for later.
        for (backend, sql) in [
            (
                DbBackend::MySql,
                "EXECUTE IMMEDIATE CONCAT('DELETE FROM boo','k_tag')",
            ),
            (DbBackend::MySql, "PREPARE s3 FROM @q"),
            (
                DbBackend::Postgres,
                "DO $$BEGIN EXECUTE 'DELETE FROM boo' || 'k_tag'; END$$",
            ),
            (
                DbBackend::Postgres,
                "CREATE FUNCTION probe_h() RETURNS void LANGUAGE sql AS $$DELETE FROM other$$",
            ),
        ] {
            assert!(kinds(backend, sql).contains(&dynamic[0]), "{sql}");
        }
        // A disjunction with a term that is not about the marker lets every row through.
        assert_eq!(
            leaks("SELECT title FROM book WHERE deleted_at IS NULL OR 1 = 1"),
            [read("book")]
        );
        assert_eq!(
            leaks("SELECT title FROM book WHERE deleted_at IS NULL OR deleted_at IS NOT NULL"),
            []
        );
    }

    #[test]
    fn sqlite_update_or_replace_is_a_hard_delete() {
        assert_eq!(
            leaks_on(
                DbBackend::Sqlite,
                "UPDATE OR REPLACE book_tag SET tag_id = 1 WHERE book_id = 1 AND tag_id = 2"
            ),
            [(LeakKind::HardDelete, "book_tag".to_owned(), None)]
        );
    }
}
