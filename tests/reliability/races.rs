//! Two pools race every pair of nine library operations on one shop and its two shelves. After
//! each round the stored state and both calls' answers must be those of running the two calls
//! one after the other, in some order (I2), and no active shelf may sit under a trashed shop
//! (I1). A call that fails with a retryable error (a deadlock) is retried, as the README tells
//! users to, and counted.

use std::fmt;

use crate::common::Conn;
use chrono::TimeDelta;
use soft_delete_core::Error;

use crate::common::TestDb;
use crate::fixtures::{shelf, shop};
use crate::{create_shop_tables, new_shelf, new_shop, orphans, pooled_tests};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Active,
    /// Trashed by the operation with this number: a cascade restores what it trashed.
    Trashed(u32),
    Gone,
}

/// The shop and its two shelves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct World {
    shop: State,
    shelves: [State; 2],
}

impl World {
    /// The states as stored, without the batch labels the database does not show.
    fn visible(&self) -> [u8; 3] {
        let code = |state: State| match state {
            State::Active => 0,
            State::Trashed(_) => 1,
            State::Gone => 2,
        };
        [
            code(self.shop),
            code(self.shelves[0]),
            code(self.shelves[1]),
        ]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    /// `shop.soft_delete(db)`: cascades to the active shelves.
    ShopSoftDelete,
    /// `shop::Entity::restore_by_id`: brings back the shelves it trashed.
    ShopRestore,
    /// `shelf0.restore(db)`: refused under a trashed shop.
    ShelfRestore,
    /// `RestoreOne::of(&shelf0).with_ancestors()`.
    ShelfRestoreWithAncestors,
    /// `shelf::Entity::soft_delete_by_id(shelf1)`: one `UPDATE .. RETURNING` where the
    /// backend has it, so a no-op must not return the row a racing restore just changed.
    ShelfSoftDelete,
    /// `shelf::Entity::restore_by_id(shelf1)`: races the soft delete of the same row.
    SecondShelfRestore,
    /// `shelf::Entity::soft_delete_many()` of the shop's shelves.
    ShelvesBulkSoftDelete,
    /// `shelf::Entity::purge_trash(far future)`.
    ShelvesPurge,
    /// `shelf::Entity::force_delete_by_id(shelf1)`.
    ShelfForceDelete,
}

const OPS: [Op; 9] = [
    Op::ShopSoftDelete,
    Op::ShopRestore,
    Op::ShelfRestore,
    Op::ShelfRestoreWithAncestors,
    Op::ShelfSoftDelete,
    Op::SecondShelfRestore,
    Op::ShelvesBulkSoftDelete,
    Op::ShelvesPurge,
    Op::ShelfForceDelete,
];

/// What a call answered, as far as a sequential order decides it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Answer {
    /// An instance or by-id call returned the row; `true` when it is in the trash.
    Row(bool),
    Rows(u64),
    Done,
    ParentTrashed,
    NotFound,
    Failed(String),
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

/// The reference model: what `op` does to `world` when it runs alone.
fn apply(world: &mut World, op: Op, label: u32) -> Answer {
    match op {
        Op::ShopSoftDelete => {
            if world.shop == State::Active {
                world.shop = State::Trashed(label);
                for shelf in &mut world.shelves {
                    if *shelf == State::Active {
                        *shelf = State::Trashed(label);
                    }
                }
            }
            Answer::Row(true)
        }
        Op::ShopRestore => {
            if let State::Trashed(batch) = world.shop {
                world.shop = State::Active;
                for shelf in &mut world.shelves {
                    if *shelf == State::Trashed(batch) {
                        *shelf = State::Active;
                    }
                }
            }
            Answer::Row(false)
        }
        Op::ShelfRestore => match world.shelves[0] {
            State::Gone => Answer::NotFound,
            State::Active => Answer::Row(false),
            State::Trashed(_) if world.shop != State::Active => Answer::ParentTrashed,
            State::Trashed(_) => {
                world.shelves[0] = State::Active;
                Answer::Row(false)
            }
        },
        Op::SecondShelfRestore => match world.shelves[1] {
            State::Gone => Answer::NotFound,
            State::Active => Answer::Row(false),
            State::Trashed(_) if world.shop != State::Active => Answer::ParentTrashed,
            State::Trashed(_) => {
                world.shelves[1] = State::Active;
                Answer::Row(false)
            }
        },
        Op::ShelfRestoreWithAncestors => match world.shelves[0] {
            State::Gone => Answer::NotFound,
            State::Active => Answer::Row(false),
            State::Trashed(_) => {
                world.shop = State::Active;
                world.shelves[0] = State::Active;
                Answer::Row(false)
            }
        },
        Op::ShelfSoftDelete => match world.shelves[1] {
            State::Gone => Answer::NotFound,
            State::Active => {
                world.shelves[1] = State::Trashed(label);
                Answer::Row(true)
            }
            State::Trashed(_) => Answer::Row(true),
        },
        Op::ShelvesBulkSoftDelete => {
            let mut rows = 0;
            for shelf in &mut world.shelves {
                if *shelf == State::Active {
                    *shelf = State::Trashed(label);
                    rows += 1;
                }
            }
            Answer::Rows(rows)
        }
        Op::ShelvesPurge => {
            let mut rows = 0;
            for shelf in &mut world.shelves {
                if matches!(shelf, State::Trashed(_)) {
                    *shelf = State::Gone;
                    rows += 1;
                }
            }
            Answer::Rows(rows)
        }
        Op::ShelfForceDelete => match world.shelves[1] {
            State::Gone => Answer::NotFound,
            _ => {
                world.shelves[1] = State::Gone;
                Answer::Done
            }
        },
    }
}

/// The rows of one round.
struct Round {
    shop: shop::Model,
    shelves: [shelf::Model; 2],
}

/// Runs `op` on `conn`, retrying a retryable failure; returns the answer and the retries.
async fn call(op: Op, round: &Round, conn: &Conn) -> (Answer, u32) {
    let mut retries = 0;
    loop {
        let outcome = run(op, round, conn).await;
        match outcome {
            Err(error) if error.is_retryable() && retries < 5 => retries += 1,
            Err(Error::ParentTrashed { .. }) => return (Answer::ParentTrashed, retries),
            Err(Error::RowNotFound { .. }) => return (Answer::NotFound, retries),
            Err(error) => return (Answer::Failed(error.to_string()), retries),
            Ok(answer) => return (answer, retries),
        }
    }
}

async fn run(op: Op, round: &Round, conn: &Conn) -> Result<Answer, Error> {
    let shop_id = round.shop.id;
    let [first, second] = &round.shelves;
    Ok(match op {
        Op::ShopSoftDelete => Answer::Row(round.shop.clone().soft_delete(conn).await?.is_deleted()),
        Op::ShopRestore => Answer::Row(
            shop::Entity::restore_by_id(shop_id)
                .exec(conn)
                .await?
                .is_deleted(),
        ),
        Op::ShelfRestore => Answer::Row(first.clone().restore(conn).await?.is_deleted()),
        Op::ShelfRestoreWithAncestors => Answer::Row(
            soft_delete_core::RestoreOne::<shelf::Entity>::of(first)
                .with_ancestors()
                .exec(conn)
                .await?
                .is_deleted(),
        ),
        Op::SecondShelfRestore => Answer::Row(
            shelf::Entity::restore_by_id(second.id)
                .exec(conn)
                .await?
                .is_deleted(),
        ),
        Op::ShelfSoftDelete => Answer::Row(
            shelf::Entity::soft_delete_by_id(second.id)
                .exec(conn)
                .await?
                .is_deleted(),
        ),
        Op::ShelvesBulkSoftDelete => {
            use sea_orm::ColumnTrait;
            Answer::Rows(
                shelf::Entity::soft_delete_many()
                    .filter(shelf::Column::ShopId.eq(shop_id))
                    .exec(conn)
                    .await?
                    .rows_affected,
            )
        }
        Op::ShelvesPurge => {
            // Other rounds' trash is older than this round's rows: only this shop's shelves
            // can be purged, because earlier rounds purge theirs before they end.
            Answer::Rows(
                shelf::Entity::purge_trash(chrono::Utc::now() + TimeDelta::days(1))
                    .exec(conn)
                    .await?
                    .rows_removed,
            )
        }
        Op::ShelfForceDelete => {
            shelf::Entity::force_delete_by_id(second.id)
                .exec(conn)
                .await?;
            Answer::Done
        }
    })
}

/// The starting states a round is set up in, with the operations that make them.
const SETUPS: [&[Op]; 4] = [
    &[],
    &[Op::ShopSoftDelete],
    &[Op::ShelfSoftDelete],
    &[Op::ShelfSoftDelete, Op::ShopSoftDelete],
];

async fn observe(round: &Round, conn: &Conn) -> World {
    let state = |deleted: Option<bool>| match deleted {
        None => State::Gone,
        Some(true) => State::Trashed(0),
        Some(false) => State::Active,
    };
    let shop = shop::Entity::find_any_by_id(round.shop.id)
        .one(conn)
        .await
        .expect("read shop")
        .map(|row| row.is_deleted());
    let mut shelves = [State::Gone; 2];
    for (slot, shelf) in shelves.iter_mut().zip(&round.shelves) {
        let row = shelf::Entity::find_any_by_id(shelf.id)
            .one(conn)
            .await
            .expect("read shelf");
        *slot = state(row.map(|row| row.is_deleted()));
    }
    World {
        shop: state(shop),
        shelves,
    }
}

async fn race_every_pair(db: &TestDb, rounds_per_case: usize) {
    create_shop_tables(db).await;
    let second = db.second_pool().await;
    let (mut pairs, mut unexplained, mut retries, mut orphan_checks) = (0, Vec::new(), 0, 0);
    let mut retried_pairs: Vec<String> = Vec::new();
    let mut round_number = 0;
    for (i, &a) in OPS.iter().enumerate() {
        for &b in &OPS[i..] {
            for setup in SETUPS {
                for _ in 0..rounds_per_case {
                    round_number += 1;
                    let shop = new_shop(&db.conn, &format!("shop {round_number}")).await;
                    let shelves = [
                        new_shelf(&db.conn, &shop, &format!("{round_number}a")).await,
                        new_shelf(&db.conn, &shop, &format!("{round_number}b")).await,
                    ];
                    let mut round = Round { shop, shelves };
                    let mut model = World {
                        shop: State::Active,
                        shelves: [State::Active; 2],
                    };
                    for (label, &op) in setup.iter().enumerate() {
                        let (answer, _) = call(op, &round, &db.conn).await;
                        assert!(
                            !matches!(answer, Answer::Failed(_)),
                            "setup {op:?}: {answer}"
                        );
                        apply(&mut model, op, label as u32 + 1);
                    }
                    round.shop = shop::Entity::find_any_by_id(round.shop.id)
                        .one(&db.conn)
                        .await
                        .expect("read")
                        .expect("shop");
                    let ((answer_a, retried_a), (answer_b, retried_b)) =
                        tokio::join!(call(a, &round, &db.conn), call(b, &round, &second));
                    retries += retried_a + retried_b;
                    if retried_a + retried_b > 0 {
                        retried_pairs.push(format!(
                            "{a:?} || {b:?} from {setup:?}: retried {}, then {answer_a} / {answer_b}",
                            retried_a + retried_b
                        ));
                    }
                    pairs += 1;
                    let observed = observe(&round, &db.conn).await;
                    let explained = [(a, b, false), (b, a, true)]
                        .iter()
                        .any(|&(x, y, swapped)| {
                            let mut world = model;
                            let first = apply(&mut world, x, 10);
                            let then = apply(&mut world, y, 11);
                            let (expect_a, expect_b) = if swapped {
                                (then, first)
                            } else {
                                (first, then)
                            };
                            world.visible() == observed.visible()
                                && expect_a == answer_a
                                && expect_b == answer_b
                        });
                    if !explained {
                        unexplained.push(format!(
                            "{a:?} || {b:?} from {setup:?}: answered {answer_a} / {answer_b}, left {observed:?}"
                        ));
                    }
                    orphan_checks += 1;
                    assert_eq!(
                        orphans(&db.conn).await,
                        0,
                        "I1 after {a:?} || {b:?} from {setup:?}"
                    );
                    // Leave no trash for the next round's purge to find.
                    shelf::Entity::force_delete_many()
                        .filter(sea_orm::ColumnTrait::eq(
                            &shelf::Column::ShopId,
                            round.shop.id,
                        ))
                        .exec(&db.conn)
                        .await
                        .expect("clean up");
                }
            }
        }
    }
    println!(
        "races on {:?}: {pairs} racing pairs, {} unexplained, {orphan_checks} orphan checks, 0 orphans, {retries} retryable failures retried",
        db.backend,
        unexplained.len()
    );
    for retried in &retried_pairs {
        println!("races on {:?}: retryable failure in {retried}", db.backend);
    }
    assert!(unexplained.is_empty(), "{unexplained:#?}");
}

fn rounds_per_case() -> usize {
    std::env::var("SOFT_DELETE_RACE_ROUNDS")
        .ok()
        .and_then(|rounds| rounds.parse().ok())
        .unwrap_or(2)
}

pooled_tests! {
    async fn every_pair_of_operations_is_explained_by_a_sequential_order(db: &TestDb) {
        race_every_pair(db, rounds_per_case()).await;
    }
}
