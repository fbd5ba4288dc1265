//! `soft-delete-service prune`, as a cron job runs it: against an SQLite file with expired and
//! recent trash, it purges the expired rows, prints progress and totals, and exits 0; a bad
//! setting exits non-zero with the reason.

use std::process::Command;

use chrono::{TimeDelta, Utc};
use sea_orm::{ActiveModelTrait, Database, PaginatorTrait, Set};
use soft_delete_core::clock::{self, ManualClock};
use soft_delete_service::{category, product};

fn service() -> Command {
    Command::new(env!("CARGO_BIN_EXE_soft-delete-service"))
}

#[tokio::test]
async fn prune_purges_expired_trash_and_prints_progress() {
    let path = std::env::temp_dir().join(format!("sdt_prune_{}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let db = Database::connect(&url).await.expect("connect");
    soft_delete_service::migrate(&db).await.expect("migrate");
    let books = category::ActiveModel {
        name: Set("books".into()),
        ..Default::default()
    }
    .insert(&db)
    .await
    .expect("category");
    let tools = category::ActiveModel {
        name: Set("tools".into()),
        ..Default::default()
    }
    .insert(&db)
    .await
    .expect("category");
    for (category, sku) in [
        (books.id, "A"),
        (books.id, "B"),
        (tools.id, "C"),
        (tools.id, "D"),
        (tools.id, "E"),
    ] {
        product::ActiveModel {
            category_id: Set(category),
            sku: Set(sku.into()),
            name: Set(sku.into()),
            price: Set(1),
            ..Default::default()
        }
        .insert(&db)
        .await
        .expect("product");
    }
    // 40 days ago: the books category with its two products, and product C on its own.
    let long_ago = ManualClock::new(Utc::now() - TimeDelta::days(40));
    clock::with_clock(long_ago, async {
        category::Entity::soft_delete_by_id(books.id)
            .exec(&db)
            .await
            .expect("trash books");
        product::Entity::soft_delete_by_id(3)
            .exec(&db)
            .await
            .expect("trash C");
    })
    .await;
    // Yesterday: product D, which a 30-day retention keeps.
    product::Entity::soft_delete_by_id(4)
        .at(Utc::now() - TimeDelta::days(1))
        .exec(&db)
        .await
        .expect("trash D");

    let output = service()
        .arg("prune")
        .env("DATABASE_URL", &url)
        .env("TRASH_RETENTION_DAYS", "30")
        .env_remove("RUST_LOG")
        .output()
        .expect("run the service");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Products first: A, B (gone with books) and C; then the books category.
    assert!(
        stdout.contains("product: 3 rows purged in 1 batches"),
        "{stdout}"
    );
    assert!(
        stdout.contains("category: 1 rows purged in 1 batches"),
        "{stdout}"
    );
    assert!(stdout.contains("total: 4 rows purged"), "{stdout}");
    assert!(
        stdout.contains("purged a batch") && stdout.contains("rows=3"),
        "progress per batch: {stdout}"
    );

    assert_eq!(
        product::Entity::all_objects()
            .count(&db)
            .await
            .expect("count"),
        2,
        "D (recent trash) and E (active)"
    );
    assert_eq!(
        category::Entity::all_objects()
            .count(&db)
            .await
            .expect("count"),
        1
    );
    db.close().await.expect("close");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn bad_settings_and_commands_exit_non_zero_with_the_reason() {
    for (args, variable, value, reason) in [
        (
            &["prune"][..],
            "TRASH_RETENTION_DAYS",
            "thirty",
            "TRASH_RETENTION_DAYS must be a whole number",
        ),
        (
            &["prune"][..],
            "PRUNE_INTERVAL_SECS",
            "0",
            "PRUNE_INTERVAL_SECS must be between 1 and 31536000",
        ),
        (
            &["prune"][..],
            "PRUNE_INTERVAL_SECS",
            "18446744073709551615",
            "PRUNE_INTERVAL_SECS must be between 1 and 31536000",
        ),
        (
            &["vacuum"][..],
            "TRASH_RETENTION_DAYS",
            "30",
            "unknown command \"vacuum\"",
        ),
    ] {
        let output = service()
            .args(args)
            .env(variable, value)
            .env("DATABASE_URL", "sqlite::memory:")
            .output()
            .expect("run the service");
        assert!(!output.status.success(), "{args:?} {variable}={value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(reason), "{stderr}");
    }
}

#[test]
fn serve_prunes_at_start_and_stops_cleanly_on_ctrl_c() {
    use std::io::{BufRead, BufReader};
    let path = std::env::temp_dir().join(format!("sdt_serve_{}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let mut child = service()
        .env(
            "DATABASE_URL",
            format!("sqlite://{}?mode=rwc", path.display()),
        )
        .env("BIND", "127.0.0.1:0")
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start the service");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut seen = Vec::new();
    // The first pass runs at start; then Ctrl-C (SIGINT) stops the server and the pruner.
    for line in lines.by_ref() {
        let line = line.expect("a line");
        let pass_done = line.contains("pruning pass done");
        seen.push(line);
        if pass_done {
            break;
        }
    }
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(interrupted.success());
    seen.extend(lines.map_while(Result::ok));
    let status = child.wait().expect("the service exits");
    assert!(status.success(), "{status:?}: {seen:#?}");
    assert!(
        seen.iter().any(|line| line.contains("serving")),
        "{seen:#?}"
    );
    assert!(
        seen.iter().any(|line| line.contains("pruner stopping")),
        "{seen:#?}"
    );
    let _ = std::fs::remove_file(&path);
}

/// Ctrl-C during `prune`: the pass stops after its batch in flight, the totals printed are the
/// rows really purged, and the exit is non-zero so that a cron job or script sees it.
#[tokio::test]
async fn prune_stops_on_ctrl_c_after_its_batch_and_prints_the_true_totals() {
    use std::io::{BufRead, BufReader};
    const ROWS: u64 = 200_000;
    let path = std::env::temp_dir().join(format!("sdt_prune_int_{}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let db = Database::connect(&url).await.expect("connect");
    soft_delete_service::migrate(&db).await.expect("migrate");
    let tools = category::ActiveModel {
        name: Set("tools".into()),
        ..Default::default()
    }
    .insert(&db)
    .await
    .expect("category");
    sea_orm::ConnectionTrait::execute_unprepared(
        &db,
        &format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ROWS}) \
             INSERT INTO product (category_id, sku, name, price) \
             SELECT {}, 'S' || i, 'P', 1 FROM n",
            tools.id
        ),
    )
    .await
    .expect("products");
    let long_ago = ManualClock::new(Utc::now() - TimeDelta::days(40));
    clock::with_clock(long_ago, product::Entity::soft_delete_many().exec(&db))
        .await
        .expect("trash them all long ago");

    let mut child = service()
        .arg("prune")
        .env("DATABASE_URL", &url)
        .env("TRASH_RETENTION_DAYS", "30")
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start prune");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.expect("a line");
        let batch_done = line.contains("purged a batch");
        seen.push(line);
        if batch_done {
            break;
        }
    }
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(interrupted.success());
    seen.extend(lines.map_while(Result::ok));
    let output = child.wait_with_output().expect("prune exits");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "interrupted is not success: {seen:#?}"
    );
    assert!(stderr.contains("interrupted"), "{stderr}");
    let total: u64 = seen
        .iter()
        .find_map(|line| line.strip_prefix("total: "))
        .and_then(|rest| rest.strip_suffix(" rows purged"))
        .and_then(|number| number.parse().ok())
        .unwrap_or_else(|| panic!("a total line: {seen:#?}"));
    let left = product::Entity::all_objects()
        .count(&db)
        .await
        .expect("count");
    assert!(
        total > 0 && total < ROWS,
        "stopped part way: {total} of {ROWS}"
    );
    assert_eq!(total + left, ROWS, "the total printed is what was purged");
    db.close().await.expect("close");
    let _ = std::fs::remove_file(&path);
}
