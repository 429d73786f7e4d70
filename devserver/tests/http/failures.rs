//! `POST /_devserver/fail`: status, hang and drop modes.

use std::time::Duration;

use serde_json::{json, Value};

use crate::common::*;

async fn plan(addr: std::net::SocketAddr, body: Value) {
    let reply = post_json(addr, "/_devserver/fail", &body).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
}

#[tokio::test]
async fn status_mode_fails_the_next_requests_then_recovers() {
    let server = start().await;
    let addr = server.local_addr();
    plan(addr, json!({"mode": "status", "status": 500, "times": 2})).await;

    for _ in 0..2 {
        let reply = push(addr, json!([view()])).await;
        assert_eq!(
            (reply.status, reply.json()),
            (500, json!({"status": 500, "message": "Internal error"}))
        );
    }
    assert_eq!(push(addr, json!([view()])).await.status, 200);

    let requests = get_json(addr, "/_devserver/requests").await;
    let statuses: Vec<(u64, bool)> = requests
        .as_array()
        .expect("array")
        .iter()
        .map(|r| (r["status"].as_u64().unwrap_or(0), r["injected"] == true))
        .collect();
    assert_eq!(statuses, vec![(500, true), (500, true), (200, false)]);

    let events = get_json(addr, "/_devserver/events").await;
    let accepted: Vec<bool> = events
        .as_array()
        .expect("array")
        .iter()
        .map(|e| e["accepted"] == true)
        .collect();
    assert_eq!(accepted, vec![false, false, true]);
    assert_eq!(events[0]["injected"], true);
}

#[tokio::test]
async fn status_429_and_app_scoped_failures() {
    let server = start().await;
    let addr = server.local_addr();
    plan(
        addr,
        json!({"mode": "status", "status": 429, "appId": "OTHERAPP"}),
    )
    .await;

    // Another app is not affected.
    assert_eq!(push(addr, json!([view()])).await.status, 200);
    let body = json!({"events": [view()]});
    let reply = post_json(addr, &events_path_for("OTHERAPP"), &body).await;
    assert_eq!(
        (reply.status, reply.json()),
        (429, json!({"status": 429, "message": "Too Many Requests"}))
    );
    assert_eq!(
        post_json(addr, &events_path_for("OTHERAPP"), &body)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn hang_mode_never_answers() {
    let server = start().await;
    let addr = server.local_addr();
    plan(addr, json!({"mode": "hang", "times": 1})).await;

    let body = json!({"events": [view()]}).to_string();
    let attempt = tokio::time::timeout(
        Duration::from_millis(500),
        try_send(addr, "POST", &events_path(), &[], body),
    )
    .await;
    assert!(
        attempt.is_err(),
        "expected the client to give up, got {attempt:?}"
    );

    // The server keeps serving others, and the hung request is on record.
    assert_eq!(push(addr, json!([view()])).await.status, 200);
    let requests = get_json(addr, "/_devserver/requests").await;
    assert_eq!(requests[0]["status"], 0);
    assert_eq!(requests[0]["injected"], true);
    assert_eq!(requests[1]["status"], 200);
}

#[tokio::test]
async fn hang_mode_closes_the_connection_after_its_duration() {
    let server = start().await;
    let addr = server.local_addr();
    plan(addr, json!({"mode": "hang", "durationMs": 200})).await;
    let attempt =
        tokio::time::timeout(PATIENCE, try_send(addr, "POST", &events_path(), &[], "{}")).await;
    let outcome =
        attempt.expect("the connection is closed well before the test's patience runs out");
    assert!(outcome.is_err(), "expected no HTTP answer, got {outcome:?}");
}

#[tokio::test]
async fn drop_mode_closes_the_connection_without_an_answer() {
    let server = start().await;
    let addr = server.local_addr();
    plan(addr, json!({"mode": "drop"})).await;

    let body = json!({"events": [view()]}).to_string();
    let attempt =
        tokio::time::timeout(PATIENCE, try_send(addr, "POST", &events_path(), &[], body)).await;
    let outcome = attempt.expect("dropped at once, not hung");
    let error = outcome.expect_err("a connection error, not an HTTP answer");
    assert!(!error.is_empty());

    assert_eq!(push(addr, json!([view()])).await.status, 200);
    let events = get_json(addr, "/_devserver/events").await;
    assert_eq!(events[0]["accepted"], false);
    assert_eq!(events[0]["injected"], true);
    assert_eq!(events[1]["accepted"], true);
}

#[tokio::test]
async fn bad_plans_are_refused_and_reset_forgets_plans() {
    let server = start().await;
    let addr = server.local_addr();
    for bad in [
        json!({"mode": "explode"}),
        json!({"mode": "status", "status": 200}),
        json!({"mode": "drop", "times": 0}),
    ] {
        let reply = post_json(addr, "/_devserver/fail", &bad).await;
        assert_eq!(reply.status, 400, "{bad}");
        assert_eq!(reply.json()["status"], 400);
    }
    plan(addr, json!({"mode": "status", "status": 503, "times": 5})).await;
    let pending = get_json(addr, "/_devserver/fail").await;
    assert_eq!(pending["pending"][0]["remaining"], 5);
    assert_eq!(
        post_json(addr, "/_devserver/reset", &json!({}))
            .await
            .status,
        200
    );
    assert_eq!(push(addr, json!([view()])).await.status, 200);
}
