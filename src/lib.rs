//! Examples and integration tests for `soft-delete-core`. This package is not published; the
//! README is included here so that every Rust block in it runs as a doc test.
#![doc = include_str!("../README.md")]
