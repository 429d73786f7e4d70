//! `GET /_devserver/stream`: Server-Sent Events with every new record.
//!
//! SSE event names: `request` (a request record), `event` (an event record),
//! `clear` (the logs were emptied; data `{}`), `ready` (sent first, once
//! subscribed), `resync` (this reader fell behind and missed records: re-fetch).

use std::convert::Infallible;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::IntoResponse;
use futures_util::stream::{self, Stream, StreamExt};
use tokio::sync::broadcast::error::RecvError;

use crate::records::LogUpdate;
use crate::state::AppState;

fn to_sse(update: &LogUpdate) -> Option<Event> {
    let (name, data) = match update {
        LogUpdate::Request(record) => ("request", serde_json::to_string(record.as_ref()).ok()?),
        LogUpdate::Event(record) => ("event", serde_json::to_string(record.as_ref()).ok()?),
        LogUpdate::Cleared => ("clear", "{}".to_string()),
    };
    Some(Event::default().event(name).data(data))
}

fn live_updates(state: AppState) -> impl Stream<Item = Result<Event, Infallible>> {
    let receiver = state.log().subscribe();
    let shutdown = state.shutdown().clone();
    let updates = stream::unfold(receiver, |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok(update) => {
                    if let Some(event) = to_sse(&update) {
                        return Some((Ok(event), receiver));
                    }
                }
                // A slow reader missed some records: tell it to re-fetch them.
                Err(RecvError::Lagged(_)) => {
                    return Some((Ok(Event::default().event("resync").data("{}")), receiver));
                }
                Err(RecvError::Closed) => return None,
            }
        }
    });
    // Ends the response when the server stops, so shutdown stays graceful.
    updates.take_until(async move { shutdown.wait().await })
}

/// The SSE endpoint.
pub async fn events_stream(State(state): State<AppState>) -> impl IntoResponse {
    let ready = stream::once(async { Ok(Event::default().event("ready").data("{}")) });
    Sse::new(ready.chain(live_updates(state))).keep_alive(KeepAlive::default())
}
