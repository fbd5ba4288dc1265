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
//! column in its `WHERE` or `ON` clauses (any condition counts as intent: `IS NULL`,
//! `IS NOT NULL`, a comparison); an `UPDATE` of such a table without one, unless it names one
//! row by its whole primary key (SeaORM's `ActiveModel::update` of a row the application read);
//! and any `DELETE` from one. Statements this library sends for its own operations (force
//! delete, purge, the reads behind cascades and lookups) are not reported; statements a hook
//! sends are.
//!
//! What it cannot see: statements sent around it (another connection, a pool cloned before
//! wrapping), and SQL its parser cannot read. Such SQL is sent, with a `tracing` warning once per
//! text, in every mode: refusing it would stop statements the guard knows nothing about (vendor
//! commands), and SeaORM's own statements all parse (the guarded test suite shows it).

mod analysis;
mod connection;

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use sea_orm::{DbBackend, ExecResult, Value, Values};

pub use analysis::LeakKind;
pub use connection::GuardedConnection;

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

/// A statement the guard reported: what it leaks, where, and what to call instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leak {
    /// What the statement would do.
    pub kind: LeakKind,
    /// The soft-deletable table.
    pub table: String,
    /// The alias the statement gives the table, if any.
    pub alias: Option<String>,
    /// The statement, as SeaORM sent it (placeholders, not values).
    pub sql: String,
    /// The call to use instead.
    pub instead: &'static str,
}

impl std::fmt::Display for Leak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} of `{}`", self.kind, self.table)?;
        if let Some(alias) = &self.alias {
            write!(f, " (as `{alias}`)")?;
        }
        write!(f, " in `{}`: {}", self.sql, self.instead)
    }
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
    /// The statement reads one row of the table by its whole primary key.
    pinned: bool,
}

/// An `INSERT` into a soft-deletable table this thread just sent, with the id it generated
/// (0 when the key was not generated).
#[derive(Debug)]
struct Inserted {
    table: String,
    id: u64,
}

thread_local! {
    /// Taken by the next statement checked on this thread.
    static JUST_INSERTED: RefCell<Option<Inserted>> = const { RefCell::new(None) };
}

/// Whether `reported` is SeaORM reading back the row it just inserted (on backends without
/// `RETURNING`, `insert` sends `SELECT .. WHERE id = ?` next): the same table, one row by its
/// key, and that key the generated id when one was generated.
fn reads_back(reported: &Reported, inserted: Option<&Inserted>, values: Option<&Values>) -> bool {
    let Some(inserted) = inserted else {
        return false;
    };
    if reported.leak.kind != LeakKind::Read
        || !reported.pinned
        || reported.leak.table != inserted.table
    {
        return false;
    }
    inserted.id == 0
        || values.is_some_and(|values| {
            values.0.iter().any(|value| match value {
                Value::BigUnsigned(Some(id)) => *id == inserted.id,
                Value::Unsigned(Some(id)) => u64::from(*id) == inserted.id,
                Value::BigInt(Some(id)) => u64::try_from(*id).is_ok_and(|id| id == inserted.id),
                Value::Int(Some(id)) => u64::try_from(*id).is_ok_and(|id| id == inserted.id),
                _ => false,
            })
        })
}

/// After an `INSERT` into a soft-deletable table ran, what the next read may read back.
fn remember_insert(verdict: Option<&Verdict>, backend: DbBackend, result: &ExecResult) {
    let Some(table) = verdict.and_then(|verdict| verdict.inserts_into.clone()) else {
        return;
    };
    // PostgreSQL has no last insert id (SeaORM reads back with `RETURNING` there).
    let id = match backend {
        DbBackend::Postgres => 0,
        _ => result.last_insert_id(),
    };
    JUST_INSERTED.with(|cell| *cell.borrow_mut() = Some(Inserted { table, id }));
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
    /// The soft-deletable table an `INSERT` writes to.
    inserts_into: Option<String>,
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
    ) -> Result<Option<Arc<Verdict>>, Error> {
        let just_inserted = JUST_INSERTED.with(|cell| cell.borrow_mut().take());
        if self.mode == GuardMode::Off {
            return Ok(None);
        }
        let access = scope::current();
        if access.library {
            return Ok(None);
        }
        let verdict = self.verdict(sql, backend);
        if let Some(reason) = &verdict.unreadable {
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
            };
            !allowed && !reads_back(reported, just_inserted.as_ref(), values)
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

    fn verdict(&self, sql: &str, backend: DbBackend) -> Arc<Verdict> {
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(verdict) = cache.get(sql) {
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
                    pinned: finding.pinned,
                })
                .collect(),
            inserts_into: analysis.inserts_into,
            unreadable: analysis.unreadable,
            warned: AtomicBool::new(false),
        });
        if cache.len() < CACHE_LIMIT {
            cache.insert(sql.to_owned(), Arc::clone(&verdict));
        }
        verdict
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
