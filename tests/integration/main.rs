//! The integration tests: one binary, a module per feature, each run on SQLite and on every
//! backend configured with `SOFT_DELETE_TEST_POSTGRES_URL` / `SOFT_DELETE_TEST_MARIADB_URL`.
//! The slow suites are binaries of their own: `model_based`, `reliability` and `service`.

#[path = "../common/mod.rs"]
#[macro_use]
mod common;

mod audit;
mod bench_scenarios;
mod cascade;
mod contexts;
mod default_scope;
mod edges;
mod entity_shapes;
mod faults;
mod guard;
mod hooks;
mod lifecycle;
mod markers;
mod operations;
mod plans;
mod pruner;
mod relations;
mod sql;
