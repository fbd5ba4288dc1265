//! Serves the example on 127.0.0.1:3000 (or `BIND`), storing in an embedded SQLite file unless
//! `DATABASE_URL` names a PostgreSQL or MariaDB database. Tables are created on start.

use sea_orm::Database;
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
    let db = Database::connect(&url).await?;
    soft_delete_service::ensure_tables(&db).await?;
    let listener = tokio::net::TcpListener::bind(&bind).await?;
    tracing::info!(%bind, "serving");
    axum::serve(listener, soft_delete_service::router(db))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
