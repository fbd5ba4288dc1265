//! What the admin's last action did, carried across its redirect (post/redirect/get) under a
//! one-time token instead of in the address: a link that someone else made cannot make a page
//! say that rows were purged or deleted.

use std::collections::VecDeque;
use std::hash::BuildHasher;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Notices kept at most: an old one nobody fetched is dropped first.
const KEPT: usize = 1024;

static NOTICES: Mutex<VecDeque<(u64, String)>> = Mutex::new(VecDeque::new());
static ISSUED: AtomicU64 = AtomicU64::new(0);

/// Keeps `text` for the next page that asks with the token returned.
pub(crate) fn keep(text: String) -> u64 {
    // A hash with the process's random keys: tokens are not guessable from each other.
    let token = std::collections::hash_map::RandomState::new()
        .hash_one(ISSUED.fetch_add(1, Ordering::Relaxed));
    let mut notices = NOTICES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if notices.len() >= KEPT {
        notices.pop_front();
    }
    notices.push_back((token, text));
    token
}

/// The text kept under `token`, once; `None` for a token never issued or already shown.
pub(crate) fn take(token: u64) -> Option<String> {
    let mut notices = NOTICES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let position = notices.iter().position(|(kept, _)| *kept == token)?;
    notices.remove(position).map(|(_, text)| text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_is_shown_once_and_only_for_its_token() {
        let first = keep("Product 1 restored.".into());
        let second = keep("Product 2 restored.".into());
        assert_ne!(first, second);
        assert_eq!(take(first).as_deref(), Some("Product 1 restored."));
        assert_eq!(take(first), None, "once");
        assert_eq!(take(first ^ 1), None, "no text for a token never issued");
        assert_eq!(take(second).as_deref(), Some("Product 2 restored."));
    }
}
