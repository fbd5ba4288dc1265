//! Every compile error `#[derive(SoftDelete)]` reports, checked against its `.stderr`.
//! Regenerate after an intended change with `TRYBUILD=overwrite cargo test -p soft-delete-core --test ui`.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
