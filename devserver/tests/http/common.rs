//! Shared helpers: start the server on 127.0.0.1:0, talk HTTP/1.1 to it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::HeaderMap;
use hyper::Request;
use hyper_util::rt::TokioIo;
use insights_devserver::{spawn, Config, RunningServer};
use serde_json::{json, Value};
use tokio::net::TcpStream;

pub const QUERY_ID: &str = "43b15df305339e827f0ac0bdc5ebcaa7";
pub const APP_ID: &str = "TESTAPP";
pub const API_KEY: &str = "searchkey0123456789";
/// Generous limit for anything that should answer at once.
pub const PATIENCE: Duration = Duration::from_secs(20);

pub async fn start() -> RunningServer {
    start_with(Config::default()).await
}

pub async fn start_with(mut config: Config) -> RunningServer {
    config.port = 0;
    spawn(config).await.expect("server starts")
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|err| {
            panic!("not JSON ({err}): {}", String::from_utf8_lossy(&self.body))
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

/// One request on a fresh connection. `Err` is a transport error (the
/// connection closed without an answer, say).
pub async fn try_send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Result<Reply, String> {
    let stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    let mut builder = Request::builder().method(method).uri(path);
    if !headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("host")) {
        builder = builder.header("host", addr.to_string());
    }
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let request = builder
        .body(Full::new(body.into()))
        .map_err(|e| e.to_string())?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let (parts, body) = response.into_parts();
    let body = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
    Ok(Reply {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body,
    })
}

/// Like [`try_send`], failing the test on transport errors or slowness.
pub async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Reply {
    tokio::time::timeout(PATIENCE, try_send(addr, method, path, headers, body))
        .await
        .expect("answered in time")
        .expect("no transport error")
}

pub async fn get(addr: SocketAddr, path: &str) -> Reply {
    send(addr, "GET", path, &[], Bytes::new()).await
}

pub async fn get_json(addr: SocketAddr, path: &str) -> Value {
    let reply = get(addr, path).await;
    assert_eq!(reply.status, 200, "GET {path}: {}", reply.text());
    reply.json()
}

pub async fn post_json(addr: SocketAddr, path: &str, body: &Value) -> Reply {
    send(
        addr,
        "POST",
        path,
        &[("content-type", "application/json")],
        body.to_string(),
    )
    .await
}

pub fn events_path() -> String {
    format!("/1/events?X-Algolia-Application-Id={APP_ID}&X-Algolia-API-Key={API_KEY}&X-Algolia-Agent=insights-js%20(2.17.3)")
}

pub fn events_path_for(app_id: &str) -> String {
    format!("/1/events?X-Algolia-Application-Id={app_id}&X-Algolia-API-Key={API_KEY}")
}

/// POSTs `{"events": events}` with credentials in the query string.
pub async fn push(addr: SocketAddr, events: Value) -> Reply {
    post_json(addr, &events_path(), &json!({ "events": events })).await
}

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

pub fn click_after_search() -> Value {
    json!({
        "eventType": "click",
        "eventName": "Product Clicked",
        "index": "products",
        "userToken": "anonymous-1234",
        "objectIDs": ["1", "2"],
        "queryID": QUERY_ID,
        "positions": [1, 2],
        "timestamp": now_ms()
    })
}

pub fn view() -> Value {
    json!({"eventType": "view", "eventName": "Products Viewed", "index": "products",
           "userToken": "anonymous-1234", "objectIDs": ["3"]})
}

pub fn purchase() -> Value {
    json!({
        "eventType": "conversion", "eventSubtype": "purchase", "eventName": "Products Purchased",
        "index": "products", "userToken": "anonymous-1234", "authenticatedUserToken": "user-42",
        "objectIDs": ["1", "2"],
        "objectData": [{"queryID": QUERY_ID, "price": 19.99, "discount": "1.5", "quantity": 2}, {"price": "5", "quantity": 1}],
        "value": 44.98, "currency": "USD"
    })
}

/// A directory of its own under the system temp dir.
pub fn temp_dir(label: &str) -> PathBuf {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "insights-devserver-{label}-{}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        now_ms()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
