//! `QueryIdCache`: which search (`queryID`) led to each object, so that later
//! conversions can be attributed (`inferQueryID`).
//!
//! Stored in `localStorage` under `AlgoliaObjectQueryCache` in search-insights'
//! format, `{"<index>_<objectID>": ["<queryID>", <ms>], …}`, so both libraries
//! can share one site. The cache is read once, kept in memory, and written back
//! at most once per flush instead of on every click.

use std::collections::BTreeMap;

use crate::environment::KeyValueStore;
use crate::json;
use crate::value::Value;

/// The `localStorage` key search-insights uses.
pub const STORAGE_KEY: &str = "AlgoliaObjectQueryCache";
/// The most entries kept.
pub const LIMIT: usize = 5000;
/// How many entries beyond the newest are dropped when the limit is passed
/// (search-insights keeps `len - FREE - 1`).
const FREE: usize = 1000;

/// The in-memory cache.
#[derive(Debug, Default)]
pub struct QueryIdCache {
    entries: BTreeMap<String, (String, f64)>,
    loaded: bool,
    dirty: bool,
}

fn key(index: &str, object_id: &str) -> String {
    let mut k = String::with_capacity(index.len() + object_id.len() + 1);
    k.push_str(index);
    k.push('_');
    k.push_str(object_id);
    k
}

impl QueryIdCache {
    fn load(&mut self, store: &dyn KeyValueStore) {
        if self.loaded {
            return;
        }
        self.loaded = true;
        let Some(Value::Object(entries)) = store.get_item(STORAGE_KEY).and_then(|text| json::parse(&text)) else {
            return;
        };
        for (k, v) in entries {
            // Keep only well-formed entries: [queryID, timestamp].
            if let Some([Value::String(query_id), Value::Number(ts)]) = v.as_array() {
                self.entries.insert(k, (query_id.clone(), *ts));
            }
        }
    }

    /// Forgets the in-memory copy so the next use reads storage again (another
    /// tab or search-insights changed it).
    pub fn invalidate(&mut self) {
        if !self.dirty {
            self.loaded = false;
            self.entries.clear();
        }
    }

    /// Remembers that `object_id` of `index` was found by `query_id`.
    pub fn remember(&mut self, store: &dyn KeyValueStore, index: &str, object_id: &str, query_id: &str, now_ms: f64) {
        self.load(store);
        self.entries.insert(key(index, object_id), (query_id.to_owned(), now_ms));
        if self.entries.len() > LIMIT {
            let mut by_age: Vec<(f64, String)> = self.entries.iter().map(|(k, (_, ts))| (*ts, k.clone())).collect();
            by_age.sort_by(|a, b| a.0.total_cmp(&b.0));
            let drop = self.entries.len() - (self.entries.len() - FREE - 1);
            for (_, k) in by_age.into_iter().take(drop) {
                self.entries.remove(&k);
            }
        }
        self.dirty = true;
    }

    /// The `queryID` that found `object_id` of `index`.
    pub fn lookup(&mut self, store: &dyn KeyValueStore, index: &str, object_id: &str) -> Option<String> {
        self.load(store);
        self.entries.get(&key(index, object_id)).map(|(q, _)| q.clone())
    }

    /// Forgets objects (after a purchase of them was delivered). The cache is
    /// written back even when none was cached, as search-insights writes it
    /// (`{}` on a site that never cached anything).
    pub fn forget(&mut self, store: &dyn KeyValueStore, index: &str, object_ids: &[String]) {
        self.load(store);
        for id in object_ids {
            self.entries.remove(&key(index, id));
        }
        self.dirty = true;
    }

    /// Forgets everything, in memory and in storage.
    pub fn clear(&mut self, store: &mut dyn KeyValueStore) {
        self.entries.clear();
        self.loaded = true;
        self.dirty = false;
        store.remove_item(STORAGE_KEY);
    }

    /// Writes the cache back if it changed. Returns `false` when storage refused.
    pub fn persist(&mut self, store: &mut dyn KeyValueStore) -> bool {
        if !self.dirty {
            return true;
        }
        let mut out = String::with_capacity(self.entries.len() * 80 + 2);
        out.push('{');
        for (i, (k, (query_id, ts))) in self.entries.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            json::write_string(k, &mut out);
            out.push_str(":[");
            json::write_string(query_id, &mut out);
            out.push(',');
            json::write_number(*ts, &mut out);
            out.push(']');
        }
        out.push('}');
        self.dirty = false;
        store.set_item(STORAGE_KEY, &out)
    }

    /// How many entries are cached.
    pub fn len(&mut self, store: &dyn KeyValueStore) -> usize {
        self.load(store);
        self.entries.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&mut self, store: &dyn KeyValueStore) -> bool {
        self.len(store) == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::MemoryStore;

    const Q1: &str = "11111111111111111111111111111111";
    const Q2: &str = "22222222222222222222222222222222";

    #[test]
    fn remembers_and_persists_in_search_insights_format() {
        let mut store = MemoryStore::default();
        let mut cache = QueryIdCache::default();
        cache.remember(&store, "products", "42", Q1, 1000.0);
        assert_eq!(store.get_item(STORAGE_KEY), None, "not written on every click");
        assert!(cache.persist(&mut store));
        assert_eq!(store.get_item(STORAGE_KEY).as_deref(), Some(format!(r#"{{"products_42":["{Q1}",1000]}}"#).as_str()));
        let mut again = QueryIdCache::default();
        assert_eq!(again.lookup(&store, "products", "42").as_deref(), Some(Q1));
        assert_eq!(again.lookup(&store, "products", "43"), None);
    }

    #[test]
    fn reads_what_search_insights_wrote_and_skips_garbage() {
        let mut store = MemoryStore::default();
        store.set_item(STORAGE_KEY, &format!(r#"{{"a_1":["{Q1}",5],"a_2":"junk","a_3":[1,2]}}"#));
        let mut cache = QueryIdCache::default();
        assert_eq!(cache.lookup(&store, "a", "1").as_deref(), Some(Q1));
        assert_eq!(cache.len(&store), 1);
        store.set_item(STORAGE_KEY, "{not json");
        let mut broken = QueryIdCache::default();
        assert!(broken.is_empty(&store));
    }

    #[test]
    fn forgets_purchased_objects() {
        let mut store = MemoryStore::default();
        let mut cache = QueryIdCache::default();
        cache.remember(&store, "i", "1", Q1, 1.0);
        cache.remember(&store, "i", "2", Q2, 2.0);
        cache.forget(&store, "i", &["1".to_owned()]);
        cache.persist(&mut store);
        let mut again = QueryIdCache::default();
        assert_eq!(again.lookup(&store, "i", "1"), None);
        assert_eq!(again.lookup(&store, "i", "2").as_deref(), Some(Q2));
        // Like search-insights, a purchase writes the cache even if nothing was cached.
        let mut empty_store = MemoryStore::default();
        let mut empty = QueryIdCache::default();
        empty.forget(&empty_store, "i", &["9".to_owned()]);
        assert!(empty.persist(&mut empty_store));
        assert_eq!(empty_store.get_item(STORAGE_KEY).as_deref(), Some("{}"));
    }

    #[test]
    fn keeps_at_most_the_limit_dropping_the_oldest() {
        let store = MemoryStore::default();
        let mut cache = QueryIdCache::default();
        for i in 0..=LIMIT {
            cache.remember(&store, "i", &i.to_string(), Q1, i as f64);
        }
        assert_eq!(cache.len(&store), LIMIT - FREE);
        assert_eq!(cache.lookup(&store, "i", "0"), None, "oldest dropped");
        assert!(cache.lookup(&store, "i", &LIMIT.to_string()).is_some(), "newest kept");
    }

    #[test]
    fn a_refusing_store_never_breaks() {
        let mut store = MemoryStore { refuse_writes: true, ..MemoryStore::default() };
        let mut cache = QueryIdCache::default();
        cache.remember(&store, "i", "1", Q1, 1.0);
        assert!(!cache.persist(&mut store));
        assert_eq!(cache.lookup(&store, "i", "1").as_deref(), Some(Q1));
    }
}
