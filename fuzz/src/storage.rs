//! `localStorage` as another script, an older version or a broken browser
//! may leave it: garbage, the wrong shapes, and records that look right but
//! carry events the API refuses. The library must read all of it defensively.

use arbitrary::{Result, Unstructured};
use search_insights_wasm::internals::outbox::{LEGACY_STORAGE_KEY, STORAGE_KEY_PREFIX};
use search_insights_wasm::internals::query_cache::STORAGE_KEY as QUERY_CACHE_KEY;
use search_insights_wasm::internals::json;
use search_insights_wasm::Value;

use crate::page::FuzzPage;
use crate::templates::{self, HOST};
use crate::values::{self, QUERY_ID, SECRET_API_KEY};

/// A stored outbox record: mostly well-formed, with fuzzed fields.
fn outbox_record(u: &mut Unstructured, now: f64) -> Result<Value> {
    let url = if u.ratio(3, 4)? {
        format!("{HOST}/1/events?X-Algolia-Application-Id=fuzz-app&X-Algolia-API-Key={SECRET_API_KEY}&X-Algolia-Agent=x")
    } else {
        values::string(u)?
    };
    let mut event = templates::event(u, None)?;
    if u.ratio(3, 4)? {
        values::set_field(&mut event, "userToken", Some(Value::str("stored-user")));
    }
    if u.ratio(3, 4)? {
        values::set_field(&mut event, "timestamp", Some(Value::Number(values::number(u)?.abs().min(now))));
    }
    let body = if u.ratio(7, 8)? { json::to_string(&event) } else { values::string(u)? };
    let mut record = Value::object([
        ("id", Value::String(format!("old-{}", u.arbitrary::<u8>()?))),
        ("o", Value::str("")),
        ("l", Value::Number(0.0)),
        ("u", Value::String(url)),
        ("b", Value::String(body)),
        ("t", Value::Number(now)),
        ("n", Value::Number(values::number(u)?)),
    ]);
    values::mutate(u, &mut record)?;
    Ok(record)
}

/// A stored query-ID cache: `{"<index>_<objectID>": [queryID, ms]}`, fuzzed.
fn query_cache(u: &mut Unstructured) -> Result<Value> {
    let count = u.int_in_range(0..=4usize)?;
    let mut entries = Vec::with_capacity(count);
    for i in 0..count {
        let query_id = if u.ratio(1, 2)? { Value::str(QUERY_ID) } else { values::value(u, 4)? };
        let ts = if u.ratio(3, 4)? { Value::Number(values::number(u)?) } else { values::value(u, 4)? };
        entries.push((format!("products_obj-{i}"), Value::Array(vec![query_id, ts])));
    }
    Ok(Value::Object(entries))
}

/// Writes something broken, or almost right, under one of the library's keys.
pub fn corrupt(u: &mut Unstructured, page: &mut FuzzPage) -> Result<()> {
    // The previous version's shared outbox, a page's outbox, or the cache.
    let page_key = format!("{STORAGE_KEY_PREFIX}{}", values::string(u)?);
    let key = match u.int_in_range(0..=2u8)? {
        0 => LEGACY_STORAGE_KEY,
        1 => page_key.as_str(),
        _ => QUERY_CACHE_KEY,
    };
    let outbox = key != QUERY_CACHE_KEY;
    let text = match u.int_in_range(0..=4u8)? {
        0 => values::string(u)?,
        1 => json::to_string(&values::value(u, 0)?),
        2 | 3 if outbox => {
            let count = u.int_in_range(0..=4usize)?;
            let records = (0..count).map(|_| outbox_record(u, page.now)).collect::<Result<Vec<_>>>()?;
            json::to_string(&Value::object([("v", Value::Number(1.0)), ("e", Value::Array(records))]))
        }
        2 | 3 => json::to_string(&query_cache(u)?),
        _ => {
            // A truncated document, as a full disk leaves it.
            let whole = json::to_string(&values::value(u, 0)?);
            let cut = u.int_in_range(0..=whole.len())?;
            whole.get(..cut).unwrap_or_default().to_owned()
        }
    };
    page.storage.retain(|(k, _)| k != key);
    page.storage.push((key.to_owned(), text));
    Ok(())
}
