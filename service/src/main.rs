//! The example service.
//!
//! ```text
//! soft-delete-service [serve]   serves the API and the admin pages, pruning the trash on schedule
//! soft-delete-service prune     purges expired trash once, printing progress, and exits
//!                               (Ctrl-C stops it after the batch in flight, prints the totals
//!                               and exits non-zero)
//! ```
//!
//! Configured from the environment: `DATABASE_URL` (an embedded SQLite file by default, or a
//! PostgreSQL or MariaDB URL), `BIND` (`127.0.0.1:3000`), `TRASH_RETENTION_DAYS` (30: trash
//! older than this is purged), `PRUNE_INTERVAL_SECS` (3600) and `ALLOWED_HOSTS` (host names,
//! comma-separated, that the service answers to besides IP addresses and `localhost`: the names
//! a reverse proxy forwards). The schema is migrated on start.

use std::process::ExitCode;
use std::time::Duration;

use chrono::TimeDelta;
use sea_orm::{ConnectOptions, Database};
use tracing_subscriber::EnvFilter;

/// The longest time between pruning passes: a year.
const MAX_INTERVAL_SECS: u64 = 365 * 24 * 3600;

/// How long shutdown waits for the pruner's batch in flight before leaving it to roll back.
const PRUNER_GRACE: Duration = Duration::from_secs(30);

struct Config {
    url: String,
    bind: String,
    retention: TimeDelta,
    interval: Duration,
}

impl Config {
    fn from_env() -> Result<Self, String> {
        let days = number("TRASH_RETENTION_DAYS", 30)?;
        let seconds = number("PRUNE_INTERVAL_SECS", 3600)?;
        if days > 36_500 {
            return Err(format!(
                "TRASH_RETENTION_DAYS must be at most 36500, not {days}"
            ));
        }
        if !(1..=MAX_INTERVAL_SECS).contains(&seconds) {
            return Err(format!(
                "PRUNE_INTERVAL_SECS must be between 1 and {MAX_INTERVAL_SECS} (a year), not {seconds}"
            ));
        }
        Ok(Self {
            url: std::env::var("DATABASE_URL")
                .unwrap_or_else(|_| "sqlite://soft_delete_service.sqlite?mode=rwc".into()),
            bind: std::env::var("BIND").unwrap_or_else(|_| "127.0.0.1:3000".into()),
            retention: TimeDelta::days(days as i64),
            interval: Duration::from_secs(seconds),
        })
    }
}

fn number(variable: &str, default: u64) -> Result<u64, String> {
    match std::env::var(variable) {
        Ok(value) => value
            .parse()
            .map_err(|_| format!("{variable} must be a whole number, not {value:?}")),
        Err(_) => Ok(default),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let command = std::env::args().nth(1);
    let outcome = match command.as_deref() {
        None | Some("serve") => serve().await,
        Some("prune") => prune().await,
        Some(other) => {
            Err(format!("unknown command {other:?}; use `serve` (the default) or `prune`").into())
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

type Outcome = Result<(), Box<dyn std::error::Error>>;

async fn connect(config: &Config) -> Result<sea_orm::DatabaseConnection, sea_orm::DbErr> {
    // A pool of eight on every backend, the SQLite file included: the library's own
    // transactions are `BEGIN IMMEDIATE` there, so concurrent requests wait for the write lock
    // (SQLx's 5 s busy timeout) instead of failing with `database is locked`.
    let mut options = ConnectOptions::new(&config.url);
    options.max_connections(8).sqlx_logging(false);
    let db = Database::connect(options).await?;
    soft_delete_service::migrate(&db).await?;
    Ok(db)
}

async fn serve() -> Outcome {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();
    let config = Config::from_env()?;
    // Listening from here on: a signal that comes during the first pruning pass is not lost.
    let signalled = shutdown_signal()?;
    let db = soft_delete_service::guard(connect(&config).await?);
    let listener = tokio::net::TcpListener::bind(&config.bind).await?;
    tracing::info!(bind = %config.bind, retention_days = config.retention.num_days(), "serving");

    // One shutdown signal for both: the server drains its requests, the pruner ends its batch.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let pruner = soft_delete_service::pruner(db.clone(), config.retention, config.interval);
    let mut pruner_stopped = stopped.clone();
    let pruning = tokio::spawn(pruner.run_until(async move {
        let _ = pruner_stopped.wait_for(|stop| *stop).await;
    }));
    let mut server_stopped = stopped;
    let served =
        axum::serve(listener, soft_delete_service::router(db)).with_graceful_shutdown(async move {
            let _ = server_stopped.wait_for(|stop| *stop).await;
        });
    tokio::spawn(async move {
        signalled.await;
        let _ = stop.send(true);
    });
    served.await?;
    // A batch stuck behind a lock must not keep the process alive: after the grace period it is
    // dropped with the runtime, and its transaction rolls back.
    if tokio::time::timeout(PRUNER_GRACE, pruning).await.is_err() {
        tracing::warn!(
            grace_secs = PRUNER_GRACE.as_secs(),
            "pruner batch still running at shutdown; leaving it to roll back"
        );
    }
    Ok(())
}

/// Completes on Ctrl-C (SIGINT) or, on Unix, SIGTERM (how service managers stop a process). The
/// handlers are installed before this returns.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (mut interrupt, mut terminate) = (
            signal(SignalKind::interrupt())?,
            signal(SignalKind::terminate())?,
        );
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

/// `artisan model:prune`: one pass, progress printed as it goes, non-zero exit on failure.
async fn prune() -> Outcome {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("warn,soft_delete_core::pruner=debug")),
        )
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();
    let config = Config::from_env()?;
    // Ctrl-C or SIGTERM stops the pass after its batch in flight; the totals are still printed.
    let signalled = shutdown_signal()?;
    let db = soft_delete_service::guard(connect(&config).await?);
    let pruner = soft_delete_service::pruner(db, config.retention, config.interval);
    let report = pruner.run_once_until(signalled).await;
    for entity in &report.entities {
        match &entity.outcome {
            Ok(done) => println!(
                "{}: {} rows purged in {} batches ({} ms), deleted before {}",
                entity.table,
                done.rows_removed,
                done.batches,
                entity.elapsed.as_millis(),
                entity.cutoff
            ),
            Err(error) => println!("{}: failed: {error}", entity.table),
        }
    }
    println!("total: {} rows purged", report.rows_removed());
    let interrupted = report.stopped;
    report.into_result()?;
    if interrupted {
        return Err(
            "interrupted: stopped after the batch in flight; run again to purge the rest".into(),
        );
    }
    Ok(())
}
