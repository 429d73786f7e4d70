//! The outbox's tests, on the in-memory page (`crate::testing::FakeEnv`).

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
    outbox_keys(env).iter().flat_map(|k| parse_outbox(crate::json::parse(&env.get_item(k).unwrap_or_default())).1).collect()
}

/// The lease of every outbox key.
fn leases(env: &FakeEnv) -> Vec<f64> {
    outbox_keys(env).iter().map(|k| parse_outbox(crate::json::parse(&env.get_item(k).unwrap_or_default())).0).collect()
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
        let left: Vec<Value> = parse_outbox(crate::json::parse(&tabs.store.get_item(LEGACY_STORAGE_KEY).unwrap_or_default())).1;
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
