//! Turns the test environment variables into cfgs, so that tests whose database server (or the
//! browser test's chromedriver) was not given are reported as ignored, with the variable to
//! set, instead of passing vacuously.

const BACKENDS: [(&str, &str); 3] = [
    ("SOFT_DELETE_TEST_POSTGRES_URL", "soft_delete_test_postgres"),
    ("SOFT_DELETE_TEST_MARIADB_URL", "soft_delete_test_mariadb"),
    // Not a backend: the chromedriver that the admin page's browser test drives.
    ("SOFT_DELETE_TEST_CHROMEDRIVER", "soft_delete_test_browser"),
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
