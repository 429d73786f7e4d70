//! Local stand-in for Algolia's Insights API (`POST /1/events`) with a live
//! events debugger, a fake Algolia search backend and a static file server.
//!
//! The binary `insights-devserver` is a thin CLI over [`serve`]. Tests start
//! the server in-process with [`spawn`] on `127.0.0.1:0`.

#![deny(missing_docs)]

mod access;
mod api_error;
mod config;
mod connection;
mod control;
mod cors;
mod debugger;
mod failures;
mod insights;
mod query_id;
mod records;
mod request_meta;
mod search;
mod server;
mod state;
mod static_files;
mod stream;
mod time;
mod validate;

pub use config::{CliAction, CliError, Config, USAGE};
pub use failures::{FailureMode, FailurePlan, FailureRule};
pub use access::AccessPolicy;
pub use records::{EventRecord, LogStats, RequestLog, RequestRecord};
pub use search::Catalog;
pub use server::{serve, spawn, RunningServer, ServerError};
pub use state::{AppState, ShutdownSignal};
pub use validate::{validate_batch, ValidationRules};

use axum::routing::{get, post};
use axum::Router;

/// Builds the complete HTTP router: Insights endpoint, search backend,
/// control routes, debugger page and static files (in that precedence).
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(
            "/1/events",
            post(insights::push_events).fallback(insights::other_method),
        )
        .route("/1/indexes/{index}/queries", post(search::multiple_queries))
        .route("/1/indexes/{index}/query", post(search::single_query))
        .merge(control::routes())
        .route("/debugger", get(debugger::page))
        .route("/debugger/", get(debugger::page))
        .route("/pkg/{*path}", get(static_files::pkg_file))
        .fallback(static_files::www_file)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            cors::cors_layer,
        ))
        .with_state(state)
}
