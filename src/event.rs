//! `InsightsEvent`: one event as the Insights API receives it, built from what
//! a page passed, checked against the API's rules, split to its limits and
//! written as JSON.

use crate::error::{InsightsError, Result};
use crate::json;
use crate::method::{EventMethod, Target};
use crate::token::UserToken;
use crate::value::{is_integer, Value};

/// The API's limit on `objectIDs` and `filters` per event.
pub const MAX_ITEMS_PER_EVENT: usize = 20;
/// The API's limit on `eventName` length.
pub const MAX_EVENT_NAME_LEN: usize = 64;
/// The API's limit on the length of a `value` given as a string.
pub const MAX_VALUE_STRING_LEN: usize = 16;

/// `eventType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// `click`
    Click,
    /// `conversion`
    Conversion,
    /// `view`
    View,
}

impl EventType {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Click => "click",
            EventType::Conversion => "conversion",
            EventType::View => "view",
        }
    }
}

/// `eventSubtype` of conversions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventSubtype {
    /// `addToCart`
    AddToCart,
    /// `purchase`
    Purchase,
}

impl EventSubtype {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventSubtype::AddToCart => "addToCart",
            EventSubtype::Purchase => "purchase",
        }
    }
}

/// One Insights event, valid by the API's rules except for the limits that
/// [`InsightsEvent::split`] enforces (at most 20 objectIDs or filters).
#[derive(Debug, Clone, PartialEq)]
pub struct InsightsEvent {
    /// `eventType`.
    pub event_type: EventType,
    /// `eventSubtype`.
    pub subtype: Option<EventSubtype>,
    /// `eventName`.
    pub name: String,
    /// `index`.
    pub index: String,
    /// `userToken` given in the event (the global token fills it when absent).
    pub user_token: Option<UserToken>,
    /// `authenticatedUserToken` given in the event; `Some(None)` when given as
    /// `""` (then the event has none, and the global one is not used either).
    pub authenticated_user_token: Option<Option<UserToken>>,
    /// `timestamp` in ms.
    pub timestamp: Option<f64>,
    /// `queryID`.
    pub query_id: Option<String>,
    /// `objectIDs` (empty for filter events).
    pub object_ids: Vec<String>,
    /// `positions`, 1-based, as many as `objectIDs`.
    pub positions: Vec<f64>,
    /// `objectData`, as many as `objectIDs` when given.
    pub object_data: Vec<Value>,
    /// `objectIDsWithInferredQueryID`.
    pub inferred_query_ids: Vec<String>,
    /// `filters`, URL-encoded as search-insights encodes them.
    pub filters: Vec<String>,
    /// `value`.
    pub value: Option<Value>,
    /// `currency`.
    pub currency: Option<String>,
    /// Any other field, passed along as given (search-insights does too).
    pub extra: Vec<(String, Value)>,
}

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
fn is_numeric_string(s: &str) -> bool {
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
fn is_filter(s: &str) -> bool {
    match s.split_once(':') {
        Some((attribute, value)) => !attribute.trim().is_empty() && !value.is_empty(),
        None => false,
    }
}

/// `encodeURIComponent`, which search-insights applies to each filter.
pub fn encode_uri_component(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0')));
            out.push(char::from(HEX.get(usize::from(b & 15)).copied().unwrap_or(b'0')));
        }
    }
    out
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

    /// The `queryID` of the `i`-th object: its `objectData` one, else the event's.
    pub fn query_id_of(&self, i: usize) -> Option<&str> {
        self.object_query_id(i).or(self.query_id.as_deref())
    }

    /// The `queryID` in the `i`-th object's own `objectData`.
    pub fn object_query_id(&self, i: usize) -> Option<&str> {
        self.object_data.get(i).and_then(|data| data.field("queryID").as_str())
    }

    /// Splits the event into events of at most 20 objectIDs (or filters),
    /// `positions` and `objectData` split in step.
    pub fn split(mut self) -> Vec<InsightsEvent> {
        let len = self.object_ids.len().max(self.filters.len());
        if len <= MAX_ITEMS_PER_EVENT {
            return vec![self];
        }
        // The lists are taken out first, so that each part clones only the
        // rest of the event (not all 5000 objectIDs for each of 250 parts).
        let all_object_ids = std::mem::take(&mut self.object_ids);
        let all_filters = std::mem::take(&mut self.filters);
        let all_positions = std::mem::take(&mut self.positions);
        let all_object_data = std::mem::take(&mut self.object_data);
        let all_inferred = std::mem::take(&mut self.inferred_query_ids);
        let mut parts = Vec::with_capacity(len.div_ceil(MAX_ITEMS_PER_EVENT));
        let mut start = 0;
        while start < len {
            let end = (start + MAX_ITEMS_PER_EVENT).min(len);
            let window = |items: &[String]| items.get(start..end).map(<[String]>::to_vec).unwrap_or_default();
            let object_ids = window(&all_object_ids);
            let part = InsightsEvent {
                positions: all_positions.get(start..end).map(<[f64]>::to_vec).unwrap_or_default(),
                object_data: all_object_data.get(start..end).map(<[Value]>::to_vec).unwrap_or_default(),
                inferred_query_ids: all_inferred.iter().filter(|id| object_ids.contains(id)).cloned().collect(),
                filters: window(&all_filters),
                object_ids,
                ..self.clone()
            };
            parts.push(part);
            start = end;
        }
        parts
    }

    /// Appends the event's JSON, with `user_token`/`authenticated_user_token`
    /// filling the tokens the event does not carry itself.
    pub fn write_json(&self, user_token: Option<&UserToken>, authenticated_user_token: Option<&UserToken>, out: &mut String) {
        let mut fields = FieldWriter { out, first: true };
        fields.out.push('{');
        fields.string("eventType", self.event_type.as_str());
        if let Some(subtype) = self.subtype {
            fields.string("eventSubtype", subtype.as_str());
        }
        fields.string("eventName", &self.name);
        fields.string("index", &self.index);
        if let Some(token) = self.user_token.as_ref().or(user_token) {
            fields.string("userToken", token.as_str());
        }
        let authenticated = match &self.authenticated_user_token {
            Some(given) => given.as_ref(),
            None => authenticated_user_token,
        };
        if let Some(token) = authenticated {
            fields.string("authenticatedUserToken", token.as_str());
        }
        if let Some(ts) = self.timestamp {
            fields.key("timestamp");
            json::write_number(ts, fields.out);
        }
        if let Some(query_id) = &self.query_id {
            fields.string("queryID", query_id);
        }
        fields.strings("objectIDs", &self.object_ids);
        if !self.positions.is_empty() {
            fields.key("positions");
            json::write(&Value::Array(self.positions.iter().map(|p| Value::Number(*p)).collect()), fields.out);
        }
        if !self.object_data.is_empty() {
            fields.key("objectData");
            for (i, data) in self.object_data.iter().enumerate() {
                fields.out.push(if i == 0 { '[' } else { ',' });
                json::write(data, fields.out);
            }
            fields.out.push(']');
        }
        fields.strings("objectIDsWithInferredQueryID", &self.inferred_query_ids);
        fields.strings("filters", &self.filters);
        if let Some(value) = &self.value {
            fields.key("value");
            json::write(value, fields.out);
        }
        if let Some(currency) = &self.currency {
            fields.string("currency", currency);
        }
        for (key, value) in &self.extra {
            if !matches!(value, Value::Undefined | Value::Opaque(_)) {
                fields.key(key);
                json::write(value, fields.out);
            }
        }
        fields.out.push('}');
    }
}

struct FieldWriter<'a> {
    out: &'a mut String,
    first: bool,
}

impl FieldWriter<'_> {
    fn key(&mut self, key: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        json::write_string(key, self.out);
        self.out.push(':');
    }

    fn string(&mut self, key: &str, value: &str) {
        self.key(key);
        json::write_string(value, self.out);
    }

    fn strings(&mut self, key: &str, values: &[String]) {
        if values.is_empty() {
            return;
        }
        self.key(key);
        for (i, value) in values.iter().enumerate() {
            self.out.push(if i == 0 { '[' } else { ',' });
            json::write_string(value, self.out);
        }
        self.out.push(']');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::method::{Method, EVENT_METHODS};

    const QID: &str = "0123456789abcdef0123456789abcdef";

    fn method(name: &str) -> EventMethod {
        match Method::from_name(name) {
            Some(Method::Event(m)) => m,
            _ => panic!("not an event method: {name}"),
        }
    }

    fn strs(items: &[&str]) -> Value {
        Value::Array(items.iter().map(|s| Value::str(*s)).collect())
    }

    fn parse(name: &'static str, arg: Value) -> Result<InsightsEvent> {
        let m = method(name);
        InsightsEvent::parse(m.name, Some(&m), &arg, "event")
    }

    fn json_of(e: &InsightsEvent) -> String {
        let mut out = String::new();
        e.write_json(None, None, &mut out);
        out
    }

    fn click() -> Vec<(&'static str, Value)> {
        vec![("index", Value::str("movies")), ("eventName", Value::str("Added to favorite")), ("objectIDs", strs(&["movieID1"]))]
    }

    #[test]
    fn builds_a_click() {
        let e = parse("clickedObjectIDs", Value::object(click())).expect("valid");
        assert_eq!(
            json_of(&e),
            r#"{"eventType":"click","eventName":"Added to favorite","index":"movies","objectIDs":["movieID1"]}"#
        );
        let token = UserToken::parse("user-1").expect("valid");
        let mut out = String::new();
        e.write_json(Some(&token), None, &mut out);
        assert!(out.contains(r#""userToken":"user-1""#));
    }

    #[test]
    fn event_tokens_win_over_global_ones() {
        let mut fields = click();
        fields.push(("userToken", Value::str("user-2")));
        let e = parse("clickedObjectIDs", Value::object(fields)).expect("valid");
        let global = UserToken::parse("user-1").expect("valid");
        let mut out = String::new();
        e.write_json(Some(&global), Some(&global), &mut out);
        assert!(out.contains(r#""userToken":"user-2""#), "{out}");
        assert!(out.contains(r#""authenticatedUserToken":"user-1""#), "{out}");
    }

    #[test]
    fn every_method_sets_type_and_subtype() {
        // search-insights' methods and the events they send, written by hand
        // (each with the fields the Insights API needs for it).
        let o = r#""objectIDs":["1"]"#;
        // search-insights sends each filter through encodeURIComponent.
        let f = r#""filters":["brand%3Aapple"]"#;
        let q = format!(r#""queryID":"{QID}""#);
        let cases: [(&'static str, String); 12] = [
            ("clickedObjectIDsAfterSearch", format!(r#"{{"eventType":"click","eventName":"n","index":"i",{q},{o},"positions":[1]}}"#)),
            ("clickedObjectIDs", format!(r#"{{"eventType":"click","eventName":"n","index":"i",{o}}}"#)),
            ("clickedFilters", format!(r#"{{"eventType":"click","eventName":"n","index":"i",{f}}}"#)),
            ("convertedObjectIDsAfterSearch", format!(r#"{{"eventType":"conversion","eventName":"n","index":"i",{q},{o}}}"#)),
            ("convertedObjectIDs", format!(r#"{{"eventType":"conversion","eventName":"n","index":"i",{o}}}"#)),
            ("convertedFilters", format!(r#"{{"eventType":"conversion","eventName":"n","index":"i",{f}}}"#)),
            ("addedToCartObjectIDsAfterSearch", format!(r#"{{"eventType":"conversion","eventSubtype":"addToCart","eventName":"n","index":"i",{q},{o}}}"#)),
            ("addedToCartObjectIDs", format!(r#"{{"eventType":"conversion","eventSubtype":"addToCart","eventName":"n","index":"i",{o}}}"#)),
            ("purchasedObjectIDsAfterSearch", format!(r#"{{"eventType":"conversion","eventSubtype":"purchase","eventName":"n","index":"i",{o}}}"#)),
            ("purchasedObjectIDs", format!(r#"{{"eventType":"conversion","eventSubtype":"purchase","eventName":"n","index":"i",{o}}}"#)),
            ("viewedObjectIDs", format!(r#"{{"eventType":"view","eventName":"n","index":"i",{o}}}"#)),
            ("viewedFilters", format!(r#"{{"eventType":"view","eventName":"n","index":"i",{f}}}"#)),
        ];
        assert_eq!(cases.len(), EVENT_METHODS.len());
        for (name, expected) in cases {
            let mut fields = vec![("index", Value::str("i")), ("eventName", Value::str("n"))];
            if name.ends_with("Filters") {
                fields.push(("filters", strs(&["brand:apple"])));
            } else {
                fields.push(("objectIDs", strs(&["1"])));
            }
            if name.ends_with("AfterSearch") && !name.starts_with("purchased") {
                fields.push(("queryID", Value::str(QID)));
            }
            if name == "clickedObjectIDsAfterSearch" {
                fields.push(("positions", Value::Array(vec![Value::Number(1.0)])));
            }
            let e = parse(name, Value::object(fields)).expect(name);
            assert_eq!(json_of(&e), expected, "{name}");
        }
    }

    #[test]
    fn filters_are_url_encoded() {
        let e = parse(
            "clickedFilters",
            Value::object([("index", Value::str("i")), ("eventName", Value::str("n")), ("filters", strs(&["brand:Apple & Co/é"]))]),
        )
        .expect("valid");
        assert_eq!(e.filters, vec!["brand%3AApple%20%26%20Co%2F%C3%A9".to_owned()]);
        assert_eq!(encode_uri_component("a-_.!~*'()z"), "a-_.!~*'()z");
    }

    #[test]
    fn conversions_carry_object_data_value_currency() {
        let e = parse(
            "purchasedObjectIDs",
            Value::object([
                ("index", Value::str("i")),
                ("eventName", Value::str("Purchased")),
                ("objectIDs", strs(&["1", "2"])),
                (
                    "objectData",
                    Value::Array(vec![
                        Value::object([("price", Value::Number(19.99)), ("quantity", Value::Number(2.0)), ("queryID", Value::str(QID))]),
                        Value::object([("price", Value::str("5.00")), ("discount", Value::Number(1.0))]),
                    ]),
                ),
                ("value", Value::Number(44.98)),
                ("currency", Value::str("USD")),
            ]),
        )
        .expect("valid");
        let out = json_of(&e);
        assert!(out.contains(r#""eventSubtype":"purchase""#));
        assert!(out.contains(&format!(r#""objectData":[{{"price":19.99,"quantity":2,"queryID":"{QID}"}},{{"price":"5.00","discount":1}}]"#)), "{out}");
        assert!(out.ends_with(r#""value":44.98,"currency":"USD"}"#), "{out}");
        assert_eq!(e.query_id_of(0), Some(QID));
        assert_eq!(e.query_id_of(1), None);
    }

    #[test]
    fn bad_input_names_method_and_field() {
        type Case = (&'static str, Vec<(&'static str, Value)>, &'static str);
        let cases: Vec<Case> = vec![
            ("clickedObjectIDs", vec![("eventName", Value::str("n")), ("objectIDs", strs(&["1"]))], "clickedObjectIDs: `event.index` is required"),
            ("clickedObjectIDs", vec![("index", Value::str("i")), ("objectIDs", strs(&["1"]))], "clickedObjectIDs: `event.eventName` is required"),
            ("clickedObjectIDs", vec![("index", Value::str("i")), ("eventName", Value::str("n"))], "clickedObjectIDs: `event.objectIDs` is required"),
            ("clickedObjectIDs", vec![("index", Value::Number(1.0)), ("eventName", Value::str("n")), ("objectIDs", strs(&["1"]))], "clickedObjectIDs: `event.index` must be a string, got number"),
            ("clickedObjectIDs", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("objectIDs", Value::str("1"))], "clickedObjectIDs: `event.objectIDs` must be an array of strings, got string"),
            ("clickedObjectIDs", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("objectIDs", Value::Array(vec![Value::str("1"), Value::Number(2.0)]))], "clickedObjectIDs: `event.objectIDs[1]` must be a string, got number"),
            ("clickedObjectIDs", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("objectIDs", Value::Array(vec![]))], "clickedObjectIDs: `event.objectIDs` must not be empty"),
            ("clickedObjectIDs", vec![("index", Value::str("i")), ("eventName", Value::str("x".repeat(65))), ("objectIDs", strs(&["1"]))], "clickedObjectIDs: `event.eventName` must be 1 to 64 printable ASCII characters"),
            ("clickedObjectIDs", vec![("index", Value::str("i")), ("eventName", Value::str("caf\u{e9}")), ("objectIDs", strs(&["1"]))], "clickedObjectIDs: `event.eventName` must be 1 to 64 printable ASCII characters"),
            ("clickedObjectIDs", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("objectIDs", strs(&["1"])), ("userToken", Value::str("a;b"))], "clickedObjectIDs: `event.userToken` must contain only the characters A-Z a-z 0-9 _ = + / -"),
            ("clickedObjectIDsAfterSearch", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("objectIDs", strs(&["1"])), ("positions", Value::Array(vec![Value::Number(1.0)]))], "clickedObjectIDsAfterSearch: `event.queryID` is required"),
            ("clickedObjectIDsAfterSearch", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("objectIDs", strs(&["1"])), ("queryID", Value::str(QID))], "clickedObjectIDsAfterSearch: `event.positions` is required on a click with a queryID"),
            ("clickedObjectIDsAfterSearch", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("objectIDs", strs(&["1", "2"])), ("queryID", Value::str(QID)), ("positions", Value::Array(vec![Value::Number(1.0)]))], "clickedObjectIDsAfterSearch: `event.positions` must have one position per objectID (2)"),
            ("clickedObjectIDsAfterSearch", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("objectIDs", strs(&["1"])), ("queryID", Value::str("abc")), ("positions", Value::Array(vec![Value::Number(1.0)]))], "clickedObjectIDsAfterSearch: `event.queryID` must be 32 lowercase hexadecimal characters (the queryID of a search response)"),
            ("clickedObjectIDsAfterSearch", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("objectIDs", strs(&["1"])), ("queryID", Value::str(QID)), ("positions", Value::Array(vec![Value::Number(0.0)]))], "clickedObjectIDsAfterSearch: `event.positions[0]` must be a whole number from 1, got number"),
            ("viewedObjectIDs", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("objectIDs", strs(&["1"])), ("objectData", Value::Array(vec![Value::object::<&str>([])]))], "viewedObjectIDs: `event.objectData` is only allowed on conversion events"),
            ("purchasedObjectIDs", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("objectIDs", strs(&["1"])), ("currency", Value::str("dollars"))], "purchasedObjectIDs: `event.currency` must be a 3-letter ISO 4217 currency code, e.g. USD"),
            ("purchasedObjectIDs", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("objectIDs", strs(&["1"])), ("objectData", Value::Array(vec![Value::object([("quantity", Value::Number(1.5))])]))], "purchasedObjectIDs: `event.objectData[0].quantity` must be a whole number, got number"),
            ("viewedFilters", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("filters", strs(&["a:b"])), ("objectIDs", strs(&["1"]))], "viewedFilters: `event.objectIDs` cannot be sent with filters (use one of them)"),
            ("clickedObjectIDs", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("objectIDs", strs(&["1"])), ("timestamp", Value::str("now"))], "clickedObjectIDs: `event.timestamp` must be a whole number of milliseconds, got string"),
        ];
        for (name, fields, message) in cases {
            let err = parse(name, Value::object(fields)).expect_err(message);
            assert_eq!(err.to_string(), message);
        }
        let err = parse("clickedObjectIDs", Value::Null).expect_err("null");
        assert_eq!(err.to_string(), "clickedObjectIDs: `event` must be an event object, got null");
    }

    #[test]
    fn send_events_takes_the_type_from_the_event() {
        let arg = Value::object([("eventType", Value::str("view")), ("index", Value::str("i")), ("eventName", Value::str("n")), ("filters", strs(&["a:b"]))]);
        let e = InsightsEvent::parse("sendEvents", None, &arg, "events[0]").expect("valid");
        assert_eq!(e.event_type, EventType::View);
        let arg = Value::object([("eventType", Value::str("hover")), ("index", Value::str("i"))]);
        let err = InsightsEvent::parse("sendEvents", None, &arg, "events[0]").expect_err("bad type");
        assert_eq!(err.to_string(), "sendEvents: `events[0].eventType` must be one of click, conversion, view");
        let arg = Value::object([("eventType", Value::str("view")), ("eventSubtype", Value::str("purchase")), ("index", Value::str("i")), ("eventName", Value::str("n")), ("filters", strs(&["a:b"]))]);
        let err = InsightsEvent::parse("sendEvents", None, &arg, "events[0]").expect_err("subtype on view");
        assert!(err.to_string().contains("eventSubtype"));
    }

    #[test]
    fn unknown_fields_pass_through_and_nullish_fields_are_ignored() {
        let mut fields = click();
        fields.push(("custom", Value::object([("a", Value::Number(1.0))])));
        fields.push(("userToken", Value::Null));
        let e = parse("clickedObjectIDs", Value::object(fields)).expect("valid");
        assert!(json_of(&e).ends_with(r#","custom":{"a":1}}"#));
        assert_eq!(e.user_token, None);
    }

    #[test]
    fn splits_in_twenties_in_step() {
        let ids: Vec<String> = (1..=45).map(|i| i.to_string()).collect();
        let m = method("clickedObjectIDsAfterSearch");
        let arg = Value::object([
            ("index", Value::str("i")),
            ("eventName", Value::str("n")),
            ("queryID", Value::str(QID)),
            ("objectIDs", Value::Array(ids.iter().map(|s| Value::str(s.as_str())).collect())),
            ("positions", Value::Array((1..=45).map(|p| Value::Number(f64::from(p))).collect())),
        ]);
        let parts = InsightsEvent::parse(m.name, Some(&m), &arg, "event").expect("valid").split();
        assert_eq!(parts.iter().map(|p| p.object_ids.len()).collect::<Vec<_>>(), vec![20, 20, 5]);
        assert_eq!(parts.iter().map(|p| p.positions.len()).collect::<Vec<_>>(), vec![20, 20, 5]);
        assert_eq!(parts[2].object_ids[0], "41");
        assert_eq!(parts[2].positions[0], 41.0);
        let small = parse("clickedObjectIDs", Value::object(click())).expect("valid");
        assert_eq!(small.clone().split(), vec![small]);
    }

    #[test]
    fn api_validity_rules_are_enforced_at_the_call() {
        type Case = (&'static str, Vec<(&'static str, Value)>, &'static str);
        let base = || vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("objectIDs", strs(&["1"]))];
        let with = |extra: Vec<(&'static str, Value)>| {
            let mut fields = base();
            fields.extend(extra);
            fields
        };
        let data = |entries: Vec<(&'static str, Value)>| Value::Array(vec![Value::object(entries)]);
        let cases: Vec<Case> = vec![
            ("convertedObjectIDs", with(vec![("value", Value::Number(10.0))]), "convertedObjectIDs: `event.currency` is required with a value (a 3-letter ISO 4217 code, e.g. USD)"),
            ("purchasedObjectIDs", with(vec![("objectData", data(vec![("price", Value::Number(1.0))]))]), "purchasedObjectIDs: `event.currency` is required with objectData prices or discounts (a 3-letter ISO 4217 code, e.g. USD)"),
            ("purchasedObjectIDs", with(vec![("objectData", data(vec![("discount", Value::str("1"))]))]), "purchasedObjectIDs: `event.currency` is required with objectData prices or discounts (a 3-letter ISO 4217 code, e.g. USD)"),
            ("purchasedObjectIDs", with(vec![("objectData", data(vec![("price", Value::str("ten"))])), ("currency", Value::str("USD"))]), "purchasedObjectIDs: `event.objectData[0].price` must be a number or a numeric string such as \"19.99\", got \"ten\""),
            ("purchasedObjectIDs", with(vec![("value", Value::str("12345678901234567")), ("currency", Value::str("USD"))]), "purchasedObjectIDs: `event.value` must be at most 16 characters long as a string"),
            ("purchasedObjectIDs", with(vec![("value", Value::Bool(true)), ("currency", Value::str("USD"))]), "purchasedObjectIDs: `event.value` must be a number or a numeric string, got boolean"),
            ("purchasedObjectIDs", with(vec![("objectData", data(vec![("quantity", Value::Number(3e9))]))]), "purchasedObjectIDs: `event.objectData[0].quantity` must be a whole number, got number"),
            ("clickedObjectIDsAfterSearch", with(vec![("queryID", Value::str(QID.to_uppercase())), ("positions", Value::Array(vec![Value::Number(1.0)]))]), "clickedObjectIDsAfterSearch: `event.queryID` must be 32 lowercase hexadecimal characters (the queryID of a search response)"),
            ("clickedFilters", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("filters", strs(&["brand:Apple", "apple"]))], "clickedFilters: `event.filters[1]` must be attribute:value, e.g. brand:Apple"),
            ("clickedFilters", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("filters", strs(&[":x"]))], "clickedFilters: `event.filters[0]` must be attribute:value, e.g. brand:Apple"),
            ("clickedObjectIDs", with(vec![("positions", Value::Array(vec![Value::Number(1.0)]))]), "clickedObjectIDs: `event.positions` is only allowed on clicks on objectIDs with a queryID"),
        ];
        for (name, fields, message) in cases {
            let err = parse(name, Value::object(fields)).expect_err(message);
            assert_eq!(err.to_string(), message);
        }
        let subtype_on_filters = Value::object([
            ("eventType", Value::str("conversion")),
            ("eventSubtype", Value::str("purchase")),
            ("index", Value::str("i")),
            ("eventName", Value::str("n")),
            ("filters", strs(&["brand:Apple"])),
        ]);
        let err = InsightsEvent::parse("sendEvents", None, &subtype_on_filters, "events[0]").expect_err("subtype on filters");
        assert_eq!(err.to_string(), "sendEvents: `events[0].eventSubtype` needs objectIDs (a conversion on filters has no subtype)");
        // What the API accepts still passes.
        for ok in [
            with(vec![("value", Value::str(" 19.99 ")), ("currency", Value::str("EUR")), ("objectData", data(vec![("price", Value::str("1e3")), ("discount", Value::Number(0.5)), ("quantity", Value::Number(-1.0))]))]),
            with(vec![("objectData", data(vec![("quantity", Value::Number(2.0)), ("queryID", Value::str(QID))]))]),
            with(vec![("positions", Value::Array(vec![]))]),
        ] {
            parse("purchasedObjectIDs", Value::object(ok.clone())).expect("valid");
        }
        assert!(is_filter("brand:Apple & Co") && is_filter("a:b:c") && !is_filter("a:") && !is_filter(" :b"));
    }

    #[test]
    fn numeric_strings_as_rust_parses_them_without_float_code() {
        let inputs = [
            "19.99", " 5 ", "+1e3", ".5", "5.", "-0.5E-2", "0", "007", "1e307", "9e307", "1e308", "1e400", "0.001e310",
            "0e99999", "-", ".", "", "e5", "1e", "1e+", "1.2.3", "1,5", "ten", "inf", "NaN", "infinity", "0x10", "1_000", "--1",
        ];
        for s in inputs {
            let reference = s.trim().parse::<f64>().is_ok_and(f64::is_finite);
            // At the 1e308 boundary this check is conservative ("1e308" is finite).
            if s == "1e308" {
                assert!(reference && !is_numeric_string(s));
                continue;
            }
            assert_eq!(is_numeric_string(s), reference, "{s:?}");
        }
    }
}
