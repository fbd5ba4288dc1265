//! Where deletion timestamps come from.
//!
//! Operations read the time from the clock in scope for the current task ([`with_clock`]), or
//! the system's UTC clock when none is. A scope covers one task, so tests running in parallel
//! can each freeze or move their own time. One call can also be given its time directly with
//! the builders' `at(..)`.
//!
//! Every timestamp is truncated to whole microseconds: PostgreSQL and MariaDB's `DATETIME(6)`
//! keep no more, and a value the library returns must equal the value the database stores.

use std::fmt::Debug;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, TimeDelta, Timelike, Utc};

/// A source of the current time.
pub trait Clock: Debug + Send + Sync {
    /// The current time in UTC.
    fn now(&self) -> DateTime<Utc>;
}

/// The operating system's clock; the default.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until it is set or advanced; for tests.
///
/// Clones share the same time.
///
/// ```
/// # mod product {
/// #     use sea_orm::entity::prelude::*;
/// #     use soft_delete_core::prelude::*;
/// #     #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
/// #     #[sea_orm(table_name = "product")]
/// #     pub struct Model {
/// #         #[sea_orm(primary_key)]
/// #         pub id: i32,
/// #         pub name: String,
/// #         pub price: i64,
/// #         pub deleted_at: Option<DateTimeUtc>,
/// #     }
/// #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #     pub enum Relation {}
/// #     impl ActiveModelBehavior for ActiveModel {}
/// # }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), soft_delete_core::Error> {
/// # let db = sea_orm::Database::connect("sqlite::memory:").await?;
/// # soft_delete_core::schema::create_table::<product::Entity, _>(&db).await?;
/// # sea_orm::ConnectionTrait::execute_unprepared(&db, "INSERT INTO product (id, name, price) VALUES (1, 'pen', 2), (2, 'desk', 150), (3, 'lamp', 40)").await?;
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use soft_delete_core::clock::{self, ManualClock};
///
/// let start = Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
/// let clock = ManualClock::new(start);
/// let pen = clock::with_clock(clock.clone(), product::Entity::soft_delete_by_id(1).exec(&db)).await?;
/// assert_eq!(pen.deleted_at, Some(start));
/// clock.advance(TimeDelta::hours(1));
/// let desk = clock::with_clock(clock, product::Entity::soft_delete_by_id(2).exec(&db)).await?;
/// assert_eq!(desk.deleted_at, Some(start + TimeDelta::hours(1)));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct ManualClock {
    now: Arc<Mutex<DateTime<Utc>>>,
}

impl ManualClock {
    /// A clock frozen at `now`.
    pub fn new(now: DateTime<Utc>) -> Self {
        Self {
            now: Arc::new(Mutex::new(now)),
        }
    }

    /// Moves the clock to `now`.
    pub fn set(&self, now: DateTime<Utc>) {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner) = now;
    }

    /// Moves the clock forward by `delta`.
    pub fn advance(&self, delta: TimeDelta) {
        let mut now = self.now.lock().unwrap_or_else(PoisonError::into_inner);
        *now += delta;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

tokio::task_local! {
    static TASK_CLOCK: Arc<dyn Clock>;
}

/// Runs `future` with `clock` as the source of every deletion timestamp it takes.
///
/// The scope is the future itself: tasks it spawns do not inherit it, and other tasks keep their
/// own clocks.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use soft_delete_core::clock::{self, ManualClock};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let frozen = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
/// let seen = clock::with_clock(ManualClock::new(frozen), async { clock::now() }).await;
/// assert_eq!(seen, frozen);
/// # }
/// ```
pub async fn with_clock<F>(clock: impl Clock + 'static, future: F) -> F::Output
where
    F: Future,
{
    TASK_CLOCK.scope(Arc::new(clock), future).await
}

/// The current time from the clock in scope, truncated to microseconds.
pub fn now() -> DateTime<Utc> {
    let now = TASK_CLOCK
        .try_with(|clock| clock.now())
        .unwrap_or_else(|_| Utc::now());
    to_storage_precision(now)
}

/// Truncates to the microseconds that every supported backend stores.
pub(crate) fn to_storage_precision(at: DateTime<Utc>) -> DateTime<Utc> {
    // What `trunc_subsecs(6)` gives, without its checked date arithmetic (about 200 client
    // instructions on every operation), and on the naive time: `DateTime::with_nanosecond` maps
    // through the offset with checked arithmetic, even for UTC (about 90 more). A leap second's
    // nanoseconds (1e9 and above) stay in it.
    let nanos = at.timestamp_subsec_nanos();
    match at.naive_utc().with_nanosecond(nanos - nanos % 1_000) {
        Some(truncated) => truncated.and_utc(),
        None => at,
    }
}

/// Rounds up to the next whole microsecond (unchanged when already whole): the first tick that
/// every supported backend can store at or after `at`. A stamp, always a whole microsecond, is
/// before `at` exactly when it is before this.
pub(crate) fn round_up_to_storage_precision(at: DateTime<Utc>) -> DateTime<Utc> {
    let truncated = to_storage_precision(at);
    if truncated == at {
        return at;
    }
    truncated
        .checked_add_signed(chrono::TimeDelta::microseconds(1))
        .unwrap_or(truncated)
}

/// Where an entity's deletion timestamps come from: `#[soft_delete(clock = database)]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClockSource {
    /// The clock in scope for the task ([`with_clock`]), else the system clock.
    #[default]
    Application,
    /// The database server's clock, so that several application servers agree. Each operation
    /// reads it once (one extra `SELECT`) and writes that value like an application timestamp,
    /// so stored values compare correctly with the other source on every backend.
    Database,
}

/// The timestamp of one operation on an entity whose clock is `source`: the explicit `at(..)`,
/// else that clock's time.
pub(crate) async fn operation_time<C: sea_orm::ConnectionTrait>(
    source: ClockSource,
    explicit: Option<DateTime<Utc>>,
    db: &C,
) -> Result<DateTime<Utc>, sea_orm::DbErr> {
    match (explicit, source) {
        (Some(at), _) => Ok(at),
        (None, ClockSource::Application) => Ok(now()),
        (None, ClockSource::Database) => database_now(db).await,
    }
}

/// The time of a soft delete on an entity whose clock is `source` ([`operation_time`]), refused
/// in the first second after the Unix epoch, where an epoch marker (in seconds or milliseconds)
/// would store 0, the value of an active row: a clock left at its zero value (a test's
/// `ManualClock::new(Default::default())`) fails instead of reporting rows trashed that are not.
pub(crate) async fn deletion_time<C: sea_orm::ConnectionTrait>(
    source: ClockSource,
    explicit: Option<DateTime<Utc>>,
    db: &C,
) -> Result<DateTime<Utc>, crate::Error> {
    let at = operation_time(source, explicit, db).await?;
    // Whole seconds since the epoch, rounded down: 0 is exactly that first second (compared
    // without `epoch + 1 s`, whose checked arithmetic every soft delete paid).
    if at.timestamp() == 0 {
        return Err(crate::Error::InvalidDeletionTime(at));
    }
    Ok(at)
}

/// Reads the server's current UTC time. SQLite's `CURRENT_TIMESTAMP` has whole seconds and a
/// text format unlike the one bound values get, so it is asked for fractional seconds instead;
/// the value is then bound like any other, which keeps one storage format per column.
async fn database_now<C: sea_orm::ConnectionTrait>(
    db: &C,
) -> Result<DateTime<Utc>, sea_orm::DbErr> {
    use sea_orm::{DbBackend, DbErr, Statement};
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => "SELECT CURRENT_TIMESTAMP",
        DbBackend::MySql => "SELECT UTC_TIMESTAMP(6)",
        _ => "SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')",
    };
    let row = db
        .query_one_raw(Statement::from_string(backend, sql))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("`{sql}` returned no row")))?;
    let at = match backend {
        DbBackend::Postgres => row.try_get_by_index::<DateTime<Utc>>(0)?,
        _ => row.try_get_by_index::<chrono::NaiveDateTime>(0)?.and_utc(),
    };
    Ok(to_storage_precision(at))
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, SubsecRound, TimeZone};

    use super::*;

    #[test]
    fn storage_precision_truncates_to_microseconds_as_chrono_does() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 31).expect("date");
        for (hms, nanos) in [
            ((0, 0, 0), 0),
            ((12, 34, 56), 999_999_999),
            ((12, 34, 56), 123_456_789),
            ((12, 34, 56), 1_000),
            ((12, 34, 56), 999),
            // A leap second: nanoseconds from 1e9.
            ((23, 59, 59), 1_999_999_999),
            ((23, 59, 59), 1_000_000_500),
        ] {
            let (h, m, s) = hms;
            let at = Utc.from_utc_datetime(&day.and_hms_nano_opt(h, m, s, nanos).expect("time"));
            assert_eq!(to_storage_precision(at), at.trunc_subsecs(6), "{at:?}");
        }
    }

    #[test]
    fn rounding_up_reaches_the_next_microsecond_only_between_ticks() {
        let at = |nanos: u32| {
            let day = NaiveDate::from_ymd_opt(2026, 12, 31).expect("date");
            Utc.from_utc_datetime(&day.and_hms_nano_opt(12, 0, 0, nanos).expect("time"))
        };
        assert_eq!(round_up_to_storage_precision(at(5_000)), at(5_000));
        assert_eq!(round_up_to_storage_precision(at(5_001)), at(6_000));
        assert_eq!(round_up_to_storage_precision(at(5_500)), at(6_000));
        assert_eq!(
            round_up_to_storage_precision(at(999_999_999)),
            at(0) + chrono::TimeDelta::seconds(1)
        );
        assert_eq!(round_up_to_storage_precision(at(0)), at(0));
    }
}
