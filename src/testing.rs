//! In-memory stand-ins for the page, for native unit tests.

use std::collections::VecDeque;

use crate::environment::{CookieJar, KeyValueStore, OutgoingRequest, Platform, Transport};

/// `localStorage` in memory; can be told to refuse writes like a full store.
#[derive(Debug, Default)]
pub struct MemoryStore {
    pub items: Vec<(String, String)>,
    pub refuse_writes: bool,
}

impl KeyValueStore for MemoryStore {
    fn get_item(&self, key: &str) -> Option<String> {
        self.items.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }

    fn set_item(&mut self, key: &str, value: &str) -> bool {
        if self.refuse_writes {
            return false;
        }
        self.remove_item(key);
        self.items.push((key.to_owned(), value.to_owned()));
        true
    }

    fn remove_item(&mut self, key: &str) {
        self.items.retain(|(k, _)| k != key);
    }
}

/// A page: cookies as a browser keeps them, storage, a clock, recorded
/// requests, beacons, wake-ups and console output.
#[derive(Debug)]
pub struct FakeEnv {
    pub now: f64,
    pub seed: u8,
    /// Answers for `random_bytes`, used first (oldest first) before the
    /// seeded ones: a test fixes a retry's jitter with them.
    pub random: VecDeque<[u8; 16]>,
    pub cookies: Vec<(String, String)>,
    pub cookie_writes: Vec<String>,
    pub cookies_enabled: bool,
    pub secure: bool,
    pub store: MemoryStore,
    pub sent: Vec<OutgoingRequest>,
    pub beacons: Vec<OutgoingRequest>,
    pub refuse_beacons: bool,
    pub wakes: Vec<f64>,
    pub warnings: Vec<String>,
    pub errors: Vec<String>,
}

impl Default for FakeEnv {
    fn default() -> Self {
        FakeEnv {
            now: 1_700_000_000_000.0,
            seed: 0,
            random: VecDeque::new(),
            cookies: Vec::new(),
            cookie_writes: Vec::new(),
            cookies_enabled: true,
            secure: false,
            store: MemoryStore::default(),
            sent: Vec::new(),
            beacons: Vec::new(),
            refuse_beacons: false,
            wakes: Vec::new(),
            warnings: Vec::new(),
            errors: Vec::new(),
        }
    }
}

impl FakeEnv {
    /// The `_ALGOLIA` cookie's value, if set.
    pub fn algolia_cookie(&self) -> Option<&str> {
        self.cookies.iter().find(|(k, _)| k == "_ALGOLIA").map(|(_, v)| v.as_str())
    }
}

impl Transport for FakeEnv {
    fn send(&mut self, request: OutgoingRequest) {
        self.sent.push(request);
    }

    fn beacon(&mut self, request: &OutgoingRequest) -> bool {
        if self.refuse_beacons {
            return false;
        }
        self.beacons.push(request.clone());
        true
    }
}

impl CookieJar for FakeEnv {
    fn cookies_enabled(&self) -> bool {
        self.cookies_enabled
    }

    fn read_cookies(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    /// Keeps name=value and honours an `expires` in the past, like a browser.
    fn write_cookie(&mut self, cookie: &str) {
        self.cookie_writes.push(cookie.to_owned());
        let mut parts = cookie.split(';');
        let Some((name, value)) = parts.next().and_then(|p| p.split_once('=')) else { return };
        let expired = parts.any(|p| p.trim() == "expires=Thu, 01 Jan 1970 00:00:00 GMT");
        self.cookies.retain(|(k, _)| k != name);
        if !expired {
            self.cookies.push((name.to_owned(), value.to_owned()));
        }
    }

    fn is_secure_page(&self) -> bool {
        self.secure
    }
}

impl KeyValueStore for FakeEnv {
    fn get_item(&self, key: &str) -> Option<String> {
        self.store.get_item(key)
    }

    fn set_item(&mut self, key: &str, value: &str) -> bool {
        self.store.set_item(key, value)
    }

    fn remove_item(&mut self, key: &str) {
        self.store.remove_item(key);
    }
}

impl Platform for FakeEnv {
    fn now_ms(&self) -> f64 {
        self.now
    }

    fn random_bytes(&mut self) -> [u8; 16] {
        if let Some(bytes) = self.random.pop_front() {
            return bytes;
        }
        self.seed = self.seed.wrapping_add(1);
        let mut bytes = [0u8; 16];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = self.seed.wrapping_mul(31).wrapping_add(i as u8 * 7);
        }
        bytes
    }

    fn schedule_wake(&mut self, delay_ms: f64) {
        self.wakes.push(delay_ms);
    }

    fn warn(&mut self, message: &str) {
        self.warnings.push(message.to_owned());
    }

    fn error(&mut self, message: &str) {
        self.errors.push(message.to_owned());
    }
}
