//! Building an event from what a page passed, and checking it against the
//! Insights API's rules: every refusal names the method and the field.

use super::{encode_uri_component, EventSubtype, EventType, InsightsEvent, MAX_EVENT_NAME_LEN, MAX_VALUE_STRING_LEN};
use crate::error::{InsightsError, Result};
use crate::json;
use crate::method::{EventMethod, Target};
use crate::token::UserToken;
use crate::value::{is_integer, Value};

/// `s` as a JSON string literal, for messages.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    json::write_string(s, &mut out);
    out
}

/// Checks a `queryID`: 32 lowercase hexadecimal characters, as search
/// responses give them (the API refuses anything else).
pub fn is_query_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Whether `s` is a finite decimal number, as the API reads amounts given as
/// strings (`"19.99"`, `" 5 "`, `"+1e3"`, `".5"`): checked by its grammar and
/// magnitude, without float parsing (which the wasm does not carry).
pub(super) fn is_numeric_string(s: &str) -> bool {
    let b = s.trim().as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let (mut digits, mut seen_dot, mut significant) = (0usize, false, false);
    // Significant digits before the point, or zeros after it before the first one.
    let (mut int_digits, mut frac_zeros) = (0i64, 0i64);
    while let Some(&c) = b.get(i) {
        match c {
            b'0'..=b'9' => {
                digits += 1;
                if !seen_dot && (c != b'0' || significant) {
                    significant = true;
                    int_digits += 1;
                } else if seen_dot && !significant {
                    if c == b'0' {
                        frac_zeros += 1;
                    } else {
                        significant = true;
                    }
                }
            }
            b'.' if !seen_dot => seen_dot = true,
            _ => break,
        }
        i += 1;
    }
    if digits == 0 {
        return false;
    }
    let mut exponent = 0i64;
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        let negative = b.get(i) == Some(&b'-');
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let start = i;
        while let Some(d) = b.get(i).filter(|d| d.is_ascii_digit()) {
            exponent = (exponent * 10 + i64::from(d - b'0')).min(1_000_000);
            i += 1;
        }
        if i == start {
            return false;
        }
        if negative {
            exponent = -exponent;
        }
    }
    // The first significant digit's power of ten; f64 is finite below 1e308.
    let order = if int_digits > 0 { int_digits - 1 } else { -(frac_zeros + 1) };
    i == b.len() && (!significant || order + exponent <= 307)
}

/// Checks a filter: `attribute:value`, read after URL-decoding (search-insights
/// sends filters encoded; the API decodes them).
pub(super) fn is_filter(s: &str) -> bool {
    match crate::ascii::split_once(s, b':') {
        Some((attribute, value)) => !attribute.trim().is_empty() && !value.is_empty(),
        None => false,
    }
}

/// Checks the fields of one event argument; `method` is `None` for `sendEvents`.
struct Checker<'a> {
    method: &'static str,
    path: &'a str,
}

impl Checker<'_> {
    fn err(&self, field: &str, problem: impl Into<String>) -> InsightsError {
        let path = if field.is_empty() { self.path.to_owned() } else { text!(self.path, ".", field) };
        InsightsError::invalid(self.method, path, problem)
    }

    fn wrong_type(&self, field: &str, expected: &str, got: &Value) -> InsightsError {
        self.err(field, text!("must be ", expected, ", got ", got.type_name()))
    }

    fn string(&self, field: &str, value: &Value) -> Result<String> {
        value.as_str().map(str::to_owned).ok_or_else(|| self.wrong_type(field, "a string", value))
    }

    fn string_list(&self, field: &str, value: &Value) -> Result<Vec<String>> {
        let items = value.as_array().ok_or_else(|| self.wrong_type(field, "an array of strings", value))?;
        if items.is_empty() {
            return Err(self.err(field, "must not be empty"));
        }
        // (Plain loops rather than `collect::<Result<…>>`: smaller in wasm.)
        let mut list = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match item {
                Value::String(s) if !s.is_empty() => list.push(s.clone()),
                Value::String(_) => return Err(self.err(&text!(field, "[", i, "]"), "must not be empty")),
                other => return Err(self.wrong_type(&text!(field, "[", i, "]"), "a string", other)),
            }
        }
        Ok(list)
    }

    fn token(&self, field: &'static str, value: &Value) -> Result<Option<UserToken>> {
        UserToken::from_value(self.method, &text!(self.path, ".", field), value)
    }

    fn query_id(&self, field: &str, value: &Value) -> Result<String> {
        let s = self.string(field, value)?;
        if is_query_id(&s) {
            Ok(s)
        } else {
            Err(self.err(field, "must be 32 lowercase hexadecimal characters (the queryID of a search response)"))
        }
    }

    /// A price, discount or value: a number, or a numeric string of at most
    /// `max_len` characters.
    fn amount(&self, field: &str, value: &Value, max_len: usize) -> Result<Value> {
        match value {
            Value::Number(n) if n.is_finite() => Ok(value.clone()),
            Value::String(s) if !is_numeric_string(s) => {
                Err(self.err(field, text!("must be a number or a numeric string such as \"19.99\", got ", quoted(s))))
            }
            Value::String(s) if s.len() > max_len => {
                Err(self.err(field, text!("must be at most ", max_len, " characters long as a string")))
            }
            Value::String(_) => Ok(value.clone()),
            other => Err(self.wrong_type(field, "a number or a numeric string", other)),
        }
    }

    fn object_data(&self, value: &Value) -> Result<Vec<Value>> {
        let items = value.as_array().ok_or_else(|| self.wrong_type("objectData", "an array of objects", value))?;
        let mut data = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let Value::Object(entries) = item else {
                return Err(self.wrong_type(&text!("objectData[", i, "]"), "an object", item));
            };
            let mut out = Vec::with_capacity(entries.len());
            for (key, field) in entries {
                let name = text!("objectData[", i, "].", key);
                let checked = match (key.as_str(), field) {
                    (_, Value::Undefined) => continue,
                    ("queryID", v) => Value::String(self.query_id(&name, v)?),
                    ("price" | "discount", v) => self.amount(&name, v, usize::MAX)?,
                    ("quantity", Value::Number(n)) if is_integer(*n) && n.abs() <= f64::from(i32::MAX) => field.clone(),
                    ("quantity", v) => return Err(self.wrong_type(&name, "a whole number", v)),
                    (_, v) => v.clone(),
                };
                out.push((key.clone(), checked));
            }
            data.push(Value::Object(out));
        }
        Ok(data)
    }
}

impl InsightsEvent {
    /// Builds and checks one event passed to a typed event method, or, with
    /// `method: None`, to `sendEvents` (then `eventType` comes from the event).
    /// `path` names the argument in error messages (`event`, `events[2]`).
    pub fn parse(method_name: &'static str, method: Option<&EventMethod>, arg: &Value, path: &str) -> Result<InsightsEvent> {
        let c = Checker { method: method_name, path };
        let Value::Object(entries) = arg else {
            return Err(c.wrong_type("", "an event object", arg));
        };
        let event_type = match method {
            Some(m) => m.event_type,
            None => match arg.field("eventType") {
                Value::String(s) if s == "click" => EventType::Click,
                Value::String(s) if s == "conversion" => EventType::Conversion,
                Value::String(s) if s == "view" => EventType::View,
                Value::Undefined => return Err(c.err("eventType", "is required (click, conversion or view)")),
                _ => return Err(c.err("eventType", "must be one of click, conversion, view")),
            },
        };
        let mut event = InsightsEvent {
            event_type,
            subtype: method.and_then(|m| m.subtype),
            name: String::new(),
            index: String::new(),
            user_token: None,
            authenticated_user_token: None,
            timestamp: None,
            query_id: None,
            object_ids: Vec::new(),
            positions: Vec::new(),
            object_data: Vec::new(),
            inferred_query_ids: Vec::new(),
            filters: Vec::new(),
            value: None,
            currency: None,
            extra: Vec::new(),
        };
        let mut has_positions = false;
        for (key, value) in entries {
            if value.is_nullish() {
                continue;
            }
            match key.as_str() {
                "eventType" => {}
                "eventSubtype" => {
                    let subtype = match value.as_str() {
                        Some("addToCart") => EventSubtype::AddToCart,
                        Some("purchase") => EventSubtype::Purchase,
                        _ => return Err(c.err(key, "must be addToCart or purchase")),
                    };
                    if method.and_then(|m| m.subtype).is_none() {
                        event.subtype = Some(subtype);
                    }
                }
                "eventName" => event.name = c.string(key, value)?,
                "index" => event.index = c.string(key, value)?,
                "userToken" => event.user_token = c.token("userToken", value)?,
                "authenticatedUserToken" => {
                    event.authenticated_user_token = match value {
                        Value::String(s) if s.is_empty() => Some(None),
                        _ => Some(c.token("authenticatedUserToken", value)?),
                    }
                }
                "timestamp" => match value {
                    Value::Number(n) if is_integer(*n) && *n >= 0.0 => event.timestamp = Some(*n),
                    other => return Err(c.wrong_type(key, "a whole number of milliseconds", other)),
                },
                "queryID" => event.query_id = Some(c.query_id(key, value)?),
                "objectIDs" => event.object_ids = c.string_list(key, value)?,
                "filters" => {
                    let filters = c.string_list(key, value)?;
                    if let Some(i) = filters.iter().position(|f| !is_filter(f)) {
                        return Err(c.err(&text!("filters[", i, "]"), "must be attribute:value, e.g. brand:Apple"));
                    }
                    event.filters = filters.iter().map(|f| encode_uri_component(f)).collect();
                }
                "positions" => {
                    let items = value.as_array().ok_or_else(|| c.wrong_type(key, "an array of numbers", value))?;
                    // `positions: []` is no positions, for the API too.
                    has_positions = !items.is_empty();
                    for (i, item) in items.iter().enumerate() {
                        match item {
                            Value::Number(n) if is_integer(*n) && *n >= 1.0 => event.positions.push(*n),
                            other => {
                                return Err(c.wrong_type(&text!("positions[", i, "]"), "a whole number from 1", other))
                            }
                        }
                    }
                }
                "objectData" => event.object_data = c.object_data(value)?,
                "objectIDsWithInferredQueryID" => event.inferred_query_ids = c.string_list(key, value)?,
                "value" => event.value = Some(c.amount(key, value, MAX_VALUE_STRING_LEN)?),
                "currency" => {
                    let currency = c.string(key, value)?;
                    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_alphabetic()) {
                        return Err(c.err(key, "must be a 3-letter ISO 4217 currency code, e.g. USD"));
                    }
                    event.currency = Some(currency);
                }
                _ => event.extra.push((key.clone(), value.clone())),
            }
        }
        event.check(&c, method, has_positions)?;
        Ok(event)
    }

    fn check(&self, c: &Checker<'_>, method: Option<&EventMethod>, has_positions: bool) -> Result<()> {
        if self.name.is_empty() {
            return Err(c.err("eventName", "is required"));
        }
        if self.name.len() > MAX_EVENT_NAME_LEN || !self.name.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            return Err(c.err("eventName", "must be 1 to 64 printable ASCII characters"));
        }
        if self.index.is_empty() {
            return Err(c.err("index", "is required"));
        }
        let target = method.map(|m| m.target);
        match (target, self.object_ids.is_empty(), self.filters.is_empty()) {
            (Some(Target::ObjectIds), true, _) => return Err(c.err("objectIDs", "is required")),
            (Some(Target::Filters), _, true) => return Err(c.err("filters", "is required")),
            (Some(Target::ObjectIds), false, false) => {
                return Err(c.err("filters", "cannot be sent with objectIDs (use one of them)"))
            }
            (Some(Target::Filters), false, false) => {
                return Err(c.err("objectIDs", "cannot be sent with filters (use one of them)"))
            }
            (None, true, true) => return Err(c.err("objectIDs", "or `filters` is required")),
            (None, false, false) => return Err(c.err("objectIDs", "and `filters` cannot both be sent")),
            _ => {}
        }
        if self.subtype.is_some() && self.event_type != EventType::Conversion {
            return Err(c.err("eventSubtype", "is only allowed on conversion events"));
        }
        if self.subtype.is_some() && self.object_ids.is_empty() {
            return Err(c.err("eventSubtype", "needs objectIDs (a conversion on filters has no subtype)"));
        }
        if method.is_some_and(|m| m.needs_query_id) && self.query_id.is_none() {
            return Err(c.err("queryID", "is required"));
        }
        let needs_positions = self.event_type == EventType::Click && self.query_id.is_some() && !self.object_ids.is_empty();
        if needs_positions && !has_positions {
            return Err(c.err("positions", "is required on a click with a queryID"));
        }
        if has_positions && !needs_positions {
            return Err(c.err("positions", "is only allowed on clicks on objectIDs with a queryID"));
        }
        if has_positions && self.positions.len() != self.object_ids.len() {
            return Err(c.err("positions", text!("must have one position per objectID (", self.object_ids.len(), ")")));
        }
        if !self.object_data.is_empty() {
            if self.event_type != EventType::Conversion {
                return Err(c.err("objectData", "is only allowed on conversion events"));
            }
            if self.object_data.len() != self.object_ids.len() {
                return Err(c.err("objectData", text!("must have one entry per objectID (", self.object_ids.len(), ")")));
            }
        }
        if let Some(unknown) = self.inferred_query_ids.iter().find(|id| !self.object_ids.contains(id)) {
            return Err(c.err("objectIDsWithInferredQueryID", text!("names ", quoted(unknown), ", which is not in objectIDs")));
        }
        let priced = self.object_data.iter().any(|d| !d.field("price").is_nullish() || !d.field("discount").is_nullish());
        if self.currency.is_none() && (self.value.is_some() || priced) {
            let what = if self.value.is_some() { "with a value" } else { "with objectData prices or discounts" };
            return Err(c.err("currency", text!("is required ", what, " (a 3-letter ISO 4217 code, e.g. USD)")));
        }
        Ok(())
    }

}
