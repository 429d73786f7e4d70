//! An event as JSON on the wire, and the URL encoding of its filters.

use super::InsightsEvent;
use crate::json;
use crate::token::UserToken;
use crate::value::Value;

/// `encodeURIComponent`, which search-insights applies to each filter.
pub fn encode_uri_component(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if unreserved(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0')));
            out.push(char::from(HEX.get(usize::from(b & 15)).copied().unwrap_or(b'0')));
        }
    }
    out
}

/// How long [`encode_uri_component`] makes `s`.
pub fn encoded_len(s: &str) -> usize {
    s.bytes().map(|b| if unreserved(b) { 1 } else { 3 }).sum()
}

/// The bytes `encodeURIComponent` leaves as they are.
fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')')
}

impl InsightsEvent {
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

