//! Relation queries that hide trashed rows. SeaORM's own `find_related`, `find_also_related`,
//! `find_with_related`, `has_related`, loaders and linked joins return the trash; these helpers
//! are their active-only counterparts, and SeaORM's originals stay the way to include it.
//!
//! Loaders need no helper: SeaORM's `load_one` / `load_many` accept a pre-filtered `Select`, so
//! `authors.load_many(book::Entity::objects(), db)` loads active books only.

use sea_orm::sea_query::{
    Alias, Condition, ConditionType, DynIden, Expr, IntoCondition, IntoIden, TableName, TableRef,
};
use sea_orm::{
    EntityTrait, JoinType, ModelTrait, QueryFilter, QuerySelect, Related, RelationDef, Select,
    SelectTwo, SelectTwoMany,
};

use crate::entity::{SoftDeleteEntity, active_condition, active_in, trashed_condition};
use crate::marker::{MarkerKind, MarkerStrategy};
use crate::tables::{TableDescription, registered_tables};

/// `alias.deleted_at IS NULL`, for hand-written joins and subqueries where `E`'s table has an
/// alias (`active_condition` names the table itself).
pub fn active_condition_in<E: SoftDeleteEntity>(alias: &str) -> Expr {
    active_in::<E>(Alias::new(alias))
}

/// `rel` with `R`'s active-row condition added to its `ON` clause, aimed at whatever alias the
/// join gives `R`'s table (SeaORM passes it to the closure). A condition the relation already
/// has is kept, with `AND`.
///
/// Use it to write `Linked` implementations whose joins hide trashed rows, and for joins by hand.
/// A relation declared with `condition_type = "any"` ORs its own condition with the join columns;
/// the active condition is then ANDed to the whole `ON` clause instead, so that it still holds.
pub fn active_join<R: SoftDeleteEntity>(rel: RelationDef) -> RelationDef {
    join_on_active(rel, R::marker_column().into_iden(), R::Marker::KIND)
}

/// `rel` with `to.marker IS NULL` added to its `ON` clause (see [`active_join`]).
fn join_on_active(rel: RelationDef, marker: DynIden, kind: MarkerKind) -> RelationDef {
    let existing = rel.on_condition.clone();
    let any = rel.condition_type == ConditionType::Any;
    let rel = if any {
        rel.condition_type(ConditionType::All)
    } else {
        rel
    };
    rel.on_condition(move |from, to| {
        let active = kind.active(Expr::col((to.clone(), marker.clone())));
        match &existing {
            Some(condition) if any => Condition::all()
                .add(Condition::any().add(condition(from, to)))
                .add(active),
            Some(condition) => Condition::all().add(condition(from, to)).add(active),
            None => active.into_condition(),
        }
    })
}

/// A soft-deletable junction table through which one entity reaches another, as the relation's
/// query names it.
pub(crate) struct Junction {
    /// The name (or alias) the relation's join gives the junction table.
    name: DynIden,
    pub(crate) description: &'static TableDescription,
}

impl Junction {
    /// The junction's rows are active.
    pub(crate) fn active_condition(&self) -> Condition {
        let marker = Alias::new(self.description.marker.as_str()).into_iden();
        Condition::all().add(
            self.description
                .marker_kind
                .active(Expr::col((self.name.clone(), marker))),
        )
    }
}

/// The junction through which `E` reaches `R`, when `E` reaches `R` through a junction
/// (`Related::via`) whose entity is soft-deletable. SeaORM's relation names the junction's
/// table, not its type, so the table is found in the registry by name.
pub(crate) fn junction_description<E, R>() -> Option<Junction>
where
    E: Related<R>,
    R: EntityTrait,
{
    <E as Related<R>>::via()?;
    let TableRef::Table(TableName(schema, table), alias) = <E as Related<R>>::to().from_tbl else {
        return None;
    };
    let name = table.to_string();
    let schema = schema.map(|schema| schema.1.to_string());
    let description = registered_tables()
        .iter()
        .find(|description| description.is_named(schema.as_deref(), &name))?;
    Some(Junction {
        name: alias.unwrap_or(table),
        description,
    })
}

/// `junction.marker IS NULL` for a soft-deletable junction between `E` and `R`, else nothing.
fn active_junction_condition<E, R>() -> Condition
where
    E: Related<R>,
    R: EntityTrait,
{
    junction_description::<E, R>()
        .map(|junction| junction.active_condition())
        .unwrap_or_else(Condition::all)
}

/// Active-only related rows from a model: `model.find_related_active(book::Entity)`.
///
/// ```
/// # mod author {
/// #     use sea_orm::entity::prelude::*;
/// #     use soft_delete_core::prelude::*;
/// #     #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
/// #     #[sea_orm(table_name = "author")]
/// #     pub struct Model {
/// #         #[sea_orm(primary_key)]
/// #         pub id: i32,
/// #         pub deleted_at: Option<DateTimeUtc>,
/// #     }
/// #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #     pub enum Relation {
/// #         #[sea_orm(has_many = "super::book::Entity")]
/// #         Book,
/// #     }
/// #     impl Related<super::book::Entity> for Entity {
/// #         fn to() -> RelationDef { Relation::Book.def() }
/// #     }
/// #     impl ActiveModelBehavior for ActiveModel {}
/// # }
/// # mod book {
/// #     use sea_orm::entity::prelude::*;
/// #     use soft_delete_core::prelude::*;
/// #     #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
/// #     #[sea_orm(table_name = "book")]
/// #     pub struct Model {
/// #         #[sea_orm(primary_key)]
/// #         pub id: i32,
/// #         pub author_id: i32,
/// #         pub deleted_at: Option<DateTimeUtc>,
/// #     }
/// #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #     pub enum Relation {
/// #         #[sea_orm(belongs_to = "super::author::Entity", from = "Column::AuthorId", to = "super::author::Column::Id")]
/// #         Author,
/// #     }
/// #     impl Related<super::author::Entity> for Entity {
/// #         fn to() -> RelationDef { Relation::Author.def() }
/// #     }
/// #     impl ActiveModelBehavior for ActiveModel {}
/// # }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), soft_delete_core::Error> {
/// # let db = sea_orm::Database::connect("sqlite::memory:").await?;
/// # soft_delete_core::schema::create_table::<author::Entity, _>(&db).await?;
/// # soft_delete_core::schema::create_table::<book::Entity, _>(&db).await?;
/// # sea_orm::ConnectionTrait::execute_unprepared(&db, "INSERT INTO author (id) VALUES (1), (2); INSERT INTO book (id, author_id) VALUES (1, 1), (2, 1), (3, 2)").await?;
/// use sea_orm::{EntityTrait, ModelTrait};
/// use soft_delete_core::prelude::*;
///
/// book::Entity::soft_delete_by_id(2).exec(&db).await?;
/// let ada = author::Entity::find_by_id(1).one(&db).await?.expect("author 1");
/// assert_eq!(ada.find_related(book::Entity).all(&db).await?.len(), 2); // SeaORM's: the trash too
/// assert_eq!(ada.find_related_active(book::Entity).all(&db).await?.len(), 1);
/// # Ok(())
/// # }
/// ```
pub trait FindRelatedActive: ModelTrait {
    /// `find_related` without trashed related rows.
    fn find_related_active<R>(&self, related: R) -> Select<R>
    where
        R: SoftDeleteEntity,
        Self::Entity: Related<R>,
    {
        self.find_related(related)
            .filter(active_condition::<R>())
            .filter(active_junction_condition::<Self::Entity, R>())
    }
}

impl<M: ModelTrait> FindRelatedActive for M {}

/// Active-only joins on a `Select`.
///
/// ```
/// # mod author {
/// #     use sea_orm::entity::prelude::*;
/// #     use soft_delete_core::prelude::*;
/// #     #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
/// #     #[sea_orm(table_name = "author")]
/// #     pub struct Model {
/// #         #[sea_orm(primary_key)]
/// #         pub id: i32,
/// #         pub deleted_at: Option<DateTimeUtc>,
/// #     }
/// #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #     pub enum Relation {
/// #         #[sea_orm(has_many = "super::book::Entity")]
/// #         Book,
/// #     }
/// #     impl Related<super::book::Entity> for Entity {
/// #         fn to() -> RelationDef { Relation::Book.def() }
/// #     }
/// #     impl ActiveModelBehavior for ActiveModel {}
/// # }
/// # mod book {
/// #     use sea_orm::entity::prelude::*;
/// #     use soft_delete_core::prelude::*;
/// #     #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
/// #     #[sea_orm(table_name = "book")]
/// #     pub struct Model {
/// #         #[sea_orm(primary_key)]
/// #         pub id: i32,
/// #         pub author_id: i32,
/// #         pub deleted_at: Option<DateTimeUtc>,
/// #     }
/// #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #     pub enum Relation {
/// #         #[sea_orm(belongs_to = "super::author::Entity", from = "Column::AuthorId", to = "super::author::Column::Id")]
/// #         Author,
/// #     }
/// #     impl Related<super::author::Entity> for Entity {
/// #         fn to() -> RelationDef { Relation::Author.def() }
/// #     }
/// #     impl ActiveModelBehavior for ActiveModel {}
/// # }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), soft_delete_core::Error> {
/// # let db = sea_orm::Database::connect("sqlite::memory:").await?;
/// # soft_delete_core::schema::create_table::<author::Entity, _>(&db).await?;
/// # soft_delete_core::schema::create_table::<book::Entity, _>(&db).await?;
/// # sea_orm::ConnectionTrait::execute_unprepared(&db, "INSERT INTO author (id) VALUES (1), (2); INSERT INTO book (id, author_id) VALUES (1, 1), (2, 1), (3, 2)").await?;
/// use soft_delete_core::prelude::*;
///
/// book::Entity::soft_delete_by_id(3).exec(&db).await?;
/// // Author 2's only book is trashed: the author is still listed, with `None`.
/// let pairs = author::Entity::objects()
///     .find_also_related_active(book::Entity)
///     .all(&db)
///     .await?;
/// assert_eq!(pairs.len(), 3);
/// assert!(pairs.iter().any(|(author, book)| author.id == 2 && book.is_none()));
/// # Ok(())
/// # }
/// ```
pub trait SelectActiveRelated<E: EntityTrait>: Sized {
    /// `find_also_related` whose related side is active only. The condition sits in the `LEFT
    /// JOIN`'s `ON`, so a row whose related rows are all trashed is still returned, with `None`.
    fn find_also_related_active<R>(self, related: R) -> SelectTwo<E, R>
    where
        R: SoftDeleteEntity,
        E: Related<R>;

    /// `find_with_related` whose related side is active only (condition in the `ON` clause).
    fn find_with_related_active<R>(self, related: R) -> SelectTwoMany<E, R>
    where
        R: SoftDeleteEntity,
        E: Related<R>;

    /// `has_related`: rows with at least one active related row matching `condition`.
    fn has_related_active<R, C>(self, related: R, condition: C) -> Select<E>
    where
        R: SoftDeleteEntity,
        E: Related<R>,
        C: IntoCondition;
}

impl<E: EntityTrait> SelectActiveRelated<E> for Select<E> {
    fn find_also_related_active<R>(self, related: R) -> SelectTwo<E, R>
    where
        R: SoftDeleteEntity,
        E: Related<R>,
    {
        left_join_active::<E, R>(self).select_also(related)
    }

    fn find_with_related_active<R>(self, related: R) -> SelectTwoMany<E, R>
    where
        R: SoftDeleteEntity,
        E: Related<R>,
    {
        left_join_active::<E, R>(self).select_with(related)
    }

    fn has_related_active<R, C>(self, related: R, condition: C) -> Select<E>
    where
        R: SoftDeleteEntity,
        E: Related<R>,
        C: IntoCondition,
    {
        let condition = Condition::all()
            .add(condition.into_condition())
            .add(active_condition::<R>())
            .add(active_junction_condition::<E, R>());
        self.has_related(related, condition)
    }
}

fn left_join_active<E, R>(select: Select<E>) -> Select<E>
where
    E: EntityTrait + Related<R>,
    R: SoftDeleteEntity,
{
    let select = match (<E as Related<R>>::via(), junction_description::<E, R>()) {
        (Some(via), Some(junction)) => {
            let marker = Alias::new(junction.description.marker.as_str()).into_iden();
            let kind = junction.description.marker_kind;
            select.join(JoinType::LeftJoin, join_on_active(via, marker, kind))
        }
        (Some(via), None) => select.join(JoinType::LeftJoin, via),
        (None, _) => select,
    };
    select.join(
        JoinType::LeftJoin,
        active_join::<R>(<E as Related<R>>::to()),
    )
}

/// `only_active` / `only_trashed` on any SeaORM query that filters: `Select`, `UpdateMany`,
/// `DeleteMany`, the dense format's `EntityLoader`...
///
/// ```
/// # mod product {
/// #     use sea_orm::entity::prelude::*;
/// #     use soft_delete_core::prelude::*;
/// #     #[derive(Clone, Debug, PartialEq, DeriveEntityModel, SoftDelete)]
/// #     #[sea_orm(table_name = "product")]
/// #     pub struct Model {
/// #         #[sea_orm(primary_key)]
/// #         pub id: i32,
/// #         pub name: String,
/// #         pub price: i64,
/// #         pub deleted_at: Option<DateTimeUtc>,
/// #     }
/// #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #     pub enum Relation {}
/// #     impl ActiveModelBehavior for ActiveModel {}
/// # }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), soft_delete_core::Error> {
/// # let db = sea_orm::Database::connect("sqlite::memory:").await?;
/// # soft_delete_core::schema::create_table::<product::Entity, _>(&db).await?;
/// # sea_orm::ConnectionTrait::execute_unprepared(&db, "INSERT INTO product (id, name, price) VALUES (1, 'pen', 2), (2, 'desk', 150), (3, 'lamp', 40)").await?;
/// use sea_orm::{EntityTrait, PaginatorTrait};
/// use soft_delete_core::SoftDeleteFilter;
///
/// product::Entity::soft_delete_by_id(1).exec(&db).await?;
/// let active = product::Entity::find().only_active::<product::Entity>().count(&db).await?;
/// let trashed = product::Entity::find().only_trashed::<product::Entity>().count(&db).await?;
/// assert_eq!((active, trashed), (2, 1));
/// # Ok(())
/// # }
/// ```
pub trait SoftDeleteFilter: QueryFilter {
    /// Keeps `E`'s active rows.
    fn only_active<E: SoftDeleteEntity>(self) -> Self {
        self.filter(active_condition::<E>())
    }

    /// Keeps `E`'s trashed rows.
    fn only_trashed<E: SoftDeleteEntity>(self) -> Self {
        self.filter(trashed_condition::<E>())
    }
}

impl<Q: QueryFilter> SoftDeleteFilter for Q {}

/// The error a `before_delete` hook returns to stop SeaORM's own hard delete of a
/// soft-deletable row (`Model::delete`, `ActiveModel::delete`, the dense format's cascades).
///
/// ```ignore
/// #[async_trait::async_trait]
/// impl ActiveModelBehavior for ActiveModel {
///     async fn before_delete<C: ConnectionTrait>(self, _db: &C) -> Result<Self, DbErr> {
///         Err(soft_delete_core::hard_delete_denied::<Entity>())
///     }
/// }
/// ```
///
/// The library's own `force_delete` is not affected. SeaORM does not call the hook for
/// `Entity::delete_many()`, `Entity::delete_by_id()`, `Entity::delete(..)`, the dense format's
/// `delete_by_<unique>()` or raw SQL, so the guard cannot stop those.
pub fn hard_delete_denied<E: SoftDeleteEntity>() -> sea_orm::DbErr {
    sea_orm::DbErr::Custom(format!(
        "`{}` rows are soft-deleted: call `soft_delete(db)` to move the row to the trash, or \
         `force_delete(db)` to remove it for good",
        E::default().table_name()
    ))
}
