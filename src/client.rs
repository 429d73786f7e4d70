//! `InsightsClient`: the state behind one `aa()` function and what each method
//! does to it, with search-insights v2 semantics.

use crate::cookie;
use crate::environment::{Environment, ResponseOutcome};
use crate::error::{InsightsError, Result};
use crate::event::{EventSubtype, EventType, InsightsEvent};
use crate::method::{EventMethod, Method};
use crate::options::{InitOptions, Settings};
use crate::outbox::{CallId, DeliveryPolicy, DeliveryReport, Outbox, Settled};
use crate::params::{self, AdditionalParams, API_KEY_HEADER, APP_ID_HEADER};
use crate::query_cache::QueryIdCache;
use crate::token::{HeldToken, UserToken};
use crate::value::Value;

/// The search-insights version whose behaviour this library reproduces; it is
/// what `aa.version` and `getVersion` report, so integrations that check the
/// version (InstantSearch) treat this library as that version.
pub const SEARCH_INSIGHTS_VERSION: &str = "2.17.3";
/// This library's own version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// How far ahead of the page's clock a caller's `timestamp` may be (the API
/// refuses events more than an hour in the future).
const MAX_FUTURE_MS: f64 = 3_600_000.0;
/// The longest agent `addAlgoliaAgent` takes.
const MAX_AGENT_LEN: usize = 512;
/// The longest request URL sent (credentials, agents and extra headers are in
/// it; servers refuse request lines past about 8 KB).
const MAX_URL_LEN: usize = 8192;
/// The largest event JSON sent: the API refuses request bodies over 2 MB
/// (less `{"events":[]}` around the event).
const MAX_EVENT_BYTES: usize = 2_000_000 - 13;

/// What a call gives back to JavaScript.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// A plain value (`undefined` for methods that return nothing).
    Value(Value),
    /// A Promise that settles when the call's events are delivered or given up.
    Pending(CallId),
    /// A Promise already settled (opted-out visitors: `false`).
    Settled(bool),
}

/// A token changed: the boundary calls the `on…TokenChange` callback.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// The user token is now this value (`undefined` when cleared).
    UserToken(Value),
    /// The authenticated user token is now this value.
    AuthenticatedUserToken(Value),
}

/// What happened in the background (a wake-up or a response).
#[derive(Debug, Default, PartialEq)]
pub struct Progress {
    /// Calls whose Promise resolves now: `(call, delivered)`.
    pub completions: Vec<(CallId, bool)>,
    /// What happened to requests that ended, for the `onDelivery` hook.
    pub reports: Vec<DeliveryReport>,
}

/// One insights client: settings, tokens, agents, outbox and query-ID cache,
/// over an [`Environment`] that gives it the page.
pub struct InsightsClient<E: Environment> {
    env: E,
    settings: Settings,
    user_token: HeldToken,
    authenticated_user_token: HeldToken,
    agents: Vec<String>,
    outbox: Outbox,
    query_cache: QueryIdCache,
    notices: Vec<Notice>,
    progress: Progress,
    restored: bool,
}

fn default_agents() -> Vec<String> {
    vec![text!("insights-js (", SEARCH_INSIGHTS_VERSION, ")"), text!("insights-js-wasm (", VERSION, ")")]
}

impl<E: Environment> InsightsClient<E> {
    /// A client in its state before `init`.
    pub fn new(mut env: E) -> Self {
        let page = env.random_bytes();
        let mut page_id = String::with_capacity(12);
        for b in page.iter().take(6) {
            page_id.extend(char::from_digit(u32::from(b >> 4), 16));
            page_id.extend(char::from_digit(u32::from(b & 15), 16));
        }
        InsightsClient {
            env,
            settings: Settings::default(),
            user_token: HeldToken::Undefined,
            authenticated_user_token: HeldToken::Undefined,
            agents: default_agents(),
            outbox: Outbox::new(page_id),
            query_cache: QueryIdCache::default(),
            notices: Vec::new(),
            progress: Progress::default(),
            restored: false,
        }
    }

    /// The environment (tests inspect it).
    pub fn env(&self) -> &E {
        &self.env
    }

    /// The environment, mutably.
    pub fn env_mut(&mut self) -> &mut E {
        &mut self.env
    }

    /// The current settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The current user token as `getUserToken` returns it.
    pub fn user_token(&self) -> Value {
        self.user_token.to_value()
    }

    /// The current authenticated user token.
    pub fn authenticated_user_token(&self) -> Value {
        self.authenticated_user_token.to_value()
    }

    /// Token changes since the last call, for the boundary's callbacks.
    pub fn take_notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.notices)
    }

    /// Calls settled and requests ended since the last call, for the boundary
    /// to resolve Promises and call the `onDelivery` hook.
    pub fn take_progress(&mut self) -> Progress {
        std::mem::take(&mut self.progress)
    }

    /// Events queued or in flight.
    pub fn pending_events(&self) -> usize {
        self.outbox.pending()
    }

    /// Runs `aa(method, ...args)`.
    pub fn call(&mut self, method: Method, args: &[Value]) -> Result<Reply> {
        let arg = |i: usize| args.get(i).unwrap_or(&crate::value::UNDEFINED);
        let reply = match method {
            Method::Init => {
                self.init(arg(0))?;
                Value::Undefined
            }
            Method::SetUserToken => {
                let token = HeldToken::from_value("setUserToken", "userToken", arg(0))?;
                self.set_user_token(token);
                self.user_token()
            }
            Method::GetUserToken => self.user_token(),
            Method::SetAuthenticatedUserToken => {
                let token = HeldToken::from_value("setAuthenticatedUserToken", "authenticatedUserToken", arg(0))?;
                self.set_authenticated_user_token(token);
                self.authenticated_user_token()
            }
            Method::GetAuthenticatedUserToken => self.authenticated_user_token(),
            Method::OnUserTokenChange => self.user_token(),
            Method::OnAuthenticatedUserTokenChange => self.authenticated_user_token(),
            Method::SetAnonymousUserToken => {
                self.set_anonymous_user_token(arg(0).is_truthy());
                Value::Undefined
            }
            Method::SaveTokenAsCookie => {
                self.save_token_as_cookie();
                Value::Undefined
            }
            Method::AddAlgoliaAgent => {
                let agent = arg(0).as_str().ok_or_else(|| {
                    InsightsError::invalid("addAlgoliaAgent", "algoliaAgent", text!("must be a string, got ", arg(0).type_name()))
                })?;
                // Agents travel in every request's URL: a huge one would make
                // every later request one the API refuses.
                if agent.len() > MAX_AGENT_LEN {
                    return Err(InsightsError::invalid("addAlgoliaAgent", "algoliaAgent", text!("must be at most ", MAX_AGENT_LEN, " characters long")));
                }
                if !self.agents.iter().any(|a| a == agent) {
                    self.agents.push(agent.to_owned());
                }
                Value::Undefined
            }
            Method::GetVersion => Value::str(SEARCH_INSIGHTS_VERSION),
            Method::OnDelivery => Value::Undefined,
            Method::Reset => {
                self.reset();
                Value::Undefined
            }
            Method::Flush => {
                self.flush_now(false);
                Value::Undefined
            }
            Method::SendEvents => {
                let split = params::split_send_events(args)?;
                if split.events.is_empty() {
                    // Only InstantSearch usage events: nothing to send.
                    return Ok(Reply::Settled(false));
                }
                return self.send_events("sendEvents", None, split.events, split.params);
            }
            Method::Event(m) => {
                let split = params::split_variadic(m.name, args)?;
                return self.send_events(m.name, Some(m), split.events, split.params);
            }
        };
        Ok(Reply::Value(reply))
    }

    fn init(&mut self, options: &Value) -> Result<()> {
        let init = InitOptions::parse(options)?;
        self.settings.apply(&init);
        self.agents = default_agents();
        // search-insights first copies the tokens as given (silently), then
        // calls the setters for the truthy ones.
        if let Some(token) = &init.authenticated_user_token {
            self.authenticated_user_token = token.clone();
        }
        if let Some(token) = &init.user_token {
            self.user_token = token.clone();
        }
        if let Some(token @ HeldToken::Token(_)) = init.authenticated_user_token {
            self.set_authenticated_user_token(token);
        }
        if let Some(token @ HeldToken::Token(_)) = init.user_token {
            self.set_user_token(token);
        } else if self.user_token.token().is_none() && !self.settings.user_has_opted_out && self.settings.use_cookie {
            self.set_anonymous_user_token(false);
        } else if self.token_needs_saving() {
            self.save_token_as_cookie();
        }
        if self.settings.user_has_opted_out {
            self.forget_everything();
        } else if self.storage_consent() && !self.restored {
            self.restored = true;
            let now = self.env.now_ms();
            let policy = self.policy();
            self.outbox.restore(&mut self.env, now, &policy);
        }
        Ok(())
    }

    fn token_needs_saving(&self) -> bool {
        self.user_token.token().is_some_and(UserToken::is_anonymous)
            && self.settings.use_cookie
            && !self.settings.user_has_opted_out
    }

    fn storage_consent(&self) -> bool {
        self.settings.use_cookie && !self.settings.user_has_opted_out
    }

    fn policy(&self) -> DeliveryPolicy {
        DeliveryPolicy {
            flush_delay_ms: self.settings.flush_delay_ms,
            max_retries: self.settings.max_retries,
            max_event_age_ms: self.settings.max_event_age_ms,
            persist: self.storage_consent(),
            request_timeout_ms: self.settings.request_timeout_ms,
        }
    }

    fn set_user_token(&mut self, token: HeldToken) {
        self.user_token = token;
        self.notices.push(Notice::UserToken(self.user_token()));
    }

    fn set_authenticated_user_token(&mut self, token: HeldToken) {
        self.authenticated_user_token = token;
        self.notices.push(Notice::AuthenticatedUserToken(self.authenticated_user_token()));
    }

    /// search-insights' `setAnonymousUserToken(inMemory)`.
    fn set_anonymous_user_token(&mut self, in_memory: bool) {
        if in_memory {
            let token = UserToken::anonymous(self.env.random_bytes());
            self.set_user_token(HeldToken::Token(token));
            return;
        }
        if !self.env.cookies_enabled() {
            return;
        }
        match cookie::stored_anonymous_token(&self.env.read_cookies()) {
            Some(token) => self.set_user_token(HeldToken::Token(token)),
            None => {
                let token = UserToken::anonymous(self.env.random_bytes());
                self.write_cookie(&token);
                self.set_user_token(HeldToken::Token(token));
            }
        }
    }

    /// search-insights' `saveTokenAsCookie`: stores the current token unless an
    /// anonymous token is already stored.
    fn save_token_as_cookie(&mut self) {
        if self.settings.user_has_opted_out || !self.env.cookies_enabled() {
            return;
        }
        let Some(token) = self.user_token.token().cloned() else { return };
        if cookie::stored_anonymous_token(&self.env.read_cookies()).is_none() {
            self.write_cookie(&token);
        }
    }

    /// Stores `token` in the `_ALGOLIA` cookie — never for an opted-out
    /// visitor (search-insights still writes it from `setAnonymousUserToken`
    /// and `saveTokenAsCookie`).
    fn write_cookie(&mut self, token: &UserToken) {
        if self.settings.user_has_opted_out {
            return;
        }
        let now = self.env.now_ms();
        let secure = self.env.is_secure_page();
        let text = cookie::set_cookie_string(token, now, self.settings.cookie_duration_ms, secure);
        self.env.write_cookie(&text);
    }

    /// Opt-out and reset: no cookie, no stored outbox, no query-ID cache.
    fn forget_everything(&mut self) {
        if self.env.cookies_enabled() && !cookie::read(&self.env.read_cookies(), cookie::COOKIE_NAME).is_empty() {
            let secure = self.env.is_secure_page();
            self.env.write_cookie(&cookie::delete_cookie_string(secure));
        }
        self.query_cache.clear(&mut self.env);
        let settled = self.outbox.clear(&mut self.env);
        self.after(settled);
    }

    fn reset(&mut self) {
        self.set_user_token(HeldToken::Undefined);
        self.set_authenticated_user_token(HeldToken::Undefined);
        self.forget_everything();
    }

    fn send_events(
        &mut self,
        method_name: &'static str,
        method: Option<EventMethod>,
        args: Vec<(String, &Value)>,
        params: AdditionalParams,
    ) -> Result<Reply> {
        if self.settings.user_has_opted_out {
            return Ok(Reply::Settled(false));
        }
        let header_credentials = params.credential(APP_ID_HEADER).is_some() && params.credential(API_KEY_HEADER).is_some();
        if !self.settings.has_credentials() && !header_credentials {
            return Err(InsightsError::NotInitialized { method: method_name });
        }
        let mut events = Vec::with_capacity(args.len());
        for (path, arg) in &args {
            events.push(InsightsEvent::parse(method_name, method.as_ref(), arg, path)?);
        }
        let now = self.env.now_ms();
        for ((path, _), event) in args.iter().zip(&events) {
            self.check_at_call(method_name, path, event, now)?;
        }
        // An anonymous token for this call, kept only if the call is accepted:
        // a refused call changes nothing.
        let anonymous = (self.user_token.token().is_none() && self.settings.anonymous_user_token)
            .then(|| UserToken::anonymous(self.env.random_bytes()));
        let url = self.events_url(&params);
        if url.len() > MAX_URL_LEN {
            return Err(InsightsError::invalid(
                method_name,
                "headers",
                text!("make the request URL ", url.len(), " bytes long (agents and headers travel in it); the Insights API accepts at most ", MAX_URL_LEN),
            ));
        }
        let mut parts = Vec::with_capacity(events.len());
        for ((path, _), mut event) in args.iter().zip(events) {
            if params.infer_query_id {
                self.infer_query_id(&mut event);
            }
            if event.timestamp.is_none() {
                event.timestamp = Some(now.floor());
            }
            for part in event.split() {
                let mut json = String::with_capacity(256);
                let user_token = self.user_token.token().or(anonymous.as_ref());
                part.write_json(user_token, self.authenticated_user_token.token(), &mut json);
                // One event goes alone in a request when it is that large: past
                // the API's limit on a body, it could never be accepted.
                if json.len() > MAX_EVENT_BYTES {
                    return Err(InsightsError::invalid(
                        method_name,
                        path.as_str(),
                        text!("is too large to send: ", json.len(), " bytes of JSON (the Insights API accepts at most ", MAX_EVENT_BYTES, ")"),
                    ));
                }
                parts.push((part, json));
            }
        }
        if let Some(token) = anonymous {
            self.set_user_token(HeldToken::Token(token));
        }
        if let Some(m) = method.filter(|m| m.remembers_query_id) {
            self.remember_query_ids(&m, parts.iter().map(|(part, _)| part), now);
        }
        let call = self.outbox.open_call(parts.len());
        for (event, json) in parts {
            let purchase = (event.subtype == Some(EventSubtype::Purchase) && !event.object_ids.is_empty())
                .then(|| (event.index.clone(), event.object_ids.clone()));
            self.outbox.push(call, &url, json, event.timestamp.unwrap_or(now), purchase);
        }
        let delay = self.settings.flush_delay_ms;
        self.outbox.wake_in(&mut self.env, now, delay);
        Ok(Reply::Pending(call))
    }

    /// search-insights' `storeQueryForObject` calls: after a search, each
    /// object's own queryID or else the event's; `addedToCartObjectIDs`, only
    /// the object's own — never one `inferQueryID` just took from the cache.
    fn remember_query_ids<'a>(&mut self, method: &EventMethod, events: impl Iterator<Item = &'a InsightsEvent>, now: f64) {
        for event in events {
            for (i, object_id) in event.object_ids.iter().enumerate() {
                if event.inferred_query_ids.contains(object_id) {
                    continue;
                }
                let query_id = if method.needs_query_id { event.query_id_of(i) } else { event.object_query_id(i) };
                if let Some(query_id) = query_id {
                    self.query_cache.remember(&self.env, &event.index, object_id, query_id, now);
                }
            }
        }
    }

    /// The rules that depend on the client's state and clock: an event needs
    /// a user token (its own, the global one, or an anonymous one made up
    /// now), and a caller's `timestamp` at most an hour ahead — the API
    /// rejects the whole request otherwise.
    fn check_at_call(&self, method: &'static str, path: &str, event: &InsightsEvent, now: f64) -> Result<()> {
        let has_token = event.user_token.is_some() || self.user_token.token().is_some() || self.settings.anonymous_user_token;
        if !has_token {
            return Err(InsightsError::invalid(
                method,
                text!(path, ".userToken"),
                "is required: call setUserToken first, or init with anonymousUserToken: true",
            ));
        }
        if event.timestamp.is_some_and(|ts| ts > now + MAX_FUTURE_MS) {
            return Err(InsightsError::invalid(method, text!(path, ".timestamp"), "is more than an hour in the future"));
        }
        Ok(())
    }

    /// search-insights' `addQueryId`: conversions without a `queryID` get each
    /// object's remembered `queryID` in `objectData`.
    fn infer_query_id(&mut self, event: &mut InsightsEvent) {
        if event.query_id.is_some() || event.event_type != EventType::Conversion {
            return;
        }
        let mut inferred = Vec::new();
        let mut data = Vec::with_capacity(event.object_ids.len());
        for (i, object_id) in event.object_ids.iter().enumerate() {
            let given = event.object_data.get(i).cloned().unwrap_or(Value::Object(Vec::new()));
            if given.field("queryID").as_str().is_some() {
                data.push(given);
                continue;
            }
            let mut entries = match given {
                Value::Object(entries) => entries,
                _ => Vec::new(),
            };
            if let Some(query_id) = self.query_cache.lookup(&self.env, &event.index, object_id) {
                inferred.push(object_id.clone());
                entries.push(("queryID".to_owned(), Value::String(query_id)));
            }
            data.push(Value::Object(entries));
        }
        if !inferred.is_empty() {
            event.object_data = data;
            event.inferred_query_ids = inferred;
        }
    }

    /// `{origin}/1/events?X-Algolia-Application-Id=…&X-Algolia-API-Key=…&X-Algolia-Agent=…[&other headers]`
    fn events_url(&self, params: &AdditionalParams) -> String {
        use crate::event::encode_uri_component as enc;
        let app_id = params.credential(APP_ID_HEADER).or(self.settings.app_id.as_deref()).unwrap_or("");
        let api_key = params.credential(API_KEY_HEADER).or(self.settings.api_key.as_deref()).unwrap_or("");
        let mut url = self.settings.endpoint_origin();
        url.push_str("/1/events?");
        url.push_str(APP_ID_HEADER);
        url.push('=');
        url.push_str(&enc(app_id));
        url.push('&');
        url.push_str(API_KEY_HEADER);
        url.push('=');
        url.push_str(&enc(api_key));
        url.push_str("&X-Algolia-Agent=");
        // Joined with "; " by hand: `[String]::join` costs 900 B of wasm.
        let mut agents = String::new();
        for (i, agent) in self.agents.iter().enumerate() {
            if i > 0 {
                agents.push_str("; ");
            }
            agents.push_str(agent);
        }
        url.push_str(&enc(&agents));
        for (name, value) in &params.headers {
            if name != APP_ID_HEADER && name != API_KEY_HEADER {
                url.push('&');
                url.push_str(&enc(name));
                url.push('=');
                url.push_str(&enc(value));
            }
        }
        url
    }

    fn after(&mut self, settled: Settled) {
        for (index, object_ids) in &settled.purchased {
            self.query_cache.forget(&self.env, index, object_ids);
        }
        if !settled.purchased.is_empty() && !self.settings.user_has_opted_out {
            self.query_cache.persist(&mut self.env);
        }
        self.progress.completions.extend(settled.completions.iter().map(|c| (c.call, c.delivered)));
        self.progress.reports.extend(settled.reports);
    }

    fn flush_now(&mut self, unloading: bool) {
        let now = self.env.now_ms();
        let policy = self.policy();
        let settled = self.outbox.flush(&mut self.env, now, &policy, unloading);
        self.after(settled);
        if !self.settings.user_has_opted_out {
            self.query_cache.persist(&mut self.env);
        }
    }

    /// A scheduled wake-up fired: send what is due.
    pub fn on_wake(&mut self) {
        let now = self.env.now_ms();
        self.outbox.woke(now);
        self.flush_now(false);
    }

    /// The page is being hidden (`pagehide`, or `visibilitychange` to hidden):
    /// send everything now with `keepalive`/`sendBeacon` and write storage.
    pub fn on_page_hide(&mut self) {
        self.flush_now(true);
    }

    /// Another tab (or search-insights) changed `localStorage`.
    pub fn on_storage_changed(&mut self) {
        self.query_cache.invalidate();
    }

    /// The Web Locks API granted the lock `name`, which the page now holds
    /// for its life; see [`crate::environment::Platform::request_lock`].
    pub fn on_lock_granted(&mut self, name: &str) {
        let now = self.env.now_ms();
        let policy = self.policy();
        self.outbox.on_lock_granted(&mut self.env, name, now, &policy);
    }

    /// Request `request_id` ended with `outcome`.
    pub fn on_response(&mut self, request_id: u64, outcome: ResponseOutcome) {
        let now = self.env.now_ms();
        let policy = self.policy();
        let settled = self.outbox.on_response(&mut self.env, request_id, outcome, now, &policy);
        self.after(settled);
    }
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
