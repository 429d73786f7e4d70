//! The Insights API's rules for `POST /1/events` bodies.
//!
//! Messages reuse the real API's wording where it is documented (Algolia's
//! OpenAPI spec for `pushEvents` lists them); each per-event message is
//! prefixed with the event's position, e.g. `events[2]: EventName is required`.
//! One invalid event rejects the whole batch, as the real API does.

use serde_json::{Map, Value};

/// Most events accepted in one request.
pub const MAX_EVENTS_PER_BATCH: usize = 1000;
/// Most `objectIDs` / `filters` / `objectData` items in one event.
pub const MAX_ITEMS_PER_EVENT: usize = 20;
/// Longest `eventName`.
pub const MAX_EVENT_NAME_LEN: usize = 64;
/// Longest `userToken` / `authenticatedUserToken`.
pub const MAX_USER_TOKEN_LEN: usize = 129;
/// Longest `value` given as a string.
pub const MAX_VALUE_STRING_LEN: usize = 16;

const MS_PER_DAY: i64 = 86_400_000;

/// Time-dependent limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValidationRules {
    /// Events whose `timestamp` is older than this (ms) are rejected.
    pub max_event_age_ms: i64,
    /// Events whose `timestamp` is further ahead than this (ms) are rejected.
    pub max_future_skew_ms: i64,
}

impl ValidationRules {
    /// Rules rejecting events older than `days` days, or more than one hour ahead.
    pub fn with_max_age_days(days: u32) -> Self {
        ValidationRules {
            max_event_age_ms: i64::from(days) * MS_PER_DAY,
            max_future_skew_ms: 3_600_000,
        }
    }
}

impl Default for ValidationRules {
    fn default() -> Self {
        ValidationRules::with_max_age_days(4)
    }
}

/// Checks a whole request body. `Err` carries the 422 message.
pub fn validate_batch(body: &Value, rules: &ValidationRules, now_ms: i64) -> Result<(), String> {
    let batch = match body {
        Value::Object(map) => map,
        other => {
            return Err(format!(
                "Invalid type for field : expected insights.PublicEventsBatch, got {}",
                json_type(other)
            ))
        }
    };
    let events = match batch.get("events") {
        None | Some(Value::Null) => return Err("No events to process".to_string()),
        Some(Value::Array(events)) => events,
        Some(other) => return Err(type_error("events", "array", other)),
    };
    if events.is_empty() {
        return Err("No events to process".to_string());
    }
    if events.len() > MAX_EVENTS_PER_BATCH {
        return Err(format!(
            "Cannot process more than {MAX_EVENTS_PER_BATCH} events in a batch"
        ));
    }
    for (position, event) in events.iter().enumerate() {
        validate_event(event, rules, now_ms)
            .map_err(|rule| format!("events[{position}]: {rule}"))?;
    }
    Ok(())
}

/// Checks one event. `Err` carries the rule it breaks (without its position).
pub fn validate_event(event: &Value, rules: &ValidationRules, now_ms: i64) -> Result<(), String> {
    let event = match event {
        Value::Object(map) => map,
        other => return Err(type_error("events", "insights.PublicEvent", other)),
    };

    let event_type = required_string(event, "eventType", "EventType is required")?;
    if !matches!(event_type, "click" | "conversion" | "view") {
        return Err(r#"EventType must be one of "click", "conversion" or "view""#.to_string());
    }
    let is_click = event_type == "click";
    let is_conversion = event_type == "conversion";

    let event_name = required_string(event, "eventName", "EventName is required")?;
    if event_name.len() > MAX_EVENT_NAME_LEN
        || !event_name.bytes().all(|b| (0x20..=0x7e).contains(&b))
    {
        return Err(format!(
            "EventName must contain only visible ASCII characters, and be between 1 and {MAX_EVENT_NAME_LEN} characters long"
        ));
    }

    required_string(event, "index", "The index field is required")?;

    let user_token = required_string(event, "userToken", "The userToken field is required")?;
    check_user_token("UserToken", user_token)?;
    if let Some(token) = optional_string(event, "authenticatedUserToken")? {
        check_user_token("AuthenticatedUserToken", token)?;
    }

    let object_ids = string_list(event, "objectIDs")?;
    let filters = string_list(event, "filters")?;
    match (object_ids.is_empty(), filters.is_empty()) {
        (true, true) => {
            return Err("Event should specify either some ObjectIDs or some Filters".to_string())
        }
        (false, false) => {
            return Err("Event should specify ObjectIDs or Filters, but not both".to_string())
        }
        _ => {}
    }
    if object_ids.len() > MAX_ITEMS_PER_EVENT {
        return Err(format!(
            "Cannot process more than {MAX_ITEMS_PER_EVENT} objects in an event"
        ));
    }
    if filters.len() > MAX_ITEMS_PER_EVENT {
        return Err(format!(
            "Cannot process more than {MAX_ITEMS_PER_EVENT} filters in an event"
        ));
    }
    for filter in &filters {
        check_filter(filter)?;
    }

    if let Some(subtype) = optional_string(event, "eventSubtype")? {
        if !is_conversion {
            return Err(
                "Only event of type conversion should specify the eventSubtype attribute"
                    .to_string(),
            );
        }
        if !matches!(subtype, "addToCart" | "purchase") {
            return Err(r#"EventSubtype must be one of "addToCart" or "purchase""#.to_string());
        }
        if object_ids.is_empty() {
            return Err(
                "Event with an eventSubtype should specify ObjectIDs, not Filters".to_string(),
            );
        }
    }

    let query_id = optional_string(event, "queryID")?;
    if let Some(query_id) = query_id {
        check_query_id(query_id)?;
    }

    check_positions(event, is_click, query_id.is_some(), object_ids.len())?;
    check_object_data(event, is_conversion, object_ids.len())?;
    check_inferred_query_ids(event, &object_ids)?;
    check_value_and_currency(event)?;
    check_timestamp(event, rules, now_ms)?;
    Ok(())
}

/// `string`, `number`, `bool`, `array`, `object` or `null`, as Go's JSON decoder names them.
pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_error(field: &str, expected: &str, got: &Value) -> String {
    format!(
        "Invalid type for field {field}: expected {expected}, got {}",
        json_type(got)
    )
}

/// A field that is absent or `null` counts as missing, like an empty string
/// (the real API decodes into Go zero values).
fn present<'a>(event: &'a Map<String, Value>, field: &str) -> Option<&'a Value> {
    event.get(field).filter(|v| !v.is_null())
}

fn optional_string<'a>(
    event: &'a Map<String, Value>,
    field: &str,
) -> Result<Option<&'a str>, String> {
    match present(event, field) {
        None => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(type_error(field, "string", other)),
    }
}

fn required_string<'a>(
    event: &'a Map<String, Value>,
    field: &str,
    missing: &str,
) -> Result<&'a str, String> {
    optional_string(event, field)?.ok_or_else(|| missing.to_string())
}

fn string_list<'a>(event: &'a Map<String, Value>, field: &str) -> Result<Vec<&'a str>, String> {
    match present(event, field) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.as_str()),
                other => Err(type_error(field, "string", other)),
            })
            .collect(),
        Some(other) => Err(type_error(field, "array", other)),
    }
}

fn check_user_token(label: &str, token: &str) -> Result<(), String> {
    let allowed =
        |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'=' | b'+' | b'/' | b'-');
    if token.len() > MAX_USER_TOKEN_LEN || !token.bytes().all(allowed) {
        return Err(format!(
            "{label} must contain only alphanumeric, equal, plus, slash, hyphen, or underscore characters, and be between 1 and {MAX_USER_TOKEN_LEN} characters long"
        ));
    }
    Ok(())
}

fn is_query_id(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn check_query_id(query_id: &str) -> Result<(), String> {
    if is_query_id(query_id) {
        Ok(())
    } else {
        Err("Query ID must be a search query ID (32 characters hexadecimal string)".to_string())
    }
}

/// Filters are `attribute:value`, sent URL-encoded (`brand%3Aapple`) by
/// search-insights; the plain form is accepted too.
fn check_filter(filter: &str) -> Result<(), String> {
    let decoded = percent_encoding::percent_decode_str(filter).decode_utf8_lossy();
    match decoded.split_once(':') {
        Some((attribute, value)) if !attribute.trim().is_empty() && !value.is_empty() => Ok(()),
        _ => Err(format!(
            "Filter {:?} should be formatted as attribute:value (URL-encoded)",
            crate::api_error::clip(filter, crate::api_error::MAX_ECHO_CHARS)
        )),
    }
}

fn check_positions(
    event: &Map<String, Value>,
    is_click: bool,
    has_query_id: bool,
    object_count: usize,
) -> Result<(), String> {
    let positions = match present(event, "positions") {
        None => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(other) => return Err(type_error("positions", "array", other)),
    };
    if !positions.is_empty() {
        if !is_click {
            return Err(
                "Only event of type click should specify the positions attribute".to_string(),
            );
        }
        if !has_query_id {
            return Err("Event of type click with positions should specify a queryID".to_string());
        }
        for position in &positions {
            match position {
                Value::Number(n) if n.is_i64() || n.is_u64() => {
                    if n.as_i64().is_some_and(|p| p < 1) {
                        return Err(
                            "Event of type click may only have strictly positive positions"
                                .to_string(),
                        );
                    }
                }
                Value::Number(_) => {
                    return Err(
                        "Event of type click may only have strictly positive positions".to_string(),
                    )
                }
                other => return Err(type_error("positions", "int", other)),
            }
        }
    }
    let needs_positions = is_click && has_query_id && object_count > 0;
    if (needs_positions || !positions.is_empty()) && positions.len() != object_count {
        return Err(
            "Event of type click should have the same number of ObjectIDs and Positions"
                .to_string(),
        );
    }
    Ok(())
}

fn check_object_data(
    event: &Map<String, Value>,
    is_conversion: bool,
    object_count: usize,
) -> Result<(), String> {
    let items = match present(event, "objectData") {
        None => return Ok(()),
        Some(Value::Array(items)) => items,
        Some(other) => return Err(type_error("objectData", "array", other)),
    };
    if !is_conversion {
        return Err(
            "Only event of type conversion should specify the objectData attribute".to_string(),
        );
    }
    if items.len() != object_count {
        return Err(
            "Event of type conversion should have the same number of ObjectIDs and ObjectData"
                .to_string(),
        );
    }
    for (i, item) in items.iter().enumerate() {
        let data = match item {
            Value::Object(map) => map,
            other => return Err(type_error("objectData", "insights.ObjectData", other)),
        };
        let field = |name: &str| format!("objectData[{i}].{name}");
        match present(data, "queryID") {
            None => {}
            Some(Value::String(q)) if is_query_id(q) => {}
            Some(Value::String(_)) => {
                return Err(format!(
                    "{}: Query ID must be a search query ID (32 characters hexadecimal string)",
                    field("queryID")
                ))
            }
            Some(other) => return Err(type_error(&field("queryID"), "string", other)),
        }
        for name in ["price", "discount"] {
            if let Some(amount) = present(data, name) {
                check_amount(&field(name), amount, usize::MAX)?;
            }
        }
        match present(data, "quantity") {
            None => {}
            Some(Value::Number(n)) if n.as_i64().is_some_and(|q| i32::try_from(q).is_ok()) => {}
            Some(other) => return Err(type_error(&field("quantity"), "int32", other)),
        }
    }
    Ok(())
}

/// Prices, discounts and values are numbers or numeric strings.
fn check_amount(field: &str, amount: &Value, max_string_len: usize) -> Result<(), String> {
    match amount {
        Value::Number(_) => Ok(()),
        Value::String(s)
            if s.len() <= max_string_len && s.trim().parse::<f64>().is_ok_and(f64::is_finite) =>
        {
            Ok(())
        }
        Value::String(_) => Err(format!("{field} must be a number or a numeric string")),
        other => Err(type_error(field, "number or string", other)),
    }
}

fn check_inferred_query_ids(event: &Map<String, Value>, object_ids: &[&str]) -> Result<(), String> {
    let inferred = string_list(event, "objectIDsWithInferredQueryID")?;
    if inferred.iter().any(|id| !object_ids.contains(id)) {
        return Err(
            "ObjectIDsWithInferredQueryID should only contain ObjectIDs of the event".to_string(),
        );
    }
    Ok(())
}

fn check_value_and_currency(event: &Map<String, Value>) -> Result<(), String> {
    let value = present(event, "value");
    if let Some(value) = value {
        check_amount("value", value, MAX_VALUE_STRING_LEN)?;
    }
    let currency = optional_string(event, "currency")?;
    if let Some(currency) = currency {
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err("Currency must be a three-letter ISO 4217 code".to_string());
        }
    }
    let has_prices = match present(event, "objectData") {
        Some(Value::Array(items)) => items.iter().any(|item| {
            item.get("price").is_some_and(|v| !v.is_null())
                || item.get("discount").is_some_and(|v| !v.is_null())
        }),
        _ => false,
    };
    if (value.is_some() || has_prices) && currency.is_none() {
        return Err("Event with a value or prices should specify a currency".to_string());
    }
    Ok(())
}

fn check_timestamp(
    event: &Map<String, Value>,
    rules: &ValidationRules,
    now_ms: i64,
) -> Result<(), String> {
    let timestamp = match present(event, "timestamp") {
        None => return Ok(()),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(t) => t,
            None => return Err(type_error("timestamp", "int64", &Value::Number(n.clone()))),
        },
        Some(other) => return Err(type_error("timestamp", "int64", other)),
    };
    if now_ms.saturating_sub(timestamp) > rules.max_event_age_ms {
        return Err("The timestamp is too far in the past".to_string());
    }
    if timestamp.saturating_sub(now_ms) > rules.max_future_skew_ms {
        return Err("The timestamp is too far in the future".to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: i64 = 1_700_000_000_000;
    const QID: &str = "43b15df305339e827f0ac0bdc5ebcaa7";

    fn check(event: Value) -> Result<(), String> {
        validate_event(&event, &ValidationRules::default(), NOW)
    }

    fn click() -> Value {
        json!({"eventType": "click", "eventName": "Product Clicked", "index": "products",
               "userToken": "user-1", "objectIDs": ["1", "2"], "queryID": QID, "positions": [1, 2]})
    }

    fn with(mut event: Value, field: &str, value: Value) -> Value {
        event[field] = value;
        event
    }

    fn without(mut event: Value, field: &str) -> Value {
        if let Some(map) = event.as_object_mut() {
            map.remove(field);
        }
        event
    }

    #[test]
    fn valid_click_passes() {
        assert_eq!(check(click()), Ok(()));
    }

    #[test]
    fn positions_rules() {
        assert!(check(without(click(), "positions"))
            .unwrap_err()
            .contains("same number of ObjectIDs and Positions"));
        assert!(check(with(click(), "positions", json!([0, 1])))
            .unwrap_err()
            .contains("strictly positive"));
        assert!(check(with(click(), "positions", json!([1.5, 2])))
            .unwrap_err()
            .contains("strictly positive"));
        assert!(check(without(click(), "queryID"))
            .unwrap_err()
            .contains("should specify a queryID"));
        let view = with(click(), "eventType", json!("view"));
        assert!(check(view)
            .unwrap_err()
            .contains("Only event of type click"));
    }

    #[test]
    fn batch_level_rules() {
        let rules = ValidationRules::default();
        assert_eq!(
            validate_batch(&json!({"events": []}), &rules, NOW),
            Err("No events to process".into())
        );
        assert_eq!(
            validate_batch(&json!({}), &rules, NOW),
            Err("No events to process".into())
        );
        assert!(validate_batch(&json!([]), &rules, NOW)
            .unwrap_err()
            .contains("got array"));
        let many: Vec<Value> = (0..1001).map(|_| click()).collect();
        assert!(validate_batch(&json!({ "events": many }), &rules, NOW)
            .unwrap_err()
            .contains("1000"));
        let err = validate_batch(
            &json!({"events": [click(), without(click(), "eventName")]}),
            &rules,
            NOW,
        );
        assert_eq!(err, Err("events[1]: EventName is required".into()));
    }

    #[test]
    fn timestamps() {
        let day = 86_400_000;
        assert_eq!(
            check(with(click(), "timestamp", json!(NOW - 3 * day))),
            Ok(())
        );
        assert!(check(with(click(), "timestamp", json!(NOW - 5 * day)))
            .unwrap_err()
            .contains("past"));
        assert!(check(with(click(), "timestamp", json!(NOW + day)))
            .unwrap_err()
            .contains("future"));
        assert!(check(with(click(), "timestamp", json!("now")))
            .unwrap_err()
            .contains("Invalid type"));
    }
}
