//! The admin's `POST` handlers: an action on one row, on the checked rows, and the purge.
//! Each answers `303 See Other` to the list it came from (post/redirect/get), refusals
//! included; destructive and bulk actions first answer with a confirmation page.

use axum::Form;
use axum::body::Bytes;
use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ColumnTrait, DbErr, PaginatorTrait, QueryFilter, QuerySelect, QueryTrait};
use serde::Deserialize;
use soft_delete_core::{Error, HasDeletionTime, RowState, SoftDeleteEntityExt};

use super::failure::{AdminError, AdminResult};
use super::listed::Listed;
use super::query::{Act, ListView, MAX_PURGE_DAYS, Nav};
use super::view::{ConfirmPage, render};
use crate::error::Outcome;
use crate::flash::{self, Flash};
use crate::{Db, category, product, retrying};

/// The rows one bulk action takes at most: a page of the list at its largest.
pub(super) const MAX_SELECTED: usize = 100;

/// The form of a one-row action: the list's view to return to, and `confirmed=yes` once the
/// confirmation page was answered.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ActionForm {
    back: Option<String>,
    confirmed: Option<String>,
}

fn confirmed(field: Option<&str>) -> bool {
    field == Some("yes")
}

/// Back to `view` of `nav`'s list, which shows `flash` once.
fn back_to(nav: Nav, view: &ListView, flash: Flash) -> Response {
    let token = flash::keep(flash);
    Redirect::to(&format!("{}&notice={token}", view.href(nav, view.page))).into_response()
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A failed action: a refusal goes back to the list with the reason (the rows are as they
/// were), a row that is not there is a 404, anything else a 500.
fn refused(nav: Nav, view: &ListView, focus: Option<i32>, error: Error) -> AdminResult<Response> {
    let error = DbErr::from(error);
    let text = match Outcome::of(&error) {
        Outcome::Refused { error: refusal, .. } => refusal_text(nav, focus, refusal),
        Outcome::Constraint { message, .. } => format!("Refused by the database: {message}"),
        // Deleted for good since the page was drawn (another tab, the pruner): the page it came
        // from says so, as any refusal.
        Outcome::Missing => match focus {
            Some(id) => format!(
                "{} {id} no longer exists (it was deleted for good): nothing was changed.",
                nav.title_noun()
            ),
            None => format!("None of the checked {} exists any more.", nav.path()),
        },
        Outcome::Failed => return Err(AdminError::Internal(error.to_string())),
    };
    Ok(back_to(
        nav,
        view,
        Flash {
            text,
            refused: true,
            focus,
        },
    ))
}

/// A refusal of the library as the page says it.
fn refusal_text(nav: Nav, id: Option<i32>, error: &Error) -> String {
    let subject = id.map_or_else(
        || format!("the checked {}", nav.path()),
        |id| format!("{} {id}", nav.noun()),
    );
    match error {
        Error::RestoreConflict {
            table,
            columns,
            restored_key,
            active_key,
            ..
        } => {
            let columns = columns.join(", ");
            let active = active_key.as_deref().unwrap_or("(unknown)");
            let restored = restored_key.as_deref().unwrap_or("(unknown)");
            // A cascade's conflict is a child's (or, with its category, the parent's): name it.
            let which = if *table == nav.noun() && id.is_some() {
                format!("its {columns} is")
            } else {
                format!("{table} {restored}, which would come back, has a {columns}")
            };
            format!(
                "Cannot restore {subject}: {which} taken by active {table} {active}. Change or delete that row first. Nothing was restored."
            )
        }
        Error::ParentTrashed { keys, .. } => format!(
            "Cannot restore {} {}: its category is in the trash. Use “Restore with category”, or restore the category first.",
            nav.noun(),
            keys.join(", ")
        ),
        Error::NotInTrash { .. } => format!(
            "{} is not in the trash (it was restored since this page was drawn): nothing was deleted.",
            capitalized(&subject)
        ),
        other => other.to_string(),
    }
}

/// `POST /admin/{list}/{id}/{action}`.
pub(super) async fn one<E: Listed>(
    State(db): State<Db>,
    path: Result<Path<(i32, String)>, PathRejection>,
    form: Result<Form<ActionForm>, FormRejection>,
) -> AdminResult<Response> {
    let Path((id, segment)) = path?;
    let act = Act::parse(&segment)
        .filter(|act| E::ACTS.contains(act))
        .ok_or_else(|| AdminError::NotFound(E::NAV, "There is no such action.".into()))?;
    let Form(form) = form?;
    let view = ListView::from_back(form.back.as_deref())?;
    if act.destroys() && !confirmed(form.confirmed.as_deref()) {
        return confirm_one::<E>(&db, id, &view).await;
    }
    match run_one::<E>(&db, act, id).await {
        Ok(outcome) => {
            let refused = outcome.is_err();
            let text = outcome.unwrap_or_else(|refusal| refusal);
            Ok(back_to(
                E::NAV,
                &view,
                Flash {
                    text,
                    refused,
                    focus: Some(id),
                },
            ))
        }
        Err(error) => refused(E::NAV, &view, Some(id), error),
    }
}

/// Runs `act` on row `id`; what the page then says, as a notice, or as a refusal when the row
/// was already as the action would leave it (a page drawn before someone else's action).
async fn run_one<E: Listed>(db: &Db, act: Act, id: i32) -> Result<Result<String, String>, Error> {
    let nav = E::NAV;
    let subject = format!("{} {id}", nav.title_noun());
    let with_them = |n: u64| {
        if nav == Nav::Categories {
            format!(" with {}", Nav::Products.count(n))
        } else {
            String::new()
        }
    };
    Ok(Ok(match act {
        Act::Delete => {
            let done = retrying(|| E::soft_delete_by_id(E::key(id)).exec_with_outcome(db)).await?;
            if !done.changed {
                return Ok(Err(format!(
                    "{subject} was already in the trash (a page drawn before it was deleted): nothing was changed."
                )));
            }
            let n = E::went_with(db, &done.row).await?;
            format!("{subject} moved to the trash{}.", with_them(n))
        }
        Act::Restore | Act::RestoreWithCategory => {
            // What went with it comes back with it: count it before the batch id is cleared.
            let n = match E::lookup_by_id(E::key(id)).one(db).await? {
                RowState::Trashed { row, .. } => E::went_with(db, &row).await?,
                _ => 0,
            };
            let with_parent = act == Act::RestoreWithCategory;
            let done = retrying(|| {
                let restore = E::restore_by_id(E::key(id));
                let restore = if with_parent {
                    restore.with_ancestors()
                } else {
                    restore
                };
                restore.exec_with_outcome(db)
            })
            .await?;
            if !done.changed {
                return Ok(Err(format!(
                    "{subject} was not in the trash (it was restored since this page was drawn): nothing was changed."
                )));
            }
            if with_parent {
                format!("{subject} restored with its category.")
            } else {
                format!("{subject} restored{}.", with_them(n))
            }
        }
        // Only while it is in the trash, decided in the `DELETE`: a page drawn before a
        // restore (Back, another tab) must not delete an active row.
        Act::ForceDelete => {
            retrying(|| E::force_delete_by_id(E::key(id)).only_trashed().exec(db)).await?;
            format!("{subject} deleted for good.")
        }
    }))
}

/// Asks before deleting row `id` for good, saying what goes with it; a row no longer in the
/// trash is refused at once.
async fn confirm_one<E: Listed>(db: &Db, id: i32, view: &ListView) -> AdminResult<Response> {
    let nav = E::NAV;
    let row = match E::lookup_by_id(E::key(id)).one(db).await? {
        RowState::Trashed { row, .. } => row,
        RowState::Active(_) => {
            let error = Error::NotInTrash {
                table: nav.noun(),
                key: id.to_string(),
            };
            return refused(nav, view, Some(id), error);
        }
        RowState::Missing => {
            let error = Error::RowNotFound {
                table: nav.noun(),
                key: id.to_string(),
            };
            return refused(nav, view, Some(id), error);
        }
    };
    let name = E::fields(&row)
        .into_iter()
        .next()
        .map_or_else(String::new, |(_, v)| v);
    let mut counts = vec![nav.count(1)];
    counts.extend(E::takes_along(db, Act::ForceDelete, &[id]).await?);
    let page = ConfirmPage {
        nav: nav.path(),
        title: "Delete for good?".into(),
        question: format!(
            "Delete {} {id} (“{name}”) for good? This cannot be undone. It removes:",
            nav.noun()
        ),
        counts,
        action: format!("/admin/{}/{id}/{}", nav.path(), Act::ForceDelete.segment()),
        fields: vec![("back", view.query_string(view.page))],
        button: "Delete for good",
        danger: true,
        cancel: view.href(nav, view.page),
    };
    Ok(render(StatusCode::OK, &page))
}

/// The bulk form, as sent: the action, one `ids` per checked row, the view to return to.
struct BulkForm {
    act: Act,
    ids: Vec<i32>,
    back: Option<String>,
    confirmed: bool,
}

impl BulkForm {
    fn parse<E: Listed>(body: &[u8]) -> AdminResult<BulkForm> {
        let bad = |message: String| AdminError::BadRequest(message);
        let (mut act, mut ids, mut back, mut confirmed) = (None, Vec::new(), None, false);
        for (name, value) in form_urlencoded::parse(body) {
            match &*name {
                "action" => {
                    act = Some(
                        Act::parse(&value)
                            .filter(|act| *act != Act::RestoreWithCategory && E::ACTS.contains(act))
                            .ok_or_else(|| bad(format!("no bulk action {value:?}")))?,
                    );
                }
                "ids" => ids.push(
                    value
                        .parse()
                        .map_err(|_| bad(format!("ids must be row ids, not {value:?}")))?,
                ),
                "back" => back = Some(value.into_owned()),
                "confirmed" => confirmed = value == "yes",
                other => return Err(bad(format!("unknown field {other:?}"))),
            }
        }
        ids.sort_unstable();
        ids.dedup();
        if ids.len() > MAX_SELECTED {
            return Err(bad(format!("at most {MAX_SELECTED} rows at once")));
        }
        Ok(BulkForm {
            act: act.ok_or_else(|| bad("the form names no action".into()))?,
            ids,
            back,
            confirmed,
        })
    }
}

/// `POST /admin/{list}/bulk`: the action on every checked row, through the library's bulk
/// operation (one statement per table), after a confirmation page that counts them.
pub(super) async fn bulk<E: Listed>(
    State(db): State<Db>,
    headers: HeaderMap,
    body: Bytes,
) -> AdminResult<Response> {
    // As axum's `Form` insists: a `text/plain` form, which another site may send without
    // asking, is not this one.
    let form_type = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|value| {
            value
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !form_type {
        return Err(AdminError::BadRequest(
            "the bulk form is sent as application/x-www-form-urlencoded".into(),
        ));
    }
    let form = BulkForm::parse::<E>(&body)?;
    let nav = E::NAV;
    let view = ListView::from_back(form.back.as_deref())?;
    let refuse = |text: String| {
        back_to(
            nav,
            &view,
            Flash {
                text,
                refused: true,
                focus: None,
            },
        )
    };
    if form.ids.is_empty() {
        return Ok(refuse(format!(
            "Check the {} to act on first: nothing was changed.",
            nav.path()
        )));
    }
    let among = || E::id_column().is_in(form.ids.clone());
    if !form.confirmed {
        // The rows the action would change: the active ones for a delete, else the trashed.
        let affected = if form.act.wants_trashed() {
            E::deleted_objects().filter(among()).count(&db).await?
        } else {
            E::objects().filter(among()).count(&db).await?
        };
        if affected == 0 {
            let state = if form.act.wants_trashed() {
                "in the trash"
            } else {
                "active"
            };
            return Ok(refuse(format!(
                "None of the checked {} is {state}: nothing was changed.",
                nav.path()
            )));
        }
        return confirm_bulk::<E>(&db, &form, &view, affected).await;
    }
    let ids = &form.ids;
    let outcome = match form.act {
        Act::Delete => retrying(|| {
            E::soft_delete_many()
                .filter(E::id_column().is_in(ids.clone()))
                .exec(&db)
        })
        .await
        .map(|done| (done.rows_affected, done.cascaded)),
        Act::Restore | Act::RestoreWithCategory => retrying(|| {
            E::restore_many()
                .filter(E::id_column().is_in(ids.clone()))
                .exec(&db)
        })
        .await
        .map(|done| (done.rows_affected, done.cascaded)),
        Act::ForceDelete => retrying(|| {
            E::force_delete_many()
                .only_trashed()
                .filter(E::id_column().is_in(ids.clone()))
                .exec(&db)
        })
        .await
        .map(|done| (done.rows_affected, done.cascaded)),
    };
    match outcome {
        // Every checked row changed state since the page was drawn (a stale page).
        Ok((0, _)) => {
            let state = if form.act.wants_trashed() {
                "in the trash"
            } else {
                "active"
            };
            Ok(refuse(format!(
                "None of the checked {} is {state} any more: nothing was changed.",
                nav.path()
            )))
        }
        Ok((rows, cascaded)) => {
            let along: Vec<String> = cascaded
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(table, n)| match table {
                    "product" => Nav::Products.count(n),
                    other => format!("{n} rows of {other}"),
                })
                .collect();
            let along = if along.is_empty() {
                String::new()
            } else {
                format!(" with {}", along.join(", "))
            };
            let done = match form.act {
                Act::Delete => "moved to the trash",
                Act::Restore | Act::RestoreWithCategory => "restored",
                Act::ForceDelete => "deleted for good",
            };
            let text = format!("{} {done}{along}.", capitalized(&nav.count(rows)));
            Ok(back_to(
                nav,
                &view,
                Flash {
                    text,
                    refused: false,
                    focus: None,
                },
            ))
        }
        Err(error) => refused(nav, &view, None, error),
    }
}

async fn confirm_bulk<E: Listed>(
    db: &Db,
    form: &BulkForm,
    view: &ListView,
    affected: u64,
) -> AdminResult<Response> {
    let nav = E::NAV;
    let mut counts = vec![nav.count(affected)];
    counts.extend(E::takes_along(db, form.act, &form.ids).await?);
    let skipped = form.ids.len() as u64 - affected;
    let (title, question, button) = match form.act {
        Act::Delete => (
            "Move to the trash?",
            "Move the checked rows to the trash? They can be restored. This moves:",
            "Move to trash",
        ),
        Act::Restore | Act::RestoreWithCategory => (
            "Restore?",
            "Restore the checked rows from the trash? This brings back:",
            "Restore",
        ),
        Act::ForceDelete => (
            "Delete for good?",
            "Delete the checked rows for good? This cannot be undone. It removes:",
            "Delete for good",
        ),
    };
    if skipped > 0 {
        let state = if form.act.wants_trashed() {
            "not in the trash"
        } else {
            "already in the trash"
        };
        counts.push(format!(
            "({} checked but {state}: left as they are)",
            nav.count(skipped)
        ));
    }
    let mut fields = vec![("action", form.act.segment().to_owned())];
    fields.extend(form.ids.iter().map(|id| ("ids", id.to_string())));
    fields.push(("back", view.query_string(view.page)));
    let page = ConfirmPage {
        nav: nav.path(),
        title: title.into(),
        question: question.into(),
        counts,
        action: format!("/admin/{}/bulk", nav.path()),
        fields,
        button,
        danger: form.act.destroys(),
        cancel: view.href(nav, view.page),
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PurgeForm {
    older_than_days: u32,
    /// The list the form was on.
    nav: Nav,
    back: Option<String>,
    confirmed: Option<String>,
    /// The cutoff the confirmation page counted with (RFC 3339): the purge removes what that
    /// page listed, not what expired while it was open.
    cutoff: Option<String>,
}

/// `POST /admin/purge`: deletes for good what both tables' trash holds since before the cutoff.
pub(super) async fn purge(
    State(db): State<Db>,
    form: Result<Form<PurgeForm>, FormRejection>,
) -> AdminResult<Response> {
    let Form(form) = form?;
    if form.older_than_days > MAX_PURGE_DAYS {
        return Err(AdminError::BadRequest(format!(
            "older_than_days must be at most {MAX_PURGE_DAYS}"
        )));
    }
    let view = ListView::from_back(form.back.as_deref())?;
    let now = soft_delete_core::clock::now();
    if !confirmed(form.confirmed.as_deref()) {
        let cutoff = now - TimeDelta::days(i64::from(form.older_than_days));
        return confirm_purge(&db, &form, &view, cutoff).await;
    }
    let cutoff = match form.cutoff.as_deref().map(DateTime::parse_from_rfc3339) {
        Some(Ok(cutoff)) if cutoff <= now => cutoff.with_timezone(&Utc),
        _ => {
            return Err(AdminError::BadRequest(
                "a confirmed purge names the cutoff its confirmation page counted with".into(),
            ));
        }
    };
    // Products first: a category's purge then finds fewer descendants to remove with it. The
    // products a category's purge takes along are not in its count: counted here, first.
    let products = retrying(|| product::Entity::purge_trash(cutoff).exec(&db)).await?;
    let with_categories = products_with_expired_categories(&db, cutoff).await?;
    let categories = retrying(|| category::Entity::purge_trash(cutoff).exec(&db)).await?;
    let removed = products.rows_removed + with_categories + categories.rows_removed;
    Ok(back_to(
        form.nav,
        &view,
        Flash {
            text: format!(
                "Purged {removed} row{} from the trash.",
                if removed == 1 { "" } else { "s" }
            ),
            refused: false,
            focus: None,
        },
    ))
}

/// Asks before a purge, with what it removes per table: the expired products, the expired
/// categories, and the products that go with those categories.
async fn confirm_purge(
    db: &Db,
    form: &PurgeForm,
    view: &ListView,
    cutoff: DateTime<Utc>,
) -> AdminResult<Response> {
    let expired_products = <product::Entity as HasDeletionTime>::deleted_before(cutoff);
    let expired_categories = <category::Entity as HasDeletionTime>::deleted_before(cutoff);
    let products = product::Entity::deleted_objects()
        .filter(expired_products)
        .count(db)
        .await?;
    let categories = category::Entity::deleted_objects()
        .filter(expired_categories)
        .count(db)
        .await?;
    let with_them = products_with_expired_categories(db, cutoff).await?;
    let days = form.older_than_days;
    let page = ConfirmPage {
        nav: form.nav.path(),
        title: "Purge the trash?".into(),
        question: format!(
            "Purge everything deleted more than {days} day{} ago? This cannot be undone. It removes:",
            if days == 1 { "" } else { "s" }
        ),
        counts: vec![
            Nav::Products.count(products),
            Nav::Categories.count(categories),
            format!(
                "{} more in those categories",
                Nav::Products.count(with_them)
            ),
        ],
        action: "/admin/purge".into(),
        fields: vec![
            ("older_than_days", days.to_string()),
            (
                "cutoff",
                cutoff.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            ),
            ("nav", form.nav.path().to_owned()),
            ("back", view.query_string(view.page)),
        ],
        button: "Purge for good",
        danger: true,
        cancel: view.href(form.nav, view.page),
    };
    Ok(render(StatusCode::OK, &page))
}

/// The products, active or trashed but not yet expired, in categories that expired by `cutoff`:
/// a category's purge removes them with it.
async fn products_with_expired_categories(db: &Db, cutoff: DateTime<Utc>) -> Result<u64, DbErr> {
    let expired_products = <product::Entity as HasDeletionTime>::deleted_before(cutoff);
    let expired_category_ids = category::Entity::deleted_objects()
        .select_only()
        .column(category::Column::Id)
        .filter(<category::Entity as HasDeletionTime>::deleted_before(
            cutoff,
        ))
        .into_query();
    product::Entity::all_objects()
        .filter(product::Column::CategoryId.in_subquery(expired_category_ids))
        .filter(
            sea_orm::Condition::any()
                .add(product::Column::DeletedAt.is_null())
                .add(sea_orm::sea_query::ExprTrait::not(expired_products)),
        )
        .count(db)
        .await
}
