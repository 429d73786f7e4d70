//! Control routes and the debugger answer only this server's own hosts and
//! origins (plus `--allow-host` / `--allow-origin`); the Insights and search
//! endpoints stay open to any origin.

use std::net::SocketAddr;

use insights_devserver::Config;
use serde_json::json;

use crate::common::*;

async fn get_as(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Reply {
    send(addr, "GET", path, headers, "").await
}

/// An origin on another local port (the attacker's dev server, say).
fn other_local_origin(addr: SocketAddr) -> String {
    let other = if addr.port() == 3000 { 3001 } else { 3000 };
    format!("http://127.0.0.1:{other}")
}

#[tokio::test]
async fn foreign_origins_are_refused_on_every_control_route() {
    let server = start().await;
    let addr = server.local_addr();
    push(addr, json!([view()])).await;
    let other = other_local_origin(addr);
    for origin in ["http://evil.test", other.as_str(), "null"] {
        for path in [
            "/_devserver/events",
            "/_devserver/requests",
            "/_devserver/fail",
            "/_devserver/stats",
            "/_devserver/stream",
            "/debugger",
        ] {
            let reply = get_as(addr, path, &[("origin", origin)]).await;
            assert_eq!(reply.status, 403, "{origin} {path}: {}", reply.text());
            assert_eq!(reply.header("access-control-allow-origin"), None);
            assert!(reply.json()["message"]
                .as_str()
                .unwrap_or_default()
                .contains("--allow-origin"));
        }
        // Writes are refused too, and change nothing.
        let fail = send(
            addr,
            "POST",
            "/_devserver/fail",
            &[("origin", origin), ("content-type", "text/plain")],
            json!({"mode": "status", "status": 500}).to_string(),
        )
        .await;
        assert_eq!(fail.status, 403);
        let clear = send(addr, "POST", "/_devserver/clear", &[("origin", origin)], "").await;
        assert_eq!(clear.status, 403);
        // The preflight is refused, without private-network access.
        let preflight = send(
            addr,
            "OPTIONS",
            "/_devserver/fail",
            &[
                ("origin", origin),
                ("access-control-request-method", "POST"),
                ("access-control-request-private-network", "true"),
            ],
            "",
        )
        .await;
        assert_eq!(preflight.status, 403);
        assert_eq!(preflight.header("access-control-allow-origin"), None);
        assert_eq!(preflight.header("access-control-allow-private-network"), None);
    }
    let pending = get_json(addr, "/_devserver/fail").await;
    assert_eq!(pending["pending"], json!([]));
    let events = get_json(addr, "/_devserver/events").await;
    assert_eq!(events.as_array().map(Vec::len), Some(1), "not cleared");
    assert_eq!(push(addr, json!([view()])).await.status, 200, "no plan installed");
}

#[tokio::test]
async fn own_origins_and_no_origin_are_allowed() {
    let server = start().await;
    let addr = server.local_addr();
    let port = addr.port();
    // No Origin: curl, Node, same-origin GETs and EventSource.
    let plain = get(addr, "/_devserver/events").await;
    assert_eq!(plain.status, 200);
    assert_eq!(plain.header("cache-control").as_deref(), Some("no-store"));
    for origin in [
        format!("http://127.0.0.1:{port}"),
        format!("http://localhost:{port}"),
        format!("http://[::1]:{port}"),
    ] {
        let reply = get_as(addr, "/_devserver/requests", &[("origin", &origin)]).await;
        assert_eq!(reply.status, 200, "{origin}: {}", reply.text());
        assert_eq!(
            reply.header("access-control-allow-origin").as_deref(),
            Some(origin.as_str())
        );
        let clear = send(addr, "POST", "/_devserver/clear", &[("origin", &origin)], "").await;
        assert_eq!(clear.status, 200);
        let preflight = send(
            addr,
            "OPTIONS",
            "/_devserver/fail",
            &[
                ("origin", &origin),
                ("access-control-request-method", "POST"),
                ("access-control-request-private-network", "true"),
            ],
            "",
        )
        .await;
        assert_eq!(preflight.status, 204);
        assert_eq!(
            preflight.header("access-control-allow-origin").as_deref(),
            Some(origin.as_str())
        );
        assert_eq!(
            preflight
                .header("access-control-allow-private-network")
                .as_deref(),
            Some("true")
        );
    }
    let page = get_as(addr, "/debugger", &[]).await;
    assert_eq!(page.status, 200);
}

#[tokio::test]
async fn allow_origin_adds_origins() {
    let server = start_with(Config {
        allow_origins: vec!["http://localhost:5173".into()],
        ..Config::default()
    })
    .await;
    let addr = server.local_addr();
    let allowed = get_as(addr, "/_devserver/events", &[("origin", "http://localhost:5173")]).await;
    assert_eq!(allowed.status, 200);
    assert_eq!(
        allowed.header("access-control-allow-origin").as_deref(),
        Some("http://localhost:5173")
    );
    let fail = send(
        addr,
        "POST",
        "/_devserver/fail",
        &[("origin", "http://localhost:5173"), ("content-type", "application/json")],
        json!({"mode": "drop"}).to_string(),
    )
    .await;
    assert_eq!(fail.status, 200, "{}", fail.text());
    let refused = get_as(addr, "/_devserver/events", &[("origin", "http://localhost:5174")]).await;
    assert_eq!(refused.status, 403);
}

#[tokio::test]
async fn foreign_hosts_are_refused_which_defeats_dns_rebinding() {
    let server = start().await;
    let addr = server.local_addr();
    let port = addr.port();
    let other_port = if port == 9 { 10 } else { 9 };
    for host in [
        format!("evil.test:{port}"),
        format!("127.0.0.1.nip.io:{port}"),
        format!("127.0.0.1:{other_port}"),
        "localhost".to_string(),
    ] {
        for path in ["/_devserver/events", "/_devserver/stream", "/debugger"] {
            // Same-origin from the rebound name: no Origin, or its own.
            let no_origin = get_as(addr, path, &[("host", &host)]).await;
            assert_eq!(no_origin.status, 403, "{host} {path}");
            let own = format!("http://{host}");
            let rebound = get_as(addr, path, &[("host", &host), ("origin", &own)]).await;
            assert_eq!(rebound.status, 403, "{host} {path}");
        }
    }
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("LOCALHOST:{port}"),
        format!("[::1]:{port}"),
    ] {
        let reply = get_as(addr, "/_devserver/events", &[("host", &host)]).await;
        assert_eq!(reply.status, 200, "{host}");
    }
}

#[tokio::test]
async fn allow_host_adds_host_names() {
    let server = start_with(Config {
        allow_hosts: vec!["devbox.local".into()],
        ..Config::default()
    })
    .await;
    let addr = server.local_addr();
    let host = format!("devbox.local:{}", addr.port());
    let reply = get_as(addr, "/_devserver/events", &[("host", &host)]).await;
    assert_eq!(reply.status, 200);
    let own = format!("http://{host}");
    let page = get_as(addr, "/_devserver/events", &[("host", &host), ("origin", &own)]).await;
    assert_eq!(page.status, 200);
    let other = get_as(addr, "/_devserver/events", &[("host", "devbox2.local")]).await;
    assert_eq!(other.status, 403);
}

#[tokio::test]
async fn the_api_stays_open_to_any_origin_and_host() {
    let server = start().await;
    let addr = server.local_addr();
    let preflight = send(
        addr,
        "OPTIONS",
        &events_path(),
        &[
            ("origin", "http://shop.test"),
            ("host", "insights.algolia.io"),
            ("access-control-request-method", "POST"),
            ("access-control-request-private-network", "true"),
        ],
        "",
    )
    .await;
    assert_eq!(preflight.status, 204);
    assert_eq!(
        preflight.header("access-control-allow-origin").as_deref(),
        Some("http://shop.test")
    );
    assert_eq!(
        preflight
            .header("access-control-allow-private-network")
            .as_deref(),
        Some("true")
    );
    let pushed = send(
        addr,
        "POST",
        &events_path(),
        &[("origin", "http://shop.test"), ("host", "insights.algolia.io"), ("content-type", "text/plain")],
        json!({"events": [view()]}).to_string(),
    )
    .await;
    assert_eq!(pushed.status, 200);
    assert_eq!(
        pushed.header("access-control-allow-origin").as_deref(),
        Some("http://shop.test")
    );
    let search = send(
        addr,
        "POST",
        "/1/indexes/products/query?x-algolia-application-id=TESTAPP&x-algolia-api-key=k",
        &[("origin", "http://shop.test")],
        "{}",
    )
    .await;
    assert_eq!(search.status, 200);
    assert_eq!(
        search.header("access-control-allow-origin").as_deref(),
        Some("http://shop.test")
    );
}
