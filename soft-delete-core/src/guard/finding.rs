//! What the analysis reports of one table a statement reaches.

use crate::leak::LeakKind;

/// One soft-deletable table that a statement reaches without saying what it means for the trash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Finding {
    pub(crate) kind: LeakKind,
    pub(crate) table: String,
    /// The alias the statement gives the table, when it gives one.
    pub(crate) alias: Option<String>,
    /// The bound values `WHERE` sets the table's whole primary key to, in key order: the read
    /// of one row by its key.
    pub(crate) pinned_key: Option<Vec<usize>>,
}
