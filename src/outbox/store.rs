//! The outbox's storage schema: which events are written, and how. Each
//! page writes `{"v":2,"l":<lease>,"e":[<records>]}` under its own key
//! `AlgoliaInsightsOutbox:<page id>`; a record is
//! `{"id","u" (url),"b" (event JSON),"t" (timestamp),"n" (attempts)}`.

use super::batch::MAX_KEEPALIVE_BYTES;
use super::Entry;
use crate::json;
use crate::value::Value;

/// The `localStorage` key the previous version shared between all pages; its
/// events are claimed like a page's that is gone.
pub const LEGACY_STORAGE_KEY: &str = "AlgoliaInsightsOutbox";
/// The start of every page's outbox key: `AlgoliaInsightsOutbox:<page id>`
/// (and `…:<page id>.<n>` for events given up after the last retry).
pub const STORAGE_KEY_PREFIX: &str = "AlgoliaInsightsOutbox:";
/// The most events one outbox key keeps.
pub const MAX_STORED_EVENTS: usize = 1000;
/// The most bytes of event JSON one page keeps in storage.
pub const MAX_STORED_BYTES: usize = 1_000_000;

/// Without Web Locks: how long a page's key stays its own without it
/// renewing the lease (it renews it on every send and answer; a page that is
/// hidden releases it at once). Longer than the longest retry delay plus the
/// longest request timeout, so a live page never loses events it is sending.
pub(super) const LEASE_MS: f64 = 120_000.0;

/// The entries written to storage: events up to 64 KiB each (a larger one
/// could not leave with a page being hidden anyway) and [`MAX_STORED_BYTES`]
/// in all, oldest first. The others stay in memory and are sent as usual;
/// only they do not outlive the page. (`localStorage` holds about 5 million
/// characters for the whole site, and the outbox is rewritten on every send.)
pub(super) fn storable<'a>(entries: impl Iterator<Item = &'a Entry>) -> Vec<&'a Entry> {
    let mut total = 0;
    entries
        .filter(|e| {
            let fits = e.json.len() <= MAX_KEEPALIVE_BYTES && total + e.json.len() <= MAX_STORED_BYTES;
            if fits {
                total += e.json.len();
            }
            fits
        })
        .collect()
}

pub(super) fn number(record: &Value, key: &str) -> f64 {
    record.field(key).as_f64().unwrap_or(0.0)
}

/// Whether `key` is an outbox key: a page's, or the previous version's.
pub(super) fn is_outbox_key(key: &str) -> bool {
    key == LEGACY_STORAGE_KEY || key.starts_with(STORAGE_KEY_PREFIX)
}

/// The lease and the records of a stored outbox (its text, parsed); a value
/// that is not an outbox has none (and lease 0).
pub(super) fn parse_outbox(outbox: Option<Value>) -> (f64, Vec<Value>) {
    let outbox = outbox.unwrap_or(Value::Null);
    let lease = number(&outbox, "l");
    let records = match outbox.get("e") {
        Some(Value::Array(items)) => items.iter().filter(|r| r.is_object()).cloned().collect(),
        _ => Vec::new(),
    };
    (lease, records)
}

/// `{"v":2,"l":<lease>,"e":[<records>]}`.
pub(super) fn outbox_text(lease: f64, records: Vec<Value>) -> String {
    json::to_string(&Value::object([("v", Value::Number(2.0)), ("l", Value::Number(lease)), ("e", Value::Array(records))]))
}

/// The stored form of an entry.
pub(super) fn record(e: &Entry) -> Value {
    Value::object([
        ("id", Value::str(e.id.as_str())),
        ("u", Value::str(e.url.as_str())),
        ("b", Value::str(e.json.as_str())),
        ("t", Value::Number(e.timestamp)),
        ("n", Value::Number(f64::from(e.attempts))),
    ])
}
