//! What a condition says: whether it is about a table's marker alone, whether it pins one row
//! by its primary key, and the terms of its `AND`s and `OR`s.

use std::ops::ControlFlow;

use sqlparser::ast::{Expr, Ident, Query, Visit, Visitor};

use super::from_clause::{TableRef, unescape};
use crate::tables::TableDescription;

/// Whether one of the `AND`-ed terms of `condition` is a condition on `table`'s column `marker`
/// alone (a subquery's columns belong to the subquery's tables): `deleted_at IS NULL`,
/// `deleted_at < ?`, `(deleted_at IS NULL OR deleted_at IS NOT NULL)`. A term that mixes in other
/// columns (`deleted_at IS NULL OR id = ?`) does not hide the trash, and does not count. An
/// unqualified name counts: the database would have refused it were it ambiguous.
pub(super) fn refers_to(condition: &Expr, table: &TableRef, marker: &str) -> bool {
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
pub(super) fn split_disjunction<'a>(expr: &'a Expr, alternatives: &mut Vec<&'a Expr>) {
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

/// The columns an expression names outside its subqueries, with their qualifiers.
#[derive(Default)]
pub(super) struct Columns {
    pub(super) depth: usize,
    pub(super) names: Vec<(Option<Ident>, Ident)>,
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
pub(super) fn assigns_itself(assignment: &sqlparser::ast::Assignment, table: &TableRef) -> bool {
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
pub(super) fn pins_primary_key(
    selection: &Expr,
    table: &TableRef,
    tables: &[TableDescription],
) -> bool {
    pins_key(selection, table, tables, false)
}

/// [`pins_primary_key`]; `unqualified` says whether a column without a table name counts (it
/// does where `table` is the only table, as in an `UPDATE`).
pub(super) fn pins_key(
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
pub(super) fn names_one_row(
    selection: &Expr,
    table: &TableRef,
    tables: &[TableDescription],
) -> bool {
    let mut equalities = Vec::new();
    conjunction_of_equalities(selection, &mut equalities)
        && table
            .descriptions(tables)
            .all(|description| description.primary_key.len() == equalities.len())
        && pins_key(selection, table, tables, true)
}

/// `a = ? AND b = ? ...`, with the column on the left and no column on the right.
pub(super) fn conjunction_of_equalities(
    expr: &Expr,
    columns: &mut Vec<(Option<Ident>, Ident)>,
) -> bool {
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
