//! The leak guard: a connection wrapper that reads every statement it sends and reports the ones
//! that would show trashed rows, rewrite them, or hard-delete, so that "where the trash still
//! shows" is checked rather than remembered.
//!
//! Wrap the connection once, where the application opens it; everything else is unchanged:
//!
//! ```
//! # mod product {
//! #     use sea_orm::entity::prelude::*;
//! #     use soft_delete_core::prelude::*;
//! #     #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
//! #     #[sea_orm(table_name = "product")]
//! #     pub struct Model {
//! #         #[sea_orm(primary_key)]
//! #         pub id: i32,
//! #         pub deleted_at: Option<DateTimeUtc>,
//! #     }
//! #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
//! #     pub enum Relation {}
//! #     impl ActiveModelBehavior for ActiveModel {}
//! # }
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), soft_delete_core::Error> {
//! use sea_orm::EntityTrait;
//! use soft_delete_core::Error;
//! use soft_delete_core::guard::{GuardMode, GuardedConnection, LeakKind, allow_trashed};
//!
//! let db = GuardedConnection::new(
//!     sea_orm::Database::connect("sqlite::memory:").await?,
//!     GuardMode::Deny,
//! );
//! # soft_delete_core::schema::create_table::<product::Entity, _>(&db).await?;
//! // The library's calls pass...
//! product::Entity::objects().all(&db).await?;
//! product::Entity::all_objects().all(&db).await?;
//! product::Entity::soft_delete_many().exec(&db).await?;
//!
//! // ...SeaORM's own `find()` shows the trash, and is refused before it is sent.
//! let refused = product::Entity::find().all(&db).await.unwrap_err();
//! let Some(Error::Leak(leak)) = Error::downcast_ref(&refused) else { panic!("{refused}") };
//! assert_eq!((leak.kind, leak.table.as_str()), (LeakKind::Read, "product"));
//!
//! // Where the trash is meant, say so.
//! allow_trashed(product::Entity::find().all(&db)).await?;
//! # Ok(())
//! # }
//! ```
//!
//! What counts: a `SELECT` at any depth (subqueries, `EXISTS`, `IN`, CTEs, `UNION` arms) that
//! names a soft-deletable table in `FROM` or a `JOIN` and has no condition on that table's marker
//! column in its `WHERE` or in an `ON` clause that filters it (any condition counts as intent:
//! `IS NULL`, `IS NOT NULL`, a comparison; a `LEFT JOIN`'s `ON` filters only the joined table);
//! an `UPDATE` of such a table or an upsert into it without one, unless it names one row by its
//! whole primary key and leaves the marker alone (SeaORM's `ActiveModel::update` of a row the
//! application read); any `DELETE`, `TRUNCATE` or `REPLACE` of one; and any statement the
//! guard cannot analyse that names one, as a word or inside a string (unreadable SQL, `MERGE`,
//! `PREPARE`, a `DO` block: [`LeakKind::Unchecked`]). A marker condition counts when it is one
//! of the `AND`-ed terms and names no other column. Statements this library
//! sends for its own operations (force delete, purge, the reads behind cascades and lookups) are
//! not reported; statements a hook sends are.
//!
//! Two reads are not leaks: a joined table pinned to one row by its whole key and not returned
//! (SeaORM's `model.find_related(..)` joins the model's own table so), and SeaORM's read-back of
//! the row an `insert` or `update` just wrote through the same guard, on backends without
//! `RETURNING`.
//!
//! What it cannot see: statements sent around it (another connection, a pool cloned before
//! wrapping), and SQL it cannot analyse that names no soft-deletable table (vendor commands, a
//! view that reads one). Such SQL is sent, with a `tracing` warning once per text, in every mode;
//! SeaORM's own statements all parse (the guarded test suite shows it).

mod analysis;
mod classify;
mod connection;
mod finding;
mod from_clause;
mod observer;
mod predicates;
mod readback;
mod scan;
mod unreadable;

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use sea_orm::{DbBackend, ExecResult, Statement, Value, Values};

pub use crate::leak::{Leak, LeakKind};
pub use connection::GuardedConnection;
pub use observer::{LeakObserver, observe, observe_after};
use readback::{KeySource, WrittenRow};

use crate::error::Error;
use crate::scope::{self, Access};
use crate::tables::registered_tables;

/// What the guard does with a leak.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuardMode {
    /// The statement is not sent: it fails with [`Error::Leak`] inside a `DbErr`.
    Deny,
    /// The statement runs; a `tracing` warning names the leak, once per distinct SQL text.
    Warn,
    /// Nothing is read or reported.
    Off,
}

/// Runs `future` with reads and updates of trashed rows allowed on guarded connections: for
/// code that means the whole table (an export, an admin view) and cannot say so in SQL.
/// Only statements sent while `future` is polled are allowed, not tasks it spawns.
pub fn allow_trashed<F: Future>(future: F) -> impl Future<Output = F::Output> {
    scope::scoped(future, |access| Access {
        trashed: true,
        ..access
    })
}

/// Runs `future` with hard deletes allowed on guarded connections (SeaORM's `delete_many`,
/// `delete_by_id`, raw `DELETE`): for tests and maintenance that mean it.
pub fn allow_hard_delete<F: Future>(future: F) -> impl Future<Output = F::Output> {
    scope::scoped(future, |access| Access {
        hard_delete: true,
        ..access
    })
}

/// A leak as the guard keeps it with the text's analysis.
#[derive(Debug)]
struct Reported {
    leak: Leak,
    /// The bound values that name the one row the statement reads by its whole primary key.
    pinned_key: Option<Vec<usize>>,
}

/// The row a task just wrote through a guard, on a backend without `RETURNING`: SeaORM's
/// `insert` and `ActiveModel::update` read it back by its key in their next statement.
#[derive(Debug)]
struct Written {
    /// The guard that saw the write (its address): another connection's reads are not a
    /// read-back.
    guard: usize,
    /// The task that wrote (see [`current_task`]): another task's reads are not a read-back.
    task: usize,
    table: String,
    /// The row's primary key, in key order.
    key: Vec<KeyValue>,
}

/// One column of a written row's key.
#[derive(Debug)]
enum KeyValue {
    Bound(Value),
    Generated(u64),
    /// An id the database generated that the watcher did not see (the observer sees the
    /// statement, not its result): any integer matches.
    GeneratedUnseen,
}

impl KeyValue {
    /// Whether `value`, bound to a read, is this key value.
    fn matches(&self, value: &Value) -> bool {
        match self {
            KeyValue::Bound(bound) => {
                bound == value || integer(bound).is_some_and(|n| integer(value) == Some(n))
            }
            KeyValue::Generated(id) => integer(value) == Some(i128::from(*id)),
            KeyValue::GeneratedUnseen => integer(value).is_some(),
        }
    }
}

/// An integer value as a number, whatever its width.
fn integer(value: &Value) -> Option<i128> {
    match value {
        Value::TinyInt(n) => n.map(i128::from),
        Value::SmallInt(n) => n.map(i128::from),
        Value::Int(n) => n.map(i128::from),
        Value::BigInt(n) => n.map(i128::from),
        Value::TinyUnsigned(n) => n.map(i128::from),
        Value::SmallUnsigned(n) => n.map(i128::from),
        Value::Unsigned(n) => n.map(i128::from),
        Value::BigUnsigned(n) => n.map(i128::from),
        _ => None,
    }
}

thread_local! {
    /// Taken by the next statement checked on this thread. SeaORM reads a written row back in
    /// the same poll of the same task, so the thread that wrote is the thread that reads.
    static JUST_WROTE: RefCell<Option<Written>> = const { RefCell::new(None) };
}

/// The task that polls the caller, as the data pointer of its waker: each task of a runtime has
/// a waker of its own, so two tasks that share a thread are told apart.
async fn current_task() -> usize {
    std::future::poll_fn(|context| std::task::Poll::Ready(context.waker().data() as usize)).await
}

/// Whether `reported` is SeaORM reading back the row just written: a read of one row of the
/// same table by exactly that row's key, through the same guard, by the same task, as the next
/// statement after the write.
fn reads_back(
    reported: &Reported,
    written: Option<&Written>,
    guard: usize,
    task: usize,
    values: Option<&Values>,
) -> bool {
    let (Some(written), Some(values), Some(key)) = (written, values, &reported.pinned_key) else {
        return false;
    };
    reported.leak.kind == LeakKind::Read
        && written.guard == guard
        && written.task == task
        && reported.leak.table == written.table
        && key.len() == written.key.len()
        && key.iter().zip(&written.key).all(|(index, column)| {
            values
                .0
                .get(*index)
                .is_some_and(|value| column.matches(value))
        })
}

/// After a statement that wrote `row` ran, on a backend that SeaORM reads back from: what the
/// next read of the same task may read back.
fn remember_write(
    guard: &Guard,
    task: usize,
    row: &WrittenRow,
    statement: &Statement,
    result: Option<&ExecResult>,
) {
    let bound = statement
        .values
        .as_ref()
        .map_or(&[][..], |values| &values.0[..]);
    let key: Option<Vec<KeyValue>> = row
        .key
        .iter()
        .map(|source| match source {
            KeySource::Bound(index) => bound.get(*index).cloned().map(KeyValue::Bound),
            KeySource::Generated => match result {
                Some(result) => Some(result.last_insert_id())
                    .filter(|id| *id != 0)
                    .map(KeyValue::Generated),
                None => Some(KeyValue::GeneratedUnseen),
            },
        })
        .collect();
    let written = key.map(|key| Written {
        guard: guard as *const Guard as usize,
        task,
        table: row.table.clone(),
        key,
    });
    JUST_WROTE.with(|cell| *cell.borrow_mut() = written);
}

/// Texts analysed beyond this many are not cached: SeaORM's statements are parameterized, so an
/// application repeats a bounded set of texts, but raw SQL with inlined values would not.
const CACHE_LIMIT: usize = 4096;

/// What a guard keeps: its mode and the analysis of every text it has seen.
#[derive(Debug)]
struct Guard {
    mode: GuardMode,
    cache: Mutex<HashMap<String, Arc<Verdict>>>,
    reported: Mutex<Vec<Leak>>,
}

/// The analysis of one text, and whether its warning has been given.
#[derive(Debug)]
struct Verdict {
    leaks: Vec<Reported>,
    /// The one row of a soft-deletable table the statement writes (see [`remember_write`]).
    writes_one_row: Option<WrittenRow>,
    unreadable: Option<String>,
    warned: AtomicBool,
}

impl Guard {
    fn new(mode: GuardMode) -> Self {
        Self {
            mode,
            cache: Mutex::new(HashMap::new()),
            reported: Mutex::new(Vec::new()),
        }
    }

    /// Checks `sql`, bound to `values`, before it is sent: `Err` when the guard denies it. The
    /// verdict tells the caller what to remember once the statement ran.
    fn check(
        &self,
        sql: &str,
        values: Option<&Values>,
        backend: DbBackend,
        task: usize,
    ) -> Result<Option<Arc<Verdict>>, Error> {
        let just_wrote = JUST_WROTE.with(|cell| cell.borrow_mut().take());
        if self.mode == GuardMode::Off {
            return Ok(None);
        }
        let access = scope::current();
        if access.library {
            return Ok(None);
        }
        let verdict = self.verdict(sql, backend);
        if let Some(reason) = verdict
            .unreadable
            .as_ref()
            .filter(|_| verdict.leaks.is_empty())
        {
            if !verdict.warned.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    sql,
                    reason,
                    "soft-delete leak guard cannot read this statement; it runs unchecked"
                );
            }
            return Ok(Some(verdict));
        }
        let leak = verdict.leaks.iter().find(|reported| {
            let allowed = match reported.leak.kind {
                LeakKind::Read | LeakKind::Write => access.trashed,
                LeakKind::HardDelete => access.hard_delete,
                LeakKind::Unchecked => access.trashed && access.hard_delete,
            };
            !allowed
                && !reads_back(
                    reported,
                    just_wrote.as_ref(),
                    self as *const Guard as usize,
                    task,
                    values,
                )
        });
        let Some(Reported { leak, .. }) = leak else {
            return Ok(Some(verdict));
        };
        self.remember(leak);
        match self.mode {
            GuardMode::Deny => Err(Error::Leak(Box::new(leak.clone()))),
            _ => {
                if !verdict.warned.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        kind = %leak.kind,
                        table = leak.table,
                        alias = leak.alias,
                        sql,
                        instead = leak.instead,
                        "soft-delete leak"
                    );
                }
                Ok(Some(verdict))
            }
        }
    }

    /// The analysis of `sql`, from the cache or parsed (outside the lock, so that other
    /// statements are not held up by a parse).
    fn verdict(&self, sql: &str, backend: DbBackend) -> Arc<Verdict> {
        let cache = || {
            self.cache
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        };
        if let Some(verdict) = cache().get(sql) {
            return Arc::clone(verdict);
        }
        let analysis = analysis::analyze(sql, backend, registered_tables());
        let verdict = Arc::new(Verdict {
            leaks: analysis
                .findings
                .into_iter()
                .map(|finding| Reported {
                    leak: Leak {
                        kind: finding.kind,
                        table: finding.table,
                        alias: finding.alias,
                        sql: sql.to_owned(),
                        instead: finding.kind.instead(),
                    },
                    pinned_key: finding.pinned_key,
                })
                .collect(),
            writes_one_row: analysis.writes_one_row,
            unreadable: analysis.unreadable,
            warned: AtomicBool::new(false),
        });
        let mut cache = cache();
        if cache.len() < CACHE_LIMIT {
            let cached = cache
                .entry(sql.to_owned())
                .or_insert_with(|| Arc::clone(&verdict));
            return Arc::clone(cached);
        }
        verdict
    }

    /// Every distinct leak reported so far.
    fn reported_leaks(&self) -> Vec<Leak> {
        self.reported
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    fn remember(&self, leak: &Leak) {
        let mut reported = self
            .reported
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if reported.len() < CACHE_LIMIT && !reported.contains(leak) {
            reported.push(leak.clone());
        }
    }
}
