//! Bounds against hostile or broken clients: bytes kept by the logs, echoed
//! input, failure plans, multi-query size, stalled connections.

use std::net::SocketAddr;
use std::time::Duration;

use insights_devserver::Config;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::*;

/// Safety net for "the server closes this connection": far longer than the
/// 1 s timeouts configured below; only a server that never closes hits it.
const SAFETY_NET: Duration = Duration::from_secs(60);

/// One event with a 100 KB filter (rejected, and quoted in the message),
/// then 999 empty events: the request that used to cost ≈100 MB.
fn hostile_body() -> String {
    let mut events = vec![json!({
        "eventType": "click", "eventName": "Filter Clicked", "index": "products",
        "userToken": "anonymous-1", "filters": ["x".repeat(100_000)]
    })];
    events.extend((0..999).map(|_| json!({})));
    json!({ "events": events }).to_string()
}

#[tokio::test]
async fn hostile_requests_keep_the_log_under_its_byte_budget() {
    let budget = 1024 * 1024;
    let dir = temp_dir("budget");
    let log_file = dir.join("events.jsonl");
    let server = start_with(Config {
        max_kept_bytes: budget,
        log: Some(log_file.clone()),
        ..Config::default()
    })
    .await;
    let addr = server.local_addr();
    let body = hostile_body();
    let rounds = 20;
    for round in 0..rounds {
        let reply = send(addr, "POST", &events_path(), &[("content-type", "text/plain")], body.clone()).await;
        assert_eq!(reply.status, 422);
        let message = reply.json()["message"].as_str().unwrap_or_default().to_string();
        assert!(message.len() < 200, "message quotes the input: {} bytes", message.len());
        assert!(message.contains("…"), "{message}");

        let stats = server.state().log().stats();
        assert!(
            stats.kept_bytes <= budget,
            "round {round}: {} bytes kept over a budget of {budget}",
            stats.kept_bytes
        );
        assert!(stats.requests >= 1, "the newest request is kept");
    }
    let stats = get_json(addr, "/_devserver/stats").await;
    assert_eq!(stats["maxKeptBytes"], json!(budget));
    assert!(stats["keptBytes"].as_u64().unwrap_or(u64::MAX) <= budget as u64);
    assert!(stats["requests"].as_u64().unwrap_or(0) < rounds, "old requests were forgotten: {stats}");

    // Event records only for kept requests; one short reason for all of them.
    let requests = get_json(addr, "/_devserver/requests").await;
    let kept_ids: Vec<u64> = requests
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|r| r["id"].as_u64())
        .collect();
    let events = get_json(addr, "/_devserver/events").await;
    let events = events.as_array().expect("array");
    assert_eq!(events.len(), kept_ids.len() * 1000);
    assert!(events
        .iter()
        .all(|e| kept_ids.contains(&e["requestId"].as_u64().unwrap_or(0))));
    assert!(events.iter().all(|e| e["reason"] == events[0]["reason"]));

    // --log: each line holds its event and the short reason, nothing more.
    let logged = std::fs::metadata(&log_file).expect("log file").len();
    let per_request = logged / rounds;
    assert!(
        per_request < 10 * body.len() as u64,
        "{per_request} bytes logged per {} byte request",
        body.len()
    );
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn batches_over_the_limit_keep_only_their_first_events() {
    let server = start().await;
    let addr = server.local_addr();
    let events: Vec<Value> = (0..5000).map(|_| json!({})).collect();
    let reply = push(addr, json!(events)).await;
    assert_eq!(reply.status, 422);
    let records = get_json(addr, "/_devserver/events").await;
    assert_eq!(records.as_array().map(Vec::len), Some(1000));
}

#[tokio::test]
async fn failure_plans_are_bounded() {
    let server = start().await;
    let addr = server.local_addr();
    let long_message = post_json(
        addr,
        "/_devserver/fail",
        &json!({"mode": "status", "status": 500, "message": "m".repeat(501)}),
    )
    .await;
    assert_eq!(long_message.status, 400, "{}", long_message.text());
    let fine = post_json(
        addr,
        "/_devserver/fail",
        &json!({"mode": "status", "status": 500, "message": "m".repeat(500)}),
    )
    .await;
    assert_eq!(fine.status, 200, "{}", fine.text());
    let huge = post_json(
        addr,
        "/_devserver/fail",
        &json!({"mode": "drop", "appId": "a".repeat(10_000)}),
    )
    .await;
    assert_eq!(huge.status, 400);
    let bad_mode = post_json(addr, "/_devserver/fail", &json!({"mode": "x".repeat(3000)})).await;
    assert_eq!(bad_mode.status, 400);
    assert!(bad_mode.text().len() < 400, "{}", bad_mode.text());

    for _ in 1..100 {
        let reply = post_json(addr, "/_devserver/fail", &json!({"mode": "drop", "appId": "NOBODY"})).await;
        assert_eq!(reply.status, 200);
    }
    let over = post_json(addr, "/_devserver/fail", &json!({"mode": "drop"})).await;
    assert_eq!(over.status, 400);
    assert!(over.text().contains("too many pending failure plans"));
    let pending = get_json(addr, "/_devserver/fail").await;
    assert_eq!(pending["pending"].as_array().map(Vec::len), Some(100));
}

#[tokio::test]
async fn multi_queries_are_capped_like_the_real_api() {
    let server = start().await;
    let addr = server.local_addr();
    let path = "/1/indexes/*/queries?x-algolia-application-id=TESTAPP&x-algolia-api-key=k";
    let queries = |n: usize| json!({ "requests": (0..n).map(|_| json!({"indexName": "products"})).collect::<Vec<_>>() });
    let fifty = post_json(addr, path, &queries(50)).await;
    assert_eq!(fifty.status, 200);
    assert_eq!(fifty.json()["results"].as_array().map(Vec::len), Some(50));
    let too_many = post_json(addr, path, &queries(51)).await;
    assert_eq!(
        (too_many.status, too_many.json()),
        (400, json!({"status": 400, "message": "Too many queries in multi query request"}))
    );
    let empties: Vec<Value> = (0..20_000).map(|_| json!({})).collect();
    let hostile = post_json(addr, path, &json!({ "requests": empties })).await;
    assert_eq!(hostile.status, 400);
    assert!(hostile.body.len() < 200);
}

/// Reads until the server closes the connection; what it sent before.
/// Panics if it is still open after [`SAFETY_NET`].
async fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    let closed = tokio::time::timeout(SAFETY_NET, async {
        let mut buffer = [0u8; 4096];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the server kept a stalled connection open");
    received
}

async fn half_header(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(b"GET /_devserver/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .await
        .expect("write");
    stream
}

fn quick_timeouts() -> Config {
    Config {
        header_timeout: Duration::from_secs(1),
        body_timeout: Duration::from_secs(1),
        ..Config::default()
    }
}

#[tokio::test]
async fn a_stalled_half_header_is_closed() {
    let server = start_with(quick_timeouts()).await;
    let mut stream = half_header(server.local_addr()).await;
    let received = read_until_closed(&mut stream).await;
    assert!(
        received.is_empty() || received.starts_with(b"HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&received)
    );
    // And an idle keep-alive connection is closed the same way.
    let mut idle = TcpStream::connect(server.local_addr()).await.expect("connect");
    read_until_closed(&mut idle).await;
}

#[tokio::test]
async fn a_stalled_body_gets_408_and_is_closed() {
    let server = start_with(quick_timeouts()).await;
    let addr = server.local_addr();
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n{{\"events\":",
        events_path()
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    let received = read_until_closed(&mut stream).await;
    let text = String::from_utf8_lossy(&received);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("Request Timeout"), "{text}");
    let requests = get_json(addr, "/_devserver/requests").await;
    assert_eq!(requests[0]["status"], 408);
}

#[tokio::test]
async fn stalled_connections_at_the_cap_do_not_stop_the_server() {
    let server = start_with(Config {
        max_connections: 3,
        ..quick_timeouts()
    })
    .await;
    let addr = server.local_addr();
    let mut stalled = Vec::new();
    for _ in 0..3 {
        stalled.push(half_header(addr).await);
    }
    // Every slot is taken by a stalled client; once they time out the
    // server answers again.
    let reply = tokio::time::timeout(SAFETY_NET, try_send(addr, "GET", "/_devserver/health", &[], ""))
        .await
        .expect("answered once the stalled connections timed out")
        .expect("no transport error");
    assert_eq!(reply.status, 200);
    for stream in &mut stalled {
        read_until_closed(stream).await;
    }
    // Many more stalled clients than slots: the server still answers.
    let mut crowd = Vec::new();
    for _ in 0..20 {
        crowd.push(half_header(addr).await);
    }
    let reply = tokio::time::timeout(SAFETY_NET, try_send(addr, "GET", "/_devserver/health", &[], ""))
        .await
        .expect("answered")
        .expect("no transport error");
    assert_eq!(reply.status, 200);
}
