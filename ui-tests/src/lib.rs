//! No code: this package holds the derive's compile-fail tests (`tests/ui.rs`).
