//! The pruner: retention per entity, one-shot and scheduled passes that never overlap, a
//! shutdown that stops between batches, and progress through `tracing`.

use std::cell::RefCell;
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use crate::common::TestDb;
use crate::common::entities::{category, item, product};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryOrder, Set};
use soft_delete_core::PurgeProgress;
use soft_delete_core::clock::{self, ManualClock};
use soft_delete_core::pruner::Pruner;
use tokio::sync::oneshot;

fn day(n: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, n, 8, 0, 0)
        .single()
        .unwrap_or_default()
}

/// `count` products named `{prefix}{i}`, trashed at `at` when given.
async fn products(db: &TestDb, prefix: &str, count: usize, trashed_at: Option<DateTime<Utc>>) {
    let rows = (0..count).map(|i| product::ActiveModel {
        name: Set(format!("{prefix}{i}")),
        price: Set(i as i64),
        ..Default::default()
    });
    product::Entity::insert_many(rows.collect::<Vec<_>>())
        .exec(&db.conn)
        .await
        .expect("insert products");
    if let Some(at) = trashed_at {
        product::Entity::soft_delete_many()
            .filter(product::Column::Name.starts_with(prefix))
            .at(at)
            .exec(&db.conn)
            .await
            .expect("trash products");
    }
}

async fn trash_count(db: &TestDb) -> u64 {
    product::Entity::deleted_objects()
        .count(&db.conn)
        .await
        .expect("count trash")
}

/// Captures the `tracing` events of this thread (the tests run on one) as formatted lines.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

thread_local! {
    /// Where the events of this thread go while a test captures them.
    static CAPTURING: RefCell<Option<Captured>> = const { RefCell::new(None) };
}

/// Writes an event to the capture of the thread that emitted it, if it has one.
struct ThisThread;

impl std::io::Write for ThisThread {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        CAPTURING.with(|capturing| match capturing.borrow_mut().as_mut() {
            Some(captured) => captured.write(bytes),
            None => Ok(bytes.len()),
        })
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Captures the events of this thread into `captured` until the guard is dropped, through one
/// global subscriber installed once. A thread-local subscriber (`set_default`) lost every event
/// under `cargo test` in two runs out of three, while the other tests of this binary ran the
/// pruner on other threads: tracing caches per callsite, for all threads, whether anybody wants
/// it, and registering a thread-local subscriber races with that cache.
fn capture_events(captured: &Captured) -> StopCapturing {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_writer(|| ThisThread)
            .with_ansi(false)
            .with_max_level(tracing::Level::DEBUG)
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("the only global subscriber of this binary");
    });
    CAPTURING.with(|capturing| *capturing.borrow_mut() = Some(captured.clone()));
    StopCapturing
}

struct StopCapturing;

impl Drop for StopCapturing {
    fn drop(&mut self) {
        CAPTURING.with(|capturing| capturing.borrow_mut().take());
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn lines(&self) -> Vec<String> {
        String::from_utf8_lossy(&self.0.lock().expect("lock"))
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

backend_tests! {
    async fn pruner_purges_each_entity_by_its_own_retention(db: &TestDb) {
        db.create::<product::Entity>().await;
        db.create_cascade_graph().await;
        products(db, "old", 25, Some(day(1))).await;
        products(db, "recent", 5, Some(day(20))).await;
        products(db, "active", 3, None).await;
        let mut categories = Vec::new();
        for name in ["old", "recent", "active"] {
            let category = category::ActiveModel { name: Set(name.into()), ..Default::default() }
                .insert(&db.conn).await.expect("category");
            for i in 0..4 {
                item::ActiveModel { category_id: Set(category.id), name: Set(format!("{name}{i}")), ..Default::default() }
                    .insert(&db.conn).await.expect("item");
            }
            categories.push(category);
        }
        category::Entity::soft_delete_by_id(categories[0].id).at(day(1)).exec(&db.conn).await.expect("trash old");
        category::Entity::soft_delete_by_id(categories[1].id).at(day(20)).exec(&db.conn).await.expect("trash recent");

        let captured = Captured::default();
        let _events = capture_events(&captured);

        // On day 25: products are kept 7 days (cutoff day 18), categories 10 (cutoff day 15).
        let batches = Arc::new(Mutex::new(Vec::new()));
        let seen = batches.clone();
        let pruner = Pruner::new(db.conn.clone())
            .retain::<product::Entity>(TimeDelta::days(7))
            .retain::<category::Entity>(TimeDelta::days(10))
            .batch_size(10)
            .on_batch(move |table, progress: PurgeProgress| seen.lock().expect("lock").push((table, progress.rows_removed)));
        let report = clock::with_clock(ManualClock::new(day(25)), pruner.run_once()).await;

        assert!(!report.stopped);
        let outcomes: Vec<(&str, u64, u64)> = report.entities.iter()
            .map(|entity| {
                let done = entity.outcome.as_ref().expect("no entity fails");
                (entity.table, done.rows_removed, done.batches)
            })
            .collect();
        assert_eq!(outcomes, [("product", 25, 3), ("category", 1, 1)]);
        assert_eq!(report.entities[0].cutoff, day(18));
        assert_eq!(report.entities[1].cutoff, day(15));
        assert_eq!(report.rows_removed(), 26);
        assert_eq!(*batches.lock().expect("lock"), [("product", 10), ("product", 20), ("product", 25), ("category", 1)]);

        assert_eq!(trash_count(db).await, 5, "recent trash is kept");
        assert_eq!(product::Entity::objects().count(&db.conn).await.expect("count"), 3);
        let categories_left: Vec<String> = category::Entity::all_objects().order_by_asc(category::Column::Id).all(&db.conn).await.expect("read")
            .into_iter().map(|category| category.name).collect();
        assert_eq!(categories_left, ["recent", "active"]);
        let items_left = item::Entity::all_objects().count(&db.conn).await.expect("count");
        assert_eq!(items_left, 8, "the expired category went with its items");

        let lines = captured.lines();
        let batch_lines: Vec<&String> = lines.iter().filter(|line| line.contains("purged a batch")).collect();
        assert_eq!(batch_lines.len(), 4, "{lines:#?}");
        assert!(batch_lines[2].contains("table=\"product\"") && batch_lines[2].contains("rows=5") && batch_lines[2].contains("total=25"), "{}", batch_lines[2]);
        let entity_lines: Vec<&String> = lines.iter().filter(|line| line.contains("purged expired trash")).collect();
        assert_eq!(entity_lines.len(), 2, "{lines:#?}");
        assert!(entity_lines[0].contains("rows=25") && entity_lines[0].contains("batches=3"), "{}", entity_lines[0]);
        let pass = lines.iter().find(|line| line.contains("pruning pass done")).expect("a pass event");
        assert!(pass.contains("rows=26") && pass.contains("failed=0") && pass.contains("stopped=false"), "{pass}");
    }

    async fn pruner_passes_never_overlap(db: &TestDb) {
        db.create::<product::Entity>().await;
        products(db, "old", 30, Some(day(1))).await;
        let pruner = Pruner::new(db.conn.clone()).retain::<product::Entity>(TimeDelta::days(7)).batch_size(3);
        let clone = pruner.clone();
        // Both passes start together; each batch awaits the database, where two unguarded
        // passes would take turns and both remove rows. One pass runs at a time: the first
        // removes everything, the second finds nothing.
        let (first, second) = clock::with_clock(ManualClock::new(day(25)), async {
            tokio::join!(pruner.run_once(), clone.run_once())
        }).await;
        let mut removed = [first.rows_removed(), second.rows_removed()];
        removed.sort_unstable();
        assert_eq!(removed, [0, 30]);
        assert_eq!(trash_count(db).await, 0);
    }

    async fn pruner_stops_between_batches_on_shutdown(db: &TestDb) {
        db.create::<product::Entity>().await;
        products(db, "old", 40, Some(day(1))).await;
        let (stop, stopped) = oneshot::channel::<()>();
        let stop = Mutex::new(Some(stop));
        let batches = Arc::new(Mutex::new(Vec::new()));
        let seen = batches.clone();
        let pruner = Pruner::new(db.conn.clone())
            .retain::<product::Entity>(TimeDelta::days(7))
            .batch_size(2)
            .every(Duration::from_millis(1))
            .on_batch(move |_, progress: PurgeProgress| {
                seen.lock().expect("lock").push(progress);
                if progress.batches == 3 {
                    stop.lock().expect("lock").take().map(|stop| stop.send(()));
                }
            });
        clock::with_clock(ManualClock::new(day(25)), pruner.run_until(async {
            let _ = stopped.await;
        })).await;

        // The shutdown was noticed while the fourth batch was in flight (it awaits the
        // database): that batch finished and reported, and no other started. A shutdown that
        // dropped the batch in flight would stop at 3.
        let batches = batches.lock().expect("lock").clone();
        let last = *batches.last().expect("batches ran");
        assert_eq!(last.batches, 4, "{batches:?}");
        assert_eq!(last.rows_removed, 2 * last.batches);
        assert_eq!(trash_count(db).await, 40 - last.rows_removed, "every batch reported was committed, nothing else");
    }

    async fn pruner_runs_passes_on_schedule_with_a_fresh_cutoff(db: &TestDb) {
        db.create::<product::Entity>().await;
        products(db, "old", 4, Some(day(10))).await;
        // Day 12: kept for 7 days, nothing is expired. After each batch the clock moves on a
        // day; the pass on day 18 is the first whose cutoff (day 11) passes the trash.
        let clock_now = ManualClock::new(day(12));
        let advance = clock_now.clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let stop = Mutex::new(Some(stop));
        let passes = Arc::new(Mutex::new(Vec::new()));
        let seen = passes.clone();
        let pruner = Pruner::new(db.conn.clone())
            .retain::<product::Entity>(TimeDelta::days(7))
            .every(Duration::from_millis(1))
            .on_batch(move |_, progress: PurgeProgress| {
                seen.lock().expect("lock").push(progress.rows_removed);
                advance.advance(TimeDelta::days(1));
                if progress.rows_removed > 0 {
                    stop.lock().expect("lock").take().map(|stop| stop.send(()));
                }
            });
        clock::with_clock(clock_now, pruner.run_until(async {
            let _ = stopped.await;
        })).await;
        assert_eq!(*passes.lock().expect("lock"), [0, 0, 0, 0, 0, 0, 4], "one batch per pass, days 12 to 18");
        assert_eq!(trash_count(db).await, 0);
    }

    async fn pruner_shutdown_wakes_a_long_sleep(db: &TestDb) {
        db.create::<product::Entity>().await;
        let passes = Arc::new(Mutex::new(0));
        // Hours between passes, and the longest interval there is: shutdown after the first pass
        // must end the sleep at once, not when the interval is over (the timeout fails the test
        // instead of hanging it).
        for interval in [Duration::from_secs(3 * 3600), Duration::MAX] {
            *passes.lock().expect("lock") = 0;
            let (stop_now, stopped_now) = oneshot::channel::<()>();
            let stop_now = Mutex::new(Some(stop_now));
            let seen = passes.clone();
            let pruner = Pruner::new(db.conn.clone())
                .retain::<product::Entity>(TimeDelta::days(7))
                .every(interval)
                .on_batch(move |_, _| {
                    *seen.lock().expect("lock") += 1;
                    stop_now.lock().expect("lock").take().map(|stop| stop.send(()));
                });
            tokio::time::timeout(Duration::from_secs(30), pruner.run_until(async {
                let _ = stopped_now.await;
            }))
            .await
            .expect("the pruner stops at once");
            assert_eq!(*passes.lock().expect("lock"), 1, "one pass, then the shutdown");
        }
    }
}
