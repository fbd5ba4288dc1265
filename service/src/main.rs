//! Serves the example on 127.0.0.1:3000 (or `BIND`), storing in an embedded SQLite file unless
//! `DATABASE_URL` names a PostgreSQL or MariaDB database. The schema is migrated on start.

use sea_orm::{ConnectOptions, Database};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "sqlite://soft_delete_service.sqlite?mode=rwc".into());
    let bind = std::env::var("BIND").unwrap_or_else(|_| "127.0.0.1:3000".into());
    // A pool of eight on every backend, the SQLite file included: the library's own
    // transactions are `BEGIN IMMEDIATE` there, so concurrent requests wait for the write lock
    // (SQLx's 5 s busy timeout) instead of failing with `database is locked`.
    let mut options = ConnectOptions::new(&url);
    options.max_connections(8).sqlx_logging(false);
    let db = Database::connect(options).await?;
    soft_delete_service::migrate(&db).await?;
    let listener = tokio::net::TcpListener::bind(&bind).await?;
    tracing::info!(%bind, "serving");
    axum::serve(
        listener,
        soft_delete_service::router(soft_delete_service::guard(db)),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
