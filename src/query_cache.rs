//! `QueryIdCache`: which search (`queryID`) led to each object, so that later
//! conversions can be attributed (`inferQueryID`).
//!
//! Stored in `localStorage` under `AlgoliaObjectQueryCache` in search-insights'
//! format, `{"<index>_<objectID>": ["<queryID>", <ms>], …}`, so both libraries
//! can share one site. The cache is read once, kept in memory, and written back
//! at most once per flush instead of on every click.

use crate::environment::KeyValueStore;
use crate::json;
use crate::value::Value;

/// The `localStorage` key search-insights uses.
pub const STORAGE_KEY: &str = "AlgoliaObjectQueryCache";
/// The longest `<index>_<objectID>` key remembered (bytes).
pub const MAX_KEY_LEN: usize = 1024;
/// The most entries kept.
pub const LIMIT: usize = 5000;
/// How many entries beyond the newest are dropped when the limit is passed
/// (search-insights keeps `len - FREE - 1`).
const FREE: usize = 1000;

#[derive(Debug)]
struct Entry {
    /// `<index>_<objectID>`
    key: String,
    query_id: String,
    /// When it was remembered (ms).
    at: f64,
}

/// The in-memory cache: entries sorted by key (a sorted `Vec` is smaller in
/// wasm than a `BTreeMap`, and as fast at 5000 entries).
#[derive(Debug, Default)]
pub struct QueryIdCache {
    entries: Vec<Entry>,
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
        let Some(Value::Object(entries)) = store.get_item(STORAGE_KEY).and_then(|text| store.parse_json(&text)) else {
            return;
        };
        for (key, v) in entries {
            // Keep only well-formed entries: [queryID, timestamp], with a
            // queryID the API accepts (storage may hold anything).
            if let Some([Value::String(query_id), Value::Number(at)]) = v.as_array() {
                if !crate::event::is_query_id(query_id) {
                    continue;
                }
                self.entries.push(Entry { key, query_id: query_id.clone(), at: *at });
            }
        }
        crate::sort::sort_by(&mut self.entries, |a, b| a.key < b.key);
        self.entries.dedup_by(|a, b| a.key == b.key);
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|e| e.key.as_str().cmp(key))
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
        // A huge objectID (100 KB strings happen) is not kept: 5000 of them
        // would be written to storage as one string of hundreds of megabytes.
        if index.len() + object_id.len() > MAX_KEY_LEN {
            return;
        }
        self.load(store);
        let key = key(index, object_id);
        match self.find(&key) {
            Ok(i) => {
                if let Some(e) = self.entries.get_mut(i) {
                    e.query_id = query_id.to_owned();
                    e.at = now_ms;
                }
            }
            Err(i) => self.entries.insert(i, Entry { key, query_id: query_id.to_owned(), at: now_ms }),
        }
        if self.entries.len() > LIMIT {
            crate::oldest::drop_oldest(&mut self.entries, FREE + 1, |e| e.at);
        }
        self.dirty = true;
    }

    /// The `queryID` that found `object_id` of `index`.
    pub fn lookup(&mut self, store: &dyn KeyValueStore, index: &str, object_id: &str) -> Option<String> {
        self.load(store);
        let i = self.find(&key(index, object_id)).ok()?;
        self.entries.get(i).map(|e| e.query_id.clone())
    }

    /// Forgets objects (after a purchase of them was delivered). The cache is
    /// written back even when none was cached, as search-insights writes it
    /// (`{}` on a site that never cached anything).
    pub fn forget(&mut self, store: &dyn KeyValueStore, index: &str, object_ids: &[String]) {
        self.load(store);
        for id in object_ids {
            if let Ok(i) = self.find(&key(index, id)) {
                self.entries.remove(i);
            }
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
        for (i, e) in self.entries.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            json::write_string(&e.key, &mut out);
            out.push_str(":[");
            json::write_string(&e.query_id, &mut out);
            out.push(',');
            json::write_number(e.at, &mut out);
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
        store.set_item(STORAGE_KEY, &format!(r#"{{"a_1":["{Q1}",5],"a_2":"junk","a_3":[1,2],"a_4":["not-a-query-id",5]}}"#));
        let mut cache = QueryIdCache::default();
        assert_eq!(cache.lookup(&store, "a", "1").as_deref(), Some(Q1));
        assert_eq!(cache.len(&store), 1);
        store.set_item(STORAGE_KEY, "{not json");
        let mut broken = QueryIdCache::default();
        assert!(broken.is_empty(&store));
    }

    #[test]
    fn huge_object_ids_are_not_remembered() {
        let store = MemoryStore::default();
        let mut cache = QueryIdCache::default();
        let huge = "x".repeat(MAX_KEY_LEN);
        cache.remember(&store, "i", &huge, Q1, 1.0);
        assert_eq!(cache.lookup(&store, "i", &huge), None);
        cache.remember(&store, "i", "1", Q1, 1.0);
        assert_eq!(cache.lookup(&store, "i", "1").as_deref(), Some(Q1));
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
        // README: at most 5000 entries; the oldest 1001 go when it overflows.
        for i in 0..5000 {
            cache.remember(&store, "i", &i.to_string(), Q1, i as f64);
        }
        assert_eq!(cache.len(&store), 5000, "5000 fit");
        cache.remember(&store, "i", "5000", Q1, 5000.0);
        assert_eq!(cache.len(&store), 4000, "5001: the oldest 1001 go");
        for gone in ["0", "1", "500", "999", "1000"] {
            assert_eq!(cache.lookup(&store, "i", gone), None, "{gone} was among the 1001 oldest");
        }
        for kept in ["1001", "1002", "3000", "4999", "5000"] {
            assert_eq!(cache.lookup(&store, "i", kept).as_deref(), Some(Q1), "{kept} is kept");
        }
    }

    #[test]
    fn the_limit_holds_when_entries_share_a_time() {
        let store = MemoryStore::default();
        let mut cache = QueryIdCache::default();
        for i in 0..=5000 {
            cache.remember(&store, "i", &i.to_string(), Q1, 7.0);
        }
        assert_eq!(cache.len(&store), 4000);
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
