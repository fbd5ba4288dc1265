//! The engine: the statements, the steps and the three state changes every builder runs, and
//! the executor that alone decides transactions. It reads the model (entities, edges, the
//! graph) and is used by the API modules; nothing here imports a builder.
//!
//! Every write carries the row state in its `WHERE`, so concurrent callers cannot re-stamp or
//! resurrect a row and row counts are real state changes. The operations take the connection
//! they are given; [`executor`] decides when that must be a transaction of their own.

pub(crate) mod conflict;
pub(crate) mod executor;
pub(crate) mod force_delete;
pub(crate) mod plan;
pub(crate) mod prepared;
pub(crate) mod reads;
pub(crate) mod restore;
pub(crate) mod soft_delete;
pub(crate) mod statements;
pub(crate) mod steps;
pub(crate) mod typed_edge;
