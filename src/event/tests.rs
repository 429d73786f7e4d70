//! The event's tests: building, checking, splitting and writing.

use super::check::{is_filter, is_numeric_string};
use super::*;
use crate::error::Result;
use crate::method::EventMethod;
use crate::method::{Method, EVENT_METHODS};

const QID: &str = "0123456789abcdef0123456789abcdef";

fn method(name: &str) -> EventMethod {
    match Method::from_name(name) {
        Some(Method::Event(m)) => m,
        _ => panic!("not an event method: {name}"),
    }
}

fn strs(items: &[&str]) -> Value {
    Value::Array(items.iter().map(|s| Value::str(*s)).collect())
}

fn parse(name: &'static str, arg: Value) -> Result<InsightsEvent> {
    let m = method(name);
    InsightsEvent::parse(m.name, Some(&m), &arg, "event")
}

fn json_of(e: &InsightsEvent) -> String {
    let mut out = String::new();
    e.write_json(None, None, &mut out);
    out
}

fn click() -> Vec<(&'static str, Value)> {
    vec![("index", Value::str("movies")), ("eventName", Value::str("Added to favorite")), ("objectIDs", strs(&["movieID1"]))]
}

#[test]
fn builds_a_click() {
    let e = parse("clickedObjectIDs", Value::object(click())).expect("valid");
    assert_eq!(
        json_of(&e),
        r#"{"eventType":"click","eventName":"Added to favorite","index":"movies","objectIDs":["movieID1"]}"#
    );
    let token = UserToken::parse("user-1").expect("valid");
    let mut out = String::new();
    e.write_json(Some(&token), None, &mut out);
    assert!(out.contains(r#""userToken":"user-1""#));
}

#[test]
fn event_tokens_win_over_global_ones() {
    let mut fields = click();
    fields.push(("userToken", Value::str("user-2")));
    let e = parse("clickedObjectIDs", Value::object(fields)).expect("valid");
    let global = UserToken::parse("user-1").expect("valid");
    let mut out = String::new();
    e.write_json(Some(&global), Some(&global), &mut out);
    assert!(out.contains(r#""userToken":"user-2""#), "{out}");
    assert!(out.contains(r#""authenticatedUserToken":"user-1""#), "{out}");
}

#[test]
fn every_method_sets_type_and_subtype() {
    // search-insights' methods and the events they send, written by hand
    // (each with the fields the Insights API needs for it).
    let o = r#""objectIDs":["1"]"#;
    // search-insights sends each filter through encodeURIComponent.
    let f = r#""filters":["brand%3Aapple"]"#;
    let q = format!(r#""queryID":"{QID}""#);
    let cases: [(&'static str, String); 12] = [
        ("clickedObjectIDsAfterSearch", format!(r#"{{"eventType":"click","eventName":"n","index":"i",{q},{o},"positions":[1]}}"#)),
        ("clickedObjectIDs", format!(r#"{{"eventType":"click","eventName":"n","index":"i",{o}}}"#)),
        ("clickedFilters", format!(r#"{{"eventType":"click","eventName":"n","index":"i",{f}}}"#)),
        ("convertedObjectIDsAfterSearch", format!(r#"{{"eventType":"conversion","eventName":"n","index":"i",{q},{o}}}"#)),
        ("convertedObjectIDs", format!(r#"{{"eventType":"conversion","eventName":"n","index":"i",{o}}}"#)),
        ("convertedFilters", format!(r#"{{"eventType":"conversion","eventName":"n","index":"i",{f}}}"#)),
        ("addedToCartObjectIDsAfterSearch", format!(r#"{{"eventType":"conversion","eventSubtype":"addToCart","eventName":"n","index":"i",{q},{o}}}"#)),
        ("addedToCartObjectIDs", format!(r#"{{"eventType":"conversion","eventSubtype":"addToCart","eventName":"n","index":"i",{o}}}"#)),
        ("purchasedObjectIDsAfterSearch", format!(r#"{{"eventType":"conversion","eventSubtype":"purchase","eventName":"n","index":"i",{o}}}"#)),
        ("purchasedObjectIDs", format!(r#"{{"eventType":"conversion","eventSubtype":"purchase","eventName":"n","index":"i",{o}}}"#)),
        ("viewedObjectIDs", format!(r#"{{"eventType":"view","eventName":"n","index":"i",{o}}}"#)),
        ("viewedFilters", format!(r#"{{"eventType":"view","eventName":"n","index":"i",{f}}}"#)),
    ];
    assert_eq!(cases.len(), EVENT_METHODS.len());
    for (name, expected) in cases {
        let mut fields = vec![("index", Value::str("i")), ("eventName", Value::str("n"))];
        if name.ends_with("Filters") {
            fields.push(("filters", strs(&["brand:apple"])));
        } else {
            fields.push(("objectIDs", strs(&["1"])));
        }
        if name.ends_with("AfterSearch") && !name.starts_with("purchased") {
            fields.push(("queryID", Value::str(QID)));
        }
        if name == "clickedObjectIDsAfterSearch" {
            fields.push(("positions", Value::Array(vec![Value::Number(1.0)])));
        }
        let e = parse(name, Value::object(fields)).expect(name);
        assert_eq!(json_of(&e), expected, "{name}");
    }
}

#[test]
fn filters_are_url_encoded() {
    let e = parse(
        "clickedFilters",
        Value::object([("index", Value::str("i")), ("eventName", Value::str("n")), ("filters", strs(&["brand:Apple & Co/é"]))]),
    )
    .expect("valid");
    assert_eq!(e.filters, vec!["brand%3AApple%20%26%20Co%2F%C3%A9".to_owned()]);
    assert_eq!(encode_uri_component("a-_.!~*'()z"), "a-_.!~*'()z");
}

#[test]
fn conversions_carry_object_data_value_currency() {
    let e = parse(
        "purchasedObjectIDs",
        Value::object([
            ("index", Value::str("i")),
            ("eventName", Value::str("Purchased")),
            ("objectIDs", strs(&["1", "2"])),
            (
                "objectData",
                Value::Array(vec![
                    Value::object([("price", Value::Number(19.99)), ("quantity", Value::Number(2.0)), ("queryID", Value::str(QID))]),
                    Value::object([("price", Value::str("5.00")), ("discount", Value::Number(1.0))]),
                ]),
            ),
            ("value", Value::Number(44.98)),
            ("currency", Value::str("USD")),
        ]),
    )
    .expect("valid");
    let out = json_of(&e);
    assert!(out.contains(r#""eventSubtype":"purchase""#));
    assert!(out.contains(&format!(r#""objectData":[{{"price":19.99,"quantity":2,"queryID":"{QID}"}},{{"price":"5.00","discount":1}}]"#)), "{out}");
    assert!(out.ends_with(r#""value":44.98,"currency":"USD"}"#), "{out}");
    assert_eq!(e.query_id_of(0), Some(QID));
    assert_eq!(e.query_id_of(1), None);
}

#[test]
fn bad_input_names_method_and_field() {
    type Case = (&'static str, Vec<(&'static str, Value)>, &'static str);
    let cases: Vec<Case> = vec![
        ("clickedObjectIDs", vec![("eventName", Value::str("n")), ("objectIDs", strs(&["1"]))], "clickedObjectIDs: `event.index` is required"),
        ("clickedObjectIDs", vec![("index", Value::str("i")), ("objectIDs", strs(&["1"]))], "clickedObjectIDs: `event.eventName` is required"),
        ("clickedObjectIDs", vec![("index", Value::str("i")), ("eventName", Value::str("n"))], "clickedObjectIDs: `event.objectIDs` is required"),
        ("clickedObjectIDs", vec![("index", Value::Number(1.0)), ("eventName", Value::str("n")), ("objectIDs", strs(&["1"]))], "clickedObjectIDs: `event.index` must be a string, got number"),
        ("clickedObjectIDs", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("objectIDs", Value::str("1"))], "clickedObjectIDs: `event.objectIDs` must be an array of strings, got string"),
        ("clickedObjectIDs", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("objectIDs", Value::Array(vec![Value::str("1"), Value::Number(2.0)]))], "clickedObjectIDs: `event.objectIDs[1]` must be a string, got number"),
        ("clickedObjectIDs", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("objectIDs", Value::Array(vec![]))], "clickedObjectIDs: `event.objectIDs` must not be empty"),
        ("clickedObjectIDs", vec![("index", Value::str("i")), ("eventName", Value::str("x".repeat(65))), ("objectIDs", strs(&["1"]))], "clickedObjectIDs: `event.eventName` must be 1 to 64 printable ASCII characters"),
        ("clickedObjectIDs", vec![("index", Value::str("i")), ("eventName", Value::str("caf\u{e9}")), ("objectIDs", strs(&["1"]))], "clickedObjectIDs: `event.eventName` must be 1 to 64 printable ASCII characters"),
        ("clickedObjectIDs", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("objectIDs", strs(&["1"])), ("userToken", Value::str("a;b"))], "clickedObjectIDs: `event.userToken` must contain only the characters A-Z a-z 0-9 _ = + / -"),
        ("clickedObjectIDsAfterSearch", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("objectIDs", strs(&["1"])), ("positions", Value::Array(vec![Value::Number(1.0)]))], "clickedObjectIDsAfterSearch: `event.queryID` is required"),
        ("clickedObjectIDsAfterSearch", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("objectIDs", strs(&["1"])), ("queryID", Value::str(QID))], "clickedObjectIDsAfterSearch: `event.positions` is required on a click with a queryID"),
        ("clickedObjectIDsAfterSearch", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("objectIDs", strs(&["1", "2"])), ("queryID", Value::str(QID)), ("positions", Value::Array(vec![Value::Number(1.0)]))], "clickedObjectIDsAfterSearch: `event.positions` must have one position per objectID (2)"),
        ("clickedObjectIDsAfterSearch", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("objectIDs", strs(&["1"])), ("queryID", Value::str("abc")), ("positions", Value::Array(vec![Value::Number(1.0)]))], "clickedObjectIDsAfterSearch: `event.queryID` must be 32 lowercase hexadecimal characters (the queryID of a search response)"),
        ("clickedObjectIDsAfterSearch", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("objectIDs", strs(&["1"])), ("queryID", Value::str(QID)), ("positions", Value::Array(vec![Value::Number(0.0)]))], "clickedObjectIDsAfterSearch: `event.positions[0]` must be a whole number from 1, got number"),
        ("viewedObjectIDs", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("objectIDs", strs(&["1"])), ("objectData", Value::Array(vec![Value::object::<&str>([])]))], "viewedObjectIDs: `event.objectData` is only allowed on conversion events"),
        ("purchasedObjectIDs", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("objectIDs", strs(&["1"])), ("currency", Value::str("dollars"))], "purchasedObjectIDs: `event.currency` must be a 3-letter ISO 4217 currency code, e.g. USD"),
        ("purchasedObjectIDs", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("objectIDs", strs(&["1"])), ("objectData", Value::Array(vec![Value::object([("quantity", Value::Number(1.5))])]))], "purchasedObjectIDs: `event.objectData[0].quantity` must be a whole number, got number"),
        ("viewedFilters", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("filters", strs(&["a:b"])), ("objectIDs", strs(&["1"]))], "viewedFilters: `event.objectIDs` cannot be sent with filters (use one of them)"),
        ("clickedObjectIDs", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("objectIDs", strs(&["1"])), ("timestamp", Value::str("now"))], "clickedObjectIDs: `event.timestamp` must be a whole number of milliseconds, got string"),
    ];
    for (name, fields, message) in cases {
        let err = parse(name, Value::object(fields)).expect_err(message);
        assert_eq!(err.to_string(), message);
    }
    let err = parse("clickedObjectIDs", Value::Null).expect_err("null");
    assert_eq!(err.to_string(), "clickedObjectIDs: `event` must be an event object, got null");
}

#[test]
fn send_events_takes_the_type_from_the_event() {
    let arg = Value::object([("eventType", Value::str("view")), ("index", Value::str("i")), ("eventName", Value::str("n")), ("filters", strs(&["a:b"]))]);
    let e = InsightsEvent::parse("sendEvents", None, &arg, "events[0]").expect("valid");
    assert_eq!(e.event_type, EventType::View);
    let arg = Value::object([("eventType", Value::str("hover")), ("index", Value::str("i"))]);
    let err = InsightsEvent::parse("sendEvents", None, &arg, "events[0]").expect_err("bad type");
    assert_eq!(err.to_string(), "sendEvents: `events[0].eventType` must be one of click, conversion, view");
    let arg = Value::object([("eventType", Value::str("view")), ("eventSubtype", Value::str("purchase")), ("index", Value::str("i")), ("eventName", Value::str("n")), ("filters", strs(&["a:b"]))]);
    let err = InsightsEvent::parse("sendEvents", None, &arg, "events[0]").expect_err("subtype on view");
    assert!(err.to_string().contains("eventSubtype"));
}

#[test]
fn unknown_fields_pass_through_and_nullish_fields_are_ignored() {
    let mut fields = click();
    fields.push(("custom", Value::object([("a", Value::Number(1.0))])));
    fields.push(("userToken", Value::Null));
    let e = parse("clickedObjectIDs", Value::object(fields)).expect("valid");
    assert!(json_of(&e).ends_with(r#","custom":{"a":1}}"#));
    assert_eq!(e.user_token, None);
}

#[test]
fn splits_in_twenties_in_step() {
    let ids: Vec<String> = (1..=45).map(|i| i.to_string()).collect();
    let m = method("clickedObjectIDsAfterSearch");
    let arg = Value::object([
        ("index", Value::str("i")),
        ("eventName", Value::str("n")),
        ("queryID", Value::str(QID)),
        ("objectIDs", Value::Array(ids.iter().map(|s| Value::str(s.as_str())).collect())),
        ("positions", Value::Array((1..=45).map(|p| Value::Number(f64::from(p))).collect())),
    ]);
    let parts = InsightsEvent::parse(m.name, Some(&m), &arg, "event").expect("valid").split();
    assert_eq!(parts.iter().map(|p| p.object_ids.len()).collect::<Vec<_>>(), vec![20, 20, 5]);
    assert_eq!(parts.iter().map(|p| p.positions.len()).collect::<Vec<_>>(), vec![20, 20, 5]);
    assert_eq!(parts[2].object_ids[0], "41");
    assert_eq!(parts[2].positions[0], 41.0);
    let small = parse("clickedObjectIDs", Value::object(click())).expect("valid");
    assert_eq!(small.clone().split(), vec![small]);
}

#[test]
fn api_validity_rules_are_enforced_at_the_call() {
    type Case = (&'static str, Vec<(&'static str, Value)>, &'static str);
    let base = || vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("objectIDs", strs(&["1"]))];
    let with = |extra: Vec<(&'static str, Value)>| {
        let mut fields = base();
        fields.extend(extra);
        fields
    };
    let data = |entries: Vec<(&'static str, Value)>| Value::Array(vec![Value::object(entries)]);
    let cases: Vec<Case> = vec![
        ("convertedObjectIDs", with(vec![("value", Value::Number(10.0))]), "convertedObjectIDs: `event.currency` is required with a value (a 3-letter ISO 4217 code, e.g. USD)"),
        ("purchasedObjectIDs", with(vec![("objectData", data(vec![("price", Value::Number(1.0))]))]), "purchasedObjectIDs: `event.currency` is required with objectData prices or discounts (a 3-letter ISO 4217 code, e.g. USD)"),
        ("purchasedObjectIDs", with(vec![("objectData", data(vec![("discount", Value::str("1"))]))]), "purchasedObjectIDs: `event.currency` is required with objectData prices or discounts (a 3-letter ISO 4217 code, e.g. USD)"),
        ("purchasedObjectIDs", with(vec![("objectData", data(vec![("price", Value::str("ten"))])), ("currency", Value::str("USD"))]), "purchasedObjectIDs: `event.objectData[0].price` must be a number or a numeric string such as \"19.99\", got \"ten\""),
        ("purchasedObjectIDs", with(vec![("value", Value::str("12345678901234567")), ("currency", Value::str("USD"))]), "purchasedObjectIDs: `event.value` must be at most 16 characters long as a string"),
        ("purchasedObjectIDs", with(vec![("value", Value::Bool(true)), ("currency", Value::str("USD"))]), "purchasedObjectIDs: `event.value` must be a number or a numeric string, got boolean"),
        ("purchasedObjectIDs", with(vec![("objectData", data(vec![("quantity", Value::Number(3e9))]))]), "purchasedObjectIDs: `event.objectData[0].quantity` must be a whole number, got number"),
        ("clickedObjectIDsAfterSearch", with(vec![("queryID", Value::str(QID.to_uppercase())), ("positions", Value::Array(vec![Value::Number(1.0)]))]), "clickedObjectIDsAfterSearch: `event.queryID` must be 32 lowercase hexadecimal characters (the queryID of a search response)"),
        ("clickedFilters", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("filters", strs(&["brand:Apple", "apple"]))], "clickedFilters: `event.filters[1]` must be attribute:value, e.g. brand:Apple"),
        ("clickedFilters", vec![("index", Value::str("i")), ("eventName", Value::str("n")), ("filters", strs(&[":x"]))], "clickedFilters: `event.filters[0]` must be attribute:value, e.g. brand:Apple"),
        ("clickedObjectIDs", with(vec![("positions", Value::Array(vec![Value::Number(1.0)]))]), "clickedObjectIDs: `event.positions` is only allowed on clicks on objectIDs with a queryID"),
    ];
    for (name, fields, message) in cases {
        let err = parse(name, Value::object(fields)).expect_err(message);
        assert_eq!(err.to_string(), message);
    }
    let subtype_on_filters = Value::object([
        ("eventType", Value::str("conversion")),
        ("eventSubtype", Value::str("purchase")),
        ("index", Value::str("i")),
        ("eventName", Value::str("n")),
        ("filters", strs(&["brand:Apple"])),
    ]);
    let err = InsightsEvent::parse("sendEvents", None, &subtype_on_filters, "events[0]").expect_err("subtype on filters");
    assert_eq!(err.to_string(), "sendEvents: `events[0].eventSubtype` needs objectIDs (a conversion on filters has no subtype)");
    // What the API accepts still passes.
    for ok in [
        with(vec![("value", Value::str(" 19.99 ")), ("currency", Value::str("EUR")), ("objectData", data(vec![("price", Value::str("1e3")), ("discount", Value::Number(0.5)), ("quantity", Value::Number(-1.0))]))]),
        with(vec![("objectData", data(vec![("quantity", Value::Number(2.0)), ("queryID", Value::str(QID))]))]),
        with(vec![("positions", Value::Array(vec![]))]),
    ] {
        parse("purchasedObjectIDs", Value::object(ok.clone())).expect("valid");
    }
    assert!(is_filter("brand:Apple & Co") && is_filter("a:b:c") && !is_filter("a:") && !is_filter(" :b"));
}

#[test]
fn numeric_strings_as_rust_parses_them_without_float_code() {
    let inputs = [
        "19.99", " 5 ", "+1e3", ".5", "5.", "-0.5E-2", "0", "007", "1e307", "9e307", "1e308", "1e400", "0.001e310",
        "0e99999", "-", ".", "", "e5", "1e", "1e+", "1.2.3", "1,5", "ten", "inf", "NaN", "infinity", "0x10", "1_000", "--1",
    ];
    for s in inputs {
        let reference = s.trim().parse::<f64>().is_ok_and(f64::is_finite);
        // At the 1e308 boundary this check is conservative ("1e308" is finite).
        if s == "1e308" {
            assert!(reference && !is_numeric_string(s));
            continue;
        }
        assert_eq!(is_numeric_string(s), reference, "{s:?}");
    }
}
