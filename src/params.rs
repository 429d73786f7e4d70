//! The arguments of event methods: events, and the trailing additional
//! parameters (`{headers, inferQueryID}`).

use crate::error::{InsightsError, Result};
use crate::value::Value;

/// The header names that carry credentials.
pub const APP_ID_HEADER: &str = "X-Algolia-Application-Id";
/// The API key header.
pub const API_KEY_HEADER: &str = "X-Algolia-API-Key";

/// `{headers, inferQueryID}` given after the events.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AdditionalParams {
    /// Extra "headers" (sent in the query string, as search-insights does);
    /// `X-Algolia-Application-Id` / `X-Algolia-API-Key` replace the credentials.
    pub headers: Vec<(String, String)>,
    /// Fill conversions' missing `queryID`s from the query-ID cache.
    pub infer_query_id: bool,
}

impl AdditionalParams {
    /// The header `name`, if given.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// A credential header (`X-Algolia-Application-Id`, `X-Algolia-API-Key`)
    /// that replaces `init`'s: an empty one does not.
    pub fn credential(&self, name: &str) -> Option<&str> {
        self.header(name).filter(|v| !v.is_empty())
    }

    fn parse(method: &'static str, arg: &Value, field: &str) -> Result<AdditionalParams> {
        let mut params = AdditionalParams { infer_query_id: arg.field("inferQueryID").is_truthy(), ..Default::default() };
        match arg.field("headers") {
            Value::Undefined | Value::Null => {}
            Value::Object(entries) => {
                for (name, value) in entries {
                    match value {
                        Value::Undefined | Value::Null => {}
                        Value::String(s) => params.headers.push((name.clone(), s.clone())),
                        other => {
                            return Err(InsightsError::invalid(
                                method,
                                text!(field, ".headers.", name),
                                text!("must be a string, got ", other.type_name()),
                            ))
                        }
                    }
                }
            }
            other => {
                return Err(InsightsError::invalid(
                    method,
                    text!(field, ".headers"),
                    text!("must be an object, got ", other.type_name()),
                ))
            }
        }
        Ok(params)
    }
}

/// The events and params of a call, with the path each event has in messages.
#[derive(Debug)]
pub struct EventArgs<'a> {
    /// `(path, event)`: `event` when there is one, else `events[i]`.
    pub events: Vec<(String, &'a Value)>,
    /// The additional params.
    pub params: AdditionalParams,
}

/// Splits the variadic arguments of a typed event method as search-insights
/// does: an object with an `index` key is an event, an object without one is
/// the additional params (the last one wins). `undefined` arguments are skipped.
pub fn split_variadic<'a>(method: &'static str, args: &'a [Value]) -> Result<EventArgs<'a>> {
    let mut events = Vec::new();
    let mut params = AdditionalParams::default();
    for (i, arg) in args.iter().enumerate() {
        match arg {
            Value::Undefined => {}
            Value::Object(_) if arg.has_key("index") => events.push((i, arg)),
            Value::Object(_) => params = AdditionalParams::parse(method, arg, &text!("arguments[", i, "]"))?,
            other => {
                return Err(InsightsError::invalid(
                    method,
                    text!("arguments[", i, "]"),
                    text!("must be an event object (with index, eventName, …) or the additional params, got ", other.type_name()),
                ))
            }
        }
    }
    if events.is_empty() {
        return Err(InsightsError::invalid(method, "event", "is required: pass an object with index, eventName and objectIDs or filters"));
    }
    let single = events.len() == 1;
    let events = events
        .into_iter()
        .enumerate()
        .map(|(n, (_, e))| (if single { "event".to_owned() } else { text!("events[", n, "]") }, e))
        .collect();
    Ok(EventArgs { events, params })
}

/// The `eventType` of InstantSearch's usage telemetry (its insights middleware
/// sends one `__start__` event through `sendEvents`). It is not an Insights
/// event this library knows: it is left out, without an error.
pub const INSTANTSEARCH_USAGE_EVENT_TYPE: &str = "instantsearch";

/// The arguments of `sendEvents(events, params?)`. InstantSearch's usage
/// events are left out, so `events` may come back empty.
pub fn split_send_events(args: &[Value]) -> Result<EventArgs<'_>> {
    const METHOD: &str = "sendEvents";
    let events = match args.first().unwrap_or(&crate::value::UNDEFINED) {
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .enumerate()
            .filter(|(_, e)| e.field("eventType").as_str() != Some(INSTANTSEARCH_USAGE_EVENT_TYPE))
            .map(|(i, e)| (text!("events[", i, "]"), e))
            .collect(),
        Value::Array(_) => return Err(InsightsError::invalid(METHOD, "events", "must not be empty")),
        other => {
            return Err(InsightsError::invalid(METHOD, "events", text!("must be an array of events, got ", other.type_name())))
        }
    };
    let params = match args.get(1) {
        None | Some(Value::Undefined | Value::Null) => AdditionalParams::default(),
        Some(arg @ Value::Object(_)) => AdditionalParams::parse(METHOD, arg, "params")?,
        Some(other) => {
            return Err(InsightsError::invalid(METHOD, "params", text!("must be an object, got ", other.type_name())))
        }
    };
    Ok(EventArgs { events, params })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> Value {
        Value::object([("index", Value::str("i"))])
    }

    #[test]
    fn instantsearch_usage_events_are_left_out() {
        let usage = Value::object([("eventType", Value::str(INSTANTSEARCH_USAGE_EVENT_TYPE)), ("eventName", Value::str("__start__"))]);
        let args = vec![Value::Array(vec![usage.clone(), event()])];
        let split = split_send_events(&args).expect("ok");
        assert_eq!(split.events.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(), vec!["events[1]"]);
        let args = vec![Value::Array(vec![usage])];
        assert!(split_send_events(&args).expect("ok").events.is_empty());
    }

    #[test]
    fn events_and_trailing_params() {
        let args = vec![
            event(),
            event(),
            Value::object([("headers", Value::object([(APP_ID_HEADER, Value::str("A"))])), ("inferQueryID", Value::Bool(true))]),
        ];
        let split = split_variadic("clickedObjectIDs", &args).expect("ok");
        assert_eq!(split.events.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(), vec!["events[0]", "events[1]"]);
        assert!(split.params.infer_query_id);
        assert_eq!(split.params.header(APP_ID_HEADER), Some("A"));
    }

    #[test]
    fn bad_arguments_are_named() {
        let e = split_variadic("clickedObjectIDs", &[Value::str("x")]).expect_err("string");
        assert!(e.to_string().starts_with("clickedObjectIDs: `arguments[0]` must be an event object"));
        let e = split_variadic("clickedObjectIDs", &[]).expect_err("none");
        assert!(e.to_string().starts_with("clickedObjectIDs: `event` is required"));
        let e = split_variadic("viewedObjectIDs", &[event(), Value::object([("headers", Value::object([("X", Value::Number(1.0))]))])])
            .expect_err("header type");
        assert_eq!(e.to_string(), "viewedObjectIDs: `arguments[1].headers.X` must be a string, got number");
        let e = split_send_events(&[event()]).expect_err("not array");
        assert_eq!(e.to_string(), "sendEvents: `events` must be an array of events, got object");
        let e = split_send_events(&[Value::Array(vec![])]).expect_err("empty");
        assert_eq!(e.to_string(), "sendEvents: `events` must not be empty");
    }

    #[test]
    fn send_events_params() {
        let args = vec![Value::Array(vec![event()]), Value::object([("inferQueryID", Value::Bool(true))])];
        let split = split_send_events(&args).expect("ok");
        assert_eq!(split.events.len(), 1);
        assert!(split.params.infer_query_id);
    }
}
