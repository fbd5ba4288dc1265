//! Facts worked out once per entity type (its cascade graph, why its operations need a
//! transaction, the text of its instance soft delete) and looked up on every call: a map keyed
//! by `TypeId`, with a hasher cheap enough for that lookup to stay a rounding error next to the
//! statement it saves building.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{LazyLock, OnceLock, PoisonError, RwLock};

/// Facts about one entity, worked out on its first operation and then read with one atomic
/// load: `#[derive(SoftDelete)]` gives each entity a `static` of these ([`Wiring::facts`]).
/// Looked up in a [`Memo`] instead, the reason an operation needs a transaction cost every
/// bulk operation a lock and a hash probe (about 130 client instructions; S2 is 48,000).
///
/// [`Wiring::facts`]: crate::entity::Wiring::facts
#[doc(hidden)]
#[derive(Debug)]
pub struct EntityFacts {
    /// [`compound_reason`](crate::engine::executor::compound_reason) for a soft delete and a
    /// force delete (index 0) and for a restore (index 1).
    pub(crate) compound_reasons: [OnceLock<Option<&'static str>>; 2],
}

impl EntityFacts {
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        EntityFacts {
            compound_reasons: [OnceLock::new(), OnceLock::new()],
        }
    }
}

/// A map filled once per key and read on every call after.
pub(crate) struct Memo<K, V> {
    map: LazyLock<RwLock<HashMap<K, V, BuildHasherDefault<WordHasher>>>>,
}

impl<K: std::hash::Hash + Eq, V: Clone> Memo<K, V> {
    pub(crate) const fn new() -> Self {
        Memo {
            map: LazyLock::new(RwLock::default),
        }
    }

    pub(crate) fn get(&self, key: &K) -> Option<V> {
        self.map
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned()
    }

    pub(crate) fn insert(&self, key: K, value: V) {
        self.map
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, value);
    }
}

/// Multiply-rotate hashing of whole words (the scheme of rustc's `FxHasher`): the keys are type
/// ids, already uniformly random, and a handful of booleans and backend names; no key comes
/// from a user, so nothing needs SipHash's resistance to chosen collisions.
#[derive(Default)]
pub(crate) struct WordHasher(u64);

impl WordHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(n.into());
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_u128(&mut self, n: u128) {
        self.add(n as u64);
        self.add((n >> 64) as u64);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::any::TypeId;

    #[test]
    fn keys_of_different_types_stay_apart() {
        let memo: Memo<(TypeId, bool), &str> = Memo::new();
        memo.insert((TypeId::of::<u8>(), false), "u8");
        memo.insert((TypeId::of::<u16>(), false), "u16");
        memo.insert((TypeId::of::<u8>(), true), "u8 restore");
        assert_eq!(memo.get(&(TypeId::of::<u8>(), false)), Some("u8"));
        assert_eq!(memo.get(&(TypeId::of::<u16>(), false)), Some("u16"));
        assert_eq!(memo.get(&(TypeId::of::<u8>(), true)), Some("u8 restore"));
        assert_eq!(memo.get(&(TypeId::of::<u32>(), false)), None);
    }
}
