//! Credentials, body formats and limits, CORS.

use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn missing_credentials_are_refused_with_401() {
    let server = start().await;
    let addr = server.local_addr();
    let body = json!({"events": [view()]}).to_string();
    for path in [
        "/1/events".to_string(),
        format!("/1/events?X-Algolia-Application-Id={APP_ID}"),
        format!("/1/events?X-Algolia-API-Key={API_KEY}"),
    ] {
        let reply = send(
            addr,
            "POST",
            &path,
            &[("content-type", "application/json")],
            body.clone(),
        )
        .await;
        assert_eq!(reply.status, 401, "{path}");
        assert_eq!(
            reply.json(),
            json!({"status": 401, "message": "Invalid credentials"})
        );
    }
    let records = get_json(addr, "/_devserver/events").await;
    assert!(records
        .as_array()
        .expect("array")
        .iter()
        .all(|r| r["accepted"] == false));
}

#[tokio::test]
async fn credentials_and_agent_work_as_headers_or_query_parameters() {
    let server = start().await;
    let addr = server.local_addr();
    let body = json!({"events": [view()]}).to_string();

    let by_query = send(addr, "POST", &events_path(), &[], body.clone()).await;
    assert_eq!(by_query.status, 200);

    let headers = [
        ("X-Algolia-Application-Id", "HEADERAPP"),
        ("X-Algolia-API-Key", API_KEY),
        ("X-Algolia-Agent", "Algolia for JavaScript (5.0.0)"),
        ("content-type", "application/json"),
    ];
    let by_header = send(addr, "POST", "/1/events", &headers, body).await;
    assert_eq!(by_header.status, 200);

    let requests = get_json(addr, "/_devserver/requests").await;
    let requests = requests.as_array().expect("array");
    assert_eq!(requests[0]["appId"], APP_ID);
    assert_eq!(requests[0]["agent"], "insights-js (2.17.3)");
    assert_eq!(requests[1]["appId"], "HEADERAPP");
    assert_eq!(requests[1]["agent"], "Algolia for JavaScript (5.0.0)");
    // The API key is only ever stored masked.
    assert_eq!(requests[1]["apiKey"], "sear…");
    let everything = get(addr, "/_devserver/requests").await.text();
    assert!(
        !everything.contains(API_KEY),
        "full API key leaked: {everything}"
    );
}

#[tokio::test]
async fn text_plain_bodies_are_parsed_as_json() {
    let server = start().await;
    let addr = server.local_addr();
    let body = json!({"events": [click_after_search()]}).to_string();
    let reply = send(
        addr,
        "POST",
        &events_path(),
        &[("content-type", "text/plain;charset=UTF-8")],
        body,
    )
    .await;
    assert_eq!(
        (reply.status, reply.json()),
        (200, json!({"status": 200, "message": "OK"}))
    );
    let requests = get_json(addr, "/_devserver/requests").await;
    assert_eq!(requests[0]["contentType"], "text/plain;charset=UTF-8");
    let events = get_json(addr, "/_devserver/events").await;
    assert_eq!(events[0]["accepted"], true);
    assert_eq!(events[0]["event"]["eventName"], "Product Clicked");
}

#[tokio::test]
async fn bodies_over_2_mb_get_413() {
    let server = start().await;
    let addr = server.local_addr();
    let filler = "x".repeat(2_000_001);
    let body = format!(r#"{{"events":[],"padding":"{filler}"}}"#);
    let reply = send(
        addr,
        "POST",
        &events_path(),
        &[("content-type", "text/plain")],
        body,
    )
    .await;
    assert_eq!(reply.status, 413);
    assert_eq!(
        reply.json(),
        json!({"status": 413, "message": "Request Entity Too Large"})
    );
    // Just under the limit is read (and judged on its content).
    let body = format!(r#"{{"events":[],"padding":"{}"}}"#, "x".repeat(1_900_000));
    let reply = send(
        addr,
        "POST",
        &events_path(),
        &[("content-type", "text/plain")],
        body,
    )
    .await;
    assert_eq!(reply.status, 422);
}

#[tokio::test]
async fn preflights_are_answered_and_recorded() {
    let server = start().await;
    let addr = server.local_addr();
    let reply = send(
        addr,
        "OPTIONS",
        &events_path(),
        &[
            ("origin", "http://shop.test"),
            ("access-control-request-method", "POST"),
            (
                "access-control-request-headers",
                "content-type,x-algolia-api-key",
            ),
        ],
        "",
    )
    .await;
    assert_eq!(reply.status, 204);
    assert_eq!(
        reply.header("access-control-allow-origin").as_deref(),
        Some("http://shop.test")
    );
    assert!(reply
        .header("access-control-allow-methods")
        .unwrap_or_default()
        .contains("POST"));
    assert_eq!(
        reply.header("access-control-allow-headers").as_deref(),
        Some("content-type,x-algolia-api-key")
    );
    assert_eq!(
        reply.header("access-control-max-age").as_deref(),
        Some("86400")
    );

    let requests = get_json(addr, "/_devserver/requests").await;
    assert_eq!(requests.as_array().map(Vec::len), Some(1));
    assert_eq!(requests[0]["preflight"], true);
    assert_eq!(requests[0]["method"], "OPTIONS");
    assert_eq!(
        requests[0]["requestedHeaders"],
        "content-type,x-algolia-api-key"
    );

    // Preflights elsewhere are answered (control routes: only for this
    // server's own origins) but not recorded.
    let own_origin = format!("http://127.0.0.1:{}", addr.port());
    let control = send(
        addr,
        "OPTIONS",
        "/_devserver/requests",
        &[("origin", own_origin.as_str())],
        "",
    )
    .await;
    assert_eq!(control.status, 204);
    let foreign = send(
        addr,
        "OPTIONS",
        "/_devserver/requests",
        &[("origin", "http://shop.test")],
        "",
    )
    .await;
    assert_eq!(foreign.status, 403);
    assert_eq!(
        get_json(addr, "/_devserver/requests")
            .await
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn api_responses_carry_cors_headers() {
    let server = start().await;
    let addr = server.local_addr();
    let with_origin = send(
        addr,
        "POST",
        &events_path(),
        &[
            ("origin", "http://shop.test"),
            ("content-type", "text/plain"),
        ],
        json!({"events": [view()]}).to_string(),
    )
    .await;
    assert_eq!(
        with_origin.header("access-control-allow-origin").as_deref(),
        Some("http://shop.test")
    );
    let rejected = send(addr, "POST", "/1/events", &[], "{}").await;
    assert_eq!(rejected.status, 401);
    assert_eq!(
        rejected.header("access-control-allow-origin").as_deref(),
        Some("*")
    );
    // Control routes: no CORS grant without an Origin, the origin echoed
    // only for this server's own pages (see tests/http/access.rs).
    let control = get(addr, "/_devserver/events").await;
    assert_eq!(control.header("access-control-allow-origin"), None);
    let no_preflight = get_json(addr, "/_devserver/requests").await;
    assert!(no_preflight
        .as_array()
        .expect("array")
        .iter()
        .all(|r| r["preflight"] == false));
}

#[tokio::test]
async fn other_methods_get_405_and_are_recorded() {
    let server = start().await;
    let addr = server.local_addr();
    let reply = get(addr, "/1/events").await;
    assert_eq!(
        (reply.status, reply.json()),
        (405, json!({"status": 405, "message": "Method Not Allowed"}))
    );
    let requests = get_json(addr, "/_devserver/requests").await;
    assert_eq!(requests[0]["method"], "GET");
    assert_eq!(requests[0]["status"], 405);
}
