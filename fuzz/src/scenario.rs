//! One page's life, driven by the fuzzer: `aa()` calls with any method name
//! and any arguments, `init`s, timers, answers from the API, the page being
//! hidden or reloaded, and cookies and `localStorage` changed behind the
//! library's back. After every step the oracle checks what left the page.

use arbitrary::{Result, Unstructured};
use search_insights_wasm::environment::ResponseOutcome;
use search_insights_wasm::internals::method::EVENT_METHODS;
use search_insights_wasm::internals::options::DEFAULT_MAX_EVENT_AGE_MS;
use search_insights_wasm::internals::outbox::LEGACY_STORAGE_KEY as OUTBOX_KEY;
use search_insights_wasm::internals::json;
use search_insights_wasm::{InsightsClient, Method, Reply, Value};

use crate::model::{self, Model, PageFacts, Tri};
use crate::oracle;
use crate::page::{FuzzPage, Write};
use crate::storage;
use crate::templates;
use crate::values::{self, SECRET_API_KEY};

/// Most steps in one scenario.
const MAX_STEPS: usize = 48;

/// Method names: every method `aa()` has, and names it must refuse.
pub const METHOD_NAMES: &[&str] = &[
    "init", "setUserToken", "getUserToken", "onUserTokenChange", "setAuthenticatedUserToken",
    "getAuthenticatedUserToken", "onAuthenticatedUserTokenChange", "setAnonymousUserToken",
    "saveTokenAsCookie", "addAlgoliaAgent", "getVersion", "sendEvents", "reset", "flush", "onDelivery",
    "clickedObjectIDsAfterSearch", "clickedObjectIDs", "clickedFilters", "convertedObjectIDsAfterSearch",
    "convertedObjectIDs", "convertedFilters", "addedToCartObjectIDsAfterSearch", "addedToCartObjectIDs",
    "purchasedObjectIDsAfterSearch", "purchasedObjectIDs", "viewedObjectIDs", "viewedFilters",
    "", "clickedObjectIds", "toString", "__proto__", "constructor", "_get",
];

/// Whether the API key appears anywhere in `value` (keys included).
fn mentions_key(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains(SECRET_API_KEY),
        Value::Array(items) => items.iter().any(mentions_key),
        Value::Object(entries) => entries.iter().any(|(k, v)| k.contains(SECRET_API_KEY) || mentions_key(v)),
        _ => false,
    }
}

/// Methods that take no argument they could refuse: a call never fails.
const ALWAYS_VALID: &[&str] = &[
    "getUserToken", "getAuthenticatedUserToken", "getVersion", "reset", "flush", "saveTokenAsCookie",
    "setAnonymousUserToken", "onDelivery", "onUserTokenChange", "onAuthenticatedUserTokenChange",
];

/// Whether `aa(name, ...args)` of a method other than init or an event
/// method is valid by its documentation, as far as the scenario can tell.
fn known_valid(name: &str, args: &[Value]) -> bool {
    let arg = args.first().unwrap_or(&Value::Undefined);
    let token_ok = |s: &str| {
        s.is_empty() || (s.len() <= 129 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"_=+/-".contains(&b)))
    };
    match name {
        _ if ALWAYS_VALID.contains(&name) => true,
        "setUserToken" | "setAuthenticatedUserToken" => match arg {
            Value::Undefined | Value::Null => true,
            Value::String(s) => token_ok(s),
            _ => false,
        },
        "addAlgoliaAgent" => arg.as_str().is_some_and(|s| s.len() <= 512),
        _ => false,
    }
}

/// Panics with the oracle's finding.
fn fail(result: std::result::Result<(), String>) {
    if let Err(problem) = result {
        panic!("{problem}");
    }
}

/// The page, its client, the oldest event age the page allowed, the model of
/// what should happen, and the requests waiting for an answer.
struct Simulation {
    client: InsightsClient<FuzzPage>,
    max_age_ms: f64,
    model: Model,
    /// Requests sent with fetch: id, body, keepalive.
    requests: Vec<(u64, String, bool)>,
}

impl Simulation {
    fn facts(&self) -> PageFacts {
        PageFacts { cookies_disabled: self.client.env().cookies_disabled }
    }

    /// Runs `aa(name, ...args)`; `valid`: the scenario knows it must be accepted.
    fn call(&mut self, name: &str, args: &[Value], valid: bool) {
        // An unknown name never reaches the core: the boundary warns.
        let Some(method) = Method::from_name(name) else { return };
        let result = self.client.call(method, args);
        if let Err(error) = &result {
            let key_given = args.iter().any(mentions_key);
            if let Err(problem) = oracle::check_error(method.name(), &error.to_string(), key_given) {
                panic!("{problem}\n  aa({name:?}, {args:?})");
            }
        }
        let outcome = result.as_ref().map(|_| ()).map_err(ToString::to_string);
        if let Err(problem) = model::refused(valid, name, &outcome) {
            panic!("{problem}\n  aa({name:?}, {args:?})");
        }
        let is_event = matches!(method, Method::Event(_) | Method::SendEvents);
        match result {
            Ok(Reply::Pending(id)) => {
                let now = self.client.env().now;
                fail(self.model.event_call(name, args, id, now));
            }
            Ok(Reply::Settled(false)) if is_event && valid && self.model.opted_out == Tri::No => {
                panic!("a valid call of a visitor who did not opt out was dropped (resolved false at once)\n  aa({name:?}, {args:?})");
            }
            Ok(_) if method == Method::Init => {
                let facts = self.facts();
                self.model.init(args.first().unwrap_or(&Value::Undefined), &facts);
            }
            Ok(_) if !is_event => {
                let facts = self.facts();
                self.model.other(name, args, &facts);
            }
            _ => {}
        }
        self.max_age_ms = self.max_age_ms.max(self.client.settings().max_event_age_ms);
        self.check(name);
    }

    /// Answers one request still waiting, with `outcome`.
    fn respond(&mut self, pick: usize, outcome: ResponseOutcome) {
        let waiting = &mut self.client.env_mut().waiting;
        if waiting.is_empty() {
            return;
        }
        let id = waiting.remove(pick % waiting.len());
        if let Some(i) = self.requests.iter().position(|(r, _, _)| *r == id) {
            let (_, body, _) = self.requests.swap_remove(i);
            match &outcome {
                ResponseOutcome::Status(200..=299, _) => fail(self.model.delivered(&body)),
                _ => self.model.failed(&body),
            }
        }
        self.client.on_response(id, outcome);
        self.check("a response");
    }

    /// The page goes to its next page (with `pagehide` unless `abrupt`); of
    /// the requests in flight, those sent with keepalive arrive when
    /// `keepalive_arrives`, the others are aborted.
    fn next_page(&mut self, abrupt: bool, keepalive_arrives: bool) {
        if !abrupt {
            self.client.on_page_hide();
            self.check("pagehide");
        }
        for id in std::mem::take(&mut self.client.env_mut().waiting) {
            if let Some(i) = self.requests.iter().position(|(r, _, _)| *r == id) {
                let (_, body, keepalive) = self.requests.swap_remove(i);
                if keepalive && keepalive_arrives && !abrupt {
                    fail(self.model.delivered(&body));
                }
            }
        }
        self.requests.clear();
        let next = self.client.env_mut().next_page();
        self.client = InsightsClient::new(next);
        self.model.next_page();
    }

    /// The end: every request answered 2xx and the clock moved on until
    /// nothing is left to send (retries wait at most 30 s).
    fn drain(&mut self) {
        for _ in 0..16 {
            while !self.client.env().waiting.is_empty() {
                self.respond(0, ResponseOutcome::Status(200, r#"{"status":200,"message":"OK"}"#.to_owned()));
            }
            if self.client.pending_events() == 0 {
                return;
            }
            self.client.env_mut().now += 31_000.0;
            self.client.on_wake();
            self.check("a wake-up");
        }
    }

    /// What left the page since the last check must be acceptable; deliveries
    /// by beacon, completions and writes are checked against the model.
    fn check(&mut self, context: &str) {
        let _ = self.client.take_notices();
        let progress = self.client.take_progress();
        let page = self.client.env_mut();
        let sent = std::mem::take(&mut page.sent);
        let console = std::mem::take(&mut page.console);
        let writes = std::mem::take(&mut page.writes);
        for sent in sent {
            if let Err(problem) = oracle::check_request(&sent, self.max_age_ms) {
                panic!("sent a request the Insights API refuses: {problem}\n  at: {} (beacon: {})\n  url: {}\n  body: {}", sent.at, sent.beacon, sent.request.url, sent.request.body);
            }
            if sent.beacon {
                fail(self.model.delivered(&sent.request.body));
            } else {
                self.requests.push((sent.request.id, sent.request.body, sent.request.keepalive));
            }
        }
        for line in console {
            fail(oracle::check_console(&line));
        }
        for write in writes {
            match write {
                Write::Cookie(cookie) => fail(self.model.cookie_written(context, &cookie)),
                // The previous version's key and every page's `AlgoliaInsightsOutbox:…`.
                Write::Storage { key, old, new } if key.starts_with(OUTBOX_KEY) => {
                    fail(self.model.outbox_written(context, old.as_deref(), &new));
                }
                Write::Storage { key, .. } if self.model.opted_out == Tri::Yes => {
                    panic!("{key} written to localStorage for an opted-out visitor during {context}");
                }
                Write::Storage { .. } => {}
            }
        }
        for (call, delivered) in progress.completions {
            fail(self.model.completion(call, delivered));
        }
    }
}

fn outcome(u: &mut Unstructured) -> Result<ResponseOutcome> {
    const STATUSES: [u16; 10] = [200, 201, 400, 401, 403, 413, 422, 429, 500, 503];
    if u.ratio(1, 5)? {
        return Ok(ResponseOutcome::NetworkError(String::new()));
    }
    let status = *u.choose(&STATUSES)?;
    let body = match u.int_in_range(0..=3u8)? {
        0 => r#"{"status":200,"message":"OK"}"#.to_owned(),
        1 => r#"{"status":422,"message":"events[0]: EventName is required"}"#.to_owned(),
        2 => json::to_string(&values::value(u, 3)?),
        _ => values::string(u)?,
    };
    Ok(ResponseOutcome::Status(status, body))
}

/// Runs one scenario.
pub fn run(u: &mut Unstructured, nonce: u64) -> Result<()> {
    let mut page = FuzzPage { now: 1_700_000_000_000.0, secure: u.arbitrary()?, ..FuzzPage::default() };
    if u.ratio(1, 3)? {
        storage::corrupt(u, &mut page)?;
    }
    let mut sim = Simulation {
        client: InsightsClient::new(page),
        max_age_ms: DEFAULT_MAX_EVENT_AGE_MS,
        model: Model::new(nonce),
        requests: Vec::new(),
    };
    for _ in 0..MAX_STEPS {
        if u.is_empty() {
            break;
        }
        match u.int_in_range(0..=19u8)? {
            0..=2 => {
                let (options, pristine) = templates::init_options_checked(u)?;
                sim.call("init", &[options], pristine);
            }
            3..=7 => {
                let method = u.choose(&EVENT_METHODS)?;
                let (first, mut pristine) = templates::named_event(u, Some(method), &sim.model.next_marker())?;
                let mut args = vec![first];
                // (Bounded: an exhausted input answers every ratio `true`.)
                for _ in 0..3 {
                    if u.is_empty() || !u.ratio(1, 4)? {
                        break;
                    }
                    let (event, p) = templates::named_event(u, Some(method), &sim.model.next_marker())?;
                    pristine &= p;
                    args.push(event);
                }
                if u.ratio(1, 3)? {
                    let (params, p) = templates::params_checked(u)?;
                    pristine &= p;
                    args.push(params);
                }
                let valid = sim.model.event_call_valid(method.name, &args, pristine);
                sim.call(method.name, &args, valid);
            }
            8 => {
                let count = u.int_in_range(1..=4usize)?;
                let mut events = Vec::with_capacity(count);
                let mut pristine = true;
                for _ in 0..count {
                    let (event, p) = templates::named_event(u, None, &sim.model.next_marker())?;
                    pristine &= p;
                    events.push(event);
                }
                let mut args = vec![Value::Array(events)];
                if u.arbitrary()? {
                    let (params, p) = templates::params_checked(u)?;
                    pristine &= p;
                    args.push(params);
                }
                let valid = sim.model.event_call_valid("sendEvents", &args, pristine);
                sim.call("sendEvents", &args, valid);
            }
            9..=11 => {
                let name = *u.choose(METHOD_NAMES)?;
                let count = u.int_in_range(0..=3usize)?;
                let args = (0..count).map(|_| values::value(u, 0)).collect::<Result<Vec<_>>>()?;
                let valid = known_valid(name, &args);
                sim.call(name, &args, valid);
            }
            12 => sim.client.on_wake(),
            13 => {
                let pick = u.arbitrary::<u8>()?;
                let outcome = outcome(u)?;
                sim.respond(usize::from(pick), outcome);
            }
            14 => {
                let page = sim.client.env_mut();
                page.now += f64::from(u.int_in_range(0..=400_000_000u32)?);
            }
            15 => sim.client.on_page_hide(),
            16 => {
                // Broken storage may lose events this page released.
                sim.model.trouble();
                storage::corrupt(u, sim.client.env_mut())?;
                sim.client.on_storage_changed();
            }
            17 => {
                let abrupt = u.ratio(1, 4)?;
                let keepalive_arrives = u.arbitrary()?;
                sim.next_page(abrupt, keepalive_arrives);
            }
            18 => {
                let page = sim.client.env_mut();
                match u.int_in_range(0..=3u8)? {
                    0 => page.secure = !page.secure,
                    1 => page.cookies_disabled = !page.cookies_disabled,
                    2 => {
                        page.storage_full = !page.storage_full;
                        sim.model.trouble();
                    }
                    _ => page.refuse_beacons = !page.refuse_beacons,
                }
            }
            _ => {
                let name = if u.ratio(3, 4)? { "_ALGOLIA".to_owned() } else { values::string(u)? };
                let value = values::string(u)?;
                let page = sim.client.env_mut();
                page.cookies.retain(|(k, _)| *k != name);
                page.cookies.push((name, value));
            }
        }
        sim.check("background");
    }
    // Every request answered, the clock moved on: every call settled, and
    // delivered unless the scenario made trouble.
    sim.drain();
    let now = sim.client.env().now;
    fail(sim.model.at_end(now));
    // The page goes away: nothing should be left to send.
    sim.client.on_page_hide();
    sim.check("pagehide");
    Ok(())
}
