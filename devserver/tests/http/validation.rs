//! Every event rule, one valid and at least one invalid case each, over HTTP.

use insights_devserver::Config;
use serde_json::{json, Value};

use crate::common::*;

const DAY_MS: i64 = 86_400_000;

fn set(mut event: Value, field: &str, value: Value) -> Value {
    event[field] = value;
    event
}

fn unset(mut event: Value, field: &str) -> Value {
    if let Some(map) = event.as_object_mut() {
        map.remove(field);
    }
    event
}

/// (rule, event, None = accepted | Some(part of the 422 message)).
fn cases() -> Vec<(&'static str, Value, Option<&'static str>)> {
    let click = click_after_search;
    let twenty_one: Vec<String> = (0..21).map(|i| i.to_string()).collect();
    let twenty_one_filters: Vec<String> = (0..21).map(|i| format!("brand%3A{i}")).collect();
    vec![
        // eventType
        ("eventType click", click(), None),
        ("eventType view", view(), None),
        (
            "eventType conversion",
            set(view(), "eventType", json!("conversion")),
            None,
        ),
        (
            "eventType missing",
            unset(click(), "eventType"),
            Some("EventType is required"),
        ),
        (
            "eventType unknown",
            set(view(), "eventType", json!("purchase")),
            Some("EventType must be one of"),
        ),
        (
            "eventType not a string",
            set(view(), "eventType", json!(1)),
            Some("Invalid type for field eventType"),
        ),
        // eventSubtype
        ("eventSubtype purchase", purchase(), None),
        (
            "eventSubtype addToCart",
            set(purchase(), "eventSubtype", json!("addToCart")),
            None,
        ),
        (
            "eventSubtype on click",
            set(click(), "eventSubtype", json!("purchase")),
            Some("Only event of type conversion should specify the eventSubtype"),
        ),
        (
            "eventSubtype unknown",
            set(purchase(), "eventSubtype", json!("refund")),
            Some("EventSubtype must be one of"),
        ),
        // eventName
        (
            "eventName 64 printable chars",
            set(view(), "eventName", json!("x".repeat(64))),
            None,
        ),
        (
            "eventName 65 chars",
            set(view(), "eventName", json!("x".repeat(65))),
            Some("EventName must contain only visible ASCII characters"),
        ),
        (
            "eventName non-ASCII",
            set(view(), "eventName", json!("Café Viewed")),
            Some("EventName must contain only visible ASCII"),
        ),
        (
            "eventName control char",
            set(view(), "eventName", json!("Viewed\n")),
            Some("EventName must contain only visible ASCII"),
        ),
        (
            "eventName missing",
            unset(view(), "eventName"),
            Some("EventName is required"),
        ),
        // index
        (
            "index present",
            set(view(), "index", json!("prod_EN")),
            None,
        ),
        (
            "index missing",
            unset(view(), "index"),
            Some("The index field is required"),
        ),
        (
            "index empty",
            set(view(), "index", json!("")),
            Some("The index field is required"),
        ),
        // userToken
        (
            "userToken 129 allowed chars",
            set(
                view(),
                "userToken",
                json!(format!("aZ09_=+/-{}", "a".repeat(120))),
            ),
            None,
        ),
        (
            "userToken 130 chars",
            set(view(), "userToken", json!("a".repeat(130))),
            Some("UserToken must contain only alphanumeric"),
        ),
        (
            "userToken with a space",
            set(view(), "userToken", json!("user 1")),
            Some("UserToken must contain only alphanumeric"),
        ),
        (
            "userToken missing",
            unset(view(), "userToken"),
            Some("The userToken field is required"),
        ),
        (
            "userToken number",
            set(view(), "userToken", json!(42)),
            Some("Invalid type for field userToken: expected string, got number"),
        ),
        // authenticatedUserToken
        (
            "authenticatedUserToken valid",
            set(view(), "authenticatedUserToken", json!("user-42")),
            None,
        ),
        (
            "authenticatedUserToken invalid",
            set(view(), "authenticatedUserToken", json!("a@b.c")),
            Some("AuthenticatedUserToken must contain only alphanumeric"),
        ),
        // objectIDs / filters
        (
            "filters instead of objectIDs",
            set(
                unset(view(), "objectIDs"),
                "filters",
                json!(["brand%3ALumen"]),
            ),
            None,
        ),
        (
            "objectIDs and filters",
            set(view(), "filters", json!(["brand:Lumen"])),
            Some("Event should specify ObjectIDs or Filters, but not both"),
        ),
        (
            "neither objectIDs nor filters",
            unset(view(), "objectIDs"),
            Some("Event should specify either some ObjectIDs or some Filters"),
        ),
        (
            "20 objectIDs",
            set(view(), "objectIDs", json!(twenty_one[..20])),
            None,
        ),
        (
            "21 objectIDs",
            set(view(), "objectIDs", json!(twenty_one)),
            Some("Cannot process more than 20 objects in an event"),
        ),
        (
            "objectIDs numbers",
            set(view(), "objectIDs", json!([1, 2])),
            Some("Invalid type for field objectIDs: expected string, got number"),
        ),
        // filters format
        (
            "filter plain attribute:value",
            set(
                unset(view(), "objectIDs"),
                "filters",
                json!(["brand:Lumen"]),
            ),
            None,
        ),
        (
            "filter without colon",
            set(unset(view(), "objectIDs"), "filters", json!(["brandLumen"])),
            Some("attribute:value"),
        ),
        (
            "21 filters",
            set(
                unset(view(), "objectIDs"),
                "filters",
                json!(twenty_one_filters),
            ),
            Some("Cannot process more than 20 filters"),
        ),
        // positions
        ("positions on click after search", click(), None),
        (
            "click without queryID or positions",
            unset(unset(click(), "queryID"), "positions"),
            None,
        ),
        (
            "positions on a view",
            set(
                set(view(), "queryID", json!(QUERY_ID)),
                "positions",
                json!([1]),
            ),
            Some("Only event of type click should specify the positions attribute"),
        ),
        (
            "positions without queryID",
            unset(click(), "queryID"),
            Some("Event of type click with positions should specify a queryID"),
        ),
        (
            "positions missing with queryID",
            unset(click(), "positions"),
            Some("Event of type click should have the same number of ObjectIDs and Positions"),
        ),
        (
            "positions length differs",
            set(click(), "positions", json!([1])),
            Some("Event of type click should have the same number of ObjectIDs and Positions"),
        ),
        (
            "positions zero",
            set(click(), "positions", json!([0, 1])),
            Some("Event of type click may only have strictly positive positions"),
        ),
        (
            "positions strings",
            set(click(), "positions", json!(["1", "2"])),
            Some("Invalid type for field positions"),
        ),
        // queryID
        (
            "queryID on a conversion",
            set(
                set(view(), "eventType", json!("conversion")),
                "queryID",
                json!(QUERY_ID),
            ),
            None,
        ),
        (
            "queryID 31 chars",
            set(click(), "queryID", json!(&QUERY_ID[..31])),
            Some("Query ID must be a search query ID (32 characters hexadecimal string)"),
        ),
        (
            "queryID uppercase",
            set(click(), "queryID", json!(QUERY_ID.to_uppercase())),
            Some("Query ID must be a search query ID"),
        ),
        (
            "queryID not hex",
            set(click(), "queryID", json!("z".repeat(32))),
            Some("Query ID must be a search query ID"),
        ),
        // objectData
        ("objectData on a conversion", purchase(), None),
        (
            "objectData without prices needs no currency",
            set(
                unset(unset(purchase(), "value"), "currency"),
                "objectData",
                json!([{"queryID": QUERY_ID}, {}]),
            ),
            None,
        ),
        (
            "objectData on a click",
            set(click(), "objectData", json!([{}, {}])),
            Some("Only event of type conversion should specify the objectData attribute"),
        ),
        (
            "objectData length differs",
            set(purchase(), "objectData", json!([{"price": 1}])),
            Some("same number of ObjectIDs and ObjectData"),
        ),
        (
            "objectData bad queryID",
            set(purchase(), "objectData", json!([{"queryID": "nope"}, {}])),
            Some("objectData[0].queryID: Query ID must be"),
        ),
        (
            "objectData fractional quantity",
            set(purchase(), "objectData", json!([{"quantity": 1.5}, {}])),
            Some("objectData[0].quantity"),
        ),
        (
            "objectData boolean price",
            set(purchase(), "objectData", json!([{}, {"price": true}])),
            Some("objectData[1].price"),
        ),
        (
            "objectData not objects",
            set(purchase(), "objectData", json!(["a", "b"])),
            Some("Invalid type for field objectData"),
        ),
        // value and currency
        (
            "value as string with currency",
            set(purchase(), "value", json!("44.98")),
            None,
        ),
        (
            "value without currency",
            unset(purchase(), "currency"),
            Some("should specify a currency"),
        ),
        (
            "prices without currency",
            unset(unset(purchase(), "currency"), "value"),
            Some("should specify a currency"),
        ),
        (
            "currency not 3 letters",
            set(purchase(), "currency", json!("US")),
            Some("Currency must be a three-letter ISO 4217 code"),
        ),
        (
            "value not numeric",
            set(purchase(), "value", json!("lots")),
            Some("value must be a number or a numeric string"),
        ),
        // objectIDsWithInferredQueryID
        (
            "inferred queryIDs subset",
            set(purchase(), "objectIDsWithInferredQueryID", json!(["2"])),
            None,
        ),
        (
            "inferred queryIDs not in objectIDs",
            set(purchase(), "objectIDsWithInferredQueryID", json!(["9"])),
            Some("ObjectIDsWithInferredQueryID"),
        ),
        // timestamp
        (
            "timestamp 3 days old",
            set(view(), "timestamp", json!(now_ms() - 3 * DAY_MS)),
            None,
        ),
        (
            "timestamp 5 days old",
            set(view(), "timestamp", json!(now_ms() - 5 * DAY_MS)),
            Some("The timestamp is too far in the past"),
        ),
        (
            "timestamp a day ahead",
            set(view(), "timestamp", json!(now_ms() + DAY_MS)),
            Some("The timestamp is too far in the future"),
        ),
        (
            "timestamp a little ahead (clock skew)",
            set(view(), "timestamp", json!(now_ms() + 60_000)),
            None,
        ),
        (
            "timestamp fractional",
            set(view(), "timestamp", json!(1.5)),
            Some("Invalid type for field timestamp"),
        ),
        // unknown fields are ignored, like the real API (search-insights sends some)
        (
            "unknown field",
            set(view(), "somethingElse", json!({"a": 1})),
            None,
        ),
    ]
}

#[tokio::test]
async fn every_rule_accepts_the_valid_case_and_rejects_the_invalid_one() {
    let server = start().await;
    let addr = server.local_addr();
    let mut failures = Vec::new();
    for (rule, event, expected) in cases() {
        let reply = push(addr, json!([event])).await;
        let body = reply.json();
        match expected {
            None if reply.status == 200 && body == json!({"status": 200, "message": "OK"}) => {}
            None => failures.push(format!("{rule}: expected 200, got {} {body}", reply.status)),
            Some(part) => {
                let message = body["message"].as_str().unwrap_or_default();
                let shaped = body["status"] == 422 && message.starts_with("events[0]: ");
                if reply.status != 422 || !shaped || !message.contains(part) {
                    failures.push(format!(
                        "{rule}: expected 422 containing {part:?}, got {} {body}",
                        reply.status
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn batch_rules() {
    let server = start().await;
    let addr = server.local_addr();

    let empty = push(addr, json!([])).await;
    assert_eq!(
        (empty.status, empty.json()),
        (
            422,
            json!({"status": 422, "message": "No events to process"})
        )
    );

    let no_events_field = post_json(addr, &events_path(), &view()).await;
    assert_eq!(no_events_field.json()["message"], "No events to process");

    let bare_array = post_json(addr, &events_path(), &json!([view()])).await;
    assert_eq!(bare_array.status, 422);
    assert!(bare_array.json()["message"]
        .as_str()
        .unwrap_or_default()
        .contains("got array"));

    let not_json = send(
        addr,
        "POST",
        &events_path(),
        &[("content-type", "application/json")],
        "{events:",
    )
    .await;
    assert_eq!(
        (not_json.status, not_json.json()),
        (422, json!({"status": 422, "message": "Invalid payload"}))
    );

    let thousand: Vec<Value> = (0..1000).map(|_| view()).collect();
    assert_eq!(push(addr, json!(thousand)).await.status, 200);
    let too_many: Vec<Value> = (0..1001).map(|_| view()).collect();
    let reply = push(addr, json!(too_many)).await;
    assert_eq!(reply.status, 422);
    assert_eq!(
        reply.json()["message"],
        "Cannot process more than 1000 events in a batch"
    );
}

#[tokio::test]
async fn one_invalid_event_rejects_the_whole_batch() {
    let server = start().await;
    let addr = server.local_addr();
    let reply = push(addr, json!([view(), unset(view(), "index")])).await;
    assert_eq!(reply.status, 422);
    assert_eq!(
        reply.json()["message"],
        "events[1]: The index field is required"
    );
    let records = get_json(addr, "/_devserver/events").await;
    let records = records.as_array().expect("array");
    assert_eq!(records.len(), 2);
    for record in records {
        assert_eq!(record["accepted"], false);
        assert_eq!(record["reason"], "events[1]: The index field is required");
    }
}

#[tokio::test]
async fn max_event_age_is_configurable() {
    let server = start_with(Config {
        max_event_age_days: 1,
        ..Config::default()
    })
    .await;
    let two_days_old = set(view(), "timestamp", json!(now_ms() - 2 * DAY_MS));
    let reply = push(server.local_addr(), json!([two_days_old])).await;
    assert_eq!(reply.status, 422);
    assert!(reply.json()["message"]
        .as_str()
        .unwrap_or_default()
        .contains("too far in the past"));
}
