//! The tables of a `FROM` clause, with their aliases and the `ON` conditions that filter each.

use sqlparser::ast::{
    Expr, Ident, JoinConstraint, JoinOperator, ObjectName, TableFactor, TableWithJoins,
};

use crate::tables::TableDescription;

/// A table in a `FROM` clause: its name and the alias it goes by.
#[derive(Clone, Debug)]
pub(super) struct TableRef {
    pub(super) schema: Option<String>,
    pub(super) name: String,
    pub(super) alias: Option<String>,
}

impl TableRef {
    pub(super) fn new(name: &ObjectName, alias: Option<&Ident>) -> Option<Self> {
        let mut parts = name.0.iter().rev().map(|part| part.as_ident());
        let table = parts.next()??;
        let schema = parts.next().flatten();
        Some(Self {
            schema: schema.map(|schema| unescape(&schema.value)),
            name: unescape(&table.value),
            alias: alias.map(|alias| unescape(&alias.value)),
        })
    }

    pub(super) fn descriptions<'t>(
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
    pub(super) fn is_qualified_by(&self, qualifier: &Ident) -> bool {
        let qualifier = unescape(&qualifier.value);
        match &self.alias {
            Some(alias) => qualifier.eq_ignore_ascii_case(alias),
            None => qualifier.eq_ignore_ascii_case(&self.name),
        }
    }

    /// Whether `name` (in MySQL's `DELETE t FROM ..` list) is this table or its alias.
    pub(super) fn answers_to(&self, name: &ObjectName) -> bool {
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
pub(super) struct ScopedTable<'a> {
    pub(super) table: TableRef,
    pub(super) conditions: Vec<&'a Expr>,
}

/// The named tables of a `FROM` item and its joins, each with the `ON` conditions that filter
/// it: an inner join's condition filters both sides, a `LEFT` join's only the joined table, a
/// `RIGHT` join's only the tables before it, a `FULL` join's neither (the rows it fails to match
/// are returned anyway).
pub(super) fn tables_of(from: &TableWithJoins) -> Vec<ScopedTable<'_>> {
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

pub(super) fn tables_of_factor(factor: &TableFactor) -> Vec<ScopedTable<'_>> {
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

pub(super) fn join_constraint(operator: &JoinOperator) -> Option<&JoinConstraint> {
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

/// An identifier as the database reads it: PostgreSQL's `U&"\0062ook"` reaches the parser with
/// its `\XXXX` / `\+XXXXXX` escapes still in it.
pub(super) fn unescape(identifier: &str) -> String {
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
