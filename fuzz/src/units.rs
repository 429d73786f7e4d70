//! The core's parsers and writers on their own: JSON, the cookie, `init`
//! options, and event checking with the split to the API's limits.

use arbitrary::{Result, Unstructured};
use insights_devserver::ValidationRules;
use search_insights_wasm::internals::method::EVENT_METHODS;
use search_insights_wasm::internals::options::{InitOptions, Settings};
use search_insights_wasm::internals::{cookie, json};
use search_insights_wasm::{InsightsEvent, UserToken};

use crate::oracle;
use crate::templates;
use crate::values;

fn depth(value: &serde_json::Value) -> usize {
    match value {
        serde_json::Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        serde_json::Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// JSON text: whatever parses writes back to text that parses to the same
/// value, and every document serde_json accepts (within the reader's depth)
/// is read too (what search-insights stored must stay readable).
pub fn json_text(u: &mut Unstructured) -> Result<()> {
    let text = if u.arbitrary()? { u.arbitrary::<String>()? } else { json::to_string(&values::value(u, 0)?) };
    let ours = json::parse(&text);
    if let Some(value) = &ours {
        let again = json::parse(&json::to_string(value));
        assert_eq!(again.as_ref(), Some(value), "JSON did not round-trip: {text:?}");
    }
    if let Ok(reference) = serde_json::from_str::<serde_json::Value>(&text) {
        if depth(&reference) <= 60 {
            assert!(ours.is_some(), "valid JSON refused: {text:?}");
        }
    }
    Ok(())
}

/// Cookies: reading any `document.cookie` string, and writing the cookie for
/// any valid token at any time and duration (NaN, infinities, ±8.64e15 ms).
pub fn cookies(u: &mut Unstructured) -> Result<()> {
    let jar = values::string(u)?;
    let _ = cookie::read(&jar, cookie::COOKIE_NAME);
    if let Some(token) = cookie::stored_anonymous_token(&jar) {
        assert!(UserToken::parse(token.as_str()).is_ok() && token.is_anonymous(), "reused a bad cookie: {jar:?}");
    }
    let secure = u.arbitrary()?;
    let text = values::string(u)?;
    if let Ok(token) = UserToken::parse(&text) {
        let now = values::number(u)?;
        let duration = values::number(u)?;
        let written = cookie::set_cookie_string(&token, now, duration, secure);
        if let Err(problem) = oracle::check_cookie(&written, secure) {
            panic!("{problem}: {written:?} (now {now}, duration {duration})");
        }
    }
    let deleted = cookie::delete_cookie_string(secure);
    assert_eq!(oracle::check_cookie(&deleted, secure), Ok(()), "{deleted:?}");
    Ok(())
}

/// `init` options: errors name `init`; accepted options select an endpoint
/// origin that is a plain origin.
pub fn init_options(u: &mut Unstructured) -> Result<()> {
    let options = if u.arbitrary()? { templates::init_options(u)? } else { values::value(u, 0)? };
    match InitOptions::parse(&options) {
        Err(error) => {
            if let Err(problem) = oracle::check_error("init", &error.to_string(), true) {
                panic!("{problem}");
            }
        }
        Ok(init) => {
            let mut settings = Settings::default();
            settings.apply(&init);
            let origin = settings.endpoint_origin();
            let ok = (origin.starts_with("https://") || origin.starts_with("http://")) && !origin.contains(['?', '#', ' ']);
            assert!(ok, "endpoint origin {origin:?} from {options:?}");
        }
    }
    Ok(())
}

/// One event: an accepted event, split to the API's limits and written with
/// a user token, passes the API's rules part by part.
pub fn event(u: &mut Unstructured) -> Result<()> {
    let method = if u.ratio(1, 6)? { None } else { Some(u.choose(&EVENT_METHODS)?) };
    let name = method.map_or("sendEvents", |m| m.name);
    let arg = if u.ratio(3, 4)? { templates::event(u, method)? } else { values::value(u, 0)? };
    let mut event = match InsightsEvent::parse(name, method, &arg, "event") {
        Ok(event) => event,
        Err(error) => {
            if let Err(problem) = oracle::check_error(name, &error.to_string(), true) {
                panic!("{problem}");
            }
            return Ok(());
        }
    };
    let now = 1_700_000_000_000.0;
    if event.timestamp.is_none_or(|ts| ts > now + 3_600_000.0 || now - ts > 345_600_000.0) {
        event.timestamp = Some(now); // the client's clock rules, checked elsewhere
    }
    let token = UserToken::parse("user-1").ok();
    for part in event.split() {
        let mut text = String::new();
        part.write_json(token.as_ref(), None, &mut text);
        let body = format!(r#"{{"events":[{text}]}}"#);
        let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
        if let Err(problem) = insights_devserver::validate_batch(&json, &ValidationRules::default(), now as i64) {
            panic!("an accepted {name} event the API refuses: {problem}\n  argument: {arg:?}\n  sent: {text}");
        }
    }
    Ok(())
}
