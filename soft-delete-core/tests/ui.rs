//! Every compile error `#[derive(SoftDelete)]` reports, checked against its `.stderr`, and the
//! inputs that must compile. Regenerate after an intended change with
//! `TRYBUILD=overwrite cargo test -p soft-delete-core --test ui`.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
    cases.pass("tests/pass/*.rs");
    // Only meaningful without the crate's `with-time` feature, which the workspace's tests turn
    // on: CI runs `cargo test -p soft-delete-core --test ui` on its own for this case.
    if cfg!(not(feature = "with-time")) {
        cases.compile_fail("tests/ui-without-time/*.rs");
    }
}
