//! Algolia-style JSON error bodies: `{"status": N, "message": "..."}`.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// An HTTP answer in Algolia's `{"status","message"}` shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status sent back.
    pub status: StatusCode,
    /// Human-readable message, in the real API's wording where known.
    pub message: String,
}

impl ApiError {
    /// A new answer with this status and message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        status_json(self.status, &self.message)
    }
}

/// `{"status": status, "message": message}` with that HTTP status.
pub fn status_json(status: StatusCode, message: &str) -> Response {
    let mut response = (
        status,
        Json(json!({ "status": status.as_u16(), "message": message })),
    )
        .into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    response
}

/// The default message for a status the real API documents.
pub fn default_message(status: StatusCode) -> String {
    match status.as_u16() {
        200 => "OK".to_string(),
        401 => "Invalid credentials".to_string(),
        404 => "Not Found".to_string(),
        405 => "Method Not Allowed".to_string(),
        413 => "Request Entity Too Large".to_string(),
        422 => "Invalid payload".to_string(),
        429 => "Too Many Requests".to_string(),
        500 => "Internal error".to_string(),
        502 => "Bad Gateway".to_string(),
        503 => "Service Unavailable".to_string(),
        504 => "Gateway Timeout".to_string(),
        _ => status
            .canonical_reason()
            .unwrap_or("Injected failure")
            .to_string(),
    }
}

/// Longest piece of client input quoted in a message (characters).
pub const MAX_ECHO_CHARS: usize = 40;

/// `text` cut to `max` characters, with `…` when something was cut: client
/// input quoted in messages stays short however long the input is.
pub fn clip(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => std::borrow::Cow::Borrowed(text),
        Some((end, _)) => std::borrow::Cow::Owned(format!("{}…", &text[..end])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clips_long_input() {
        assert_eq!(clip("short", 10), "short");
        assert_eq!(clip("exactly10!", 10), "exactly10!");
        assert_eq!(clip("abcdefghijkl", 10), "abcdefghij…");
        assert_eq!(clip("ééééé", 2), "éé…");
    }
}
