//! Naming rows by their primary keys in a statement, without running into a backend's limits.
//!
//! Where an operation must change exactly the rows whose keys it read (hooks are told those
//! keys), it sends the keys. Backends bound what one statement may carry: SQLite takes at most
//! 32,766 bind parameters, PostgreSQL and MySQL 65,535, and SQLite refuses an expression tree
//! deeper than 1,000 (a chain of `OR`s for composite keys). So keys travel as one flat row-value
//! list, `(a, b) IN ((?, ?), ..)`, in chunks of at most [`MAX_KEYS_PER_STATEMENT`] keys: the
//! statement count grows by one per 10,000 rows, never per row.
//!
//! A one-row operation names its row by a [`RowKey`].

use std::marker::PhantomData;

use sea_orm::sea_query::{BinOper, Condition, Expr, ExprTrait, IntoValueTuple, ValueTuple};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, Iterable, ModelTrait,
    PrimaryKeyToColumn, PrimaryKeyTrait, QueryFilter, Value,
};

use crate::error::{Error, key_text};
use crate::hook_context::Origin;
use crate::values::Filters;

/// The most primary keys one statement names.
pub const MAX_KEYS_PER_STATEMENT: usize = 10_000;

/// The most bind parameters one statement's keys may take, well under every backend's limit so
/// that the rest of the statement has room.
const MAX_KEY_BINDS: usize = 30_000;

/// How many of `E`'s keys one statement names: [`MAX_KEYS_PER_STATEMENT`], fewer for keys of
/// more than three columns.
pub(crate) fn keys_per_statement<E: EntityTrait>() -> usize {
    let columns = E::PrimaryKey::iter().count().max(1);
    (MAX_KEY_BINDS / columns).clamp(1, MAX_KEYS_PER_STATEMENT)
}

/// Rows whose primary key is one of `keys` (at most [`keys_per_statement`] of them): `pk IN
/// (..)`, or `(a, b) IN ((..), ..)` for a composite key; PostgreSQL, which parses a row-value
/// list into a chain of `OR`s deep enough to exhaust its stack, gets `(a, b) IN (VALUES ..)`.
/// No keys match no row.
pub(crate) fn keys_condition<E: EntityTrait>(keys: &[ValueTuple], backend: DbBackend) -> Condition {
    let columns: Vec<E::Column> = E::PrimaryKey::iter()
        .map(PrimaryKeyToColumn::into_column)
        .collect();
    if keys.is_empty() {
        return Condition::all().add(Expr::val(1).eq(2));
    }
    match columns.as_slice() {
        [column] => Condition::all().add(
            column.is_in(
                keys.iter()
                    .cloned()
                    .flat_map(ValueTuple::into_iter)
                    .collect::<Vec<_>>(),
            ),
        ),
        _ => {
            let tuple = Expr::tuple(
                columns
                    .iter()
                    .map(|column| Expr::col((E::default(), *column))),
            );
            if backend == DbBackend::Postgres {
                let rows: Vec<Expr> = keys
                    .iter()
                    .map(|key| Expr::Values(key.clone().into_iter().collect()))
                    .collect();
                let placeholders: Vec<String> =
                    (1..=rows.len()).map(|row| format!("${row}")).collect();
                let values =
                    Expr::cust_with_exprs(format!("(VALUES {})", placeholders.join(", ")), rows);
                return Condition::all().add(tuple.binary(BinOper::In, values));
            }
            Condition::all().add(tuple.in_tuples(keys.iter().cloned()))
        }
    }
}

/// Rows whose primary key comes at or after `key` (after it, when not `inclusive`) in key
/// order: a plain comparison, or a row-value comparison `(a, b) >= (..)` for a composite key,
/// which orders exactly as `ORDER BY a, b` does.
pub(crate) fn keys_from<E: EntityTrait>(key: &ValueTuple, inclusive: bool) -> Expr {
    let mut columns: Vec<Expr> = E::PrimaryKey::iter()
        .map(|key| Expr::col((E::default(), key.into_column())))
        .collect();
    let mut values: Vec<Expr> = key.clone().into_iter().map(Expr::val).collect();
    let (column, value) = if columns.len() == 1 && values.len() == 1 {
        (columns.remove(0), values.remove(0))
    } else {
        (Expr::tuple(columns), Expr::tuple(values))
    };
    if inclusive {
        column.gte(value)
    } else {
        column.gt(value)
    }
}

/// Runs of consecutive integer keys at least this long are named as a range (`BETWEEN`), not
/// key by key: at this length a statement's ranges can never name fewer keys than its list.
const MIN_RANGE: usize = 100;

/// Ranges one statement names at most: each is a term of an `OR`, and SQLite refuses
/// expressions nested more than 1,000 deep.
const MAX_RANGES_PER_STATEMENT: usize = 100;

/// The conditions of the statements that together name exactly `keys`, each within the
/// per-statement limits; at least one, so that an operation on no rows still sends the
/// statements it always sends. A single-column integer key names its runs of consecutive
/// values as ranges: the 100,000 keys a hooked bulk operation read from one filter are often a
/// handful of ranges, one statement instead of ten.
pub(crate) fn key_conditions<E: EntityTrait>(
    keys: &[ValueTuple],
    backend: DbBackend,
) -> Vec<Condition> {
    let single_column = E::PrimaryKey::iter().count() == 1;
    let Some(mut numbered) = single_column
        .then(|| keys.iter().map(integer_key).collect::<Option<Vec<_>>>())
        .flatten()
    else {
        return chunks::<E>(keys)
            .into_iter()
            .map(|chunk| keys_condition::<E>(chunk, backend))
            .collect();
    };
    numbered.sort_by_key(|(number, _)| *number);
    numbered.dedup_by_key(|(number, _)| *number);
    let Some(column) = E::PrimaryKey::iter()
        .next()
        .map(PrimaryKeyToColumn::into_column)
    else {
        return vec![keys_condition::<E>(keys, backend)];
    };
    let mut statements = Statements::<E> {
        column,
        backend,
        conditions: Vec::new(),
        ranges: Condition::any(),
        range_count: 0,
        singles: Vec::new(),
    };
    let mut start = 0;
    while start < numbered.len() {
        let mut end = start;
        while end + 1 < numbered.len() && numbered[end + 1].0 == numbered[end].0 + 1 {
            end += 1;
        }
        if end + 1 - start >= MIN_RANGE {
            statements.add_range(&numbered[start].1, &numbered[end].1);
        } else {
            for (_, value) in &numbered[start..=end] {
                statements.add_single(value);
            }
        }
        start = end + 1;
    }
    statements.finish()
}

/// The conditions of [`key_conditions`], filled range by range and key by key, each closed
/// when it reaches a per-statement limit.
struct Statements<E: EntityTrait> {
    column: E::Column,
    backend: DbBackend,
    conditions: Vec<Condition>,
    ranges: Condition,
    range_count: usize,
    singles: Vec<ValueTuple>,
}

impl<E: EntityTrait> Statements<E> {
    fn add_range(&mut self, low: &Value, high: &Value) {
        let range = Expr::col((E::default(), self.column)).between(low.clone(), high.clone());
        self.ranges = std::mem::replace(&mut self.ranges, Condition::any()).add(range);
        self.range_count += 1;
        if self.range_count == MAX_RANGES_PER_STATEMENT {
            self.close();
        }
    }

    fn add_single(&mut self, value: &Value) {
        self.singles.push(ValueTuple::One(value.clone()));
        if self.singles.len() == keys_per_statement::<E>() {
            self.close();
        }
    }

    /// Ends the statement being filled.
    fn close(&mut self) {
        let mut condition = std::mem::replace(&mut self.ranges, Condition::any());
        if !self.singles.is_empty() {
            condition = condition.add(keys_condition::<E>(&self.singles, self.backend));
        }
        self.singles.clear();
        self.range_count = 0;
        self.conditions.push(condition);
    }

    fn finish(mut self) -> Vec<Condition> {
        if !self.singles.is_empty() || self.range_count > 0 {
            self.close();
        }
        if self.conditions.is_empty() {
            // No keys: one statement that matches no row.
            self.conditions.push(keys_condition::<E>(&[], self.backend));
        }
        self.conditions
    }
}

/// A key that is one integer, as a number to sort and find runs by, and its value to bind.
pub(crate) fn integer_key(key: &ValueTuple) -> Option<(i64, Value)> {
    let ValueTuple::One(value) = key else {
        return None;
    };
    let number = match value {
        Value::TinyInt(Some(n)) => i64::from(*n),
        Value::SmallInt(Some(n)) => i64::from(*n),
        Value::Int(Some(n)) => i64::from(*n),
        Value::BigInt(Some(n)) => *n,
        Value::TinyUnsigned(Some(n)) => i64::from(*n),
        Value::SmallUnsigned(Some(n)) => i64::from(*n),
        Value::Unsigned(Some(n)) => i64::from(*n),
        Value::BigUnsigned(Some(n)) => i64::try_from(*n).ok()?,
        _ => return None,
    };
    Some((number, value.clone()))
}

/// `keys` cut into the chunks one statement each names; at least one chunk, perhaps empty, so
/// that an operation on no rows still sends the statements it always sends.
pub(crate) fn chunks<E: EntityTrait>(keys: &[ValueTuple]) -> Vec<&[ValueTuple]> {
    if keys.is_empty() {
        return vec![keys];
    }
    keys.chunks(keys_per_statement::<E>()).collect()
}

/// A primary key's values, in the order of the entity's `PrimaryKey` variants.
#[derive(Clone, Debug)]
pub(crate) struct RowKey<E> {
    values: Vec<Value>,
    /// `Instance` when made from a model, `ById` from a key.
    pub(crate) origin: Origin,
    entity: PhantomData<E>,
}

impl<E: EntityTrait> RowKey<E> {
    fn new(values: ValueTuple) -> Self {
        Self {
            values: values.into_iter().collect(),
            origin: Origin::ById,
            entity: PhantomData,
        }
    }

    pub(crate) fn of_id<K>(key: K) -> Self
    where
        K: Into<<E::PrimaryKey as PrimaryKeyTrait>::ValueType>,
    {
        Self::new(key.into().into_value_tuple())
    }

    pub(crate) fn of_value_tuple(values: ValueTuple) -> Self {
        Self::new(values)
    }

    pub(crate) fn of_model(model: &E::Model) -> Self {
        Self {
            origin: Origin::Instance,
            ..Self::new(model.get_primary_key_value())
        }
    }

    /// The key's values, in the order of the entity's `PrimaryKey` variants.
    pub(crate) fn values(&self) -> &[Value] {
        &self.values
    }

    pub(crate) fn condition(&self) -> Condition {
        E::PrimaryKey::iter()
            .zip(&self.values)
            .fold(Condition::all(), |condition, (key, value)| {
                condition.add(key.into_column().eq(value.clone()))
            })
    }

    pub(crate) fn filters(&self) -> Filters {
        Filters::new().with(self.condition())
    }

    pub(crate) fn not_in_trash(&self) -> Error {
        Error::NotInTrash {
            table: E::default().table_name(),
            key: key_text(ValueTuple::Many(self.values.clone())),
        }
    }

    pub(crate) fn not_found(&self) -> Error {
        Error::RowNotFound {
            table: E::default().table_name(),
            key: key_text(ValueTuple::Many(self.values.clone())),
        }
    }

    pub(crate) async fn find_row<C: ConnectionTrait>(
        &self,
        db: &C,
    ) -> Result<Option<E::Model>, DbErr> {
        E::find().filter(self.condition()).one(db).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{DbBackend, QueryFilter, QueryTrait};

    mod pair {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "pair")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub a: i32,
            #[sea_orm(primary_key, auto_increment = false)]
            pub b: i32,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    #[test]
    fn composite_keys_are_one_flat_row_value_list() {
        let keys = [
            ValueTuple::Two(1.into(), 2.into()),
            ValueTuple::Two(3.into(), 4.into()),
        ];
        let sql = pair::Entity::find()
            .filter(keys_condition::<pair::Entity>(&keys, DbBackend::Sqlite))
            .build(DbBackend::Sqlite)
            .to_string();
        assert!(
            sql.ends_with(r#"WHERE ("pair"."a", "pair"."b") IN ((1, 2), (3, 4))"#),
            "{sql}"
        );
    }

    #[test]
    fn postgres_gets_a_values_list() {
        let keys = [
            ValueTuple::Two(1.into(), 2.into()),
            ValueTuple::Two(3.into(), 4.into()),
        ];
        let sql = pair::Entity::find()
            .filter(keys_condition::<pair::Entity>(&keys, DbBackend::Postgres))
            .build(DbBackend::Postgres)
            .to_string();
        assert!(
            sql.ends_with(r#"WHERE ("pair"."a", "pair"."b") IN ((VALUES (1, 2), (3, 4)))"#),
            "{sql}"
        );
    }

    #[test]
    fn no_keys_match_no_row_and_chunks_stay_under_the_limits() {
        let sql = pair::Entity::find()
            .filter(keys_condition::<pair::Entity>(&[], DbBackend::Postgres))
            .build(DbBackend::Postgres)
            .to_string();
        assert!(sql.ends_with("WHERE 1 = 2"), "{sql}");
        let keys: Vec<ValueTuple> = (0..25_001)
            .map(|i| ValueTuple::Two(i.into(), i.into()))
            .collect();
        let sizes: Vec<usize> = chunks::<pair::Entity>(&keys)
            .iter()
            .map(|c| c.len())
            .collect();
        assert_eq!(sizes, vec![10_000, 10_000, 5_001]);
        assert_eq!(chunks::<pair::Entity>(&[]).len(), 1);
    }

    mod numbered {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "numbered")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    fn where_clauses(keys: &[i64]) -> Vec<String> {
        let keys: Vec<ValueTuple> = keys.iter().map(|&k| ValueTuple::One(k.into())).collect();
        key_conditions::<numbered::Entity>(&keys, DbBackend::Sqlite)
            .into_iter()
            .map(|condition| {
                let sql = numbered::Entity::find()
                    .filter(condition)
                    .build(DbBackend::Sqlite)
                    .to_string();
                sql.split_once(" WHERE ")
                    .map(|(_, w)| w.to_owned())
                    .unwrap_or(sql)
            })
            .collect()
    }

    #[test]
    fn long_runs_of_integer_keys_are_ranges_and_the_rest_a_list() {
        // 1..=250 in any order, a run of 3 and a lone key.
        let mut keys: Vec<i64> = (1..=250).rev().collect();
        keys.extend([300, 301, 302, 500]);
        assert_eq!(
            where_clauses(&keys),
            [r#"("numbered"."id" BETWEEN 1 AND 250) OR "numbered"."id" IN (300, 301, 302, 500)"#]
        );
        // A run one short of a range stays a list; no keys match no row.
        let short: Vec<i64> = (1..MIN_RANGE as i64).collect();
        assert!(where_clauses(&short)[0].starts_with(r#""numbered"."id" IN (1, 2,"#));
        assert_eq!(where_clauses(&[]), ["1 = 2"]);
    }

    #[test]
    fn ranges_and_lists_stay_under_the_per_statement_limits() {
        // 150 runs of 100 (every other hundred) and 25,000 lone even keys above them.
        let runs = (0..150).flat_map(|run| (run * 200..run * 200 + 100).map(|k| k as i64));
        let lone = (0..25_000).map(|k| 100_000 + 2 * k as i64);
        let keys: Vec<i64> = runs.chain(lone).collect();
        let clauses = where_clauses(&keys);
        let ranges: Vec<usize> = clauses
            .iter()
            .map(|c| c.matches(" BETWEEN ").count())
            .collect();
        assert_eq!(ranges.iter().sum::<usize>(), 150);
        assert!(
            ranges.iter().all(|&n| n <= MAX_RANGES_PER_STATEMENT),
            "{ranges:?}"
        );
        let listed: usize = clauses.iter().map(|c| c.matches(", ").count() + 1).sum();
        assert!(listed >= 25_000);
        assert_eq!(
            clauses.len(),
            4,
            "100 ranges, then 50 ranges with 10,000 keys, 10,000, 5,000"
        );
    }
}
