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
//! - network errors, 5xx and 429 are retried with exponential backoff and
//!   jitter; a 400/413/422 on several events is split in halves so one bad
//!   event cannot sink the others; any other 4xx fails the call at once;
//! - with storage consent, every undelivered event is in storage, under the
//!   key of the page that sends it (`AlgoliaInsightsOutbox:<page id>`): a page
//!   only ever writes its own key, so tabs of the same site never overwrite
//!   each other's events. A page claims the keys of pages that are gone (and
//!   the previous version's shared key `AlgoliaInsightsOutbox`) as it starts:
//!   it copies their events into its own key, then removes theirs. Claiming is
//!   exclusive with the Web Locks API: each page holds a lock named after its
//!   key while it lives, and a page claims a key only while holding that key's
//!   lock, so a live page's key is never claimed and a dead page's key is
//!   claimed by exactly one page. Without Web Locks, a key carries a lease
//!   that its page renews on every send and answer and releases when it is
//!   hidden; a key whose lease ran out is claimed, and a page whose lapsed key
//!   was claimed forgets the events that were in it. Events still failing
//!   after the last retry are written under a key of their own that no page
//!   holds, for the next page load.


use crate::environment::{Environment, KeyValueStore, OutgoingRequest, ResponseOutcome};
use crate::json;
use crate::value::Value;

/// The API's limit on events per request.
pub const MAX_EVENTS_PER_REQUEST: usize = 1000;
/// The browser's in-flight budget for `keepalive` request bodies.
pub const MAX_KEEPALIVE_BYTES: usize = 64 * 1024;
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
/// Retry `n` (from 1) waits 50–100 % of `BASE_RETRY_DELAY_MS × 2ⁿ` (1 s, 2 s,
/// 4 s, …), at most [`MAX_RETRY_DELAY_MS`].
pub const BASE_RETRY_DELAY_MS: f64 = 500.0;
/// Longest retry delay.
pub const MAX_RETRY_DELAY_MS: f64 = 30_000.0;
/// Without Web Locks: how long a page's key stays its own without it
/// renewing the lease (it renews it on every send and answer; a page that is
/// hidden releases it at once). Longer than the longest retry delay plus the
/// longest request timeout, so a live page never loses events it is sending.
const LEASE_MS: f64 = 120_000.0;
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
    /// A request without an answer after this long is a network error (ms).
    pub request_timeout_ms: f64,
}

/// This page's hold on its own outbox key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PageLock {
    /// Not asked for yet (no storage consent so far).
    NotAsked,
    /// Asked for: the page writes its key only once it holds the lock.
    Requested,
    /// Held for the page's life: no other page claims this page's key.
    Held,
    /// No Web Locks API: the key carries a lease instead.
    Unavailable,
}

/// The outbox.
#[derive(Debug)]
pub struct Outbox {
    page_id: String,
    /// This page's `localStorage` key (and the name of its lock).
    key: String,
    next_entry: u64,
    next_request: u64,
    next_call: CallId,
    queued: Vec<Entry>,
    in_flight: Vec<InFlight>,
    calls: Vec<CallState>,
    keepalive_in_flight: usize,
    wake_at: Option<f64>,
    /// Whether this page's key may exist (written and not removed since).
    stored: bool,
    lock: PageLock,
    /// Other pages' keys, to claim once this page holds its own lock.
    to_claim: Vec<String>,
    /// Without Web Locks: when this page's lease on its key ends (0 once
    /// released) and the ids of the entries written under it.
    lease_until: f64,
    leased: Vec<String>,
    /// Keys written so far for events given up after the last retry.
    parked_keys: u64,
}

impl Outbox {
    /// An empty outbox for a page identified by `page_id` (random).
    pub fn new(page_id: String) -> Outbox {
        Outbox {
            key: text!(STORAGE_KEY_PREFIX, page_id),
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
            lock: PageLock::NotAsked,
            to_claim: Vec::new(),
            lease_until: 0.0,
            leased: Vec::new(),
            parked_keys: 0,
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

    /// Called when a scheduled wake-up fires. The wake-up is forgotten even if
    /// the timer fired a little before the time asked (clock rounding), so the
    /// flush that follows can ask for the next one.
    pub fn woke(&mut self, _now: f64) {
        self.wake_at = None;
    }

    /// Sends every event that is due. With `unloading`, the page is being
    /// hidden: events go out at once with `keepalive` or `sendBeacon`, except,
    /// with storage consent, those that already failed: they stay stored for
    /// the next page (without consent this is their last chance, so they go too).
    pub fn flush(&mut self, env: &mut dyn Environment, now: f64, policy: &DeliveryPolicy, unloading: bool) -> Settled {
        let mut settled = Settled::default();
        self.reclaim(env, now, &mut settled);
        self.drop_expired(env, now, policy, &mut settled);
        let (due, later): (Vec<Entry>, Vec<Entry>) = std::mem::take(&mut self.queued).into_iter().partition(|e| {
            if unloading {
                e.attempts == 0 || !policy.persist
            } else {
                e.not_before <= now
            }
        });
        self.queued = later;
        for batch in pack(due) {
            self.start(env, batch, unloading, policy, &mut settled);
        }
        // A hidden page may live on (another tab was selected): it keeps
        // retrying, and the timers of a page that is going away never fire.
        if let Some(next) = self.queued.iter().map(|e| e.not_before).min_by(f64::total_cmp) {
            self.wake_in(env, now, next - now);
        }
        self.sync_storage(env, now, policy, unloading);
        settled
    }

    fn start(&mut self, env: &mut dyn Environment, entries: Vec<Entry>, unloading: bool, policy: &DeliveryPolicy, settled: &mut Settled) {
        let Some(first) = entries.first() else { return };
        let url = first.url.clone();
        let body = body_of(&entries);
        self.next_request += 1;
        let fits = self.keepalive_in_flight + body.len() <= MAX_KEEPALIVE_BYTES;
        let request = OutgoingRequest { id: self.next_request, url, body, keepalive: fits, timeout_ms: policy.request_timeout_ms };
        if unloading && !(fits && env.supports_keepalive()) {
            // A fetch would not outlive the page: a beacon is the last way out.
            // It gets no answer, so its events count as delivered once the
            // browser took them; those it refuses stay queued (and stored,
            // with consent) for a later flush or the next page.
            if env.beacon(&request) {
                settled.reports.push(DeliveryReport {
                    status: None,
                    message: "sent with navigator.sendBeacon (no answer is available)".to_owned(),
                    events: entries.len(),
                    will_retry: false,
                    delivered: true,
                });
                self.settle(&entries, true, settled);
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
        let queued = std::mem::take(&mut self.queued);
        self.queued = self.without_expired(env, queued, now, policy, settled);
    }

    /// `entries` less those the API would refuse as too old, which are
    /// settled as not delivered, with a warning.
    fn without_expired(
        &mut self,
        env: &mut dyn Environment,
        entries: Vec<Entry>,
        now: f64,
        policy: &DeliveryPolicy,
        settled: &mut Settled,
    ) -> Vec<Entry> {
        let (expired, fresh): (Vec<Entry>, Vec<Entry>) =
            entries.into_iter().partition(|e| now - e.timestamp > policy.max_event_age_ms);
        if !expired.is_empty() {
            let message = text!(
                "search-insights: dropped ",
                expired.len(),
                " event(s) older than the Insights API accepts (",
                describe_duration(policy.max_event_age_ms),
                ")"
            );
            env.warn(&message);
            settled.reports.push(DeliveryReport { status: None, message, events: expired.len(), will_retry: false, delivered: false });
            self.settle(&expired, false, settled);
        }
        fresh
    }

    /// Without Web Locks, once this page's lease lapsed (released when the
    /// page was hidden, or run out), another page may have claimed its key: if
    /// the key is gone, the events that were in it are that page's to send,
    /// and this page forgets them.
    fn reclaim(&mut self, store: &dyn KeyValueStore, now: f64, settled: &mut Settled) {
        if self.lock != PageLock::Unavailable || self.leased.is_empty() || now < self.lease_until {
            return;
        }
        if store.get_item(&self.key).is_some() {
            return; // still this page's: the next save renews the lease
        }
        let taken = std::mem::take(&mut self.leased);
        self.stored = false;
        let (gone, kept): (Vec<Entry>, Vec<Entry>) = std::mem::take(&mut self.queued).into_iter().partition(|e| taken.contains(&e.id));
        self.queued = kept;
        if !gone.is_empty() {
            settled.reports.push(DeliveryReport {
                status: None,
                message: "taken over by another page of this site".to_owned(),
                events: gone.len(),
                will_retry: false,
                delivered: false,
            });
            self.settle(&gone, false, settled);
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
        self.reclaim(env, now, &mut settled);
        let request = self.in_flight.swap_remove(pos);
        self.keepalive_in_flight = self.keepalive_in_flight.saturating_sub(request.keepalive_bytes);
        let count = request.entries.len();
        let (status, message) = match &outcome {
            ResponseOutcome::Status(status, body) => (Some(*status), api_message(body, *status)),
            ResponseOutcome::NetworkError(reason) => (None, text!("network error", if reason.is_empty() { "" } else { ": " }, reason)),
        };
        let mut report = DeliveryReport { status, message, events: count, will_retry: false, delivered: false };
        match status {
            Some(200..=299) => {
                report.delivered = true;
                self.settle(&request.entries, true, &mut settled);
            }
            Some(400 | 413 | 422) if count > 1 => {
                // One bad event must not sink the others: send each half on its own.
                report.will_retry = true;
                // (The answer may come long after the request left, after the
                // computer slept: events too old by now are dropped first.)
                let mut first = request.entries;
                let second = first.split_off(count / 2);
                for half in [first, second] {
                    let half = self.without_expired(env, half, now, policy, &mut settled);
                    self.start(env, half, false, policy, &mut settled);
                }
            }
            Some(400..=499) if status != Some(429) => {
                env.error(&text!("search-insights: the Insights API refused ", count, " event(s) (", status.unwrap_or(0), "): ", report.message));
                self.settle(&request.entries, false, &mut settled);
            }
            _ => {
                let (retry, give_up): (Vec<Entry>, Vec<Entry>) =
                    request.entries.into_iter().partition(|e| e.attempts < policy.max_retries);
                if !give_up.is_empty() {
                    env.error(&text!(
                        "search-insights: gave up sending ",
                        give_up.len(),
                        " event(s) after ",
                        policy.max_retries + 1,
                        " attempts: ",
                        report.message,
                        if policy.persist { "; they are kept for the next page load" } else { "" }
                    ));
                    self.settle(&give_up, false, &mut settled);
                    if policy.persist {
                        self.park(env, &give_up);
                    }
                }
                if !retry.is_empty() {
                    // One delay for the whole request, so its events go out
                    // together again.
                    report.will_retry = true;
                    let attempts = retry.iter().map(|e| e.attempts + 1).max().unwrap_or(1);
                    let ceiling = (BASE_RETRY_DELAY_MS * f64::from(1u32 << attempts.min(16))).min(MAX_RETRY_DELAY_MS);
                    let jitter = f64::from(env.random_bytes()[0]) / 255.0;
                    let not_before = now + ceiling * (0.5 + 0.5 * jitter);
                    for mut e in retry {
                        e.attempts += 1;
                        e.not_before = not_before;
                        self.queued.push(e);
                    }
                    self.wake_in(env, now, not_before - now);
                }
            }
        }
        settled.reports.push(report);
        self.sync_storage(env, now, policy, false);
        settled
    }

    fn settle(&mut self, entries: &[Entry], delivered: bool, settled: &mut Settled) {
        for entry in entries {
            if delivered {
                if let Some(purchase) = &entry.purchase {
                    settled.purchased.push(purchase.clone());
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
        self.settle(&entries, false, &mut settled);
        for call in std::mem::take(&mut self.calls) {
            settled.completions.push(Completion { call: call.id, delivered: false });
        }
        // Every page's stored events go: the visitor withdrew consent.
        let mut keys = store.keys();
        keys.retain(|k| is_outbox_key(k));
        keys.push(LEGACY_STORAGE_KEY.to_owned());
        if self.stored {
            keys.push(self.key.clone());
        }
        for key in keys {
            store.remove_item(&key);
        }
        self.stored = false;
        self.leased.clear();
        self.to_claim.clear();
        settled
    }

    /// Asks (once) for the lock named after this page's key, which the page
    /// then holds for its life; without Web Locks, the key is leased instead.
    fn lock_page(&mut self, env: &mut dyn Environment) {
        if self.lock == PageLock::NotAsked {
            self.lock = if env.request_lock(&self.key) { PageLock::Requested } else { PageLock::Unavailable };
        }
    }

    /// Brings storage in line with this page's outbox: with consent, writes
    /// its key; without (consent withdrawn), removes it.
    fn sync_storage(&mut self, env: &mut dyn Environment, now: f64, policy: &DeliveryPolicy, releasing: bool) {
        if policy.persist {
            self.lock_page(env);
            self.save(env, now, releasing);
        } else if self.stored {
            env.remove_item(&self.key);
            self.stored = false;
            self.leased.clear();
        }
    }

    /// Writes this page's undelivered events under its own key (and nothing
    /// else: no other page's events are read or written). When `releasing`
    /// (the page is being hidden), the events already on their way with
    /// keepalive are left out, and without Web Locks the lease is released so
    /// that the next page can take the others over.
    fn save(&mut self, store: &mut dyn KeyValueStore, now: f64, releasing: bool) {
        if !matches!(self.lock, PageLock::Held | PageLock::Unavailable) {
            return; // not before this page holds its lock: no page may claim a live page's key
        }
        let in_flight = self
            .in_flight
            .iter()
            .filter(|r| !releasing || r.keepalive_bytes == 0)
            .flat_map(|r| r.entries.iter());
        let own = storable(self.queued.iter().chain(in_flight));
        if own.is_empty() {
            if self.stored {
                store.remove_item(&self.key);
                self.stored = false;
            }
            self.leased.clear();
            return;
        }
        let lease = if releasing && self.lock == PageLock::Unavailable { 0.0 } else { now + LEASE_MS };
        let mut records: Vec<Value> = own.iter().map(|e| record(e)).collect();
        if records.len() > MAX_STORED_EVENTS {
            let excess = records.len() - MAX_STORED_EVENTS;
            crate::oldest::drop_oldest(&mut records, excess, |r| number(r, "t"));
        }
        let ids: Vec<String> = records.iter().filter_map(|r| r.field("id").as_str().map(str::to_owned)).collect();
        self.stored = true;
        if store.set_item(&self.key, &outbox_text(lease, records)) {
            self.lease_until = lease;
            self.leased = ids;
        } else {
            // A refused write leaves the previous text, whose events may
            // have been delivered since.
            store.remove_item(&self.key);
            self.stored = false;
            self.leased.clear();
        }
    }

    /// Writes events given up after the last retry under a new key, which
    /// this page never writes again and no page holds: the next page load
    /// claims it.
    fn park(&mut self, store: &mut dyn KeyValueStore, entries: &[Entry]) {
        let records: Vec<Value> = storable(entries.iter()).into_iter().map(record).collect();
        if records.is_empty() {
            return;
        }
        self.parked_keys += 1;
        store.set_item(&text!(self.key, '.', self.parked_keys), &outbox_text(0.0, records));
    }

    /// As the page starts with storage consent: claims what other pages that
    /// are gone (and the previous version) left in storage, and queues it;
    /// returns how many events were claimed at once. With Web Locks, each key
    /// is claimed later, when its lock is granted ([`Outbox::on_lock_granted`]), and
    /// only once this page holds its own lock.
    pub fn restore(&mut self, env: &mut dyn Environment, now: f64, policy: &DeliveryPolicy) -> usize {
        self.lock_page(env);
        let mut others = env.keys();
        others.retain(|k| is_outbox_key(k) && *k != self.key);
        match self.lock {
            PageLock::Requested => {
                self.to_claim = others;
                0
            }
            PageLock::Held => {
                for key in others {
                    env.request_lock(&key);
                }
                0
            }
            _ => {
                // Without Web Locks: the keys whose lease ran out.
                let claimed = others.iter().map(|key| self.claim(env, key, now, false)).sum();
                if claimed > 0 {
                    self.wake_in(env, now, policy.flush_delay_ms);
                }
                claimed
            }
        }
    }

    /// The lock `name` was granted; the page holds it for the rest of its
    /// life. For this page's own lock, the page may now write its key, and
    /// asks for the locks of the keys it is to claim; for another key's lock,
    /// the page that wrote the key is gone and this page claims it (and,
    /// holding its lock, no other page claims it after: their view of
    /// `localStorage` may show the claim later than the lock). Returns how
    /// many events were claimed.
    pub fn on_lock_granted(&mut self, env: &mut dyn Environment, name: &str, now: f64, policy: &DeliveryPolicy) -> usize {
        if name == self.key {
            if self.lock == PageLock::Requested {
                self.lock = PageLock::Held;
                for key in std::mem::take(&mut self.to_claim) {
                    env.request_lock(&key);
                }
                self.sync_storage(env, now, policy, false);
            }
            return 0;
        }
        if !policy.persist || self.lock != PageLock::Held || !is_outbox_key(name) {
            return 0;
        }
        let claimed = self.claim(env, name, now, true);
        if claimed > 0 {
            self.wake_in(env, now, policy.flush_delay_ms);
        }
        claimed
    }

    /// Claims the events stored under another page's `key`: queues them,
    /// copies them into this page's key, then removes `key`. `exclusive`: this
    /// page holds the key's lock; without it (no Web Locks) a key whose lease
    /// has not run out belongs to a live page and is left alone. The previous
    /// version leased each event: only those whose lease ran out are claimed.
    /// Each event is checked again first ([`crate::stored_event`]); what
    /// cannot be sent any more is dropped, as is a value that is not an
    /// outbox at all.
    fn claim(&mut self, env: &mut dyn Environment, key: &str, now: f64, exclusive: bool) -> usize {
        let Some(text) = env.get_item(key) else { return 0 };
        let (lease, records) = parse_outbox(&text);
        let legacy = key == LEGACY_STORAGE_KEY;
        if !legacy && !exclusive && lease >= now {
            return 0;
        }
        let mut claimed = 0;
        let total = records.len();
        let mut kept = Vec::new();
        for r in records {
            if legacy && number(&r, "l") >= now {
                kept.push(r); // a live page of the previous version sends it
                continue;
            }
            let (Some(id), Some(url), Some(body)) = (r.field("id").as_str(), r.field("u").as_str(), r.field("b").as_str()) else {
                continue;
            };
            let known = self.queued.iter().chain(self.in_flight.iter().flat_map(|f| f.entries.iter())).any(|e| e.id == id);
            let Some(stored) = crate::stored_event::restorable(url, body, now).filter(|_| !known) else {
                continue;
            };
            self.queued.push(Entry {
                id: id.to_owned(),
                url: url.to_owned(),
                json: stored.json,
                timestamp: stored.timestamp,
                attempts: number(&r, "n").clamp(0.0, 100.0) as u32,
                not_before: 0.0,
                call: None,
                purchase: None,
            });
            claimed += 1;
        }
        // Into this page's key first, then out of the other's.
        if claimed > 0 {
            self.save(env, now, false);
        }
        if kept.is_empty() {
            env.remove_item(key);
        } else if kept.len() < total {
            let legacy_text = json::to_string(&Value::object([("v", Value::Number(1.0)), ("e", Value::Array(kept))]));
            env.set_item(key, &legacy_text);
        }
        claimed
    }
}

/// The entries written to storage: events up to 64 KiB each (a larger one
/// could not leave with a page being hidden anyway) and [`MAX_STORED_BYTES`]
/// in all, oldest first. The others stay in memory and are sent as usual;
/// only they do not outlive the page. (`localStorage` holds about 5 million
/// characters for the whole site, and the outbox is rewritten on every send.)
fn storable<'a>(entries: impl Iterator<Item = &'a Entry>) -> Vec<&'a Entry> {
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

fn number(record: &Value, key: &str) -> f64 {
    record.field(key).as_f64().unwrap_or(0.0)
}

/// Whether `key` is an outbox key: a page's, or the previous version's.
fn is_outbox_key(key: &str) -> bool {
    key == LEGACY_STORAGE_KEY || key.starts_with(STORAGE_KEY_PREFIX)
}

/// The lease and the records of a stored outbox; a value that is not an
/// outbox has none (and lease 0).
fn parse_outbox(text: &str) -> (f64, Vec<Value>) {
    let outbox = json::parse(text).unwrap_or(Value::Null);
    let lease = number(&outbox, "l");
    let records = match outbox.get("e") {
        Some(Value::Array(items)) => items.iter().filter(|r| r.is_object()).cloned().collect(),
        _ => Vec::new(),
    };
    (lease, records)
}

/// `{"v":2,"l":<lease>,"e":[<records>]}`.
fn outbox_text(lease: f64, records: Vec<Value>) -> String {
    json::to_string(&Value::object([("v", Value::Number(2.0)), ("l", Value::Number(lease)), ("e", Value::Array(records))]))
}

/// The stored form of an entry.
fn record(e: &Entry) -> Value {
    Value::object([
        ("id", Value::str(e.id.as_str())),
        ("u", Value::str(e.url.as_str())),
        ("b", Value::str(e.json.as_str())),
        ("t", Value::Number(e.timestamp)),
        ("n", Value::Number(f64::from(e.attempts))),
    ])
}

/// "4 days", "90 s": a duration for a message.
fn describe_duration(ms: f64) -> String {
    const DAY_MS: f64 = 86_400_000.0;
    // Whole days, tested without f64 `%` (it pulls fmod and a u128 division
    // into the wasm, ≈ 1.1 KB).
    let days = (ms / DAY_MS).trunc();
    if ms == DAY_MS {
        "1 day".to_owned()
    } else if ms > DAY_MS && days * DAY_MS == ms {
        text!(days, " days")
    } else {
        text!((ms / 1000.0).round(), " s")
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
    use crate::environment::{CookieJar, Platform, Transport};
    use crate::testing::FakeEnv;

    /// An events URL (stored events are sent again only to one).
    const URL: &str = "https://insights.algolia.io/1/events?X-Algolia-Application-Id=A&X-Algolia-API-Key=K";

    const POLICY: DeliveryPolicy =
        DeliveryPolicy { flush_delay_ms: 50.0, max_retries: 2, max_event_age_ms: 1e9, persist: false, request_timeout_ms: 20_000.0 };

    fn event_json(i: usize, pad: usize) -> String {
        format!(r#"{{"eventType":"click","eventName":"n","index":"i","userToken":"u","timestamp":0,"objectIDs":["{i}"],"pad":"{}"}}"#, "x".repeat(pad))
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
        let (mut outbox, _) = outbox_with(2000, 1, 0, URL);
        let mut env = FakeEnv::default();
        outbox.flush(&mut env, 0.0, &POLICY, false);
        // By hand: event i is 106 bytes for i < 10, 107 below 100, 108 below
        // 1000, 109 from 1000; a body is `{"events":[` + events joined by `,` +
        // `]}` (13 bytes more), at most 64 KiB = 65 536 bytes. Events 0–601:
        // 10×106 + 90×107 + 502×108 + 601 commas + 13 = 65 520 (one more would
        // make 65 629). Events 602–1200: 599×108 + 598 + 13 = 65 303 … etc.
        let counts: Vec<usize> = env.sent.iter().map(|r| r.body.matches(r#""eventType""#).count()).collect();
        assert_eq!(counts, vec![602, 599, 595, 204]);
        let sizes: Vec<usize> = env.sent.iter().map(|r| r.body.len()).collect();
        assert_eq!(sizes, vec![65_520, 65_504, 65_462, 22_452]);
        assert!(env.sent[0].body.starts_with(r#"{"events":[{"eventType":"click","eventName":"n","index":"i","userToken":"u","timestamp":0,"objectIDs":["0"],"pad":""},"#));
        assert!(env.sent[0].body.ends_with(r#""objectIDs":["601"],"pad":""}]}"#));
        assert!(env.sent[1].body.starts_with(r#"{"events":[{"eventType":"click","eventName":"n","index":"i","userToken":"u","timestamp":0,"objectIDs":["602"],"pad":""},"#));
        assert!(env.sent[2].body.starts_with(r#"{"events":[{"eventType":"click","eventName":"n","index":"i","userToken":"u","timestamp":0,"objectIDs":["1201"],"pad":""},"#));
        assert!(env.sent[3].body.starts_with(r#"{"events":[{"eventType":"click","eventName":"n","index":"i","userToken":"u","timestamp":0,"objectIDs":["1796"],"pad":""},"#));
        assert!(env.sent[3].body.ends_with(r#""objectIDs":["1999"],"pad":""}]}"#));
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
        assert_eq!(
            env.sent[0].body,
            r#"{"events":[{"eventType":"click","eventName":"n","index":"i","userToken":"u","timestamp":0,"objectIDs":["1"],"pad":""},{"eventType":"click","eventName":"n","index":"i","userToken":"u","timestamp":0,"objectIDs":["3"],"pad":""}]}"#
        );
        assert_eq!(env.sent[1].body, r#"{"events":[{"eventType":"click","eventName":"n","index":"i","userToken":"u","timestamp":0,"objectIDs":["2"],"pad":""}]}"#);
    }

    #[test]
    fn keepalive_budget_is_respected() {
        let (mut outbox, _) = outbox_with(3, 1, 40_000, URL);
        let mut env = FakeEnv::default();
        outbox.flush(&mut env, 0.0, &POLICY, false);
        assert_eq!(env.sent.len(), 3);
        assert!(env.sent[0].keepalive);
        assert!(!env.sent[1].keepalive, "second 40 KB body would pass the 64 KiB budget");
    }

    #[test]
    fn retries_5xx_then_delivers_once() {
        let (mut outbox, calls) = outbox_with(1, 3, 0, URL);
        let mut env = FakeEnv::default();
        outbox.flush(&mut env, 0.0, &POLICY, false);
        let first = env.sent.remove(0);
        assert_eq!(
            first.body,
            r#"{"events":[{"eventType":"click","eventName":"n","index":"i","userToken":"u","timestamp":0,"objectIDs":["0"],"pad":""},{"eventType":"click","eventName":"n","index":"i","userToken":"u","timestamp":0,"objectIDs":["1"],"pad":""},{"eventType":"click","eventName":"n","index":"i","userToken":"u","timestamp":0,"objectIDs":["2"],"pad":""}]}"#
        );
        env.random.push_back([255; 16]); // the latest jitter: 1 s for the first retry
        let s = outbox.on_response(&mut env, first.id, ResponseOutcome::Status(500, "{}".into()), 0.0, &POLICY);
        assert!(s.completions.is_empty());
        assert!(s.reports[0].will_retry);
        assert_eq!(env.wakes, vec![1000.0]);
        outbox.woke(999.0);
        outbox.flush(&mut env, 999.0, &POLICY, false);
        assert!(env.sent.is_empty(), "not before 1 s");
        outbox.woke(1000.0);
        outbox.flush(&mut env, 1000.0, &POLICY, false);
        let second = env.sent.remove(0);
        assert_eq!(second.body, first.body, "same events again");
        let s = outbox.on_response(&mut env, second.id, ResponseOutcome::Status(200, "{}".into()), 1000.0, &POLICY);
        assert_eq!(s.completions, vec![Completion { call: calls[0], delivered: true }]);
        assert_eq!(outbox.pending(), 0);
    }

    #[test]
    fn a_failed_request_is_retried_as_one_request() {
        let (mut outbox, _) = outbox_with(3, 1, 0, URL);
        let mut env = FakeEnv::default();
        outbox.flush(&mut env, 0.0, &POLICY, false);
        fail(&mut outbox, &mut env, 0.0, &POLICY);
        let wake = env.wakes.last().copied().unwrap_or(f64::NAN);
        outbox.woke(wake);
        outbox.flush(&mut env, wake, &POLICY, false);
        assert_eq!(env.sent.len(), 1);
        assert_eq!(json::parse(&env.sent[0].body).expect("json").field("events").as_array().map(<[Value]>::len), Some(3));
    }

    #[test]
    fn gives_up_after_max_retries() {
        let (mut outbox, calls) = outbox_with(1, 1, 0, URL);
        let mut env = FakeEnv::default();
        let mut now = 0.0;
        for attempt in 0..=POLICY.max_retries {
            outbox.flush(&mut env, now, &POLICY, false);
            let r = env.sent.remove(0);
            let s = outbox.on_response(&mut env, r.id, ResponseOutcome::NetworkError(String::new()), now, &POLICY);
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
        let (mut outbox, calls) = outbox_with(1, 1, 0, URL);
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
        let (mut outbox, calls) = outbox_with(4, 1, 0, URL);
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
        assert_eq!((s.reports.len(), s.reports[0].events, s.reports[0].delivered), (1, 1, false));
    }

    #[test]
    fn stored_events_survive_a_reload_exactly_once() {
        let policy = DeliveryPolicy { persist: true, ..POLICY };
        let (mut page1, _) = outbox_with(1, 2, 0, URL);
        let mut env = FakeEnv::default();
        page1.flush(&mut env, 0.0, &policy, false);
        let r = env.sent.remove(0);
        page1.on_response(&mut env, r.id, ResponseOutcome::NetworkError(String::new()), 0.0, &policy);
        // The page goes away while the events wait for their retry.
        page1.flush(&mut env, 1.0, &policy, true);
        assert!(env.sent.is_empty(), "events that failed are not fired blind at unload");
        let mut page2 = Outbox::new("q".into());
        assert_eq!(page2.restore(&mut env, 2.0, &policy), 2);
        let mut other_tab = Outbox::new("r".into());
        assert_eq!(other_tab.restore(&mut env, 3.0, &policy), 0, "claimed by page2");
        page2.flush(&mut env, 100.0, &policy, false);
        let r = env.sent.remove(0);
        assert_eq!(
            r.body,
            r#"{"events":[{"eventType":"click","eventName":"n","index":"i","userToken":"u","timestamp":0,"objectIDs":["0"],"pad":""},{"eventType":"click","eventName":"n","index":"i","userToken":"u","timestamp":0,"objectIDs":["1"],"pad":""}]}"#
        );
        page2.on_response(&mut env, r.id, ResponseOutcome::Status(200, "{}".into()), 100.0, &policy);
        assert_eq!(outbox_keys(&env), Vec::<String>::new(), "nothing left once delivered");
        let mut page3 = Outbox::new("s".into());
        assert_eq!(page3.restore(&mut env, 200_000.0, &policy), 0);
    }

    #[test]
    fn unload_sends_fresh_events_with_keepalive_and_does_not_store_them() {
        let policy = DeliveryPolicy { persist: true, ..POLICY };
        let (mut outbox, _) = outbox_with(1, 1, 0, URL);
        let mut env = FakeEnv::default();
        outbox.flush(&mut env, 0.0, &policy, true);
        assert_eq!(env.sent.len(), 1);
        assert!(env.sent[0].keepalive);
        let mut next = Outbox::new("q".into());
        assert_eq!(next.restore(&mut env, 1.0, &policy), 0, "keepalive requests outlive the page");
    }

    #[test]
    fn unload_over_budget_uses_beacons() {
        let (mut outbox, _) = outbox_with(2, 1, 40_000, URL);
        let mut env = FakeEnv::default();
        outbox.flush(&mut env, 0.0, &POLICY, true);
        assert_eq!(env.sent.len(), 1);
        assert_eq!(env.beacons.len(), 1);
    }

    #[test]
    fn only_what_fits_in_storage_is_stored() {
        let policy = DeliveryPolicy { persist: true, ..POLICY };
        // 20 events of 70 KB (too large to store one by one), then 30 of 40 KB (1 MB in all at most).
        let (mut outbox, _) = outbox_with(1, 20, 70_000, URL);
        let (more, _) = outbox_with(1, 30, 40_000, URL);
        outbox.queued.extend(more.queued);
        let mut env = FakeEnv::default();
        outbox.sync_storage(&mut env, 0.0, &policy, false);
        let stored = stored(&env);
        assert_eq!(stored.len(), 24, "1 MB of 40 KB events");
        assert!(stored.iter().all(|r| r.field("b").as_str().is_some_and(|b| b.len() < 41_000)));
        assert_eq!(outbox.pending(), 50, "all still queued in memory");
    }

    #[test]
    fn corrupted_storage_is_ignored() {
        let mut env = FakeEnv::default();
        for junk in ["", "{", r#"{"v":1,"e":"x"}"#, r#"{"v":1,"e":[1,{"id":"a"},{"id":"b","u":"u","b":"not json","l":0}]}"#] {
            for key in [LEGACY_STORAGE_KEY, "AlgoliaInsightsOutbox:gone"] {
                env.set_item(key, junk);
                let mut outbox = Outbox::new("p".into());
                assert_eq!(outbox.restore(&mut env, 1.0, &POLICY), 0, "{junk}");
                assert_eq!(outbox_keys(&env), Vec::<String>::new(), "{key}: {junk} is discarded");
            }
        }
        // In the previous version's shared outbox, a record that looks right
        // but carries an event the API refuses (no user token) is discarded;
        // a record leased to a live page of that version stays.
        let refused = r#"{"eventType":"click","eventName":"n","index":"i","timestamp":0,"objectIDs":["1"]}"#;
        let leased = Value::object([("id", Value::str("z")), ("o", Value::str("other")), ("l", Value::Number(1e15)), ("u", Value::str(URL)), ("b", Value::str(event_json(9, 0)))]);
        let free = Value::object([("id", Value::str("y")), ("o", Value::str("")), ("l", Value::Number(0.0)), ("u", Value::str(URL)), ("b", Value::str(refused))]);
        env.set_item(LEGACY_STORAGE_KEY, &json::to_string(&Value::object([("v", Value::Number(1.0)), ("e", Value::Array(vec![free, leased]))])));
        let mut outbox = Outbox::new("p".into());
        assert_eq!(outbox.restore(&mut env, 1.0, &POLICY), 0);
        let left = stored(&env);
        assert_eq!(left.iter().map(|r| r.field("id").as_str()).collect::<Vec<_>>(), vec![Some("z")]);
    }

    #[test]
    fn clear_resolves_pending_calls_false() {
        let (mut outbox, calls) = outbox_with(2, 1, 0, URL);
        let mut env = FakeEnv::default();
        outbox.flush(&mut env, 0.0, &POLICY, false);
        let s = outbox.clear(&mut env);
        assert_eq!(s.completions.len(), 2);
        assert!(s.completions.iter().all(|c| !c.delivered && calls.contains(&c.call)));
        assert_eq!(outbox.pending(), 0);
    }

    /// The outbox keys in storage, in the order they were written.
    fn outbox_keys(env: &FakeEnv) -> Vec<String> {
        env.keys().into_iter().filter(|k| is_outbox_key(k)).collect()
    }

    /// The records under every outbox key.
    fn stored(env: &FakeEnv) -> Vec<Value> {
        outbox_keys(env).iter().flat_map(|k| parse_outbox(&env.get_item(k).unwrap_or_default()).1).collect()
    }

    /// The lease of every outbox key.
    fn leases(env: &FakeEnv) -> Vec<f64> {
        outbox_keys(env).iter().map(|k| parse_outbox(&env.get_item(k).unwrap_or_default()).0).collect()
    }

    fn fail(outbox: &mut Outbox, env: &mut FakeEnv, now: f64, policy: &DeliveryPolicy) {
        let r = env.sent.remove(0);
        outbox.on_response(env, r.id, ResponseOutcome::NetworkError(String::new()), now, policy);
    }

    #[test]
    fn a_timer_firing_early_does_not_stall_retries() {
        let (mut outbox, _) = outbox_with(1, 1, 0, URL);
        let mut env = FakeEnv::default();
        outbox.flush(&mut env, 0.0, &POLICY, false);
        fail(&mut outbox, &mut env, 0.0, &POLICY);
        let due = outbox.queued[0].not_before;
        let wakes = env.wakes.len();
        // setTimeout fired, but Date.now() reads a millisecond short.
        outbox.woke(due - 1.0);
        outbox.flush(&mut env, due - 1.0, &POLICY, false);
        assert!(env.sent.is_empty(), "not due yet");
        assert_eq!(env.wakes.len(), wakes + 1, "a new wake-up is asked for");
        outbox.woke(due);
        outbox.flush(&mut env, due, &POLICY, false);
        assert_eq!(env.sent.len(), 1);
    }

    #[test]
    fn requests_carry_the_timeout() {
        let (mut outbox, _) = outbox_with(1, 1, 0, URL);
        let mut env = FakeEnv::default();
        outbox.flush(&mut env, 0.0, &DeliveryPolicy { request_timeout_ms: 1500.0, ..POLICY }, false);
        assert_eq!(env.sent[0].timeout_ms, 1500.0);
    }

    #[test]
    fn beaconed_events_are_settled_and_not_stored_again() {
        let policy = DeliveryPolicy { persist: true, ..POLICY };
        let (mut outbox, calls) = outbox_with(2, 1, 40_000, URL);
        let mut env = FakeEnv::default();
        let s = outbox.flush(&mut env, 0.0, &policy, true);
        assert_eq!((env.sent.len(), env.beacons.len()), (1, 1));
        assert_eq!(s.completions, vec![Completion { call: calls[1], delivered: true }]);
        assert!(s.reports[0].message.contains("sendBeacon"));
        let mut next = Outbox::new("q".into());
        assert_eq!(next.restore(&mut env, 1.0, &policy), 0, "the beacon's events are not sent a second time");
    }

    #[test]
    fn a_refused_beacon_leaves_the_events_for_the_next_page() {
        let policy = DeliveryPolicy { persist: true, ..POLICY };
        let (mut outbox, _) = outbox_with(2, 1, 40_000, URL);
        let mut env = FakeEnv { refuse_beacons: true, ..FakeEnv::default() };
        outbox.flush(&mut env, 0.0, &policy, true);
        assert_eq!(env.sent.len(), 1);
        let mut next = Outbox::new("q".into());
        assert_eq!(next.restore(&mut env, 1.0, &policy), 1);
    }

    /// A page whose `fetch` ignores `keepalive`.
    struct OldFetch(FakeEnv);

    impl Transport for OldFetch {
        fn send(&mut self, request: OutgoingRequest) {
            self.0.send(request);
        }
        fn beacon(&mut self, request: &OutgoingRequest) -> bool {
            self.0.beacon(request)
        }
        fn supports_keepalive(&self) -> bool {
            false
        }
    }
    impl CookieJar for OldFetch {
        fn cookies_enabled(&self) -> bool {
            self.0.cookies_enabled()
        }
        fn read_cookies(&self) -> String {
            self.0.read_cookies()
        }
        fn write_cookie(&mut self, cookie: &str) {
            self.0.write_cookie(cookie);
        }
        fn is_secure_page(&self) -> bool {
            self.0.is_secure_page()
        }
    }
    impl KeyValueStore for OldFetch {
        fn get_item(&self, key: &str) -> Option<String> {
            self.0.get_item(key)
        }
        fn set_item(&mut self, key: &str, value: &str) -> bool {
            self.0.set_item(key, value)
        }
        fn remove_item(&mut self, key: &str) {
            self.0.remove_item(key);
        }
    }
    impl Platform for OldFetch {
        fn now_ms(&self) -> f64 {
            self.0.now_ms()
        }
        fn random_bytes(&mut self) -> [u8; 16] {
            self.0.random_bytes()
        }
        fn schedule_wake(&mut self, delay_ms: f64) {
            self.0.schedule_wake(delay_ms);
        }
        fn warn(&mut self, message: &str) {
            self.0.warn(message);
        }
        fn error(&mut self, message: &str) {
            self.0.error(message);
        }
    }

    #[test]
    fn without_keepalive_a_hidden_page_sends_beacons() {
        let (mut outbox, _) = outbox_with(1, 2, 0, URL);
        let mut env = OldFetch(FakeEnv::default());
        outbox.flush(&mut env, 0.0, &POLICY, false);
        assert_eq!(env.0.sent.len(), 1, "a live page still uses fetch");
        let call = outbox.open_call(1);
        outbox.push(call, "u", event_json(9, 0), 0.0, None);
        outbox.flush(&mut env, 1.0, &POLICY, true);
        assert_eq!((env.0.sent.len(), env.0.beacons.len()), (1, 1));
    }

    #[test]
    fn without_consent_a_hidden_page_sends_failed_events_too() {
        let (mut outbox, _) = outbox_with(1, 1, 0, URL);
        let mut env = FakeEnv::default();
        outbox.flush(&mut env, 0.0, &POLICY, false);
        fail(&mut outbox, &mut env, 0.0, &POLICY);
        outbox.flush(&mut env, 1.0, &POLICY, true);
        assert_eq!(env.sent.len(), 1, "last chance: nothing would keep them");
        assert!(env.sent[0].keepalive);
        assert_eq!(outbox_keys(&env), Vec::<String>::new());
    }

    #[test]
    fn given_up_events_wait_in_storage_for_the_next_page() {
        let policy = DeliveryPolicy { persist: true, max_retries: 0, ..POLICY };
        let (mut page1, calls) = outbox_with(1, 1, 0, URL);
        let mut env = FakeEnv::default();
        page1.flush(&mut env, 0.0, &policy, false);
        let r = env.sent.remove(0);
        let s = page1.on_response(&mut env, r.id, ResponseOutcome::NetworkError(String::new()), 0.0, &policy);
        assert_eq!(s.completions, vec![Completion { call: calls[0], delivered: false }]);
        assert!(env.errors[0].contains("kept for the next page load"), "{:?}", env.errors);
        assert_eq!(page1.pending(), 0);
        page1.flush(&mut env, 100_000.0, &policy, false);
        page1.flush(&mut env, 100_001.0, &policy, true);
        assert!(env.sent.is_empty(), "this page does not send them again");
        assert_eq!(stored(&env).len(), 1, "still stored after this page's later saves");
        let mut page2 = Outbox::new("q".into());
        assert_eq!(page2.restore(&mut env, 200_000.0, &policy), 1);
        page2.flush(&mut env, 200_000.0, &policy, false);
        let r = env.sent.remove(0);
        page2.on_response(&mut env, r.id, ResponseOutcome::Status(200, "{}".into()), 200_000.0, &policy);
        assert_eq!(outbox_keys(&env), Vec::<String>::new());
    }

    /// Page 1 fails to send, then is hidden; its events are released.
    fn released_page(env: &mut FakeEnv, policy: &DeliveryPolicy) -> (Outbox, Vec<CallId>) {
        let (mut page1, calls) = outbox_with(1, 2, 0, URL);
        page1.flush(env, 0.0, policy, false);
        fail(&mut page1, env, 0.0, policy);
        page1.flush(env, 1.0, policy, true);
        assert!(env.sent.is_empty());
        assert_eq!((stored(env).len(), leases(env)), (2, vec![0.0]), "released");
        (page1, calls)
    }

    #[test]
    fn a_hidden_page_does_not_resend_events_another_page_took_over() {
        let policy = DeliveryPolicy { persist: true, ..POLICY };
        let mut env = FakeEnv::default();
        let (mut page1, calls) = released_page(&mut env, &policy);
        let mut page2 = Outbox::new("q".into());
        assert_eq!(page2.restore(&mut env, 2.0, &policy), 2);
        // Page 1 was only hidden (another tab was selected); its retry comes.
        page1.woke(10_000.0);
        let s = page1.flush(&mut env, 10_000.0, &policy, false);
        assert!(env.sent.is_empty(), "page 2 sends them, page 1 must not");
        assert_eq!(s.completions, vec![Completion { call: calls[0], delivered: false }]);
        assert_eq!(page1.pending(), 0);
        assert_eq!(outbox_keys(&env), vec!["AlgoliaInsightsOutbox:q"], "page 1 left page 2's key alone");
        assert_eq!(stored(&env).len(), 2);
        page2.flush(&mut env, 10_001.0, &policy, false);
        assert_eq!(env.sent.len(), 1);
    }

    #[test]
    fn a_hidden_page_takes_its_events_back_when_no_page_took_them() {
        let policy = DeliveryPolicy { persist: true, ..POLICY };
        let mut env = FakeEnv::default();
        let (mut page1, _) = released_page(&mut env, &policy);
        page1.woke(10_000.0);
        page1.flush(&mut env, 10_000.0, &policy, false);
        assert_eq!(env.sent.len(), 1);
        assert_eq!(outbox_keys(&env), vec!["AlgoliaInsightsOutbox:p"]);
        assert!(leases(&env)[0] > 10_000.0, "leased again");
        let mut page2 = Outbox::new("q".into());
        assert_eq!(page2.restore(&mut env, 10_001.0, &policy), 0);
    }

    #[test]
    fn withdrawn_consent_removes_stored_events() {
        let policy = DeliveryPolicy { persist: true, ..POLICY };
        let (mut outbox, _) = outbox_with(1, 1, 0, URL);
        let mut env = FakeEnv::default();
        outbox.flush(&mut env, 0.0, &policy, false);
        fail(&mut outbox, &mut env, 0.0, &policy);
        assert_eq!(stored(&env).len(), 1);
        outbox.flush(&mut env, 1.0, &POLICY, false);
        assert_eq!(outbox_keys(&env), Vec::<String>::new());
        assert_eq!(outbox.pending(), 1, "still sent by this page");
    }

    #[test]
    fn the_stored_outbox_keeps_the_1000_newest_events_of_all_pages() {
        // A closed tab's three events, written by hand under its key (its
        // lease ran out): made at t = 5, 9 and 2000 ms.
        let other = |id: &str, t: &str, object: &str| {
            format!(
                r#"{{"id":"{id}","u":"{URL}","b":"{{\"eventType\":\"click\",\"eventName\":\"n\",\"index\":\"i\",\"userToken\":\"u\",\"timestamp\":{t},\"objectIDs\":[\"{object}\"]}}","t":{t},"n":0}}"#
            )
        };
        let stored_before = format!(r#"{{"v":2,"l":2999,"e":[{},{},{}]}}"#, other("q-1", "5", "q1"), other("q-2", "9", "q2"), other("q-3", "2000", "q3"));
        let mut env = FakeEnv::default();
        env.set_item("AlgoliaInsightsOutbox:q", &stored_before);
        let policy = DeliveryPolicy { persist: true, ..POLICY };
        // This page claims them as it starts, then makes its 1000 events,
        // p-1 … p-1000, at t = 10, 11, … 1009.
        let mut outbox = Outbox::new("p".into());
        assert_eq!(outbox.restore(&mut env, 3000.0, &policy), 3);
        let call = outbox.open_call(1000);
        for i in 0..1000 {
            outbox.push(call, URL, event_json(i, 0), 10.0 + i as f64, None);
        }
        outbox.flush(&mut env, 3000.0, &policy, false);
        assert_eq!(outbox_keys(&env), vec!["AlgoliaInsightsOutbox:p"], "claimed: the closed tab's key is gone");
        // 1003 events, 3 too many: the oldest are q-1 (5), q-2 (9) and p-1 (10).
        let ids: Vec<String> = stored(&env).iter().map(|r| r.field("id").as_str().unwrap_or("?").to_owned()).collect();
        assert_eq!(ids.len(), 1000);
        let mut expected = vec!["q-3".to_owned()];
        expected.extend((2..=1000).map(|n| format!("p-{n}")));
        assert_eq!(ids, expected);
        for dropped in ["q-1", "q-2", "p-1"] {
            assert!(!ids.iter().any(|id| id == dropped), "{dropped} is among the 3 oldest");
        }
        // q-3 is kept exactly as the other tab wrote it.
        let q3 = stored(&env).into_iter().next().unwrap_or(Value::Null);
        assert_eq!(json::to_string(&q3), other("q-3", "2000", "q3"));
        // This page still sends all 1000 of its own, and the 3 it claimed.
        assert_eq!(outbox.pending(), 1003);
    }

    // Several tabs of one site: pages sharing one `localStorage` and, unless
    // said otherwise, the Web Locks API.

    use crate::testing::{LockManager, MemoryStore};
    use std::cell::RefCell;
    use std::rc::Rc;

    const STORED: DeliveryPolicy = DeliveryPolicy { persist: true, ..POLICY };

    struct Tabs {
        store: MemoryStore,
        locks: Option<Rc<RefCell<LockManager>>>,
        pages: Vec<(Outbox, FakeEnv)>,
        /// objectIDs of every event each page sent, request by request.
        sent: Vec<String>,
    }

    impl Tabs {
        fn new(web_locks: bool) -> Tabs {
            Tabs { store: MemoryStore::default(), locks: web_locks.then(Rc::default), pages: Vec::new(), sent: Vec::new() }
        }

        /// Opens a page that starts with storage consent; returns its number
        /// and how many events it claimed at once.
        fn open(&mut self, id: &str, now: f64) -> (usize, usize) {
            let n = self.pages.len();
            let mut env = FakeEnv { store: self.store.clone(), locks: self.locks.clone().map(|l| (l, n)), ..FakeEnv::default() };
            let mut outbox = Outbox::new(id.into());
            let claimed = outbox.restore(&mut env, now, &STORED);
            self.pages.push((outbox, env));
            (n, claimed)
        }

        /// Delivers every lock grant the browser can make now; returns the
        /// events each grant claimed, as `(page, lock name, claimed)`.
        fn grant(&mut self, now: f64) -> Vec<(usize, String, usize)> {
            let mut grants = Vec::new();
            let Some(locks) = self.locks.clone() else { return grants };
            loop {
                let next = locks.try_borrow_mut().expect("no lock manager borrow is held").next_grant();
                let Some(request) = next else { break };
                let (outbox, env) = &mut self.pages[request.page];
                let claimed = outbox.on_lock_granted(env, &request.name, now, &STORED);
                grants.push((request.page, request.name, claimed));
            }
            grants
        }

        /// Page `n` makes `count` events (objectIDs `<prefix>-<i>`) and sends them.
        fn send(&mut self, n: usize, prefix: &str, count: usize, now: f64) {
            let (outbox, env) = &mut self.pages[n];
            let call = outbox.open_call(count);
            for i in 0..count {
                let json = format!(r#"{{"eventType":"click","eventName":"n","index":"i","userToken":"u","timestamp":0,"objectIDs":["{prefix}-{i}"]}}"#);
                outbox.push(call, URL, json, 0.0, None);
            }
            outbox.flush(env, now, &STORED, false);
        }

        /// Page `n` flushes what is due (its retry timer fired).
        fn flush(&mut self, n: usize, now: f64) {
            let (outbox, env) = &mut self.pages[n];
            outbox.woke(now);
            outbox.flush(env, now, &STORED, false);
        }

        /// Answers every request page `n` started with `status`.
        fn answer(&mut self, n: usize, status: u16, now: f64) {
            let (outbox, env) = &mut self.pages[n];
            for request in std::mem::take(&mut env.sent) {
                if status == 200 {
                    let body = json::parse(&request.body).unwrap_or(Value::Null);
                    for event in body.field("events").as_array().unwrap_or_default() {
                        self.sent.push(event.field("objectIDs").as_array().unwrap_or_default()[0].as_str().unwrap_or("?").to_owned());
                    }
                }
                outbox.on_response(env, request.id, ResponseOutcome::Status(status, "{}".into()), now, &STORED);
            }
        }

        /// Page `n` is closed: gone without another word (no pagehide).
        fn close(&mut self, n: usize) {
            if let Some(locks) = &self.locks {
                locks.try_borrow_mut().expect("no lock manager borrow is held").close(n);
            }
        }

        fn env(&self) -> &FakeEnv {
            &self.pages[0].1
        }
    }

    /// `<prefix>-0` … for each prefix, sorted like the delivered list.
    fn expected(prefixes: &[&str], count: usize) -> Vec<String> {
        let mut all: Vec<String> = prefixes.iter().flat_map(|p| (0..count).map(move |i| format!("{p}-{i}"))).collect();
        all.sort();
        all
    }

    #[test]
    fn closed_tabs_events_are_claimed_by_the_next_tab_exactly_once() {
        for tabs_count in [2, 3, 5] {
            let mut tabs = Tabs::new(true);
            let prefixes: Vec<String> = (0..tabs_count).map(|t| format!("tab{t}")).collect();
            for (t, prefix) in prefixes.iter().enumerate() {
                tabs.open(&format!("page{t}"), 0.0);
                tabs.grant(0.0);
                tabs.send(t, prefix, 40, 1.0);
            }
            // Each page's first attempt fails; the answers come in turn, so
            // the pages' writes interleave.
            for t in 0..tabs_count {
                tabs.answer(t, 503, 2.0);
            }
            assert_eq!(outbox_keys(tabs.env()).len(), tabs_count, "one key per page");
            assert_eq!(stored(tabs.env()).len(), 40 * tabs_count, "no page lost another's events");
            for t in 0..tabs_count {
                tabs.close(t);
            }
            // The endpoint recovered; a new tab opens and claims every key.
            let (next, _) = tabs.open("next", 100_000.0);
            let grants = tabs.grant(100_000.0);
            let claimed: usize = grants.iter().map(|g| g.2).sum();
            assert_eq!(claimed, 40 * tabs_count, "{grants:?}");
            assert_eq!(grants.len(), 1 + tabs_count, "its own lock, then one per closed page");
            assert_eq!(outbox_keys(tabs.env()), vec!["AlgoliaInsightsOutbox:next"]);
            tabs.flush(next, 100_050.0);
            tabs.answer(next, 200, 100_100.0);
            let mut delivered = tabs.sent.clone();
            delivered.sort();
            let prefixes: Vec<&str> = prefixes.iter().map(String::as_str).collect();
            assert_eq!(delivered, expected(&prefixes, 40), "{tabs_count} tabs: each event once");
            assert_eq!(outbox_keys(tabs.env()), Vec::<String>::new());
            // Another tab finds nothing left.
            let (_, claimed) = tabs.open("later", 200_000.0);
            assert_eq!(claimed, 0);
            assert!(tabs.grant(200_000.0).iter().all(|g| g.2 == 0));
        }
    }

    #[test]
    fn a_tab_closed_with_its_request_in_flight_is_claimed_once() {
        let mut tabs = Tabs::new(true);
        tabs.open("a", 0.0);
        tabs.grant(0.0);
        tabs.send(0, "a", 3, 1.0);
        assert_eq!(stored(tabs.env()).len(), 3, "stored while in flight");
        tabs.close(0); // no answer ever comes
        let (b, _) = tabs.open("b", 10.0);
        let (c, _) = tabs.open("c", 10.0);
        // c's view of localStorage will not show b's claim (another process,
        // where storage changes arrive later than lock grants).
        tabs.pages[c].1.store = tabs.store.snapshot();
        let grants = tabs.grant(10.0);
        assert_eq!(grants.iter().map(|g| (g.0, g.1.as_str(), g.2)).collect::<Vec<_>>(), vec![
            (b, "AlgoliaInsightsOutbox:b", 0),
            (c, "AlgoliaInsightsOutbox:c", 0),
            (b, "AlgoliaInsightsOutbox:a", 3),
        ]);
        // The claimer keeps a's lock, so c, which still sees a's key, does not get it.
        assert!(tabs.pages[c].1.get_item("AlgoliaInsightsOutbox:a").is_some());
        tabs.flush(b, 100.0);
        tabs.flush(c, 100.0);
        tabs.answer(b, 200, 100.0);
        tabs.answer(c, 200, 100.0);
        assert_eq!(tabs.sent, vec!["a-0", "a-1", "a-2"]);
        tabs.pages[c].1.store = tabs.store.clone();
        tabs.close(b);
        assert_eq!(tabs.grant(200.0), vec![(c, "AlgoliaInsightsOutbox:a".to_owned(), 0)], "granted once b is gone: nothing left");
    }

    #[test]
    fn a_live_tabs_events_are_never_claimed() {
        let mut tabs = Tabs::new(true);
        tabs.open("a", 0.0);
        tabs.grant(0.0);
        tabs.send(0, "a", 2, 1.0);
        tabs.answer(0, 503, 2.0);
        // A second tab opens while the first still waits for its retry.
        let (b, claimed) = tabs.open("b", 10.0);
        assert_eq!(claimed, 0);
        let grants = tabs.grant(10.0);
        assert_eq!(grants, vec![(b, "AlgoliaInsightsOutbox:b".to_owned(), 0)], "the first tab's lock is held");
        // The second tab's own events and the first tab's retry.
        tabs.send(b, "b", 1, 20.0);
        tabs.answer(b, 200, 30.0);
        tabs.flush(0, 60_000.0);
        tabs.answer(0, 200, 60_001.0);
        assert_eq!(tabs.sent, vec!["b-0", "a-0", "a-1"]);
        assert_eq!(outbox_keys(tabs.env()), Vec::<String>::new());
        // The first tab closes: its lock goes to the second, which finds nothing.
        tabs.close(0);
        assert_eq!(tabs.grant(70_000.0), vec![(b, "AlgoliaInsightsOutbox:a".to_owned(), 0)]);
        assert_eq!(tabs.sent.len(), 3);
    }

    #[test]
    fn a_tab_closing_later_is_claimed_by_one_live_tab_waiting_for_it() {
        let mut tabs = Tabs::new(true);
        tabs.open("a", 0.0);
        tabs.grant(0.0);
        tabs.send(0, "a", 2, 1.0);
        tabs.answer(0, 503, 2.0);
        let (b, _) = tabs.open("b", 10.0);
        let (c, _) = tabs.open("c", 10.0);
        tabs.grant(10.0);
        tabs.close(0);
        let grants = tabs.grant(20.0);
        assert_eq!(grants, vec![(b, "AlgoliaInsightsOutbox:a".to_owned(), 2)], "b claims and keeps the lock");
        for n in [b, c] {
            tabs.flush(n, 100.0);
            tabs.answer(n, 200, 100.0);
        }
        assert_eq!(tabs.sent, vec!["a-0", "a-1"]);
        tabs.close(b);
        assert_eq!(tabs.grant(200.0), vec![(c, "AlgoliaInsightsOutbox:a".to_owned(), 0)]);
        assert_eq!(tabs.sent.len(), 2);
    }

    #[test]
    fn a_page_writes_its_key_only_once_it_holds_its_lock() {
        let mut tabs = Tabs::new(true);
        tabs.open("a", 0.0);
        tabs.send(0, "a", 2, 1.0);
        tabs.answer(0, 503, 2.0);
        assert_eq!(outbox_keys(tabs.env()), Vec::<String>::new(), "not before the lock is granted");
        tabs.grant(3.0);
        assert_eq!(outbox_keys(tabs.env()), vec!["AlgoliaInsightsOutbox:a"]);
        assert_eq!(stored(tabs.env()).len(), 2);
    }

    #[test]
    fn sending_reads_nothing_from_storage() {
        for web_locks in [true, false] {
            let mut tabs = Tabs::new(web_locks);
            tabs.open("other", 0.0);
            tabs.grant(0.0);
            tabs.send(0, "other", 500, 1.0);
            tabs.answer(0, 503, 2.0);
            tabs.open("a", 10.0);
            tabs.grant(10.0);
            let reads = tabs.store.reads.get();
            for round in 0..5 {
                let now = 100.0 + f64::from(round);
                tabs.send(1, &format!("a{round}"), 10, now);
                tabs.answer(1, 503, now);
            }
            assert_eq!(tabs.store.reads.get(), reads, "with Web Locks: {web_locks}");
            assert_eq!(stored(tabs.env()).len(), 550);
        }
    }

    #[test]
    fn the_previous_versions_outbox_is_claimed_once() {
        let record = |id: &str, owner: &str, lease: f64| {
            let event = format!(r#"{{"eventType":"click","eventName":"n","index":"i","userToken":"u","timestamp":0,"objectIDs":["{id}"]}}"#);
            Value::object([("id", Value::str(id)), ("o", Value::str(owner)), ("l", Value::Number(lease)), ("u", Value::str(URL)), ("b", Value::str(event)), ("t", Value::Number(0.0)), ("n", Value::Number(1.0))])
        };
        for web_locks in [true, false] {
            let mut tabs = Tabs::new(web_locks);
            let old = Value::object([("v", Value::Number(1.0)), ("e", Value::Array(vec![record("gone-1", "x", 5.0), record("old-live", "y", 1e15), record("gone-2", "", 0.0)]))]);
            tabs.store.set_item(LEGACY_STORAGE_KEY, &json::to_string(&old));
            let (a, claimed_a) = tabs.open("a", 10.0);
            let (b, claimed_b) = tabs.open("b", 10.0);
            let grants = tabs.grant(10.0);
            let claimed = claimed_a + claimed_b + grants.iter().map(|g| g.2).sum::<usize>();
            assert_eq!(claimed, 2, "with Web Locks: {web_locks}");
            // A live page of the previous version keeps its event.
            let left: Vec<Value> = parse_outbox(&tabs.store.get_item(LEGACY_STORAGE_KEY).unwrap_or_default()).1;
            assert_eq!(left, vec![record("old-live", "y", 1e15)]);
            for n in [a, b] {
                tabs.flush(n, 100.0);
                tabs.answer(n, 200, 100.0);
            }
            assert_eq!(tabs.sent, vec!["gone-1", "gone-2"]);
        }
    }

    #[test]
    fn without_web_locks_hidden_tabs_are_claimed_once_and_live_ones_not() {
        let mut tabs = Tabs::new(false);
        for (t, prefix) in ["a", "b", "live"].into_iter().enumerate() {
            tabs.open(prefix, 0.0);
            tabs.send(t, prefix, 40, 1.0);
        }
        for t in 0..3 {
            tabs.answer(t, 503, 2.0);
        }
        assert_eq!(stored(tabs.env()).len(), 120);
        // Tabs a and b are closed: hidden first, they release their keys.
        for t in 0..2 {
            let (outbox, env) = &mut tabs.pages[t];
            outbox.flush(env, 3.0, &STORED, true);
        }
        let (next, claimed) = tabs.open("next", 10.0);
        assert_eq!(claimed, 80, "a's and b's, not the live tab's");
        let (_, again) = tabs.open("next2", 11.0);
        assert_eq!(again, 0);
        tabs.flush(next, 100.0);
        tabs.answer(next, 200, 100.0);
        tabs.flush(2, 60_000.0);
        tabs.answer(2, 200, 60_000.0);
        let mut delivered = tabs.sent.clone();
        delivered.sort();
        assert_eq!(delivered, expected(&["a", "b", "live"], 40));
        assert_eq!(outbox_keys(tabs.env()), Vec::<String>::new());
    }

    #[test]
    fn durations_in_messages() {
        assert_eq!(describe_duration(4.0 * 86_400_000.0), "4 days");
        assert_eq!(describe_duration(90_000.0), "90 s");
    }
}
