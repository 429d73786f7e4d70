//! `BrowserPage`: the [`Environment`](crate::environment::Environment) of a
//! real page — `fetch`, `sendBeacon`, `document.cookie`, `localStorage`,
//! `crypto.getRandomValues`, timers and the console, all through `page.js`.
//!
//! The core runs while the boundary holds its client, so page code it calls
//! into cannot call `aa()` again. What needs no answer — requests to send,
//! timers, console lines, cookie writes — is therefore only recorded here as
//! [`Effect`]s, which the boundary performs once it has let go of the client:
//! a page's `fetch` or `document.cookie` wrapper may call `aa()`. What must
//! answer at once (reads, `localStorage` writes, `sendBeacon`) is called
//! directly; an `aa()` call from a wrapper of those waits until the client is
//! free (see `exports.rs`).

use std::rc::{Rc, Weak};

use wasm_bindgen::prelude::*;

use super::js;
use crate::environment::{CookieJar, KeyValueStore, OutgoingRequest, Platform, ResponseOutcome, Transport};

#[wasm_bindgen(module = "/src/browser/page.js")]
extern "C" {
    fn post(requester: &JsValue, url: &str, body: &str, keepalive: bool, timeout_ms: f64, done: JsValue);
    #[wasm_bindgen(js_name = beacon)]
    fn send_beacon(requester: &JsValue, url: &str, body: &str) -> bool;
    pub(super) fn later(ms: f64, callback: JsValue);
    #[wasm_bindgen(js_name = keepaliveSupported)]
    fn keepalive_supported(requester: &JsValue) -> bool;
    /// `crypto.getRandomValues` of the global object (the page's or Node's);
    /// `false` when there is none.
    #[wasm_bindgen(js_name = randomValues)]
    fn random_values(bytes: &mut [u8]) -> bool;
    #[wasm_bindgen(js_name = lock)]
    fn request_web_lock(name: &str, granted: JsValue) -> bool;
    #[wasm_bindgen(js_name = parseJson)]
    fn parse_json(text: &str) -> JsValue;
    #[wasm_bindgen(js_name = storageKeys)]
    fn storage_keys(prefix: &str) -> String;
    #[wasm_bindgen(js_name = watchPage)]
    pub(super) fn watch_page(on_hide: JsValue, on_storage: JsValue);
    /// `console.error` / `console.warn` that never throws (see page.js).
    pub(super) fn report(error: bool, message: &str, detail: &JsValue);
    #[wasm_bindgen(js_name = getItem)]
    fn get_item(key: &str) -> Option<String>;
    #[wasm_bindgen(js_name = setItem)]
    fn set_item(key: &str, value: &str) -> bool;
    #[wasm_bindgen(js_name = removeItem)]
    fn remove_item(key: &str);
    #[wasm_bindgen(js_name = readCookies)]
    fn read_cookies() -> String;
    #[wasm_bindgen(js_name = writeCookie)]
    fn write_cookie(cookie: &str);
    #[wasm_bindgen(js_name = cookiesEnabled)]
    fn cookies_enabled() -> bool;
    #[wasm_bindgen(js_name = securePage)]
    fn secure_page() -> bool;
    /// A new Promise and its `resolve` and `reject`: `[promise, resolve, reject]`.
    pub(super) fn deferred() -> js::Array;
}

/// What the page reports to the client it serves (the boundary's shared
/// client state implements it; the page knows no more of it).
pub(super) trait PageOwner {
    /// The request `request_id` ended.
    fn response(&self, request_id: u64, outcome: ResponseOutcome);
    /// A wake-up the core scheduled is due.
    fn wake(&self);
    /// The Web Locks API granted the lock `name`.
    fn lock_granted(self: Rc<Self>, name: String);
}

/// Something the core asked of the page that needs no answer, done once the
/// client is free.
pub(super) enum Effect {
    Send(OutgoingRequest),
    Wake(f64),
    Console(bool, String),
    Cookie(String),
}

/// The page one client lives in; it reaches its client through `shared` to
/// report responses and wake-ups.
pub struct BrowserPage<O> {
    pub(super) shared: Weak<O>,
    pub(super) effects: Vec<Effect>,
    /// A caller's `requestFn(url, data)` (search-insights'
    /// `createInsightsClient(requestFn)`), which then carries every request
    /// instead of `fetch` and `sendBeacon`; `undefined` for the built-in ones.
    pub(super) requester: JsValue,
}

impl<O: PageOwner + 'static> Transport for BrowserPage<O> {
    fn send(&mut self, request: OutgoingRequest) {
        self.effects.push(Effect::Send(request));
    }

    fn beacon(&mut self, request: &OutgoingRequest) -> bool {
        send_beacon(&self.requester, &request.url, &request.body)
    }

    fn supports_keepalive(&self) -> bool {
        keepalive_supported(&self.requester)
    }
}

impl<O: PageOwner + 'static> CookieJar for BrowserPage<O> {
    fn cookies_enabled(&self) -> bool {
        cookies_enabled()
    }

    fn read_cookies(&self) -> String {
        read_cookies()
    }

    fn write_cookie(&mut self, cookie: &str) {
        self.effects.push(Effect::Cookie(cookie.to_owned()));
    }

    fn is_secure_page(&self) -> bool {
        secure_page()
    }
}

impl<O: PageOwner + 'static> KeyValueStore for BrowserPage<O> {
    fn get_item(&self, key: &str) -> Option<String> {
        get_item(key)
    }

    fn set_item(&mut self, key: &str, value: &str) -> bool {
        set_item(key, value)
    }

    fn remove_item(&mut self, key: &str) {
        remove_item(key);
    }

    /// Only the outbox's keys: the core reads no others. (A key with a line
    /// break in its name reads as two names that are not stored.)
    fn keys(&self) -> Vec<String> {
        crate::ascii::split(&storage_keys(crate::outbox::LEGACY_STORAGE_KEY), b'\n').filter(|k| !k.is_empty()).map(str::to_owned).collect()
    }

    /// The page's `JSON.parse` (the wasm carries no JSON reader), its value
    /// read as arguments are.
    fn parse_json(&self, text: &str) -> Option<crate::Value> {
        super::convert::parsed_json(&parse_json(text))
    }
}

/// Asks for the lock `name` for the client behind `shared` (see
/// [`Platform::request_lock`]).
fn request_lock<O: PageOwner + 'static>(shared: Weak<O>, name: &str) -> bool {
    let lock_name = name.to_owned();
    let granted = Closure::once_into_js(move || {
        if let Some(client) = shared.upgrade() {
            client.lock_granted(lock_name);
        }
    });
    request_web_lock(name, granted)
}

impl<O: PageOwner + 'static> Platform for BrowserPage<O> {
    fn now_ms(&self) -> f64 {
        js::now()
    }

    fn random_bytes(&mut self) -> [u8; 16] {
        let mut bytes = [0u8; 16];
        if !random_values(&mut bytes) {
            for b in &mut bytes {
                *b = (js::random() * 256.0) as u8;
            }
        }
        bytes
    }

    fn schedule_wake(&mut self, delay_ms: f64) {
        self.effects.push(Effect::Wake(delay_ms));
    }

    fn warn(&mut self, message: &str) {
        self.effects.push(Effect::Console(false, message.to_owned()));
    }

    fn error(&mut self, message: &str) {
        self.effects.push(Effect::Console(true, message.to_owned()));
    }

    fn request_lock(&mut self, name: &str) -> bool {
        request_lock(self.shared.clone(), name)
    }
}

impl Effect {
    /// Does it; the client must not be borrowed (page code may call `aa()`).
    pub(super) fn perform<O: PageOwner + 'static>(self, shared: &Weak<O>, requester: &JsValue) {
        match self {
            // The answer and the wake-up hold the client (strongly): a client
            // the page no longer references (a backend's client per request,
            // whose Promise alone is kept) lives until its events are sent.
            // Once called, each closure is freed and lets go of it.
            Effect::Send(request) => {
                let Some(shared) = shared.upgrade() else { return };
                let id = request.id;
                // `reason`: what fetch threw or rejected with, or the timeout.
                let done = Closure::once_into_js(move |status: f64, text: String| {
                    let outcome = if (100.0..1000.0).contains(&status) {
                        ResponseOutcome::Status(status as u16, text)
                    } else {
                        ResponseOutcome::NetworkError(text)
                    };
                    shared.response(id, outcome);
                });
                post(requester, &request.url, &request.body, request.keepalive, request.timeout_ms, done);
            }
            Effect::Wake(delay_ms) => {
                let Some(shared) = shared.upgrade() else { return };
                later(delay_ms, Closure::once_into_js(move || shared.wake()));
            }
            Effect::Console(error, message) => report(error, &message, &JsValue::UNDEFINED),
            Effect::Cookie(cookie) => write_cookie(&cookie),
        }
    }
}
