//! The entity shapes the reliability suites need: a cascade with audit columns and unique keys
//! on both levels (`shop` -> `shelf`), and hooks on a single and on a composite primary key,
//! whose hooks count the keys they are told about.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use soft_delete_core::HookContext;

tokio::task_local! {
    static SEEN: Arc<Mutex<HashMap<&'static str, usize>>>;
}

/// Runs `future` counting, per hook, the keys every hook in it is told about.
pub async fn counting_hooks<F: std::future::Future>(
    future: F,
) -> (F::Output, HashMap<&'static str, usize>) {
    let seen = Arc::new(Mutex::new(HashMap::new()));
    let output = SEEN.scope(seen.clone(), future).await;
    let counts = seen.lock().unwrap_or_else(PoisonError::into_inner).clone();
    (output, counts)
}

fn record(hook: &'static str, ctx: &HookContext<'_>) {
    let _ = SEEN.try_with(|seen| {
        *seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(hook)
            .or_default() += ctx.keys.len();
    });
}

macro_rules! counting_hooks_impl {
    () => {
        impl soft_delete_core::SoftDeleteHooks for Entity {
            async fn before_soft_delete(
                ctx: &soft_delete_core::HookContext<'_>,
            ) -> Result<(), soft_delete_core::Error> {
                super::record("before_soft_delete", ctx);
                Ok(())
            }
            async fn after_soft_delete(
                ctx: &soft_delete_core::HookContext<'_>,
            ) -> Result<(), soft_delete_core::Error> {
                super::record("after_soft_delete", ctx);
                Ok(())
            }
            async fn before_restore(
                ctx: &soft_delete_core::HookContext<'_>,
            ) -> Result<(), soft_delete_core::Error> {
                super::record("before_restore", ctx);
                Ok(())
            }
            async fn before_force_delete(
                ctx: &soft_delete_core::HookContext<'_>,
            ) -> Result<(), soft_delete_core::Error> {
                super::record("before_force_delete", ctx);
                Ok(())
            }
        }
    };
}

/// A cascade parent with audit columns and a name unique among active shops.
pub mod shop {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "shop")]
    #[soft_delete(
        cascade(super::shelf::Entity),
        unique(name),
        touch = updated_at,
        deleted_by = deleted_by
    )]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
        pub updated_at: Option<DateTimeUtc>,
        pub deleted_by: Option<String>,
        pub deleted_at: Option<DateTimeUtc>,
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(has_many = "super::shelf::Entity")]
        Shelf,
    }

    impl Related<super::shelf::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Shelf.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A cascade child with a `touch` column and a code unique among active shelves.
pub mod shelf {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "shelf")]
    #[soft_delete(unique(code), touch = updated_at)]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub shop_id: i32,
        pub code: String,
        pub updated_at: Option<DateTimeUtc>,
        pub deleted_at: Option<DateTimeUtc>,
        pub deleted_batch: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::shop::Entity",
            from = "Column::ShopId",
            to = "super::shop::Column::Id"
        )]
        Shop,
    }

    impl Related<super::shop::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Shop.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// Hooks on a single-column key.
pub mod ticket {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "ticket")]
    #[soft_delete(hooks)]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    counting_hooks_impl!();
}

/// Hooks on a composite key.
pub mod tally {
    use sea_orm::entity::prelude::*;
    use soft_delete_core::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, SoftDelete)]
    #[sea_orm(table_name = "tally")]
    #[soft_delete(hooks)]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub org_id: i32,
        #[sea_orm(primary_key, auto_increment = false)]
        pub n: i32,
        pub deleted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    counting_hooks_impl!();
}

/// `SELECT n FROM ..` for n in 1..=count (count at most 100,000), portable to the three
/// backends: five cross-joined digit tables.
pub fn numbers(count: u32) -> String {
    let digits = "(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 \
                  UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 \
                  UNION ALL SELECT 8 UNION ALL SELECT 9)";
    format!(
        "SELECT n FROM (SELECT a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d + 1 AS n \
         FROM {digits} a CROSS JOIN {digits} b CROSS JOIN {digits} c CROSS JOIN {digits} e \
         CROSS JOIN {digits} f) numbers WHERE n <= {count}"
    )
}
