//! `POST /1/events`: the Insights endpoint.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use futures_util::StreamExt;
use serde_json::Value;

use crate::api_error::{default_message, status_json, ApiError};
use crate::connection::{is_body_timeout, ConnectionControl};
use crate::failures::FailureMode;
use crate::records::Verdict;
use crate::request_meta::RequestMeta;
use crate::state::AppState;
use crate::time::now_ms;
use crate::validate::{validate_batch, MAX_EVENTS_PER_BATCH};

/// Largest accepted body (bytes): "the request body must be smaller than 2 MB".
pub const MAX_BODY_BYTES: usize = 2_000_000;
/// Bytes read (and discarded) past the limit before answering 413, so that
/// the client reads the answer instead of a connection reset.
const MAX_DRAINED_BYTES: usize = 64 * 1024 * 1024;

/// A request body, read up to [`MAX_BODY_BYTES`].
struct ReadBody {
    bytes: Vec<u8>,
    total: usize,
    too_large: bool,
    broken: bool,
    timed_out: bool,
}

async fn read_body(body: Body) -> ReadBody {
    let mut read = ReadBody {
        bytes: Vec::new(),
        total: 0,
        too_large: false,
        broken: false,
        timed_out: false,
    };
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk: Bytes = match chunk {
            Ok(chunk) => chunk,
            Err(err) => {
                read.broken = true;
                read.timed_out = is_body_timeout(&err);
                break;
            }
        };
        read.total += chunk.len();
        if read.total > MAX_BODY_BYTES {
            read.too_large = true;
            read.bytes = Vec::new();
            if read.total > MAX_DRAINED_BYTES {
                break;
            }
        } else {
            read.bytes.extend_from_slice(&chunk);
        }
    }
    read
}

/// Handles `POST /1/events` like the real Insights API, recording the request
/// and each of its events.
pub async fn push_events(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let meta = RequestMeta::new(&parts.method, &parts.uri, &parts.headers);
    let connection = parts.extensions.get::<ConnectionControl>().cloned();
    let body = read_body(body).await;
    let parsed: Option<Value> = if body.too_large || body.broken {
        None
    } else {
        serde_json::from_slice(&body.bytes).ok()
    };
    let events: Vec<Arc<Value>> = parsed
        .as_ref()
        .and_then(|v| v.get("events"))
        .and_then(Value::as_array)
        // A batch over the limit is refused; its first events are enough to show.
        .map(|events| {
            events
                .iter()
                .take(MAX_EVENTS_PER_BATCH)
                .cloned()
                .map(Arc::new)
                .collect()
        })
        .unwrap_or_default();

    if let Some(mode) = state.failures().take(meta.app_id.as_deref(), &events) {
        return inject_failure(&state, meta, body.total, events, mode, connection).await;
    }

    let outcome = judge(&state, &meta, &body, parsed.as_ref());
    let (status, message) = match &outcome {
        Ok(()) => (StatusCode::OK, "OK".to_string()),
        Err(err) => (err.status, err.message.clone()),
    };
    let mut record = meta.to_record(status.as_u16(), &message, body.total);
    record.events = events;
    let verdict = Verdict {
        accepted: outcome.is_ok(),
        injected: false,
        reason: outcome.err().map(|err| Arc::from(err.message)),
    };
    state.log().append(record, &verdict);
    status_json(status, &message)
}

fn judge(
    state: &AppState,
    meta: &RequestMeta,
    body: &ReadBody,
    parsed: Option<&Value>,
) -> Result<(), ApiError> {
    if !meta.has_credentials() {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "Invalid credentials",
        ));
    }
    if body.too_large {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Request Entity Too Large",
        ));
    }
    if body.timed_out {
        return Err(ApiError::new(StatusCode::REQUEST_TIMEOUT, "Request Timeout"));
    }
    if body.broken {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "Bad Request"));
    }
    let parsed =
        parsed.ok_or_else(|| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "Invalid payload"))?;
    validate_batch(parsed, state.rules(), now_ms())
        .map_err(|message| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, message))
}

async fn inject_failure(
    state: &AppState,
    meta: RequestMeta,
    body_bytes: usize,
    events: Vec<Arc<Value>>,
    mode: FailureMode,
    connection: Option<ConnectionControl>,
) -> Response {
    let (status, message) = match &mode {
        FailureMode::Status { status, message } => (status.as_u16(), message.clone()),
        FailureMode::Hang { .. } => (0, "Injected hang: no response sent".to_string()),
        FailureMode::Drop => (
            0,
            "Injected drop: connection closed without a response".to_string(),
        ),
    };
    let mut record = meta.to_record(status, &message, body_bytes);
    record.injected = true;
    record.events = events;
    let reason = match &mode {
        FailureMode::Status { .. } => format!("Injected failure: HTTP {status} {message}"),
        _ => message.clone(),
    };
    let verdict = Verdict {
        accepted: false,
        injected: true,
        reason: Some(Arc::from(reason)),
    };
    state.log().append(record, &verdict);

    match mode {
        FailureMode::Status { status, message } => status_json(status, &message),
        FailureMode::Hang { duration } => {
            tokio::select! {
                _ = tokio::time::sleep(duration) => {}
                _ = state.shutdown().wait() => {}
            }
            close_without_response(connection).await
        }
        FailureMode::Drop => close_without_response(connection).await,
    }
}

/// Closes the connection without answering. Only when the router runs outside
/// this crate's server loop (no [`ConnectionControl`]) is a 502 sent instead.
async fn close_without_response(connection: Option<ConnectionControl>) -> Response {
    match connection {
        Some(connection) => {
            connection.close_without_response();
            // The server loop drops this future together with the connection.
            std::future::pending::<Response>().await
        }
        None => status_json(
            StatusCode::BAD_GATEWAY,
            &default_message(StatusCode::BAD_GATEWAY),
        ),
    }
}

/// Any other method on `/1/events`: 405, recorded like every request to the endpoint.
pub async fn other_method(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let meta = RequestMeta::new(&parts.method, &parts.uri, &parts.headers);
    let body = read_body(body).await;
    let message = default_message(StatusCode::METHOD_NOT_ALLOWED);
    let record = meta.to_record(
        StatusCode::METHOD_NOT_ALLOWED.as_u16(),
        &message,
        body.total,
    );
    let verdict = Verdict {
        accepted: false,
        injected: false,
        reason: Some(Arc::from(message.as_str())),
    };
    state.log().append(record, &verdict);
    status_json(StatusCode::METHOD_NOT_ALLOWED, &message)
}
