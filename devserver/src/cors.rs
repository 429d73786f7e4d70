//! CORS for every route: preflights answered (and recorded on Algolia API
//! paths), `Access-Control-Allow-Origin` added to every response.

use axum::extract::{Request, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_HEADERS, ORIGIN, VARY,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::records::Verdict;
use crate::request_meta::RequestMeta;
use crate::state::AppState;

const ALLOWED_METHODS: &str = "GET, POST, OPTIONS";
const DEFAULT_ALLOWED_HEADERS: &str =
    "Content-Type, X-Algolia-Application-Id, X-Algolia-API-Key, X-Algolia-Agent";
const MAX_AGE_SECONDS: &str = "86400";
const REQUEST_PRIVATE_NETWORK: &str = "access-control-request-private-network";
const ALLOW_PRIVATE_NETWORK: &str = "access-control-allow-private-network";

/// Whether requests to `path` are recorded (the Insights and search APIs).
pub fn is_algolia_api_path(path: &str) -> bool {
    path == "/1/events" || path.starts_with("/1/indexes/")
}

/// Middleware: answers `OPTIONS` itself, decorates every other response.
pub async fn cors_layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let origin = request.headers().get(ORIGIN).cloned();
    if request.method() == Method::OPTIONS {
        let response = preflight_response(request.headers(), origin);
        if is_algolia_api_path(request.uri().path()) {
            let meta = RequestMeta::new(request.method(), request.uri(), request.headers());
            let record = meta.to_record(StatusCode::NO_CONTENT.as_u16(), "Preflight", 0);
            let verdict = Verdict {
                accepted: false,
                injected: false,
                reason: None,
            };
            state.log().append(record, &verdict);
        }
        return response;
    }
    let mut response = next.run(request).await;
    allow_origin(response.headers_mut(), origin);
    response
}

fn allow_origin(headers: &mut HeaderMap, origin: Option<HeaderValue>) {
    let value = origin.unwrap_or_else(|| HeaderValue::from_static("*"));
    headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, value);
    headers.append(VARY, HeaderValue::from_static("Origin"));
}

fn preflight_response(request_headers: &HeaderMap, origin: Option<HeaderValue>) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    allow_origin(headers, origin);
    headers.insert(
        ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(ALLOWED_METHODS),
    );
    let allowed_headers = request_headers
        .get(ACCESS_CONTROL_REQUEST_HEADERS)
        .cloned()
        .unwrap_or_else(|| HeaderValue::from_static(DEFAULT_ALLOWED_HEADERS));
    headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, allowed_headers);
    headers.insert(
        ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static(MAX_AGE_SECONDS),
    );
    if request_headers.contains_key(REQUEST_PRIVATE_NETWORK) {
        headers.insert(
            HeaderName::from_static(ALLOW_PRIVATE_NETWORK),
            HeaderValue::from_static("true"),
        );
    }
    response
}
