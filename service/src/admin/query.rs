//! What an admin address asks for: which list, which of its rows (the trashed filter and the
//! search) and which page; and how that travels with a form so an action returns to it.

use axum::extract::Query;
use axum::http::Uri;
use serde::Deserialize;

use crate::{MAX_PAGE, MAX_TEXT_CHARS};

/// A query, path or form field that is not what the admin asks for: a 400 page, which says
/// this.
#[derive(Debug)]
pub(super) struct BadQuery(pub(super) String);

/// Which list a page belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Nav {
    Products,
    Categories,
}

impl Nav {
    /// The list's path segment, as in `/admin/products`.
    pub(super) fn path(self) -> &'static str {
        match self {
            Nav::Products => "products",
            Nav::Categories => "categories",
        }
    }

    /// One row, in a sentence; also the table's name.
    pub(super) fn noun(self) -> &'static str {
        match self {
            Nav::Products => "product",
            Nav::Categories => "category",
        }
    }

    /// The noun that starts a title: `Product`.
    pub(super) fn title_noun(self) -> &'static str {
        match self {
            Nav::Products => "Product",
            Nav::Categories => "Category",
        }
    }

    /// `1 product`, `2 categories`.
    pub(super) fn count(self, n: u64) -> String {
        let many = match self {
            Nav::Products => "products",
            Nav::Categories => "categories",
        };
        format!("{n} {}", if n == 1 { self.noun() } else { many })
    }
}

/// What a button asks for; its path segment names it (`/admin/products/7/force-delete`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Act {
    Delete,
    Restore,
    RestoreWithCategory,
    ForceDelete,
}

impl Act {
    pub(super) fn parse(segment: &str) -> Option<Act> {
        Some(match segment {
            "delete" => Act::Delete,
            "restore" => Act::Restore,
            "restore-with-category" => Act::RestoreWithCategory,
            "force-delete" => Act::ForceDelete,
            _ => return None,
        })
    }

    pub(super) fn segment(self) -> &'static str {
        match self {
            Act::Delete => "delete",
            Act::Restore => "restore",
            Act::RestoreWithCategory => "restore-with-category",
            Act::ForceDelete => "force-delete",
        }
    }

    pub(super) fn label(self) -> &'static str {
        match self {
            Act::Delete => "Move to trash",
            Act::Restore => "Restore",
            Act::RestoreWithCategory => "Restore with category",
            Act::ForceDelete => "Delete forever",
        }
    }

    /// Whether it cannot be undone: its button is drawn as dangerous.
    pub(super) fn destroys(self) -> bool {
        self == Act::ForceDelete
    }

    /// Whether the row it acts on must be in the trash (or must be active, for a delete).
    pub(super) fn wants_trashed(self) -> bool {
        self != Act::Delete
    }
}

/// The list's trashed filter, as Laravel's and Filament's: without the trash (the default), with
/// it, or only the trash.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Trashed {
    #[default]
    Without,
    With,
    Only,
}

impl Trashed {
    pub(super) const ALL: [Trashed; 3] = [Trashed::Without, Trashed::Only, Trashed::With];

    pub(super) fn as_str(self) -> &'static str {
        match self {
            Trashed::Without => "without",
            Trashed::With => "with",
            Trashed::Only => "only",
        }
    }

    /// The filter's name on the page.
    pub(super) fn label(self) -> &'static str {
        match self {
            Trashed::Without => "Active",
            Trashed::With => "All",
            Trashed::Only => "Trash",
        }
    }
}

/// The longest retention the purge form takes, in days (a century).
pub const MAX_PURGE_DAYS: u32 = 36_500;

/// The sizes of a page the list offers.
pub(super) const PAGE_SIZES: [u64; 3] = [20, 50, 100];

/// A list address's query, as sent.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ListQuery {
    trashed: Option<Trashed>,
    q: Option<String>,
    page: Option<u64>,
    per_page: Option<u64>,
    /// The token of what the last action did ([`crate::flash`]).
    notice: Option<u64>,
}

/// A list address's query, checked: which rows, which page (from 1) of how many.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct ListView {
    pub(super) trashed: Trashed,
    pub(super) search: Option<String>,
    pub(super) page: u64,
    pub(super) per_page: u64,
}

impl Default for ListView {
    fn default() -> Self {
        Self {
            trashed: Trashed::Without,
            search: None,
            page: 1,
            per_page: PAGE_SIZES[0],
        }
    }
}

impl ListQuery {
    /// The view the query asks for, bounded like the JSON API's lists.
    pub(super) fn view(&self) -> Result<ListView, BadQuery> {
        let per_page = self.per_page.unwrap_or(PAGE_SIZES[0]);
        if !(1..=100).contains(&per_page) {
            return Err(BadQuery("per_page must be between 1 and 100".into()));
        }
        let page = self.page.unwrap_or(1);
        if !(1..=MAX_PAGE).contains(&page) {
            return Err(BadQuery(format!("pages go from 1 to {MAX_PAGE}")));
        }
        let search = self
            .q
            .as_deref()
            .map(str::trim)
            .filter(|term| !term.is_empty());
        if search.is_some_and(|term| term.chars().count() > MAX_TEXT_CHARS) {
            return Err(BadQuery(format!(
                "a search is at most {MAX_TEXT_CHARS} characters"
            )));
        }
        Ok(ListView {
            trashed: self.trashed.unwrap_or_default(),
            search: search.map(str::to_owned),
            page,
            per_page,
        })
    }

    /// The token of the last action's notice, when the address carries one.
    pub(super) fn notice(&self) -> Option<u64> {
        self.notice
    }
}

impl ListView {
    /// The view a form's `back` field names (the query string of the page the form was on);
    /// an absent one is the list's first page.
    pub(super) fn from_back(back: Option<&str>) -> Result<ListView, BadQuery> {
        let Some(back) = back.filter(|back| !back.is_empty()) else {
            return Ok(ListView::default());
        };
        let uri: Uri = format!("/?{back}")
            .parse()
            .map_err(|_| BadQuery("back is not a query string".into()))?;
        let Query(query) = Query::<ListQuery>::try_from_uri(&uri)
            .map_err(|rejection| BadQuery(rejection.body_text()))?;
        if query.notice.is_some() {
            return Err(BadQuery("back carries no notice".into()));
        }
        query.view()
    }

    /// This view's query string, on page `page`; what `back` carries, and what links keep.
    pub(super) fn query_string(&self, page: u64) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("trashed", self.trashed.as_str());
        if let Some(search) = &self.search {
            query.append_pair("q", search);
        }
        query.append_pair("page", &page.to_string());
        query.append_pair("per_page", &self.per_page.to_string());
        query.finish()
    }

    /// The same view with another filter, from its first page.
    pub(super) fn filtered(&self, trashed: Trashed) -> ListView {
        ListView {
            trashed,
            page: 1,
            ..self.clone()
        }
    }

    /// The address of this view of `nav`'s list, on page `page`.
    pub(super) fn href(&self, nav: Nav, page: u64) -> String {
        format!("/admin/{}?{}", nav.path(), self.query_string(page))
    }
}

/// The escape character of [`contains_pattern`]: not `\`, which MariaDB's string literals
/// treat as an escape of their own unless `NO_BACKSLASH_ESCAPES` is set (then `ESCAPE '\\'` is
/// an error).
pub(super) const LIKE_ESCAPE: char = '!';

/// `term` as a `LIKE` pattern that matches it anywhere, its own `%`, `_` and `!` taken
/// literally (with `ESCAPE '!'`).
pub(super) fn contains_pattern(term: &str) -> String {
    let mut pattern = String::with_capacity(term.len() + 2);
    pattern.push('%');
    for character in term.chars() {
        if matches!(character, '%' | '_' | LIKE_ESCAPE) {
            pattern.push(LIKE_ESCAPE);
        }
        pattern.push(character);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_survives_its_trip_through_a_form() {
        let view = ListView {
            trashed: Trashed::Only,
            search: Some("a&b=c %".into()),
            page: 7,
            per_page: 50,
        };
        let back = view.query_string(view.page);
        assert_eq!(ListView::from_back(Some(&back)).expect("parses"), view);
        assert_eq!(
            ListView::from_back(None).expect("default"),
            ListView::default()
        );
        for bad in [
            "page=0",
            "per_page=500",
            "trashed=maybe",
            "notice=5",
            "elsewhere=1",
        ] {
            assert!(ListView::from_back(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_search_pattern_takes_wildcards_literally() {
        assert_eq!(contains_pattern("pen"), "%pen%");
        assert_eq!(contains_pattern("50%_off!\\"), "%50!%!_off!!\\%");
    }
}
