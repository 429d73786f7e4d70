//! `FuzzPage`: a page in memory for the fuzzed client — a cookie jar that
//! checks every string assigned to `document.cookie`, `localStorage`, a clock,
//! and the requests and console lines the client produced.

use search_insights_wasm::environment::{CookieJar, KeyValueStore, OutgoingRequest, Platform, Transport};

use crate::oracle;

/// One request and the page's clock when it left.
#[derive(Debug, Clone)]
pub struct Sent {
    /// The request.
    pub request: OutgoingRequest,
    /// When it was sent (ms).
    pub at: f64,
    /// Sent with `navigator.sendBeacon` (no answer comes back).
    pub beacon: bool,
}

/// The page.
#[derive(Debug, Default)]
pub struct FuzzPage {
    /// `Date.now()`.
    pub now: f64,
    /// Seed of `crypto.getRandomValues`.
    pub seed: u8,
    /// The cookies, by name, as a browser keeps them.
    pub cookies: Vec<(String, String)>,
    /// `navigator.cookieEnabled` is false.
    pub cookies_disabled: bool,
    /// Served over https.
    pub secure: bool,
    /// `localStorage`.
    pub storage: Vec<(String, String)>,
    /// `localStorage` throws on writes (quota, private mode).
    pub storage_full: bool,
    /// `sendBeacon` refuses.
    pub refuse_beacons: bool,
    /// Requests not yet checked by the oracle.
    pub sent: Vec<Sent>,
    /// Requests sent with `fetch` still waiting for an answer (ids).
    pub waiting: Vec<u64>,
    /// Console lines (warnings and errors).
    pub console: Vec<String>,
    /// What was written to `document.cookie` and `localStorage` since the
    /// oracle last looked, for the consent checks.
    pub writes: Vec<Write>,
}

/// One write to the page's persistent state.
#[derive(Debug, Clone)]
pub enum Write {
    /// A string assigned to `document.cookie`.
    Cookie(String),
    /// `localStorage.setItem(key, new)`, with the value it replaced.
    Storage { key: String, old: Option<String>, new: String },
}

impl FuzzPage {
    /// The same browser on its next page: cookies and storage stay, the rest
    /// goes (requests in flight are lost with the page).
    pub fn next_page(&mut self) -> FuzzPage {
        FuzzPage {
            now: self.now,
            seed: self.seed,
            cookies: std::mem::take(&mut self.cookies),
            cookies_disabled: self.cookies_disabled,
            secure: self.secure,
            storage: std::mem::take(&mut self.storage),
            storage_full: self.storage_full,
            refuse_beacons: self.refuse_beacons,
            ..FuzzPage::default()
        }
    }
}

impl Transport for FuzzPage {
    fn send(&mut self, request: OutgoingRequest) {
        self.waiting.push(request.id);
        self.sent.push(Sent { request, at: self.now, beacon: false });
    }

    fn beacon(&mut self, request: &OutgoingRequest) -> bool {
        if self.refuse_beacons {
            return false;
        }
        self.sent.push(Sent { request: request.clone(), at: self.now, beacon: true });
        true
    }
}

impl CookieJar for FuzzPage {
    fn cookies_enabled(&self) -> bool {
        !self.cookies_disabled
    }

    fn read_cookies(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    /// Every assignment must be one well-formed `_ALGOLIA` cookie; it then
    /// replaces the cookie, or deletes it when it expires at the epoch.
    fn write_cookie(&mut self, cookie: &str) {
        if let Err(problem) = oracle::check_cookie(cookie, self.secure) {
            panic!("malformed cookie written: {problem}\n  {cookie:?}");
        }
        self.writes.push(Write::Cookie(cookie.to_owned()));
        let Some((pair, _)) = cookie.split_once(';') else { return };
        let Some((name, value)) = pair.split_once('=') else { return };
        self.cookies.retain(|(k, _)| k != name);
        if !value.is_empty() && !cookie.contains("expires=Thu, 01 Jan 1970 00:00:00 GMT") {
            self.cookies.push((name.to_owned(), value.to_owned()));
        }
    }

    fn is_secure_page(&self) -> bool {
        self.secure
    }
}

impl KeyValueStore for FuzzPage {
    fn get_item(&self, key: &str) -> Option<String> {
        self.storage.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }

    /// Refuses writes past the browsers' quota (about 5 million characters
    /// per origin), as `setItem` throws `QuotaExceededError`.
    fn set_item(&mut self, key: &str, value: &str) -> bool {
        let others: usize = self.storage.iter().filter(|(k, _)| k != key).map(|(k, v)| k.len() + v.len()).sum();
        if self.storage_full || others + key.len() + value.len() > 5_000_000 {
            return false;
        }
        self.writes.push(Write::Storage { key: key.to_owned(), old: self.get_item(key), new: value.to_owned() });
        self.remove_item(key);
        self.storage.push((key.to_owned(), value.to_owned()));
        true
    }

    fn remove_item(&mut self, key: &str) {
        self.storage.retain(|(k, _)| k != key);
    }

    fn keys(&self) -> Vec<String> {
        self.storage.iter().map(|(k, _)| k.clone()).collect()
    }
}

impl Platform for FuzzPage {
    fn now_ms(&self) -> f64 {
        self.now
    }

    fn random_bytes(&mut self) -> [u8; 16] {
        self.seed = self.seed.wrapping_add(1);
        let mut bytes = [0u8; 16];
        for (i, b) in (0u8..).zip(bytes.iter_mut()) {
            *b = self.seed.wrapping_mul(31).wrapping_add(i.wrapping_mul(7));
        }
        bytes
    }

    fn schedule_wake(&mut self, _delay_ms: f64) {}

    fn warn(&mut self, message: &str) {
        self.console.push(message.to_owned());
    }

    fn error(&mut self, message: &str) {
        self.console.push(message.to_owned());
    }
}
