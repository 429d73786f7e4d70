//! `Outbox`: events waiting to be delivered, batched into as few requests as
//! the API's limits allow, retried when a failure may pass, and (with the
//! visitor's storage consent) kept in `localStorage` across page loads.
//!
//! Delivery rules:
//! - events of calls made close together share a request when they go to the
//!   same URL (endpoint, credentials, agent and extra headers);
//! - a request carries at most 1000 events and at most 64 KiB of body, the
//!   browser's budget for `keepalive` requests, which are used while that
//!   budget allows (always when the page is being hidden);
//! - network errors, 5xx and 429 are retried with exponential backoff and full
//!   jitter; a 400/413/422 on several events is split in halves so one bad
//!   event cannot sink the others; any other 4xx fails the call at once.

use crate::environment::{Environment, KeyValueStore, OutgoingRequest, ResponseOutcome};
use crate::json;
use crate::value::Value;

/// The API's limit on events per request.
pub const MAX_EVENTS_PER_REQUEST: usize = 1000;
/// The browser's in-flight budget for `keepalive` request bodies.
pub const MAX_KEEPALIVE_BYTES: usize = 64 * 1024;
/// The `localStorage` key of the persistent outbox.
pub const STORAGE_KEY: &str = "AlgoliaInsightsOutbox";
/// The most events kept in storage.
pub const MAX_STORED_EVENTS: usize = 1000;
/// First retry delay; each retry doubles it (with jitter), up to [`MAX_RETRY_DELAY_MS`].
pub const BASE_RETRY_DELAY_MS: f64 = 500.0;
/// Longest retry delay.
pub const MAX_RETRY_DELAY_MS: f64 = 30_000.0;
/// How long another tab's stored events stay its own while it is alive.
const LEASE_MS: f64 = 60_000.0;
const BODY_OVERHEAD: usize = r#"{"events":[]}"#.len();

/// Identifies one `aa()` call whose Promise waits for its events.
pub type CallId = u64;

/// One event waiting for delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Unique across pages: `<page id>-<n>`.
    pub id: String,
    /// Where it goes, credentials and agent included.
    pub url: String,
    /// The event's JSON.
    pub json: String,
    /// The event's `timestamp` (ms), to drop events the API would refuse as too old.
    pub timestamp: f64,
    /// Failed attempts so far.
    pub attempts: u32,
    /// Not to be sent before this time (ms).
    pub not_before: f64,
    /// The call waiting for it (none for events restored from a previous page).
    pub call: Option<CallId>,
    /// `(index, objectIDs)` of a purchase, to forget in the query-ID cache once delivered.
    pub purchase: Option<(String, Vec<String>)>,
}

#[derive(Debug)]
struct InFlight {
    request_id: u64,
    entries: Vec<Entry>,
    keepalive_bytes: usize,
}

#[derive(Debug)]
struct CallState {
    id: CallId,
    remaining: usize,
    delivered: bool,
}

/// A call whose events are all settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Completion {
    /// The call.
    pub call: CallId,
    /// `true` when every one of its events was accepted by the API.
    pub delivered: bool,
}

/// What happened to one request, for the console and the `onDelivery` hook.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryReport {
    /// HTTP status, `None` for a network error.
    pub status: Option<u16>,
    /// The API's `message`, or a description of the failure.
    pub message: String,
    /// Events in the request.
    pub events: usize,
    /// Whether they will be retried.
    pub will_retry: bool,
    /// Whether they were accepted.
    pub delivered: bool,
}

/// What the client must do after the outbox moved.
#[derive(Debug, Default, PartialEq)]
pub struct Settled {
    /// Calls whose Promise can now resolve.
    pub completions: Vec<Completion>,
    /// Purchases delivered: `(index, objectIDs)` to forget in the query-ID cache.
    pub purchased: Vec<(String, Vec<String>)>,
    /// What happened to requests that ended.
    pub reports: Vec<DeliveryReport>,
}

/// Delivery settings, from `init`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeliveryPolicy {
    /// Batch window (ms).
    pub flush_delay_ms: f64,
    /// Retries after network errors, 5xx and 429.
    pub max_retries: u32,
    /// Events older than this are dropped before sending (ms).
    pub max_event_age_ms: f64,
    /// Keep undelivered events in `localStorage` (storage consent).
    pub persist: bool,
}

/// The outbox.
#[derive(Debug)]
pub struct Outbox {
    page_id: String,
    next_entry: u64,
    next_request: u64,
    next_call: CallId,
    queued: Vec<Entry>,
    in_flight: Vec<InFlight>,
    calls: Vec<CallState>,
    keepalive_in_flight: usize,
    wake_at: Option<f64>,
    stored: bool,
    /// Ids of stored entries this page took over from a previous page.
    claimed: Vec<String>,
}

impl Outbox {
    /// An empty outbox for a page identified by `page_id` (random).
    pub fn new(page_id: String) -> Outbox {
        Outbox {
            page_id,
            next_entry: 0,
            next_request: 0,
            next_call: 0,
            queued: Vec::new(),
            in_flight: Vec::new(),
            calls: Vec::new(),
            keepalive_in_flight: 0,
            wake_at: None,
            stored: false,
            claimed: Vec::new(),
        }
    }

    /// A new call id for a call with `events` events.
    pub fn open_call(&mut self, events: usize) -> CallId {
        self.next_call += 1;
        self.calls.push(CallState { id: self.next_call, remaining: events, delivered: true });
        self.next_call
    }

    /// Queues one event of `call` for `url`.
    pub fn push(&mut self, call: CallId, url: &str, json: String, timestamp: f64, purchase: Option<(String, Vec<String>)>) {
        self.next_entry += 1;
        let mut id = self.page_id.clone();
        id.push('-');
        json::write_int(self.next_entry as i64, &mut id);
        self.queued.push(Entry { id, url: url.to_owned(), json, timestamp, attempts: 0, not_before: 0.0, call: Some(call), purchase });
    }

    /// Events queued or in flight.
    pub fn pending(&self) -> usize {
        self.queued.len() + self.in_flight.iter().map(|r| r.entries.len()).sum::<usize>()
    }

    /// Requests in flight.
    pub fn requests_in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Asks for a wake-up in `delay_ms` unless one comes sooner.
    pub fn wake_in(&mut self, env: &mut dyn Environment, now: f64, delay_ms: f64) {
        let at = now + delay_ms.max(0.0);
        if self.wake_at.is_some_and(|w| w <= at) {
            return;
        }
        self.wake_at = Some(at);
        env.schedule_wake(delay_ms.max(0.0));
    }

    /// Called when a scheduled wake-up fires.
    pub fn woke(&mut self, now: f64) {
        if self.wake_at.is_some_and(|w| w <= now) {
            self.wake_at = None;
        }
    }

    /// Sends every event that is due. With `unloading`, the page is being
    /// hidden: events go out with `keepalive` or `sendBeacon`, except those
    /// that already failed, which stay stored for the next page.
    pub fn flush(&mut self, env: &mut dyn Environment, now: f64, policy: &DeliveryPolicy, unloading: bool) -> Settled {
        let mut settled = Settled::default();
        self.drop_expired(env, now, policy, &mut settled);
        let (due, later): (Vec<Entry>, Vec<Entry>) = std::mem::take(&mut self.queued)
            .into_iter()
            .partition(|e| if unloading { e.attempts == 0 } else { e.not_before <= now });
        self.queued = later;
        for batch in pack(due) {
            self.start(env, batch, unloading);
        }
        if let Some(next) = self.queued.iter().map(|e| e.not_before).min_by(f64::total_cmp) {
            if !unloading {
                self.wake_in(env, now, next - now);
            }
        }
        if policy.persist {
            self.save(env, now, unloading);
        }
        settled
    }

    fn start(&mut self, env: &mut dyn Environment, entries: Vec<Entry>, unloading: bool) {
        let Some(first) = entries.first() else { return };
        let url = first.url.clone();
        let body = body_of(&entries);
        self.next_request += 1;
        let fits = self.keepalive_in_flight + body.len() <= MAX_KEEPALIVE_BYTES;
        let request = OutgoingRequest { id: self.next_request, url, body, keepalive: fits };
        if unloading && !fits {
            // Over the keepalive budget: a beacon is the last way out. Events it
            // refuses stay stored (with consent) for the next page.
            if env.beacon(&request) {
                self.in_flight.push(InFlight { request_id: request.id, entries, keepalive_bytes: 0 });
            } else {
                self.queued.extend(entries);
            }
            return;
        }
        let keepalive_bytes = if fits { request.body.len() } else { 0 };
        self.keepalive_in_flight += keepalive_bytes;
        self.in_flight.push(InFlight { request_id: request.id, entries, keepalive_bytes });
        env.send(request);
    }

    fn drop_expired(&mut self, env: &mut dyn Environment, now: f64, policy: &DeliveryPolicy, settled: &mut Settled) {
        let (expired, fresh): (Vec<Entry>, Vec<Entry>) =
            std::mem::take(&mut self.queued).into_iter().partition(|e| now - e.timestamp > policy.max_event_age_ms);
        self.queued = fresh;
        if !expired.is_empty() {
            env.warn(&format!(
                "search-insights: dropped {} event(s) older than the Insights API accepts ({} days)",
                expired.len(),
                (policy.max_event_age_ms / 86_400_000.0).round()
            ));
            self.settle(expired, false, settled);
        }
    }

    /// Handles the outcome of request `request_id`.
    pub fn on_response(
        &mut self,
        env: &mut dyn Environment,
        request_id: u64,
        outcome: ResponseOutcome,
        now: f64,
        policy: &DeliveryPolicy,
    ) -> Settled {
        let mut settled = Settled::default();
        let Some(pos) = self.in_flight.iter().position(|r| r.request_id == request_id) else {
            return settled;
        };
        let request = self.in_flight.swap_remove(pos);
        self.keepalive_in_flight = self.keepalive_in_flight.saturating_sub(request.keepalive_bytes);
        let count = request.entries.len();
        let (status, message) = match &outcome {
            ResponseOutcome::Status(status, body) => (Some(*status), api_message(body, *status)),
            ResponseOutcome::NetworkError => (None, "network error".to_owned()),
        };
        let mut report = DeliveryReport { status, message, events: count, will_retry: false, delivered: false };
        match status {
            Some(200..=299) => {
                report.delivered = true;
                self.settle(request.entries, true, &mut settled);
            }
            Some(400 | 413 | 422) if count > 1 => {
                // One bad event must not sink the others: send each half on its own.
                report.will_retry = true;
                let mut first = request.entries;
                let second = first.split_off(count / 2);
                self.start(env, first, false);
                self.start(env, second, false);
            }
            Some(400..=499) if status != Some(429) => {
                env.error(&format!("search-insights: the Insights API refused {count} event(s) ({}): {}", status.unwrap_or(0), report.message));
                self.settle(request.entries, false, &mut settled);
            }
            _ => {
                let (retry, give_up): (Vec<Entry>, Vec<Entry>) =
                    request.entries.into_iter().partition(|e| e.attempts < policy.max_retries);
                if !give_up.is_empty() {
                    env.error(&format!(
                        "search-insights: gave up sending {} event(s) after {} attempts: {}",
                        give_up.len(),
                        policy.max_retries + 1,
                        report.message
                    ));
                    self.settle(give_up, false, &mut settled);
                }
                if !retry.is_empty() {
                    report.will_retry = true;
                    let mut earliest = f64::INFINITY;
                    for mut e in retry {
                        e.attempts += 1;
                        let ceiling = (BASE_RETRY_DELAY_MS * f64::from(1u32 << e.attempts.min(16))).min(MAX_RETRY_DELAY_MS);
                        let jitter = f64::from(env.random_bytes()[0]) / 255.0;
                        e.not_before = now + ceiling * (0.5 + 0.5 * jitter);
                        earliest = earliest.min(e.not_before);
                        self.queued.push(e);
                    }
                    self.wake_in(env, now, earliest - now);
                }
            }
        }
        settled.reports.push(report);
        if policy.persist {
            self.save(env, now, false);
        }
        settled
    }

    fn settle(&mut self, entries: Vec<Entry>, delivered: bool, settled: &mut Settled) {
        for entry in entries {
            if delivered {
                if let Some(purchase) = entry.purchase {
                    settled.purchased.push(purchase);
                }
            }
            let Some(call_id) = entry.call else { continue };
            let Some(pos) = self.calls.iter().position(|c| c.id == call_id) else { continue };
            let done = {
                let Some(call) = self.calls.get_mut(pos) else { continue };
                call.remaining = call.remaining.saturating_sub(1);
                call.delivered &= delivered;
                (call.remaining == 0).then_some(call.delivered)
            };
            if let Some(delivered) = done {
                self.calls.swap_remove(pos);
                settled.completions.push(Completion { call: call_id, delivered });
            }
        }
    }

    /// Drops everything (opt-out, reset): pending calls resolve `false`.
    pub fn clear(&mut self, store: &mut dyn KeyValueStore) -> Settled {
        let mut settled = Settled::default();
        let mut entries = std::mem::take(&mut self.queued);
        for request in std::mem::take(&mut self.in_flight) {
            entries.extend(request.entries);
        }
        self.keepalive_in_flight = 0;
        self.settle(entries, false, &mut settled);
        for call in std::mem::take(&mut self.calls) {
            settled.completions.push(Completion { call: call.id, delivered: false });
        }
        if self.stored || store.get_item(STORAGE_KEY).is_some() {
            store.remove_item(STORAGE_KEY);
            self.stored = false;
        }
        settled
    }

    /// Writes this page's undelivered events to storage, merged with other
    /// tabs' entries. When `releasing` (the page is going away), they are left
    /// for the next page to claim, minus those already sent with keepalive.
    fn save(&mut self, store: &mut dyn KeyValueStore, now: f64, releasing: bool) {
        let lease = if releasing { 0.0 } else { now + LEASE_MS };
        let in_flight = self
            .in_flight
            .iter()
            .filter(|r| !releasing || r.keepalive_bytes == 0)
            .flat_map(|r| r.entries.iter());
        let mine: Vec<&Entry> = self.queued.iter().chain(in_flight).collect();
        // Other tabs' entries stay; this page's own (and those it claimed) are rewritten.
        let id_prefix = format!("{}-", self.page_id);
        let mut records: Vec<Value> = read_records(store)
            .into_iter()
            .filter(|r| {
                let id = r.field("id").as_str().unwrap_or("");
                r.field("o").as_str() != Some(self.page_id.as_str())
                    && !id.starts_with(&id_prefix)
                    && !self.claimed.iter().any(|c| c == id)
            })
            .collect();
        if mine.is_empty() && records.is_empty() {
            if self.stored {
                store.remove_item(STORAGE_KEY);
                self.stored = false;
            }
            return;
        }
        for e in mine {
            records.push(Value::object([
                ("id", Value::str(e.id.as_str())),
                ("o", Value::str(self.page_id.as_str())),
                ("l", Value::Number(lease)),
                ("u", Value::str(e.url.as_str())),
                ("b", Value::str(e.json.as_str())),
                ("t", Value::Number(e.timestamp)),
                ("n", Value::Number(f64::from(e.attempts))),
            ]));
        }
        if records.len() > MAX_STORED_EVENTS {
            records.sort_by(|a, b| number(a, "t").total_cmp(&number(b, "t")));
            let excess = records.len() - MAX_STORED_EVENTS;
            records.drain(..excess);
        }
        let text = json::to_string(&Value::object([("v", Value::Number(1.0)), ("e", Value::Array(records))]));
        self.stored = store.set_item(STORAGE_KEY, &text);
    }

    /// Claims the events a previous page (or a tab that went away) left in
    /// storage and queues them; returns how many were claimed.
    pub fn restore(&mut self, env: &mut dyn Environment, now: f64, policy: &DeliveryPolicy) -> usize {
        let records = read_records(env);
        let mut claimed = 0;
        for r in &records {
            let free = number(r, "l") < now || r.field("o").as_str() == Some(self.page_id.as_str());
            let (Some(id), Some(url), Some(body)) = (r.field("id").as_str(), r.field("u").as_str(), r.field("b").as_str()) else {
                continue;
            };
            let known = self.queued.iter().chain(self.in_flight.iter().flat_map(|f| f.entries.iter())).any(|e| e.id == id);
            if !free || known || json::parse(body).is_none_or(|v| !v.is_object()) {
                continue;
            }
            self.claimed.push(id.to_owned());
            self.queued.push(Entry {
                id: id.to_owned(),
                url: url.to_owned(),
                json: body.to_owned(),
                timestamp: number(r, "t"),
                attempts: number(r, "n").clamp(0.0, 100.0) as u32,
                not_before: 0.0,
                call: None,
                purchase: None,
            });
            claimed += 1;
        }
        if claimed > 0 {
            self.save(env, now, false);
            self.wake_in(env, now, policy.flush_delay_ms);
        }
        claimed
    }
}

fn number(record: &Value, key: &str) -> f64 {
    record.field(key).as_f64().unwrap_or(0.0)
}

fn read_records(store: &dyn KeyValueStore) -> Vec<Value> {
    let parsed = store.get_item(STORAGE_KEY).and_then(|text| json::parse(&text));
    match parsed.as_ref().map(|v| v.field("e")) {
        Some(Value::Array(items)) => items.iter().filter(|r| r.is_object()).cloned().collect(),
        _ => Vec::new(),
    }
}

/// `{"events":[…]}` of entries.
fn body_of(entries: &[Entry]) -> String {
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
fn pack(entries: Vec<Entry>) -> Vec<Vec<Entry>> {
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

/// The `message` of an API answer, or a short description.
fn api_message(body: &str, status: u16) -> String {
    match json::parse(body).as_ref().map(|v| v.field("message")) {
        Some(Value::String(message)) => message.clone(),
        _ => {
            let mut s = String::from("HTTP ");
            json::write_int(i64::from(status), &mut s);
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::FakeEnv;

    const POLICY: DeliveryPolicy = DeliveryPolicy { flush_delay_ms: 50.0, max_retries: 2, max_event_age_ms: 1e9, persist: false };

    fn event_json(i: usize, pad: usize) -> String {
        format!(r#"{{"eventType":"click","eventName":"n","index":"i","objectIDs":["{i}"],"pad":"{}"}}"#, "x".repeat(pad))
    }

    fn outbox_with(calls: usize, per_call: usize, pad: usize, url: &str) -> (Outbox, Vec<CallId>) {
        let mut outbox = Outbox::new("p".into());
        let mut ids = Vec::new();
        for c in 0..calls {
            let id = outbox.open_call(per_call);
            for j in 0..per_call {
                outbox.push(id, url, event_json(c * per_call + j, pad), 0.0, None);
            }
            ids.push(id);
        }
        (outbox, ids)
    }

    #[test]
    fn batches_within_the_limits() {
        let (mut outbox, _) = outbox_with(2000, 1, 0, "u");
        let mut env = FakeEnv::default();
        outbox.flush(&mut env, 0.0, &POLICY, false);
        assert!(env.sent.len() <= 10, "{} requests", env.sent.len());
        let mut total = 0;
        for r in &env.sent {
            let events = json::parse(&r.body).expect("json").field("events").as_array().map(<[Value]>::len).unwrap_or(0);
            assert!(events <= MAX_EVENTS_PER_REQUEST);
            assert!(r.body.len() <= MAX_KEEPALIVE_BYTES);
            total += events;
        }
        assert_eq!(total, 2000);
    }

    #[test]
    fn separate_urls_separate_requests() {
        let mut outbox = Outbox::new("p".into());
        let a = outbox.open_call(1);
        outbox.push(a, "u1", event_json(1, 0), 0.0, None);
        let b = outbox.open_call(1);
        outbox.push(b, "u2", event_json(2, 0), 0.0, None);
        let c = outbox.open_call(1);
        outbox.push(c, "u1", event_json(3, 0), 0.0, None);
        let mut env = FakeEnv::default();
        outbox.flush(&mut env, 0.0, &POLICY, false);
        assert_eq!(env.sent.iter().map(|r| r.url.as_str()).collect::<Vec<_>>(), vec!["u1", "u2"]);
        assert!(env.sent[0].body.contains(r#"["1"]"#) && env.sent[0].body.contains(r#"["3"]"#));
    }

    #[test]
    fn keepalive_budget_is_respected() {
        let (mut outbox, _) = outbox_with(3, 1, 40_000, "u");
        let mut env = FakeEnv::default();
        outbox.flush(&mut env, 0.0, &POLICY, false);
        assert_eq!(env.sent.len(), 3);
        assert!(env.sent[0].keepalive);
        assert!(!env.sent[1].keepalive, "second 40 KB body would pass the 64 KiB budget");
    }

    #[test]
    fn retries_5xx_then_delivers_once() {
        let (mut outbox, calls) = outbox_with(1, 3, 0, "u");
        let mut env = FakeEnv::default();
        outbox.flush(&mut env, 0.0, &POLICY, false);
        let first = env.sent.remove(0);
        let s = outbox.on_response(&mut env, first.id, ResponseOutcome::Status(500, "{}".into()), 0.0, &POLICY);
        assert!(s.completions.is_empty());
        assert!(s.reports[0].will_retry);
        assert!(env.wakes.iter().any(|d| *d >= BASE_RETRY_DELAY_MS / 2.0));
        outbox.woke(10_000.0);
        outbox.flush(&mut env, 10_000.0, &POLICY, false);
        let second = env.sent.remove(0);
        assert_eq!(second.body, first.body, "same events again");
        let s = outbox.on_response(&mut env, second.id, ResponseOutcome::Status(200, "{}".into()), 10_000.0, &POLICY);
        assert_eq!(s.completions, vec![Completion { call: calls[0], delivered: true }]);
        assert_eq!(outbox.pending(), 0);
    }

    #[test]
    fn gives_up_after_max_retries() {
        let (mut outbox, calls) = outbox_with(1, 1, 0, "u");
        let mut env = FakeEnv::default();
        let mut now = 0.0;
        for attempt in 0..=POLICY.max_retries {
            outbox.flush(&mut env, now, &POLICY, false);
            let r = env.sent.remove(0);
            let s = outbox.on_response(&mut env, r.id, ResponseOutcome::NetworkError, now, &POLICY);
            if attempt == POLICY.max_retries {
                assert_eq!(s.completions, vec![Completion { call: calls[0], delivered: false }]);
                assert!(env.errors.iter().any(|e| e.contains("gave up")));
            }
            now += 100_000.0;
        }
        assert_eq!(outbox.pending(), 0);
    }

    #[test]
    fn a_422_is_not_retried_and_is_reported() {
        let (mut outbox, calls) = outbox_with(1, 1, 0, "u");
        let mut env = FakeEnv::default();
        outbox.flush(&mut env, 0.0, &POLICY, false);
        let r = env.sent.remove(0);
        let s = outbox.on_response(&mut env, r.id, ResponseOutcome::Status(422, r#"{"status":422,"message":"bad eventName"}"#.into()), 0.0, &POLICY);
        assert_eq!(s.completions, vec![Completion { call: calls[0], delivered: false }]);
        assert_eq!(env.errors.len(), 1);
        assert!(env.errors[0].contains("bad eventName"));
        assert_eq!(s.reports[0].message, "bad eventName");
        outbox.flush(&mut env, 1e6, &POLICY, false);
        assert!(env.sent.is_empty());
    }

    #[test]
    fn a_422_on_a_batch_is_bisected() {
        let (mut outbox, calls) = outbox_with(4, 1, 0, "u");
        let mut env = FakeEnv::default();
        outbox.flush(&mut env, 0.0, &POLICY, false);
        let r = env.sent.remove(0);
        outbox.on_response(&mut env, r.id, ResponseOutcome::Status(422, "{}".into()), 0.0, &POLICY);
        assert_eq!(env.sent.len(), 2, "two halves");
        let halves: Vec<OutgoingRequest> = env.sent.drain(..).collect();
        let a = outbox.on_response(&mut env, halves[0].id, ResponseOutcome::Status(200, "{}".into()), 0.0, &POLICY);
        assert_eq!(a.completions.len(), 2);
        assert!(a.completions.iter().all(|c| c.delivered));
        assert!(calls.contains(&a.completions[0].call));
    }

    #[test]
    fn old_events_are_dropped_with_a_warning() {
        let mut outbox = Outbox::new("p".into());
        let call = outbox.open_call(1);
        outbox.push(call, "u", event_json(1, 0), 0.0, None);
        let mut env = FakeEnv::default();
        let s = outbox.flush(&mut env, 2e9, &POLICY, false);
        assert_eq!(s.completions, vec![Completion { call, delivered: false }]);
        assert!(env.sent.is_empty());
        assert_eq!(env.warnings.len(), 1);
    }

    #[test]
    fn stored_events_survive_a_reload_exactly_once() {
        let policy = DeliveryPolicy { persist: true, ..POLICY };
        let (mut page1, _) = outbox_with(1, 2, 0, "u");
        let mut env = FakeEnv::default();
        page1.flush(&mut env, 0.0, &policy, false);
        let r = env.sent.remove(0);
        page1.on_response(&mut env, r.id, ResponseOutcome::NetworkError, 0.0, &policy);
        // The page goes away while the events wait for their retry.
        page1.flush(&mut env, 1.0, &policy, true);
        assert!(env.sent.is_empty(), "events that failed are not fired blind at unload");
        let mut page2 = Outbox::new("q".into());
        assert_eq!(page2.restore(&mut env, 2.0, &policy), 2);
        let mut other_tab = Outbox::new("r".into());
        assert_eq!(other_tab.restore(&mut env, 3.0, &policy), 0, "claimed by page2");
        page2.flush(&mut env, 100.0, &policy, false);
        let r = env.sent.remove(0);
        assert_eq!(r.body, body_of(&[Entry { id: String::new(), url: String::new(), json: event_json(0, 0), timestamp: 0.0, attempts: 0, not_before: 0.0, call: None, purchase: None }, Entry { id: String::new(), url: String::new(), json: event_json(1, 0), timestamp: 0.0, attempts: 0, not_before: 0.0, call: None, purchase: None }]));
        page2.on_response(&mut env, r.id, ResponseOutcome::Status(200, "{}".into()), 100.0, &policy);
        assert_eq!(env.get_item(STORAGE_KEY), None, "nothing left once delivered");
        let mut page3 = Outbox::new("s".into());
        assert_eq!(page3.restore(&mut env, 200_000.0, &policy), 0);
    }

    #[test]
    fn unload_sends_fresh_events_with_keepalive_and_does_not_store_them() {
        let policy = DeliveryPolicy { persist: true, ..POLICY };
        let (mut outbox, _) = outbox_with(1, 1, 0, "u");
        let mut env = FakeEnv::default();
        outbox.flush(&mut env, 0.0, &policy, true);
        assert_eq!(env.sent.len(), 1);
        assert!(env.sent[0].keepalive);
        let mut next = Outbox::new("q".into());
        assert_eq!(next.restore(&mut env, 1.0, &policy), 0, "keepalive requests outlive the page");
    }

    #[test]
    fn unload_over_budget_uses_beacons() {
        let (mut outbox, _) = outbox_with(2, 1, 40_000, "u");
        let mut env = FakeEnv::default();
        outbox.flush(&mut env, 0.0, &POLICY, true);
        assert_eq!(env.sent.len(), 1);
        assert_eq!(env.beacons.len(), 1);
    }

    #[test]
    fn corrupted_storage_is_ignored() {
        let mut env = FakeEnv::default();
        for junk in ["", "{", r#"{"v":1,"e":"x"}"#, r#"{"v":1,"e":[1,{"id":"a"},{"id":"b","u":"u","b":"not json","l":0}]}"#] {
            env.set_item(STORAGE_KEY, junk);
            let mut outbox = Outbox::new("p".into());
            assert_eq!(outbox.restore(&mut env, 0.0, &POLICY), 0, "{junk}");
        }
    }

    #[test]
    fn clear_resolves_pending_calls_false() {
        let (mut outbox, calls) = outbox_with(2, 1, 0, "u");
        let mut env = FakeEnv::default();
        outbox.flush(&mut env, 0.0, &POLICY, false);
        let s = outbox.clear(&mut env);
        assert_eq!(s.completions.len(), 2);
        assert!(s.completions.iter().all(|c| !c.delivered && calls.contains(&c.call)));
        assert_eq!(outbox.pending(), 0);
    }
}
