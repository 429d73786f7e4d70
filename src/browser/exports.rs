//! The `Insights` class: one `aa()` client for JavaScript. The JS wrapper
//! (`pkg/js/`) turns `aa(method, ...args)` into `client.call(method, args)`.
//!
//! Every call converts its arguments first, then borrows the client, and only
//! calls into the page — `fetch`, timers, the console, cookie writes (the
//! core's [`Effect`](super::page::Effect)s), callbacks, Promise resolution — after the borrow is
//! released, so any of them may call `aa()` again and get a full answer.
//!
//! A few page functions must answer while the core runs: storage and cookie
//! reads, `localStorage` writes, `sendBeacon`, the clock and random bytes. An
//! `aa()` call made from a page's wrapper of one of those cannot run then;
//! it is [`Deferred`] and runs as soon as the client is free, before the
//! outer call returns, in the order calls were made. It is accepted, not
//! refused: an event method returns a Promise that follows the call, callbacks
//! get their values then, and any other method returns `undefined`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert;
use super::js::{self, Function};
use super::page::{deferred, watch_page, BrowserPage, PageOwner};
use crate::client::{InsightsClient, Notice, Progress, Reply};
use crate::environment::ResponseOutcome;
use crate::error::InsightsError;
use crate::method::Method;
use crate::outbox::CallId;
use crate::value::Value;

/// The page code that waits on this client.
#[derive(Default)]
struct Hooks {
    on_user_token: Option<Function>,
    on_authenticated_user_token: Option<Function>,
    on_delivery: Option<Function>,
    /// `resolve` functions of the Promises of pending event calls.
    pending: Vec<(CallId, Function)>,
}

/// An `aa()` call made while the client was busy, to run once it is free:
/// its arguments (converted when it was made), and the `resolve`/`reject` of
/// the Promise an event method returned. (What the browser dispatches —
/// timers, `fetch` answers, `pagehide`, `storage` — comes in tasks of its
/// own, never while the client is busy.)
struct Deferred {
    method: Method,
    raw: Vec<JsValue>,
    values: Vec<Value>,
    promise: Option<(Function, Function)>,
}

/// What a client and its page callbacks share with the page's timers and
/// `fetch` completions.
struct Shared {
    client: RefCell<InsightsClient<BrowserPage<Shared>>>,
    hooks: RefCell<Hooks>,
    /// Oldest first.
    deferred: RefCell<Vec<Deferred>>,
    /// Event calls accepted so far.
    event_calls: Cell<u32>,
}

/// The one place an [`InsightsError`] becomes a JavaScript `Error`.
fn js_error(error: &InsightsError) -> JsValue {
    js::Error::new(&error.message()).into()
}

/// A page callback threw during `method`: an `Error` naming the method, with
/// what the callback threw as its `cause`.
fn callback_error(method: Method, thrown: &JsValue) -> JsValue {
    let message = text!(method.name(), ": the callback threw: ", convert::thrown_message(thrown));
    let error: JsValue = js::Error::new(&message).into();
    let _ = js::set(&error, &JsValue::from_str("cause"), thrown);
    error
}

fn to_js(value: &Value) -> JsValue {
    match value {
        Value::String(s) => JsValue::from_str(s),
        Value::Number(n) => JsValue::from_f64(*n),
        Value::Bool(b) => JsValue::from_bool(*b),
        Value::Null => JsValue::NULL,
        _ => JsValue::UNDEFINED,
    }
}

/// The method name as search-insights' warning prints it (`${functionName}`).
fn method_name_text(method: &JsValue) -> String {
    if let Some(text) = method.as_string() {
        return text;
    }
    if method.is_undefined() {
        return "undefined".to_owned();
    }
    if method.is_null() {
        return "null".to_owned();
    }
    if let Some(b) = method.as_bool() {
        return if b { "true" } else { "false" }.to_owned();
    }
    if let Some(n) = method.as_f64() {
        let mut text = String::new();
        crate::number::write_f64(n, &mut text);
        return text;
    }
    method.js_typeof().as_string().unwrap_or_default()
}

fn function(value: &JsValue) -> Option<Function> {
    value.dyn_ref::<Function>().cloned()
}

fn report_to_js(report: &crate::outbox::DeliveryReport) -> JsValue {
    let object: JsValue = js::Object::new().into();
    let set = |key: &str, value: JsValue| {
        let _ = js::set(&object, &JsValue::from_str(key), &value);
    };
    set("status", report.status.map_or(JsValue::NULL, |s| JsValue::from_f64(f64::from(s))));
    set("message", JsValue::from_str(&report.message));
    set("events", JsValue::from_f64(report.events as f64));
    set("delivered", JsValue::from_bool(report.delivered));
    set("willRetry", JsValue::from_bool(report.will_retry));
    object
}

impl Shared {
    /// Defers a call; an event method gets a Promise that follows it.
    fn defer_call(&self, method: Method, raw: Vec<JsValue>, values: Vec<Value>) -> JsValue {
        let (result, promise) = match method {
            Method::Event(_) | Method::SendEvents => new_promise(),
            _ => (JsValue::UNDEFINED, None),
        };
        if let Ok(mut queue) = self.deferred.try_borrow_mut() {
            queue.push(Deferred { method, raw, values, promise });
        }
        result
    }

    fn busy(&self) -> bool {
        self.client.try_borrow_mut().is_err()
    }

    /// Runs what waited for the client, oldest first.
    fn run_deferred(&self) {
        loop {
            let next = match self.deferred.try_borrow_mut() {
                Ok(mut queue) if !queue.is_empty() && !self.busy() => queue.remove(0),
                _ => return,
            };
            let Deferred { method, raw, values, promise } = next;
            let result = self.run(method, raw, values);
            match (result, promise) {
                (Ok(value), Some((resolve, _))) => drop(resolve.call1(&JsValue::UNDEFINED, &value)),
                (Err(error), Some((_, reject))) => drop(reject.call1(&JsValue::UNDEFINED, &error)),
                (Err(error), None) => super::page::report(true, "search-insights: a delayed call failed:", &error),
                (Ok(_), None) => {}
            }
        }
    }

    /// The page is being hidden. Events called meanwhile (by a `fetch` or
    /// `sendBeacon` wrapper, a hook) leave with it: up to two more rounds.
    fn page_hide(&self) {
        for _ in 0..3 {
            let calls = self.event_calls.get();
            if let Ok(mut client) = self.client.try_borrow_mut() {
                client.on_page_hide();
            }
            self.settle_in_background();
            self.run_deferred();
            if self.event_calls.get() == calls {
                break;
            }
        }
    }

    /// (`storage` events come in tasks of their own.)
    fn storage_changed(&self, key: &str) {
        if key.is_empty() || key == crate::query_cache::STORAGE_KEY {
            if let Ok(mut client) = self.client.try_borrow_mut() {
                client.on_storage_changed();
            }
        }
    }

    fn settle_in_background(&self) {
        if let Err(error) = self.settle() {
            super::page::report(true, "search-insights: a callback threw", &error);
        }
    }

    /// Does what the core asked of the page, then tells page code what
    /// changed: token callbacks, settled Promises, delivery reports. The
    /// first exception a callback throws is returned.
    fn settle(&self) -> Result<(), JsValue> {
        let (effects, page, requester, notices, progress) = match self.client.try_borrow_mut() {
            Ok(mut client) => {
                let (notices, progress) = (client.take_notices(), client.take_progress());
                let env = client.env_mut();
                (std::mem::take(&mut env.effects), env.shared.clone(), env.requester.clone(), notices, progress)
            }
            Err(_) => return Ok(()),
        };
        for effect in effects {
            effect.perform(&page, &requester);
        }
        let Progress { completions, reports } = progress;
        let mut first_error = Ok(());
        let mut keep = |result: Result<JsValue, JsValue>| {
            if let Err(e) = result {
                if first_error.is_ok() {
                    first_error = Err(e);
                }
            }
        };
        for notice in notices {
            // (`try_borrow` everywhere: no callback runs while a borrow is held,
            // and a failed borrow must skip, never panic.)
            let (callback, value) = {
                let hooks = self.hooks.try_borrow();
                match notice {
                    Notice::UserToken(v) => (hooks.ok().and_then(|h| h.on_user_token.clone()), v),
                    Notice::AuthenticatedUserToken(v) => (hooks.ok().and_then(|h| h.on_authenticated_user_token.clone()), v),
                }
            };
            if let Some(callback) = callback {
                keep(callback.call1(&JsValue::UNDEFINED, &to_js(&value)));
            }
        }
        for (call, delivered) in completions {
            let resolve = self.hooks.try_borrow_mut().ok().and_then(|mut hooks| {
                let index = hooks.pending.iter().position(|(id, _)| *id == call);
                index.map(|i| hooks.pending.swap_remove(i).1)
            });
            if let Some(resolve) = resolve {
                keep(resolve.call1(&JsValue::UNDEFINED, &JsValue::from_bool(delivered)));
            }
        }
        let on_delivery = self.hooks.try_borrow().ok().and_then(|h| h.on_delivery.clone());
        if let Some(callback) = on_delivery {
            for report in &reports {
                keep(callback.call1(&JsValue::UNDEFINED, &report_to_js(report)));
            }
        }
        first_error
    }
}

impl PageOwner for Shared {
    /// A wake-up scheduled by the core fired (in a task of its own: the
    /// client is never busy then).
    fn wake(&self) {
        if let Ok(mut client) = self.client.try_borrow_mut() {
            client.on_wake();
        }
        self.settle_in_background();
        self.run_deferred();
    }

    /// A request ended (`post` answers in a later task or microtask: the
    /// client is never busy then).
    fn response(&self, request_id: u64, outcome: ResponseOutcome) {
        if let Ok(mut client) = self.client.try_borrow_mut() {
            client.on_response(request_id, outcome);
        }
        self.settle_in_background();
        self.run_deferred();
    }

    /// The Web Locks API granted the lock `name` (held for the page's life).
    fn lock_granted(self: Rc<Self>, name: String) {
        if let Ok(mut client) = self.client.try_borrow_mut() {
            client.on_lock_granted(&name);
        } else {
            // (Lock callbacks are tasks of their own, so this does not
            // happen; if it did, the grant must not be lost.)
            let shared = Rc::downgrade(&self);
            super::page::later(
                0.0,
                Closure::once_into_js(move || {
                    if let Some(shared) = shared.upgrade() {
                        shared.lock_granted(name);
                    }
                }),
            );
            return;
        }
        self.settle_in_background();
        self.run_deferred();
    }
}

impl Shared {
    /// `aa(method, ...args)`, or deferred when the client is busy.
    fn call(&self, method: &JsValue, args: &JsValue) -> Result<JsValue, JsValue> {
        let Some(method) = method.as_string().as_deref().and_then(Method::from_name) else {
            let name = method_name_text(method);
            super::page::report(false, &text!("The method `", name, "` doesn't exist."), &JsValue::UNDEFINED);
            return Ok(JsValue::UNDEFINED);
        };
        // Read through Reflect: `args` is whatever the page passed.
        let raw: Vec<JsValue> = convert::arguments(args);
        let mut values = Vec::with_capacity(raw.len());
        // Callback registrations need no conversion.
        if !is_registration(method) {
            for (i, arg) in raw.iter().enumerate() {
                let value = convert::argument(arg, i).map_err(|e| {
                    js_error(&InsightsError::invalid(method.name(), e.path, e.problem))
                })?;
                values.push(value);
            }
        }
        self.run(method, raw, values)
    }

    /// Runs a converted call: its answer, or (client busy) deferred.
    fn run(&self, method: Method, raw: Vec<JsValue>, values: Vec<Value>) -> Result<JsValue, JsValue> {
        let raw_arg = |i: usize| raw.get(i).cloned().unwrap_or(JsValue::UNDEFINED);
        if is_registration(method) {
            if self.busy() {
                return Ok(self.defer_call(method, raw, values));
            }
            return self.register(method, function(&raw_arg(0)), &raw_arg(1));
        }
        let reply = match self.client.try_borrow_mut() {
            Ok(mut client) => client.call(method, &values),
            Err(_) => return Ok(self.defer_call(method, raw, values)),
        };
        let result = match reply {
            Err(error) => {
                self.settle().map_err(|e| callback_error(method, &e))?;
                return Err(js_error(&error));
            }
            Ok(Reply::Value(value)) => to_js(&value),
            Ok(Reply::Settled(delivered)) => js::resolved(&JsValue::from_bool(delivered)),
            Ok(Reply::Pending(call)) => {
                self.event_calls.set(self.event_calls.get().wrapping_add(1));
                let (promise, functions) = new_promise();
                if let (Some((resolve, _)), Ok(mut hooks)) = (functions, self.hooks.try_borrow_mut()) {
                    hooks.pending.push((call, resolve));
                }
                promise
            }
        };
        self.settle().map_err(|e| callback_error(method, &e))?;
        // Node-style and plain callbacks, after the state changed.
        match method {
            Method::GetUserToken | Method::GetAuthenticatedUserToken => {
                if let Some(callback) = function(&raw_arg(1)) {
                    callback.call2(&JsValue::UNDEFINED, &JsValue::NULL, &result).map_err(|e| callback_error(method, &e))?;
                }
            }
            Method::GetVersion => {
                if let Some(callback) = function(&raw_arg(0)) {
                    callback.call1(&JsValue::UNDEFINED, &result).map_err(|e| callback_error(method, &e))?;
                }
            }
            _ => {}
        }
        Ok(result)
    }

    fn register(&self, method: Method, callback: Option<Function>, options: &JsValue) -> Result<JsValue, JsValue> {
        if let Ok(mut hooks) = self.hooks.try_borrow_mut() {
            match method {
                Method::OnUserTokenChange => hooks.on_user_token = callback.clone(),
                Method::OnAuthenticatedUserTokenChange => hooks.on_authenticated_user_token = callback.clone(),
                _ => hooks.on_delivery = callback.clone(),
            }
        }
        let immediate = js::get(options, &JsValue::from_str("immediate")).ok().is_some_and(|v| v.is_truthy());
        if let (Some(callback), true, false) = (callback, immediate, method == Method::OnDelivery) {
            let current = match self.client.try_borrow() {
                Ok(client) if method == Method::OnUserTokenChange => client.user_token(),
                Ok(client) => client.authenticated_user_token(),
                Err(_) => Value::Undefined,
            };
            callback.call1(&JsValue::UNDEFINED, &to_js(&current)).map_err(|e| callback_error(method, &e))?;
        }
        Ok(JsValue::UNDEFINED)
    }
}

/// A new Promise and its `resolve` and `reject`.
fn new_promise() -> (JsValue, Option<(Function, Function)>) {
    let parts = deferred();
    let resolve = parts.get(1).dyn_into::<Function>().ok();
    let reject = parts.get(2).dyn_into::<Function>().ok();
    (parts.get(0), resolve.zip(reject))
}

fn is_registration(method: Method) -> bool {
    matches!(method, Method::OnUserTokenChange | Method::OnAuthenticatedUserTokenChange | Method::OnDelivery)
}

/// One insights client. `new Insights()` gives an independent instance;
/// `insights.call("clickedObjectIDs", [event])` is `aa("clickedObjectIDs", event)`.
#[wasm_bindgen]
pub struct Insights {
    shared: Rc<Shared>,
}

#[wasm_bindgen]
impl Insights {
    /// A client in its state before `init`, listening for the page being hidden.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Insights {
        let shared = Rc::new_cyclic(|weak| Shared {
            client: RefCell::new(InsightsClient::new(BrowserPage { shared: weak.clone(), effects: Vec::new(), requester: JsValue::UNDEFINED })),
            hooks: RefCell::new(Hooks::default()),
            deferred: RefCell::new(Vec::new()),
            event_calls: Cell::new(0),
        });
        let on_hide = Rc::downgrade(&shared);
        let on_storage = Rc::downgrade(&shared);
        watch_page(
            Closure::<dyn Fn()>::new(move || {
                if let Some(shared) = on_hide.upgrade() {
                    shared.page_hide();
                }
            })
            .into_js_value(),
            Closure::<dyn Fn(String)>::new(move |key: String| {
                if let Some(shared) = on_storage.upgrade() {
                    shared.storage_changed(&key);
                }
            })
            .into_js_value(),
        );
        Insights { shared }
    }

    /// `aa(method, ...args)`: returns what search-insights returns (a Promise
    /// for event methods), throws an `Error` for bad input. Calls that waited
    /// for the client run first, and those made meanwhile right after.
    pub fn call(&self, method: JsValue, args: JsValue) -> Result<JsValue, JsValue> {
        self.shared.run_deferred();
        let result = self.shared.call(&method, &args);
        self.shared.run_deferred();
        result
    }

    /// Sends every request of this client with `request_fn(url, data)`
    /// instead of `fetch`/`sendBeacon` (search-insights'
    /// `createInsightsClient(requestFn)`); anything but a function restores
    /// the built-in transport. Call it before the first event.
    #[wasm_bindgen(js_name = useRequester)]
    pub fn use_requester(&self, request_fn: JsValue) {
        if let Ok(mut client) = self.shared.client.try_borrow_mut() {
            client.env_mut().requester = if request_fn.is_function() { request_fn } else { JsValue::UNDEFINED };
        }
    }

    /// Events queued or in flight (for tests and the debugger).
    #[wasm_bindgen(js_name = pendingEvents)]
    pub fn pending_events(&self) -> usize {
        self.shared.client.try_borrow().map_or(0, |c| c.pending_events())
    }
}
