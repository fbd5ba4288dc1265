//! Marker strategies: how a column records that a row is in the trash.
//!
//! | strategy | field | active row | trashed row | re-delete keeps |
//! |---|---|---|---|---|
//! | [`Timestamp`] (default) | `Option<T>`, `T` a [`DeletionTimestamp`] | `NULL` | the deletion time | the first time |
//! | [`Flag`] | `bool` | `false` | `true` | nothing (no time) |
//! | [`ActiveFlag`] | `bool` | `true` | `false` | nothing (no time) |
//! | [`EpochSeconds`] / [`EpochMillis`] | `i64` | `0` | Unix time of the deletion | the first time |
//!
//! `#[derive(SoftDelete)]` picks the strategy from the marker field: an `Option<..>` timestamp
//! needs no declaration; `#[soft_delete(flag)]`, `#[soft_delete(active_flag)]` and
//! `#[soft_delete(epoch = seconds)]` / `#[soft_delete(epoch = millis)]` declare the others,
//! because a `bool` or an `i64` alone does not say which way round or in which unit it counts.
//!
//! Conditions on flags and epochs are written with SQL literals (`= FALSE`, `= 0`), not bound
//! values, so that a partial index `WHERE deleted = FALSE` serves them on PostgreSQL and SQLite
//! whatever plan the server caches.

use std::fmt::Debug;
use std::marker::PhantomData;

use chrono::{DateTime, Utc};
use sea_orm::Value;
use sea_orm::sea_query::{Expr, ExprTrait};

use crate::timestamp::DeletionTimestamp;

/// The strategy of a marker column, as a value: what the schema helpers and the conditions need
/// to know about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MarkerKind {
    /// A nullable timestamp: `NULL` while active, the deletion time once trashed.
    Timestamp,
    /// A boolean, `true` once trashed.
    Flag,
    /// A boolean, `true` while active.
    ActiveFlag,
    /// An integer, `0` while active, whole seconds since the Unix epoch once trashed.
    EpochSeconds,
    /// An integer, `0` while active, milliseconds since the Unix epoch once trashed.
    EpochMillis,
}

impl MarkerKind {
    /// The condition "`column` says the row is active".
    pub fn active(self, column: Expr) -> Expr {
        match self {
            MarkerKind::Timestamp => column.is_null(),
            MarkerKind::Flag => column.eq(constant(false)),
            MarkerKind::ActiveFlag => column.eq(constant(true)),
            MarkerKind::EpochSeconds | MarkerKind::EpochMillis => column.eq(constant(0_i64)),
        }
    }

    /// The condition "`column` says the row is trashed".
    pub fn trashed(self, column: Expr) -> Expr {
        match self {
            MarkerKind::Timestamp => column.is_not_null(),
            MarkerKind::Flag => column.eq(constant(true)),
            MarkerKind::ActiveFlag => column.eq(constant(false)),
            MarkerKind::EpochSeconds | MarkerKind::EpochMillis => column.ne(constant(0_i64)),
        }
    }

    /// Whether the marker records when a row was trashed (timestamps and epochs do; flags do
    /// not, so their purge needs another column).
    pub fn records_time(self) -> bool {
        !matches!(self, MarkerKind::Flag | MarkerKind::ActiveFlag)
    }

    /// Whether a key unique among active rows needs more than a plain index on `(key.., marker)`
    /// (a partial index, or on MySQL and MariaDB a generated column): a timestamp's active rows
    /// are all `NULL`, which never collides, and a flag's trashed rows share one value. Only an
    /// epoch, 0 for every active row and a distinct time per deletion, needs nothing more.
    pub(crate) fn unique_needs_generated_column(self) -> bool {
        !matches!(self, MarkerKind::EpochSeconds | MarkerKind::EpochMillis)
    }

    /// The value the marker holds for a row trashed at `at`, where it records time, as an
    /// integer or timestamp literal comparison needs it: `None` for flags.
    pub(crate) fn epoch_of(self, at: DateTime<Utc>) -> Option<i64> {
        match self {
            MarkerKind::EpochSeconds => Some(at.timestamp()),
            MarkerKind::EpochMillis => Some(at.timestamp_millis()),
            _ => None,
        }
    }

    /// The first whole second (millisecond) at or after `at`: a stored epoch is before `at`
    /// exactly when it is before this.
    pub(crate) fn epoch_at_or_after(self, at: DateTime<Utc>) -> Option<i64> {
        let nanos = i64::from(at.timestamp_subsec_nanos());
        match self {
            MarkerKind::EpochSeconds => Some(at.timestamp() + i64::from(nanos > 0)),
            MarkerKind::EpochMillis => {
                Some(at.timestamp_millis() + i64::from(nanos % 1_000_000 > 0))
            }
            _ => None,
        }
    }
}

/// An inline SQL literal: partial indexes match literals, not placeholders.
pub(crate) fn constant(value: impl Into<Value>) -> Expr {
    Expr::Constant(value.into())
}

/// How a marker field's Rust type maps to the column. Implemented by the strategy types of
/// this module; `#[derive(SoftDelete)]` names one as `SoftDeleteEntity::Marker`.
pub trait MarkerStrategy: Send + Sync + 'static {
    /// The marker field's type in the model.
    type Field: Clone + Send + Sync + 'static;

    /// What a trashed row tells about its deletion: the time in UTC for timestamps and epochs,
    /// `()` for flags, which record none.
    type TrashedAt: Clone + Debug + PartialEq + Send + Sync + 'static;

    /// The strategy as a value.
    const KIND: MarkerKind;

    /// What the column is set to when a row is trashed at `at`.
    fn trashed_value(at: DateTime<Utc>) -> Value;

    /// What the column is set to when a row is restored.
    fn active_value() -> Value;

    /// `None` for an active row; for a trashed row, what the marker tells about its deletion.
    fn trashed_at(field: &Self::Field) -> Option<Self::TrashedAt>;

    /// `at` as the marker keeps it: truncated to whole seconds or milliseconds by an epoch,
    /// unchanged by the others (a timestamp keeps the microseconds every stamp has; a flag's time
    /// goes to the `touch` column).
    fn stored_time(at: DateTime<Utc>) -> DateTime<Utc> {
        at
    }
}

/// A strategy whose marker records when a row was trashed: timestamps and epochs.
pub trait RecordsTime: MarkerStrategy {
    /// The condition "trashed before `cutoff`" on `column`.
    fn deleted_before(column: Expr, cutoff: DateTime<Utc>) -> Expr;
}

/// The default strategy: `Option<T>`, `NULL` while active, the deletion time once trashed.
#[derive(Debug)]
pub struct Timestamp<T>(PhantomData<fn() -> T>);

impl<T: DeletionTimestamp> MarkerStrategy for Timestamp<T> {
    type Field = Option<T>;
    type TrashedAt = DateTime<Utc>;
    const KIND: MarkerKind = MarkerKind::Timestamp;

    fn trashed_value(at: DateTime<Utc>) -> Value {
        T::from_utc(at).into_value()
    }

    fn active_value() -> Value {
        T::null_value()
    }

    fn trashed_at(field: &Option<T>) -> Option<DateTime<Utc>> {
        field.as_ref().map(DeletionTimestamp::to_utc)
    }
}

impl<T: DeletionTimestamp> RecordsTime for Timestamp<T> {
    fn deleted_before(column: Expr, cutoff: DateTime<Utc>) -> Expr {
        column.lt(Expr::val(T::from_utc(cutoff).into_value()))
    }
}

/// The strategy of a marker field `Option<T>`: what the derive names, so that a `T` that is no
/// timestamp is one error at the type, not one per place the strategy is used.
#[doc(hidden)]
pub trait TimestampMarker {
    /// [`Timestamp<Self>`].
    type Strategy: MarkerStrategy<Field = Option<Self>> + RecordsTime
    where
        Self: Sized;
}

impl<T: DeletionTimestamp> TimestampMarker for T {
    type Strategy = Timestamp<T>;
}

/// `bool`, `true` once trashed: `#[soft_delete(flag)]`, Hibernate's default and diesel's.
#[derive(Debug)]
pub struct Flag;

impl MarkerStrategy for Flag {
    type Field = bool;
    type TrashedAt = ();
    const KIND: MarkerKind = MarkerKind::Flag;

    fn trashed_value(_: DateTime<Utc>) -> Value {
        true.into()
    }

    fn active_value() -> Value {
        false.into()
    }

    fn trashed_at(field: &bool) -> Option<()> {
        field.then_some(())
    }
}

/// `bool`, `true` while active: `#[soft_delete(active_flag)]`, Hibernate's `ACTIVE` strategy.
#[derive(Debug)]
pub struct ActiveFlag;

impl MarkerStrategy for ActiveFlag {
    type Field = bool;
    type TrashedAt = ();
    const KIND: MarkerKind = MarkerKind::ActiveFlag;

    fn trashed_value(_: DateTime<Utc>) -> Value {
        false.into()
    }

    fn active_value() -> Value {
        true.into()
    }

    fn trashed_at(field: &bool) -> Option<()> {
        (!field).then_some(())
    }
}

/// `i64` Unix seconds, `0` while active: `#[soft_delete(epoch = seconds)]`, as GORM's
/// `soft_delete` plugin stores it.
#[derive(Debug)]
pub struct EpochSeconds;

/// `i64` Unix milliseconds, `0` while active: `#[soft_delete(epoch = millis)]`.
#[derive(Debug)]
pub struct EpochMillis;

macro_rules! epoch_strategy {
    ($strategy:ident, $kind:ident, $from:expr) => {
        impl MarkerStrategy for $strategy {
            type Field = i64;
            type TrashedAt = DateTime<Utc>;
            const KIND: MarkerKind = MarkerKind::$kind;

            fn trashed_value(at: DateTime<Utc>) -> Value {
                Self::KIND.epoch_of(at).unwrap_or_default().into()
            }

            fn active_value() -> Value {
                0_i64.into()
            }

            fn trashed_at(field: &i64) -> Option<DateTime<Utc>> {
                (*field != 0).then(|| Self::time_of(*field).unwrap_or_default())
            }

            fn stored_time(at: DateTime<Utc>) -> DateTime<Utc> {
                Self::time_of(Self::KIND.epoch_of(at).unwrap_or_default()).unwrap_or(at)
            }
        }

        impl $strategy {
            /// The instant a stored value means.
            fn time_of(value: i64) -> Option<DateTime<Utc>> {
                let from: fn(i64) -> Option<DateTime<Utc>> = $from;
                from(value)
            }
        }

        impl RecordsTime for $strategy {
            /// Compared at the marker's precision, rounding the cutoff up: a row stamped at
            /// any tick before the cutoff goes, none stamped at or after it.
            fn deleted_before(column: Expr, cutoff: DateTime<Utc>) -> Expr {
                let cutoff = Self::KIND.epoch_at_or_after(cutoff).unwrap_or_default();
                column
                    .clone()
                    .ne(constant(0_i64))
                    .and(column.lt(Expr::val(cutoff)))
            }
        }
    };
}

epoch_strategy!(EpochSeconds, EpochSeconds, |secs| DateTime::from_timestamp(
    secs, 0
));
epoch_strategy!(EpochMillis, EpochMillis, DateTime::from_timestamp_millis);
