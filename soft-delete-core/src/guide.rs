//! The user guide, one page per topic, versioned with the code it describes.
//!
//! Every example on these pages is a doc test: it runs on an in-memory SQLite database whenever
//! the crate's tests run, so what you copy from here compiles and does what it says. Read them
//! in this order, or jump to the topic you need:
//!
//! 1. [`operations`]: what the derive generates, the statements each call sends, the errors.
//! 2. [`connections`]: which connections operations take and when they open a transaction.
//! 3. [`markers`]: timestamps and the clock, precision per backend, flags and epochs.
//! 4. [`schema`]: the marker column, indexes on active rows, keys unique among active rows.
//! 5. [`retention`]: purging the trash in batches, and on a schedule.
//! 6. [`default_scope`]: SeaORM's own `find()`, `delete_many()`, `model.delete(db)` hiding the
//!    trash and soft-deleting, for entities that opt in.
//! 7. [`relations`]: relation queries that hide the trash; refusing SeaORM's hard deletes.
//! 8. [`cascades`]: soft delete, restore and force delete along a graph.
//! 9. [`concurrency`]: what holds when calls race, and size limits.
//! 10. [`leaks`]: where plain SeaORM still shows the trash, and the guard that finds it.
//! 11. [`hooks`]: code of yours inside an operation's transaction; audit columns.
//! 12. [`adopting`]: what an existing SeaORM application changes.
//! 13. [`service`]: the example service and its trash-bin admin.
//!
//! The pages say which cargo feature their API needs (`migration` for the schema page's
//! migration helpers, `pruner` for the pruner, `guard` for the leak guard); docs.rs builds
//! every feature.

#[doc = include_str!("../guide/operations.md")]
pub mod operations {}

#[doc = include_str!("../guide/connections.md")]
pub mod connections {}

#[doc = include_str!("../guide/markers.md")]
pub mod markers {}

// A page whose examples need a feature is written out only with it (its examples are doc tests);
// without it the page says which feature to turn on, so that links to it always resolve.
#[cfg_attr(feature = "migration", doc = include_str!("../guide/schema.md"))]
#[cfg_attr(
    not(feature = "migration"),
    doc = "The marker column, indexes on active rows, keys unique among active rows: build these docs with the `migration` feature to read this page."
)]
pub mod schema {}

#[cfg_attr(all(feature = "pruner", feature = "migration"), doc = include_str!("../guide/retention.md"))]
#[cfg_attr(
    not(all(feature = "pruner", feature = "migration")),
    doc = "Purging the trash and the pruner: build these docs with the `pruner` and `migration` features to read this page."
)]
pub mod retention {}

#[doc = include_str!("../guide/default_scope.md")]
pub mod default_scope {}

#[doc = include_str!("../guide/relations.md")]
pub mod relations {}

#[doc = include_str!("../guide/cascades.md")]
pub mod cascades {}

#[doc = include_str!("../guide/concurrency.md")]
pub mod concurrency {}

#[cfg_attr(feature = "guard", doc = include_str!("../guide/leaks.md"))]
#[cfg_attr(
    not(feature = "guard"),
    doc = "Where plain SeaORM still shows the trash, and the leak guard: build these docs with the `guard` feature to read this page."
)]
pub mod leaks {}

#[doc = include_str!("../guide/hooks.md")]
pub mod hooks {}

#[doc = include_str!("../guide/adopting.md")]
pub mod adopting {}

#[doc = include_str!("../guide/service.md")]
pub mod service {}
