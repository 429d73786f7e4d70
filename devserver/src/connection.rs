//! A per-connection switch that lets a handler close its own TCP connection
//! without sending any HTTP response (the `drop` failure mode).

use std::sync::Arc;

use tokio::sync::Notify;

/// Inserted into every request's extensions by the server loop.
#[derive(Debug, Clone, Default)]
pub struct ConnectionControl {
    kill: Arc<Notify>,
}

impl ConnectionControl {
    /// Asks the server loop to drop this connection at once.
    pub fn close_without_response(&self) {
        self.kill.notify_one();
    }

    /// Resolves once [`close_without_response`](Self::close_without_response) was called.
    pub async fn closed(&self) {
        self.kill.notified().await;
    }
}
