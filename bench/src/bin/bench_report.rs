//! Turns criterion's trash-growth results (`bench/benches/trash_growth.rs`) into what
//! BENCHMARKS.md shows: prints the table and writes the curve as
//! `bench/results/trash_growth.csv` and `bench/results/trash_growth.svg`. (The scenario ratios
//! come from the alternating rounds of `bench/benches/scenarios`, which print their own tables.)
//!
//! `cargo bench -p soft-delete-bench --bench trash_growth`, then
//! `cargo run -p soft-delete-bench --bin bench_report`.

use std::collections::BTreeMap;
use std::error::Error;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use plotters::prelude::*;

/// Must match `bench/benches/trash_growth.rs`.
const TRASH: [usize; 5] = [0, 10_000, 100_000, 300_000, 1_000_000];
const BACKENDS: [&str; 3] = ["sqlite", "postgres", "mariadb"];

/// One benchmark's result: criterion's median estimate, in nanoseconds.
#[derive(Clone, Debug)]
struct Measured {
    group: String,
    function: String,
    median_ns: f64,
}

fn main() -> Result<(), Box<dyn Error>> {
    let package = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The workspace root, whose target directory criterion writes to: this package is `bench/`.
    let root = package.parent().ok_or("bench/ has no parent directory")?;
    let criterion = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("criterion");
    let mut measured = Vec::new();
    collect(&criterion, &mut measured)?;
    if measured.is_empty() {
        return Err(format!(
            "no results under {}: run `cargo bench -p soft-delete-bench` first",
            criterion.display()
        )
        .into());
    }
    let out = package.join("results");
    std::fs::create_dir_all(&out)?;
    let (csv, panels) = growth_curves(&measured)?;
    if panels.is_empty() {
        println!(
            "no trash-growth results: run `cargo bench -p soft-delete-bench --bench trash_growth`"
        );
        return Ok(());
    }
    print!("{}", growth_table(&csv));
    std::fs::write(out.join("trash_growth.csv"), csv)?;
    draw(&out.join("trash_growth.svg"), &panels)?;
    println!("wrote {}", out.join("trash_growth.svg").display());
    Ok(())
}

/// Every `new/` result criterion left under `dir`.
fn collect(dir: &Path, measured: &mut Vec<Measured>) -> Result<(), Box<dyn Error>> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if !path.is_dir() {
            continue;
        }
        let benchmark = path.join("benchmark.json");
        if path.ends_with("new") && benchmark.is_file() {
            let about: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(benchmark)?)?;
            let estimates: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(path.join("estimates.json"))?)?;
            let text = |value: &serde_json::Value| value.as_str().unwrap_or_default().to_owned();
            measured.push(Measured {
                group: text(&about["group_id"]),
                function: text(&about["function_id"]),
                median_ns: estimates["median"]["point_estimate"]
                    .as_f64()
                    .ok_or_else(|| format!("no median in {}", path.display()))?,
            });
        } else {
            collect(&path, measured)?;
        }
    }
    Ok(())
}

/// One panel of the plot: its title and, per line, its label and (trashed rows, ms) points.
type Panel = (String, Vec<(&'static str, Vec<(f64, f64)>)>);

fn growth_curves(measured: &[Measured]) -> Result<(String, Vec<Panel>), Box<dyn Error>> {
    let queries = [
        ("S5a", "S5a: read 100 active rows"),
        ("S5b", "S5b: count the 10,000 active rows"),
    ];
    let indexes = [
        ("without_index", "without the active-rows index"),
        ("with_index", "with the active-rows index"),
    ];
    let mut csv = String::from("backend,query,index,trashed_rows,median_ms\n");
    let mut panels = Vec::new();
    for backend in BACKENDS {
        for (query, title) in queries {
            let mut lines = Vec::new();
            for (index, label) in indexes {
                let mut points = Vec::new();
                for trash in TRASH {
                    let group = format!("growth_{backend}_trash_{trash}");
                    let function = format!("{query}_{index}");
                    let Some(result) = measured
                        .iter()
                        .find(|result| result.group == group && result.function == function)
                    else {
                        continue;
                    };
                    let millis = result.median_ns / 1e6;
                    writeln!(csv, "{backend},{query},{index},{trash},{millis:.4}")?;
                    points.push((trash as f64, millis));
                }
                lines.push((label, points));
            }
            if lines.iter().any(|(_, points)| !points.is_empty()) {
                panels.push((format!("{title} ({backend})"), lines));
            }
        }
    }
    Ok((csv, panels))
}

/// The curve's points as the Markdown table of BENCHMARKS.md: a row per trash size, a column per
/// backend, query and index.
fn growth_table(csv: &str) -> String {
    let mut columns: Vec<String> = Vec::new();
    let mut cells: BTreeMap<(usize, String), String> = BTreeMap::new();
    for line in csv.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let [backend, query, index, trash, millis] = fields[..] else {
            continue;
        };
        let column = format!("{backend} {query}, {}", index.replace('_', " "));
        if !columns.contains(&column) {
            columns.push(column.clone());
        }
        let millis: f64 = millis.parse().unwrap_or_default();
        cells.insert(
            (trash.parse().unwrap_or_default(), column),
            format!("{millis:.2}"),
        );
    }
    let mut table = format!("| trashed rows | {} |\n|---|", columns.join(" | "));
    table.push_str(&"---|".repeat(columns.len()));
    table.push('\n');
    for trash in TRASH {
        let row: Vec<&str> = columns
            .iter()
            .map(|column| {
                cells
                    .get(&(trash, column.clone()))
                    .map_or("-", String::as_str)
            })
            .collect();
        let _ = writeln!(table, "| {trash} | {} |", row.join(" | "));
    }
    table
}

fn draw(path: &Path, panels: &[Panel]) -> Result<(), Box<dyn Error>> {
    let rows = panels.len().div_ceil(2);
    let area = SVGBackend::new(path, (1200, 420 * rows as u32)).into_drawing_area();
    area.fill(&WHITE)?;
    let colours = [RED, BLUE];
    for ((title, lines), cell) in panels.iter().zip(area.split_evenly((rows, 2))) {
        let highest = lines
            .iter()
            .flat_map(|(_, points)| points.iter().map(|(_, millis)| *millis))
            .fold(0.0, f64::max);
        let mut chart = ChartBuilder::on(&cell)
            .caption(title, ("sans-serif", 20))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d(0f64..1_000_000f64, 0f64..highest * 1.1)?;
        chart
            .configure_mesh()
            .x_desc("trashed rows (10,000 active)")
            .y_desc("median time (ms)")
            .x_label_formatter(&|rows| format!("{}k", rows / 1_000.0))
            .draw()?;
        for ((label, points), colour) in lines.iter().zip(colours) {
            chart
                .draw_series(LineSeries::new(
                    points.iter().copied(),
                    colour.stroke_width(2),
                ))?
                .label(*label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour));
            chart.draw_series(
                points
                    .iter()
                    .map(|point| Circle::new(*point, 3, colour.filled())),
            )?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
    }
    area.present()?;
    Ok(())
}
