//! Fake Algolia search backend: `POST /1/indexes/*/queries` and
//! `POST /1/indexes/{index}/query`, over an in-memory product catalog.
//! Every index name searches the same catalog.

mod catalog;
mod engine;
mod params;

pub use catalog::Catalog;
pub use params::SearchQuery;

use axum::body::to_bytes;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::api_error::{status_json, ApiError};
use crate::connection::is_body_timeout;
use crate::records::Verdict;
use crate::request_meta::RequestMeta;
use crate::state::AppState;

/// Largest search body read.
const MAX_SEARCH_BODY_BYTES: usize = 2_000_000;
/// Most queries in one multi-query request: the real API refuses more with
/// `400 {"message":"Too many queries in multi query request"}`
/// (algolia/algoliasearch-client-javascript#1602).
pub const MAX_QUERIES_PER_REQUEST: usize = 50;

/// Runs `queries`, returning one result per query and the log summaries.
fn run(state: &AppState, queries: &[SearchQuery]) -> (Vec<Value>, Vec<Value>) {
    queries
        .iter()
        .map(|query| {
            let query_id = query.click_analytics().then(|| state.query_ids().next_id());
            let result = engine::search(state.catalog(), query, query_id.as_deref());
            (result, query.summary(query_id.as_deref()))
        })
        .unzip()
}

/// Reads the body as JSON whatever its content type (algoliasearch sends
/// `application/x-www-form-urlencoded` or `text/plain` to avoid preflights).
async fn read_json(request: Request) -> (RequestMeta, usize, Result<Value, ApiError>) {
    let (parts, body) = request.into_parts();
    let meta = RequestMeta::new(&parts.method, &parts.uri, &parts.headers);
    match to_bytes(body, MAX_SEARCH_BODY_BYTES).await {
        Err(err) if is_body_timeout(&err) => (
            meta,
            0,
            Err(ApiError::new(StatusCode::REQUEST_TIMEOUT, "Request Timeout")),
        ),
        Err(_) => (
            meta,
            0,
            Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Request Entity Too Large",
            )),
        ),
        Ok(bytes) if bytes.is_empty() => (meta, 0, Ok(json!({}))),
        Ok(bytes) => {
            let parsed = serde_json::from_slice(&bytes)
                .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "Invalid JSON"));
            (meta, bytes.len(), parsed)
        }
    }
}

fn answer(
    state: &AppState,
    meta: &RequestMeta,
    body_bytes: usize,
    outcome: Result<(Value, Vec<Value>), ApiError>,
) -> Response {
    let no_events = Verdict {
        accepted: true,
        injected: false,
        reason: None,
    };
    match outcome {
        Ok((body, summaries)) => {
            let mut record = meta.to_record(200, "OK", body_bytes);
            record.searches = summaries;
            state.log().append(record, &no_events);
            Json(body).into_response()
        }
        Err(err) => {
            let record = meta.to_record(err.status.as_u16(), &err.message, body_bytes);
            state.log().append(record, &no_events);
            status_json(err.status, &err.message)
        }
    }
}

/// `POST /1/indexes/*/queries`: `{"requests": [...]}` → `{"results": [...]}`.
pub async fn multiple_queries(
    State(state): State<AppState>,
    Path(index): Path<String>,
    request: Request,
) -> Response {
    let (meta, body_bytes, body) = read_json(request).await;
    let default_index = (index != "*").then_some(index.as_str());
    let outcome = body.and_then(|body| {
        let requests = body
            .get("requests")
            .and_then(Value::as_array)
            .ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, "requests must be an array"))?;
        if requests.len() > MAX_QUERIES_PER_REQUEST {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "Too many queries in multi query request",
            ));
        }
        let queries = requests
            .iter()
            .map(|item| SearchQuery::from_request(item, default_index))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|message| ApiError::new(StatusCode::BAD_REQUEST, message))?;
        let (results, summaries) = run(&state, &queries);
        Ok((json!({ "results": results }), summaries))
    });
    answer(&state, &meta, body_bytes, outcome)
}

/// `POST /1/indexes/{index}/query`: one query → one result.
pub async fn single_query(
    State(state): State<AppState>,
    Path(index): Path<String>,
    request: Request,
) -> Response {
    let (meta, body_bytes, body) = read_json(request).await;
    let outcome = body.and_then(|body| {
        let query = SearchQuery::from_request(&body, Some(&index))
            .map_err(|message| ApiError::new(StatusCode::BAD_REQUEST, message))?;
        let (mut results, summaries) = run(&state, std::slice::from_ref(&query));
        Ok((results.pop().unwrap_or(Value::Null), summaries))
    });
    answer(&state, &meta, body_bytes, outcome)
}
