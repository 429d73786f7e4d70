//! What the server remembers: request records, event records, and the live
//! feed of both for the debugger.

use std::collections::{BTreeMap, VecDeque};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use serde::Serialize;
use serde_json::Value;
use tokio::sync::broadcast;

/// Most request records kept; older ones are forgotten first.
pub const MAX_REQUESTS: usize = 10_000;
/// Most event records kept (and most events held by request records).
pub const MAX_EVENTS: usize = 100_000;
/// Estimated bytes of a request record besides its strings and JSON.
const REQUEST_OVERHEAD: usize = 512;
/// Estimated bytes of an event record besides the (shared) event JSON.
const EVENT_OVERHEAD: usize = 192;

/// One HTTP request to an Algolia API path (`/1/events` or `/1/indexes/...`),
/// preflights included.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RequestRecord {
    /// Increasing id, starting at 1.
    pub id: u64,
    /// Reception time, Unix ms.
    pub time: i64,
    /// HTTP method.
    pub method: String,
    /// URL path.
    pub path: String,
    /// Query-string parameters (the API key masked).
    pub query: BTreeMap<String, String>,
    /// `Content-Type` header.
    pub content_type: Option<String>,
    /// `Origin` header.
    pub origin: Option<String>,
    /// `Sec-Fetch-Mode` header: `cors` for a `fetch` in CORS mode, `no-cors`
    /// for a `navigator.sendBeacon` with a text body.
    pub fetch_mode: Option<String>,
    /// Application ID, from the query string or the header.
    pub app_id: Option<String>,
    /// Masked API key (`abcd…`); the full key is never stored.
    pub api_key: Option<String>,
    /// `X-Algolia-Agent`, from the query string or the header.
    pub agent: Option<String>,
    /// `Access-Control-Request-Headers` of a preflight.
    pub requested_headers: Option<String>,
    /// HTTP status answered (0 when no answer was sent: injected hang or drop).
    pub status: u16,
    /// Message answered (or what happened instead).
    pub message: String,
    /// Body size in bytes.
    pub body_bytes: usize,
    /// Whether this was a CORS preflight (`OPTIONS`).
    pub preflight: bool,
    /// Whether the answer came from a `/_devserver/fail` plan.
    pub injected: bool,
    /// The `events` array as received (empty when absent or unparsable).
    pub events: Vec<Arc<Value>>,
    /// For search requests: one summary per query.
    pub searches: Vec<Value>,
}

/// One event inside a POST to `/1/events`, with the verdict on its request.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct EventRecord {
    /// Increasing id, starting at 1.
    pub id: u64,
    /// Id of the [`RequestRecord`] that carried it.
    pub request_id: u64,
    /// Reception time, Unix ms.
    pub time: i64,
    /// Application ID of the request (shared by its events).
    pub app_id: Option<Arc<str>>,
    /// Whether the request was answered 200.
    pub accepted: bool,
    /// Whether the request failed on purpose (`/_devserver/fail`).
    pub injected: bool,
    /// `null` when accepted, else the rejection message of the request
    /// (one copy shared by all the events of the request).
    pub reason: Option<Arc<str>>,
    /// The event JSON as received.
    pub event: Arc<Value>,
}

/// A change of the logs, as streamed to the debugger. Records are held
/// weakly: a record forgotten before a slow reader gets to it is freed at
/// once (the reader is told to re-fetch), so the feed adds no memory.
#[derive(Debug, Clone)]
pub enum LogUpdate {
    /// A request was recorded.
    Request(Weak<RequestRecord>),
    /// An event was recorded.
    Event(Weak<EventRecord>),
    /// Both logs were emptied.
    Cleared,
}

/// How the events of a request were judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Answered 200.
    pub accepted: bool,
    /// Failure injected on purpose.
    pub injected: bool,
    /// Rejection message, when not accepted.
    pub reason: Option<Arc<str>>,
}

/// Filters of `GET /_devserver/requests`.
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    /// Only this application ID.
    pub app_id: Option<String>,
    /// Only ids greater than this.
    pub since: Option<u64>,
    /// Only this exact path.
    pub path: Option<String>,
}

/// Filters of `GET /_devserver/events`.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Only this application ID.
    pub app_id: Option<String>,
    /// Only events whose `userToken` is exactly this.
    pub user_token: Option<String>,
    /// Only events whose `index` is exactly this.
    pub index: Option<String>,
    /// Only ids greater than this.
    pub since: Option<u64>,
}

/// A kept request record with its estimated cost in bytes (its own strings
/// and JSON, its events, and the event records made from them).
struct Kept {
    record: Arc<RequestRecord>,
    bytes: usize,
}

#[derive(Default)]
struct Logs {
    requests: VecDeque<Kept>,
    events: VecDeque<Arc<EventRecord>>,
    events_in_requests: usize,
    kept_bytes: usize,
    next_request_id: u64,
    next_event_id: u64,
}

/// What the log holds right now (`GET /_devserver/stats`).
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LogStats {
    /// Request records kept.
    pub requests: usize,
    /// Event records kept.
    pub events: usize,
    /// Estimated bytes held by the kept records.
    pub kept_bytes: usize,
    /// The budget `kept_bytes` is held under (`--max-kept-mib`).
    pub max_kept_bytes: usize,
}

/// Bounded in-memory log of requests and events, with a live feed and an
/// optional JSON-lines copy of every event record.
///
/// Bounds: [`MAX_REQUESTS`] requests, [`MAX_EVENTS`] events, and a byte
/// budget on the estimated size of what is kept; the oldest requests (with
/// their event records) are forgotten first. Only the newest request is kept
/// even when it alone is over the budget.
pub struct RequestLog {
    logs: Mutex<Logs>,
    feed: broadcast::Sender<LogUpdate>,
    sink: Option<Mutex<File>>,
    max_kept_bytes: usize,
}

impl RequestLog {
    /// An empty log with the default byte budget; `sink` (if any) is opened for appending.
    pub fn new(sink: Option<&Path>) -> std::io::Result<Self> {
        Self::with_budget(sink, crate::config::DEFAULT_MAX_KEPT_BYTES)
    }

    /// An empty log keeping at most about `max_kept_bytes` of records.
    pub fn with_budget(sink: Option<&Path>, max_kept_bytes: usize) -> std::io::Result<Self> {
        let sink = match sink {
            Some(path) => Some(Mutex::new(
                OpenOptions::new().create(true).append(true).open(path)?,
            )),
            None => None,
        };
        let (feed, _) = broadcast::channel(4096);
        Ok(RequestLog {
            logs: Mutex::new(Logs::default()),
            feed,
            sink,
            max_kept_bytes,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Logs> {
        // A panic while holding the lock leaves plain data behind: keep using it.
        self.logs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Stores a request (its `id` is assigned here) and one event record per
    /// item of `record.events`, judged by `verdict`. Returns the request id.
    pub fn append(&self, mut record: RequestRecord, verdict: &Verdict) -> u64 {
        let app_id: Option<Arc<str>> = record.app_id.as_deref().map(Arc::from);
        let bytes = request_bytes(&record)
            + record.events.len() * EVENT_OVERHEAD
            + verdict.reason.as_deref().map_or(0, str::len)
            + app_id.as_deref().map_or(0, str::len);
        let mut logs = self.lock();
        logs.next_request_id += 1;
        record.id = logs.next_request_id;
        let request_id = record.id;
        let time = record.time;
        let events = record.events.clone();

        let record = Arc::new(record);
        logs.events_in_requests += record.events.len();
        logs.kept_bytes += bytes;
        logs.requests.push_back(Kept {
            record: record.clone(),
            bytes,
        });
        while logs.requests.len() > 1
            && (logs.requests.len() > MAX_REQUESTS
                || logs.events_in_requests > MAX_EVENTS
                || logs.kept_bytes > self.max_kept_bytes)
        {
            let Some(old) = logs.requests.pop_front() else {
                break;
            };
            logs.events_in_requests -= old.record.events.len();
            logs.kept_bytes -= old.bytes;
            // Its event records go with it: their JSON is shared with it.
            while logs
                .events
                .front()
                .is_some_and(|event| event.request_id <= old.record.id)
            {
                logs.events.pop_front();
            }
        }
        // Sending never blocks; it fails only when nobody listens.
        let _ = self.feed.send(LogUpdate::Request(Arc::downgrade(&record)));

        for event in events {
            logs.next_event_id += 1;
            let event_record = Arc::new(EventRecord {
                id: logs.next_event_id,
                request_id,
                time,
                app_id: app_id.clone(),
                accepted: verdict.accepted,
                injected: verdict.injected,
                reason: verdict.reason.clone(),
                event,
            });
            self.write_to_sink(&event_record);
            let _ = self.feed.send(LogUpdate::Event(Arc::downgrade(&event_record)));
            logs.events.push_back(event_record);
            if logs.events.len() > MAX_EVENTS {
                logs.events.pop_front();
            }
        }
        request_id
    }

    /// Counts and estimated bytes of what is kept.
    pub fn stats(&self) -> LogStats {
        let logs = self.lock();
        LogStats {
            requests: logs.requests.len(),
            events: logs.events.len(),
            kept_bytes: logs.kept_bytes,
            max_kept_bytes: self.max_kept_bytes,
        }
    }

    fn write_to_sink(&self, record: &EventRecord) {
        let Some(sink) = &self.sink else { return };
        let Ok(mut line) = serde_json::to_vec(record) else {
            return;
        };
        line.push(b'\n');
        let mut file = sink.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Err(err) = file.write_all(&line) {
            eprintln!("insights-devserver: cannot append to the event log: {err}");
        }
    }

    /// Request records matching `filter`, oldest first.
    pub fn requests(&self, filter: &RequestFilter) -> Vec<Arc<RequestRecord>> {
        self.lock()
            .requests
            .iter()
            .map(|kept| &kept.record)
            .filter(|r| filter.since.is_none_or(|since| r.id > since))
            .filter(|r| filter.app_id.is_none() || r.app_id == filter.app_id)
            .filter(|r| filter.path.as_ref().is_none_or(|p| &r.path == p))
            .cloned()
            .collect()
    }

    /// Event records matching `filter`, oldest first.
    pub fn events(&self, filter: &EventFilter) -> Vec<Arc<EventRecord>> {
        let field_is = |record: &EventRecord, field: &str, wanted: &Option<String>| match wanted {
            None => true,
            Some(wanted) => {
                record.event.get(field).and_then(Value::as_str) == Some(wanted.as_str())
            }
        };
        self.lock()
            .events
            .iter()
            .filter(|e| filter.since.is_none_or(|since| e.id > since))
            .filter(|e| filter.app_id.is_none() || e.app_id.as_deref() == filter.app_id.as_deref())
            .filter(|e| field_is(e, "userToken", &filter.user_token))
            .filter(|e| field_is(e, "index", &filter.index))
            .cloned()
            .collect()
    }

    /// Forgets every record (ids keep increasing).
    pub fn clear(&self) {
        let mut logs = self.lock();
        logs.requests.clear();
        logs.events.clear();
        logs.events_in_requests = 0;
        logs.kept_bytes = 0;
        let _ = self.feed.send(LogUpdate::Cleared);
    }

    /// A live feed of every change from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<LogUpdate> {
        self.feed.subscribe()
    }
}

/// Estimated heap and inline bytes of a request record (events included,
/// each counted once although event records share them).
fn request_bytes(record: &RequestRecord) -> usize {
    let text = |s: &Option<String>| s.as_ref().map_or(0, String::len);
    REQUEST_OVERHEAD
        + record.method.len()
        + record.path.len()
        + record
            .query
            .iter()
            .map(|(key, value)| 64 + key.len() + value.len())
            .sum::<usize>()
        + text(&record.content_type)
        + text(&record.origin)
        + text(&record.fetch_mode)
        + text(&record.app_id)
        + text(&record.api_key)
        + text(&record.agent)
        + text(&record.requested_headers)
        + record.message.len()
        + record
            .events
            .iter()
            .map(|event| 16 + value_bytes(event))
            .sum::<usize>()
        + record.searches.iter().map(value_bytes).sum::<usize>()
}

/// Estimated bytes of a JSON value in memory: the value itself, string
/// contents, and the slots of arrays and objects.
pub fn value_bytes(value: &Value) -> usize {
    std::mem::size_of::<Value>()
        + match value {
            Value::String(s) => s.len(),
            Value::Array(items) => items.iter().map(value_bytes).sum(),
            Value::Object(map) => map
                .iter()
                .map(|(key, value)| 48 + key.len() + value_bytes(value))
                .sum(),
            _ => 0,
        }
}

/// `abcd…`: enough of an API key to tell keys apart, never the whole key.
pub fn mask_api_key(key: &str) -> String {
    let shown = (key.chars().count() / 2).min(4);
    let prefix: String = key.chars().take(shown).collect();
    format!("{prefix}…")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(app_id: &str, events: Vec<Value>) -> RequestRecord {
        RequestRecord {
            id: 0,
            time: 1,
            method: "POST".into(),
            path: "/1/events".into(),
            query: BTreeMap::new(),
            content_type: None,
            origin: None,
            fetch_mode: None,
            app_id: Some(app_id.into()),
            api_key: None,
            agent: None,
            requested_headers: None,
            status: 200,
            message: "OK".into(),
            body_bytes: 0,
            preflight: false,
            injected: false,
            events: events.into_iter().map(Arc::new).collect(),
            searches: Vec::new(),
        }
    }

    #[test]
    fn masks_keys() {
        assert_eq!(mask_api_key("abcdef123456"), "abcd…");
        assert_eq!(mask_api_key("ab"), "a…");
        assert_eq!(mask_api_key(""), "…");
    }

    #[test]
    fn records_filters_and_bounds() {
        let log = RequestLog::new(None).expect("log");
        let ok = Verdict {
            accepted: true,
            injected: false,
            reason: None,
        };
        let first = log.append(
            request("A", vec![json!({"userToken": "u1", "index": "i"})]),
            &ok,
        );
        log.append(
            request("B", vec![json!({"userToken": "u2", "index": "i"})]),
            &ok,
        );
        assert_eq!(first, 1);
        let by_app = log.events(&EventFilter {
            app_id: Some("B".into()),
            ..Default::default()
        });
        assert_eq!(by_app.len(), 1);
        assert_eq!(by_app[0].request_id, 2);
        let by_token = log.events(&EventFilter {
            user_token: Some("u1".into()),
            ..Default::default()
        });
        assert_eq!(by_token.len(), 1);
        assert_eq!(
            log.requests(&RequestFilter {
                since: Some(1),
                ..Default::default()
            })
            .len(),
            1
        );
        for _ in 0..MAX_REQUESTS + 5 {
            log.append(request("C", vec![]), &ok);
        }
        assert_eq!(log.requests(&RequestFilter::default()).len(), MAX_REQUESTS);
        log.clear();
        assert!(log.events(&EventFilter::default()).is_empty());
    }

    #[test]
    fn the_byte_budget_evicts_oldest_requests_with_their_events() {
        let budget = 200_000;
        let log = RequestLog::with_budget(None, budget).expect("log");
        let reason: Arc<str> = Arc::from("events[0]: something short");
        let rejected = Verdict {
            accepted: false,
            injected: false,
            reason: Some(reason.clone()),
        };
        let big = json!({"filters": ["x".repeat(20_000)]});
        for round in 0..100 {
            let mut events = vec![big.clone()];
            events.extend((0..99).map(|_| json!({})));
            log.append(request("A", events), &rejected);
            let stats = log.stats();
            assert!(stats.kept_bytes <= budget, "round {round}: {stats:?}");
            assert_eq!(stats.events, stats.requests * 100, "round {round}");
        }
        let stats = log.stats();
        assert!(stats.requests < 100 && stats.requests >= 1, "{stats:?}");
        let events = log.events(&EventFilter::default());
        let oldest_kept = log.requests(&RequestFilter::default())[0].id;
        assert!(events.iter().all(|e| e.request_id >= oldest_kept));
        // One reason for every event of every request.
        assert!(events
            .iter()
            .all(|e| e.reason.as_ref().is_some_and(|r| Arc::ptr_eq(r, &reason))));
        log.clear();
        assert_eq!(log.stats().kept_bytes, 0);
    }

    #[test]
    fn a_record_over_the_budget_alone_is_still_kept() {
        let log = RequestLog::with_budget(None, 1_000).expect("log");
        let ok = Verdict {
            accepted: true,
            injected: false,
            reason: None,
        };
        log.append(request("A", vec![json!({"a": "x".repeat(5_000)})]), &ok);
        log.append(request("A", vec![json!({"a": "y".repeat(5_000)})]), &ok);
        let requests = log.requests(&RequestFilter::default());
        assert_eq!(requests.len(), 1);
        assert_eq!(requests[0].id, 2);
        assert_eq!(log.events(&EventFilter::default()).len(), 1);
    }
}
