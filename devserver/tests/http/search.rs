//! The fake Algolia search backend.

use insights_devserver::Config;
use serde_json::{json, Value};

use crate::common::*;

const MULTI: &str = "/1/indexes/*/queries?x-algolia-agent=Algolia%20for%20JavaScript%20(4.24.0)&x-algolia-api-key=searchkey0123456789&x-algolia-application-id=TESTAPP";

async fn multi(addr: std::net::SocketAddr, requests: Value) -> Value {
    // algoliasearch v4 sends JSON as x-www-form-urlencoded to avoid preflights.
    let body = json!({ "requests": requests }).to_string();
    let reply = send(
        addr,
        "POST",
        MULTI,
        &[("content-type", "application/x-www-form-urlencoded")],
        body,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply.header("access-control-allow-origin").is_some());
    reply.json()
}

fn is_query_id(value: &Value) -> bool {
    value.as_str().is_some_and(|q| {
        q.len() == 32
            && q.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

#[tokio::test]
async fn query_id_only_with_click_analytics_and_user_token_is_recorded() {
    let server = start().await;
    let addr = server.local_addr();
    let body = multi(
        addr,
        json!([
            {"indexName": "products", "params": "query=lamp&hitsPerPage=10&clickAnalytics=true&userToken=anonymous-1234"},
            {"indexName": "products", "params": "query=lamp&hitsPerPage=10"}
        ]),
    )
    .await;
    let with = &body["results"][0];
    let without = &body["results"][1];
    assert!(is_query_id(&with["queryID"]), "{with}");
    assert!(without.get("queryID").is_none(), "{without}");
    assert_eq!(with["nbHits"], 4);
    assert_eq!(with["query"], "lamp");
    assert_eq!(with["index"], "products");
    assert_eq!(with["exhaustiveNbHits"], true);
    assert!(with["processingTimeMS"].is_number());
    assert!(with["params"]
        .as_str()
        .unwrap_or_default()
        .contains("clickAnalytics=true"));
    let hit = &with["hits"][0];
    assert!(hit["objectID"].is_string());
    assert!(hit["_highlightResult"]["name"]["value"]
        .as_str()
        .unwrap_or_default()
        .contains("<em>Lamp</em>"));

    let second = multi(
        addr,
        json!([{"indexName": "products", "params": "query=&clickAnalytics=true"}]),
    )
    .await;
    assert_ne!(
        second["results"][0]["queryID"], with["queryID"],
        "a new queryID per query"
    );

    let requests = get_json(addr, "/_devserver/requests?path=/1/indexes/*/queries").await;
    let search = &requests[0]["searches"][0];
    assert_eq!(search["userToken"], "anonymous-1234");
    assert_eq!(search["clickAnalytics"], true);
    assert_eq!(search["query"], "lamp");
    assert_eq!(search["queryID"], with["queryID"]);
    assert_eq!(requests[0]["searches"][1]["clickAnalytics"], false);
    assert_eq!(requests[0]["appId"], APP_ID);
    assert_eq!(requests[0]["agent"], "Algolia for JavaScript (4.24.0)");
}

#[tokio::test]
async fn pagination() {
    let server = start().await;
    let addr = server.local_addr();
    let body = multi(
        addr,
        json!([{"indexName": "products", "params": "query=&hitsPerPage=5&page=1"}]),
    )
    .await;
    let result = &body["results"][0];
    assert_eq!(result["nbHits"], 24);
    assert_eq!(result["nbPages"], 5);
    assert_eq!(result["page"], 1);
    assert_eq!(result["hitsPerPage"], 5);
    let ids: Vec<&str> = result["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h["objectID"].as_str())
        .collect();
    assert_eq!(ids, vec!["6", "7", "8", "9", "10"]);

    let default_page = multi(addr, json!([{"indexName": "products", "params": ""}])).await;
    assert_eq!(
        default_page["results"][0]["hits"].as_array().map(Vec::len),
        Some(20)
    );
    let past_the_end = multi(addr, json!([{"indexName": "products", "params": "page=9"}])).await;
    assert_eq!(past_the_end["results"][0]["hits"], json!([]));
}

#[tokio::test]
async fn v5_style_requests_and_single_index_queries() {
    let server = start().await;
    let addr = server.local_addr();
    let headers = [
        ("x-algolia-application-id", APP_ID),
        ("x-algolia-api-key", API_KEY),
        ("content-type", "text/plain"),
    ];
    let body = json!({"requests": [{"indexName": "products", "query": "WATCH", "hitsPerPage": 2, "clickAnalytics": true,
                                    "userToken": "user-5", "facets": ["brand"], "facetFilters": [["brand:Kestrel", "brand:Orbit"]]}]});
    let reply = send(
        addr,
        "POST",
        "/1/indexes/*/queries",
        &headers,
        body.to_string(),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let result = &reply.json()["results"][0];
    assert_eq!(result["nbHits"], 2);
    assert!(is_query_id(&result["queryID"]));
    assert_eq!(result["facets"]["brand"], json!({"Kestrel": 1, "Orbit": 1}));

    let single = post_json(
        addr,
        "/1/indexes/products/query",
        &json!({"params": "query=speaker&clickAnalytics=true"}),
    )
    .await;
    assert_eq!(single.status, 200);
    let single = single.json();
    assert_eq!(single["nbHits"], 4);
    assert!(is_query_id(&single["queryID"]));

    let requests = get_json(addr, "/_devserver/requests").await;
    assert_eq!(requests[0]["searches"][0]["userToken"], "user-5");
    assert_eq!(requests[1]["path"], "/1/indexes/products/query");
}

#[tokio::test]
async fn highlight_tags_and_catalog_override() {
    let dir = temp_dir("catalog");
    let catalog = dir.join("catalog.json");
    std::fs::write(&catalog, r#"[{"objectID":"a","name":"Blue Kettle","brand":"Tea Co","category":"Kitchen","price":20}]"#).expect("write");
    let server = start_with(Config {
        catalog: Some(catalog),
        ..Config::default()
    })
    .await;
    let body = multi(
        server.local_addr(),
        json!([{"indexName": "products", "params": "query=kettle&highlightPreTag=__ais-highlight__&highlightPostTag=__%2Fais-highlight__"}]),
    )
    .await;
    let result = &body["results"][0];
    assert_eq!(result["nbHits"], 1);
    assert_eq!(
        result["hits"][0]["_highlightResult"]["name"]["value"],
        "Blue __ais-highlight__Kettle__/ais-highlight__"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn search_preflights_are_answered() {
    let server = start().await;
    let reply = send(
        server.local_addr(),
        "OPTIONS",
        "/1/indexes/*/queries",
        &[
            ("origin", "http://shop.test"),
            ("access-control-request-method", "POST"),
            ("access-control-request-headers", "x-algolia-api-key"),
        ],
        "",
    )
    .await;
    assert_eq!(reply.status, 204);
    assert_eq!(
        reply.header("access-control-allow-origin").as_deref(),
        Some("http://shop.test")
    );
}
