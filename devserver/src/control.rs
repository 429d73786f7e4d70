//! `/_devserver/*`: JSON control routes for tests and tools.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use crate::api_error::ApiError;
use crate::failures::{FailureRequest, FailureRule};
use crate::records::{EventFilter, RequestFilter};
use crate::state::AppState;
use crate::stream;

/// The control routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/_devserver/health", get(health))
        .route("/_devserver/requests", get(requests))
        .route("/_devserver/events", get(events))
        .route("/_devserver/clear", post(clear))
        .route("/_devserver/reset", post(reset))
        .route("/_devserver/fail", post(add_failure).get(pending_failures))
        .route("/_devserver/stream", get(stream::events_stream))
}

fn ok() -> Response {
    Json(json!({"status": 200, "message": "OK"})).into_response()
}

fn query_map(raw: Option<String>) -> HashMap<String, String> {
    raw.map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default()
}

fn since(query: &HashMap<String, String>) -> Result<Option<u64>, ApiError> {
    match query.get("since") {
        None => Ok(None),
        Some(raw) => raw.parse().map(Some).map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("since must be a record id, got {raw:?}"),
            )
        }),
    }
}

async fn health() -> Response {
    ok()
}

async fn requests(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let query = query_map(raw);
    let filter = RequestFilter {
        app_id: query.get("appId").cloned(),
        since: since(&query)?,
        path: query.get("path").cloned(),
    };
    Ok(Json(state.log().requests(&filter)).into_response())
}

async fn events(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let query = query_map(raw);
    let filter = EventFilter {
        app_id: query.get("appId").cloned(),
        user_token: query.get("userToken").cloned(),
        index: query.get("index").cloned(),
        since: since(&query)?,
    };
    Ok(Json(state.log().events(&filter)).into_response())
}

async fn clear(State(state): State<AppState>) -> Response {
    state.log().clear();
    ok()
}

async fn reset(State(state): State<AppState>) -> Response {
    state.failures().clear();
    state.log().clear();
    ok()
}

async fn add_failure(State(state): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let request: FailureRequest = serde_json::from_slice(&body).map_err(|err| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("invalid failure plan: {err}"),
        )
    })?;
    let rule = FailureRule::from_request(request)
        .map_err(|message| ApiError::new(StatusCode::BAD_REQUEST, message))?;
    state.failures().add(rule);
    Ok(
        Json(json!({"status": 200, "message": "OK", "pending": state.failures().pending()}))
            .into_response(),
    )
}

async fn pending_failures(State(state): State<AppState>) -> Response {
    Json(json!({"status": 200, "message": "OK", "pending": state.failures().pending()}))
        .into_response()
}
