//! `/_devserver/*`: JSON control routes for tests and tools.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use crate::api_error::{clip, ApiError};
use crate::failures::{FailureRequest, FailureRule};
use crate::records::{EventFilter, RequestFilter};
use crate::state::AppState;
use crate::stream;

/// The control routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/_devserver/health", get(health))
        .route("/_devserver/stats", get(stats))
        .route("/_devserver/requests", get(requests))
        .route("/_devserver/events", get(events))
        .route("/_devserver/clear", post(clear))
        .route("/_devserver/reset", post(reset))
        .route("/_devserver/fail", post(add_failure).get(pending_failures))
        .route("/_devserver/stream", get(stream::events_stream))
}

/// Most failure plans pending at once.
pub const MAX_PENDING_FAILURES: usize = 100;
/// Longest `message` of a `status` failure plan (characters).
pub const MAX_FAILURE_MESSAGE_CHARS: usize = 500;
/// Longest `appId` (or other filter) of a failure plan (characters).
pub const MAX_FAILURE_FILTER_CHARS: usize = 256;
/// Largest `POST /_devserver/fail` body: bounds every field of a plan.
pub const MAX_FAILURE_PLAN_BYTES: usize = 4096;
/// Longest error message answered about a failure plan (characters).
const MAX_PLAN_ERROR_CHARS: usize = 200;

/// Counting the pending plans and adding one happen under this lock, so
/// concurrent additions cannot overshoot [`MAX_PENDING_FAILURES`].
static ADDING_FAILURE: Mutex<()> = Mutex::new(());

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

async fn stats(State(state): State<AppState>) -> Response {
    let stats = state.log().stats();
    Json(json!({
        "status": 200,
        "message": "OK",
        "requests": stats.requests,
        "events": stats.events,
        "keptBytes": stats.kept_bytes,
        "maxKeptBytes": stats.max_kept_bytes,
        "pendingFailures": state.failures().pending().len(),
    }))
    .into_response()
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
    let bad_request = |message: String| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            clip(&message, MAX_PLAN_ERROR_CHARS).into_owned(),
        )
    };
    if body.len() > MAX_FAILURE_PLAN_BYTES {
        return Err(bad_request(format!(
            "a failure plan must be at most {MAX_FAILURE_PLAN_BYTES} bytes long"
        )));
    }
    let request: FailureRequest = serde_json::from_slice(&body)
        .map_err(|err| bad_request(format!("invalid failure plan: {err}")))?;
    let too_long = |text: &Option<String>, max: usize| {
        text.as_ref().is_some_and(|text| text.chars().count() > max)
    };
    if too_long(&request.message, MAX_FAILURE_MESSAGE_CHARS) {
        return Err(bad_request(format!(
            "message must be at most {MAX_FAILURE_MESSAGE_CHARS} characters long"
        )));
    }
    if too_long(&request.app_id, MAX_FAILURE_FILTER_CHARS) {
        return Err(bad_request(format!(
            "appId must be at most {MAX_FAILURE_FILTER_CHARS} characters long"
        )));
    }
    let rule = FailureRule::from_request(request).map_err(bad_request)?;
    {
        let _adding = ADDING_FAILURE
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if state.failures().pending().len() >= MAX_PENDING_FAILURES {
            return Err(bad_request(format!(
                "too many pending failure plans (at most {MAX_PENDING_FAILURES}): POST /_devserver/reset first"
            )));
        }
        state.failures().add(rule);
    }
    Ok(
        Json(json!({"status": 200, "message": "OK", "pending": state.failures().pending()}))
            .into_response(),
    )
}

async fn pending_failures(State(state): State<AppState>) -> Response {
    Json(json!({"status": 200, "message": "OK", "pending": state.failures().pending()}))
        .into_response()
}
