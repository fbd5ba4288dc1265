//! What the leak guard reports: a statement that would show trashed rows, rewrite them or
//! delete for good. A value, kept apart from the guard that finds it, so that [`Error`](crate::Error)
//! can carry it without depending on the guard.

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
