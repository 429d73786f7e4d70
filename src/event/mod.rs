//! `InsightsEvent`: one event as the Insights API receives it, built from what
//! a page passed, checked against the API's rules, split to its limits and
//! written as JSON.

mod check;
mod split;
mod wire;

pub use check::is_query_id;
// (Defined with the methods, which set them; part of the event model.)
pub use crate::method::{EventSubtype, EventType};
pub use wire::{encode_uri_component, encoded_len};

use crate::token::UserToken;
use crate::value::Value;

/// The API's limit on `objectIDs` and `filters` per event.
pub const MAX_ITEMS_PER_EVENT: usize = 20;
/// The API's limit on `eventName` length.
pub const MAX_EVENT_NAME_LEN: usize = 64;
/// The API's limit on the length of a `value` given as a string.
pub const MAX_VALUE_STRING_LEN: usize = 16;

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

impl InsightsEvent {
    /// The `queryID` of the `i`-th object: its `objectData` one, else the event's.
    pub fn query_id_of(&self, i: usize) -> Option<&str> {
        self.object_query_id(i).or(self.query_id.as_deref())
    }

    /// The `queryID` in the `i`-th object's own `objectData`.
    pub fn object_query_id(&self, i: usize) -> Option<&str> {
        self.object_data.get(i).and_then(|data| data.field("queryID").as_str())
    }
}

#[cfg(test)]
mod tests;
