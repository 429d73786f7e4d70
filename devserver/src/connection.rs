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

/// The error a request body yields once its time (`--body-timeout-secs`) is up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyTimeout;

impl std::fmt::Display for BodyTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the request body did not arrive in time")
    }
}

impl std::error::Error for BodyTimeout {}

/// Whether a body error (or one of its causes) is a [`BodyTimeout`].
pub fn is_body_timeout(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(err);
    while let Some(err) = current {
        if err.is::<BodyTimeout>() {
            return true;
        }
        current = err.source();
    }
    false
}

/// `body`, failing with [`BodyTimeout`] if it is not complete by `deadline`.
pub fn with_deadline<B>(body: B, deadline: tokio::time::Instant) -> axum::body::Body
where
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    use futures_util::StreamExt;

    let data = axum::body::Body::new(body).into_data_stream();
    let sleep = Box::pin(tokio::time::sleep_until(deadline));
    let timed = futures_util::stream::unfold(
        Some((data, sleep)),
        |state| async move {
            let (mut data, mut sleep) = state?;
            tokio::select! {
                item = data.next() => {
                    let item = item?;
                    Some((item, Some((data, sleep))))
                }
                _ = &mut sleep => Some((Err(axum::Error::new(BodyTimeout)), None)),
            }
        },
    );
    axum::body::Body::from_stream(timed)
}
