//! Browser tests (wasm-bindgen-test), run by `make test` once in each engine:
//! headless Chromium, headless Firefox ESR, and WebKitGTK's MiniBrowser under
//! Xvfb. They use the real `document.cookie`, and real `fetch`es to the local
//! Insights endpoint (`insights-devserver`, started by `make test`; its URL is
//! baked in at compile time as `INSIGHTS_TEST_ENDPOINT`, and the engine the run
//! is meant for as `BROWSER_TEST_ENGINE`).
#![cfg(target_arch = "wasm32")]

mod common;

use js_sys::{Array, Reflect, JSON};
use search_insights_wasm::Insights;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ENDPOINT: &str = match option_env!("INSIGHTS_TEST_ENDPOINT") {
    Some(url) => url,
    None => "http://127.0.0.1:8080",
};

fn js(json: &str) -> JsValue {
    JSON::parse(json).expect("test JSON")
}

fn aa(client: &Insights, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    client.call(JsValue::from_str(method), args.iter().cloned().collect::<Array>().into())
}

fn document() -> web_sys::HtmlDocument {
    web_sys::window().expect("window").document().expect("document").dyn_into().expect("html document")
}

fn cookies() -> String {
    document().cookie().expect("cookie")
}

fn algolia_cookie() -> Option<String> {
    cookies()
        .split("; ")
        .find_map(|c| c.strip_prefix("_ALGOLIA=").map(str::to_owned))
}

fn clear_algolia_cookie() {
    document().set_cookie("_ALGOLIA=;expires=Thu, 01 Jan 1970 00:00:00 GMT;path=/").expect("clear");
    assert_eq!(algolia_cookie(), None);
}

/// A unique application id per test, so each test reads only its own requests.
fn app_id(test: &str) -> String {
    format!("{test}-{}", js_sys::Date::now() as u64)
}

fn init_json(app: &str, extra: &str) -> JsValue {
    js(&format!(r#"{{"appId":"{app}","apiKey":"test-key","host":"{ENDPOINT}"{extra}}}"#))
}

async fn resolved(promise: JsValue) -> JsValue {
    JsFuture::from(js_sys::Promise::from(promise)).await.expect("promise resolves")
}

async fn get_json(url: &str) -> JsValue {
    let window = web_sys::window().expect("window");
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url)).await.expect("fetch").dyn_into().expect("response");
    JsFuture::from(response.json().expect("json")).await.expect("json body")
}

/// The request records the endpoint kept for `app`.
async fn requests(app: &str) -> Vec<JsValue> {
    get_json(&format!("{ENDPOINT}/_devserver/requests?appId={app}")).await.dyn_into::<Array>().expect("array").iter().collect()
}

fn field(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn string(value: &JsValue, key: &str) -> Option<String> {
    field(value, key).as_string()
}

fn events_of(request: &JsValue) -> Vec<JsValue> {
    field(request, "events").dyn_into::<Array>().map(|a| a.iter().collect()).unwrap_or_default()
}

/// The engine `make test` meant this run for, if any (`chromium`, `firefox`, `webkit`).
const ENGINE: Option<&str> = option_env!("BROWSER_TEST_ENGINE");

/// Which engine a user agent names: WebKit's and Chromium's both say
/// `AppleWebKit`, Chromium's alone says `Chrome/`, Firefox's says `Firefox/`.
fn engine_of(agent: &str) -> Option<&'static str> {
    match (agent.contains("Firefox/"), agent.contains("Chrome/"), agent.contains("AppleWebKit/")) {
        (true, false, false) => Some("firefox"),
        (false, true, true) => Some("chromium"),
        (false, false, true) => Some("webkit"),
        _ => None,
    }
}

/// The run is really in the engine its suite row names (the runner takes
/// whichever WebDriver server it finds first, so a wrong environment would
/// otherwise run another engine silently).
#[wasm_bindgen_test]
fn runs_in_the_engine_it_was_built_for() {
    let agent = web_sys::window().expect("window").navigator().user_agent().expect("user agent");
    let engine = engine_of(&agent);
    assert!(engine.is_some(), "no known engine in {agent}");
    if let Some(expected) = ENGINE {
        assert_eq!(engine, Some(expected), "{agent}");
    }
}

const MOVIE_CLICK: &str = r#"{"index":"movies","eventName":"Added to favorite","objectIDs":["movieID1"]}"#;

#[wasm_bindgen_test]
fn shared_bodies_run_in_the_browser() {
    common::json_round_trip();
    common::token_rules();
    common::cookie_strings();
    common::filter_encoding();
}

#[wasm_bindgen_test]
fn use_cookie_writes_an_anonymous_token_cookie() {
    clear_algolia_cookie();
    let client = Insights::new();
    aa(&client, "init", &[js(r#"{"appId":"A","apiKey":"K","useCookie":true}"#)]).expect("init");
    let token = aa(&client, "getUserToken", &[]).expect("get").as_string().expect("a token");
    assert!(token.starts_with("anonymous-"), "{token}");
    assert_eq!(algolia_cookie().as_deref(), Some(token.as_str()));
    // A second client on the same page reuses the cookie.
    let again = Insights::new();
    aa(&again, "init", &[js(r#"{"appId":"A","apiKey":"K","useCookie":true}"#)]).expect("init");
    assert_eq!(aa(&again, "getUserToken", &[]).expect("get").as_string(), Some(token));
    clear_algolia_cookie();
}

#[wasm_bindgen_test]
fn an_existing_anonymous_cookie_is_reused() {
    clear_algolia_cookie();
    document().set_cookie("_ALGOLIA=anonymous-11111111-2222-4333-8444-555555555555;path=/").expect("set");
    let client = Insights::new();
    aa(&client, "init", &[js(r#"{"appId":"A","apiKey":"K","useCookie":true}"#)]).expect("init");
    assert_eq!(
        aa(&client, "getUserToken", &[]).expect("get").as_string().as_deref(),
        Some("anonymous-11111111-2222-4333-8444-555555555555")
    );
    clear_algolia_cookie();
}

#[wasm_bindgen_test]
fn no_cookie_without_use_cookie_or_when_opted_out() {
    clear_algolia_cookie();
    let client = Insights::new();
    aa(&client, "init", &[js(r#"{"appId":"A","apiKey":"K"}"#)]).expect("init");
    assert_eq!(algolia_cookie(), None);
    let opted_out = Insights::new();
    aa(&opted_out, "init", &[js(r#"{"appId":"A","apiKey":"K","useCookie":true,"userHasOptedOut":true}"#)]).expect("init");
    assert_eq!(algolia_cookie(), None);
    assert!(aa(&opted_out, "getUserToken", &[]).expect("get").is_undefined());
}

#[wasm_bindgen_test]
fn get_user_token_calls_back_node_style() {
    clear_algolia_cookie();
    let client = Insights::new();
    aa(&client, "init", &[js(r#"{"appId":"A","apiKey":"K","useCookie":true}"#)]).expect("init");
    let seen = js_sys::Array::new();
    let seen_in_callback = seen.clone();
    let callback = wasm_bindgen::closure::Closure::<dyn Fn(JsValue, JsValue)>::new(move |err: JsValue, token: JsValue| {
        seen_in_callback.push(&err);
        seen_in_callback.push(&token);
    });
    let returned = aa(&client, "getUserToken", &[JsValue::NULL, callback.as_ref().clone()]).expect("get");
    assert!(seen.get(0).is_null(), "err is null");
    assert_eq!(seen.get(1).as_string(), returned.as_string());
    assert_eq!(returned.as_string(), algolia_cookie());
    clear_algolia_cookie();
}

#[wasm_bindgen_test]
async fn a_real_fetch_reaches_the_endpoint_without_preflight() {
    let app = app_id("fetch");
    let client = Insights::new();
    aa(&client, "init", &[init_json(&app, r#","userToken":"user-1""#)]).expect("init");
    let sent = aa(&client, "clickedObjectIDs", &[js(MOVIE_CLICK)]).expect("click");
    assert_eq!(resolved(sent).await.as_bool(), Some(true), "the endpoint answered 2xx");
    let records = requests(&app).await;
    assert_eq!(records.len(), 1, "one request, and no preflight");
    let request = &records[0];
    assert_eq!(string(request, "method").as_deref(), Some("POST"));
    assert_eq!(field(request, "preflight").as_bool(), Some(false));
    assert!(string(request, "contentType").unwrap_or_default().starts_with("text/plain"));
    let query = field(request, "query");
    assert_eq!(string(&query, "X-Algolia-Application-Id").as_deref(), Some(app.as_str()));
    // The endpoint keeps only a masked form of the key.
    assert_eq!(string(&query, "X-Algolia-API-Key").as_deref(), Some("test…"));
    let agent = string(&query, "X-Algolia-Agent").unwrap_or_default();
    assert!(agent.starts_with("insights-js (2.17.3); insights-js-wasm ("), "{agent}");
    assert_eq!(string(request, "path").as_deref(), Some("/1/events"));
    let events = events_of(request);
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(string(event, "eventType").as_deref(), Some("click"));
    assert_eq!(string(event, "eventName").as_deref(), Some("Added to favorite"));
    assert_eq!(string(event, "index").as_deref(), Some("movies"));
    assert_eq!(string(event, "userToken").as_deref(), Some("user-1"));
    assert!(field(event, "timestamp").as_f64().is_some());
}

#[wasm_bindgen_test]
async fn seed_a_global_and_per_event_user_tokens() {
    let app = app_id("seed-a");
    let client = Insights::new();
    aa(&client, "init", &[init_json(&app, "")]).expect("init");
    aa(&client, "setUserToken", &[JsValue::from_str("user-1")]).expect("set");
    let first = aa(&client, "clickedObjectIDs", &[js(MOVIE_CLICK)]).expect("click");
    let with_token = js(r#"{"index":"movies","eventName":"Added to favorite","objectIDs":["movieID1"],"userToken":"user-2"}"#);
    let second = aa(&client, "clickedObjectIDs", &[with_token]).expect("click");
    assert_eq!(resolved(first).await.as_bool(), Some(true));
    assert_eq!(resolved(second).await.as_bool(), Some(true));
    let events: Vec<JsValue> = requests(&app).await.iter().flat_map(events_of).collect();
    let tokens: Vec<Option<String>> = events.iter().map(|e| string(e, "userToken")).collect();
    assert_eq!(tokens, vec![Some("user-1".to_owned()), Some("user-2".to_owned())]);
}

#[wasm_bindgen_test]
async fn seed_b_login_and_logout_with_the_cookie_token() {
    clear_algolia_cookie();
    let app = app_id("seed-b");
    let client = Insights::new();
    aa(&client, "init", &[init_json(&app, r#","useCookie":true"#)]).expect("init");
    let anonymous = aa(&client, "getUserToken", &[]).expect("get").as_string().expect("token");
    assert_eq!(algolia_cookie().as_deref(), Some(anonymous.as_str()));
    aa(&client, "setUserToken", &[JsValue::from_str("YourUserID")]).expect("login");
    let logged_in = aa(&client, "clickedObjectIDs", &[js(MOVIE_CLICK)]).expect("click");
    assert_eq!(resolved(logged_in).await.as_bool(), Some(true));
    aa(&client, "setUserToken", &[JsValue::from_str(&anonymous)]).expect("logout");
    let logged_out = aa(&client, "clickedObjectIDs", &[js(MOVIE_CLICK)]).expect("click");
    assert_eq!(resolved(logged_out).await.as_bool(), Some(true));
    let events: Vec<JsValue> = requests(&app).await.iter().flat_map(events_of).collect();
    let tokens: Vec<Option<String>> = events.iter().map(|e| string(e, "userToken")).collect();
    assert_eq!(tokens, vec![Some("YourUserID".to_owned()), Some(anonymous.clone())]);
    assert_eq!(algolia_cookie(), Some(anonymous), "the cookie kept the anonymous token throughout");
    clear_algolia_cookie();
}

#[wasm_bindgen_test]
async fn seed_c_authenticated_user_token_on_events() {
    let app = app_id("seed-c");
    let client = Insights::new();
    aa(&client, "init", &[init_json(&app, r#","userToken":"anon-1""#)]).expect("init");
    aa(&client, "setAuthenticatedUserToken", &[JsValue::from_str("signed-in-42")]).expect("set");
    let sent = aa(&client, "clickedObjectIDs", &[js(MOVIE_CLICK)]).expect("click");
    assert_eq!(resolved(sent).await.as_bool(), Some(true));
    let events: Vec<JsValue> = requests(&app).await.iter().flat_map(events_of).collect();
    assert_eq!(string(&events[0], "authenticatedUserToken").as_deref(), Some("signed-in-42"));
    assert_eq!(string(&events[0], "userToken").as_deref(), Some("anon-1"));
}

#[wasm_bindgen_test]
async fn bad_input_throws_a_named_error_and_the_next_call_works() {
    let app = app_id("bad-input");
    let client = Insights::new();
    let error = aa(&client, "clickedObjectIDs", &[js(MOVIE_CLICK)]).expect_err("no init yet");
    let message = field(&error, "message").as_string().unwrap_or_default();
    assert!(message.contains("'init' function with appId and apiKey"), "{message}");
    aa(&client, "init", &[init_json(&app, "")]).expect("init");
    let error = aa(&client, "clickedObjectIDs", &[js(r#"{"index":"movies","eventName":"n","objectIDs":[1]}"#)]).expect_err("number objectID");
    assert!(error.is_instance_of::<js_sys::Error>());
    assert_eq!(
        field(&error, "message").as_string().as_deref(),
        Some("clickedObjectIDs: `event.objectIDs[0]` must be a string, got number")
    );
    let error = aa(&client, "setUserToken", &[JsValue::from_str("a;path=/")]).expect_err("cookie smuggling");
    assert!(field(&error, "message").as_string().unwrap_or_default().starts_with("setUserToken: `userToken`"));
    assert!(aa(&client, "noSuchMethod", &[]).expect("a warning, not an error").is_undefined());
    let sent = aa(&client, "clickedObjectIDs", &[js(MOVIE_CLICK)]).expect("valid again");
    assert_eq!(resolved(sent).await.as_bool(), Some(true));
    assert_eq!(requests(&app).await.iter().flat_map(events_of).count(), 1, "only the valid event was sent");
}
