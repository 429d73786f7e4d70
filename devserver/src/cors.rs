//! CORS for every route: preflights answered (and recorded on Algolia API
//! paths). The Algolia API paths and static files allow any origin; the
//! control routes and the debugger only this server's own origins and the
//! `--allow-origin` ones, and only under an accepted `Host` (see [`crate::access`]).

use axum::extract::{Request, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_HEADERS, CACHE_CONTROL, HOST, ORIGIN, VARY,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::access::is_private_path;
use crate::api_error::{clip, status_json};
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
    if is_private_path(request.uri().path()) {
        return private_route(&state, request, next, origin).await;
    }
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

/// Control routes and the debugger: `Host` and `Origin` checked, the
/// origin echoed only when it is allowed, never cached.
async fn private_route(
    state: &AppState,
    request: Request,
    next: Next,
    origin: Option<HeaderValue>,
) -> Response {
    let policy = state.access();
    let host = request.headers().get(HOST).map(|v| v.to_str().unwrap_or("?"));
    if !host.is_some_and(|host| policy.host_allowed(host)) {
        return forbidden(format!(
            "Host {:?} is not allowed on the control routes: use localhost, 127.0.0.1 or [::1] with the server's port, or start the server with --allow-host",
            clip(host.unwrap_or(""), 64)
        ));
    }
    if let Some(origin) = &origin {
        let text = origin.to_str().unwrap_or("?");
        if !policy.origin_allowed(text) {
            return forbidden(format!(
                "Origin {:?} is not allowed on the control routes: open the debugger from this server, or start the server with --allow-origin",
                clip(text, 64)
            ));
        }
    }
    let mut response = if request.method() == Method::OPTIONS {
        preflight_response(request.headers(), origin.clone())
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    match origin {
        Some(origin) => allow_origin(headers, Some(origin)),
        None => {
            headers.remove(ACCESS_CONTROL_ALLOW_ORIGIN);
            headers.append(VARY, HeaderValue::from_static("Origin"));
        }
    }
    if !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

fn forbidden(message: String) -> Response {
    let mut response = status_json(StatusCode::FORBIDDEN, &message);
    let headers = response.headers_mut();
    headers.append(VARY, HeaderValue::from_static("Origin"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
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
