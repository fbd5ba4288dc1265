//! SeaORM's read-back of the row it just wrote, on backends without `RETURNING`: which bound
//! values of a one-row write are that row's key, and which bound values of a one-row read ask
//! for a key. The guard lets such a read through only when the two keys are the same row's.

use std::ops::ControlFlow;

use sqlparser::ast::{Expr, Ident, Insert, SetExpr, Statement, Value, Visit, Visitor};

use super::predicates::split_conjunction;

/// Where one primary key column of a written row gets its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum KeySource {
    /// The bound value at this index.
    Bound(usize),
    /// The id the database generated (`AUTO_INCREMENT`, SQLite's rowid).
    Generated,
}

/// The one row of a soft-deletable table that a statement writes, and where its key comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct WrittenRow {
    pub(crate) table: String,
    /// One source per primary key column, in key order.
    pub(crate) key: Vec<KeySource>,
}

/// The index in the bound values of every placeholder of a text: `$n` names its own (`n - 1`),
/// and `?` are numbered in the order they appear.
#[derive(Debug, Default)]
pub(super) struct Placeholders {
    /// Where each `?` starts (line, column), in text order.
    positional: Vec<(u64, u64)>,
}

impl Placeholders {
    pub(super) fn of(statements: &[Statement]) -> Self {
        let mut found = Placeholders::default();
        for statement in statements {
            let _ = statement.visit(&mut found);
        }
        found.positional.sort_unstable();
        found.positional.dedup();
        found
    }

    /// The index of the value bound to `expr`, when `expr` is a placeholder.
    pub(super) fn index_of(&self, expr: &Expr) -> Option<usize> {
        let mut expr = expr;
        while let Expr::Nested(inner) = expr {
            expr = inner;
        }
        let Expr::Value(value) = expr else {
            return None;
        };
        let Value::Placeholder(text) = &value.value else {
            return None;
        };
        if let Some(number) = text.strip_prefix('$') {
            return number.parse::<usize>().ok()?.checked_sub(1);
        }
        let start = (value.span.start.line, value.span.start.column);
        (text == "?")
            .then(|| self.positional.binary_search(&start).ok())
            .flatten()
    }
}

impl Visitor for Placeholders {
    type Break = ();

    // Every value, not only those that stand as expressions: a `?` the parser keeps as a bare
    // value (`SEPARATOR ?`) still takes its place in the numbering.
    fn pre_visit_value(&mut self, value: &sqlparser::ast::ValueWithSpan) -> ControlFlow<()> {
        if matches!(&value.value, Value::Placeholder(text) if text == "?") {
            self.positional
                .push((value.span.start.line, value.span.start.column));
        }
        ControlFlow::Continue(())
    }
}

/// The bound values that `selection` equates `primary_key`'s columns with, in key order: `a = ?
/// AND b = ?` among its `AND`-ed terms. A column counts when `qualifies` accepts its qualifier,
/// or when it has none and `unqualified` says that counts.
pub(super) fn key_in_selection(
    selection: &Expr,
    primary_key: &[String],
    qualifies: impl Fn(&Ident) -> bool,
    unqualified: bool,
    placeholders: &Placeholders,
) -> Option<Vec<usize>> {
    let mut terms = Vec::new();
    split_conjunction(selection, &mut terms);
    let mut bound: Vec<(&Ident, usize)> = Vec::new();
    for term in terms {
        let Expr::BinaryOp {
            left,
            op: sqlparser::ast::BinaryOperator::Eq,
            right,
        } = term
        else {
            continue;
        };
        let column = match left.as_ref() {
            Expr::Identifier(column) if unqualified => column,
            Expr::CompoundIdentifier(parts)
                if parts.len() >= 2 && qualifies(&parts[parts.len() - 2]) =>
            {
                &parts[parts.len() - 1]
            }
            _ => continue,
        };
        if let Some(index) = placeholders.index_of(right) {
            bound.push((column, index));
        }
    }
    primary_key
        .iter()
        .map(|key| {
            bound
                .iter()
                .find(|(column, _)| column.value.eq_ignore_ascii_case(key))
                .map(|(_, index)| *index)
        })
        .collect()
}

/// Where each of `primary_key`'s columns gets its value in a one-row `INSERT .. VALUES`: a bound
/// value, or the generated id for a column the insert leaves out. `None` for several rows, a
/// key given as anything but a placeholder, or an insert from a query.
pub(super) fn key_in_insert(
    insert: &Insert,
    primary_key: &[String],
    placeholders: &Placeholders,
) -> Option<Vec<KeySource>> {
    let SetExpr::Values(values) = insert.source.as_ref()?.body.as_ref() else {
        return None;
    };
    let [row] = values.rows.as_slice() else {
        return None;
    };
    let columns: Vec<&Ident> = insert
        .columns
        .iter()
        .filter_map(|name| name.0.last().and_then(|part| part.as_ident()))
        .collect();
    let generated = primary_key.len() == 1;
    primary_key
        .iter()
        .map(|key| {
            match columns
                .iter()
                .position(|column| column.value.eq_ignore_ascii_case(key))
            {
                Some(position) => placeholders
                    .index_of(row.content.get(position)?)
                    .map(KeySource::Bound),
                // Only a single-column key is generated by the database.
                None => generated.then_some(KeySource::Generated),
            }
        })
        .collect()
}
