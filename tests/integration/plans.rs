//! `statements()` lists what `exec` sends: for every operation and entity shape it can plan, the
//! planned statements equal, one for one, the statements SeaORM's metric callback captures while
//! `exec` runs on the same data, on every backend; every shape it cannot plan says why.

use std::future::Future;

use chrono::{DateTime, TimeZone, Utc};
use sea_orm::{ColumnTrait, Statement};
use soft_delete_core::Error;
use soft_delete_core::clock::{self, ManualClock};

use crate::audit::memo;
use crate::common::TestDb;
use crate::common::entities::{account, category, folder, item, product};
use crate::hooks::ledger;
use crate::lifecycle::server_stamped;

fn noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

/// Statements that open and close the operation's transaction: SeaORM sends them outside the
/// metric callback on some backends and through it on others, and no plan lists them.
fn is_transaction_control(sql: &str) -> bool {
    [
        "BEGIN",
        "COMMIT",
        "ROLLBACK",
        "SAVEPOINT",
        "RELEASE",
        "SET TRANSACTION",
    ]
    .iter()
    .any(|prefix| sql.starts_with(prefix))
}

/// Whether `exec` sends the planned statements once, or again per level of a tree.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Levels {
    Once,
    Repeated,
}

/// Counts the shapes whose plan was proven on one backend.
#[derive(Default)]
struct Proofs {
    proven: Vec<&'static str>,
    statements: usize,
    refused: Vec<&'static str>,
}

impl Proofs {
    /// Runs `exec` under the frozen clock the plan was made with, and asserts that it sent
    /// exactly the planned statements; for a tree, whose statements `exec` sends again, in the
    /// same order, once per level, each repetition counted once.
    async fn check<F>(
        &mut self,
        db: &TestDb,
        shape: &'static str,
        levels: Levels,
        planned: Result<Vec<Statement>, Error>,
        exec: F,
    ) where
        F: Future<Output = Result<u64, Error>>,
    {
        let planned: Vec<String> = planned
            .unwrap_or_else(|error| panic!("{shape}: no plan: {error}"))
            .iter()
            .map(ToString::to_string)
            .collect();
        db.statements.take();
        let changed = clock::with_clock(ManualClock::new(noon()), exec)
            .await
            .unwrap_or_else(|error| panic!("{shape}: {error}"));
        assert!(changed > 0, "{shape}: the operation changed no row");
        let mut sent: Vec<String> = db
            .statements
            .take()
            .into_iter()
            .filter(|sql| !is_transaction_control(sql))
            .collect();
        if levels == Levels::Repeated {
            sent = without_repeats(sent);
        }
        assert_eq!(sent, planned, "{shape} on {:?}", db.backend);
        self.statements += planned.len();
        self.proven.push(shape);
    }

    fn refuse(&mut self, shape: &'static str, planned: Result<Vec<Statement>, Error>) {
        match planned {
            Err(Error::StatementsDependOnData { .. }) => self.refused.push(shape),
            other => panic!("{shape}: expected a refusal, got {other:?}"),
        }
    }
}

/// `sent` with every run of statements that immediately repeats itself (a tree level sent
/// again) kept once.
fn without_repeats(mut sent: Vec<String>) -> Vec<String> {
    let mut start = 0;
    while start < sent.len() {
        let repeated = (1..=(sent.len() - start) / 2)
            .find(|&len| sent[start..start + len] == sent[start + len..start + 2 * len]);
        match repeated {
            Some(len) => {
                sent.drain(start + len..start + 2 * len);
            }
            None => start += 1,
        }
    }
    sent
}

async fn seed(db: &TestDb) {
    db.create::<product::Entity>().await;
    db.create::<memo::Entity>().await;
    db.create::<account::Entity>().await;
    db.create_cascade_graph().await;
    db.create::<folder::Entity>().await;
    db.create::<server_stamped::Entity>().await;
    for sql in [
        "INSERT INTO product (id, name, price) VALUES (1, 'pen', 2), (2, 'desk', 150), (3, 'lamp', 40)",
        "INSERT INTO memo (id, body, updated_at) VALUES (1, 'a', '2026-01-01 00:00:00'), (2, 'b', '2026-01-01 00:00:00')",
        "INSERT INTO account (id, email, org_id, handle) VALUES (1, 'a@x', 1, 'a'), (2, 'b@x', 1, 'b')",
        "INSERT INTO category (id, name) VALUES (1, 'tools'), (2, 'toys')",
        "INSERT INTO item (id, category_id, name) VALUES (1, 1, 'saw'), (2, 1, 'drill'), (3, 2, 'ball')",
        "INSERT INTO review (id, item_id, body) VALUES (1, 1, 'sharp'), (2, 2, 'loud'), (3, 3, 'round')",
        "INSERT INTO label (id, name) VALUES (1, 'sale')",
        "INSERT INTO item_label (item_id, label_id) VALUES (1, 1), (3, 1)",
        "INSERT INTO folder (id, parent_id, name) VALUES (1, NULL, 'root'), (2, 1, 'a'), (3, 1, 'b'), (4, 2, 'a1')",
        "INSERT INTO server_stamped (id, label) VALUES (1, 'x')",
    ] {
        db.exec(sql).await;
    }
}

backend_tests! {
    async fn every_plan_is_what_exec_sends(db: &TestDb) {
        seed(db).await;
        let backend = db.db_backend();
        let mut proofs = Proofs::default();

        // One table.
        let op = product::Entity::soft_delete_many().filter(product::Column::Price.gt(10)).at(noon());
        proofs.check(db, "soft delete", Levels::Once, op.statements(backend), async { Ok(op.exec(&db.conn).await?.rows_affected) }).await;
        let op = product::Entity::restore_many().filter(product::Column::Id.eq(2));
        proofs.check(db, "restore", Levels::Once, op.statements(backend), async { Ok(op.exec(&db.conn).await?.rows_affected) }).await;
        let op = product::Entity::force_delete_many().only_trashed();
        proofs.check(db, "force delete", Levels::Once, op.statements(backend), async { Ok(op.exec(&db.conn).await?.rows_affected) }).await;

        // Audit columns: `touch` and `deleted_by` in the same statement.
        let op = memo::Entity::soft_delete_many().by("ada").at(noon());
        proofs.check(db, "soft delete with audit columns", Levels::Once, op.statements(backend), async { Ok(op.exec(&db.conn).await?.rows_affected) }).await;
        let op = memo::Entity::restore_many().at(noon());
        proofs.check(db, "restore with audit columns", Levels::Once, op.statements(backend), async { Ok(op.exec(&db.conn).await?.rows_affected) }).await;

        // Keys unique among active rows: one check per key before the restore.
        account::Entity::soft_delete_many().exec(&db.conn).await.expect("trash accounts");
        let op = account::Entity::restore_many();
        proofs.check(db, "restore with unique keys", Levels::Once, op.statements(backend), async { Ok(op.exec(&db.conn).await?.rows_affected) }).await;

        // A cascade graph: category -> item -> review, item -> item_label.
        let op = category::Entity::soft_delete_many().filter(category::Column::Id.eq(1)).at(noon());
        proofs.check(db, "cascade soft delete", Levels::Once, op.statements(backend), async { Ok(op.exec(&db.conn).await?.rows_affected) }).await;
        let op = category::Entity::restore_many();
        proofs.check(db, "cascade restore", Levels::Once, op.statements(backend), async { Ok(op.exec(&db.conn).await?.rows_affected) }).await;
        item::Entity::soft_delete_many().filter(item::Column::Id.eq(3)).exec(&db.conn).await.expect("trash an item");
        let op = item::Entity::restore_many().filter(item::Column::Id.eq(3));
        match backend {
            sea_orm::DbBackend::MySql => proofs.refuse("restore under cascade parents", op.statements(backend)),
            _ => proofs.check(db, "restore under cascade parents", Levels::Once, op.statements(backend), async { Ok(op.exec(&db.conn).await?.rows_affected) }).await,
        }
        let op = category::Entity::force_delete_many().filter(category::Column::Id.eq(2));
        proofs.check(db, "cascade force delete", Levels::Once, op.statements(backend), async { Ok(op.exec(&db.conn).await?.rows_affected) }).await;

        // A tree: the edge's statement runs once per level.
        let op = folder::Entity::soft_delete_many().filter(folder::Column::Id.eq(1)).at(noon());
        proofs.check(db, "tree soft delete", Levels::Repeated, op.statements(backend), async { Ok(op.exec(&db.conn).await?.rows_affected) }).await;
        let op = folder::Entity::restore_many().filter(folder::Column::Id.eq(1));
        match backend {
            sea_orm::DbBackend::MySql => proofs.refuse("tree restore", op.statements(backend)),
            _ => proofs.check(db, "tree restore", Levels::Repeated, op.statements(backend), async { Ok(op.exec(&db.conn).await?.rows_affected) }).await,
        }
        proofs.refuse("tree force delete", folder::Entity::force_delete_many().statements(backend));

        // The database clock: planned only with an explicit time.
        proofs.refuse("database clock without a time", server_stamped::Entity::soft_delete_many().statements(backend));
        let op = server_stamped::Entity::soft_delete_many().at(noon());
        proofs.check(db, "database clock with a time", Levels::Once, op.statements(backend), async { Ok(op.exec(&db.conn).await?.rows_affected) }).await;

        // Hooks: the writes name the keys read at run time.
        proofs.refuse("hooked soft delete", ledger::Entity::soft_delete_many().statements(backend));
        proofs.refuse("hooked restore", ledger::Entity::restore_many().statements(backend));
        proofs.refuse("hooked force delete", ledger::Entity::force_delete_many().statements(backend));

        println!(
            "plans proven on {:?}: {} shapes ({} statements) equal to what exec sent, {} refused as data-dependent",
            db.backend,
            proofs.proven.len(),
            proofs.statements,
            proofs.refused.len()
        );
    }
}
