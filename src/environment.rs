//! What the core needs from the page, as traits: the browser boundary
//! implements them with `fetch`, `document.cookie` and `localStorage`; native
//! tests implement them in memory and answer requests by hand.

/// One POST to the Insights API.
#[derive(Debug, Clone, PartialEq)]
pub struct OutgoingRequest {
    /// Identifies the request when its outcome is reported back.
    pub id: u64,
    /// `{origin}/1/events?X-Algolia-Application-Id=…&X-Algolia-API-Key=…&X-Algolia-Agent=…`
    pub url: String,
    /// `{"events":[…]}`, sent as `text/plain` so that no CORS preflight is needed.
    pub body: String,
    /// Send with `keepalive: true` (it survives the page unloading).
    pub keepalive: bool,
    /// Without an answer after this long (ms), the request is a network error.
    pub timeout_ms: f64,
}

/// How a request ended.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseOutcome {
    /// The API answered with this status and body.
    Status(u16, String),
    /// No answer: network error, connection dropped, timeout, or refused by
    /// the browser (or a page's `fetch` wrapper). The text says what happened
    /// when it is known (what `fetch` threw, the timeout), else it is empty.
    NetworkError(String),
}

/// Sends requests; the outcome comes back later through
/// [`crate::InsightsClient::on_response`].
pub trait Transport {
    /// Starts `request` with `fetch`.
    fn send(&mut self, request: OutgoingRequest);
    /// Hands `request` to `navigator.sendBeacon`; `false` when the browser refused it.
    fn beacon(&mut self, request: &OutgoingRequest) -> bool;
    /// Whether `fetch` honours `keepalive` (when it does not, a page being
    /// hidden sends with `sendBeacon` instead).
    fn supports_keepalive(&self) -> bool {
        true
    }
}

/// `document.cookie`.
pub trait CookieJar {
    /// Whether the page may use cookies (`navigator.cookieEnabled`).
    fn cookies_enabled(&self) -> bool;
    /// The page's `document.cookie` string.
    fn read_cookies(&self) -> String;
    /// Assigns one cookie string to `document.cookie`.
    fn write_cookie(&mut self, cookie: &str);
    /// Whether the page is served over https (cookies get `Secure`).
    fn is_secure_page(&self) -> bool;
}

/// `localStorage`. Every method tolerates a store that throws.
pub trait KeyValueStore {
    /// The stored string, `None` when absent or unreadable.
    fn get_item(&self, key: &str) -> Option<String>;
    /// Stores a string; `false` when the store refused (quota, private mode).
    fn set_item(&mut self, key: &str, value: &str) -> bool;
    /// Removes a key.
    fn remove_item(&mut self, key: &str);
    /// The names of the stored keys (none when unreadable).
    fn keys(&self) -> Vec<String> {
        Vec::new()
    }
    /// Reads JSON text (what the store holds, or an API answer) as
    /// `JSON.parse` does; `None` when it is not JSON, or holds a number out of
    /// range or a lone surrogate, or nests deeper than 64 levels. The default
    /// is the crate's own reader ([`crate::json::parse`]); the browser
    /// boundary uses the page's `JSON.parse`, so the wasm ships no parser.
    fn parse_json(&self, text: &str) -> Option<crate::Value> {
        crate::json::parse(text)
    }
}

/// Time, randomness, timers, the console and the Web Locks API.
pub trait Platform {
    /// Milliseconds since the epoch (`Date.now()`).
    fn now_ms(&self) -> f64;
    /// 16 random bytes (`crypto.getRandomValues`).
    fn random_bytes(&mut self) -> [u8; 16];
    /// Asks for [`crate::InsightsClient::on_wake`] to be called in `delay_ms`.
    fn schedule_wake(&mut self, delay_ms: f64);
    /// `console.warn`.
    fn warn(&mut self, message: &str);
    /// `console.error`.
    fn error(&mut self, message: &str);
    /// Asks for the lock `name` of the Web Locks API (shared by the pages of
    /// the origin), to hold for the rest of the page's life. When it is
    /// granted, [`crate::InsightsClient::on_lock_granted`] is called. Returns
    /// `false` when the page has no Web Locks API (nothing will be called).
    fn request_lock(&mut self, name: &str) -> bool {
        let _ = name;
        false
    }
}

/// Everything the client needs from its page.
pub trait Environment: Transport + CookieJar + KeyValueStore + Platform {}

impl<T: Transport + CookieJar + KeyValueStore + Platform> Environment for T {}
