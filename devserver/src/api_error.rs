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
