//! Our API against the equivalent hand-written SeaORM code and raw SQL (sqlx), on the same data,
//! for the scenarios of `BENCHMARKS.md`: S1, S2, S3, S4, S4b, S5a, S5b, S8. SQLite (a file
//! database) always; PostgreSQL when `SOFT_DELETE_BENCH_POSTGRES_URL` is set.
//!
//! `cargo bench -p soft-delete-bench --bench scenarios`; statement counts are printed before each scenario's timings.
//! Each scenario is a module; every variant that goes through SeaORM runs in one transaction
//! (`Bench::in_transaction`), and the data comes from `benches/shapes`, which the tests share.

#[path = "../shapes/mod.rs"]
mod shapes;
#[path = "../support/mod.rs"]
mod support;

mod bulk;
mod cascade;
mod instance;
mod purge;
mod reads;

use chrono::{DateTime, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use sea_orm::DbBackend;
use support::Bench;
use tokio::runtime::Runtime;

const ITEMS: usize = 20_000;
const HALF: usize = 10_000;
const ONE_BY_ONE: usize = 1_000;

fn scenarios(c: &mut Criterion) {
    let runtime = Runtime::new().expect("runtime");
    for (name, url) in support::backends("soft_delete_bench.sqlite") {
        let bench = runtime.block_on(Bench::connect(name, &url));
        instance::scenario(c, &runtime, &bench);
        bulk::scenarios(c, &runtime, &bench);
        cascade::scenarios(c, &runtime, &bench);
        reads::scenarios(c, &runtime, &bench);
        purge::scenario(c, &runtime, &bench);
    }
}

/// The text SQLite and PostgreSQL store a UTC timestamp as, for setup SQL.
fn timestamp_literal(bench: &Bench, at: DateTime<Utc>) -> String {
    match bench.backend() {
        DbBackend::Sqlite => at.to_rfc3339(),
        _ => at.format("%Y-%m-%d %H:%M:%S%:z").to_string(),
    }
}

criterion_group!(benches, scenarios);
criterion_main!(benches);
