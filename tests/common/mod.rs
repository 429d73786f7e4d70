//! Test bodies shared by the native run (`tests/native.rs`) and the headless
//! Chromium run (`tests/browser.rs`): the core behaves the same compiled to
//! x86_64 and to wasm32.

use search_insights_wasm::internals::cookie;
use search_insights_wasm::internals::event::encode_uri_component;
use search_insights_wasm::internals::json;
use search_insights_wasm::{UserToken, Value};

pub fn json_round_trip() {
    // Read: a hand-written request body, escapes and a surrogate pair included.
    let text = r#"{"events":[{"eventType":"click","objectIDs":["a\"b","\u00e9","\ud83d\ude00"],"positions":[1,2],"price":19.99}]}"#;
    let s = |t: &str| Value::String(t.to_owned());
    let event = Value::object([
        ("eventType", s("click")),
        ("objectIDs", Value::Array(vec![s("a\"b"), s("é"), s("😀")])),
        ("positions", Value::Array(vec![Value::Number(1.0), Value::Number(2.0)])),
        ("price", Value::Number(19.99)),
    ]);
    let expected = Value::object([("events", Value::Array(vec![event]))]);
    assert_eq!(json::parse(text), Some(expected.clone()));
    // Written back as JSON.stringify would: non-ASCII as is, only `"` escaped.
    assert_eq!(
        json::to_string(&expected),
        r#"{"events":[{"eventType":"click","objectIDs":["a\"b","é","😀"],"positions":[1,2],"price":19.99}]}"#
    );
}

pub fn token_rules() {
    assert!(UserToken::parse("user-1").is_ok());
    assert!(UserToken::parse("a;b").is_err());
    assert!(UserToken::parse(&"x".repeat(130)).is_err());
    let anonymous = UserToken::anonymous([9; 16]);
    assert!(anonymous.is_anonymous());
    assert_eq!(anonymous.as_str(), "anonymous-09090909-0909-4909-8909-090909090909");
}

pub fn cookie_strings() {
    let token = UserToken::parse("anonymous-abc").expect("valid");
    let text = cookie::set_cookie_string(&token, 1_795_333_244_000.0, 0.0, true);
    assert_eq!(text, "_ALGOLIA=anonymous-abc;expires=Sun, 22 Nov 2026 07:40:44 GMT;path=/;SameSite=Lax;Secure");
    assert_eq!(cookie::read("a=1; _ALGOLIA=anonymous-abc", "_ALGOLIA"), "anonymous-abc");
}

pub fn filter_encoding() {
    assert_eq!(encode_uri_component("brand:Apple & Co"), "brand%3AApple%20%26%20Co");
    assert_eq!(json::to_string(&Value::Number(-0.5)), "-0.5");
}
