//! What the admin's last action did, carried across its redirect (post/redirect/get) under a
//! one-time token instead of in the address: a link that someone else made cannot make a page
//! say that rows were purged or deleted.

use std::collections::VecDeque;
use std::hash::BuildHasher;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Notices kept at most: an old one nobody fetched is dropped first.
const KEPT: usize = 1024;

static NOTICES: Mutex<VecDeque<(u64, Flash)>> = Mutex::new(VecDeque::new());

/// What an action did, for the page its redirect leads to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Flash {
    /// The sentence the page shows.
    pub(crate) text: String,
    /// Whether the action was refused (and changed nothing).
    pub(crate) refused: bool,
    /// The row the action was on, which the page focuses when it lists it.
    pub(crate) focus: Option<i32>,
}
static ISSUED: AtomicU64 = AtomicU64::new(0);

/// Keeps `flash` for the next page that asks with the token returned.
pub(crate) fn keep(flash: Flash) -> u64 {
    // A hash with the process's random keys: tokens are not guessable from each other.
    let token = std::collections::hash_map::RandomState::new()
        .hash_one(ISSUED.fetch_add(1, Ordering::Relaxed));
    let mut notices = NOTICES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if notices.len() >= KEPT {
        notices.pop_front();
    }
    notices.push_back((token, flash));
    token
}

/// What was kept under `token`, once; `None` for a token never issued or already shown.
pub(crate) fn take(token: u64) -> Option<Flash> {
    let mut notices = NOTICES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let position = notices.iter().position(|(kept, _)| *kept == token)?;
    notices.remove(position).map(|(_, flash)| flash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_is_shown_once_and_only_for_its_token() {
        let notice = |text: &str| Flash {
            text: text.into(),
            refused: false,
            focus: Some(1),
        };
        let first = keep(notice("Product 1 restored."));
        let second = keep(notice("Product 2 restored."));
        assert_ne!(first, second);
        assert_eq!(take(first), Some(notice("Product 1 restored.")));
        assert_eq!(take(first), None, "once");
        assert_eq!(take(first ^ 1), None, "no text for a token never issued");
        assert_eq!(take(second), Some(notice("Product 2 restored.")));
    }
}
