//! In-memory stand-ins for the page, for native unit tests.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use crate::environment::{CookieJar, KeyValueStore, OutgoingRequest, Platform, Transport};

/// `localStorage` in memory; can be told to refuse writes like a full store.
/// Clones share the items, like the pages of one origin share their
/// `localStorage`.
#[derive(Debug, Default, Clone)]
pub struct MemoryStore {
    pub items: Rc<RefCell<Vec<(String, String)>>>,
    pub refuse_writes: bool,
    /// How many times `get_item` was called.
    pub reads: Rc<Cell<usize>>,
}

impl MemoryStore {
    /// A copy of the items that is no longer shared.
    pub fn snapshot(&self) -> MemoryStore {
        MemoryStore { items: Rc::new(RefCell::new(self.items())), ..MemoryStore::default() }
    }

    /// A copy of the items (nothing holds them borrowed between calls).
    pub fn items(&self) -> Vec<(String, String)> {
        self.items.try_borrow().map(|items| items.clone()).unwrap_or_default()
    }

    fn change(&self, f: impl FnOnce(&mut Vec<(String, String)>)) {
        if let Ok(mut items) = self.items.try_borrow_mut() {
            f(&mut items);
        }
    }
}

impl KeyValueStore for MemoryStore {
    fn get_item(&self, key: &str) -> Option<String> {
        self.reads.set(self.reads.get() + 1);
        self.items().into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn set_item(&mut self, key: &str, value: &str) -> bool {
        if self.refuse_writes {
            return false;
        }
        self.remove_item(key);
        self.change(|items| items.push((key.to_owned(), value.to_owned())));
        true
    }

    fn remove_item(&mut self, key: &str) {
        self.change(|items| items.retain(|(k, _)| k != key));
    }

    fn keys(&self) -> Vec<String> {
        self.items().into_iter().map(|(k, _)| k).collect()
    }
}

/// One request to the fake Web Locks API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockRequest {
    /// The page that asked (its number in the test).
    pub page: usize,
    pub name: String,
}

/// The Web Locks API of one origin, shared by the pages of a test; a page
/// holds every lock it is granted until it is closed. Nothing is granted by
/// itself: the test asks for the next grant and delivers it to the page
/// (`on_lock`), as the browser would from a task of its own.
#[derive(Debug, Default)]
pub struct LockManager {
    /// Locks held: `(name, page)`.
    pub held: Vec<(String, usize)>,
    /// Requests not granted yet, oldest first.
    pub waiting: Vec<LockRequest>,
    /// Pages that are gone.
    pub closed: Vec<usize>,
}

impl LockManager {
    /// The oldest waiting request whose lock is free, now granted.
    pub fn next_grant(&mut self) -> Option<LockRequest> {
        let pos = self.waiting.iter().position(|r| !self.held.iter().any(|(name, _)| *name == r.name))?;
        let request = self.waiting.remove(pos);
        self.held.push((request.name.clone(), request.page));
        Some(request)
    }

    /// Page `page` is gone: its locks are released and its requests dropped.
    pub fn close(&mut self, page: usize) {
        self.held.retain(|(_, p)| *p != page);
        self.waiting.retain(|r| r.page != page);
        self.closed.push(page);
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
    /// The Web Locks API this page shares with others, and its page number;
    /// `None`: a browser without Web Locks.
    pub locks: Option<(Rc<RefCell<LockManager>>, usize)>,
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
            locks: None,
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

    fn keys(&self) -> Vec<String> {
        self.store.keys()
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

    fn request_lock(&mut self, name: &str) -> bool {
        let Some((locks, page)) = &self.locks else { return false };
        let Ok(mut locks) = locks.try_borrow_mut() else { return false };
        locks.waiting.push(LockRequest { page: *page, name: name.to_owned() });
        true
    }
}
