//! The Rust types a deletion marker can hold, and how each is written to the database.

use chrono::{DateTime, FixedOffset, Local, NaiveDateTime, Utc};
use sea_orm::Value;

/// A type that can be `T` in a marker field `deleted_at: Option<T>`.
///
/// Implemented for SeaORM's chrono types `DateTimeUtc`, `DateTimeWithTimeZone`, `DateTimeLocal`
/// and the naive `DateTime` (read and written as UTC), and with the `with-time` feature for
/// `time::OffsetDateTime` and `time::PrimitiveDateTime` (UTC).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a soft-delete timestamp",
    label = "the deletion marker must be `Option<T>` with `T` a supported timestamp type",
    note = "use `Option<DateTimeUtc>`, `Option<DateTimeWithTimeZone>`, `Option<DateTimeLocal>` or \
            `Option<DateTime>` (naive, taken as UTC); with soft-delete-core's own `with-time` \
            feature also `Option<TimeDateTimeWithTimeZone>` or `Option<TimeDateTime>`"
)]
pub trait DeletionTimestamp: Clone + Send + Sync + 'static {
    /// The value to store for a deletion that happened at `at`.
    fn from_utc(at: DateTime<Utc>) -> Self;

    /// The same instant in UTC.
    fn to_utc(&self) -> DateTime<Utc>;

    /// `Some(self)` as a SeaORM value of the column's exact type.
    fn into_value(self) -> Value;

    /// A typed NULL for the column, as restore writes it.
    fn null_value() -> Value;
}

macro_rules! nullable_value {
    () => {
        fn into_value(self) -> Value {
            Some(self).into()
        }

        fn null_value() -> Value {
            Option::<Self>::None.into()
        }
    };
}

impl DeletionTimestamp for DateTime<Utc> {
    fn from_utc(at: DateTime<Utc>) -> Self {
        at
    }

    fn to_utc(&self) -> DateTime<Utc> {
        *self
    }

    nullable_value!();
}

impl DeletionTimestamp for DateTime<FixedOffset> {
    fn from_utc(at: DateTime<Utc>) -> Self {
        at.fixed_offset()
    }

    fn to_utc(&self) -> DateTime<Utc> {
        self.with_timezone(&Utc)
    }

    nullable_value!();
}

impl DeletionTimestamp for DateTime<Local> {
    fn from_utc(at: DateTime<Utc>) -> Self {
        at.with_timezone(&Local)
    }

    fn to_utc(&self) -> DateTime<Utc> {
        self.with_timezone(&Utc)
    }

    nullable_value!();
}

/// Naive timestamps are read and written as UTC wall-clock time.
impl DeletionTimestamp for NaiveDateTime {
    fn from_utc(at: DateTime<Utc>) -> Self {
        at.naive_utc()
    }

    fn to_utc(&self) -> DateTime<Utc> {
        self.and_utc()
    }

    nullable_value!();
}

#[cfg(feature = "with-time")]
mod with_time {
    use super::DeletionTimestamp;
    use chrono::{DateTime, Utc};
    use sea_orm::Value;
    use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

    fn to_time(at: DateTime<Utc>) -> OffsetDateTime {
        let nanos =
            i128::from(at.timestamp()) * 1_000_000_000 + i128::from(at.timestamp_subsec_nanos());
        // chrono's range lies inside time's for every date a database column can hold.
        OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    fn to_chrono(at: OffsetDateTime) -> DateTime<Utc> {
        let utc = at.to_offset(UtcOffset::UTC);
        DateTime::from_timestamp(utc.unix_timestamp(), utc.nanosecond()).unwrap_or_default()
    }

    impl DeletionTimestamp for OffsetDateTime {
        fn from_utc(at: DateTime<Utc>) -> Self {
            to_time(at)
        }

        fn to_utc(&self) -> DateTime<Utc> {
            to_chrono(*self)
        }

        nullable_value!();
    }

    /// Primitive (offset-less) timestamps are read and written as UTC wall-clock time.
    impl DeletionTimestamp for PrimitiveDateTime {
        fn from_utc(at: DateTime<Utc>) -> Self {
            let at = to_time(at);
            PrimitiveDateTime::new(at.date(), at.time())
        }

        fn to_utc(&self) -> DateTime<Utc> {
            to_chrono(self.assume_utc())
        }

        nullable_value!();
    }
}

/// Implemented when `soft-delete-core`'s `with-time` feature is on: the derive asserts it for a
/// marker of a `time` type, so that forgetting the feature says so.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "a `time` deletion marker needs soft-delete-core's own `with-time` feature",
    label = "a `time` timestamp",
    note = "SeaORM's feature of the same name is not enough: write \
            `soft-delete-core = {{ .., features = [\"with-time\"] }}` in Cargo.toml"
)]
pub trait TimeMarkersEnabled {}

#[cfg(feature = "with-time")]
impl TimeMarkersEnabled for () {}

/// What the derive expands to for a marker of a `time` type.
#[doc(hidden)]
pub fn assert_time_markers_enabled<T: TimeMarkersEnabled>() {}
