//! Native tests of `InsightsClient`, with an in-memory page.

use super::*;
use crate::environment::KeyValueStore;
use crate::environment::ResponseOutcome;
use crate::json;
use crate::testing::FakeEnv;

const QID: &str = "0123456789abcdef0123456789abcdef";

fn client() -> InsightsClient<FakeEnv> {
    InsightsClient::new(FakeEnv::default())
}

fn call(c: &mut InsightsClient<FakeEnv>, name: &str, args: Vec<Value>) -> Result<Reply> {
    let method = Method::from_name(name).unwrap_or_else(|| panic!("no method {name}"));
    c.call(method, &args)
}

fn obj(entries: Vec<(&str, Value)>) -> Value {
    Value::object(entries)
}

fn strs(items: &[&str]) -> Value {
    Value::Array(items.iter().map(|s| Value::str(*s)).collect())
}

fn init(c: &mut InsightsClient<FakeEnv>, extra: Vec<(&str, Value)>) {
    let mut options = vec![("appId", Value::str("APP")), ("apiKey", Value::str("KEY"))];
    options.extend(extra);
    call(c, "init", vec![obj(options)]).expect("init");
}

fn movie_click(extra: Vec<(&str, Value)>) -> Value {
    let mut fields = vec![
        ("index", Value::str("movies")),
        ("eventName", Value::str("Added to favorite")),
        ("objectIDs", strs(&["movieID1"])),
    ];
    fields.extend(extra);
    obj(fields)
}

/// Sends what is queued and returns the events of every request sent.
fn flush_events(c: &mut InsightsClient<FakeEnv>) -> Vec<Value> {
    c.on_wake();
    let sent: Vec<_> = c.env_mut().sent.drain(..).collect();
    let mut events = Vec::new();
    for r in sent {
        let body = json::parse(&r.body).expect("body is JSON");
        events.extend(body.field("events").as_array().expect("events").iter().cloned());
        c.on_response(r.id, ResponseOutcome::Status(200, r#"{"status":200,"message":"OK"}"#.into()));
    }
    events
}

fn user_token_of(event: &Value) -> Option<&str> {
    event.field("userToken").as_str()
}

#[test]
fn seed_a_global_token_and_event_token() {
    let mut c = client();
    init(&mut c, vec![]);
    call(&mut c, "setUserToken", vec![Value::str("user-1")]).expect("set");
    call(&mut c, "clickedObjectIDs", vec![movie_click(vec![])]).expect("click");
    call(&mut c, "clickedObjectIDs", vec![movie_click(vec![("userToken", Value::str("user-2"))])]).expect("click");
    let events = flush_events(&mut c);
    assert_eq!(events.len(), 2);
    assert_eq!(user_token_of(&events[0]), Some("user-1"));
    assert_eq!(user_token_of(&events[1]), Some("user-2"));
    assert_eq!(events[0].field("eventType").as_str(), Some("click"));
    assert_eq!(events[0].field("objectIDs"), &strs(&["movieID1"]));
}

#[test]
fn seed_b_anonymous_cookie_login_logout() {
    let mut c = client();
    init(&mut c, vec![("useCookie", Value::Bool(true))]);
    let anonymous = c.user_token();
    let anonymous = anonymous.as_str().expect("a token").to_owned();
    assert!(anonymous.starts_with("anonymous-"));
    assert_eq!(c.env().algolia_cookie(), Some(anonymous.as_str()));
    let written = &c.env().cookie_writes[0];
    assert!(written.contains(";path=/;SameSite=Lax") && !written.contains("Secure"), "{written}");
    // Login.
    call(&mut c, "setUserToken", vec![Value::str("YourUserID")]).expect("login");
    call(&mut c, "clickedObjectIDs", vec![movie_click(vec![])]).expect("click");
    assert_eq!(user_token_of(&flush_events(&mut c)[0]), Some("YourUserID"));
    assert_eq!(c.env().algolia_cookie(), Some(anonymous.as_str()), "login does not touch the cookie");
    // Logout: back to the anonymous token kept in the cookie.
    call(&mut c, "setAnonymousUserToken", vec![]).expect("logout");
    assert_eq!(c.user_token().as_str(), Some(anonymous.as_str()));
    call(&mut c, "clickedObjectIDs", vec![movie_click(vec![])]).expect("click");
    assert_eq!(user_token_of(&flush_events(&mut c)[0]), Some(anonymous.as_str()));
}

#[test]
fn seed_c_authenticated_token_on_events() {
    let mut c = client();
    init(&mut c, vec![]);
    call(&mut c, "setAuthenticatedUserToken", vec![Value::str("auth-user-1")]).expect("set");
    call(&mut c, "clickedObjectIDs", vec![movie_click(vec![])]).expect("click");
    call(&mut c, "setAuthenticatedUserToken", vec![Value::Undefined]).expect("clear");
    call(&mut c, "clickedObjectIDs", vec![movie_click(vec![])]).expect("click");
    let events = flush_events(&mut c);
    assert_eq!(events[0].field("authenticatedUserToken").as_str(), Some("auth-user-1"));
    assert!(!events[1].has_key("authenticatedUserToken"));
}

#[test]
fn existing_anonymous_cookie_is_reused_and_others_replaced() {
    let mut env = FakeEnv::default();
    env.cookies.push(("_ALGOLIA".into(), "anonymous-11111111-2222-4333-8444-555555555555".into()));
    let mut c = InsightsClient::new(env);
    init(&mut c, vec![("useCookie", Value::Bool(true))]);
    assert_eq!(c.user_token().as_str(), Some("anonymous-11111111-2222-4333-8444-555555555555"));
    assert!(c.env().cookie_writes.is_empty(), "reused, not rewritten");

    let mut env = FakeEnv::default();
    env.cookies.push(("_ALGOLIA".into(), "not-anonymous".into()));
    let mut c = InsightsClient::new(env);
    init(&mut c, vec![("useCookie", Value::Bool(true))]);
    let token = c.user_token();
    assert!(token.as_str().is_some_and(|t| t.starts_with("anonymous-")));
    assert_eq!(c.env().algolia_cookie(), token.as_str());
}

#[test]
fn without_use_cookie_an_in_memory_token_and_no_cookie() {
    let mut c = client();
    init(&mut c, vec![]);
    assert_eq!(c.user_token(), Value::Undefined);
    call(&mut c, "viewedObjectIDs", vec![movie_click(vec![])]).expect("view");
    let token = c.user_token();
    assert!(token.as_str().is_some_and(|t| t.starts_with("anonymous-")));
    assert!(c.env().cookie_writes.is_empty());
    let events = flush_events(&mut c);
    assert_eq!(user_token_of(&events[0]), token.as_str());
    assert_eq!(c.take_notices(), vec![Notice::UserToken(token)]);
}

#[test]
fn anonymous_user_token_false_needs_a_token_at_the_call() {
    // search-insights would send the event without a userToken; the API
    // rejects it (and the whole request), so it is refused at the call.
    let mut c = client();
    init(&mut c, vec![("anonymousUserToken", Value::Bool(false))]);
    let err = call(&mut c, "viewedObjectIDs", vec![movie_click(vec![])]).expect_err("no token");
    assert_eq!(err.to_string(), "viewedObjectIDs: `event.userToken` is required: call setUserToken first, or init with anonymousUserToken: true");
    assert_eq!(c.user_token(), Value::Undefined, "no anonymous token was made");
    call(&mut c, "viewedObjectIDs", vec![movie_click(vec![("userToken", Value::str("own"))])]).expect("own token");
    call(&mut c, "setUserToken", vec![Value::str("user-1")]).expect("set");
    call(&mut c, "viewedObjectIDs", vec![movie_click(vec![])]).expect("global token");
    let events = flush_events(&mut c);
    assert_eq!(events.iter().map(user_token_of).collect::<Vec<_>>(), vec![Some("own"), Some("user-1")]);
}

#[test]
fn secure_pages_get_secure_cookies_and_duration_is_honoured() {
    let env = FakeEnv { secure: true, now: 0.0, ..FakeEnv::default() };
    let mut c = InsightsClient::new(env);
    init(&mut c, vec![("useCookie", Value::Bool(true)), ("cookieDuration", Value::Number(86_400_000.0))]);
    let written = &c.env().cookie_writes[0];
    assert!(written.ends_with(";expires=Fri, 02 Jan 1970 00:00:00 GMT;path=/;SameSite=Lax;Secure"), "{written}");
}

#[test]
fn opted_out_users_get_no_cookie_and_no_events() {
    let mut c = client();
    init(&mut c, vec![("useCookie", Value::Bool(true)), ("userHasOptedOut", Value::Bool(true))]);
    assert!(c.env().cookie_writes.is_empty());
    assert_eq!(c.user_token(), Value::Undefined);
    let reply = call(&mut c, "clickedObjectIDs", vec![movie_click(vec![])]).expect("no error");
    assert_eq!(reply, Reply::Settled(false));
    assert!(flush_events(&mut c).is_empty());
}

#[test]
fn opting_out_later_clears_cookie_storage_and_pending_calls() {
    let mut c = client();
    init(&mut c, vec![("useCookie", Value::Bool(true))]);
    assert!(c.env().algolia_cookie().is_some());
    let reply = call(&mut c, "clickedObjectIDsAfterSearch", vec![movie_click(vec![("queryID", Value::str(QID)), ("positions", Value::Array(vec![Value::Number(1.0)]))])]).expect("click");
    let Reply::Pending(id) = reply else { panic!("pending expected") };
    c.take_progress();
    init(&mut c, vec![("partial", Value::Bool(true)), ("userHasOptedOut", Value::Bool(true))]);
    assert_eq!(c.env().algolia_cookie(), None);
    assert_eq!(c.env().get_item("AlgoliaObjectQueryCache"), None);
    assert_eq!(c.take_progress().completions, vec![(id, false)]);
    assert!(flush_events(&mut c).is_empty());
}

#[test]
fn events_need_credentials_from_init_or_headers() {
    let mut c = client();
    let err = call(&mut c, "clickedObjectIDs", vec![movie_click(vec![])]).expect_err("no init");
    assert!(err.to_string().contains("call the 'init' function with appId and apiKey"), "{err}");
    let headers = obj(vec![(
        "headers",
        obj(vec![("X-Algolia-Application-Id", Value::str("H-APP")), ("X-Algolia-API-Key", Value::str("H-KEY")), ("X-Custom", Value::str("a b"))]),
    )]);
    call(&mut c, "clickedObjectIDs", vec![movie_click(vec![]), headers]).expect("header credentials");
    c.on_wake();
    let url = &c.env().sent[0].url;
    assert!(url.starts_with("https://insights.algolia.io/1/events?X-Algolia-Application-Id=H-APP&X-Algolia-API-Key=H-KEY&X-Algolia-Agent=insights-js%20(2.17.3)%3B%20insights-js-wasm%20("), "{url}");
    assert!(url.ends_with("&X-Custom=a%20b"), "{url}");
}

#[test]
fn request_url_body_and_endpoint() {
    let mut c = client();
    init(&mut c, vec![("host", Value::str("http://127.0.0.1:8080")), ("userToken", Value::str("u1"))]);
    call(&mut c, "addAlgoliaAgent", vec![Value::str("insights-middleware")]).expect("agent");
    call(&mut c, "addAlgoliaAgent", vec![Value::str("insights-middleware")]).expect("agent twice");
    call(&mut c, "clickedObjectIDs", vec![movie_click(vec![])]).expect("click");
    c.on_wake();
    let r = &c.env().sent[0];
    assert!(r.url.starts_with("http://127.0.0.1:8080/1/events?X-Algolia-Application-Id=APP&X-Algolia-API-Key=KEY&X-Algolia-Agent="));
    assert_eq!(r.url.matches("insights-middleware").count(), 1);
    assert!(r.keepalive);
    let body = json::parse(&r.body).expect("json");
    let event = &body.field("events").as_array().expect("array")[0];
    assert_eq!(event.field("timestamp").as_f64(), Some(c.env().now));
    assert_eq!(user_token_of(event), Some("u1"));
    // A full init without host goes back to the region's endpoint.
    init(&mut c, vec![("region", Value::str("de"))]);
    call(&mut c, "clickedObjectIDs", vec![movie_click(vec![])]).expect("click");
    c.on_wake();
    assert!(c.env().sent[1].url.starts_with("https://insights.de.algolia.io/1/events?"));
}

#[test]
fn calls_in_one_task_share_one_request_and_promises_settle() {
    let mut c = client();
    init(&mut c, vec![]);
    let mut ids = Vec::new();
    for _ in 0..3 {
        match call(&mut c, "clickedObjectIDs", vec![movie_click(vec![])]).expect("click") {
            Reply::Pending(id) => ids.push(id),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(c.env().wakes, vec![DEFAULT_FLUSH_DELAY], "one wake-up for the batch");
    c.on_wake();
    assert_eq!(c.env().sent.len(), 1);
    let r = c.env_mut().sent.remove(0);
    c.on_response(r.id, ResponseOutcome::Status(200, "{}".into()));
    let progress = c.take_progress();
    assert_eq!(progress.completions, ids.iter().map(|id| (*id, true)).collect::<Vec<_>>());
    assert!(progress.reports[0].delivered);
}

/// README, `init` options: `flushDelay` defaults to 50 ms.
const DEFAULT_FLUSH_DELAY: f64 = 50.0;

#[test]
fn bad_input_is_refused_and_the_next_call_works() {
    let mut c = client();
    init(&mut c, vec![]);
    let bad: Vec<(&str, Vec<Value>)> = vec![
        ("setUserToken", vec![obj(vec![])]),
        ("setUserToken", vec![Value::str("bad token;path=/")]),
        ("clickedObjectIDs", vec![Value::Null]),
        ("clickedObjectIDs", vec![Value::Number(f64::NAN)]),
        ("clickedObjectIDs", vec![obj(vec![("index", Value::str("movies"))])]),
        ("sendEvents", vec![Value::str("x")]),
        ("init", vec![obj(vec![("region", Value::str("eu"))])]),
        ("init", vec![obj(vec![("cookieDuration", Value::Number(0.5))])]),
        ("addAlgoliaAgent", vec![Value::Number(1.0)]),
    ];
    for (name, args) in bad {
        let err = call(&mut c, name, args).expect_err(name);
        assert!(err.to_string().starts_with(name), "{err}");
        assert!(!err.to_string().contains("KEY"), "never the API key: {err}");
    }
    assert!(flush_events(&mut c).is_empty(), "nothing sent");
    assert_eq!(c.env().cookie_writes.len(), 0);
    call(&mut c, "setUserToken", vec![Value::str("user-1")]).expect("valid again");
    call(&mut c, "clickedObjectIDs", vec![movie_click(vec![])]).expect("valid again");
    assert_eq!(user_token_of(&flush_events(&mut c)[0]), Some("user-1"));
}

#[test]
fn init_partial_use_cookie_persists_the_current_anonymous_token() {
    let mut c = client();
    init(&mut c, vec![]);
    call(&mut c, "clickedObjectIDs", vec![movie_click(vec![])]).expect("click");
    let token = c.user_token();
    assert!(c.env().cookie_writes.is_empty());
    init(&mut c, vec![("partial", Value::Bool(true)), ("useCookie", Value::Bool(true))]);
    assert_eq!(c.env().algolia_cookie(), token.as_str());
    assert_eq!(c.user_token(), token);
}

#[test]
fn token_change_notices() {
    let mut c = client();
    init(&mut c, vec![("userToken", Value::str("a")), ("authenticatedUserToken", Value::str("b"))]);
    assert_eq!(
        c.take_notices(),
        vec![Notice::AuthenticatedUserToken(Value::str("b")), Notice::UserToken(Value::str("a"))]
    );
    call(&mut c, "setUserToken", vec![Value::Number(42.0)]).expect("number");
    assert_eq!(c.take_notices(), vec![Notice::UserToken(Value::Number(42.0))]);
    assert_eq!(call(&mut c, "getUserToken", vec![]).expect("get"), Reply::Value(Value::Number(42.0)));
}

#[test]
fn query_ids_are_remembered_and_inferred() {
    let mut c = client();
    init(&mut c, vec![]);
    call(
        &mut c,
        "clickedObjectIDsAfterSearch",
        vec![obj(vec![
            ("index", Value::str("products")),
            ("eventName", Value::str("Hit Clicked")),
            ("queryID", Value::str(QID)),
            ("objectIDs", strs(&["1", "2"])),
            ("positions", Value::Array(vec![Value::Number(1.0), Value::Number(2.0)])),
        ])],
    )
    .expect("click");
    flush_events(&mut c);
    assert!(c.env().get_item("AlgoliaObjectQueryCache").is_some_and(|s| s.contains(&format!(r#""products_1":["{QID}""#))));
    let purchase = obj(vec![
        ("index", Value::str("products")),
        ("eventName", Value::str("Purchased")),
        ("objectIDs", strs(&["1", "3"])),
        ("objectData", Value::Array(vec![obj(vec![("price", Value::Number(10.0))]), obj(vec![("price", Value::Number(5.0))])])),
        ("currency", Value::str("USD")),
    ]);
    call(&mut c, "purchasedObjectIDs", vec![purchase, obj(vec![("inferQueryID", Value::Bool(true))])]).expect("purchase");
    let events = flush_events(&mut c);
    let e = &events[0];
    assert_eq!(e.field("objectIDsWithInferredQueryID"), &strs(&["1"]));
    let data = e.field("objectData").as_array().expect("objectData");
    assert_eq!(data[0].field("queryID").as_str(), Some(QID));
    assert_eq!(data[0].field("price").as_f64(), Some(10.0));
    assert!(!data[1].has_key("queryID"));
    // The delivered purchase removed object 1 from the cache; object 2 stays.
    c.on_wake();
    let cache = c.env().get_item("AlgoliaObjectQueryCache").unwrap_or_default();
    assert!(!cache.contains("products_1"), "{cache}");
    assert!(cache.contains("products_2"), "{cache}");
}

#[test]
fn forty_five_object_ids_become_three_events() {
    let mut c = client();
    init(&mut c, vec![]);
    let ids: Vec<String> = (0..45).map(|i| format!("o{i}")).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    call(&mut c, "viewedObjectIDs", vec![obj(vec![("index", Value::str("i")), ("eventName", Value::str("Viewed")), ("objectIDs", strs(&ids))])]).expect("view");
    let events = flush_events(&mut c);
    let sizes: Vec<usize> = events.iter().map(|e| e.field("objectIDs").as_array().map_or(0, <[Value]>::len)).collect();
    assert_eq!(sizes, vec![20, 20, 5]);
}

#[test]
fn reset_forgets_tokens_cookie_and_cache() {
    let mut c = client();
    init(&mut c, vec![("useCookie", Value::Bool(true)), ("authenticatedUserToken", Value::str("auth"))]);
    assert!(c.env().algolia_cookie().is_some());
    call(&mut c, "reset", vec![]).expect("reset");
    assert_eq!(c.user_token(), Value::Undefined);
    assert_eq!(c.authenticated_user_token(), Value::Undefined);
    assert_eq!(c.env().algolia_cookie(), None);
}

#[test]
fn cookies_disabled_means_no_cookie_token() {
    let env = FakeEnv { cookies_enabled: false, ..FakeEnv::default() };
    let mut c = InsightsClient::new(env);
    init(&mut c, vec![("useCookie", Value::Bool(true))]);
    assert_eq!(c.user_token(), Value::Undefined);
    assert!(c.env().cookie_writes.is_empty());
}

#[test]
fn outbox_is_kept_across_page_loads_only_with_consent() {
    // Without consent nothing is stored.
    let mut c = client();
    init(&mut c, vec![]);
    call(&mut c, "clickedObjectIDs", vec![movie_click(vec![])]).expect("click");
    c.on_wake();
    let r = c.env_mut().sent.remove(0);
    c.on_response(r.id, ResponseOutcome::NetworkError(String::new()));
    c.on_page_hide();
    assert_eq!(outbox_keys(c.env()), Vec::<String>::new());

    // With consent, the next page delivers it.
    let mut c = client();
    init(&mut c, vec![("useCookie", Value::Bool(true))]);
    call(&mut c, "clickedObjectIDs", vec![movie_click(vec![])]).expect("click");
    c.on_wake();
    let r = c.env_mut().sent.remove(0);
    c.on_response(r.id, ResponseOutcome::NetworkError(String::new()));
    c.on_page_hide();
    assert_eq!(outbox_keys(c.env()).len(), 1, "stored");
    let mut env = FakeEnv { seed: 100, ..FakeEnv::default() };
    env.store = c.env().store.snapshot();
    env.cookies = c.env().cookies.clone();
    let mut next = InsightsClient::new(env);
    init(&mut next, vec![("useCookie", Value::Bool(true))]);
    let events = flush_events(&mut next);
    assert_eq!(events.len(), 1);
    assert_eq!(outbox_keys(next.env()), Vec::<String>::new());
}


#[test]
fn instantsearch_usage_events_are_not_sent() {
    let mut c = client();
    init(&mut c, vec![]);
    let usage = obj(vec![("eventType", Value::str("instantsearch")), ("eventName", Value::str("__start__"))]);
    assert_eq!(call(&mut c, "sendEvents", vec![Value::Array(vec![usage.clone()])]), Ok(Reply::Settled(false)));
    let click = obj(vec![
        ("eventType", Value::str("click")),
        ("index", Value::str("movies")),
        ("eventName", Value::str("Clicked")),
        ("objectIDs", strs(&["movieID1"])),
    ]);
    assert!(matches!(call(&mut c, "sendEvents", vec![Value::Array(vec![usage, click])]), Ok(Reply::Pending(_))));
    let events = flush_events(&mut c);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].field("eventType").as_str(), Some("click"));
}

#[test]
fn tokens_set_to_empty_or_null_are_given_back_as_set() {
    // search-insights keeps what was set: getUserToken and callbacks see "" or null.
    let mut c = client();
    init(&mut c, vec![]);
    c.take_notices();
    assert_eq!(call(&mut c, "setUserToken", vec![Value::str("")]).expect("empty"), Reply::Value(Value::str("")));
    assert_eq!(call(&mut c, "setAuthenticatedUserToken", vec![Value::Null]).expect("null"), Reply::Value(Value::Null));
    assert_eq!(c.take_notices(), vec![Notice::UserToken(Value::str("")), Notice::AuthenticatedUserToken(Value::Null)]);
    assert_eq!(call(&mut c, "getUserToken", vec![]).expect("get"), Reply::Value(Value::str("")));
    // An empty token is no token: the event gets an anonymous one, as in search-insights.
    call(&mut c, "clickedObjectIDs", vec![movie_click(vec![])]).expect("click");
    let events = flush_events(&mut c);
    assert!(user_token_of(&events[0]).is_some_and(|t| t.starts_with("anonymous-")));
    assert!(!events[0].has_key("authenticatedUserToken"));
}

#[test]
fn init_keys_given_as_undefined_clear_silently() {
    let mut c = client();
    init(&mut c, vec![("userToken", Value::str("user-1"))]);
    c.take_notices();
    call(&mut c, "init", vec![obj(vec![("partial", Value::Bool(true)), ("userToken", Value::Undefined)])]).expect("init");
    assert_eq!(c.user_token(), Value::Undefined);
    assert_eq!(c.take_notices(), vec![], "search-insights assigns without calling the callback");
    // {anonymousUserToken: undefined} turns anonymous tokens off, as in search-insights.
    call(&mut c, "init", vec![obj(vec![("partial", Value::Bool(true)), ("anonymousUserToken", Value::Undefined)])]).expect("init");
    let err = call(&mut c, "clickedObjectIDs", vec![movie_click(vec![])]).expect_err("no token");
    assert!(err.to_string().contains("`event.userToken` is required"), "{err}");
    // {appId: undefined} removes the credentials.
    call(&mut c, "init", vec![obj(vec![("partial", Value::Bool(true)), ("appId", Value::Undefined)])]).expect("init");
    let err = call(&mut c, "clickedObjectIDs", vec![movie_click(vec![("userToken", Value::str("u"))])]).expect_err("no credentials");
    assert!(matches!(err, InsightsError::NotInitialized { .. }), "{err}");
}

#[test]
fn an_empty_event_authenticated_token_means_none() {
    let mut c = client();
    init(&mut c, vec![("userToken", Value::str("user-1")), ("authenticatedUserToken", Value::str("auth-global"))]);
    call(&mut c, "clickedObjectIDs", vec![movie_click(vec![("authenticatedUserToken", Value::str(""))])]).expect("blank");
    call(&mut c, "clickedObjectIDs", vec![movie_click(vec![("authenticatedUserToken", Value::Null)])]).expect("null");
    let events = flush_events(&mut c);
    assert!(!events[0].has_key("authenticatedUserToken"), "an explicit \"\" does not fall back to the global token");
    assert_eq!(events[1].field("authenticatedUserToken").as_str(), Some("auth-global"), "null falls back (??)");
    let err = call(&mut c, "clickedObjectIDs", vec![movie_click(vec![("userToken", Value::str(""))])]).expect_err("empty");
    assert_eq!(err.to_string(), "clickedObjectIDs: `event.userToken` must not be empty");
}

#[test]
fn add_to_cart_without_search_remembers_only_object_query_ids() {
    let mut c = client();
    init(&mut c, vec![("userToken", Value::str("u"))]);
    let q2 = "fedcba9876543210fedcba9876543210";
    let event = obj(vec![
        ("index", Value::str("products")),
        ("eventName", Value::str("Added")),
        ("queryID", Value::str(QID)),
        ("objectIDs", strs(&["1", "2"])),
        ("objectData", Value::Array(vec![obj(vec![("queryID", Value::str(q2))]), obj(vec![])])),
    ]);
    call(&mut c, "addedToCartObjectIDs", vec![event]).expect("add");
    flush_events(&mut c);
    let cache = c.env().get_item("AlgoliaObjectQueryCache").unwrap_or_default();
    assert!(cache.contains(&format!(r#""products_1":["{q2}""#)), "{cache}");
    assert!(!cache.contains("products_2"), "the event's queryID is not used here: {cache}");
}

#[test]
fn a_delivered_purchase_writes_the_cache_back_at_once() {
    let mut c = client();
    init(&mut c, vec![("userToken", Value::str("u"))]);
    let purchase = obj(vec![("index", Value::str("products")), ("eventName", Value::str("Purchased")), ("objectIDs", strs(&["9"]))]);
    call(&mut c, "purchasedObjectIDs", vec![purchase]).expect("purchase");
    flush_events(&mut c); // answers 200: the purchase is delivered
    assert_eq!(c.env().get_item("AlgoliaObjectQueryCache").as_deref(), Some("{}"), "as search-insights writes it");
}

#[test]
fn a_timestamp_far_in_the_future_is_refused() {
    let mut c = client();
    init(&mut c, vec![("userToken", Value::str("u"))]);
    let now = c.env().now;
    let ahead = |ms: f64| movie_click(vec![("timestamp", Value::Number(now + ms))]);
    call(&mut c, "clickedObjectIDs", vec![ahead(60_000.0)]).expect("a minute ahead is fine");
    let err = call(&mut c, "clickedObjectIDs", vec![movie_click(vec![]), ahead(2.0 * 3_600_000.0)]).expect_err("two hours");
    assert_eq!(err.to_string(), "clickedObjectIDs: `events[1].timestamp` is more than an hour in the future");
    assert_eq!(flush_events(&mut c).len(), 1, "nothing of the refused call was queued");
}

#[test]
fn an_opted_out_visitor_never_gets_a_cookie() {
    let mut c = client();
    init(&mut c, vec![("userHasOptedOut", Value::Bool(true))]);
    call(&mut c, "setAnonymousUserToken", vec![]).expect("anonymous");
    assert!(c.user_token().as_str().is_some_and(|t| t.starts_with("anonymous-")), "the token is still set");
    call(&mut c, "setUserToken", vec![Value::str("user-1")]).expect("set");
    call(&mut c, "saveTokenAsCookie", vec![]).expect("save");
    assert!(c.env().cookie_writes.is_empty(), "{:?}", c.env().cookie_writes);
}

#[test]
fn empty_credentials_send_nothing_the_api_would_refuse() {
    let mut c = client();
    call(&mut c, "init", vec![obj(vec![("appId", Value::str("")), ("apiKey", Value::str("KEY"))])]).expect("init");
    let err = call(&mut c, "clickedObjectIDs", vec![movie_click(vec![])]).expect_err("no app id");
    assert!(err.to_string().starts_with("clickedObjectIDs: Before calling any methods"), "{err}");
    init(&mut c, vec![]);
    let empty_header = obj(vec![("headers", obj(vec![("X-Algolia-Application-Id", Value::str(""))]))]);
    call(&mut c, "clickedObjectIDs", vec![movie_click(vec![]), empty_header]).expect("init's credentials");
    c.on_wake();
    let url = &c.env().sent[0].url;
    assert!(url.contains("X-Algolia-Application-Id=APP&X-Algolia-API-Key=KEY"), "{url}");
}

#[test]
fn an_event_larger_than_a_request_may_be_is_refused_at_the_call() {
    let mut c = client();
    init(&mut c, vec![]);
    let huge = movie_click(vec![("note", Value::str("x".repeat(2_000_000)))]);
    let err = call(&mut c, "clickedObjectIDs", vec![huge]).expect_err("too large");
    assert!(err.to_string().starts_with("clickedObjectIDs: `event` is too large to send: 2000"), "{err}");
    assert_eq!(c.pending_events(), 0);
    // 100 KB is fine: it goes alone in its request.
    call(&mut c, "clickedObjectIDs", vec![movie_click(vec![("note", Value::str("x".repeat(100_000)))])]).expect("100 KB");
    assert_eq!(flush_events(&mut c).len(), 1);
}

#[test]
fn agents_and_headers_cannot_make_urls_the_api_refuses() {
    let mut c = client();
    init(&mut c, vec![]);
    let err = call(&mut c, "addAlgoliaAgent", vec![Value::str("x".repeat(100 * 1024))]).expect_err("huge agent");
    assert_eq!(err.to_string(), "addAlgoliaAgent: `algoliaAgent` must be at most 512 characters long");
    let big_header = obj(vec![("headers", obj(vec![("X-Note", Value::str("x".repeat(10_000)))]))]);
    let err = call(&mut c, "clickedObjectIDs", vec![movie_click(vec![]), big_header]).expect_err("huge header");
    assert!(err.to_string().starts_with("clickedObjectIDs: `headers` make the request URL"), "{err}");
    call(&mut c, "clickedObjectIDs", vec![movie_click(vec![])]).expect("the next call works");
    assert_eq!(flush_events(&mut c).len(), 1);
}

#[test]
fn credentials_or_a_host_too_long_for_the_url_are_refused_by_init_which_changes_nothing() {
    // (Found by the fuzzer: a partial init with a 354 KB appId was accepted,
    // and every later event was refused for its URL.)
    let mut c = client();
    init(&mut c, vec![]);
    for (field, options) in [
        ("appId", vec![("partial", Value::Bool(true)), ("appId", Value::str("a".repeat(354_274)))]),
        ("apiKey", vec![("appId", Value::str("APP")), ("apiKey", Value::str("k".repeat(9_000)))]),
        ("host", vec![("partial", Value::Bool(true)), ("host", Value::str(text!("https://", "h".repeat(9_000), ".example")))]),
        // 1 500 characters that URL-encode to 9 000.
        ("apiKey", vec![("partial", Value::Bool(true)), ("apiKey", Value::str("é".repeat(1_500)))]),
    ] {
        let err = call(&mut c, "init", vec![obj(options)]).expect_err(field);
        assert!(err.to_string().starts_with(&text!("init: `", field, "` is ")), "{err}");
        assert!(err.to_string().contains(" characters long once URL-encoded; it travels in the URL of every request, so at most "), "{err}");
    }
    // The refused inits changed nothing: the earlier credentials still send.
    call(&mut c, "clickedObjectIDs", vec![movie_click(vec![])]).expect("the next event works");
    c.on_wake();
    let sent = &c.env().sent;
    assert_eq!(sent.len(), 1);
    assert!(sent.iter().all(|r| r.url.contains("X-Algolia-Application-Id=APP&X-Algolia-API-Key=KEY")), "{sent:?}");
    assert_eq!(flush_events(&mut c).len(), 1);
    // A long (secured) API key that fits is taken.
    init(&mut c, vec![("apiKey", Value::str("s".repeat(4_000)))]);
    call(&mut c, "clickedObjectIDs", vec![movie_click(vec![])]).expect("a 4 000-character key");
}

#[test]
fn a_refused_call_makes_no_token_and_remembers_no_query_id() {
    let mut c = client();
    init(&mut c, vec![]);
    let click = |extra: Vec<(&str, Value)>| {
        let mut fields = vec![
            ("index", Value::str("products")),
            ("eventName", Value::str("Hit Clicked")),
            ("queryID", Value::str(QID)),
            ("objectIDs", strs(&["1"])),
            ("positions", Value::Array(vec![Value::Number(1.0)])),
        ];
        fields.extend(extra);
        obj(fields)
    };
    let huge = click(vec![("note", Value::str("x".repeat(2_000_000)))]);
    call(&mut c, "clickedObjectIDsAfterSearch", vec![click(vec![]), huge]).expect_err("too large");
    assert_eq!(c.user_token(), Value::Undefined, "no anonymous token kept");
    assert!(c.take_notices().is_empty());
    c.on_wake();
    assert_eq!(c.env().get_item("AlgoliaObjectQueryCache"), None, "no queryID remembered");
    call(&mut c, "clickedObjectIDsAfterSearch", vec![click(vec![])]).expect("valid");
    assert!(c.user_token().as_str().is_some_and(|t| t.starts_with("anonymous-")));
    c.on_wake();
    assert!(c.env().get_item("AlgoliaObjectQueryCache").is_some_and(|s| s.contains("products_1")));
}

// The retry schedule, from the README ("Delivery"): network errors, timeouts,
// 5xx and 429 are retried with exponential backoff and jitter — 0.5–1 s,
// 1–2 s, 2–4 s, 4–8 s, 8–16 s, at most 30 s — and `maxRetries` defaults to 5.
// Every expected delay below is written by hand from those numbers. The
// clock is the fake page's: nothing here waits or depends on machine speed.

use crate::environment::OutgoingRequest;
use crate::outbox::DeliveryReport;

/// The documented window of retry 1, 2, … 5 (ms).
const RETRY_WINDOWS: [(f64, f64); 5] = [(500.0, 1000.0), (1000.0, 2000.0), (2000.0, 4000.0), (4000.0, 8000.0), (8000.0, 16000.0)];

/// Jitter bytes: the first byte of `random_bytes` picks where in its window a
/// retry falls, 0 at the start, 255 at the end.
const EARLIEST: u8 = 0;
const LATEST: u8 = 255;

/// One click of `user-1`, sent once the batch window closes; its call id and request.
fn click_sent(c: &mut InsightsClient<FakeEnv>) -> (CallId, OutgoingRequest) {
    let reply = call(c, "clickedObjectIDs", vec![movie_click(vec![("userToken", Value::str("user-1"))])]).expect("click");
    let Reply::Pending(id) = reply else { panic!("pending expected, got {reply:?}") };
    c.on_wake();
    let sent: Vec<_> = c.env_mut().sent.drain(..).collect();
    assert_eq!(sent.len(), 1);
    let request = sent.into_iter().next().expect("one request");
    (id, request)
}

/// Answers `request` with `outcome`, the next random bytes starting with
/// `jitter`; returns the wake-up asked for (the retry's delay, ms) and the progress.
fn answer(c: &mut InsightsClient<FakeEnv>, request: &OutgoingRequest, outcome: ResponseOutcome, jitter: u8) -> (Option<f64>, Progress) {
    c.env_mut().random.push_back([jitter; 16]);
    let wakes = c.env().wakes.len();
    c.on_response(request.id, outcome);
    let asked = c.env().wakes.get(wakes..).unwrap_or_default().to_vec();
    assert!(asked.len() <= 1, "one wake-up at most: {asked:?}");
    c.env_mut().random.clear();
    (asked.first().copied(), c.take_progress())
}

/// Moves the clock `ms` on and fires the wake-up; returns what was sent.
fn later(c: &mut InsightsClient<FakeEnv>, ms: f64) -> Vec<OutgoingRequest> {
    c.env_mut().now += ms;
    c.on_wake();
    c.env_mut().sent.drain(..).collect()
}

/// The retry comes exactly `delay` ms after the failure: not a millisecond
/// sooner (a timer firing early sends nothing), and with the same body.
fn retry_after(c: &mut InsightsClient<FakeEnv>, delay: f64, previous: &OutgoingRequest) -> OutgoingRequest {
    assert!(later(c, delay - 1.0).is_empty(), "sent before its {delay} ms");
    let sent = later(c, 1.0);
    assert_eq!(sent.len(), 1, "one retry after {delay} ms");
    let retry = sent.into_iter().next().expect("the retry");
    assert_eq!(retry.body, previous.body, "the same events again");
    assert_eq!(retry.url, previous.url);
    retry
}

/// What the five retries of one request meet, in turn: every kind of failure
/// the README says is retried (a timeout reaches the core as a network error).
fn retried_failures() -> [(ResponseOutcome, Option<u16>, &'static str); 5] {
    [
        (ResponseOutcome::NetworkError(String::new()), None, "network error"),
        (ResponseOutcome::Status(500, r#"{"status":500,"message":"Internal Server Error"}"#.into()), Some(500), "Internal Server Error"),
        (ResponseOutcome::Status(429, String::new()), Some(429), "HTTP 429"),
        (ResponseOutcome::Status(503, "<html>busy</html>".into()), Some(503), "HTTP 503"),
        (ResponseOutcome::Status(502, r#"{"message":"Bad Gateway"}"#.into()), Some(502), "Bad Gateway"),
    ]
}

#[test]
fn retries_back_off_in_the_documented_windows() {
    // Earliest and latest jitter: each retry falls exactly on its window's edges.
    let earliest = [500.0, 1000.0, 2000.0, 4000.0, 8000.0];
    let latest = [1000.0, 2000.0, 4000.0, 8000.0, 16000.0];
    for (jitter, expected) in [(EARLIEST, earliest), (LATEST, latest)] {
        let mut c = client();
        init(&mut c, vec![]);
        let (_, mut request) = click_sent(&mut c);
        let mut delays = Vec::new();
        for (outcome, _, _) in retried_failures() {
            let (delay, progress) = answer(&mut c, &request, outcome, jitter);
            let delay = delay.expect("a retry is scheduled");
            assert!(progress.reports.iter().all(|r| r.will_retry));
            delays.push(delay);
            request = retry_after(&mut c, delay, &request);
        }
        assert_eq!(delays, expected, "jitter byte {jitter}");
    }
    // Jitter in between: strictly inside each window.
    for jitter in [1u8, 64, 128, 200, 254] {
        let mut c = client();
        init(&mut c, vec![]);
        let (_, mut request) = click_sent(&mut c);
        for (attempt, (outcome, _, _)) in retried_failures().into_iter().enumerate() {
            let (delay, _) = answer(&mut c, &request, outcome, jitter);
            let delay = delay.expect("a retry is scheduled");
            let (low, high) = RETRY_WINDOWS[attempt];
            assert!(low < delay && delay < high, "retry {} after {delay} ms with jitter byte {jitter}, outside ({low}, {high})", attempt + 1);
            request = retry_after(&mut c, delay, &request);
        }
    }
}

#[test]
fn default_max_retries_is_five_then_the_events_are_given_up() {
    let mut c = client();
    init(&mut c, vec![]);
    let (call_id, mut request) = click_sent(&mut c);
    assert_eq!(request.timeout_ms, 20_000.0, "README: requestTimeout defaults to 20000 ms");
    let mut attempts = 1;
    for (retry, (outcome, status, message)) in retried_failures().into_iter().enumerate() {
        let (delay, progress) = answer(&mut c, &request, outcome, LATEST);
        assert_eq!(
            progress,
            Progress {
                completions: vec![],
                reports: vec![DeliveryReport { status, message: message.to_owned(), events: 1, will_retry: true, delivered: false }],
            },
            "failure {}",
            retry + 1
        );
        assert!(c.env().errors.is_empty(), "nothing logged while retrying: {:?}", c.env().errors);
        request = retry_after(&mut c, delay.expect("a retry is scheduled"), &request);
        attempts += 1;
    }
    assert_eq!(attempts, 6, "1 attempt + 5 retries");
    // The sixth attempt fails too: no seventh, the call resolves false.
    let (delay, progress) = answer(&mut c, &request, ResponseOutcome::Status(503, String::new()), LATEST);
    assert_eq!(delay, None, "no retry scheduled");
    assert_eq!(
        progress,
        Progress {
            completions: vec![(call_id, false)],
            reports: vec![DeliveryReport { status: Some(503), message: "HTTP 503".to_owned(), events: 1, will_retry: false, delivered: false }],
        }
    );
    assert_eq!(c.env().errors, vec!["search-insights: gave up sending 1 event(s) after 6 attempts: HTTP 503".to_owned()]);
    assert_eq!(c.pending_events(), 0);
    assert!(later(&mut c, 3_600_000.0).is_empty(), "nothing sent an hour later");
    assert_eq!(outbox_keys(c.env()), Vec::<String>::new(), "without consent nothing is kept");
}

#[test]
fn max_retries_option_sets_the_number_of_attempts() {
    for (max_retries, attempts) in [(0.0, 1), (1.0, 2), (3.0, 4)] {
        let mut c = client();
        init(&mut c, vec![("maxRetries", Value::Number(max_retries))]);
        let (call_id, mut request) = click_sent(&mut c);
        let mut sent = 1;
        loop {
            let (delay, progress) = answer(&mut c, &request, ResponseOutcome::NetworkError(String::new()), EARLIEST);
            match delay {
                Some(delay) => {
                    request = retry_after(&mut c, delay, &request);
                    sent += 1;
                }
                None => {
                    assert_eq!(progress.completions, vec![(call_id, false)]);
                    break;
                }
            }
            assert!(sent <= 30, "never gives up");
        }
        assert_eq!(sent, attempts, "maxRetries {max_retries}");
        assert_eq!(c.env().errors, vec![format!("search-insights: gave up sending 1 event(s) after {attempts} attempts: network error")]);
    }
}

/// What the transport says about a failure (what the page's `fetch` threw,
/// or the timeout) is in the delivery report and in the console line when
/// the events are given up.
#[test]
fn the_reason_of_a_network_error_is_reported() {
    let mut c = client();
    init(&mut c, vec![("maxRetries", Value::Number(1.0))]);
    let (call_id, request) = click_sent(&mut c);
    let reason = |text: &str| ResponseOutcome::NetworkError(text.to_owned());
    let (delay, progress) = answer(&mut c, &request, reason("Error: blocked by extension"), EARLIEST);
    assert_eq!(
        progress.reports,
        vec![DeliveryReport {
            status: None,
            message: "network error: Error: blocked by extension".to_owned(),
            events: 1,
            will_retry: true,
            delivered: false,
        }]
    );
    assert!(c.env().errors.is_empty(), "nothing logged while it will be retried: {:?}", c.env().errors);
    let request = retry_after(&mut c, delay.expect("a retry"), &request);
    let (delay, progress) = answer(&mut c, &request, reason("no answer within 20000 ms"), EARLIEST);
    assert_eq!((delay, progress.completions), (None, vec![(call_id, false)]));
    assert_eq!(progress.reports.len(), 1);
    assert_eq!(progress.reports[0].message, "network error: no answer within 20000 ms");
    assert_eq!(c.env().errors, vec!["search-insights: gave up sending 1 event(s) after 2 attempts: network error: no answer within 20000 ms"]);
}

#[test]
fn retry_delays_stop_growing_at_30_seconds() {
    // With maxRetries 20 the doubling would reach 16–32 s at retry 6 and
    // 8–16 min at retry 20; every delay stays at most 30 s.
    let earliest: Vec<f64> = [500.0, 1000.0, 2000.0, 4000.0, 8000.0].into_iter().chain([15_000.0; 15]).collect();
    let latest: Vec<f64> = [1000.0, 2000.0, 4000.0, 8000.0, 16_000.0].into_iter().chain([30_000.0; 15]).collect();
    for (jitter, expected) in [(EARLIEST, earliest), (LATEST, latest)] {
        let mut c = client();
        init(&mut c, vec![("maxRetries", Value::Number(20.0))]);
        let (call_id, mut request) = click_sent(&mut c);
        let mut delays = Vec::new();
        for _ in 0..20 {
            let (delay, progress) = answer(&mut c, &request, ResponseOutcome::Status(500, String::new()), jitter);
            assert!(progress.completions.is_empty());
            let delay = delay.expect("a retry is scheduled");
            delays.push(delay);
            request = retry_after(&mut c, delay, &request);
        }
        assert_eq!(delays, expected, "jitter byte {jitter}");
        let (delay, progress) = answer(&mut c, &request, ResponseOutcome::Status(500, String::new()), jitter);
        assert_eq!((delay, progress.completions), (None, vec![(call_id, false)]), "21 attempts, then given up");
    }
}

#[test]
fn only_network_errors_5xx_and_429_are_retried() {
    let retried = [
        ResponseOutcome::NetworkError(String::new()),
        ResponseOutcome::Status(500, String::new()),
        ResponseOutcome::Status(502, String::new()),
        ResponseOutcome::Status(503, String::new()),
        ResponseOutcome::Status(504, String::new()),
        ResponseOutcome::Status(599, String::new()),
        ResponseOutcome::Status(429, String::new()),
    ];
    for outcome in retried {
        let mut c = client();
        init(&mut c, vec![]);
        let (_, request) = click_sent(&mut c);
        let (delay, progress) = answer(&mut c, &request, outcome.clone(), EARLIEST);
        assert_eq!(delay, Some(500.0), "{outcome:?}");
        assert!(progress.completions.is_empty() && progress.reports[0].will_retry, "{outcome:?}");
        retry_after(&mut c, 500.0, &request);
    }
    for status in [400u16, 401, 403, 404, 408, 413, 422, 499] {
        let mut c = client();
        init(&mut c, vec![]);
        let (call_id, request) = click_sent(&mut c);
        let (delay, progress) = answer(&mut c, &request, ResponseOutcome::Status(status, r#"{"message":"no"}"#.into()), EARLIEST);
        assert_eq!(delay, None, "{status}");
        assert_eq!(progress.completions, vec![(call_id, false)], "{status}");
        assert_eq!(c.env().errors, vec![format!("search-insights: the Insights API refused 1 event(s) ({status}): no")]);
        assert!(later(&mut c, 60_000.0).is_empty(), "{status} is not retried");
    }
    for status in [200u16, 201, 204] {
        let mut c = client();
        init(&mut c, vec![]);
        let (call_id, request) = click_sent(&mut c);
        let (delay, progress) = answer(&mut c, &request, ResponseOutcome::Status(status, String::new()), EARLIEST);
        assert_eq!((delay, progress.completions), (None, vec![(call_id, true)]), "{status}");
    }
}

// The stored outbox, from the README ("With and without storage consent"):
// with consent, undelivered events are kept in `localStorage` under
// `AlgoliaInsightsOutbox:<page id>`, at most 1000, oldest dropped first.

/// The outbox keys in `localStorage` (`AlgoliaInsightsOutbox` and `AlgoliaInsightsOutbox:…`).
fn outbox_keys(env: &FakeEnv) -> Vec<String> {
    env.keys().into_iter().filter(|k| k.starts_with("AlgoliaInsightsOutbox")).collect()
}

/// The objectID of each stored event, in stored order (the page's one key).
fn stored_object_ids(env: &FakeEnv) -> Vec<String> {
    let keys = outbox_keys(env);
    assert_eq!(keys.len(), 1, "one page, one key: {keys:?}");
    let text = env.get_item(&keys[0]).expect("an outbox is stored");
    let outbox = json::parse(&text).expect("stored outbox is JSON");
    let records = outbox.field("e").as_array().expect("records").to_vec();
    records
        .iter()
        .map(|r| {
            let event = json::parse(r.field("b").as_str().expect("event JSON")).expect("event is JSON");
            event.field("objectIDs").as_array().expect("objectIDs")[0].as_str().expect("a string").to_owned()
        })
        .collect()
}

/// `obj-<first>` … `obj-<last>`.
fn object_ids(first: usize, last: usize) -> Vec<String> {
    (first..=last).map(|i| format!("obj-{i}")).collect()
}

#[test]
fn at_most_1000_events_are_stored_and_the_oldest_go_first() {
    let mut c = client();
    init(&mut c, vec![("useCookie", Value::Bool(true))]);
    // 1005 clicks, one millisecond apart: obj-1 is the oldest.
    for i in 1..=1005 {
        c.env_mut().now += 1.0;
        let click = movie_click(vec![("objectIDs", strs(&[format!("obj-{i}").as_str()]))]);
        call(&mut c, "clickedObjectIDs", vec![click]).expect("click");
    }
    c.on_wake();
    let requests: Vec<_> = c.env_mut().sent.drain(..).collect();
    let sent: usize = requests.iter().map(|r| r.body.matches(r#""eventType":"click""#).count()).sum();
    assert_eq!(sent, 1005, "all 1005 are sent");
    let stored = stored_object_ids(c.env());
    assert_eq!(stored.len(), 1000);
    assert_eq!(stored, object_ids(6, 1005), "obj-1 … obj-5 are not stored");
    for dropped in ["obj-1", "obj-2", "obj-3", "obj-4", "obj-5"] {
        assert!(!stored.iter().any(|s| s == dropped), "{dropped} is one of the 5 oldest");
    }
    assert_eq!(&stored[..3], ["obj-6", "obj-7", "obj-8"]);
    assert_eq!(&stored[997..], ["obj-1003", "obj-1004", "obj-1005"]);

    // The endpoint is down; the page is left while the events wait for their retry.
    for r in &requests {
        c.on_response(r.id, ResponseOutcome::NetworkError(String::new()));
    }
    c.on_page_hide();
    assert!(c.env().sent.is_empty() && c.env().beacons.is_empty(), "failed events wait in storage for the next page");
    assert_eq!(stored_object_ids(c.env()), object_ids(6, 1005));

    // The next page load sends exactly the 1000 stored events: obj-6 … obj-1005.
    let mut env = FakeEnv { seed: 100, now: c.env().now + 1000.0, ..FakeEnv::default() };
    env.store.items = c.env().store.items.clone();
    let mut next = InsightsClient::new(env);
    init(&mut next, vec![("useCookie", Value::Bool(true))]);
    let events = flush_events(&mut next);
    let mut delivered: Vec<String> = events.iter().map(|e| e.field("objectIDs").as_array().expect("ids")[0].as_str().expect("id").to_owned()).collect();
    delivered.sort_by_key(|id| id.trim_start_matches("obj-").parse::<usize>().expect("number"));
    assert_eq!(delivered, object_ids(6, 1005));
    assert_eq!(outbox_keys(next.env()), Vec::<String>::new(), "nothing left once delivered");
}

/// Delivers every lock grant the fake Web Locks API can make to `clients`
/// (numbered as their pages).
fn grant_locks(locks: &std::rc::Rc<std::cell::RefCell<crate::testing::LockManager>>, clients: &mut [&mut InsightsClient<FakeEnv>]) {
    loop {
        let next = locks.try_borrow_mut().expect("no lock manager borrow is held").next_grant();
        let Some(request) = next else { break };
        clients[request.page].on_lock_granted(&request.name);
    }
}

#[test]
fn with_web_locks_a_closed_tabs_events_go_to_the_next_tab_once() {
    let locks = std::rc::Rc::new(std::cell::RefCell::new(crate::testing::LockManager::default()));
    let store = crate::testing::MemoryStore::default();
    let page = |n: usize, seed: u8| FakeEnv { seed, store: store.clone(), locks: Some((locks.clone(), n)), ..FakeEnv::default() };
    let consent = || vec![("useCookie", Value::Bool(true))];
    let mut first = InsightsClient::new(page(0, 0));
    init(&mut first, consent());
    assert_eq!(locks.try_borrow().expect("no lock manager borrow is held").waiting.len(), 1, "its own lock, asked for at init");
    grant_locks(&locks, &mut [&mut first]);
    call(&mut first, "clickedObjectIDs", vec![movie_click(vec![])]).expect("click");
    first.on_wake();
    let r = first.env_mut().sent.remove(0);
    first.on_response(r.id, ResponseOutcome::Status(503, String::new()));
    assert_eq!(outbox_keys(first.env()).len(), 1);
    // A second tab opens while the first lives: nothing to claim yet.
    let mut second = InsightsClient::new(page(1, 100));
    init(&mut second, consent());
    grant_locks(&locks, &mut [&mut first, &mut second]);
    assert_eq!(flush_events(&mut second), Vec::<Value>::new());
    // The first tab closes: the second claims its event and sends it.
    locks.try_borrow_mut().expect("no lock manager borrow is held").close(0);
    grant_locks(&locks, &mut [&mut first, &mut second]);
    let events = flush_events(&mut second);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].field("objectIDs"), &strs(&["movieID1"]));
    assert_eq!(outbox_keys(second.env()), Vec::<String>::new());
}
