//! Model-based property tests: random sequences of operations run against a database and a
//! reference model in plain Rust, for one table (`products`) and for a cascade graph
//! (`cascades`). `SOFT_DELETE_PROPTEST_CASES` sets how many sequences run.

#[path = "../common/mod.rs"]
#[macro_use]
mod common;

mod cascades;
mod products;
