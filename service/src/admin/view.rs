//! The pages' templates and the view models they draw; no queries here.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};

use super::query::{ListView, Nav, Trashed};

#[derive(Template)]
#[template(path = "admin/message.html")]
struct MessagePage<'a> {
    nav: &'static str,
    title: &'a str,
    message: &'a str,
}

pub(super) fn message_page(status: StatusCode, nav: Nav, title: &str, message: &str) -> Response {
    render(
        status,
        &MessagePage {
            nav: nav.path(),
            title,
            message,
        },
    )
}

pub(super) fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, "rendering an admin page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "rendering failed").into_response()
        }
    }
}

/// The page a destructive or bulk action shows first: what will change, counted per table, and
/// a button that sends the action again, confirmed. No JavaScript: the confirmation is a page,
/// as in Django's admin.
#[derive(Template)]
#[template(path = "admin/confirm.html")]
pub(super) struct ConfirmPage {
    pub(super) nav: &'static str,
    pub(super) title: String,
    pub(super) question: String,
    pub(super) counts: Vec<String>,
    pub(super) action: String,
    pub(super) fields: Vec<(&'static str, String)>,
    pub(super) button: &'static str,
    pub(super) danger: bool,
    pub(super) cancel: String,
}

/// A button that posts to `path`, carrying the list's view back.
pub(super) struct ActionButton {
    pub(super) label: &'static str,
    pub(super) path: String,
    pub(super) danger: bool,
}

/// A time as the page shows it and as `<time datetime>` takes it.
pub(super) struct Stamp {
    pub(super) human: String,
    pub(super) machine: String,
}

impl From<DateTime<Utc>> for Stamp {
    fn from(at: DateTime<Utc>) -> Self {
        Self {
            human: at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            machine: at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        }
    }
}

/// A remark under a trashed row's time, linking to more when there is more.
pub(super) struct Note {
    pub(super) text: String,
    pub(super) link: Option<(String, String)>,
}

pub(super) struct RowView {
    pub(super) id: i32,
    pub(super) href: String,
    /// Each cell with its column's name, which labels it on a narrow screen.
    pub(super) cells: Vec<(&'static str, String)>,
    pub(super) deleted_at: Option<Stamp>,
    pub(super) note: Option<Note>,
    pub(super) actions: Vec<ActionButton>,
    /// The row the last action was on: the focus returns to it.
    pub(super) focused: bool,
}

/// One of the trashed filter's links, with how many rows it shows.
pub(super) struct FilterLink {
    pub(super) label: &'static str,
    pub(super) count: u64,
    pub(super) href: String,
    pub(super) current: bool,
}

/// A link in the numbered pagination; `None` for the gap between far pages.
pub(super) struct PageLink {
    pub(super) number: Option<u64>,
    pub(super) href: String,
    pub(super) current: bool,
}

pub(super) struct Pager {
    pub(super) page: u64,
    pub(super) pages: u64,
    pub(super) previous: Option<String>,
    pub(super) next: Option<String>,
    pub(super) links: Vec<PageLink>,
}

impl Pager {
    /// Links to the first and last page, and to the two either side of the current one.
    pub(super) fn new(total: u64, page: u64, per_page: u64, href: impl Fn(u64) -> String) -> Self {
        let pages = total.div_ceil(per_page).max(1);
        let mut numbers = vec![1, pages];
        numbers.extend(page.saturating_sub(2).max(1)..=page.saturating_add(2).min(pages));
        numbers.sort_unstable();
        numbers.dedup();
        let mut links = Vec::with_capacity(numbers.len() * 2);
        let mut last_shown = 0;
        for number in numbers {
            if number > last_shown + 1 {
                links.push(PageLink {
                    number: None,
                    href: String::new(),
                    current: false,
                });
            }
            links.push(PageLink {
                number: Some(number),
                href: href(number),
                current: number == page,
            });
            last_shown = number;
        }
        Self {
            page,
            pages,
            previous: (page > 1).then(|| href(page - 1)),
            next: (page < pages).then(|| href(page + 1)),
            links,
        }
    }
}

/// What the last action did, as the list shows it.
pub(super) struct Notice {
    pub(super) text: String,
    pub(super) refused: bool,
}

#[derive(Template)]
#[template(path = "admin/list.html")]
pub(super) struct ListPage {
    pub(super) nav: &'static str,
    pub(super) title: &'static str,
    pub(super) noun: &'static str,
    pub(super) notice: Option<Notice>,
    /// Whether a row takes the focus (the one acted on); else the notice does.
    pub(super) focus_on_row: bool,
    pub(super) search: String,
    pub(super) search_label: &'static str,
    pub(super) trashed: &'static str,
    pub(super) per_page: u64,
    pub(super) page_sizes: [u64; 3],
    pub(super) filters: Vec<FilterLink>,
    pub(super) back: String,
    pub(super) headers: Vec<&'static str>,
    pub(super) shows_status: bool,
    pub(super) can_delete: bool,
    pub(super) can_restore: bool,
    pub(super) rows: Vec<RowView>,
    pub(super) empty: String,
    pub(super) total: u64,
    pub(super) pager: Pager,
    pub(super) max_purge_days: u32,
}

impl ListPage {
    /// The filter links of `view` with their counts (active, trashed).
    pub(super) fn filters(nav: Nav, view: &ListView, active: u64, trashed: u64) -> Vec<FilterLink> {
        Trashed::ALL
            .into_iter()
            .map(|filter| FilterLink {
                label: filter.label(),
                count: match filter {
                    Trashed::Without => active,
                    Trashed::Only => trashed,
                    Trashed::With => active + trashed,
                },
                href: view.filtered(filter).href(nav, 1),
                current: filter == view.trashed,
            })
            .collect()
    }
}

#[derive(Template)]
#[template(path = "admin/row.html")]
pub(super) struct RowPage {
    pub(super) nav: &'static str,
    pub(super) title: String,
    pub(super) trashed: Option<String>,
    pub(super) fields: Vec<(&'static str, String)>,
    pub(super) actions: Vec<ActionButton>,
    pub(super) links: Vec<(String, String)>,
}

/// The products that went to the trash with one category, a page at a time.
#[derive(Template)]
#[template(path = "admin/batch.html")]
pub(super) struct BatchPage {
    pub(super) nav: &'static str,
    pub(super) title: String,
    pub(super) intro: String,
    pub(super) rows: Vec<(i32, String, String)>,
    pub(super) pager: Pager,
    pub(super) category_href: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(pager: &Pager) -> Vec<String> {
        pager
            .links
            .iter()
            .map(|link| match (link.number, link.current) {
                (None, _) => "…".into(),
                (Some(n), true) => format!("[{n}]"),
                (Some(n), false) => n.to_string(),
            })
            .collect()
    }

    #[test]
    fn pagination_numbers_the_ends_and_the_neighbourhood() {
        let href = |n: u64| format!("?page={n}");
        assert_eq!(shown(&Pager::new(0, 1, 20, href)), ["[1]"]);
        assert_eq!(
            shown(&Pager::new(100, 3, 20, href)),
            ["1", "2", "[3]", "4", "5"]
        );
        assert_eq!(
            shown(&Pager::new(2_520, 60, 20, href)),
            ["1", "…", "58", "59", "[60]", "61", "62", "…", "126"]
        );
        let far = Pager::new(20_000_000, 1, 20, href);
        assert_eq!(shown(&far), ["[1]", "2", "3", "…", "1000000"]);
        assert_eq!(far.previous, None);
        assert_eq!(far.next.as_deref(), Some("?page=2"));
    }
}
