//! Every compile error `#[derive(SoftDelete)]` reports, checked against its `.stderr`, and the
//! inputs that must compile. Regenerate after an intended change with
//! `TRYBUILD=overwrite cargo test -p soft-delete-ui-tests`.
//!
//! trybuild builds the cases in a project of its own, with this package's dependencies as this
//! manifest declares them: soft-delete-core without `with-time`, and SeaORM without a database
//! driver, which the cases never need. That keeps its separate build of the dependencies small,
//! and lets the `with-time` diagnostic be checked in every run.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
    cases.compile_fail("tests/ui-without-time/*.rs");
    cases.pass("tests/pass/*.rs");
}
