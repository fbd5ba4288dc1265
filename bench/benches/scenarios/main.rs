//! Our API against the equivalent hand-written SeaORM code and raw SQL (sqlx), on the same data,
//! for the scenarios of `BENCHMARKS.md`: S1-S8, the feature costs F1-F4 and the purge at scale
//! (P). SQLite (a file database) always; PostgreSQL and MariaDB when
//! `SOFT_DELETE_BENCH_POSTGRES_URL` / `SOFT_DELETE_BENCH_MARIADB_URL` are set.
//!
//! Two ways to run the same scenarios:
//!
//! - `cargo bench -p soft-delete-bench --bench scenarios [-- FILTER]`: criterion, one group per
//!   scenario, the variants one after the other.
//! - `SOFT_DELETE_BENCH_ROUNDS=11 cargo bench -p soft-delete-bench --bench scenarios`: the
//!   ratios of BENCHMARKS.md. Every scenario runs in that many rounds in which the variants
//!   alternate; each ratio is the median of its per-round ratios, with the min-max spread.
//!   The tables go to stdout and to `bench/results/ratios-<backend>.md`.
//!   `SOFT_DELETE_BENCH_SCENARIOS=S1,F2` picks scenarios by id (`P` is the purge at scale, with
//!   `SOFT_DELETE_BENCH_PURGE_ROWS=100000,1000000,3000000` rows and
//!   `SOFT_DELETE_BENCH_SCALE_ROUNDS` rounds, 5 unless set).
//!
//! Each scenario is a module; every variant that goes through SeaORM runs in one transaction
//! (`Bench::in_transaction`) unless the scenario says otherwise, and the data of S1-S8 comes
//! from `benches/shapes`, which the tests share.

#[path = "../shapes/mod.rs"]
mod shapes;
#[path = "../support/mod.rs"]
mod support;

mod bulk;
mod cascade;
mod features;
mod instance;
mod purge;
mod reads;

use criterion::Criterion;
use support::Bench;
use support::run::{self, Scenario};
use tokio::runtime::Runtime;

const ITEMS: usize = 20_000;
const HALF: usize = 10_000;
const ONE_BY_ONE: usize = 1_000;

/// Every scenario on `bench`, in the order of BENCHMARKS.md; the purge at scale last.
fn all_scenarios(bench: &Bench) -> Vec<Scenario<'_>> {
    let mut scenarios = vec![instance::scenario(bench)];
    scenarios.extend(bulk::scenarios(bench));
    scenarios.extend(cascade::scenarios(bench));
    scenarios.extend(reads::scenarios(bench));
    scenarios.push(purge::scenario(bench));
    scenarios.extend(features::scenarios(bench));
    for rows in purge_rows() {
        scenarios.extend(purge::at_scale(bench, rows));
    }
    scenarios
}

fn purge_rows() -> Vec<usize> {
    std::env::var("SOFT_DELETE_BENCH_PURGE_ROWS")
        .unwrap_or_else(|_| "100000,1000000,3000000".into())
        .split(',')
        .map(|rows| {
            rows.trim()
                .parse()
                .expect("SOFT_DELETE_BENCH_PURGE_ROWS: numbers")
        })
        .collect()
}

fn chosen(scenario: &Scenario) -> bool {
    std::env::var("SOFT_DELETE_BENCH_SCENARIOS").map_or(true, |ids| {
        ids.split(',').any(|id| id.trim() == scenario.id)
    })
}

fn alternating(rounds: usize) {
    let scale_rounds: usize = std::env::var("SOFT_DELETE_BENCH_SCALE_ROUNDS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(5);
    let runtime = Runtime::new().expect("runtime");
    for (name, url) in support::backends("soft_delete_bench.sqlite") {
        let bench = runtime.block_on(Bench::connect(name, &url));
        let mut rows = Vec::new();
        for scenario in all_scenarios(&bench).iter().filter(|s| chosen(s)) {
            let rounds = if scenario.id == "P" {
                scale_rounds
            } else {
                rounds
            };
            let started = std::time::Instant::now();
            let done = runtime.block_on(run::alternate(&bench, scenario, rounds));
            eprintln!(
                "{name}: {} {} in {:.0} s",
                scenario.id,
                scenario.title,
                started.elapsed().as_secs_f64()
            );
            print!("{}", run::markdown(name, &done));
            rows.extend(done);
        }
        let table = run::markdown(name, &rows);
        let path = format!("{}/results/ratios-{name}.md", env!("CARGO_MANIFEST_DIR"));
        std::fs::write(&path, &table).expect("write the results");
        println!("\n{table}");
    }
}

fn main() {
    if let Some(rounds) = std::env::var("SOFT_DELETE_BENCH_ROUNDS")
        .ok()
        .and_then(|value| value.parse().ok())
    {
        return alternating(rounds);
    }
    let mut c = Criterion::default().configure_from_args();
    let runtime = Runtime::new().expect("runtime");
    for (name, url) in support::backends("soft_delete_bench.sqlite") {
        let bench = runtime.block_on(Bench::connect(name, &url));
        for scenario in all_scenarios(&bench).iter().filter(|s| chosen(s)) {
            run::with_criterion(&mut c, &runtime, &bench, scenario);
        }
    }
    c.final_summary();
}
