//! Fresh 32-character lowercase hexadecimal query IDs, like Algolia's.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::time::now_ms;

/// Produces a new random query ID on every call.
#[derive(Debug, Default)]
pub struct QueryIdGenerator {
    counter: AtomicU64,
    seed: RandomState,
}

impl QueryIdGenerator {
    /// A 32-character lowercase hex string, different on every call.
    pub fn next_id(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let half = |salt: u64| {
            let mut hasher = self.seed.build_hasher();
            hasher.write_u64(n);
            hasher.write_u64(salt);
            hasher.write_i64(now_ms());
            hasher.finish()
        };
        format!("{:016x}{:016x}", half(0x5eed), half(0xa160))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_32_lowercase_hex_and_distinct() {
        let generator = QueryIdGenerator::default();
        let a = generator.next_id();
        let b = generator.next_id();
        assert_eq!(a.len(), 32);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
        assert_ne!(a, b);
    }
}
