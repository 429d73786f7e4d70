//! # search-insights-wasm
//!
//! Algolia's `aa()` Insights tracker (the `search-insights` v2 JavaScript
//! library) rebuilt in Rust for WebAssembly: same calls, same events on the
//! wire, same `_ALGOLIA` cookie; events batched, retried and kept across page
//! loads; bad input refused with an error that names the method and the field.
//!
//! The core ([`InsightsClient`]) is plain Rust and runs natively in tests; the
//! page is reached only through the traits in [`environment`], which the
//! browser boundary (`browser`, wasm32 only) implements with `fetch`,
//! `document.cookie` and `localStorage`.
//!
//! ```
//! use search_insights_wasm::{InsightsClient, Method, Reply, Value};
//! # use search_insights_wasm::environment::*;
//! # #[derive(Default)] struct Page { sent: Vec<OutgoingRequest> }
//! # impl Transport for Page { fn send(&mut self, r: OutgoingRequest) { self.sent.push(r) } fn beacon(&mut self, _: &OutgoingRequest) -> bool { false } }
//! # impl CookieJar for Page { fn cookies_enabled(&self) -> bool { true } fn read_cookies(&self) -> String { String::new() } fn write_cookie(&mut self, _: &str) {} fn is_secure_page(&self) -> bool { true } }
//! # impl KeyValueStore for Page { fn get_item(&self, _: &str) -> Option<String> { None } fn set_item(&mut self, _: &str, _: &str) -> bool { false } fn remove_item(&mut self, _: &str) {} }
//! # impl Platform for Page { fn now_ms(&self) -> f64 { 1.7e12 } fn random_bytes(&mut self) -> [u8; 16] { [7; 16] } fn schedule_wake(&mut self, _: f64) {} fn warn(&mut self, _: &str) {} fn error(&mut self, _: &str) {} }
//! let mut aa = InsightsClient::new(Page::default());
//! let init = Value::object([("appId", Value::str("APP_ID")), ("apiKey", Value::str("SEARCH_KEY"))]);
//! aa.call(Method::Init, &[init])?;
//! aa.call(Method::SetUserToken, &[Value::str("user-1")])?;
//! let click = Value::object([
//!     ("index", Value::str("movies")),
//!     ("eventName", Value::str("Added to favorite")),
//!     ("objectIDs", Value::Array(vec![Value::str("movieID1")])),
//! ]);
//! let reply = aa.call(Method::from_name("clickedObjectIDs").unwrap(), &[click])?;
//! assert!(matches!(reply, Reply::Pending(_)));
//! aa.on_wake(); // the batch window closed: one POST goes out
//! let request = &aa.env().sent[0];
//! assert!(request.url.starts_with("https://insights.algolia.io/1/events?X-Algolia-Application-Id=APP_ID"));
//! assert!(request.body.contains(r#""userToken":"user-1""#));
//! # Ok::<(), search_insights_wasm::InsightsError>(())
//! ```
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::unreachable, clippy::todo)
)]

#[macro_use]
mod text;
mod ascii;
mod client;
mod cookie;
pub mod environment;
mod error;
mod event;
mod json;
mod method;
mod number;
mod oldest;
mod options;
mod outbox;
mod params;
mod query_cache;
mod sort;
mod stored_event;
mod token;
mod value;

/// The wasm's allocator (see Cargo.toml): single-threaded WebAssembly, memory
/// grown as needed.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

// Built for wasm32, and linted natively by clippy.
#[cfg(any(target_arch = "wasm32", clippy))]
mod browser;
#[cfg(target_arch = "wasm32")]
pub use browser::Insights;
#[cfg(test)]
mod testing;

/// What the fuzzer (`fuzz/`) and the tests in `tests/` check besides the
/// public surface. Not part of the API: hidden, and not kept stable.
#[doc(hidden)]
pub mod internals {
    /// The `_ALGOLIA` cookie's strings.
    pub mod cookie {
        pub use crate::cookie::{delete_cookie_string, read, set_cookie_string, stored_anonymous_token, COOKIE_NAME};
    }
    /// The crate's own JSON.
    pub mod json {
        pub use crate::json::{parse, to_string};
    }
    /// How filters are sent.
    pub mod event {
        pub use crate::event::encode_uri_component;
    }
    /// The typed event methods.
    pub mod method {
        pub use crate::method::{EventMethod, Target, EVENT_METHODS};
    }
    /// `init` options.
    pub mod options {
        pub use crate::options::{InitOptions, Settings, DEFAULT_MAX_EVENT_AGE_MS};
    }
    /// The outbox's storage keys.
    pub mod outbox {
        pub use crate::outbox::{LEGACY_STORAGE_KEY, STORAGE_KEY_PREFIX};
    }
    /// The query-ID cache's storage key.
    pub mod query_cache {
        pub use crate::query_cache::STORAGE_KEY;
    }
    pub use crate::event::EventType;
}

pub use client::{InsightsClient, Notice, Progress, Reply, SEARCH_INSIGHTS_VERSION, VERSION};
pub use error::{InsightsError, Result};
pub use event::InsightsEvent;
pub use method::Method;
pub use outbox::Outbox;
pub use query_cache::QueryIdCache;
pub use token::UserToken;
pub use value::Value;
