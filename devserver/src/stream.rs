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

/// `None` when the record was already forgotten (the log dropped it to stay
/// within its bounds before this reader got to it).
fn to_sse(update: &LogUpdate) -> Option<Event> {
    let (name, data) = match update {
        LogUpdate::Request(record) => ("request", serde_json::to_string(&*record.upgrade()?).ok()?),
        LogUpdate::Event(record) => ("event", serde_json::to_string(&*record.upgrade()?).ok()?),
        LogUpdate::Cleared => ("clear", "{}".to_string()),
    };
    Some(Event::default().event(name).data(data))
}

fn resync() -> Event {
    Event::default().event("resync").data("{}")
}

fn live_updates(state: AppState) -> impl Stream<Item = Result<Event, Infallible>> {
    let receiver = state.log().subscribe();
    let shutdown = state.shutdown().clone();
    // The flag: the last thing sent was a `resync` (one is enough in a row).
    let updates = stream::unfold((receiver, false), |(mut receiver, resynced)| async move {
        loop {
            match receiver.recv().await {
                Ok(update) => match to_sse(&update) {
                    Some(event) => return Some((Ok(event), (receiver, false))),
                    // Already forgotten: the reader must re-fetch to be exact.
                    None if !resynced => return Some((Ok(resync()), (receiver, true))),
                    None => {}
                },
                // A slow reader missed some records: tell it to re-fetch them.
                Err(RecvError::Lagged(_)) => return Some((Ok(resync()), (receiver, true))),
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
