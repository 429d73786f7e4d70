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

mod batch;
mod retry;
mod store;

pub use batch::MAX_KEEPALIVE_BYTES;
pub use store::{LEGACY_STORAGE_KEY, MAX_STORED_EVENTS, STORAGE_KEY_PREFIX};

use batch::{body_of, pack};
use retry::Verdict;
use store::{is_outbox_key, number, outbox_text, parse_outbox, record, storable, LEASE_MS};

use crate::environment::{Environment, KeyValueStore, OutgoingRequest, ResponseOutcome};
use crate::json;
use crate::value::Value;


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
        crate::number::write_int(self.next_entry as i64, &mut id);
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
            ResponseOutcome::Status(status, body) => (Some(*status), api_message(env.parse_json(body), *status)),
            ResponseOutcome::NetworkError(reason) => (None, text!("network error", if reason.is_empty() { "" } else { ": " }, reason)),
        };
        let mut report = DeliveryReport { status, message, events: count, will_retry: false, delivered: false };
        match retry::decide(status, count) {
            Verdict::Delivered => {
                report.delivered = true;
                self.settle(&request.entries, true, &mut settled);
            }
            Verdict::Split => {
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
            Verdict::Refused => {
                env.error(&text!("search-insights: the Insights API refused ", count, " event(s) (", status.unwrap_or(0), "): ", report.message));
                self.settle(&request.entries, false, &mut settled);
            }
            Verdict::Retry => {
                let (retry, give_up): (Vec<Entry>, Vec<Entry>) =
                    request.entries.into_iter().partition(|e| retry::retries_left(e.attempts, policy.max_retries));
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
                    let jitter = f64::from(env.random_bytes()[0]) / 255.0;
                    let not_before = now + retry::delay_ms(attempts, jitter);
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
        let (lease, records) = parse_outbox(env.parse_json(&text));
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
            let Some(stored) = crate::stored_event::restorable(url, env.parse_json(body), now).filter(|_| !known) else {
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



/// The `message` of an API answer (its body, parsed), or a short description.
fn api_message(body: Option<Value>, status: u16) -> String {
    match body.as_ref().map(|v| v.field("message")) {
        Some(Value::String(message)) => message.clone(),
        _ => {
            let mut s = String::from("HTTP ");
            crate::number::write_int(i64::from(status), &mut s);
            s
        }
    }
}

#[cfg(test)]
mod tests;
