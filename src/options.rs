//! `init` options: parsing, defaults, `partial`, and the endpoint they select.

use crate::error::{InsightsError, Result};
use crate::token::HeldToken;
use crate::value::{is_integer, Value};

/// Thirty days in milliseconds, search-insights' `MONTH`.
pub const MONTH_MS: f64 = 30.0 * 24.0 * 60.0 * 60.0 * 1000.0;
/// The default lifetime of the `_ALGOLIA` cookie: six months.
pub const DEFAULT_COOKIE_DURATION_MS: f64 = 6.0 * MONTH_MS;
/// The default delay before queued events are sent.
pub const DEFAULT_FLUSH_DELAY_MS: f64 = 50.0;
/// The default number of retries of a request that failed for a reason that may pass.
pub const DEFAULT_MAX_RETRIES: u32 = 5;
/// How old an event may be before the Insights API refuses it: 4 days.
pub const DEFAULT_MAX_EVENT_AGE_MS: f64 = 4.0 * 24.0 * 60.0 * 60.0 * 1000.0;
/// How long a request may go unanswered before it counts as a network error.
pub const DEFAULT_REQUEST_TIMEOUT_MS: f64 = 20_000.0;
/// The longest `requestTimeout` (stored events are leased for longer than
/// a retry delay plus this).
pub const MAX_REQUEST_TIMEOUT_MS: f64 = 60_000.0;

/// The Insights API regions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    /// `insights.us.algolia.io`
    Us,
    /// `insights.de.algolia.io`
    De,
}

impl Region {
    fn code(self) -> &'static str {
        match self {
            Region::Us => "us",
            Region::De => "de",
        }
    }
}

/// The client's settings (search-insights' `_appId`, `_useCookie`, …).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Application ID.
    pub app_id: Option<String>,
    /// Search API key (a public, search-only key).
    pub api_key: Option<String>,
    /// The visitor refused tracking: no cookie, no storage, no events.
    pub user_has_opted_out: bool,
    /// Make up an in-memory anonymous token when an event is sent without one.
    pub anonymous_user_token: bool,
    /// Keep the anonymous token in the `_ALGOLIA` cookie.
    pub use_cookie: bool,
    /// Lifetime of the cookie, in milliseconds.
    pub cookie_duration_ms: f64,
    /// API region.
    pub region: Option<Region>,
    /// A custom endpoint origin, e.g. `http://127.0.0.1:8080`.
    pub host: Option<String>,
    /// How long events wait to be sent together, in milliseconds.
    pub flush_delay_ms: f64,
    /// How many times a request is retried after a network error, 5xx or 429.
    pub max_retries: u32,
    /// Events older than this (by their `timestamp`) are dropped, in milliseconds.
    pub max_event_age_ms: f64,
    /// A request unanswered after this long is retried, in milliseconds.
    pub request_timeout_ms: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            app_id: None,
            api_key: None,
            user_has_opted_out: false,
            anonymous_user_token: true,
            use_cookie: false,
            cookie_duration_ms: DEFAULT_COOKIE_DURATION_MS,
            region: None,
            host: None,
            flush_delay_ms: DEFAULT_FLUSH_DELAY_MS,
            max_retries: DEFAULT_MAX_RETRIES,
            max_event_age_ms: DEFAULT_MAX_EVENT_AGE_MS,
            request_timeout_ms: DEFAULT_REQUEST_TIMEOUT_MS,
        }
    }
}

impl Settings {
    /// The origin events are posted to: `host`, else the region's host, else
    /// `https://insights.algolia.io`.
    pub fn endpoint_origin(&self) -> String {
        match (&self.host, self.region) {
            (Some(host), _) if !host.is_empty() => host.trim_end_matches('/').to_owned(),
            (_, Some(region)) => text!("https://insights.", region.code(), ".algolia.io"),
            _ => "https://insights.algolia.io".to_owned(),
        }
    }

    /// Whether `init` gave both credentials.
    pub fn has_credentials(&self) -> bool {
        // Empty strings are no credentials (search-insights tests `!this._appId`;
        // the API answers 401).
        self.app_id.as_deref().is_some_and(|s| !s.is_empty()) && self.api_key.as_deref().is_some_and(|s| !s.is_empty())
    }

    /// Applies parsed `init` options as search-insights does: without
    /// `partial`, the cookie/opt-out/region/host/anonymous options go back to
    /// their defaults first; then every option given replaces the setting.
    /// Credentials are kept when not given.
    pub fn apply(&mut self, init: &InitOptions) {
        if !init.partial {
            let defaults = Settings::default();
            self.user_has_opted_out = defaults.user_has_opted_out;
            self.anonymous_user_token = defaults.anonymous_user_token;
            self.use_cookie = defaults.use_cookie;
            self.cookie_duration_ms = defaults.cookie_duration_ms;
            self.region = None;
            self.host = None;
            self.flush_delay_ms = defaults.flush_delay_ms;
            self.max_retries = defaults.max_retries;
            self.max_event_age_ms = defaults.max_event_age_ms;
            self.request_timeout_ms = defaults.request_timeout_ms;
        }
        macro_rules! take {
            ($($field:ident),*) => {$(
                if let Some(value) = &init.$field {
                    self.$field = value.clone();
                }
            )*};
        }
        take!(user_has_opted_out, anonymous_user_token, use_cookie, cookie_duration_ms, flush_delay_ms, max_retries, max_event_age_ms, request_timeout_ms);
        if let Some(app_id) = &init.app_id {
            self.app_id = app_id.clone();
        }
        if let Some(api_key) = &init.api_key {
            self.api_key = api_key.clone();
        }
        if let Some(region) = init.region {
            self.region = region;
        }
        if let Some(host) = &init.host {
            self.host = host.clone();
        }
    }
}

/// The options of one `init` call. `None` means "not given".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InitOptions {
    /// Only the given options change.
    pub partial: bool,
    /// `appId` (`Some(None)`: given as `undefined`/`null`).
    pub app_id: Option<Option<String>>,
    /// `apiKey`.
    pub api_key: Option<Option<String>>,
    /// `userHasOptedOut`.
    pub user_has_opted_out: Option<bool>,
    /// `anonymousUserToken`.
    pub anonymous_user_token: Option<bool>,
    /// `useCookie`.
    pub use_cookie: Option<bool>,
    /// `cookieDuration`.
    pub cookie_duration_ms: Option<f64>,
    /// `region` (`Some(None)`: given as `undefined`/`null`).
    pub region: Option<Option<Region>>,
    /// `host`.
    pub host: Option<Option<String>>,
    /// `userToken`, as the slot holds it (`undefined`, `null` and `""` included).
    pub user_token: Option<HeldToken>,
    /// `authenticatedUserToken`.
    pub authenticated_user_token: Option<HeldToken>,
    /// `flushDelay` (ms).
    pub flush_delay_ms: Option<f64>,
    /// `maxRetries`.
    pub max_retries: Option<u32>,
    /// `maxEventAge` (ms).
    pub max_event_age_ms: Option<f64>,
    /// `requestTimeout` (ms).
    pub request_timeout_ms: Option<f64>,
}

const METHOD: &str = "init";

impl InitOptions {
    /// Parses the argument of `init`. `undefined`/`null` mean no options; a
    /// non-object, a region other than `us`/`de`, a non-integer
    /// `cookieDuration` or a field of the wrong type is an error.
    ///
    /// As in search-insights, a key given with the value `undefined` is given:
    /// it clears the setting (`{userToken: undefined}` forgets the token,
    /// `{anonymousUserToken: undefined}` turns anonymous tokens off). Only
    /// `cookieDuration` keeps its default then (search-insights would write a
    /// cookie with an invalid expiry date).
    pub fn parse(arg: &Value) -> Result<InitOptions> {
        let entries: &[(String, Value)] = match arg {
            Value::Undefined | Value::Null => &[],
            Value::Object(entries) => entries,
            other => {
                return Err(InsightsError::invalid(
                    METHOD,
                    "options",
                    text!("must be an object, got ", other.type_name()),
                ))
            }
        };
        let mut init = InitOptions::default();
        // search-insights checks region and cookieDuration before anything else.
        match arg.get("region") {
            None => {}
            Some(Value::Undefined) => init.region = Some(None),
            Some(Value::String(s)) if s == "us" => init.region = Some(Some(Region::Us)),
            Some(Value::String(s)) if s == "de" => init.region = Some(Some(Region::De)),
            _ => return Err(InsightsError::InvalidRegion),
        }
        match arg.field("cookieDuration") {
            Value::Undefined => {}
            Value::Number(n) if is_integer(*n) => init.cookie_duration_ms = Some(*n),
            _ => return Err(InsightsError::InvalidCookieDuration),
        }
        for (key, value) in entries {
            let given = !matches!(value, Value::Undefined);
            match key.as_str() {
                "partial" => init.partial = value.is_truthy(),
                "appId" => init.app_id = Some(credential("appId", value, MAX_APP_ID_IN_URL)?),
                "apiKey" => init.api_key = Some(credential("apiKey", value, MAX_API_KEY_IN_URL)?),
                "userHasOptedOut" => init.user_has_opted_out = Some(value.is_truthy()),
                "anonymousUserToken" => init.anonymous_user_token = Some(value.is_truthy()),
                "useCookie" => init.use_cookie = Some(value.is_truthy()),
                "host" => init.host = Some(host(value)?),
                "userToken" => init.user_token = Some(HeldToken::from_value(METHOD, "userToken", value)?),
                "authenticatedUserToken" => {
                    init.authenticated_user_token = Some(HeldToken::from_value(METHOD, "authenticatedUserToken", value)?)
                }
                _ if !given => {}
                "flushDelay" => init.flush_delay_ms = Some(milliseconds("flushDelay", value, 60_000.0)?),
                "maxEventAge" => init.max_event_age_ms = Some(milliseconds("maxEventAge", value, f64::MAX)?),
                "requestTimeout" => init.request_timeout_ms = Some(request_timeout(value)?),
                "maxRetries" => {
                    init.max_retries = Some(milliseconds("maxRetries", value, 20.0)? as u32);
                }
                _ => {}
            }
        }
        Ok(init)
    }
}

/// The longest `appId`, `apiKey` and `host` once URL-encoded: they travel in
/// the URL of every request, which must stay within the 8 KB the library
/// sends (with the default agents, room is left for a few more). Refused
/// here, at the call that gave them, rather than every later event.
const MAX_APP_ID_IN_URL: usize = 256;
const MAX_API_KEY_IN_URL: usize = 6144;
const MAX_HOST_IN_URL: usize = 1024;

fn fits_in_url(field: &str, s: &str, max: usize) -> Result<()> {
    let len = crate::event::encoded_len(s);
    if len > max {
        return Err(InsightsError::invalid(
            METHOD,
            field,
            text!("is ", len, " characters long once URL-encoded; it travels in the URL of every request, so at most ", max, " are accepted"),
        ));
    }
    Ok(())
}

/// A credential (`max`: its longest once URL-encoded).
fn credential(field: &str, value: &Value, max: usize) -> Result<Option<String>> {
    match value {
        Value::Undefined | Value::Null => Ok(None),
        Value::String(s) => {
            fits_in_url(field, s, max)?;
            Ok(Some(s.clone()))
        }
        other => Err(InsightsError::invalid(METHOD, field, text!("must be a string, got ", other.type_name()))),
    }
}

fn host(value: &Value) -> Result<Option<String>> {
    match value {
        Value::Undefined | Value::Null => Ok(None),
        Value::String(s) if s.is_empty() => Ok(None),
        Value::String(s) if (s.starts_with("https://") || s.starts_with("http://")) && !s.contains(['?', '#', ' ']) => {
            fits_in_url("host", s, MAX_HOST_IN_URL)?;
            Ok(Some(s.clone()))
        }
        Value::String(_) => Err(InsightsError::invalid(
            METHOD,
            "host",
            "must be an origin such as https://insights.algolia.io",
        )),
        other => Err(InsightsError::invalid(METHOD, "host", text!("must be a string, got ", other.type_name()))),
    }
}

fn request_timeout(value: &Value) -> Result<f64> {
    match value {
        Value::Number(n) if *n >= 1.0 && *n <= MAX_REQUEST_TIMEOUT_MS && is_integer(*n) => Ok(*n),
        Value::Number(n) => Err(InsightsError::invalid(
            METHOD,
            "requestTimeout",
            text!("must be a whole number from 1 to ", MAX_REQUEST_TIMEOUT_MS, ", got ", n),
        )),
        other => Err(InsightsError::invalid(
            METHOD,
            "requestTimeout",
            text!("must be a whole number from 1 to ", MAX_REQUEST_TIMEOUT_MS, ", got ", other.type_name()),
        )),
    }
}

fn milliseconds(field: &str, value: &Value, max: f64) -> Result<f64> {
    match value {
        Value::Number(n) if *n >= 0.0 && *n <= max && is_integer(*n) => Ok(*n),
        other => Err(InsightsError::invalid(
            METHOD,
            field,
            text!("must be a whole number from 0 to ", max, ", got ", other.type_name()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: Value) -> Result<InitOptions> {
        InitOptions::parse(&v)
    }

    #[test]
    fn defaults() {
        let s = Settings::default();
        assert!(!s.use_cookie);
        assert!(s.anonymous_user_token);
        assert!(!s.user_has_opted_out);
        assert_eq!(s.cookie_duration_ms, 15_552_000_000.0);
        assert!(!s.has_credentials());
        assert_eq!(s.endpoint_origin(), "https://insights.algolia.io");
    }

    #[test]
    fn endpoint_selection() {
        let mut s = Settings::default();
        s.apply(&parse(Value::object([("region", Value::str("de"))])).expect("ok"));
        assert_eq!(s.endpoint_origin(), "https://insights.de.algolia.io");
        s.apply(&parse(Value::object([("region", Value::str("us"))])).expect("ok"));
        assert_eq!(s.endpoint_origin(), "https://insights.us.algolia.io");
        s.apply(&parse(Value::object([("region", Value::str("us")), ("host", Value::str("http://127.0.0.1:8080/"))])).expect("ok"));
        assert_eq!(s.endpoint_origin(), "http://127.0.0.1:8080");
        // A full init without region/host goes back to the default endpoint.
        s.apply(&parse(Value::object([("appId", Value::str("A"))])).expect("ok"));
        assert_eq!(s.endpoint_origin(), "https://insights.algolia.io");
    }

    #[test]
    fn region_and_cookie_duration_errors() {
        for bad in [Value::str("eu"), Value::Number(1.0), Value::Null, Value::str("")] {
            assert_eq!(parse(Value::object([("region", bad)])), Err(InsightsError::InvalidRegion));
        }
        for bad in [Value::Number(1.5), Value::str("10"), Value::Number(f64::NAN), Value::Number(f64::INFINITY), Value::Null] {
            assert_eq!(parse(Value::object([("cookieDuration", bad)])), Err(InsightsError::InvalidCookieDuration));
        }
        assert!(parse(Value::object([("cookieDuration", Value::Number(1000.0))])).is_ok());
    }

    #[test]
    fn wrong_types_name_the_field() {
        let e = parse(Value::str("appId")).expect_err("string options");
        assert_eq!(e.to_string(), "init: `options` must be an object, got string");
        let e = parse(Value::object([("appId", Value::Number(1.0))])).expect_err("number appId");
        assert_eq!(e.to_string(), "init: `appId` must be a string, got number");
        let e = parse(Value::object([("host", Value::str("insights.example.com"))])).expect_err("no scheme");
        assert!(e.to_string().starts_with("init: `host`"));
        let e = parse(Value::object([("userToken", Value::str("a b"))])).expect_err("space");
        assert!(e.to_string().starts_with("init: `userToken`"));
        let e = parse(Value::object([("flushDelay", Value::Number(-1.0))])).expect_err("negative");
        assert!(e.to_string().starts_with("init: `flushDelay`"));
        for bad in [Value::Number(0.0), Value::Number(60_001.0), Value::str("1000")] {
            let e = parse(Value::object([("requestTimeout", bad)])).expect_err("bad requestTimeout");
            assert!(e.to_string().starts_with("init: `requestTimeout` must be a whole number from 1 to 60000"), "{e}");
        }
        let o = parse(Value::object([("requestTimeout", Value::Number(1500.0))])).expect("ok");
        assert_eq!(o.request_timeout_ms, Some(1500.0));
    }

    #[test]
    fn partial_changes_only_given_options() {
        let mut s = Settings::default();
        s.apply(&parse(Value::object([
            ("appId", Value::str("A")),
            ("apiKey", Value::str("K")),
            ("useCookie", Value::Bool(true)),
            ("region", Value::str("de")),
            ("cookieDuration", Value::Number(1000.0)),
        ]))
        .expect("ok"));
        assert!(s.use_cookie && s.has_credentials());
        s.apply(&parse(Value::object([("partial", Value::Bool(true)), ("userHasOptedOut", Value::Bool(true))])).expect("ok"));
        assert!(s.use_cookie, "partial keeps useCookie");
        assert_eq!(s.region, Some(Region::De));
        assert_eq!(s.cookie_duration_ms, 1000.0);
        assert!(s.user_has_opted_out);
        // A full init resets useCookie, region, cookieDuration and opt-out, keeps credentials.
        s.apply(&parse(Value::object::<&str>([])).expect("ok"));
        assert!(!s.use_cookie && !s.user_has_opted_out);
        assert_eq!(s.region, None);
        assert_eq!(s.cookie_duration_ms, 15_552_000_000.0, "back to 6 months");
        assert_eq!(s.app_id.as_deref(), Some("A"));
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        // search-insights: anonymousUserToken true, useCookie false,
        // cookieDuration 6 × 30 days = 15 552 000 000 ms. README: flushDelay 50,
        // maxRetries 5, maxEventAge 4 days = 345 600 000 ms, requestTimeout 20000.
        let expected = Settings {
            app_id: None,
            api_key: None,
            user_has_opted_out: false,
            anonymous_user_token: true,
            use_cookie: false,
            cookie_duration_ms: 15_552_000_000.0,
            region: None,
            host: None,
            flush_delay_ms: 50.0,
            max_retries: 5,
            max_event_age_ms: 345_600_000.0,
            request_timeout_ms: 20_000.0,
        };
        assert_eq!(Settings::default(), expected);
        let mut s = Settings::default();
        s.apply(&parse(Value::object([("appId", Value::str("A")), ("apiKey", Value::str("K"))])).expect("ok"));
        assert_eq!(s, Settings { app_id: Some("A".to_owned()), api_key: Some("K".to_owned()), ..expected });
    }

    #[test]
    fn tokens_in_options() {
        let o = parse(Value::object([("userToken", Value::str("")), ("authenticatedUserToken", Value::str("auth-1"))])).expect("ok");
        assert_eq!(o.user_token, Some(HeldToken::Empty));
        assert_eq!(o.authenticated_user_token.and_then(|t| t.token().map(|t| t.as_str().to_owned())), Some("auth-1".to_owned()));
        let o = parse(Value::Undefined).expect("ok");
        assert_eq!(o, InitOptions::default());
    }

    #[test]
    fn keys_given_as_undefined_clear_their_setting() {
        let undefined_keys = ["appId", "userHasOptedOut", "anonymousUserToken", "useCookie", "region", "host", "userToken"];
        let o = parse(Value::object(undefined_keys.map(|k| (k, Value::Undefined)))).expect("ok");
        assert_eq!(o.app_id, Some(None));
        assert_eq!(o.user_has_opted_out, Some(false));
        assert_eq!(o.anonymous_user_token, Some(false), "search-insights copies the undefined over its default");
        assert_eq!(o.use_cookie, Some(false));
        assert_eq!(o.region, Some(None));
        assert_eq!(o.host, Some(None));
        assert_eq!(o.user_token, Some(HeldToken::Undefined));
        assert_eq!(o.api_key, None, "absent keys are not given");
        let mut s = Settings::default();
        s.apply(&parse(Value::object([("appId", Value::str("A")), ("apiKey", Value::str("K")), ("region", Value::str("de"))])).expect("ok"));
        s.apply(&parse(Value::object([("partial", Value::Bool(true)), ("region", Value::Undefined), ("appId", Value::Undefined)])).expect("ok"));
        assert_eq!(s.region, None);
        assert!(!s.has_credentials());
        let o = parse(Value::object([("cookieDuration", Value::Undefined), ("flushDelay", Value::Undefined)])).expect("ok");
        assert_eq!((o.cookie_duration_ms, o.flush_delay_ms), (None, None));
    }
}
