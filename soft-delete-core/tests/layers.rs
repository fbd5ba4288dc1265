//! The crate's modules keep the layers `lib.rs` declares: leaves, the model, the engine, the
//! API, each using only its own layer and the ones below, and no two modules using each other,
//! through `use` lines or paths written inline (`crate::guard::Leak` in a type counts as much
//! as an import). Comments and `#[cfg(test)]` code do not count; every feature's code does.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, in order, as `lib.rs` declares them: each comment that starts a group of `mod`
/// lines names one, from the bottom up.
const LAYER_COMMENTS: [&str; 4] = [
    "// Leaves:",
    "// The model:",
    "// The engine:",
    "// The API:",
];

fn source_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Each top-level module of the crate, with its layer (0 for the leaves).
fn declared_layers(lib: &str) -> BTreeMap<String, usize> {
    let mut layers = BTreeMap::new();
    let mut layer = None;
    for line in lib.lines() {
        let line = line.trim();
        if let Some(index) = LAYER_COMMENTS
            .iter()
            .position(|comment| line.starts_with(comment))
        {
            layer = Some(index);
            continue;
        }
        if line.is_empty() {
            layer = None;
            continue;
        }
        let Some(layer) = layer else { continue };
        let declaration = line
            .strip_prefix("pub mod ")
            .or_else(|| line.strip_prefix("mod "));
        if let Some(name) = declaration {
            layers.insert(name.trim_end_matches(';').to_owned(), layer);
        }
    }
    layers
}

/// The module that each name `lib.rs` re-exports at the crate root comes from
/// (`pub use entity::{SoftDeleteEntity, ..}`), so that `crate::SoftDeleteEntity` counts as a
/// use of `entity`.
fn root_reexports(lib: &str) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    let code = without_tests_and_comments(lib);
    let mut rest = code.as_str();
    while let Some(start) = rest.find("\npub use ") {
        rest = &rest[start + "\npub use ".len()..];
        let end = rest.find(';').unwrap_or(rest.len());
        let item = rest[..end].replace(char::is_whitespace, "");
        let item = item.trim_start_matches("crate::");
        if let Some((module, listed)) = item.split_once("::") {
            for name in listed.trim_matches(|c| c == '{' || c == '}').split(',') {
                let name = name.rsplit("::").next().unwrap_or(name);
                if !name.is_empty() {
                    names.insert(name.to_owned(), module.to_owned());
                }
            }
        }
    }
    names
}

/// `text` without comments and without the `#[cfg(test)]` item that ends a file (its tests).
fn without_tests_and_comments(text: &str) -> String {
    let code = match text.find("#[cfg(test)]\nmod tests") {
        Some(tests) => &text[..tests],
        None => text,
    };
    code.lines()
        .map(|line| match line.find("//") {
            Some(comment) => &line[..comment],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source directory") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
}

/// Which top-level module uses which, from every `crate::` path in the code.
fn uses(
    modules: &BTreeMap<String, usize>,
    reexports: &BTreeMap<String, String>,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(&source_dir(), &mut files);
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(source_dir()).expect("under src");
        let first = relative.components().next().expect("a component");
        let module = first
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        if module == "lib" {
            continue;
        }
        let code = without_tests_and_comments(&std::fs::read_to_string(&file).expect("source"));
        let mut rest = code.as_str();
        while let Some(start) = rest.find("crate::") {
            let path = &rest[start + "crate::".len()..];
            let name: String = path
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            // A path in braces (`crate::{a, b}`) names modules one by one.
            let targets: Vec<String> = if path.starts_with('{') {
                let end = path.find('}').unwrap_or(path.len());
                path[1..end]
                    .split(',')
                    .map(|item| item.trim().split("::").next().unwrap_or("").to_owned())
                    .collect()
            } else {
                vec![name]
            };
            for target in targets {
                let target = if modules.contains_key(&target) {
                    Some(target)
                } else {
                    reexports.get(&target).cloned()
                };
                if let Some(target) = target.filter(|target| *target != module) {
                    uses.entry(module.clone()).or_default().insert(target);
                }
            }
            rest = path;
        }
    }
    uses
}

/// The largest set of modules that all reach each other.
fn largest_cycle(uses: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<String> {
    let reach = |from: &String| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.clone()];
        while let Some(module) = todo.pop() {
            for next in uses.get(&module).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let reached: BTreeMap<&String, BTreeSet<String>> =
        uses.keys().map(|module| (module, reach(module))).collect();
    let mut largest = BTreeSet::new();
    for (module, from_it) in &reached {
        let together: BTreeSet<String> = from_it
            .iter()
            .filter(|other| {
                reached
                    .get(other)
                    .is_some_and(|back| back.contains(*module))
            })
            .cloned()
            .collect();
        if together.len() > largest.len() {
            largest = together;
        }
    }
    largest
}

#[test]
fn modules_use_only_their_layer_and_those_below_without_cycles() {
    let lib = std::fs::read_to_string(source_dir().join("lib.rs")).expect("lib.rs");
    let layers = declared_layers(&lib);
    assert!(
        layers.len() >= 20
            && ["entity", "engine", "guard", "error", "marker"]
                .iter()
                .all(|m| layers.contains_key(*m)),
        "lib.rs declares its modules under the four layer comments: {layers:?}"
    );
    let reexports = root_reexports(&lib);
    let uses = uses(&layers, &reexports);
    let mut upward = Vec::new();
    for (module, targets) in &uses {
        for target in targets
            .iter()
            .filter(|target| layers[*target] > layers[module])
        {
            upward.push(format!(
                "{module} (layer {}) uses {target} (layer {})",
                layers[module], layers[target]
            ));
        }
    }
    assert!(
        upward.is_empty(),
        "uses of a higher layer:\n{}",
        upward.join("\n")
    );
    let cycle = largest_cycle(&uses);
    assert!(cycle.is_empty(), "modules that use each other: {cycle:?}");
    println!(
        "layers: {} modules, {} uses between them, none upward, no cycle",
        layers.len(),
        uses.values().map(BTreeSet::len).sum::<usize>()
    );
}
