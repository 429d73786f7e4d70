//! One page's life, driven by the fuzzer: `aa()` calls with any method name
//! and any arguments, `init`s, timers, answers from the API, the page being
//! hidden or reloaded, and cookies and `localStorage` changed behind the
//! library's back. After every step the oracle checks what left the page.

use arbitrary::{Result, Unstructured};
use search_insights_wasm::environment::ResponseOutcome;
use search_insights_wasm::method::EVENT_METHODS;
use search_insights_wasm::options::DEFAULT_MAX_EVENT_AGE_MS;
use search_insights_wasm::{json, InsightsClient, Method, Value};

use crate::oracle;
use crate::page::FuzzPage;
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

/// The page, its client, and the oldest event age the page allowed.
struct Simulation {
    client: InsightsClient<FuzzPage>,
    max_age_ms: f64,
}

impl Simulation {
    fn call(&mut self, name: &str, args: &[Value]) {
        // An unknown name never reaches the core: the boundary warns.
        let Some(method) = Method::from_name(name) else { return };
        if let Err(error) = self.client.call(method, args) {
            let key_given = args.iter().any(mentions_key);
            if let Err(problem) = oracle::check_error(method.name(), &error.to_string(), key_given) {
                panic!("{problem}\n  aa({name:?}, {args:?})");
            }
        }
        self.max_age_ms = self.max_age_ms.max(self.client.settings().max_event_age_ms);
    }

    /// Answers one request still waiting, with `outcome`.
    fn respond(&mut self, pick: usize, outcome: ResponseOutcome) {
        let waiting = &mut self.client.env_mut().waiting;
        if waiting.is_empty() {
            return;
        }
        let id = waiting.remove(pick % waiting.len());
        self.client.on_response(id, outcome);
    }

    /// What left the page since the last check must be acceptable.
    fn check(&mut self) {
        let _ = self.client.take_notices();
        let _ = self.client.take_progress();
        let page = self.client.env_mut();
        for sent in std::mem::take(&mut page.sent) {
            if let Err(problem) = oracle::check_request(&sent, self.max_age_ms) {
                panic!("sent a request the Insights API refuses: {problem}\n  at: {} (beacon: {})\n  url: {}\n  body: {}", sent.at, sent.beacon, sent.request.url, sent.request.body);
            }
        }
        for line in std::mem::take(&mut page.console) {
            if let Err(problem) = oracle::check_console(&line) {
                panic!("{problem}");
            }
        }
    }
}

fn outcome(u: &mut Unstructured) -> Result<ResponseOutcome> {
    const STATUSES: [u16; 10] = [200, 201, 400, 401, 403, 413, 422, 429, 500, 503];
    if u.ratio(1, 5)? {
        return Ok(ResponseOutcome::NetworkError);
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
pub fn run(u: &mut Unstructured) -> Result<()> {
    let mut page = FuzzPage { now: 1_700_000_000_000.0, secure: u.arbitrary()?, ..FuzzPage::default() };
    if u.ratio(1, 3)? {
        storage::corrupt(u, &mut page)?;
    }
    let mut sim = Simulation { client: InsightsClient::new(page), max_age_ms: DEFAULT_MAX_EVENT_AGE_MS };
    for _ in 0..MAX_STEPS {
        if u.is_empty() {
            break;
        }
        match u.int_in_range(0..=19u8)? {
            0..=2 => {
                let options = templates::init_options(u)?;
                sim.call("init", &[options]);
            }
            3..=7 => {
                let method = u.choose(&EVENT_METHODS)?;
                let mut args = vec![templates::event(u, Some(method))?];
                // (Bounded: an exhausted input answers every ratio `true`.)
                for _ in 0..3 {
                    if u.is_empty() || !u.ratio(1, 4)? {
                        break;
                    }
                    args.push(templates::event(u, Some(method))?);
                }
                if u.ratio(1, 3)? {
                    args.push(templates::params(u)?);
                }
                sim.call(method.name, &args);
            }
            8 => {
                let count = u.int_in_range(1..=4usize)?;
                let events = (0..count).map(|_| templates::event(u, None)).collect::<Result<Vec<_>>>()?;
                let mut args = vec![Value::Array(events)];
                if u.arbitrary()? {
                    args.push(templates::params(u)?);
                }
                sim.call("sendEvents", &args);
            }
            9..=11 => {
                let name = *u.choose(METHOD_NAMES)?;
                let count = u.int_in_range(0..=3usize)?;
                let args = (0..count).map(|_| values::value(u, 0)).collect::<Result<Vec<_>>>()?;
                sim.call(name, &args);
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
                storage::corrupt(u, sim.client.env_mut())?;
                sim.client.on_storage_changed();
            }
            17 => {
                let next = sim.client.env_mut().next_page();
                sim.client = InsightsClient::new(next);
            }
            18 => {
                let page = sim.client.env_mut();
                match u.int_in_range(0..=3u8)? {
                    0 => page.secure = !page.secure,
                    1 => page.cookies_disabled = !page.cookies_disabled,
                    2 => page.storage_full = !page.storage_full,
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
        sim.check();
    }
    // The page goes away: everything still queued leaves now.
    sim.client.on_page_hide();
    sim.check();
    Ok(())
}
