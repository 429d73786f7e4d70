//! Checking an event read back from `localStorage` before it is sent again.
//!
//! Storage belongs to the whole site: another script, an older version or a
//! full disk may have left anything under the outbox's key. A stored event is
//! sent again only if it is, once more, an event this library would send: an
//! events URL with credentials, and a body that passes the same checks as a
//! `sendEvents` argument, with a user token and a timestamp. It is then sent as
//! this library writes it, never as the stored text says.

use crate::event::{InsightsEvent, MAX_ITEMS_PER_EVENT};
use crate::value::Value;

/// How far ahead of the page's clock a timestamp may be (the API's limit).
const MAX_FUTURE_MS: f64 = 3_600_000.0;

/// A stored event fit to be sent again.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// The event's JSON, as this library writes it.
    pub json: String,
    /// Its `timestamp` (ms).
    pub timestamp: f64,
}

/// Whether `url` is `http(s)://…/1/events?…` with a non-empty application ID
/// and API key.
pub fn is_events_url(url: &str) -> bool {
    let Some((base, query)) = crate::ascii::split_once(url, b'?') else { return false };
    let credential = |name: &str| {
        crate::ascii::split(query, b'&').any(|pair| pair.strip_prefix(name).and_then(|r| r.strip_prefix('=')).is_some_and(|v| !v.is_empty()))
    };
    (base.starts_with("https://") || base.starts_with("http://"))
        && base.ends_with("/1/events")
        && !url.contains(|c: char| c.is_whitespace() || c.is_control())
        && credential("X-Algolia-Application-Id")
        && credential("X-Algolia-API-Key")
}

/// `decodeURIComponent`; `None` for a malformed escape or invalid UTF-8.
fn decode_uri_component(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let digit = |at: usize| char::from(*bytes.get(at)?).to_digit(16);
            out.push((digit(i + 1)? * 16 + digit(i + 2)?) as u8);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The stored event (its JSON text, parsed; sent to `url`), checked again;
/// `None` when it must be discarded.
pub fn restorable(url: &str, event: Option<Value>, now_ms: f64) -> Option<StoredEvent> {
    if !is_events_url(url) {
        return None;
    }
    let Value::Object(mut entries) = event? else { return None };
    // Filters are stored URL-encoded, as sent; the checks read them decoded.
    for (key, value) in &mut entries {
        if key == "filters" {
            let Value::Array(filters) = value else { return None };
            for filter in filters {
                let decoded = decode_uri_component(filter.as_str()?)?;
                *filter = Value::String(decoded);
            }
        }
    }
    let event = InsightsEvent::parse("sendEvents", None, &Value::Object(entries), "stored").ok()?;
    let timestamp = event.timestamp.filter(|ts| *ts <= now_ms + MAX_FUTURE_MS)?;
    if event.user_token.is_none() || event.object_ids.len().max(event.filters.len()) > MAX_ITEMS_PER_EVENT {
        return None;
    }
    let mut json = String::new();
    event.write_json(None, None, &mut json);
    // The API's limit on a request body, less `{"events":[]}`.
    (json.len() <= 2_000_000 - 13).then_some(StoredEvent { json, timestamp })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    const URL: &str = "https://insights.algolia.io/1/events?X-Algolia-Application-Id=A&X-Algolia-API-Key=K&X-Algolia-Agent=x";
    const NOW: f64 = 1_700_000_000_000.0;

    #[test]
    fn a_stored_event_is_sent_as_this_library_writes_it() {
        let body = r#"{"eventType":"click","eventName":"n","index":"i","userToken":"u-1","timestamp":1700000000000,"filters":["brand%3AApple%20%26%20Co"],"custom":1}"#;
        let stored = restorable(URL, json::parse(body), NOW).expect("valid");
        assert_eq!(stored.timestamp, NOW);
        assert_eq!(stored.json, body);
    }

    #[test]
    fn anything_else_is_discarded() {
        let ok = r#"{"eventType":"view","eventName":"n","index":"i","userToken":"u-1","timestamp":1700000000000,"objectIDs":["1"]}"#;
        assert!(restorable(URL, json::parse(ok), NOW).is_some());
        for url in ["", "javascript:alert(1)", "https://x/1/events", "https://x/1/events?X-Algolia-Application-Id=&X-Algolia-API-Key=K", "https://x/other?X-Algolia-Application-Id=A&X-Algolia-API-Key=K"] {
            assert_eq!(restorable(url, json::parse(ok), NOW), None, "{url}");
        }
        let ids: Vec<String> = (0..21).map(|i| format!("\"{i}\"")).collect();
        for body in [
            "",
            "garbage",
            "[]",
            r#"{"eventType":"view"}"#,
            r#"{"eventType":"view","eventName":"n","index":"i","timestamp":1700000000000,"objectIDs":["1"]}"#,
            r#"{"eventType":"view","eventName":"n","index":"i","userToken":"u-1","objectIDs":["1"]}"#,
            r#"{"eventType":"view","eventName":"n","index":"i","userToken":"a b","timestamp":1700000000000,"objectIDs":["1"]}"#,
            r#"{"eventType":"view","eventName":"n","index":"i","userToken":"u-1","timestamp":1800000000000,"objectIDs":["1"]}"#,
            r#"{"eventType":"click","eventName":"n","index":"i","userToken":"u-1","timestamp":1700000000000,"filters":["%E0%A4%A"]}"#,
            // Not an escape for decodeURIComponent (a sign is not a hex digit).
            r#"{"eventType":"click","eventName":"n","index":"i","userToken":"u-1","timestamp":1700000000000,"filters":["brand%+A:x"]}"#,
            r#"{"eventType":"click","eventName":"n","index":"i","userToken":"u-1","timestamp":1700000000000,"filters":["brand%C3%A:x"]}"#,
            &format!(r#"{{"eventType":"view","eventName":"n","index":"i","userToken":"u","timestamp":1700000000000,"objectIDs":[{}]}}"#, ids.join(",")),
        ] {
            assert_eq!(restorable(URL, json::parse(body), NOW), None, "{body}");
        }
    }
}
