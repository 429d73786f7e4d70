//! What the scenario's calls should have done, worked out from the calls
//! themselves (never from the library's code), and the checks of behaviour
//! against it:
//!
//! - exactly once: no event is delivered (a 2xx answer, or a beacon the
//!   browser took) more often than it has parts; every call of the last page
//!   that met no trouble the scenario made (an answer other than 2xx, a
//!   reset or opt-out, broken storage, an old clock…) is delivered in full;
//! - settle once: every accepted event call's completion comes exactly once
//!   on its page, `true` only when all its events were delivered, `false`
//!   only when one was not, and none for a call never made;
//! - content: each delivered event carries the eventType, eventSubtype,
//!   queryID, userToken and authenticatedUserToken its call asked for;
//! - consent: no cookie is written outside `init` with consent and the two
//!   methods that ask for it, none for an opted-out visitor, and without
//!   storage consent the stored outbox gains no event;
//! - a call the scenario knows to be valid is not refused.
//!
//! Each check returns `Err(why)`; the scenario panics with it.

use serde_json::Value as Json;

use search_insights_wasm::Value;

/// Three-valued knowledge: the model cannot always tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tri {
    /// Known true.
    Yes,
    /// Known false.
    No,
    /// Not known (a value whose effect the model does not work out).
    Unknown,
}

impl From<bool> for Tri {
    fn from(b: bool) -> Tri {
        if b {
            Tri::Yes
        } else {
            Tri::No
        }
    }
}

/// The user token the model expects the library to hold.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// None: events without their own token get a new anonymous one.
    None,
    /// This exact token.
    Exact(String),
    /// Some anonymous token (from a cookie or made up), the same until changed:
    /// slot `n`, bound to the first one seen.
    Slot(usize),
    /// Not known.
    Unknown,
}

/// JavaScript truthiness, as `init`'s switches read it.
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Undefined | Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => *n != 0.0 && !n.is_nan(),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

fn field<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    match v {
        Value::Object(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}

fn nullish(v: Option<&Value>) -> bool {
    matches!(v, None | Some(Value::Undefined | Value::Null))
}

/// eventType and eventSubtype of each typed event method (from search-insights' docs).
fn typed(name: &str) -> Option<(&'static str, Option<&'static str>)> {
    Some(match name {
        "clickedObjectIDsAfterSearch" | "clickedObjectIDs" | "clickedFilters" => ("click", None),
        "convertedObjectIDsAfterSearch" | "convertedObjectIDs" | "convertedFilters" => {
            ("conversion", None)
        }
        "addedToCartObjectIDsAfterSearch" | "addedToCartObjectIDs" => {
            ("conversion", Some("addToCart"))
        }
        "purchasedObjectIDsAfterSearch" | "purchasedObjectIDs" => ("conversion", Some("purchase")),
        "viewedObjectIDs" | "viewedFilters" => ("view", None),
        _ => return None,
    })
}

/// What one tracked event should look like when delivered.
#[derive(Debug, Clone)]
pub struct Expected {
    /// eventType (`None`: not known).
    pub event_type: Option<String>,
    /// eventSubtype (`None`: not known; `Some(None)`: absent).
    pub subtype: Option<Option<String>>,
    /// queryID.
    pub query_id: Option<Option<String>>,
    /// userToken.
    pub user_token: Tok,
    /// authenticatedUserToken (`Tok::None`: absent).
    pub auth: Tok,
}

#[derive(Debug)]
struct Tracked {
    marker: String,
    parts: usize,
    delivered: usize,
    expected: Expected,
}

#[derive(Debug)]
struct Call {
    page: u32,
    id: u64,
    /// Indexes into `events`.
    events: Vec<usize>,
    settled: Option<bool>,
    /// The scenario made trouble that may lose its events.
    excused: bool,
    made_at: f64,
}

/// The model of one scenario.
#[derive(Debug)]
pub struct Model {
    prefix: String,
    issued: usize,
    events: Vec<Tracked>,
    calls: Vec<Call>,
    slots: Vec<Option<String>>,
    /// Page number (reloads).
    pub page: u32,
    /// Storage consent (`useCookie` and not opted out).
    pub use_cookie: Tri,
    /// `userHasOptedOut`.
    pub opted_out: Tri,
    /// `anonymousUserToken`.
    pub anonymous: Tri,
    /// appId and apiKey given.
    pub credentials: Tri,
    /// The user token.
    pub user: Tok,
    /// The authenticated user token.
    pub auth: Tok,
    /// Characters of agents added since `init`.
    pub agents_len: usize,
    /// An `init` of this page set `maxEventAge`: events may expire quickly.
    pub short_age: bool,
}

/// Cookies disabled on the page (the model's input about the page).
pub struct PageFacts {
    /// `navigator.cookieEnabled` is false.
    pub cookies_disabled: bool,
}

impl Model {
    /// A model whose markers start with `fz<nonce>-`.
    pub fn new(nonce: u64) -> Model {
        Model {
            prefix: format!("fz{nonce:016x}-"),
            issued: 0,
            events: Vec::new(),
            calls: Vec::new(),
            slots: Vec::new(),
            page: 0,
            use_cookie: Tri::No,
            opted_out: Tri::No,
            anonymous: Tri::Yes,
            credentials: Tri::No,
            user: Tok::None,
            auth: Tok::None,
            agents_len: 0,
            short_age: false,
        }
    }

    /// A new marker (an event's eventName), never given before.
    pub fn next_marker(&mut self) -> String {
        self.issued += 1;
        format!("{}{}", self.prefix, self.issued)
    }

    /// Storage consent as the model sees it.
    pub fn consent(&self) -> Tri {
        match (self.use_cookie, self.opted_out) {
            (Tri::Yes, Tri::No) => Tri::Yes,
            (Tri::No, _) | (_, Tri::Yes) => Tri::No,
            _ => Tri::Unknown,
        }
    }

    fn new_slot(&mut self) -> Tok {
        self.slots.push(None);
        Tok::Slot(self.slots.len() - 1)
    }

    fn excuse_open(&mut self) {
        let page = self.page;
        for c in self
            .calls
            .iter_mut()
            .filter(|c| c.page == page && c.settled.is_none())
        {
            c.excused = true;
        }
    }

    /// Trouble for every open call of the page (broken storage, a reset…).
    pub fn trouble(&mut self) {
        self.excuse_open();
    }

    /// The page was replaced by the next one.
    pub fn next_page(&mut self) {
        self.page += 1;
        self.use_cookie = Tri::No;
        self.opted_out = Tri::No;
        self.anonymous = Tri::Yes;
        self.credentials = Tri::No;
        self.user = Tok::None;
        self.auth = Tok::None;
        self.agents_len = 0;
        self.short_age = false;
    }

    /// An accepted `init(options)`.
    pub fn init(&mut self, options: &Value, page: &PageFacts) {
        let partial = field(options, "partial").is_some_and(truthy);
        let switch = |key: &str, current: Tri, default: bool| match field(options, key) {
            Some(v) => Tri::from(truthy(v)),
            None if partial => current,
            None => Tri::from(default),
        };
        self.use_cookie = switch("useCookie", self.use_cookie, false);
        self.opted_out = switch("userHasOptedOut", self.opted_out, false);
        self.anonymous = switch("anonymousUserToken", self.anonymous, true);
        // (Credentials and a host long enough to bring the request URL near
        // the 8 KB the library allows are not asserted either way: past it,
        // init is refused; below it, agents may still tip it over.)
        let long = |key: &str| matches!(field(options, key), Some(Value::String(s)) if s.len() > 200);
        let key_ok = |key: &str| match field(options, key) {
            Some(Value::String(s)) if !s.is_empty() && s.len() <= 200 => Some(true),
            None => None,
            Some(_) => Some(false),
        };
        self.credentials = match (key_ok("appId"), key_ok("apiKey")) {
            _ if long("host") => Tri::Unknown,
            (Some(true), Some(true)) => Tri::Yes,
            (None, None) if partial => self.credentials,
            _ => Tri::Unknown,
        };
        self.agents_len = 0;
        if field(options, "maxEventAge").is_some() {
            self.short_age = true;
            self.excuse_open();
        }
        if self.opted_out != Tri::No {
            self.excuse_open();
        }
        match field(options, "authenticatedUserToken") {
            None => {}
            Some(Value::String(s)) if s.is_empty() => self.auth = Tok::None,
            Some(Value::String(s)) => self.auth = Tok::Exact(s.clone()),
            Some(_) => self.auth = Tok::Unknown,
        }
        match field(options, "userToken") {
            None => {}
            Some(Value::String(s)) if !s.is_empty() => self.user = Tok::Exact(s.clone()),
            Some(_) => self.user = Tok::Unknown,
        }
        if self.user == Tok::None
            && self.opted_out == Tri::No
            && self.use_cookie == Tri::Yes
            && !page.cookies_disabled
        {
            self.user = self.new_slot();
        } else if self.user == Tok::None
            && (self.opted_out == Tri::Unknown || self.use_cookie == Tri::Unknown)
        {
            self.user = Tok::Unknown;
        }
    }

    /// An accepted call of another method than `init` or an event method.
    pub fn other(&mut self, name: &str, args: &[Value], page: &PageFacts) {
        let arg = args.first().unwrap_or(&Value::Undefined);
        let token = |v: &Value| match v {
            Value::Undefined | Value::Null => Tok::None,
            Value::String(s) if s.is_empty() => Tok::None,
            Value::String(s) => Tok::Exact(s.clone()),
            _ => Tok::Unknown,
        };
        match name {
            "setUserToken" => self.user = token(arg),
            "setAuthenticatedUserToken" => self.auth = token(arg),
            "setAnonymousUserToken" if truthy(arg) || !page.cookies_disabled => {
                self.user = self.new_slot()
            }
            "reset" => {
                self.user = Tok::None;
                self.auth = Tok::None;
                self.excuse_open();
            }
            "addAlgoliaAgent" => self.agents_len += arg.as_str().map_or(0, str::len) + 2,
            _ => {}
        }
    }

    /// The markers of `args` (events passed to an event method or in
    /// `sendEvents`' array) that carry one.
    fn event_args<'a>(&self, args: &'a [Value], send_events: bool) -> Vec<&'a Value> {
        let list: Vec<&Value> = if send_events {
            match args.first() {
                Some(Value::Array(items)) => items.iter().collect(),
                _ => Vec::new(),
            }
        } else {
            // search-insights: an object with an `index` key is an event, one
            // without is the additional params.
            args.iter()
                .filter(|a| field(a, "index").is_some())
                .collect()
        };
        list.into_iter()
            .filter(|a| matches!(field(a, "eventName"), Some(Value::String(s)) if s.starts_with(&self.prefix)))
            .collect()
    }

    /// Whether each event of the call has its own userToken.
    fn own_tokens(args: &[&Value]) -> bool {
        args.iter()
            .all(|a| matches!(field(a, "userToken"), Some(Value::String(s)) if !s.is_empty()))
    }

    /// Whether a call of event method `name` whose arguments are all as the
    /// templates made them (`pristine`) must be accepted in the model's state.
    pub fn event_call_valid(&self, name: &str, args: &[Value], pristine: bool) -> bool {
        let events = self.event_args(args, name == "sendEvents");
        let token = Model::own_tokens(&events)
            || matches!(self.user, Tok::Exact(_) | Tok::Slot(_))
            || self.anonymous == Tri::Yes;
        pristine
            && !events.is_empty()
            && self.opted_out == Tri::No
            && self.credentials == Tri::Yes
            && token
            && self.agents_len < 2000
    }

    /// An accepted event call answered with a Promise for call `id` (made at
    /// `now`): its tracked events.
    pub fn event_call(
        &mut self,
        name: &str,
        args: &[Value],
        id: u64,
        now: f64,
    ) -> Result<(), String> {
        if self.calls.iter().any(|c| c.page == self.page && c.id == id) {
            return Err(format!("call id {id} given twice on one page"));
        }
        if self.user == Tok::None {
            // The library makes up an anonymous token (when it may) and keeps it.
            match self.anonymous {
                Tri::Yes => self.user = self.new_slot(),
                Tri::No => {}
                Tri::Unknown => self.user = Tok::Unknown,
            }
        }
        let events = self.event_args(args, name == "sendEvents");
        let mut indexes = Vec::new();
        let mut excused = self.short_age;
        for arg in events {
            let Some(Value::String(marker)) = field(arg, "eventName") else {
                continue;
            };
            if self.events.iter().any(|e| &e.marker == marker) {
                continue;
            }
            let len = |k: &str| match field(arg, k) {
                Some(Value::Array(items)) => items.len(),
                _ => 0,
            };
            let parts = len("objectIDs").max(len("filters")).div_ceil(20).max(1);
            let string = |k: &str| match field(arg, k) {
                Some(Value::String(s)) => Some(Some(s.clone())),
                v if nullish(v) => Some(None),
                _ => None,
            };
            let (event_type, subtype) = match typed(name) {
                Some((t, Some(s))) => (Some(t.to_owned()), Some(Some(s.to_owned()))),
                Some((t, None)) => (Some(t.to_owned()), string("eventSubtype")),
                None => (string("eventType").flatten(), string("eventSubtype")),
            };
            let user_token = match field(arg, "userToken") {
                Some(Value::String(s)) if !s.is_empty() => Tok::Exact(s.clone()),
                v if nullish(v) => self.user.clone(),
                _ => Tok::Unknown,
            };
            let auth = match field(arg, "authenticatedUserToken") {
                Some(Value::String(s)) if s.is_empty() => Tok::None,
                Some(Value::String(s)) => Tok::Exact(s.clone()),
                v if nullish(v) => self.auth.clone(),
                _ => Tok::Unknown,
            };
            excused |= field(arg, "timestamp").is_some();
            let expected = Expected {
                event_type,
                subtype,
                query_id: string("queryID"),
                user_token,
                auth,
            };
            self.events.push(Tracked {
                marker: marker.clone(),
                parts,
                delivered: 0,
                expected,
            });
            indexes.push(self.events.len() - 1);
        }
        self.calls.push(Call {
            page: self.page,
            id,
            events: indexes,
            settled: None,
            excused,
            made_at: now,
        });
        Ok(())
    }

    /// The tracked events in a request body (indexes), for an answer.
    fn tracked_in(&self, body: &str) -> Vec<usize> {
        let Ok(json) = serde_json::from_str::<Json>(body) else {
            return Vec::new();
        };
        let Some(events) = json.get("events").and_then(Json::as_array) else {
            return Vec::new();
        };
        events
            .iter()
            .filter_map(|e| e.get("eventName").and_then(Json::as_str))
            .filter_map(|name| self.events.iter().position(|t| t.marker == name))
            .collect()
    }

    /// A request with `body` failed (not 2xx): its calls may lose events.
    pub fn failed(&mut self, body: &str) {
        let hit = self.tracked_in(body);
        for c in &mut self.calls {
            if c.events.iter().any(|e| hit.contains(e)) {
                c.excused = true;
            }
        }
    }

    /// A request with `body` was delivered: each tracked event in it counts
    /// once, and must look as its call asked.
    pub fn delivered(&mut self, body: &str) -> Result<(), String> {
        let json: Json = serde_json::from_str(body)
            .map_err(|e| format!("a delivered body is not JSON ({e})"))?;
        let events = json
            .get("events")
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default();
        for event in &events {
            let Some(name) = event.get("eventName").and_then(Json::as_str) else {
                continue;
            };
            if !name.starts_with(&self.prefix) {
                continue; // not made by this scenario's calls (stored by "another script")
            }
            let Some(i) = self.events.iter().position(|t| t.marker == name) else {
                return Err(format!("delivered event {name} that no accepted call made"));
            };
            let Some(tracked) = self.events.get_mut(i) else {
                continue;
            };
            tracked.delivered += 1;
            if tracked.delivered > tracked.parts {
                return Err(format!(
                    "event {name} delivered {} times, it has {} part(s)",
                    tracked.delivered, tracked.parts
                ));
            }
            let expected = tracked.expected.clone();
            self.check_content(name, event, &expected)?;
        }
        Ok(())
    }

    fn check_content(
        &mut self,
        name: &str,
        event: &Json,
        expected: &Expected,
    ) -> Result<(), String> {
        let got = |k: &str| event.get(k).and_then(Json::as_str).map(str::to_owned);
        if let Some(t) = &expected.event_type {
            if got("eventType").as_ref() != Some(t) {
                return Err(format!(
                    "event {name}: eventType {:?}, expected {t:?}",
                    got("eventType")
                ));
            }
        }
        for (key, want) in [
            ("eventSubtype", &expected.subtype),
            ("queryID", &expected.query_id),
        ] {
            if let Some(want) = want {
                if &got(key) != want {
                    return Err(format!(
                        "event {name}: {key} {:?}, expected {want:?}",
                        got(key)
                    ));
                }
            }
        }
        for (key, want) in [
            ("userToken", &expected.user_token),
            ("authenticatedUserToken", &expected.auth),
        ] {
            let have = got(key);
            match want {
                Tok::Unknown => {}
                Tok::None if key == "authenticatedUserToken" => {
                    if have.is_some() {
                        return Err(format!("event {name}: {key} {have:?}, expected none"));
                    }
                }
                Tok::None => {}
                Tok::Exact(s) => {
                    if have.as_ref() != Some(s) {
                        return Err(format!("event {name}: {key} {have:?}, expected {s:?}"));
                    }
                }
                Tok::Slot(n) => {
                    let Some(have) = have else {
                        return Err(format!("event {name}: no {key}, expected an anonymous one"));
                    };
                    if !have.starts_with("anonymous-") {
                        return Err(format!(
                            "event {name}: {key} {have:?}, expected an anonymous token"
                        ));
                    }
                    match self.slots.get_mut(*n) {
                        Some(Some(bound)) if *bound != have => {
                            return Err(format!("event {name}: {key} {have:?}, expected the anonymous token {bound:?} of its time"));
                        }
                        Some(slot @ None) => *slot = Some(have),
                        _ => {}
                    }
                }
            }
        }
        Ok(())
    }

    /// The completion of call `id` on this page.
    pub fn completion(&mut self, id: u64, delivered: bool) -> Result<(), String> {
        let page = self.page;
        let Some(call) = self.calls.iter_mut().find(|c| c.page == page && c.id == id) else {
            return Err(format!(
                "completion of call {id}, which was never made on this page"
            ));
        };
        if let Some(before) = call.settled {
            return Err(format!(
                "call {id} settled twice ({before}, then {delivered})"
            ));
        }
        call.settled = Some(delivered);
        let all = call
            .events
            .iter()
            .all(|&i| self.events.get(i).is_some_and(|t| t.delivered >= t.parts));
        if delivered && !all {
            let counts: Vec<String> = call
                .events
                .iter()
                .filter_map(|&i| self.events.get(i))
                .map(|t| format!("{} {}/{}", t.marker, t.delivered, t.parts))
                .collect();
            return Err(format!(
                "call {id} resolved true before all its events were delivered: {counts:?}"
            ));
        }
        if !delivered && all && !call.events.is_empty() {
            return Err(format!(
                "call {id} resolved false although all its events were delivered"
            ));
        }
        Ok(())
    }

    /// The end of the scenario, after draining at `now`: every call of this
    /// page settled, and delivered in full unless the scenario made trouble.
    pub fn at_end(&self, now: f64) -> Result<(), String> {
        for call in self.calls.iter().filter(|c| c.page == self.page) {
            let Some(delivered) = call.settled else {
                return Err(format!("call {} never settled", call.id));
            };
            // Events older than 3 days may be past a 4-day limit: excused.
            let old = now - call.made_at > 259_200_000.0;
            if call.excused || old {
                continue;
            }
            if !delivered {
                return Err(format!(
                    "call {} lost its events although every answer was 2xx",
                    call.id
                ));
            }
            for &i in &call.events {
                if let Some(t) = self.events.get(i) {
                    if t.delivered != t.parts {
                        return Err(format!(
                            "event {} delivered {} time(s), expected {}",
                            t.marker, t.delivered, t.parts
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// A non-deleting cookie write during `context` (a method name, or
    /// "background"), judged with the model's state after it.
    pub fn cookie_written(&self, context: &str, cookie: &str) -> Result<(), String> {
        if cookie.contains("expires=Thu, 01 Jan 1970 00:00:00 GMT") {
            return Ok(());
        }
        if self.opted_out == Tri::Yes {
            return Err(format!(
                "cookie written for an opted-out visitor during {context}: {cookie:?}"
            ));
        }
        let explicit = matches!(context, "setAnonymousUserToken" | "saveTokenAsCookie");
        if explicit || self.consent() != Tri::No {
            return Ok(());
        }
        Err(format!(
            "cookie written without consent (useCookie not true) during {context}: {cookie:?}"
        ))
    }

    /// A `localStorage` write of the outbox (`old` → `new`) during `context`.
    pub fn outbox_written(
        &self,
        context: &str,
        old: Option<&str>,
        new: &str,
    ) -> Result<(), String> {
        if self.consent() != Tri::No {
            return Ok(());
        }
        let ids = |text: Option<&str>| -> Vec<String> {
            let json: Option<Json> = text.and_then(|t| serde_json::from_str(t).ok());
            json.as_ref()
                .and_then(|j| j.get("e"))
                .and_then(Json::as_array)
                .map(|records| {
                    records
                        .iter()
                        .filter_map(|r| r.get("id").and_then(Json::as_str).map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        let before = ids(old);
        match ids(Some(new)).into_iter().find(|id| !before.contains(id)) {
            Some(id) => Err(format!(
                "the outbox stored event {id} without storage consent, during {context}"
            )),
            None => Ok(()),
        }
    }
}

/// Whether a call the scenario knows to be valid was refused.
pub fn refused(valid: bool, name: &str, outcome: &Result<(), String>) -> Result<(), String> {
    match outcome {
        Err(message) if valid => Err(format!("a valid call was refused: {name}: {message}")),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    //! Each check fed a known-bad input must fail (and a good one pass).
    use super::*;

    const PAGE: PageFacts = PageFacts {
        cookies_disabled: false,
    };

    fn event(marker: &str, extra: &[(&str, Value)]) -> Value {
        let mut fields = vec![
            ("index", Value::str("products")),
            ("eventName", Value::String(marker.to_owned())),
            ("objectIDs", Value::Array(vec![Value::str("obj-0")])),
        ];
        fields.extend(extra.iter().cloned());
        Value::object(fields)
    }

    fn body(events: &[&str]) -> String {
        format!(r#"{{"events":[{}]}}"#, events.join(","))
    }

    /// A model after a good init, with one clickedObjectIDs call (id 1) made.
    fn with_one_call() -> (Model, String) {
        let mut m = Model::new(7);
        let options = Value::object([
            ("appId", Value::str("a")),
            ("apiKey", Value::str("k")),
            ("userToken", Value::str("user-1")),
        ]);
        m.init(&options, &PAGE);
        let marker = m.next_marker();
        let args = [event(&marker, &[])];
        assert!(m.event_call_valid("clickedObjectIDs", &args, true));
        m.event_call("clickedObjectIDs", &args, 1, 0.0)
            .expect("recorded");
        (m, marker)
    }

    fn delivered_json(marker: &str, token: &str, event_type: &str) -> String {
        format!(
            r#"{{"eventType":"{event_type}","eventName":"{marker}","index":"products","userToken":"{token}","objectIDs":["obj-0"]}}"#
        )
    }

    #[test]
    fn exactly_once_fails_on_a_second_delivery() {
        let (mut m, marker) = with_one_call();
        let one = body(&[&delivered_json(&marker, "user-1", "click")]);
        assert_eq!(m.delivered(&one), Ok(()));
        assert!(m.delivered(&one).unwrap_err().contains("delivered 2 times"));
    }

    #[test]
    fn exactly_once_fails_on_an_event_no_call_made() {
        let (mut m, _) = with_one_call();
        let forged = m.next_marker();
        assert!(m
            .delivered(&body(&[&delivered_json(&forged, "user-1", "click")]))
            .unwrap_err()
            .contains("no accepted call"));
        // Events other scripts stored (no marker of this scenario) are not judged.
        assert_eq!(
            m.delivered(&body(&[&delivered_json("Fuzz event", "x", "view")])),
            Ok(())
        );
    }

    #[test]
    fn exactly_once_fails_on_a_lost_event() {
        let (mut m, _) = with_one_call();
        assert!(m.completion(1, false).is_ok());
        assert!(m.at_end(0.0).unwrap_err().contains("lost its events"));
        // …but not when the scenario made trouble (a failed answer).
        let (mut m, marker) = with_one_call();
        m.failed(&body(&[&delivered_json(&marker, "user-1", "click")]));
        assert!(m.completion(1, false).is_ok());
        assert_eq!(m.at_end(0.0), Ok(()));
    }

    #[test]
    fn settle_once_fails_twice_never_early_or_unknown() {
        let (mut m, marker) = with_one_call();
        assert!(m.at_end(0.0).unwrap_err().contains("never settled"));
        assert!(m
            .completion(1, true)
            .unwrap_err()
            .contains("before all its events"));
        let (mut m, _) = with_one_call();
        assert!(m.completion(2, true).unwrap_err().contains("never made"));
        m.delivered(&body(&[&delivered_json(&marker, "user-1", "click")]))
            .expect("once");
        assert_eq!(m.completion(1, true), Ok(()));
        assert!(m.completion(1, true).unwrap_err().contains("settled twice"));
        assert_eq!(m.at_end(0.0), Ok(()));
        let (mut m, marker) = with_one_call();
        m.delivered(&body(&[&delivered_json(&marker, "user-1", "click")]))
            .expect("once");
        assert!(m
            .completion(1, false)
            .unwrap_err()
            .contains("resolved false"));
    }

    #[test]
    fn content_fails_on_a_wrong_token_query_id_or_type() {
        let (mut m, marker) = with_one_call();
        assert!(m
            .delivered(&body(&[&delivered_json(&marker, "user-2", "click")]))
            .unwrap_err()
            .contains("userToken"));
        let (mut m, marker) = with_one_call();
        assert!(m
            .delivered(&body(&[&delivered_json(&marker, "user-1", "view")]))
            .unwrap_err()
            .contains("eventType"));
        let (mut m, marker) = with_one_call();
        let with_query = delivered_json(&marker, "user-1", "click")
            .replace(r#""index""#, r#""queryID":"0123","index""#);
        assert!(m
            .delivered(&body(&[&with_query]))
            .unwrap_err()
            .contains("queryID"));
        // Anonymous tokens: the same one until it changes.
        let mut m = Model::new(1);
        m.init(
            &Value::object([("appId", Value::str("a")), ("apiKey", Value::str("k"))]),
            &PAGE,
        );
        let (a, b) = (m.next_marker(), m.next_marker());
        m.event_call("viewedObjectIDs", &[event(&a, &[]), event(&b, &[])], 1, 0.0)
            .expect("recorded");
        assert_eq!(
            m.delivered(&body(&[&delivered_json(&a, "anonymous-1", "view")])),
            Ok(())
        );
        assert!(m
            .delivered(&body(&[&delivered_json(&b, "anonymous-2", "view")]))
            .unwrap_err()
            .contains("of its time"));
    }

    #[test]
    fn consent_fails_on_a_cookie_or_outbox_without_it() {
        let (m, _) = with_one_call();
        let cookie =
            "_ALGOLIA=anonymous-1;expires=Fri, 02 Jan 1970 00:00:00 GMT;path=/;SameSite=Lax";
        assert!(m
            .cookie_written("init", cookie)
            .unwrap_err()
            .contains("without consent"));
        assert_eq!(m.cookie_written("saveTokenAsCookie", cookie), Ok(()));
        assert_eq!(
            m.cookie_written(
                "init",
                "_ALGOLIA=;expires=Thu, 01 Jan 1970 00:00:00 GMT;path=/;SameSite=Lax"
            ),
            Ok(())
        );
        let stored = r#"{"v":1,"e":[{"id":"p-1"}]}"#;
        assert!(m
            .outbox_written("background", None, stored)
            .unwrap_err()
            .contains("without storage consent"));
        assert_eq!(
            m.outbox_written("background", Some(stored), r#"{"v":1,"e":[]}"#),
            Ok(())
        );
        let mut opted = Model::new(1);
        opted.init(
            &Value::object([
                ("useCookie", Value::Bool(true)),
                ("userHasOptedOut", Value::Bool(true)),
            ]),
            &PAGE,
        );
        assert!(opted
            .cookie_written("setAnonymousUserToken", cookie)
            .unwrap_err()
            .contains("opted-out"));
        let mut consent = Model::new(1);
        consent.init(&Value::object([("useCookie", Value::Bool(true))]), &PAGE);
        assert_eq!(consent.cookie_written("init", cookie), Ok(()));
        assert_eq!(consent.outbox_written("background", None, stored), Ok(()));
    }

    #[test]
    fn a_valid_call_refused_fails() {
        assert!(refused(true, "setUserToken", &Err("setUserToken: no".into())).is_err());
        assert_eq!(
            refused(false, "setUserToken", &Err("setUserToken: no".into())),
            Ok(())
        );
        let (mut m, _) = with_one_call();
        let marker = m.next_marker();
        assert!(m.event_call_valid("clickedObjectIDs", &[event(&marker, &[])], true));
        assert!(
            !m.event_call_valid("clickedObjectIDs", &[event(&marker, &[])], false),
            "mutated: cannot tell"
        );
        let mut fresh = Model::new(7);
        let marker = fresh.next_marker();
        assert!(
            !fresh.event_call_valid("clickedObjectIDs", &[event(&marker, &[])], true),
            "no init"
        );
    }
}
