//! Events and `init` options that are valid to begin with, which the fuzzer
//! then changes a little: most of the library's paths lie behind a valid
//! `init` and a valid event, which raw values rarely are.

use arbitrary::{Result, Unstructured};
use search_insights_wasm::internals::EventType;
use search_insights_wasm::internals::method::{EventMethod, Target, EVENT_METHODS};
use search_insights_wasm::Value;

use crate::values::{self, QUERY_ID, SECRET_API_KEY};

/// The origin every good `init` sends to.
pub const HOST: &str = "http://127.0.0.1:9";

fn strings(items: impl IntoIterator<Item = String>) -> Value {
    Value::Array(items.into_iter().map(Value::String).collect())
}

/// How many objectIDs or filters: mostly a few, sometimes past the API's 20
/// per event, rarely the 5000 of the browser matrix.
fn item_count(u: &mut Unstructured) -> Result<usize> {
    Ok(match u.int_in_range(0..=63u8)? {
        0..=50 => u.int_in_range(1..=3usize)?,
        51..=62 => u.int_in_range(19..=61usize)?,
        _ => 5000,
    })
}

/// A valid event for `method` (or, with `None`, for `sendEvents`, whose
/// events name their type), then mutated.
pub fn event(u: &mut Unstructured, method: Option<&EventMethod>) -> Result<Value> {
    Ok(named_event(u, method, "Fuzz event")?.0)
}

/// [`event`] named `name`, and whether the mutation left it as made (then it
/// is valid: the scenario knows its call must be accepted).
pub fn named_event(u: &mut Unstructured, method: Option<&EventMethod>, name: &str) -> Result<(Value, bool)> {
    let (event_type, target, subtype, needs_query_id) = match method {
        Some(m) => (m.event_type, m.target, m.subtype.map(|s| s.as_str()), m.needs_query_id),
        None => {
            let m = u.choose(&EVENT_METHODS)?;
            (m.event_type, m.target, m.subtype.map(|s| s.as_str()), u.arbitrary()?)
        }
    };
    let n = item_count(u)?;
    let mut fields: Vec<(&str, Value)> = vec![("index", Value::str("products")), ("eventName", Value::String(name.to_owned()))];
    if method.is_none() {
        fields.push(("eventType", Value::str(event_type.as_str())));
        if let Some(subtype) = subtype {
            fields.push(("eventSubtype", Value::str(subtype)));
        }
    }
    match target {
        Target::ObjectIds => fields.push(("objectIDs", strings((0..n).map(|i| format!("obj-{i}"))))),
        Target::Filters => fields.push(("filters", strings((0..n).map(|i| format!("brand:b{i}"))))),
    }
    let with_query_id = needs_query_id || (target == Target::ObjectIds && u.ratio(1, 4)?);
    if with_query_id {
        fields.push(("queryID", Value::str(QUERY_ID)));
        if event_type == EventType::Click && target == Target::ObjectIds {
            fields.push(("positions", Value::Array((1..=n).map(|p| Value::Number(p as f64)).collect())));
        }
    }
    if event_type == EventType::Conversion && target == Target::ObjectIds && u.ratio(1, 3)? {
        let data = (0..n).map(|i| {
            Value::object([("price", Value::Number(19.99)), ("quantity", Value::Number(i as f64 + 1.0)), ("queryID", Value::str(QUERY_ID))])
        });
        fields.push(("objectData", Value::Array(data.collect())));
        fields.push(("value", Value::Number(19.99)));
        fields.push(("currency", Value::str("USD")));
    }
    if u.ratio(1, 4)? {
        fields.push(("userToken", Value::str("user-1")));
    }
    let made = Value::object(fields);
    let mut event = made.clone();
    values::mutate(u, &mut event)?;
    let pristine = event == made;
    Ok((event, pristine))
}

/// Valid `init` options (credentials, the fuzz endpoint, a few switches),
/// then mutated.
pub fn init_options(u: &mut Unstructured) -> Result<Value> {
    Ok(init_options_checked(u)?.0)
}

/// [`init_options`], and whether the mutation left them as made (valid).
pub fn init_options_checked(u: &mut Unstructured) -> Result<(Value, bool)> {
    let mut options = Value::object([
        ("appId", Value::str("fuzz-app")),
        ("apiKey", Value::str(SECRET_API_KEY)),
        ("host", Value::str(HOST)),
        ("useCookie", Value::Bool(u.arbitrary()?)),
        ("partial", Value::Bool(u.ratio(1, 4)?)),
        ("userHasOptedOut", Value::Bool(u.ratio(1, 8)?)),
        ("anonymousUserToken", Value::Bool(!u.ratio(1, 6)?)),
    ]);
    let made = options.clone();
    values::mutate(u, &mut options)?;
    let pristine = options == made;
    Ok((options, pristine))
}

/// The trailing additional params of an event method.
pub fn params(u: &mut Unstructured) -> Result<Value> {
    Ok(params_checked(u)?.0)
}

/// [`params`], and whether the mutation left them as made (valid).
pub fn params_checked(u: &mut Unstructured) -> Result<(Value, bool)> {
    let mut params = Value::object([("inferQueryID", Value::Bool(u.arbitrary()?))]);
    if u.ratio(1, 3)? {
        let headers = Value::object([
            ("X-Algolia-Application-Id", Value::str("fuzz-app-2")),
            ("X-Algolia-API-Key", Value::str(SECRET_API_KEY)),
        ]);
        values::set_field(&mut params, "headers", Some(headers));
    }
    let made = params.clone();
    values::mutate(u, &mut params)?;
    let pristine = params == made;
    Ok((params, pristine))
}
