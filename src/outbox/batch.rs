//! Batching: events of the same URL share requests, within the API's limit
//! on events per request and the browser's budget for `keepalive` bodies.

use super::Entry;

/// The API's limit on events per request.
pub const MAX_EVENTS_PER_REQUEST: usize = 1000;
/// The browser's in-flight budget for `keepalive` request bodies.
pub const MAX_KEEPALIVE_BYTES: usize = 64 * 1024;
pub(super) const BODY_OVERHEAD: usize = r#"{"events":[]}"#.len();

/// `{"events":[…]}` of entries.
pub(super) fn body_of(entries: &[Entry]) -> String {
    let mut body = String::with_capacity(BODY_OVERHEAD + entries.iter().map(|e| e.json.len() + 1).sum::<usize>());
    body.push_str(r#"{"events":["#);
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&e.json);
    }
    body.push_str("]}");
    body
}

/// Groups entries by URL (keeping their order) into requests of at most 1000
/// events and 64 KiB of body (an event larger than that goes alone).
pub(super) fn pack(entries: Vec<Entry>) -> Vec<Vec<Entry>> {
    let mut by_url: Vec<(String, Vec<Entry>)> = Vec::new();
    for e in entries {
        match by_url.iter_mut().find(|(url, _)| *url == e.url) {
            Some((_, group)) => group.push(e),
            None => by_url.push((e.url.clone(), vec![e])),
        }
    }
    let mut batches = Vec::new();
    for (_, group) in by_url {
        let mut batch: Vec<Entry> = Vec::new();
        let mut size = BODY_OVERHEAD;
        for e in group {
            let added = e.json.len() + usize::from(!batch.is_empty());
            if !batch.is_empty() && (batch.len() >= MAX_EVENTS_PER_REQUEST || size + added > MAX_KEEPALIVE_BYTES) {
                batches.push(std::mem::take(&mut batch));
                size = BODY_OVERHEAD;
            }
            size += e.json.len() + usize::from(!batch.is_empty());
            batch.push(e);
        }
        if !batch.is_empty() {
            batches.push(batch);
        }
    }
    batches
}
