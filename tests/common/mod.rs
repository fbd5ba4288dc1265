//! Test databases: one fresh database per test on SQLite (in memory), PostgreSQL or MariaDB,
//! with a log of the statements sent so tests can count them.

#![allow(dead_code)]

pub mod entities;
pub mod faults;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};
use soft_delete_core::SoftDeleteEntity;
use soft_delete_core::guard::{GuardMode, GuardedConnection, allow_hard_delete, allow_trashed};

/// `conn`, guarded in deny mode.
pub fn guarded(conn: DatabaseConnection) -> Conn {
    GuardedConnection::new(conn, GuardMode::Deny)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    MariaDb,
}

impl Backend {
    fn admin_url_variable(self) -> Option<&'static str> {
        match self {
            Backend::Sqlite => None,
            Backend::Postgres => Some("SOFT_DELETE_TEST_POSTGRES_URL"),
            Backend::MariaDb => Some("SOFT_DELETE_TEST_MARIADB_URL"),
        }
    }
}

/// Every statement a connection sent, in order.
#[derive(Clone, Default)]
pub struct StatementLog(Arc<Mutex<Vec<String>>>);

impl StatementLog {
    fn push(&self, sql: String) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(sql);
    }

    /// The statements logged since the last call.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// Every test connection is guarded in deny mode: a statement of the library or of a test that
/// would show trashed rows, rewrite them or hard-delete without saying so fails the test. Tests
/// that mean it say so with `all_objects()`, `allow_trashed` or `allow_hard_delete`.
pub type Conn = GuardedConnection<DatabaseConnection>;

/// A database of its own for one test; dropped (on the server) when the test ends, pass or fail.
pub struct TestDb {
    pub conn: Conn,
    pub backend: Backend,
    pub statements: StatementLog,
    /// Where a second pool connects to the same database (`None` for in-memory SQLite).
    pub url: Option<String>,
    server: Option<ServerDatabase>,
    file: Option<std::path::PathBuf>,
}

struct ServerDatabase {
    admin_url: String,
    name: String,
}

static NEXT_DATABASE: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    pub async fn new(backend: Backend) -> Self {
        Self::open(backend, false).await
    }

    /// Like [`TestDb::new`], but SQLite is a file shared by a pool of four connections, as a
    /// service runs it, so that [`TestDb::second_pool`] reaches the same database.
    pub async fn pooled(backend: Backend) -> Self {
        Self::open(backend, true).await
    }

    /// Another pool of four connections to the same database.
    pub async fn second_pool(&self) -> Conn {
        guarded(connect_pool(self.url.as_deref().expect("a pooled test database")).await)
    }

    async fn open(backend: Backend, pooled: bool) -> Self {
        let mut file = None;
        let (mut conn, server, url) = match backend.admin_url_variable() {
            None if pooled => {
                let path = std::env::temp_dir().join(format!(
                    "sdt_{}_{}.sqlite",
                    std::process::id(),
                    NEXT_DATABASE.fetch_add(1, Ordering::Relaxed)
                ));
                let _ = std::fs::remove_file(&path);
                let url = format!("sqlite://{}?mode=rwc", path.display());
                file = Some(path);
                (connect_pool(&url).await, None, Some(url))
            }
            None => (connect("sqlite::memory:").await, None, None),
            Some(variable) => {
                let admin_url = std::env::var(variable)
                    .unwrap_or_else(|_| panic!("{variable} must be set to run {backend:?} tests"));
                let name = format!(
                    "sdt_{}_{}",
                    std::process::id(),
                    NEXT_DATABASE.fetch_add(1, Ordering::Relaxed)
                );
                let admin = connect(&admin_url).await;
                for sql in [
                    format!("DROP DATABASE IF EXISTS {name}"),
                    format!("CREATE DATABASE {name}"),
                ] {
                    admin
                        .execute_unprepared(&sql)
                        .await
                        .unwrap_or_else(|error| panic!("{sql} on {backend:?}: {error}"));
                }
                admin.close().await.ok();
                let url = with_database(&admin_url, &name);
                let conn = connect(&url).await;
                (conn, Some(ServerDatabase { admin_url, name }), Some(url))
            }
        };
        let statements = StatementLog::default();
        let log = statements.clone();
        conn.set_metric_callback(move |info| log.push(info.statement.to_string()));
        TestDb {
            conn: guarded(conn),
            backend,
            statements,
            url,
            server,
            file,
        }
    }

    pub fn db_backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// Creates `E`'s table the way the README tells users to.
    pub async fn create<E: SoftDeleteEntity>(&self) {
        soft_delete_core::schema::create_table::<E, _>(&self.conn)
            .await
            .unwrap_or_else(|error| panic!("creating {}: {error}", E::default().table_name()));
        self.statements.take();
    }

    /// Creates the tables of the shared cascade graph: category -> item -> review and
    /// item -> item_label -> label.
    pub async fn create_cascade_graph(&self) {
        use entities::{category, item, item_label, label, review};
        self.create::<category::Entity>().await;
        self.create::<item::Entity>().await;
        self.create::<review::Entity>().await;
        self.create::<label::Entity>().await;
        self.create::<item_label::Entity>().await;
    }

    /// Runs raw SQL, for setting up state behind the library's back.
    pub async fn exec(&self, sql: &str) {
        let statement = Statement::from_string(self.db_backend(), sql);
        allow_trashed(allow_hard_delete(self.conn.execute_raw(statement)))
            .await
            .unwrap_or_else(|error| panic!("{sql}: {error}"));
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(file) = self.file.take() {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
            }
        }
        let Some(ServerDatabase { admin_url, name }) = self.server.take() else {
            return;
        };
        let backend = self.backend;
        let database = name.clone();
        // Drop cannot await, and the test's runtime may be unwinding: use a runtime of our own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(drop_database(backend, &admin_url, &database))
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) && !std::thread::panicking() {
            panic!("could not drop test database {name}: {dropped:?}");
        }
    }
}

async fn drop_database(backend: Backend, admin_url: &str, name: &str) -> std::io::Result<()> {
    let admin = Database::connect(admin_url)
        .await
        .map_err(std::io::Error::other)?;
    let drop_sql = match backend {
        Backend::Postgres => format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        _ => {
            // A test that panicked inside a transaction leaves its locks on a pooled connection,
            // and DROP DATABASE would wait for them forever.
            let sessions = admin
                .query_all_raw(Statement::from_string(
                    DbBackend::MySql,
                    format!("SELECT id FROM information_schema.processlist WHERE db = '{name}'"),
                ))
                .await
                .map_err(std::io::Error::other)?;
            for session in sessions {
                let id: i64 = session.try_get_by_index(0).map_err(std::io::Error::other)?;
                admin.execute_unprepared(&format!("KILL {id}")).await.ok();
            }
            format!("DROP DATABASE IF EXISTS {name}")
        }
    };
    admin
        .execute_unprepared(&drop_sql)
        .await
        .map_err(std::io::Error::other)?;
    admin.close().await.map_err(std::io::Error::other)
}

/// A pool of four, SQLite files included, with the library's recommended SQLite settings:
/// SQLx's default busy timeout (5 s) makes a waiting writer wait instead of failing.
async fn connect_pool(url: &str) -> DatabaseConnection {
    let mut options = sea_orm::ConnectOptions::new(url);
    options.sqlx_logging(false).max_connections(4);
    Database::connect(options)
        .await
        .unwrap_or_else(|error| panic!("cannot connect to {url}: {error}"))
}

async fn connect(url: &str) -> DatabaseConnection {
    let mut options = sea_orm::ConnectOptions::new(url);
    options.sqlx_logging(false).max_connections(4);
    if url.starts_with("sqlite") {
        options.max_connections(1);
    }
    Database::connect(options)
        .await
        .unwrap_or_else(|error| panic!("cannot connect to {url}: {error}"))
}

/// `scheme://user@host:port/admin_db?params` with the database part replaced.
fn with_database(admin_url: &str, name: &str) -> String {
    let (base, params) = admin_url
        .split_once('?')
        .map_or((admin_url, None), |(base, params)| (base, Some(params)));
    let authority_end = base.find("://").map_or(0, |scheme| scheme + 3);
    let server = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match params {
        Some(params) => format!("{server}/{name}?{params}"),
        None => format!("{server}/{name}"),
    }
}

/// Declares one test per backend around an `async fn(&TestDb)` body. Backends whose URL was not
/// given when the tests were built are ignored, with the variable to set as the reason.
#[macro_export]
macro_rules! backend_tests {
    ($(async fn $name:ident($db:ident: &TestDb) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn body($db: &$crate::common::TestDb) $body

            #[tokio::test]
            async fn sqlite() {
                body(&$crate::common::TestDb::new($crate::common::Backend::Sqlite).await).await;
            }

            #[tokio::test]
            #[cfg_attr(not(soft_delete_test_postgres), ignore = "set SOFT_DELETE_TEST_POSTGRES_URL to run")]
            async fn postgres() {
                body(&$crate::common::TestDb::new($crate::common::Backend::Postgres).await).await;
            }

            #[tokio::test]
            #[cfg_attr(not(soft_delete_test_mariadb), ignore = "set SOFT_DELETE_TEST_MARIADB_URL to run")]
            async fn mariadb() {
                body(&$crate::common::TestDb::new($crate::common::Backend::MariaDb).await).await;
            }
        }
    )*};
}

/// `conn`'s database behind injected faults, guarded like every test connection.
pub fn guarded_faulty(
    conn: &Conn,
    faults: faults::Faults,
) -> GuardedConnection<faults::FaultyConnection<'_>> {
    GuardedConnection::new(
        faults::FaultyConnection::new(conn.inner(), faults),
        GuardMode::Deny,
    )
}
