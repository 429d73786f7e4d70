//! Control routes, the SSE stream, the JSON-lines log, the debugger page.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper_util::rt::TokioIo;
use insights_devserver::Config;
use serde_json::{json, Value};
use tokio::net::TcpStream;

use crate::common::*;

fn ids(records: &Value) -> Vec<u64> {
    records
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|r| r["id"].as_u64())
        .collect()
}

#[tokio::test]
async fn requests_and_events_can_be_filtered() {
    let server = start().await;
    let addr = server.local_addr();
    let other_user = json!({"eventType": "view", "eventName": "Viewed", "index": "articles", "userToken": "someone-else", "objectIDs": ["a"]});
    assert_eq!(push(addr, json!([view(), other_user])).await.status, 200);
    assert_eq!(
        post_json(
            addr,
            &events_path_for("SECONDAPP"),
            &json!({"events": [view()]})
        )
        .await
        .status,
        200
    );

    assert_eq!(
        ids(&get_json(addr, "/_devserver/requests").await),
        vec![1, 2]
    );
    let second_app = get_json(addr, "/_devserver/requests?appId=SECONDAPP").await;
    assert_eq!(ids(&second_app), vec![2]);
    assert_eq!(
        ids(&get_json(addr, "/_devserver/requests?since=1").await),
        vec![2]
    );
    assert_eq!(
        ids(&get_json(addr, "/_devserver/requests?path=/1/events").await),
        vec![1, 2]
    );

    assert_eq!(
        ids(&get_json(addr, "/_devserver/events").await),
        vec![1, 2, 3]
    );
    assert_eq!(
        ids(&get_json(addr, "/_devserver/events?userToken=someone-else").await),
        vec![2]
    );
    assert_eq!(
        ids(&get_json(addr, "/_devserver/events?index=products").await),
        vec![1, 3]
    );
    assert_eq!(
        ids(&get_json(addr, &format!("/_devserver/events?appId={APP_ID}")).await),
        vec![1, 2]
    );
    assert_eq!(
        ids(&get_json(addr, "/_devserver/events?since=2").await),
        vec![3]
    );

    let event = &get_json(addr, "/_devserver/events?since=2").await[0];
    assert_eq!(event["requestId"], 2);
    assert_eq!(event["appId"], "SECONDAPP");
    assert_eq!(event["accepted"], true);
    assert_eq!(event["reason"], Value::Null);
    assert_eq!(event["event"], view());

    assert_eq!(get(addr, "/_devserver/events?since=abc").await.status, 400);
}

#[tokio::test]
async fn clear_empties_both_logs() {
    let server = start().await;
    let addr = server.local_addr();
    assert_eq!(push(addr, json!([view()])).await.status, 200);
    let reply = post_json(addr, "/_devserver/clear", &json!({})).await;
    assert_eq!(
        (reply.status, reply.json()),
        (200, json!({"status": 200, "message": "OK"}))
    );
    assert_eq!(get_json(addr, "/_devserver/requests").await, json!([]));
    assert_eq!(get_json(addr, "/_devserver/events").await, json!([]));
    assert_eq!(get_json(addr, "/_devserver/health").await["status"], 200);
}

/// Reads the SSE body until a complete SSE message named `name` arrived.
async fn read_until(body: &mut hyper::body::Incoming, seen: &mut String, name: &str) {
    let header = format!("event: {name}\n");
    let complete = |seen: &str| {
        seen.find(&header)
            .is_some_and(|at| seen[at..].contains("\n\n"))
    };
    while !complete(seen) {
        let frame = tokio::time::timeout(PATIENCE, body.frame())
            .await
            .unwrap_or_else(|_| panic!("no {name:?} message in time; got {seen}"))
            .expect("stream still open")
            .expect("frame");
        if let Ok(data) = frame.into_data() {
            seen.push_str(&String::from_utf8_lossy(&data));
        }
    }
}

#[tokio::test]
async fn the_stream_delivers_new_records() {
    let server = start().await;
    let addr = server.local_addr();
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(connection);
    let request = Request::get("/_devserver/stream")
        .header("host", addr.to_string())
        .body(Empty::<Bytes>::new())
        .expect("request");
    let response = sender.send_request(request).await.expect("response");
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap_or_default()
        .starts_with("text/event-stream"));
    let mut body = response.into_body();
    let mut seen = String::new();
    read_until(&mut body, &mut seen, "ready").await;

    assert_eq!(
        push(addr, json!([set_name(view(), "Streamed Event")]))
            .await
            .status,
        200
    );
    read_until(&mut body, &mut seen, "event").await;
    assert!(seen.contains("event: request"), "{seen}");
    assert!(seen.contains("event: event"), "{seen}");
    let data = seen
        .lines()
        .skip_while(|line| *line != "event: event")
        .find_map(|line| line.strip_prefix("data: "))
        .expect("an event record");
    let record: Value = serde_json::from_str(data).expect("JSON record");
    assert_eq!(record["accepted"], true);
    assert_eq!(record["event"]["eventName"], "Streamed Event");

    assert_eq!(
        post_json(addr, "/_devserver/clear", &json!({}))
            .await
            .status,
        200
    );
    read_until(&mut body, &mut seen, "clear").await;
}

fn set_name(mut event: Value, name: &str) -> Value {
    event["eventName"] = json!(name);
    event
}

#[tokio::test]
async fn event_records_are_appended_to_the_log_file() {
    let dir = temp_dir("log");
    let log = dir.join("events.jsonl");
    std::fs::write(&log, "").expect("pre-existing file");
    let server = start_with(Config {
        log: Some(log.clone()),
        ..Config::default()
    })
    .await;
    let addr = server.local_addr();
    assert_eq!(
        push(addr, json!([view(), click_after_search()]))
            .await
            .status,
        200
    );
    assert_eq!(push(addr, json!([{"eventType": "view"}])).await.status, 422);

    let mut lines = Vec::new();
    for _ in 0..100 {
        lines = std::fs::read_to_string(&log)
            .expect("log")
            .lines()
            .map(str::to_string)
            .collect::<Vec<_>>();
        if lines.len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(lines.len(), 3, "{lines:?}");
    let records: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(records[0]["event"]["eventType"], "view");
    assert_eq!(records[1]["event"]["eventType"], "click");
    assert_eq!(records[2]["accepted"], false);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn the_debugger_page_is_served() {
    let server = start().await;
    let reply = get(server.local_addr(), "/debugger").await;
    assert_eq!(reply.status, 200);
    assert!(reply
        .header("content-type")
        .unwrap_or_default()
        .starts_with("text/html"));
    let page = reply.text();
    for hook in [
        r#"id="filter-token""#,
        r#"id="filter-index""#,
        r#"id="clear""#,
        "event-row",
        "c-objects",
        "/_devserver/stream",
        "count-preflight",
    ] {
        assert!(page.contains(hook), "debugger page lacks {hook}");
    }
}
