//! Turns the test-database environment variables into cfgs, so that backend tests whose server
//! was not given are reported as ignored (with the variable to set) instead of passing vacuously.

const BACKENDS: [(&str, &str); 2] = [
    ("SOFT_DELETE_TEST_POSTGRES_URL", "soft_delete_test_postgres"),
    ("SOFT_DELETE_TEST_MARIADB_URL", "soft_delete_test_mariadb"),
];

fn main() {
    for (variable, cfg) in BACKENDS {
        println!("cargo::rerun-if-env-changed={variable}");
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        if std::env::var_os(variable).is_some_and(|url| !url.is_empty()) {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
}
