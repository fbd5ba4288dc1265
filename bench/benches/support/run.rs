//! A scenario as data: its variants, what each starts from, and which ratios it reports. The
//! same definition runs under criterion (`cargo bench`) and in alternating rounds
//! (`SOFT_DELETE_BENCH_ROUNDS=11 cargo bench ..`), which is where the ratios of BENCHMARKS.md
//! come from.

use std::fmt::Write as _;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use criterion::Criterion;
use tokio::runtime::Runtime;

use super::{Bench, configured, variant};

/// An untimed or timed step of a variant.
pub type Step<'a> = Rc<dyn Fn() -> Pin<Box<dyn Future<Output = ()> + 'a>> + 'a>;

/// `f` as a [`Step`].
pub fn step<'a, F, Fut>(f: F) -> Step<'a>
where
    F: Fn() -> Fut + 'a,
    Fut: Future<Output = ()> + 'a,
{
    Rc::new(move || Box::pin(f()))
}

/// A step that does nothing (reads need no setup).
pub fn nothing<'a>() -> Step<'a> {
    step(|| async {})
}

/// How many statements a variant sends.
#[derive(Clone, Copy, Debug)]
pub enum Statements {
    /// Counted by SeaORM's metric callback, on a run before the timed ones.
    Counted,
    /// Raw SQL through sqlx, which SeaORM does not see: known by construction.
    Fixed(usize),
}

pub struct Variant<'a> {
    pub name: &'static str,
    /// Untimed, before each timed run: puts the tables in the state the run starts from.
    pub setup: Step<'a>,
    pub timed: Step<'a>,
    pub statements: Statements,
}

impl<'a> Variant<'a> {
    pub fn new(name: &'static str, setup: Step<'a>, timed: Step<'a>) -> Self {
        Variant {
            name,
            setup,
            timed,
            statements: Statements::Counted,
        }
    }

    /// A raw-SQL variant sending `statements` statements.
    pub fn raw(name: &'static str, setup: Step<'a>, timed: Step<'a>, statements: usize) -> Self {
        Variant {
            statements: Statements::Fixed(statements),
            ..Variant::new(name, setup, timed)
        }
    }
}

pub struct Scenario<'a> {
    /// `S1`, `F2`, ..: the row of BENCHMARKS.md.
    pub id: &'static str,
    pub title: String,
    /// Untimed, once before the variants: creates and fills the tables.
    pub prepare: Step<'a>,
    pub variants: Vec<Variant<'a>>,
    /// `(numerator, denominator)` indexes into `variants`, one reported ratio each.
    pub ratios: Vec<(usize, usize)>,
    /// Timed runs summed into one sample of a round (each with its own untimed setup): enough
    /// that a sample of a sub-millisecond read is not mostly timer and scheduler noise.
    pub runs_per_sample: u32,
    /// Criterion's sample count and measurement seconds.
    pub criterion: (usize, u64),
}

impl<'a> Scenario<'a> {
    /// Every variant against the first (ours), in order.
    pub fn against_first(mut self) -> Self {
        self.ratios = (1..self.variants.len()).map(|other| (0, other)).collect();
        self
    }
}

/// Registers `scenario` with criterion: one group, one function per variant.
pub fn with_criterion(c: &mut Criterion, runtime: &Runtime, bench: &Bench, scenario: &Scenario) {
    runtime.block_on((scenario.prepare)());
    let (samples, seconds) = scenario.criterion;
    let mut group = configured(
        c,
        format!("{} {} ({})", scenario.id, scenario.title, bench.name),
        samples,
        seconds,
    );
    for each in &scenario.variants {
        let (setup, timed) = (each.setup.clone(), each.timed.clone());
        variant(
            &mut group,
            each.name,
            runtime,
            move || setup(),
            move |()| timed(),
        );
    }
    group.finish();
}

/// One reported ratio: medians of the per-round ratios and times, the spread, statements.
pub struct RatioRow {
    pub scenario: String,
    pub numerator: &'static str,
    pub denominator: &'static str,
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub rounds: usize,
    pub numerator_ms: f64,
    pub denominator_ms: f64,
    pub numerator_statements: usize,
    pub denominator_statements: usize,
}

/// Runs `scenario` in `rounds` rounds after one untimed warm-up run of each variant. Within a
/// round every variant takes one sample, in an order that rotates from round to round (ours,
/// hand-written, raw; hand-written, raw, ours; ..), so that drift of the machine and the
/// position in a round hit every variant alike. Each ratio is taken within a round.
pub async fn alternate(bench: &Bench, scenario: &Scenario<'_>, rounds: usize) -> Vec<RatioRow> {
    (scenario.prepare)().await;
    let mut statements = Vec::new();
    for each in &scenario.variants {
        (each.setup)().await;
        let before = bench.statement_count.load(Ordering::Relaxed);
        (each.timed)().await;
        let counted = bench.statement_count.load(Ordering::Relaxed) - before;
        statements.push(match each.statements {
            Statements::Counted => counted,
            Statements::Fixed(known) => known,
        });
    }
    let count = scenario.variants.len();
    let mut samples = vec![Vec::with_capacity(rounds); count];
    for round in 0..rounds {
        for position in 0..count {
            let index = (position + round) % count;
            let each = &scenario.variants[index];
            let mut total = Duration::ZERO;
            for _ in 0..scenario.runs_per_sample {
                (each.setup)().await;
                let started = Instant::now();
                (each.timed)().await;
                total += started.elapsed();
            }
            samples[index].push(total.as_secs_f64() * 1e3 / f64::from(scenario.runs_per_sample));
        }
    }
    scenario
        .ratios
        .iter()
        .map(|&(top, bottom)| {
            let mut ratios: Vec<f64> = samples[top]
                .iter()
                .zip(&samples[bottom])
                .map(|(top, bottom)| top / bottom)
                .collect();
            ratios.sort_by(f64::total_cmp);
            RatioRow {
                scenario: format!("{} {}", scenario.id, scenario.title),
                numerator: scenario.variants[top].name,
                denominator: scenario.variants[bottom].name,
                median: median(&ratios),
                min: ratios[0],
                max: ratios[ratios.len() - 1],
                rounds,
                numerator_ms: median(&samples[top]),
                denominator_ms: median(&samples[bottom]),
                numerator_statements: statements[top],
                denominator_statements: statements[bottom],
            }
        })
        .collect()
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[middle]
    } else {
        (sorted[middle - 1] + sorted[middle]) / 2.0
    }
}

/// A time in ms with three significant digits or so.
fn millis(ms: f64) -> String {
    if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else if ms >= 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.2} ms")
    }
}

/// The rows as the Markdown table of BENCHMARKS.md.
pub fn markdown(backend: &str, rows: &[RatioRow]) -> String {
    let mut table = format!(
        "| {backend} | ratio | median | min-max | medians | statements |\n|---|---|---|---|---|---|\n"
    );
    for row in rows {
        let _ = writeln!(
            table,
            "| {} | {} / {} | **{:.3}** | {:.3}-{:.3} | {} / {} | {} / {} |",
            row.scenario,
            row.numerator,
            row.denominator,
            row.median,
            row.min,
            row.max,
            millis(row.numerator_ms),
            millis(row.denominator_ms),
            row.numerator_statements,
            row.denominator_statements,
        );
    }
    table
}
